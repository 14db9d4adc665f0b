"""``harness score --model A --model B``: a sweep of checkpoints with one judge, against the real llama.cpp
server, with the plain client and with ``--backend ray`` on a local Ray instance.

The two "checkpoints" are the llama.cpp server itself and the same server behind a pass-through proxy: two
endpoints (two cache identities) whose requests can be counted apart in the proxy's log, and whose answers
at temperature 0 must equal those of a plain single-model ``harness score``. Each sweep writes one ordinary
run directory per checkpoint and the leaderboard of the sweep; a re-run of the same command makes no
request and rewrites the same leaderboard bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _shared import shared_path
from test_ray_backend import LIMIT, WILDBENCH, records

from harness.cli import main
from harness.serve import ManagedServer

pytestmark = pytest.mark.slow
COMMON = (
    "--limit",
    str(LIMIT),
    "--max-tokens",
    "16",
    "--judge-max-tokens",
    "8",
    "--format",
    "json",
    "--max-unscored",  # SmolLM2 leaves most judgments unscored; the exit code still checks the headlines
    "1",
    *WILDBENCH,
)


def gate_code(*run_dirs: Path) -> int:
    """The exit code the runs' headline checks call for (harness.pipeline.guard)."""
    gates = [json.loads((d / "report.json").read_text())["gate"]["passed"] for d in run_dirs]
    return 0 if all(gates) else 1


def chat_posts(proxy: Any) -> int:
    return sum(1 for e in proxy.log if e.method == "POST" and e.path.endswith("/chat/completions"))


def sweep(tmp: Path, name: str, cache: Path, server: ManagedServer, proxy_url: str, *args: str) -> None:
    direct = f"openai:{server.model}@{server.base_url}"
    argv = ["score", "--model", direct, "--model", f"openai:{server.model}@{proxy_url}", "--name", "ckpt-a",
            "--name", "ckpt-b", "--judge", direct, "--run-dir", str(tmp / name), "--cache", str(cache),
            *COMMON, *args]  # fmt: skip
    assert main(argv) == gate_code(tmp / name / "ckpt-a", tmp / name / "ckpt-b")


def sessions(sweep_dir: Path) -> dict[str, dict[str, int]]:
    """Requests that reached a server per run and role, from each run's report."""
    out = {}
    for run in ("ckpt-a", "ckpt-b"):
        session = json.loads((sweep_dir / run / "report.json").read_text())["session"]
        out[run] = {role: c["requests"] for role, c in session["requests"].items()}
    return out


def renamed(run_dir: Path, name: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A run's records with the model's name replaced (to compare checkpoints that are one model)."""
    outputs, judgments = records(run_dir)
    for o in outputs:
        o["model"] = name if o["model"] in ("ckpt-a", "ckpt-b", "single") else o["model"]
        o.pop("generation_config_hash")  # hashes the endpoint and name too
    for j in judgments:
        j["model"] = name if j["model"] in ("ckpt-a", "ckpt-b", "single") else j["model"]
    return sorted(outputs, key=str), sorted(judgments, key=str)


@pytest.fixture(scope="module", autouse=True)
def template_mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HARNESS_JUDGE_TEMPLATE_DIR", str(shared_path()))
        mp.setenv("HARNESS_TEMPLATE_CACHE", str(tmp_path_factory.mktemp("template-cache")))
        yield


@pytest.fixture(scope="module")
def plain_sweep(
    tmp_path_factory: pytest.TempPathFactory,
    llama_server: ManagedServer,
    fault_proxy_module: Callable[..., Any],
) -> tuple[Path, Any]:
    tmp = tmp_path_factory.mktemp("sweep")
    proxy = fault_proxy_module(llama_server.base_url)
    sweep(tmp, "plain", tmp / "plain.db", llama_server, proxy.base_url)
    return tmp, proxy


@pytest.fixture(scope="module")
def fault_proxy_module() -> Iterator[Callable[..., Any]]:
    from _proxy import FaultProxy

    started: list[Any] = []

    def make(upstream: str) -> Any:
        proxy = FaultProxy(upstream).start()
        started.append(proxy)
        return proxy

    yield make
    for proxy in started:
        proxy.stop()


def test_a_plain_sweep_writes_one_run_per_checkpoint_and_their_leaderboard(
    plain_sweep: tuple[Path, Any], llama_server: ManagedServer
) -> None:
    tmp, proxy = plain_sweep
    sweep_dir = tmp / "plain"
    # only checkpoint B's generation went through the proxy; the judge is the direct endpoint
    assert chat_posts(proxy) == LIMIT
    assert sessions(sweep_dir)["ckpt-b"]["model"] == LIMIT
    # each run equals a single-model `harness score` of the same model
    single = tmp / "single"
    argv = ["score", "--model", f"openai:{llama_server.model}@{llama_server.base_url}", "--name", "single",
            "--judge", f"openai:{llama_server.model}@{llama_server.base_url}", "--run-dir", str(single),
            "--cache", str(tmp / "single.db"), *COMMON]  # fmt: skip
    assert main(argv) == gate_code(single)
    assert renamed(sweep_dir / "ckpt-a", "m") == renamed(single, "m") == renamed(sweep_dir / "ckpt-b", "m")
    board = (sweep_dir / "results" / "wildbench" / "leaderboard.csv").read_text()
    assert "ckpt-a" in board and "ckpt-b" in board
    # the same command again: every answer is in the run directories, nothing is asked, same table bytes
    before = board, chat_posts(proxy)
    sweep(tmp, "plain", tmp / "plain.db", llama_server, proxy.base_url)
    assert (sweep_dir / "results" / "wildbench" / "leaderboard.csv").read_text() == before[0]
    assert chat_posts(proxy) == before[1]
    assert sessions(sweep_dir) == {"ckpt-a": {"model": 0, "judge": 0}, "ckpt-b": {"model": 0, "judge": 0}}


@pytest.mark.parametrize("processor", ["http", "client"])
def test_a_ray_sweep_writes_the_plain_sweeps_records(
    plain_sweep: tuple[Path, Any], llama_server: ManagedServer, ray_local: Any, processor: str
) -> None:
    tmp, proxy = plain_sweep
    posts = chat_posts(proxy)
    name, args = f"ray-{processor}", ("--backend", "ray", "--ray-processor", processor)
    sweep(tmp, name, tmp / f"{name}.db", llama_server, proxy.base_url, *args)
    for run in ("ckpt-a", "ckpt-b"):
        assert records(tmp / name / run) == records(tmp / "plain" / run)
    assert chat_posts(proxy) - posts == LIMIT  # B's generation, once, through its own endpoint
    counts = sessions(tmp / name)
    assert counts["ckpt-a"]["model"] == counts["ckpt-b"]["model"] == LIMIT
    # the checkpoints answered alike, so their judge requests are the same: sent once, answered to both
    assert counts["ckpt-a"]["judge"] == LIMIT and counts["ckpt-b"]["judge"] == 0
    board = "results/wildbench/leaderboard.csv"
    assert (tmp / name / board).read_text() == (tmp / "plain" / board).read_text()
