"""`harness generate` end to end against its physical bound (a benchmark, not a test).

The job: N prompts (default 1,610) with C requests in flight (default 256) to the loopback latency
server (``bench/latency_server.py``, its own process) answering each after L seconds (default 0.5).
The physical bound is ``ceil(N / C) * L`` (7 waves x 0.5 s = 3.5 s for the default job): no client can
finish sooner. The whole process is timed (start-up, reading prompts, run directory, records, fsync,
progress, report), alternating with ``--repeats`` rounds, and the median is compared to the bound.
A cached re-run into a new run directory (0 requests) and a re-run of the complete run directory are
timed too (targets: <= 1 s and <= 0.5 s).

``--against DIR`` times a second checkout of the harness (say ``git worktree add /tmp/base main``) on
the same job in the same rounds, alternating with this one, and prints both: on a shared machine only
numbers taken side by side compare. Bytecode is compiled first in each tree and written as the commands
run (an installed package has its ``.pyc`` files; ``PYTHONDONTWRITEBYTECODE`` would time the compiler).

    PYTHONPATH=$PWD python bench/generate_e2e.py [--n 1610] [--in-flight 256] [--latency-ms 500] [--repeats 5]
        [--against DIR]
"""

from __future__ import annotations

import argparse
import compileall
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.client_throughput import latency_server, server_requests

REPO = Path(__file__).resolve().parents[1]


def write_prompts(path: Path, n: int) -> Path:
    with path.open("w") as fh:
        for i in range(n):
            fh.write(json.dumps({"id": f"p{i}", "turns": [f"prompt number {i}: say something"]}) + "\n")
    return path


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(argv: list[str], tree: Path = REPO) -> tuple[float, float]:
    """(wall seconds, child CPU seconds) of one whole ``harness`` process (the harness of ``tree``)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "harness", *argv], cwd=tree, env=ENV, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"harness {' '.join(argv)} failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def job(
    tree: Path, root: Path, label: str, r: int, url: str, prompts: Path, in_flight: int
) -> dict[str, float]:
    """One round for one tree: a fresh run, a cached re-run into a new run directory, the complete one."""
    run_dir, cache = root / f"{label}-run{r}", root / f"{label}-cache{r}.sqlite"
    common = ["generate", "--model", f"openai:bench@{url}", "--prompts", str(prompts)]
    common += ["--max-connections", str(in_flight), "--cache", str(cache)]
    wall, cpu = timed([*common, "--run-dir", str(run_dir)], tree)
    seen = server_requests(url)
    cached = timed([*common, "--run-dir", str(root / f"{label}-rerun{r}")], tree)[0]
    complete = timed([*common, "--run-dir", str(run_dir)], tree)[0]
    if server_requests(url) != seen:
        raise SystemExit(f"{label}: the cached re-runs reached the server")
    return {"wall": wall, "cpu": cpu, "cached": cached, "complete": complete}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1610)
    ap.add_argument("--in-flight", type=int, default=256)
    ap.add_argument("--latency-ms", type=float, default=500)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--against", type=Path, help="another checkout of the harness, timed alternately")
    args = ap.parse_args()
    bound = math.ceil(args.n / args.in_flight) * args.latency_ms / 1000
    trees = {"this": REPO, **({"against": args.against.resolve()} if args.against else {})}
    for tree in trees.values():
        for package in ("harness", "benchmarks", "judges"):
            compileall.compile_dir(str(tree / package), quiet=1)
    rows: dict[str, list[dict[str, float]]] = {label: [] for label in trees}
    with tempfile.TemporaryDirectory() as tmp, latency_server(args.latency_ms) as url:
        root = Path(tmp)
        prompts = write_prompts(root / "prompts.jsonl", args.n)
        for r in range(args.repeats):
            for label, tree in trees.items():
                rows[label].append(job(tree, root, label, r, url, prompts, args.in_flight))
    print(
        f"job: {args.n} prompts, {args.in_flight} in flight, {args.latency_ms:.0f} ms each; bound {bound:.2f} s"
    )
    for label, tree in trees.items():
        med = {k: statistics.median(row[k] for row in rows[label]) for k in rows[label][0]}
        print(f"[{label}: {tree}]")
        print(
            f"harness generate (median of {args.repeats}): {med['wall']:.2f} s  bound/harness = {bound / med['wall']:.2f}"
        )
        print(f"  whole-process CPU per call: {1000 * med['cpu'] / args.n:.2f} ms")
        print(f"cached re-run into a new run directory: {med['cached']:.2f} s (0 requests)")
        print(f"re-run of a complete run directory:     {med['complete']:.2f} s")


if __name__ == "__main__":
    main()
