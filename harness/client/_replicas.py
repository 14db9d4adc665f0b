"""Several base URLs serving one model: route each attempt to the least-busy healthy replica.

Why here and not in a load balancer: teams that outgrow one ``vllm serve`` start N of them (one per GPU
or per GPU group) and want to point the harness at all of them without running nginx. Routing is by
*in-flight count* (join-the-shortest-queue), which for LLM servers beats round-robin because request
durations vary by two orders of magnitude (a 5-token judge verdict next to a 2,000-token answer).

Health: a replica is taken out when an attempt on it fails in a way that says the *server* is gone
(connection refused/reset, or a gateway's 502/503/504), or when the periodic ``GET {url}/models``
probe fails; the same probe puts it back once it answers 200 again. No request is lost in the switch:
the failed attempt is an ordinary transient failure for the client's retry loop (``_retry.classify``),
and the retry is routed again, now among the replicas still up. When every replica is down, attempts
still go to the least-busy one, so the retry budget (not this module) decides when to give up.

A :class:`ReplicaSet` is shared by every client of the same replica list within one event loop (as the
connection pools are), so a model and a judge on the same replicas see each other's load.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field

from harness.client._http import HTTPPool, TransportError
from harness.client._retry import RetryDecision

# The reasons (``RetryDecision.reason``) that mean "this server is unreachable", not "this request failed".
DOWN_REASONS = frozenset({"connection", "502", "503", "504"})
HEALTH_INTERVAL_S = 2.0
HEALTH_TIMEOUT_S = 5.0


@dataclass
class Replica:
    base_url: str
    healthy: bool = True
    in_flight: int = 0
    taken_out: int = 0  # times this replica was marked down (for logs and tests)


@dataclass
class ReplicaSet:
    """The replicas of one endpoint in one event loop, with the health probe that runs while it is used."""

    replicas: list[Replica]
    health_interval: float = HEALTH_INTERVAL_S
    users: int = 0
    _probe: asyncio.Task[None] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, urls: tuple[str, ...], health_interval: float = HEALTH_INTERVAL_S) -> ReplicaSet:
        return cls([Replica(url.rstrip("/")) for url in urls], health_interval)

    def pick(self) -> Replica:
        """The healthy replica with the fewest attempts in flight (ties: the first listed)."""
        up = [r for r in self.replicas if r.healthy] or self.replicas
        return min(up, key=lambda r: r.in_flight)

    @contextlib.contextmanager
    def route(self) -> Iterator[Replica]:
        """Hold one attempt on the chosen replica (counted in its in-flight number)."""
        self._ensure_probe()
        replica = self.pick()
        replica.in_flight += 1
        try:
            yield replica
        finally:
            replica.in_flight -= 1

    def on_failure(self, replica: Replica, decision: RetryDecision) -> None:
        """Take the replica out when the failure says its server is unreachable."""
        if decision.reason in DOWN_REASONS and replica.healthy:
            replica.healthy = False
            replica.taken_out += 1

    async def check(self) -> None:
        """Probe every replica once: 200 on ``GET /models`` within ``HEALTH_TIMEOUT_S`` means up, anything
        else down (a connection of its own per probe, so that a probe never waits behind requests)."""

        async def one(replica: Replica) -> None:
            try:
                async with HTTPPool(replica.base_url, max_idle=0, timeout=HEALTH_TIMEOUT_S) as http:
                    ok = (await http.request("GET", "/models")).status == 200
            except (TransportError, TimeoutError):
                ok = False
            if replica.healthy and not ok:
                replica.taken_out += 1
            replica.healthy = ok

        await asyncio.gather(*(one(r) for r in self.replicas))

    async def _probe_forever(self) -> None:
        while True:
            await asyncio.sleep(self.health_interval)
            await self.check()

    def _ensure_probe(self) -> None:
        if self._probe is None or self._probe.done():
            self._probe = asyncio.get_running_loop().create_task(self._probe_forever())

    async def close(self) -> None:
        probe, self._probe = self._probe, None
        if probe is not None:
            probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await probe


_SETS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[str, ...], ReplicaSet]] = (
    weakref.WeakKeyDictionary()
)


def attach(urls: tuple[str, ...]) -> ReplicaSet:
    """The running loop's shared set for ``urls`` (created on first use); pair with :func:`detach`."""
    sets = _SETS.setdefault(asyncio.get_running_loop(), {})
    replica_set = sets.get(urls)
    if replica_set is None:
        replica_set = sets[urls] = ReplicaSet.of(urls)
    replica_set.users += 1
    return replica_set


async def detach(urls: tuple[str, ...], replica_set: ReplicaSet) -> None:
    """Release one user's hold; the last user stops the health probe."""
    replica_set.users -= 1
    if replica_set.users > 0:
        return
    sets = _SETS.get(asyncio.get_running_loop(), {})
    if sets.get(urls) is replica_set:
        del sets[urls]
    await replica_set.close()
