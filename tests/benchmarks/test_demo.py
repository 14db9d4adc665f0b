"""The built-in demo benchmark: offline, small, varied, with written reference outputs."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from benchmarks import get_benchmark
from benchmarks.demo import DATA_FILE
from harness.errors import BadInput


def test_demo_loads_offline_with_a_reference_for_every_instruction():
    bench = get_benchmark("demo")
    items = bench.load()
    assert len(items) == 21
    categories = Counter(i.category for i in items)
    assert set(categories) == {"writing", "coding", "math", "advice", "facts", "reasoning", "summarization"}
    assert max(categories.values()) <= 4  # varied: no category dominates
    for item in items:
        assert len(item.turns) == 1 and len(item.turns[0]) < 250  # short prompts for a 135M model
        assert list(item.baselines) == ["demo_reference"] and item.baselines["demo_reference"][0].strip()
        assert bench.baselines_for(item) == ("demo_reference",)
        assert bench.sampling(item).max_tokens == 256
    assert [i.item_id for i in bench.load(DATA_FILE)] == [i.item_id for i in items]


def test_demo_count_is_checked(tmp_path):
    rows = json.loads(DATA_FILE.read_text(encoding="utf-8"))[:20]
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    with pytest.raises(BadInput, match="expected 21 items, found 20"):
        get_benchmark("demo").load(tmp_path)
