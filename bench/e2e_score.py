"""End-to-end ``harness score`` benchmarks (not a test): where the pipeline's own time goes.

1. AlpacaEval size against the loopback latency server (``bench/latency_server.py``, its own process):
   805 items generated, then judged in both orders (1,610 judge calls), no cache. The ideal bound with
   ``C`` requests in flight and latency ``L`` is ``ceil(805 / C) * L`` for generation plus
   ``ceil(805 / C) * 2L`` for judging (the two orders of one item are asked one after the other, as the
   position strategy needs both verdicts of a pair); wall time above it is the harness's overhead
   (records, fsync per record, statistics, report).
2. ``harness score --benchmark demo --limit 20 --model local --judge local``: wall time, and the judge
   stage's tokens/s (timed with ``harness judge`` on the stored outputs, minus the server start) against
   the raw llama.cpp throughput measured on the same server with prompts of the judge's size.

Usage: ``PYTHONPATH=. python bench/e2e_score.py [--latency-ms 200] [--skip-local]``. Needs
``HARNESS_JUDGE_TEMPLATE_DIR`` (e.g. ../shared/data) or a cached judge template, and for part 1 the
AlpacaEval baseline outputs (``--alpaca-data``, default ../shared/data/alpaca_eval/results/gpt4_1106_preview).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"


def harness(*args: str, env: dict[str, str]) -> tuple[float, dict[str, object]]:
    """Run ``harness ARGS --format json``; (wall seconds, report)."""
    start = time.perf_counter()
    # the echo judge answers no protocol: judge everything anyway (timing, not scores, is measured)
    gate = ["--max-unscored", "1"] if args[0] in ("score", "judge") else []
    proc = subprocess.run(
        [sys.executable, "-m", "harness", *args, *gate, "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
    )
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"harness {' '.join(args)} exited {proc.returncode}: {proc.stderr[-2000:]}")
    return wall, json.loads(proc.stdout)


def latency_run(latency_ms: float, connections: int, data: Path, env: dict[str, str]) -> dict[str, object]:
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.latency_server", "--latency-ms", str(latency_ms)],
        stdout=subprocess.PIPE, text=True, cwd=REPO, env=env,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline().split()[1])
        spec = f"openai:echo@http://127.0.0.1:{port}/v1"
        with tempfile.TemporaryDirectory() as tmp:
            wall, report = harness(
                "score", "--benchmark", "alpaca_eval", "--data", str(data), "--model", spec, "--judge", spec,
                "--position", "both", "--no-cache", "--max-connections", str(connections),
                "--run-dir", str(Path(tmp) / "run"), env=env,
            )  # fmt: skip
            stats = httpx.get(f"http://127.0.0.1:{port}/v1/stats").json()
    finally:
        server.terminate()
        server.wait()
    n = 805
    latency = latency_ms / 1000
    ideal = math.ceil(n / connections) * latency * 3
    coverage = report["coverage"]
    return {
        "items": n,
        "server_requests": stats["requests"],
        "judgments": coverage["judgments"],  # type: ignore[index]
        "latency_ms": latency_ms,
        "max_connections": connections,
        "wall_s": round(wall, 2),
        "ideal_s": round(ideal, 2),
        "overhead_s": round(wall - ideal, 2),
    }


def raw_throughput(base_url: str, model: str, prompt_words: int) -> dict[str, float]:
    """Prefill tokens/s (a judge-sized prompt, 1 new token) and decode tokens/s (128 new tokens)."""
    text = " ".join(["The quick brown fox jumps over the lazy dog."] * max(1, prompt_words // 9))
    out: dict[str, float] = {}
    with httpx.Client(timeout=600) as client:
        for label, max_tokens in (("prefill", 1), ("decode", 128)):
            best = 0.0
            for attempt in range(3):
                body = {"model": model, "messages": [{"role": "user", "content": f"{attempt} {text}"}],
                        "max_tokens": max_tokens, "temperature": 0}  # fmt: skip
                if label == "decode":
                    body["messages"] = [
                        {"role": "user", "content": f"{attempt}: write a long story about a fox."}
                    ]
                    body["ignore_eos"] = True
                t0 = time.perf_counter()
                usage = client.post(f"{base_url}/chat/completions", json=body).json()["usage"]
                dt = time.perf_counter() - t0
                tokens = (
                    usage["prompt_tokens"] + usage["completion_tokens"]
                    if label == "prefill"
                    else usage["completion_tokens"]
                )
                best = max(best, tokens / dt)
            out[f"{label}_tokens_per_s"] = round(best, 1)
    return out


def local_run(limit: int, env: dict[str, str]) -> dict[str, object]:
    from harness.serve import llama_server

    with tempfile.TemporaryDirectory() as tmp:
        run_dir, cache = Path(tmp) / "run", Path(tmp) / "cache.db"
        wall, report = harness(
            "score", "--benchmark", "demo", "--model", "local", "--judge", "local", "--limit", str(limit),
            "--run-dir", str(run_dir), "--cache", str(cache), env=env,
        )  # fmt: skip
        t0 = time.perf_counter()
        server = llama_server().start(timeout=120)
        startup = time.perf_counter() - t0
        try:
            judge_costs = {c["role"]: c for c in report["costs"]}["judge"]  # type: ignore[index]
            prompt_words = int(judge_costs["prompt_tokens"] / max(1, judge_costs["records"]) * 0.75)
            raw = raw_throughput(server.base_url, server.model, prompt_words)
        finally:
            server.stop()
        judge_wall, _ = harness(
            "judge", "--outputs", str(run_dir), "--judge", "local", "--no-cache",
            "--run-dir", str(Path(tmp) / "rejudge"), env=env,
        )  # fmt: skip
    judge_s = max(judge_wall - startup, 1e-9)
    tokens = judge_costs["prompt_tokens"] + judge_costs["completion_tokens"]
    head = report["scores"][0]  # type: ignore[index]
    return {
        "limit": limit,
        "score_wall_s": round(wall, 1),
        "headline": {
            k: head[k] for k in ("metric", "value", "ci_lower", "ci_upper", "n_scored", "n_unscored")
        },
        "judge_calls": judge_costs["records"],
        "judge_tokens": tokens,
        "judge_stage_s": round(judge_s, 1),
        "server_start_s": round(startup, 1),
        "judge_tokens_per_s": round(tokens / judge_s, 1),
        "raw": raw,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--max-connections", type=int, default=64)
    parser.add_argument(
        "--alpaca-data", type=Path, default=SHARED / "alpaca_eval" / "results" / "gpt4_1106_preview"
    )
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--skip-local", action="store_true")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.setdefault("HARNESS_JUDGE_TEMPLATE_DIR", str(SHARED))
    results: dict[str, object] = {
        "latency": latency_run(args.latency_ms, args.max_connections, args.alpaca_data, env)
    }
    print(json.dumps(results["latency"]), flush=True)
    if not args.skip_local:
        results["local"] = local_run(args.limit, env)
        print(json.dumps(results["local"]), flush=True)


if __name__ == "__main__":
    main()
