"""The pinned-source code path: URLs are pinned, and an unreachable source is one BadInput line."""

from __future__ import annotations

import time

import pytest

from benchmarks import _hub, get_benchmark
from benchmarks.arena_hard import adapter as arena_hard
from benchmarks.mt_bench import adapter as mt_bench
from harness.errors import BadInput


def test_sources_are_pinned_to_full_commits():
    assert len(arena_hard.COMMIT) == 40 and len(mt_bench.COMMIT) == 40
    url = _hub.github_raw(mt_bench.REPO, mt_bench.COMMIT, f"{mt_bench.BASE}/question.jsonl")
    assert url == (
        "https://raw.githubusercontent.com/lm-sys/FastChat/0e6d3e4beaab66f4d3f93db72541a4abab8af28d/"
        "fastchat/llm_judge/data/mt_bench/question.jsonl"
    )


def test_unreachable_url_is_one_line_suggesting_data(tmp_path, monkeypatch):
    monkeypatch.setattr(_hub, "cache_dir", lambda: tmp_path)
    start = time.monotonic()
    with pytest.raises(BadInput) as info:
        _hub.fetch_url("http://127.0.0.1:9/question.jsonl", timeout_s=5)
    assert time.monotonic() - start < 5
    message = str(info.value)
    assert "\n" not in message and "pass --data PATH" in message
    assert message.startswith("http://127.0.0.1:9/question.jsonl: ConnectError")
    assert not any(tmp_path.iterdir())  # nothing half-written is left in the cache


def test_offline_hub_load_of_a_benchmark_suggests_data(tmp_path, monkeypatch):
    """Arena-Hard's pinned files are fetched from a (here unreachable) address: one clear line."""
    monkeypatch.setattr(_hub, "cache_dir", lambda: tmp_path)
    monkeypatch.setattr(arena_hard, "github_raw", lambda repo, commit, path: f"http://127.0.0.1:9/{path}")
    with pytest.raises(BadInput, match=r"question.jsonl: ConnectError: .*pass --data PATH"):
        get_benchmark("arena_hard").load()
