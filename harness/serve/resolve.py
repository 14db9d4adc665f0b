"""From an endpoint SPEC to a callable endpoint: attach, reuse a running server, or start one.

- ``openai:MODEL[@URL]``: attach (no process is started, nothing is sent); the client probes each
  URL before its first real request (:mod:`harness.client._preflight`): a dead or wrong endpoint is one
  line and exit 2, in seconds, and a run answered from its records or the cache probes nothing.
- ``local`` / ``vllm:MODEL``: reuse a healthy server that ``harness serve`` registered
  (see :mod:`harness.serve.state`), else start one for the duration of the ``with`` block and stop it
  at the end. This is the "generate, then free the GPU, then judge" flow that lm-eval users ask for
  (docs/design.md, "Model calls"): a server lives exactly as long as the command that needs it,
  unless the user keeps one up with ``harness serve``.

:func:`serve_until_stopped` is the body of ``harness serve``: start, register, print the base URL,
block until Ctrl-C or SIGTERM, stop the child's whole process group, unregister.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TextIO

from harness.endpoints import Endpoint, EndpointSpec, resolve_openai, with_replicas
from harness.errors import ServerError
from harness.serve._process import ManagedServer, stable_port, stop_all
from harness.serve.llama import llama_server
from harness.serve.state import ServerState, find_running, port_key, register, unregister
from harness.serve.vllm import vllm_server

LOCAL_API_KEY = "EMPTY"  # local servers need none; the openai SDK wants a non-empty string
START_TIMEOUT = {"local": 120.0, "vllm": 900.0}


def server_for(spec: EndpointSpec) -> ManagedServer:
    """An unstarted server for a ``local`` or ``vllm:`` spec."""
    port = stable_port(port_key(str(spec)))
    if spec.kind == "local":
        return llama_server(port=port)
    if spec.kind == "vllm":
        return vllm_server(spec.model, port=port)
    raise ServerError(f"{spec} names a remote endpoint; there is no server to start")


@contextmanager
def resolve(spec: EndpointSpec, *, start_timeout: float | None = None) -> Iterator[Endpoint]:
    """Yield an :class:`Endpoint` for ``spec``; a server started here is stopped on exit."""
    if spec.kind == "openai":
        yield resolve_openai(spec)
        return
    running = find_running(str(spec))
    if running is not None:
        print(f"harness: reusing {spec} at {running.base_url} (pid {running.pid})", file=sys.stderr)
        urls = running.replicas or [running.base_url]
        yield with_replicas(urls, running.model, api_key=LOCAL_API_KEY, spec=str(spec))
        return
    server = server_for(spec)
    print(f"harness: starting {spec} ({server.name}) ...", file=sys.stderr)
    with server.start(timeout=start_timeout or START_TIMEOUT[spec.kind]):
        print(f"harness: {spec} is up at {server.base_url}", file=sys.stderr)
        state = ServerState(
            spec=str(spec),
            pid=server.process.pid if server.process is not None else os.getpid(),
            base_url=server.base_url,
            model=server.model,
            log_path=str(server.log_path) if server.log_path else None,
            started_by=f"pid {os.getpid()}",
        )
        register(state)  # shown by `harness serve list` while this command runs
        try:
            yield Endpoint(server.base_url, server.model, api_key=LOCAL_API_KEY, spec=str(spec))
        finally:
            unregister(state.spec, state.pid, started_by=state.started_by)


class _Stop(Exception):
    pass


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signal.Signals(signum).name)


def serve_until_stopped(
    spec: EndpointSpec,
    server: ManagedServer | list[ManagedServer],
    *,
    start_timeout: float,
    out: TextIO = sys.stdout,
) -> int:
    """Start ``server`` (or several replicas of one model), print the base URL(s) on ``out`` (replicas
    comma-separated, as an ``openai:MODEL@URL1,URL2`` spec takes them), block until Ctrl-C/SIGTERM, then
    stop them. A replica that dies is reported and the others keep serving (clients route around it);
    the command fails when none is left."""
    servers = server if isinstance(server, list) else [server]
    first = servers[0]
    running = find_running(str(spec))
    if running is not None:
        raise ServerError(f"{spec} is already being served at {running.base_url} (pid {running.pid})")
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    try:
        for each in servers:  # one by one: N vLLM engines compiling at once would fight over the CPU
            each.start(timeout=start_timeout)
        urls = [s.base_url for s in servers]
        register(
            ServerState(
                spec=str(spec),
                pid=os.getpid() if first.process is None else first.process.pid,
                base_url=first.base_url,
                model=first.model,
                log_path=str(first.log_path) if first.log_path else None,
                replicas=urls if len(urls) > 1 else [],
            )
        )
        print(",".join(urls), file=out, flush=True)
        for each in servers:
            print(f"harness: serving {each.model} ({each.name}) at {each.base_url}; log {each.log_path}",
                  file=sys.stderr, flush=True)  # fmt: skip
        print("harness: Ctrl-C to stop", file=sys.stderr, flush=True)
        alive = list(servers)
        while alive:
            for each in list(alive):
                assert each.process is not None
                if each.process.poll() is not None:
                    alive.remove(each)
                    print(f"harness: {each.name} at {each.base_url} exited with code {each.process.returncode}: "
                          f"{each.log_tail()}", file=sys.stderr, flush=True)  # fmt: skip
            time.sleep(1.0)
        raise ServerError(f"every {first.name} server exited: {first.log_tail()}")
    except (KeyboardInterrupt, _Stop):
        print("harness: stopping server" + ("s" if len(servers) > 1 else ""), file=sys.stderr, flush=True)
        return 0
    finally:
        stop_all(servers)
        if first.process is not None:
            unregister(str(spec), first.process.pid)
        signal.signal(signal.SIGTERM, previous)
