"""`harness generate` end to end against its physical bound (a benchmark, not a test).

The job: N prompts (default 1,610) with C requests in flight (default 256) to the loopback latency
server (``bench/latency_server.py``, its own process) answering each after L seconds (default 0.5).
The physical bound is ``ceil(N / C) * L`` (7 waves x 0.5 s = 3.5 s for the default job): no client can
finish sooner. The whole process is timed (start-up, reading prompts, run directory, records, fsync,
progress, report), alternating with ``--repeats`` rounds, and the median is compared to the bound.
A cached re-run into a new run directory (0 requests) and a re-run of the complete run directory are
timed too (targets: <= 1 s and <= 0.5 s).

    PYTHONPATH=$PWD python bench/generate_e2e.py [--n 1610] [--in-flight 256] [--latency-ms 500] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import math
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


def timed(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, child CPU seconds) of one whole ``harness`` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "harness", *argv], cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"harness {' '.join(argv)} failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1610)
    ap.add_argument("--in-flight", type=int, default=256)
    ap.add_argument("--latency-ms", type=float, default=500)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    bound = math.ceil(args.n / args.in_flight) * args.latency_ms / 1000
    with tempfile.TemporaryDirectory() as tmp, latency_server(args.latency_ms) as url:
        root = Path(tmp)
        prompts = write_prompts(root / "prompts.jsonl", args.n)
        walls, cpus, cached, complete = [], [], [], []
        for r in range(args.repeats):
            run_dir, cache = root / f"run{r}", root / f"cache{r}.sqlite"
            common = ["generate", "--model", f"openai:bench@{url}", "--prompts", str(prompts)]
            common += ["--max-connections", str(args.in_flight), "--cache", str(cache)]
            wall, cpu = timed([*common, "--run-dir", str(run_dir)])
            walls.append(wall)
            cpus.append(cpu)
            seen = server_requests(url)
            cached.append(timed([*common, "--run-dir", str(root / f"rerun{r}")])[0])
            complete.append(timed([*common, "--run-dir", str(run_dir)])[0])
            if server_requests(url) != seen:
                raise SystemExit("the cached re-runs reached the server")
    wall = statistics.median(walls)
    print(
        f"job: {args.n} prompts, {args.in_flight} in flight, {args.latency_ms:.0f} ms each; bound {bound:.2f} s"
    )
    print(f"harness generate (median of {args.repeats}): {wall:.2f} s  bound/harness = {bound / wall:.2f}")
    print(f"  whole-process CPU per call: {1000 * statistics.median(cpus) / args.n:.2f} ms")
    print(f"cached re-run into a new run directory: {statistics.median(cached):.2f} s (0 requests)")
    print(f"re-run of a complete run directory:     {statistics.median(complete):.2f} s")


if __name__ == "__main__":
    main()
