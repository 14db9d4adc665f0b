"""The run directory: run.json provenance, append-only records, torn-line recovery, dedupe, Parquet."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd
import pytest

from harness.errors import BadInput
from harness.records import Judgment, Output, TokenUsage
from harness.store import RunStore


def out(item_id: str, text: str = "answer", error: str | None = None, model: str = "m") -> Output:
    return Output(
        item_id=item_id,
        model=model,
        turns=[text],
        usage=TokenUsage(prompt_tokens=3, completion_tokens=5),
        error=error,
    )


def start(store: RunStore, config: dict | None = None) -> None:
    store.write_run_json(
        command="generate",
        config=config or {"model": "local", "sampling": {"temperature": 0.0}},
        endpoints={"model": {"base_url": "http://127.0.0.1:1/v1", "model": "m", "spec": "local"}},
        dataset={"id": "prompts.jsonl", "revision": "abc123", "n": 3},
        seeds={"sampling": 7},
    )


def test_run_json_records_provenance_and_sessions(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "run")
    start(store)
    store.finish_run("finished", {"generated": 3})
    doc = json.loads((tmp_path / "run" / "run.json").read_text())
    assert doc["config"] == {"model": "local", "sampling": {"temperature": 0.0}}
    assert doc["dataset"] == {"id": "prompts.jsonl", "revision": "abc123", "n": 3}
    assert doc["seeds"] == {"sampling": 7}
    assert {"harness", "pydantic", "openai"} <= set(doc["packages"])
    assert len(doc["git"]["commit"]) == 40  # the tests run from a git checkout
    assert doc["started_at"] and doc["ended_at"]
    assert doc["sessions"][0]["status"] == "finished"
    assert doc["sessions"][0]["summary"] == {"generated": 3}
    # resuming adds a session and keeps the original start
    start(store)
    again = json.loads((tmp_path / "run" / "run.json").read_text())
    assert again["started_at"] == doc["started_at"]
    assert len(again["sessions"]) == 2 and again["ended_at"] is None


def test_resume_with_a_different_config_is_refused(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    start(store)
    with pytest.raises(BadInput, match=r"different run \(changed: sampling\)"):
        start(store, {"model": "local", "sampling": {"temperature": 1.0}})


def test_each_append_is_on_disk_before_close(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    store.append("outputs", out("a"))
    store.append("outputs", out("b"))
    # read through another handle while the store still holds its descriptor open
    lines = (tmp_path / "outputs.jsonl").read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) == 3
    assert [json.loads(x)["item_id"] for x in lines[:2]] == ["a", "b"]
    store.close()


def test_torn_last_line_is_dropped_and_repaired(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = RunStore(tmp_path)
    store.append("outputs", out("a"))
    store.append("outputs", out("b"))
    store.close()
    path = tmp_path / "outputs.jsonl"
    with open(path, "ab") as fh:  # what a kill -9 in the middle of a write leaves
        fh.write(out("c").model_dump_json().encode()[:25])
    with caplog.at_level(logging.WARNING):
        loaded = RunStore(tmp_path).load("outputs", Output)
    assert [o.item_id for o in loaded] == ["a", "b"]
    assert "torn last line" in caplog.text
    # the next append cuts the torn tail first, so the file stays valid JSONL
    resumed = RunStore(tmp_path)
    resumed.append("outputs", out("c"))
    resumed.close()
    assert [json.loads(x)["item_id"] for x in path.read_text().splitlines()] == ["a", "b", "c"]


def test_invalid_json_on_a_complete_last_line_is_also_torn(tmp_path: Path) -> None:
    path = tmp_path / "outputs.jsonl"
    path.write_text(out("a").model_dump_json() + "\n" + '{"item_id": "b", "mod\n')
    assert [o.item_id for o in RunStore(tmp_path).load("outputs", Output)] == ["a"]


def test_a_bad_line_in_the_middle_is_corruption(tmp_path: Path) -> None:
    path = tmp_path / "outputs.jsonl"
    path.write_text(out("a").model_dump_json() + "\n{not json\n" + out("b").model_dump_json() + "\n")
    with pytest.raises(BadInput) as err:
        RunStore(tmp_path).load("outputs", Output)
    assert err.value.where == f"{path}:2"
    assert "corrupt outputs record" in err.value.reason


def test_dedupe_keeps_first_final_and_supersedes_failures(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    store.append("outputs", out("a", "first"))
    store.append("outputs", out("a", "second"))  # a finished answer is never replaced
    store.append("outputs", out("b", "", error="turn 1: retries exhausted"))
    store.append("outputs", out("b", "retried"))  # a failure is a placeholder
    store.append("outputs", out("c", "", error="boom"))
    store.append("outputs", out("a", "other model", model="m2"))  # key is (item_id, model)
    store.close()
    got = {(o.item_id, o.model): (o.turns[0], o.error) for o in store.load("outputs", Output)}
    assert got == {
        ("a", "m"): ("first", None),
        ("b", "m"): ("retried", None),
        ("c", "m"): ("", "boom"),
        ("a", "m2"): ("other model", None),
    }


def test_parquet_export_round_trips_through_pandas(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    store.append("outputs", out("a", "x"))
    store.append("outputs", out("b", "y"))
    store.append(
        "judgments",
        Judgment(item_id="a", model="m", judge="j", protocol="single", score=7.0, metadata={"k": [1, 2]}),
    )
    store.close()
    df = pd.read_parquet(store.to_parquet("outputs", Output, tmp_path / "outputs.parquet"))
    assert list(df["item_id"]) == ["a", "b"]
    assert list(df["usage.completion_tokens"]) == [5, 5]
    assert list(df["turns"].map(list)) == [["x"], ["y"]]
    jd = pd.read_parquet(store.to_parquet("judgments", Judgment, tmp_path / "j.parquet"))
    assert jd.loc[0, "score"] == 7.0 and json.loads(jd.loc[0, "metadata"]) == {"k": [1, 2]}


def test_unknown_kind_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown record kind"):
        RunStore(tmp_path).append("scores", out("a"))
