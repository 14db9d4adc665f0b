"""From an endpoint SPEC to a callable endpoint: attach, reuse a running server, or start one.

- ``openai:MODEL[@URL]``: attach (no process is started).
- ``local`` / ``vllm:MODEL``: reuse a healthy server that ``harness serve`` registered
  (see :mod:`harness.serve.state`), else start one for the duration of the ``with`` block and stop it
  at the end. This is the "generate, then free the GPU, then judge" flow that lm-eval users ask for
  (reference/engineering.md §3.1 item 7): a server lives exactly as long as the command that needs it,
  unless the user keeps one up with ``harness serve``.

:func:`serve_until_stopped` is the body of ``harness serve``: start, register, print the base URL,
block until Ctrl-C or SIGTERM, stop the child's whole process group, unregister.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TextIO

from harness.endpoints import Endpoint, EndpointSpec, resolve_openai
from harness.errors import ServerError
from harness.serve._process import ManagedServer, stable_port
from harness.serve.llama import llama_server
from harness.serve.state import ServerState, find_running, register, unregister
from harness.serve.vllm import vllm_server

LOCAL_API_KEY = "EMPTY"  # local servers need none; the openai SDK wants a non-empty string
START_TIMEOUT = {"local": 120.0, "vllm": 900.0}


def server_for(spec: EndpointSpec) -> ManagedServer:
    """An unstarted server for a ``local`` or ``vllm:`` spec."""
    port = stable_port(str(spec))
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
        yield Endpoint(running.base_url, running.model, api_key=LOCAL_API_KEY, spec=str(spec))
        return
    server = server_for(spec)
    print(f"harness: starting {spec} ({server.name}) ...", file=sys.stderr)
    with server.start(timeout=start_timeout or START_TIMEOUT[spec.kind]):
        print(f"harness: {spec} is up at {server.base_url}", file=sys.stderr)
        yield Endpoint(server.base_url, server.model, api_key=LOCAL_API_KEY, spec=str(spec))


class _Stop(Exception):
    pass


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signal.Signals(signum).name)


def serve_until_stopped(
    spec: EndpointSpec,
    server: ManagedServer,
    *,
    start_timeout: float,
    out: TextIO = sys.stdout,
) -> int:
    """Start ``server``, print its base URL on ``out``, block until Ctrl-C/SIGTERM, then stop it."""
    running = find_running(str(spec))
    if running is not None:
        raise ServerError(f"{spec} is already being served at {running.base_url} (pid {running.pid})")
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    try:
        server.start(timeout=start_timeout)
        register(
            ServerState(
                spec=str(spec),
                pid=os.getpid() if server.process is None else server.process.pid,
                base_url=server.base_url,
                model=server.model,
                log_path=str(server.log_path) if server.log_path else None,
            )
        )
        print(server.base_url, file=out, flush=True)
        print(
            f"harness: serving {server.model} ({server.name}) at {server.base_url}; log {server.log_path}; "
            "Ctrl-C to stop",
            file=sys.stderr,
            flush=True,
        )
        assert server.process is not None
        while True:
            try:
                server.process.wait(timeout=1.0)
                break
            except subprocess.TimeoutExpired:
                continue
        raise ServerError(
            f"{server.name} server exited with code {server.process.returncode}: {server.log_tail()}"
        )
    except (KeyboardInterrupt, _Stop):
        print("harness: stopping server", file=sys.stderr, flush=True)
        return 0
    finally:
        server.stop()
        if server.process is not None:
            unregister(str(spec), server.process.pid)
        signal.signal(signal.SIGTERM, previous)
