"""Client throughput and overhead against a fixed-latency loopback server (a benchmark, not a test).

What it shows: with one pool and limiter per endpoint, wall time approaches the ideal bound
N x latency / in-flight, and the client's own CPU per request stays near a millisecond (peer
harnesses spend 25-35 ms, mostly building a new OpenAI client per call). Then a fully cached re-run
must finish in well under a second with zero requests reaching the server.

The server runs in its own process (``bench/latency_server.py``) so that ``time.process_time()`` of
this process is the client's CPU alone. Note on the ideal: with C slots and a fixed latency L, N
requests need at least ceil(N / C) rounds, so wall >= ceil(N / C) x L; for N = 1,610 and C = 256 that
is 7 rounds and the ratio to N x L / C can be at most 0.898. Both ratios are printed.

    PYTHONPATH=$PWD python bench/client_throughput.py [--n 1610]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness.cache import Cache
from harness.client import ChatRequest, Client, SamplingParams, reset_usage, usage_by_role
from harness.endpoints import Endpoint

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Row:
    label: str
    n: int
    latency_s: float
    in_flight: int
    wall_s: float
    cpu_ms_per_request: float
    server_requests: int
    cache_hits: int

    @property
    def ideal_s(self) -> float:
        return self.n * self.latency_s / self.in_flight

    @property
    def rounds_bound_s(self) -> float:
        return math.ceil(self.n / self.in_flight) * self.latency_s


@contextmanager
def latency_server(latency_ms: float, *extra: str) -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.latency_server", "--latency-ms", str(latency_ms), *extra],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().split()
        if not line or line[0] != "READY":
            raise RuntimeError(f"latency server did not start: {line}")
        yield f"http://127.0.0.1:{line[1]}/v1"
    finally:
        proc.terminate()
        proc.wait(10)


def server_requests(base_url: str) -> int:
    with urllib.request.urlopen(base_url + "/stats", timeout=10) as response:
        return int(json.load(response)["requests"])


def requests(n: int) -> list[ChatRequest]:
    params = SamplingParams(temperature=0.0, max_tokens=16)
    return [ChatRequest.of([{"role": "user", "content": f"question number {i}"}], params) for i in range(n)]


async def run_once(base_url: str, n: int, in_flight: int, cache: Cache | None) -> tuple[float, float, int]:
    """(wall seconds, client CPU seconds, cache hits) for n requests."""
    reset_usage()
    batch = requests(n)
    async with Client(Endpoint(base_url, "echo"), max_connections=in_flight, cache=cache) as client:
        cpu0, t0 = time.process_time(), time.perf_counter()
        results = await asyncio.gather(*(client.chat(r) for r in batch))
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    if len(results) != n or any(not c.text for c in results):
        raise RuntimeError("missing completions")
    return wall, cpu, usage_by_role()["model"].cache_hits


async def floor_once(base_url: str, n: int, in_flight: int) -> tuple[float, float]:
    """The machine's floor: the same requests over ``in_flight`` raw keep-alive sockets with no HTTP
    library at all. On a shared, loaded machine this shows how much of the wall time is the client's."""
    host, port = base_url.split("//")[1].split("/")[0].split(":")
    conns: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(in_flight):
        conns.put_nowait(await asyncio.open_connection(host, int(port)))

    async def one(request: ChatRequest) -> None:
        body = json.dumps(
            {"model": "echo", "messages": request.message_dicts(), **request.params.as_kwargs()}
        )
        head = f"POST /v1/chat/completions HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        reader, writer = await conns.get()
        writer.write(f"{head}Content-Length: {len(body)}\r\n\r\n{body}".encode())
        await writer.drain()
        lines = (await reader.readuntil(b"\r\n\r\n")).decode().lower().split("\r\n")
        length = next(int(v.split(":")[1]) for v in lines if v.startswith("content-length"))
        json.loads(await reader.readexactly(length))
        conns.put_nowait((reader, writer))

    batch = requests(n)
    cpu0, t0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(one(r) for r in batch))
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    while not conns.empty():
        conns.get_nowait()[1].close()
    return wall, cpu


def measure_floor(base_url: str, n: int, latency_s: float, in_flight: int) -> Row:
    before = server_requests(base_url)
    wall, cpu = asyncio.run(floor_once(base_url, n, in_flight))
    return Row(
        "raw floor", n, latency_s, in_flight, wall, cpu / n * 1000, server_requests(base_url) - before, 0
    )


def measure(label: str, base_url: str, n: int, latency_s: float, in_flight: int, cache: Cache | None) -> Row:
    before = server_requests(base_url)
    wall, cpu, hits = asyncio.run(run_once(base_url, n, in_flight, cache))
    return Row(label, n, latency_s, in_flight, wall, cpu / n * 1000, server_requests(base_url) - before, hits)


def print_table(rows: list[Row]) -> None:
    header = (
        f"{'run':<10} {'N':>5} {'latency':>8} {'in-flight':>9} {'wall s':>8} {'ideal s':>8} "
        f"{'ideal/wall':>10} {'rounds/wall':>11} {'CPU ms/req':>10} {'server reqs':>11} {'hits':>5}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r.label:<10} {r.n:>5} {r.latency_s * 1000:>6.0f}ms {r.in_flight:>9} {r.wall_s:>8.3f} "
            f"{r.ideal_s:>8.3f} {r.ideal_s / r.wall_s:>10.3f} {r.rounds_bound_s / r.wall_s:>11.3f} "
            f"{r.cpu_ms_per_request:>10.3f} {r.server_requests:>11} {r.cache_hits:>5}"
        )
    print("ideal = N x latency / in-flight; rounds = ceil(N / in-flight) x latency (the reachable bound)")
    print("raw floor = the same requests over raw sockets, no HTTP library: what this machine allows now")
    print(
        f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1610)
    args = parser.parse_args()
    rows: list[Row] = []
    with latency_server(500) as url:
        for in_flight in (16, 64, 256):
            rows.append(measure("network", url, args.n, 0.5, in_flight, None))
        rows.append(measure_floor(url, args.n, 0.5, 256))
    with latency_server(100) as url, tempfile.TemporaryDirectory() as tmp:
        cache = Cache(Path(tmp) / "cache.sqlite")
        rows.append(measure("network", url, args.n, 0.1, 256, None))
        rows.append(measure_floor(url, args.n, 0.1, 256))
        rows.append(measure("fill", url, args.n, 0.1, 256, cache))
        rows.append(measure("cached", url, args.n, 0.1, 256, cache))
        cache.close()
    print_table(rows)


if __name__ == "__main__":
    main()
