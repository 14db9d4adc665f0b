"""Must-show: two OS processes writing one cache file at once lose nothing and corrupt nothing."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from harness.cache import Cache

PER_PROCESS = 2000
OVERLAP = 200  # keys both processes write (first answer wins, whichever it is)


def _writer(path: str, worker: int, start: multiprocessing.synchronize.Barrier) -> None:
    cache = Cache(Path(path))
    start.wait()
    for i in range(PER_PROCESS):
        if i == PER_PROCESS // 2:
            start.wait()  # meet halfway, so the two writing spans overlap whatever the scheduler does
        key = f"shared-{i}" if i < OVERLAP else f"w{worker}-{i}"
        cache.put(key, {"model": "m", "worker": worker, "i": i, "choices": [], "pad": "x" * 200})
        if i % 100 == 0:
            assert cache.get(key) is not None  # readers proceed while the other process writes
    cache.close()


def test_two_processes_hammering_one_cache(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    Cache(path).close()  # create it first, as a run would
    ctx = multiprocessing.get_context("spawn")
    # both processes open the file, then write at the same moment; generous timeout: a loaded 2-core CI
    # machine can take tens of seconds for 1,000 fsynced puts before the halfway meeting
    start = ctx.Barrier(2, timeout=300)
    procs = [ctx.Process(target=_writer, args=(str(path), w, start)) for w in (0, 1)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(600)
    assert [p.exitcode for p in procs] == [0, 0]

    cache = Cache(path)
    assert cache.integrity_check() == "ok"
    assert len(cache) == OVERLAP + 2 * (PER_PROCESS - OVERLAP)
    for worker in (0, 1):
        for i in range(OVERLAP, PER_PROCESS):
            assert cache.get(f"w{worker}-{i}") == {
                "model": "m",
                "worker": worker,
                "i": i,
                "choices": [],
                "pad": "x" * 200,
            }
    # the two writers really overlapped in time (not one after the other)
    spans = (
        cache._conn()
        .execute(
            "SELECT json_extract(response, '$.worker'), MIN(created), MAX(created) FROM responses "
            "WHERE key NOT LIKE 'shared-%' GROUP BY 1 ORDER BY 1"
        )
        .fetchall()
    )
    assert spans[0][1] < spans[1][2] and spans[1][1] < spans[0][2], spans
    for i in range(OVERLAP):
        entry = cache.get(f"shared-{i}")
        assert entry is not None and entry["i"] == i and entry["worker"] in (0, 1)
