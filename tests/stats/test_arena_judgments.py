"""Loading upstream judgment/answer files: both layouts, gzip, null games kept as unscored, bad input named."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from benchmarks.arena_hard.upstream import load_answer_metadata, load_judgments
from harness.errors import BadInput
from harness.stats.bradley_terry import expand_outcomes


def write(path: Path, records: list[object], compress: bool = False) -> Path:
    text = "".join(json.dumps(r) + "\n" for r in records)
    if compress:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def legacy(qid: str, model: str, s1: object, s2: object) -> dict[str, object]:
    return {"question_id": qid, "model": model, "judge": "j", "games": [{"score": s1}, {"score": s2}]}


def test_legacy_and_v2_layouts_gzip_and_order(tmp_path: Path) -> None:
    first = write(
        tmp_path / "m1.jsonl.gz", [legacy("q1", "m1", "B>A", None), legacy("q2", "m1", "A=B", "A>>B")], True
    )
    v2_record = {"uid": "q1", "model": "m2", "baseline": "base2", "games": [None, {"score": "B>A"}]}
    second = write(tmp_path / "m2.jsonl", [v2_record])
    frame = load_judgments([first, second])
    assert frame[["question_id", "model", "game"]].values.tolist() == [
        ["q1", "m1", 1],
        ["q1", "m1", 2],
        ["q2", "m1", 1],
        ["q2", "m1", 2],
        ["q1", "m2", 1],
        ["q1", "m2", 2],
    ]
    assert frame["label"].tolist() == ["B>A", None, "A=B", "A>>B", None, "B>A"]
    assert frame["baseline"].tolist() == ["gpt-4-0314"] * 4 + ["base2"] * 2
    outcomes = expand_outcomes(frame)
    assert len(outcomes.unscored) == 2
    assert outcomes.rows["outcome"].tolist() == [1, 0.5, 1, 1, 1, 0]


def test_nan_score_is_a_null_game(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text('{"question_id": "q", "model": "m", "games": [{"score": NaN}, {"score": "A>B"}]}\n')
    assert load_judgments([path])["label"].tolist() == [None, "A>B"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json\n", r"m\.jsonl:1: invalid JSON"),
        (
            '{"question_id": "q", "model": "m", "games": [{"score": "A>B"}]}\n',
            r"m\.jsonl:1: unknown judgment format; expected legacy v0\.1 record",
        ),
        ('{"model": "m", "games": [{"score": "A>B"}, {"score": "A>B"}]}\n', "unknown judgment format"),
        (
            '{"question_id": "q", "model": "m", "games": [{"judgment": "x"}, null]}\n',
            r"games\[0\].*'score' field",
        ),
        (
            '{"question_id": "q", "model": "m", "games": [{"score": 3}, null]}\n',
            r"games\[0\]\.score.*label string",
        ),
        ("[1, 2]\n", "JSON object"),
    ],
)
def test_malformed_judgment_files_name_the_line_and_the_expected_layout(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text(content)
    with pytest.raises(BadInput, match=message):
        load_judgments([path])


def test_duplicate_and_self_judgments_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "m.jsonl", [legacy("q", "m", "A>B", "A>B"), legacy("q", "m", "A>B", "B>A")])
    with pytest.raises(BadInput, match="duplicate judgment"):
        load_judgments([path])
    path = write(tmp_path / "b.jsonl", [legacy("q", "gpt-4-0314", "A>B", "A>B")])
    with pytest.raises(BadInput, match="against itself"):
        load_judgments([path])
    with pytest.raises(BadInput, match="no judgment files"):
        load_judgments([])
    with pytest.raises(BadInput, match="file not found"):
        load_judgments([tmp_path / "absent.jsonl"])


def test_answer_metadata_layouts_and_errors(tmp_path: Path) -> None:
    meta = {
        "token_len": 10,
        "header_count": {"h1": 1, "h2": 2},
        "list_count": {"ordered": 1},
        "bold_count": {"**": 0},
    }
    path = write(
        tmp_path / "a.jsonl",
        [
            {"question_id": "q", "model_id": "m", "conv_metadata": meta},
            {"uid": "r", "model": "m", "metadata": meta},
        ],
    )
    frame = load_answer_metadata([path])
    assert frame.iloc[0][["token_len", "header_count", "list_count", "bold_count"]].tolist() == [10, 3, 1, 0]
    assert frame["question_id"].tolist() == ["q", "r"]
    bad = write(
        tmp_path / "b.jsonl", [{"question_id": "q", "model_id": "m", "conv_metadata": {"token_len": 3}}]
    )
    with pytest.raises(BadInput, match=r"b\.jsonl:1\.metadata\.header_count: missing style field"):
        load_answer_metadata([bad])
    nan = tmp_path / "n.jsonl"
    nan.write_text('{"question_id": "q", "model_id": "m", "conv_metadata": {"token_len": NaN}}\n')
    with pytest.raises(BadInput, match="expected a count"):
        load_answer_metadata([nan])
    with pytest.raises(BadInput, match="unknown answer format"):
        load_answer_metadata([write(tmp_path / "c.jsonl", [{"text": "hi"}])])
