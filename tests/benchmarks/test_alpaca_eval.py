"""AlpacaEval 2.0: the eval set loads from the shared reference file, and every malformed input is named."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from _shared import shared_path

from benchmarks import get_benchmark
from harness.errors import BadInput


def _reference_rows() -> list[dict[str, str]]:
    path = shared_path("alpaca_eval", "results", "gpt4_1106_preview", "model_outputs.json")
    return json.loads(path.read_text(encoding="utf-8"))


def test_eval_set_counts_ids_and_reference_outputs():
    path = shared_path("alpaca_eval", "results", "gpt4_1106_preview")
    items = get_benchmark("alpaca_eval").load(path)
    rows = _reference_rows()
    assert len(items) == 805
    assert Counter(i.category for i in items) == {
        "selfinstruct": 252,
        "oasst": 188,
        "koala": 156,
        "helpful_base": 129,
        "vicuna": 80,
    }
    assert [i.item_id for i in items] == [str(n) for n in range(805)]  # row position = γ lookup key
    assert [i.turns for i in items] == [[r["instruction"]] for r in rows]
    assert [i.baselines for i in items] == [{"gpt4_1106_preview": [r["output"]]} for r in rows]
    assert {(i.benchmark, i.version) for i in items} == {("alpaca_eval", "2.0")}


def test_the_file_itself_also_loads():
    path = shared_path("alpaca_eval", "results", "gpt4_1106_preview", "model_outputs.json")
    assert len(get_benchmark("alpaca_eval").load(path)) == 805


def _load(tmp_path, rows, **kwargs):
    path = tmp_path / "model_outputs.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    return get_benchmark("alpaca_eval").load(path, **kwargs)


def test_wrong_count_is_refused_unless_asked_for_a_subset(tmp_path):
    rows = _reference_rows()[:804]
    with pytest.raises(BadInput, match="expected 805 items, found 804"):
        _load(tmp_path, rows)
    assert len(_load(tmp_path, rows, check_count=False)) == 804


def test_duplicate_instruction_names_both_rows(tmp_path):
    rows = _reference_rows()[:3]
    rows.append(dict(rows[1]))
    with pytest.raises(
        BadInput, match=r"model_outputs.json\[3\]: duplicate instruction \(first at .*\[1\]\)"
    ):
        _load(tmp_path, rows, check_count=False)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"output": None}, r"\[1\]: missing field 'output'"),
        ({"output": float("nan")}, r"\[1\]: field 'output' is NaN"),
        ({"instruction": 7}, r"\[1\]: field 'instruction' must be str, got int"),
        ({"instruction": "  "}, r"\[1\]: field 'instruction' is empty"),
        ({"generator": "someone_else"}, r"\[1\]: baseline file mixes generators"),
        ({"dataset": ["x"]}, r"\[1\]: field 'dataset' must be str"),
    ],
)
def test_malformed_rows_are_named(tmp_path, change, message):
    rows = _reference_rows()[:3]
    rows[1] = {**rows[1], **change}
    with pytest.raises(BadInput, match=message):
        _load(tmp_path, rows, check_count=False)


def test_missing_generator_is_named(tmp_path):
    rows = _reference_rows()[:2]
    del rows[0]["generator"]
    with pytest.raises(BadInput, match=r"\[0\]: missing field 'generator'"):
        _load(tmp_path, rows, check_count=False)


def test_bad_json_names_the_line(tmp_path):
    path = tmp_path / "model_outputs.json"
    path.write_text('[\n{"instruction": "a", "output": "b"},\n{"instruction": \n', encoding="utf-8")
    with pytest.raises(BadInput, match=r"model_outputs.json:4: invalid JSON"):
        get_benchmark("alpaca_eval").load(path)


def test_directory_without_model_outputs(tmp_path):
    with pytest.raises(BadInput, match="model_outputs.json"):
        get_benchmark("alpaca_eval").load(tmp_path)
