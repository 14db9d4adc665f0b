"""A sweep of N checkpoints (``harness score --model A --model B ...``) against N separate ``harness score``
commands, on the loopback latency server (``bench/latency_server.py``, its own process): what sharing one
judge and, with ``--backend ray``, one Ray Data execution per stage and round saves.

Each "checkpoint" is the latency server under its own model name (``openai:ckpt-i@URL``), so every
checkpoint's requests are distinct; AlpacaEval items (``--limit``), judged in both orders, no cache.
The physical bound for the requests alone is ``ceil(n / C) * L`` per generation round plus
``ceil(n / C) * 2L`` for judging, where a sweep's round holds all checkpoints' requests and separate
commands each pay their own rounds; what is left is start-up (Ray, actors) and the harness's own work.

Usage: ``PYTHONPATH=. python bench/sweep.py [--checkpoints 4] [--limit 50] [--backend ray|client]``.
Needs ``HARNESS_JUDGE_TEMPLATE_DIR`` (default ../shared/data) and the AlpacaEval baseline outputs.
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

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"


def harness(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    gate = ["--max-unscored", "1"] if args[0] == "score" else []  # time every judgment, whatever it says
    proc = subprocess.run(
        [sys.executable, "-m", "harness", *args, *gate], capture_output=True, text=True, env=env
    )
    if proc.returncode not in (0, 1):
        raise SystemExit(f"harness {' '.join(args)} exited {proc.returncode}: {proc.stderr[-2000:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoints", type=int, default=4)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--max-connections", type=int, default=64)
    parser.add_argument("--backend", choices=("ray", "client"), default="ray")
    parser.add_argument(
        "--alpaca-data", type=Path, default=SHARED / "alpaca_eval" / "results" / "gpt4_1106_preview"
    )
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.setdefault("HARNESS_JUDGE_TEMPLATE_DIR", str(SHARED))
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.latency_server", "--latency-ms", str(args.latency_ms)],
        stdout=subprocess.PIPE, text=True, cwd=REPO, env=env,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{int(server.stdout.readline().split()[1])}/v1"
        specs = [f"openai:ckpt-{i}@{url}" for i in range(args.checkpoints)]
        common = ["score", "--benchmark", "alpaca_eval", "--data", str(args.alpaca_data), "--subset",
                  "--limit", str(args.limit), "--judge", f"openai:judge@{url}", "--position", "both",
                  "--no-cache", "--max-connections", str(args.max_connections), "--backend", args.backend,
                  "--format", "json"]  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp:
            separate = sum(
                harness([*common, "--model", spec, "--run-dir", f"{tmp}/one-{i}"], env)
                for i, spec in enumerate(specs)
            )
            models = [a for spec in specs for a in ("--model", spec)]
            swept = harness([*common, *models, "--run-dir", f"{tmp}/sweep"], env)
            boards = Path(tmp, "sweep", "results", "alpaca_eval", "leaderboard.csv").read_text().splitlines()
    finally:
        server.terminate()
        server.wait()
    rounds = math.ceil(args.limit * args.checkpoints / args.max_connections)
    bound = rounds * args.latency_ms / 1000 * 3
    print(json.dumps({
        "backend": args.backend, "checkpoints": args.checkpoints, "items": args.limit,
        "separate_commands_s": round(separate, 2), "sweep_s": round(swept, 2),
        "speedup": round(separate / swept, 2), "sweep_request_bound_s": round(bound, 2),
        "leaderboard_rows": len(boards) - 1,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
