"""The same AlpacaEval judge job through the harness, alpaca_eval 0.6.6 and inspect_ai, side by side (a
benchmark, not a test).

The job: N AlpacaEval pairs (default all 805: claude-2.1 against the gpt4_1106_preview baseline, both
from the shared AlpacaEval results), one judge call each, through the loopback latency server
(``bench/latency_server.py``, its own process) that answers every call after L seconds (default
0.1) with the verdict token "m" (so every parser succeeds). Everyone gets the same in-flight budget C
(default 256): the harness ``--max-connections``, alpaca_eval ``OPENAI_MAX_CONCURRENCY``, inspect
``--max-connections``. No cache anywhere (fresh cache paths each round). The whole process of each
tool is timed, alternating tools within a round, and the medians over ``--repeats`` rounds printed
with the ratios peer/harness and harness/bound, where the bound is ``ceil(N / C) * L``.

The harness does more than the peers in the same process: it audits the N outputs (docs/audit.md), in
two worker processes that run while the judge calls are in flight, then runs the effect check (its
re-judgments need the audit's findings, so they follow it: ~25 more judge calls) and writes the report.
On two cores the audit's CPU, not the judge's latency, bounds the harness's time on this job.

    PYTHONPATH=$PWD python bench/judge_peers.py --data ../shared/data [--n 805] [--repeats 5] [--against DIR]

Then the harness alone, on the same job with a response cache: a cached re-run into a new run directory
(every judgment from the cache, the audit's findings from the cache's derived results; 0 requests,
target <= 1 s) and a re-run of the complete run directory (target <= 0.5 s). And the judging machinery
itself: the same job with the audit's findings in the cache but not the judge's responses (the judge
renamed, as in a judge swap: the audit's key does not hold the judge model, a response's key does), so
that every judge call crosses the network (the server's request count proves it) while the audit, which
the cold job spends most of its CPU on, is read from the cache (target <= 2x the bound). The cache is
filled by an untimed run first. ``--against DIR`` adds a
second checkout of the harness (say ``git worktree add /tmp/base main``) as one more tool, timed in the
same rounds. Bytecode is written as the commands run (an installed package has its ``.pyc`` files).

Needs alpaca_eval (the ``dev`` extra) and ``pip install inspect-ai``; a tool that is missing is skipped
with a note.
"""

from __future__ import annotations

import argparse
import compileall
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.client_throughput import latency_server, server_requests

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
JUDGE_MODEL = "gpt-4-1106-preview"
SWAP_JUDGE = JUDGE_MODEL + "-swap"  # another judge name: the responses are not cached, the audit is


def prepare(data: Path, n: int, root: Path) -> dict[str, Path]:
    """The model and baseline outputs (first ``n``) and the rendered prompts for inspect."""
    results = data / "alpaca_eval" / "results"
    model = json.loads((results / "claude-2.1" / "model_outputs.json").read_text())[:n]
    baseline = json.loads((results / "gpt4_1106_preview" / "model_outputs.json").read_text())[:n]
    template = (data / "alpaca_eval" / "judge" / "alpaca_eval_clf.txt").read_text()
    paths = {"model": root / "model_outputs.json", "baseline": root / "baseline.json"}
    paths["model"].write_text(json.dumps(model))
    paths["baseline"].write_text(json.dumps(baseline))
    pairs = [
        {
            "id": f"q{i}",
            "prompt": template.replace("{instruction}", m["instruction"])
            .replace("{output_1}", b["output"])
            .replace("{output_2}", m["output"]),
        }
        for i, (m, b) in enumerate(zip(model, baseline, strict=True))
    ]
    paths["pairs"] = root / "pairs.json"
    paths["pairs"].write_text(json.dumps(pairs))
    return paths


def harness_cmd(url: str, paths: dict[str, Path], out: Path, c: int, data: Path, cache: Path | None = None,
                run: str = "run", judge: str = JUDGE_MODEL) -> list[str]:  # fmt: skip
    return [
        sys.executable, "-m", "harness", "judge", "--benchmark", "alpaca_eval",
        "--outputs", str(paths["model"]), "--data", str(paths["baseline"]),
        "--judge", f"openai:{judge}@{url}", "--position", "fixed", "--max-connections", str(c),
        *(["--cache", str(cache)] if cache else ["--no-cache"]), "--run-dir", str(out / run), "--subset",
        "--max-unscored", "1", "--on-flag", "keep",
        "--lc-difficulty", str(data / "alpaca_eval" / "glm" / "instruction_difficulty_recovered.csv"),
    ]  # fmt: skip


def alpaca_eval_cmd(url: str, paths: dict[str, Path], out: Path, c: int, data: Path) -> list[str]:
    return [
        str(BIN / "alpaca_eval"), "evaluate", "--model_outputs", str(paths["model"]),
        "--reference_outputs", str(paths["baseline"]),
        "--annotators_config", "weighted_alpaca_eval_gpt4_turbo", "--output_path", str(out),
        "--fn_metric", "get_winrate", "--caching_path", str(out / "cache.json"),
        "--is_cache_leaderboard", "False", "--sort_by", "win_rate",
    ]  # fmt: skip


def inspect_cmd(url: str, paths: dict[str, Path], out: Path, c: int, data: Path) -> list[str]:
    return [
        str(BIN / "inspect"), "eval", "bench/inspect_judge_task.py",
        "-T", f"pairs={paths['pairs']}", "--model", f"openai/{JUDGE_MODEL}",
        "--max-connections", str(c), "--log-dir", str(out / "logs"), "--display", "none",
        "--no-fail-on-error",
    ]  # fmt: skip


TOOLS: dict[str, Callable[[str, dict[str, Path], Path, int, Path], list[str]]] = {
    "harness": harness_cmd,
    "alpaca_eval": alpaca_eval_cmd,
    "inspect_ai": inspect_cmd,
}
TREES: dict[str, Path] = {"harness": REPO}  # where each harness tool runs from (--against adds one)


def available(tool: str) -> bool:
    if tool in TREES:
        return True
    return (BIN / {"alpaca_eval": "alpaca_eval", "inspect_ai": "inspect"}[tool]).exists()


def run_once(argv: list[str], url: str, c: int, tree: Path = REPO) -> tuple[float, int]:
    env = dict(os.environ, OPENAI_API_BASE=url, OPENAI_BASE_URL=url, OPENAI_API_KEY="bench")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["OPENAI_MAX_CONCURRENCY"] = str(c)
    env["HARNESS_OFFLINE"] = "1"  # the loopback server is the only network any tool needs
    before = server_requests(url)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=tree, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(
            f"{Path(argv[0]).name} {' '.join(argv[1:4])} ... exit {done.returncode}: {done.stderr[-1500:]}"
        )
    return wall, server_requests(url) - before


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--n", type=int, default=805)
    ap.add_argument("--in-flight", type=int, default=256)
    ap.add_argument("--latency-ms", type=float, default=100)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--against", type=Path, help="another checkout of the harness, timed as one more tool")
    args = ap.parse_args()
    tools = [t for t in args.tools.split(",") if t]
    if args.against:
        TREES["harness@against"] = args.against.resolve()
        TOOLS["harness@against"] = harness_cmd
        tools.insert(tools.index("harness") + 1 if "harness" in tools else 0, "harness@against")
    for tree in TREES.values():
        for package in ("harness", "benchmarks", "judges"):
            compileall.compile_dir(str(tree / package), quiet=1)
    for tool in [t for t in tools if not available(t)]:
        print(f"note: {tool} is not installed; skipped")
        tools.remove(tool)
    bound = math.ceil(args.n / args.in_flight) * args.latency_ms / 1000
    walls: dict[str, list[float]] = {t: [] for t in tools}
    reruns: dict[str, dict[str, list[float]]] = {
        t: {"cached": [], "complete": [], "audit_cached": []} for t in tools if t in TREES
    }
    os.environ.setdefault("HARNESS_JUDGE_TEMPLATE_DIR", str(args.data))
    with tempfile.TemporaryDirectory() as tmp, latency_server(args.latency_ms, "--reply", "m") as url:
        paths = prepare(args.data, args.n, Path(tmp))
        for r in range(args.repeats):
            for tool in tools:
                out = Path(tmp) / f"{tool}-{r}"
                out.mkdir()
                tree = TREES.get(tool, REPO)
                wall, calls = run_once(
                    TOOLS[tool](url, paths, out, args.in_flight, args.data), url, args.in_flight, tree
                )
                walls[tool].append(wall)
                print(f"round {r + 1}: {tool:12s} {wall:7.2f} s  {calls} judge calls", flush=True)
                if (
                    tool in TREES
                ):  # the same job with a cache: then from it into a new run directory, and again
                    cache = out / "cache.sqlite"
                    run_once(
                        harness_cmd(url, paths, out, args.in_flight, args.data, cache, "warm"), url, 0, tree
                    )
                    # the judging machinery: the audit from the cache, every judgment over the network
                    argv = harness_cmd(url, paths, out, args.in_flight, args.data, cache, "swap", SWAP_JUDGE)
                    took, calls = run_once(argv, url, args.in_flight, tree)
                    if calls < args.n:
                        raise SystemExit(f"{tool}: the audit-cached run sent {calls} requests, not {args.n}")
                    reruns[tool]["audit_cached"].append(took)
                    print(f"round {r + 1}: {tool:12s} audit cached, responses not {took:.2f} s "
                          f"({calls} judge calls)", flush=True)  # fmt: skip
                    for kind, run in (("cached", "cached"), ("complete", "cached")):
                        argv = harness_cmd(url, paths, out, args.in_flight, args.data, cache, run)
                        took, calls = run_once(argv, url, args.in_flight, tree)
                        if calls:
                            raise SystemExit(f"{tool}: the {kind} re-run sent {calls} requests")
                        reruns[tool][kind].append(took)
                    print(f"round {r + 1}: {tool:12s} cached re-run {reruns[tool]['cached'][-1]:.2f} s, "
                          f"complete {reruns[tool]['complete'][-1]:.2f} s (0 requests)", flush=True)  # fmt: skip
                shutil.rmtree(out, ignore_errors=True)
    print(
        f"\njob: {args.n} pairs, {args.in_flight} in flight, {args.latency_ms:.0f} ms a call; bound {bound:.2f} s"
    )
    base = statistics.median(walls["harness"]) if "harness" in walls else None
    for tool in tools:
        wall = statistics.median(walls[tool])
        ratio = f"  {tool}/harness = {wall / base:5.1f}x" if base else ""
        print(f"{tool:12s} median {wall:7.2f} s  /bound = {wall / bound:5.1f}x{ratio}")
    for tool, kinds in reruns.items():
        machinery = statistics.median(kinds["audit_cached"])
        print(f"{tool}: judge, audit cached, responses not cached {machinery:.2f} s  "
              f"/bound = {machinery / bound:4.1f}x (target <= 2x)")  # fmt: skip
    for tool, kinds in reruns.items():
        cached, complete = (statistics.median(kinds[k]) for k in ("cached", "complete"))
        print(
            f"{tool}: cached re-run into a new run directory {cached:.2f} s; complete run directory {complete:.2f} s"
        )


if __name__ == "__main__":
    main()
