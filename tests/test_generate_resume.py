"""``harness generate`` end to end against the real llama.cpp server behind the fault-injecting proxy.

One scenario, run once for the module (it takes ~30 s on 2 cores): generate a prompt file through a
proxy that fails 25% of requests, ``kill -9`` the command midway, run the same command again. Then:

- it completes, and the proxy saw no repeat of any request that had completed cleanly (finished items
  are skipped; finished turns of in-flight items are cache hits);
- an uninterrupted run of the same command over the resumed run's cache sends no request and writes the
  same outputs: every request an uninterrupted run makes was made by the resumed one, with the answer it
  stored. (Not a comparison with a fresh-cache run: llama.cpp re-uses the previous prompt's KV prefix, so
  the order requests arrive in changes the floating-point path and, now and then, a greedy answer.)
- later turns were sent with the model's own earlier answers (checked on a run straight to the server);
- the API key's value appears in no file under the run directory or the cache.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.cache import Cache, cache_key
from harness.client import ChatRequest, SamplingParams
from harness.endpoints import Endpoint
from harness.serve import ManagedServer
from tests._proxy import FaultProxy, ProxyLogEntry
from tests._servers import REPO, harness_cmd

pytestmark = pytest.mark.slow

SECRET = "sk-test-9f3c1d7e5b2a-DO-NOT-PERSIST"
N_ITEMS = 10
MAX_TOKENS = 24
MAX_CONNECTIONS = 4
DELIVERY_S = 0.2
KINDS = ("rate_limit", "server_error", "unavailable", "reset", "truncated", "invalid_json")


@dataclass
class Scenario:
    run_dir: Path
    cache: Path
    reference_dir: Path
    proxy: FaultProxy
    log: list[ProxyLogEntry]  # the proxy's log up to the end of the resumed run
    replay: subprocess.CompletedProcess[str]
    replay_requests: int
    lines_at_kill: int
    killed_at: float
    first_rc: int
    second: subprocess.CompletedProcess[str]


def write_prompts(path: Path) -> None:
    rows = []
    for i in range(N_ITEMS):
        turns = [f"Name {i + 2} animals that live in the sea."]
        if i % 2 == 0:
            turns.append("Now pick the largest one and say why in one sentence.")
        rows.append({"id": f"q{i:02d}", "turns": turns})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def generate_cmd(model: str, prompts: Path, run_dir: Path, cache: Path) -> list[str]:
    return harness_cmd(
        "generate", "--model", model, "--prompts", str(prompts), "--run-dir", str(run_dir),
        "--cache", str(cache), "--max-tokens", str(MAX_TOKENS), "--max-connections", str(MAX_CONNECTIONS),
    )  # fmt: skip


def count_lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


@pytest.fixture(scope="module")
def scenario(llama_server: ManagedServer, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    tmp = tmp_path_factory.mktemp("resume")
    prompts = tmp / "prompts.jsonl"
    write_prompts(prompts)
    env = {**os.environ, "PYTHONPATH": str(REPO), "OPENAI_API_KEY": SECRET, "HARNESS_HOME": str(tmp / "home")}
    with FaultProxy(llama_server.base_url, fault_rate=0.25, seed=11, kinds=KINDS, retry_after="0") as proxy:
        model = f"openai:{llama_server.model}@{proxy.base_url}"
        cmd = generate_cmd(model, prompts, tmp / "run", tmp / "cache.sqlite")
        first = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        outputs = tmp / "run" / "outputs.jsonl"
        deadline = time.monotonic() + 240
        while count_lines(outputs) < 3 and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        killed_at = time.time()
        os.kill(first.pid, signal.SIGKILL)
        first_rc = first.wait()
        lines_at_kill = count_lines(outputs)
        second = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        log = list(proxy.log)
        for name in ("cache.sqlite", "cache.sqlite-wal"):  # the replay must not add to the run's own cache
            if (tmp / name).exists():
                shutil.copy(tmp / name, tmp / name.replace("cache", "replay"))
        replay_cmd = generate_cmd(model, prompts, tmp / "replay", tmp / "replay.sqlite")
        replay = subprocess.run(replay_cmd, env=env, capture_output=True, text=True, timeout=600)
        replay_requests = sum(e.method == "POST" for e in proxy.log[len(log) :])
    ref_env = {**env, "OPENAI_API_KEY": "unused"}
    reference = subprocess.run(
        generate_cmd(f"openai:{llama_server.model}@{llama_server.base_url}", prompts, tmp / "ref", tmp / "ref.sqlite"),
        env=ref_env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert reference.returncode == 0, reference.stderr
    return Scenario(
        tmp / "run", tmp / "cache.sqlite", tmp / "ref", proxy, log, replay, replay_requests,
        lines_at_kill, killed_at, first_rc, second,
    )  # fmt: skip


def outputs_of(run_dir: Path) -> dict[str, list[str]]:
    rows = [json.loads(line) for line in (run_dir / "outputs.jsonl").read_text().splitlines() if line.strip()]
    final = {}
    for row in rows:
        if row["error"] is None:
            final.setdefault(row["item_id"], row["turns"])
    return final


def test_killed_midway_then_the_same_command_completes(scenario: Scenario) -> None:
    assert scenario.first_rc == -signal.SIGKILL  # it really was killed, not finished
    assert 3 <= scenario.lines_at_kill < N_ITEMS
    assert scenario.second.returncode == 0, scenario.second.stderr
    assert f"of {N_ITEMS}" in scenario.second.stderr and "already done" in scenario.second.stderr
    # the progress bar (stderr): done/total, requests/s, retries, cache hits
    assert re.search(
        rf"{N_ITEMS}/{N_ITEMS} [0-9.]+ req/s · retries \d+ · cache hits \d+", scenario.second.stderr
    )
    assert len(outputs_of(scenario.run_dir)) == N_ITEMS
    run = json.loads((scenario.run_dir / "run.json").read_text())
    assert [s["status"] for s in run["sessions"]] == ["running", "finished"]  # the killed one never ended


def test_no_request_that_completed_was_sent_again(scenario: Scenario) -> None:
    """The proxy logs a clean 200 when the upstream answers, just *before* writing it to the client; a
    request still in flight at the kill is logged after it, though the client never got it, and may
    rightly be sent again. So "completed" is: logged clean at least DELIVERY_S before the kill."""
    clean = [e for e in scenario.log if e.method == "POST" and e.status == 200 and e.fault is None]
    completed = {e.sha256 for e in clean if e.at < scenario.killed_at - DELIVERY_S}
    assert len(completed) >= 3  # at least the three stored items' turns
    sent = Counter(e.sha256 for e in clean)
    assert all(sent[sha] == 1 for sha in completed), "a request that had completed was sent again"
    assert scenario.proxy.faults(), "the proxy injected no fault: the retry path was not exercised"
    n_turns = sum(2 if i % 2 == 0 else 1 for i in range(N_ITEMS))
    assert len(sent) == n_turns
    # a repeat at all is only possible for the (at most --max-connections) requests in flight at the kill
    assert max(sent.values()) <= 2 and sum(n - 1 for n in sent.values()) <= MAX_CONNECTIONS


def test_resumed_outputs_equal_an_uninterrupted_run(scenario: Scenario) -> None:
    """Replayed over the resumed run's cache, an uninterrupted run needs no request: each turn it would
    send (built from the stored earlier turns) was sent, and its answer stored, by the resumed run."""
    assert scenario.replay.returncode == 0, scenario.replay.stderr
    assert scenario.replay_requests == 0
    replayed = outputs_of(scenario.run_dir.parent / "replay")
    assert len(replayed) == N_ITEMS and outputs_of(scenario.run_dir) == replayed


def test_later_turns_see_the_models_earlier_answers(scenario: Scenario) -> None:
    """Turn 2 was sent as [user 1, assistant = the stored turn-1 answer, user 2]: its cache key is there."""
    run = json.loads((scenario.reference_dir / "run.json").read_text())
    ident = run["sessions"][-1]["endpoints"]["model"]
    endpoint = Endpoint(ident["base_url"], ident["model"], spec=ident["spec"])
    params = SamplingParams(**run["config"]["sampling"])
    cache = Cache(scenario.reference_dir.parent / "ref.sqlite")
    first_turn = "Name 2 animals that live in the sea."
    answer = outputs_of(scenario.reference_dir)["q00"][0]
    messages = [
        {"role": "user", "content": first_turn},
        {"role": "assistant", "content": answer},
        {"role": "user", "content": "Now pick the largest one and say why in one sentence."},
    ]
    assert cache.get(cache_key(endpoint, ChatRequest.of(messages, params))) is not None
    cache.close()


def test_the_api_key_is_written_nowhere(scenario: Scenario) -> None:
    files = [p for p in scenario.run_dir.rglob("*") if p.is_file()]
    files += [p for p in scenario.cache.parent.glob(scenario.cache.name + "*") if p.is_file()]
    assert any(p.name == "cache.sqlite" for p in files) and any(p.name == "run.json" for p in files)
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path
    assert SECRET not in scenario.second.stderr
