"""The response cache: what enters the key, what is stored, and `harness cache stats|clear`."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from harness.cache import Cache, cache_key
from harness.cli import main
from harness.client import ChatRequest, SamplingParams
from harness.endpoints import Endpoint

ENDPOINT = Endpoint("http://127.0.0.1:8000/v1", "m")
BASE = ChatRequest.of([{"role": "user", "content": "hi"}], SamplingParams(temperature=0.0, max_tokens=8))


def response(text: str, finish: str = "stop", model: str = "m") -> dict[str, object]:
    return {
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1},
    }


@pytest.mark.parametrize(
    "changed",
    [
        {"temperature": 0.7},
        {"top_p": 0.9},
        {"max_tokens": 9},
        {"stop": ("\n",)},
        {"seed": 1},
        {"logprobs": True},
        {"top_logprobs": 5},
        {"n": 2},
    ],
)
def test_every_sampling_parameter_changes_the_key(changed: dict[str, object]) -> None:
    params = SamplingParams(**{**BASE.params.__dict__, **changed})  # type: ignore[arg-type]
    assert cache_key(ENDPOINT, ChatRequest(BASE.messages, params)) != cache_key(ENDPOINT, BASE)


def test_base_url_model_and_messages_change_the_key_but_the_api_key_does_not() -> None:
    key = cache_key(ENDPOINT, BASE)
    assert cache_key(Endpoint("http://127.0.0.1:8001/v1", "m"), BASE) != key
    assert cache_key(Endpoint(ENDPOINT.base_url, "other"), BASE) != key
    assert cache_key(ENDPOINT, ChatRequest.of([{"role": "system", "content": "hi"}], BASE.params)) != key
    assert cache_key(Endpoint(ENDPOINT.base_url + "/", "m", api_key="sk-1"), BASE) == key


def test_equal_values_give_equal_keys() -> None:
    as_int = ChatRequest(BASE.messages, SamplingParams(temperature=0, max_tokens=8))
    assert cache_key(ENDPOINT, as_int) == cache_key(ENDPOINT, BASE)
    assert len(cache_key(ENDPOINT, BASE)) == 64


def test_put_get_first_answer_wins_and_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "cache.sqlite"
    cache = Cache(path)
    assert cache.get("k") is None
    assert cache.put("k", response("first")) is True
    assert cache.put("k", response("second")) is False  # resume returns the first sample
    cache.close()
    reopened = Cache(path)
    assert reopened.get("k") == response("first")
    assert reopened._conn().execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_answers_of_one_loop_iteration_are_written_together_at_the_next(tmp_path: Path) -> None:
    """put_soon: a burst of answers is one transaction, on disk (readable by another process's
    connection) once the loop turns; the first answer still wins and content filters are skipped."""
    path = tmp_path / "c.sqlite"
    cache, other = Cache(path), Cache(path)
    filtered = {"choices": [{"finish_reason": "content_filter"}]}

    async def burst() -> list[object]:
        for i in range(50):
            cache.put_soon(f"k{i}", {"model": "m", "choices": [{"message": {"content": str(i)}}]})
        cache.put_soon("k0", {"model": "m", "choices": [{"message": {"content": "late"}}]})
        cache.put_soon("f", filtered)
        before = other.get("k49")
        await asyncio.sleep(0)
        return [before, other.get("k49"), other.get("k0"), other.get("f")]

    before, after, first, skipped = asyncio.run(burst())
    assert before is None and after is not None and skipped is None
    assert first == {"model": "m", "choices": [{"message": {"content": "0"}}]}
    assert len(other) == 50


def test_content_filter_answers_are_not_stored(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.sqlite")
    assert cache.put("k", response("", finish="content_filter")) is False
    assert cache.get("k") is None and len(cache) == 0


def test_default_path_follows_harness_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARNESS_CACHE", str(tmp_path / "x.sqlite"))
    assert Cache.default().path == tmp_path / "x.sqlite"
    monkeypatch.delenv("HARNESS_CACHE")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Cache.default().path == tmp_path / ".cache" / "harness" / "cache.sqlite"


def test_cli_stats_and_clear(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.sqlite"
    cache = Cache(path)
    for i in range(3):
        cache.put(f"a{i}", response("x", model="alpha"))
    cache.put("b", response("y", model="beta"))
    cache.close()

    assert main(["cache", "stats", "--cache", str(path), "--format", "json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert (stats["entries"], stats["by_model"]) == (4, {"alpha": 3, "beta": 1})
    assert stats["size_bytes"] > 0

    assert main(["cache", "clear", "--cache", str(path)]) == 0
    assert "cleared 4 entries" in capsys.readouterr().out
    assert main(["cache", "stats", "--cache", str(path)]) == 0
    assert "entries: 0" in capsys.readouterr().out
    assert Cache(path).integrity_check() == "ok"


def test_managed_servers_are_keyed_by_spec_not_port() -> None:
    """A local/vLLM server started per command gets a new port each time; the cache must still hit."""
    a = Endpoint("http://127.0.0.1:40001/v1", "smollm2-135m-instruct", spec="local")
    b = Endpoint("http://127.0.0.1:40777/v1", "smollm2-135m-instruct", spec="local")
    assert cache_key(a, BASE) == cache_key(b, BASE)
    v1 = Endpoint("http://127.0.0.1:40001/v1", "m", spec="vllm:/models/m")
    assert cache_key(v1, BASE) != cache_key(Endpoint(v1.base_url, "m", spec="vllm:/models/other"), BASE)
    # Attached endpoints stay keyed by URL: two different remote servers are two different models.
    remote = Endpoint("http://10.0.0.1:8000/v1", "m", spec="openai:m@http://10.0.0.1:8000/v1")
    assert cache_key(remote, BASE) != cache_key(Endpoint("http://10.0.0.2:8000/v1", "m"), BASE)
