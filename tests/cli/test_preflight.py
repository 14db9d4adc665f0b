"""Endpoint preflight (harness/client/_preflight.py) and the closing line of failure causes.

A dead endpoint, a server that is not OpenAI-compatible, a URL without /v1 and a rejected key each end
in one line and exit 2 within seconds, before any chat request; a run answered from the cache probes
nothing (it works while the endpoint is down); a run whose requests fail names the top causes with
counts on its closing lines.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from _cli_servers import ChatOnly, Denied, NotOpenAI, Working, http_server, url

from harness.cli import main
from harness.client import preflight

PROMPTS = '{"id": "a", "turns": ["hi"]}\n{"id": "b", "turns": ["ho"]}\n'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _generate(tmp_path: Path, spec: str, *extra: str) -> list[str]:
    prompts = tmp_path / "p.jsonl"
    prompts.write_text(PROMPTS)
    return ["generate", "--model", spec, "--prompts", str(prompts), "--run-dir", str(tmp_path / "run"),
            "--no-cache", *extra]  # fmt: skip


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_a_dead_endpoint_is_one_line_in_seconds_not_a_minute_of_retries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = f"http://127.0.0.1:{_free_port()}/v1"
    start = time.monotonic()
    assert main(_generate(tmp_path, f"openai:m@{dead}")) == 2
    elapsed = time.monotonic() - start
    assert _one_line(capsys) == f"harness: error: connection refused at {dead}"
    assert elapsed < 10, elapsed  # issue 12: was 50-65 s of silent retries
    outputs = tmp_path / "run" / "outputs.jsonl"
    assert not outputs.exists() or not outputs.read_text().strip()  # nothing generated, nothing failed


def test_a_run_answered_from_the_cache_probes_nothing(tmp_path: Path) -> None:
    """The probe comes with the first request that crosses the network: a cached re-run into a new run
    directory and a re-run of a complete one succeed with the server gone (0 requests, no probe)."""
    cache = str(tmp_path / "cache.sqlite")
    with http_server(Working) as server:
        spec = f"openai:m@{url(server)}/v1"
        first = _generate(tmp_path, spec)[:-1] + ["--cache", cache]
        assert main(first) == 0
        assert server.chats == 2  # type: ignore[attr-defined]
    # the server is gone: its port refuses connections now
    again = [*first[:-4], "--run-dir", str(tmp_path / "again"), "--cache", cache]
    assert main(again) == 0
    assert main(first) == 0  # the complete run directory
    rows = [json.loads(x) for x in (tmp_path / "again" / "outputs.jsonl").read_text().splitlines()]
    assert sorted(r["item_id"] for r in rows) == ["a", "b"] and not any(r["error"] for r in rows)


def test_a_server_that_is_not_openai_compatible_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with http_server(NotOpenAI) as server:
        assert main(_generate(tmp_path, f"openai:m@{url(server)}")) == 2
    line = _one_line(capsys)
    assert (
        f"HTTP 501: not an OpenAI-compatible server at {url(server)} (did you mean {url(server)}/v1?)" in line
    )


def test_a_url_without_v1_suggests_it_and_sends_no_chat(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with http_server(Working) as server:
        assert main(_generate(tmp_path, f"openai:m@{url(server)}")) == 2
        assert server.chats == 0  # type: ignore[attr-defined]
    line = _one_line(capsys)
    assert "not an OpenAI-compatible server" in line and f"(did you mean {url(server)}/v1?)" in line


def test_a_rejected_key_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with http_server(Denied) as server:
        assert main(_generate(tmp_path, f"openai:m@{url(server)}/v1")) == 2
    assert (
        _one_line(capsys) == f"harness: error: 401: key rejected by {url(server)}/v1 (check OPENAI_API_KEY)"
    )


def test_a_working_endpoint_passes_the_probe_with_no_chat_request() -> None:
    with http_server(Working) as server:
        preflight(f"{url(server)}/v1", "m", "EMPTY")
        assert server.chats == 0  # type: ignore[attr-defined]


def test_a_server_without_models_route_is_probed_with_one_token() -> None:
    with http_server(ChatOnly) as server:
        preflight(f"{url(server)}/v1", "m", "EMPTY")
        assert server.chats == 1  # type: ignore[attr-defined]


def test_the_closing_line_names_the_top_failure_causes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fake_server: object
) -> None:
    server = fake_server(lambda body: None)  # type: ignore[operator]  # every chat answers 503
    assert main(_generate(tmp_path, server.spec, "--max-retries", "0")) == 1
    err = capsys.readouterr().err
    assert "harness: top failure causes: 503 x2" in err, err
    rows = [json.loads(x) for x in (tmp_path / "run" / "outputs.jsonl").read_text().splitlines()]
    assert len(rows) == 2 and all(r["error"] for r in rows)


@pytest.mark.slow
def test_a_dead_judge_stops_a_real_run_before_the_model_generates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], llama_server: Any
) -> None:
    dead = f"http://127.0.0.1:{_free_port()}/v1"
    start = time.monotonic()
    code = main(["score", "--benchmark", "demo", "--model", f"openai:{llama_server.model}@{llama_server.base_url}",
                 "--judge", f"openai:j@{dead}", "--run-dir", str(tmp_path / "run"), "--no-cache"])  # fmt: skip
    elapsed = time.monotonic() - start
    assert code == 2
    assert _one_line(capsys) == f"harness: error: connection refused at {dead}"
    assert elapsed < 10, elapsed
    outputs = tmp_path / "run" / "outputs.jsonl"
    models = {json.loads(x)["model"] for x in outputs.read_text().splitlines()} if outputs.exists() else set()
    assert llama_server.model not in models  # the model under test generated nothing
