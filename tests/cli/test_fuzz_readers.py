"""Property-based fuzzing (hypothesis) of every reader of user files and of the verdict parsers.

The property: whatever the bytes, a reader returns its records or raises the project's BadInput (one
line naming the file); a verdict parser returns a Parsed (an unparseable reply is ``unscored``, never an
exception). Any other exception is a traceback a user would see.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.alpaca_eval.upstream import load_difficulty
from harness.clean_eval.variant import load_variant
from harness.client import TokenLogprob
from harness.errors import BadInput
from harness.jsonrows import read_rows
from harness.leaderboard.builders import Options, build
from harness.prompts import load_prompts
from harness.records import Judgment, Output
from harness.store import RunStore
from judges.parsers import PARSERS, Parsed

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
# objects shaped like the harness's own records, so that fuzzing reaches past "not an object"
record_like = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values, "item_id": json_values, "turns": json_values, "model": json_values,
        "judge": json_values, "protocol": json_values, "instruction": json_values, "output_1": json_values,
        "output_2": json_values, "preference": json_values, "generator_1": json_values,
        "generator_2": json_values, "games": json_values, "question_id": json_values, "score": json_values,
        "turn": json_values, "header": json_values,
    },
)  # fmt: skip


def _lines(values: list[Any]) -> bytes:
    return "\n".join(json.dumps(v) for v in values).encode()


file_bytes = st.one_of(
    st.binary(max_size=300),
    st.lists(json_values, max_size=5).map(_lines),
    st.lists(record_like, max_size=5).map(_lines),
    st.lists(record_like, max_size=5).map(lambda v: json.dumps(v).encode()),
    st.tuples(st.lists(record_like, min_size=1, max_size=4), st.binary(max_size=20)).map(
        lambda t: _lines(t[0]) + t[1]
    ),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
)


def _only_bad_input(read: Callable[[Path], object], data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            read(path)
        except BadInput:
            pass


@FUZZ
@given(file_bytes)
def test_prompt_files(data: bytes) -> None:
    _only_bad_input(load_prompts, data, "prompts.jsonl")


@FUZZ
@given(file_bytes, st.sampled_from(["rows.jsonl", "rows.json"]))
def test_json_and_jsonl_rows(data: bytes, name: str) -> None:
    _only_bad_input(read_rows, data, name)


@FUZZ
@given(file_bytes, st.sampled_from([("outputs", Output), ("judgments", Judgment)]))
def test_run_records(data: bytes, kind: tuple[str, type[Any]]) -> None:
    _only_bad_input(lambda p: RunStore(p.parent).load(kind[0], kind[1]), data, f"{kind[0]}.jsonl")


@FUZZ
@given(file_bytes)
def test_run_json(data: bytes) -> None:
    _only_bad_input(lambda p: RunStore(p.parent).read_run_json(), data, "run.json")


@FUZZ
@given(file_bytes)
def test_clean_variants(data: bytes) -> None:
    _only_bad_input(load_variant, data, "variant.jsonl")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(file_bytes, st.lists(json_values, max_size=4).map(
    lambda rows: ("index,instruction_difficulty,instruction\n" + "\n".join(
        f"{i},{json.dumps(v)},x" for i, v in enumerate(rows))).encode())))  # fmt: skip
def test_difficulty_csv(data: bytes) -> None:
    _only_bad_input(load_difficulty, data, "difficulty.csv")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file_bytes, st.sampled_from(["alpaca_eval", "arena_hard", "mt_bench", "wildbench"]),
       st.sampled_from(["judgments.jsonl", "annotations.json"]))  # fmt: skip
def test_leaderboard_inputs(data: bytes, benchmark: str, name: str) -> None:
    _only_bad_input(lambda p: build(benchmark, [p], Options(difficulty=None)), data, name)


floats = st.floats(allow_nan=True, allow_infinity=True)
logprob_lists = st.none() | st.lists(
    st.builds(TokenLogprob, token=st.text(max_size=5), logprob=floats,
              top_logprobs=st.dictionaries(st.text(max_size=5), floats, max_size=5)),
    max_size=4,
)  # fmt: skip
verdict_texts = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["[[A>B]]", "[[B]]", "Rating: [[7]]", '{"score": 5}', '{"choice": "A++"}', "m", "M",
                     "Yes", "[[", "]]", '```json\n{"score": "x"}\n```', "[[A>>B]] [[B>A]]"]),
    st.lists(st.sampled_from(["[[", "]]", "A", "B", ">", "<", "=", "tie", "Rating", ":", "{", "}", '"score"',
                              "10", "-1", "1e999", "nan", "\n", "yes", "no"]), max_size=20).map("".join),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(PARSERS)), verdict_texts, logprob_lists)
def test_verdict_parsers_never_raise(name: str, text: str, logprobs: list[TokenLogprob] | None) -> None:
    parsed = PARSERS.get(name)(text, tuple(logprobs) if logprobs is not None else None)
    assert isinstance(parsed, Parsed)
    if parsed.value is not None:
        assert parsed.value == parsed.value  # never NaN: a NaN score would poison every mean
