"""`harness leaderboard` rebuilds tables from upstream judgment files and matches upstream's numbers."""

import csv
import json
from pathlib import Path

import pytest
from _shared import shared_path

from harness.cli import main

PEER = ("arena_hard", "v0.1", "peer_check")


def _peer_files() -> list[str]:
    # Shell-glob (sorted) order: the order of upstream_leaderboard_*_sortedglob.csv.
    folder = shared_path(*PEER, "model_judgment", "gpt-4-1106-preview")
    return sorted(str(p) for p in folder.glob("*.jsonl.gz"))


def _answers() -> list[str]:
    return sorted(str(p) for p in shared_path("arena_hard", "v0.1", "model_answer").glob("*.jsonl"))


def _read_csv(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="") as fh:
        return {row["model"]: row for row in csv.DictReader(fh)}


@pytest.mark.parametrize(
    ("style", "expected_name"),
    [
        (False, "upstream_leaderboard_default_sortedglob.csv"),
        (True, "upstream_leaderboard_style_control_sortedglob.csv"),
    ],
)
def test_arena_hard_leaderboard_equals_upstream_show_result(tmp_path, style, expected_name):
    args = [
        "leaderboard",
        "arena_hard",
        "--from",
        *_peer_files(),
        "--answers",
        *_answers(),
        "--out",
        str(tmp_path),
    ]
    args += ["--upstream-compatible"] + (["--style-control"] if style else [])
    assert main(args) == 0
    ours = _read_csv(tmp_path / "results" / "arena_hard" / "leaderboard.csv")
    expected = _read_csv(shared_path(*PEER, "logs", expected_name))
    assert set(ours) == set(expected)
    for model, row in expected.items():
        mine = ours[model]
        assert round(float(mine["score"]), 2) == pytest.approx(float(row["score"]), abs=1e-9), model
        assert round(float(mine["ci_lower"]), 2) == pytest.approx(float(row["rating_q025"]), abs=1e-9), model
        assert round(float(mine["ci_upper"]), 2) == pytest.approx(float(row["rating_q975"]), abs=1e-9), model
        assert int(mine["avg_tokens"]) == int(float(row["avg_tokens"]))
    counts = {m: (int(r["n_scored"]), int(r["n_unscored"])) for m, r in ours.items()}
    assert counts["gpt-4-turbo-2024-04-09"] == (962, 38)  # 38 null games of 1000 (README table)


def test_same_input_gives_byte_identical_tables(tmp_path):
    files = _peer_files()[:2]
    for out in ("a", "b"):
        assert main(["leaderboard", "arena_hard", "--from", *files, "--out", str(tmp_path / out)]) == 0
    for name in ("leaderboard.csv", "leaderboard.md", "leaderboard.html", "leaderboard.png"):
        a = (tmp_path / "a" / "results" / "arena_hard" / name).read_bytes()
        b = (tmp_path / "b" / "results" / "arena_hard" / name).read_bytes()
        assert a == b, name


def test_wildbench_leaderboard_reproduces_official_scores(tmp_path, capsys):
    folder = shared_path("wildbench", "eval_results", "v2.0625", "score.v2", "eval=gpt-4o-2024-05-13")
    official = json.loads(shared_path("wildbench", "leaderboard", "score.json").read_text())
    files = sorted(str(p) for p in folder.glob("*.json"))
    assert (
        main(["leaderboard", "wildbench", "--from", *files, "--out", str(tmp_path), "--format", "json"]) == 0
    )
    doc = json.loads(capsys.readouterr().out)
    rows = {r["model"].split("/")[-1]: r for r in doc["rows"]}
    assert len(rows) == 3
    board = json.loads(shared_path("wildbench", "leaderboard", "all_stat_wildbench.500.json").read_text())
    for name, row in rows.items():
        assert row["wb_score"] == board[name]["WB_score"]
        # the official board's WB_score scale: score.json's adjusted_score x 10 (issue 11: it was 0-10)
        assert row["wb_score"] == official[name]["adjusted_score"] * 10
        assert row["score"] == official[name]["score"]
        assert row["avg_len"] == official[name]["avg_len"]
        assert row["n_scored"] + row["n_unscored"] == official[name]["total"]
        assert row["ci_lower"] < row["wb_score"] < row["ci_upper"]


def test_mt_bench_single_leaderboard_excludes_and_counts_unparsed(tmp_path, capsys):
    path = tmp_path / "gpt-4_single.jsonl"
    rows = []
    for qid in (81, 101):
        for turn in (1, 2):
            rows.append({"question_id": qid, "model": "m1", "judge": ["gpt-4", "single-v1"], "user_prompt": "",
                         "judgment": "", "score": 8 if turn == 1 else 6, "turn": turn, "tstamp": 0})  # fmt: skip
            rows.append({"question_id": qid, "model": "m2", "judge": ["gpt-4", "single-v1"], "user_prompt": "",
                         "judgment": "", "score": -1 if qid == 81 else 4, "turn": turn, "tstamp": 0})  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    questions = shared_path("mt_bench", "question.jsonl")
    args = [
        "leaderboard",
        "mt_bench",
        "--from",
        str(path),
        "--questions",
        str(questions),
        "--out",
        str(tmp_path),
    ]
    assert main([*args, "--format", "json"]) == 1  # m2: 2 of 4 ratings unparsed, over --max-unscored 0.10
    out, err = capsys.readouterr()
    assert "headline check failed for 1 row(s): m2: unscored 2/4 = 50% > --max-unscored 10%" in err
    assert main([*args, "--max-unscored", "0.5"]) == 0
    doc = {r["model"]: r for r in json.loads(out)["rows"]}
    assert doc["m1"]["score"] == 7.0 and doc["m1"]["turn_1"] == 8.0 and doc["m1"]["turn_2"] == 6.0
    assert (doc["m2"]["score"], doc["m2"]["n_scored"], doc["m2"]["n_unscored"]) == (4.0, 2, 2)
    assert doc["m1"]["rank"] == 1


def test_bad_inputs_exit_2_with_one_line(tmp_path, capsys):
    bogus = tmp_path / "x.jsonl"
    bogus.write_text('{"hello": 1}\n')
    assert main(["leaderboard", "arena_hard", "--from", str(bogus)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "unknown format" in err and str(bogus) in err
    assert main(["leaderboard", "arena_hardd", "--from", str(bogus)]) == 2
    assert "did you mean 'arena_hard'" in capsys.readouterr().err
    wb = shared_path(
        "wildbench", "eval_results", "v2.0625", "score.v2", "eval=gpt-4o-2024-05-13", "gemma-2b-it.json"
    )
    assert main(["leaderboard", "arena_hard", "--from", str(wb)]) == 2
    assert "not a arena_hard input" in capsys.readouterr().err


def test_alpaca_eval_leaderboard_raw_columns_equal_official_csv(tmp_path, capsys):
    results = shared_path("alpaca_eval", "results")
    files = sorted(str(p) for p in results.glob("*/annotations*.json"))
    gamma = shared_path("alpaca_eval", "glm", "instruction_difficulty_recovered.csv")
    args = [
        "leaderboard",
        "alpaca_eval",
        "--from",
        *files,
        "--difficulty",
        str(gamma),
        "--out",
        str(tmp_path),
    ]
    assert main([*args, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    official = _read_csv_index(
        shared_path("alpaca_eval", "leaderboard", "weighted_alpaca_eval_gpt4_turbo_leaderboard.csv")
    )
    assert len(doc["rows"]) == 7
    for row in doc["rows"]:
        ref = official[row["model"]]
        assert row["win_rate"] == pytest.approx(float(ref["win_rate"]), abs=1e-6)
        assert row["n_wins"] == int(ref["n_wins"]) and row["avg_length"] == int(ref["avg_length"])
        assert row["ci_lower"] <= row["length_controlled_winrate"] <= row["ci_upper"]
    lc = {r["model"]: r["length_controlled_winrate"] for r in doc["rows"]}
    assert lc["gpt4_1106_preview"] == 50.0
    # Without the hub-only regulariser rows the refit stays within 1.5 points for normal-length models.
    for model in ("FuseChat-Gemma-2-9B-Instruct", "claude-2.1", "gpt-3.5-turbo-1106", "falcon-7b-instruct"):
        assert abs(lc[model] - float(official[model]["length_controlled_winrate"])) < 1.5, model
    assert any("regulariser" in n for n in [doc["interval"]] + list(_md_notes(tmp_path)))


def _read_csv_index(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        return {row[0]: dict(zip(header[1:], row[1:], strict=False)) for row in reader}


def _md_notes(tmp_path: Path) -> list[str]:
    text = (tmp_path / "results" / "alpaca_eval" / "leaderboard.md").read_text()
    return [line for line in text.splitlines() if line.startswith("Note:")]
