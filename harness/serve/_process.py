"""Lifecycle of one local OpenAI-compatible server process: free port, start, health, logs, stop.

Used for llama.cpp (the embedded default) and vLLM. The server runs in its own process group so that
stopping it also stops any workers it spawned; its output goes to a log file whose tail is quoted in
the error when it fails to come up.
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import ServerError
from harness.serve._http import get_models


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def stable_port(key: str, host: str = "127.0.0.1", low: int = 20000, span: int = 20000) -> int:
    """The same port for the same server ``key`` on every run when it is free, else any free port.

    Why: the response cache keys on the base URL, so a server the harness starts for one command
    should come back at the same URL next time, or a resumed run would miss the cache for the
    requests that were in flight when it was interrupted (a fixed default port, as vLLM's 8000).
    """
    port = low + int(hashlib.sha256(key.encode()).hexdigest(), 16) % span
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT is fine
        try:
            s.bind((host, port))
        except OSError:
            return free_port(host)
    return port


def is_healthy(base_url: str, timeout: float = 2.0) -> bool:
    """A server is healthy when ``GET {base_url}/models`` answers 200."""
    answer = get_models(base_url, timeout)
    return answer is not None and answer[0] == 200


@dataclass
class ManagedServer:
    """A server process started by the harness. ``base_url`` ends in ``/v1``."""

    name: str
    command: list[str]
    model: str
    host: str = "127.0.0.1"
    port: int = 0
    env: dict[str, str] = field(default_factory=dict)
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def start(self, timeout: float = 120.0, port_retries: int = 3) -> ManagedServer:
        """Start the process and wait until it answers. The port was free when it was chosen, but
        another process may bind it first (two harness commands starting the same server at once): a
        server that exits because its address is in use is started again on a fresh free port."""
        for _ in range(port_retries):
            try:
                return self._start(timeout)
            except ServerError as exc:
                if "address already in use" not in str(exc).lower() or "--port" not in self.command:
                    raise
                at = self.command.index("--port") + 1
                self.port = free_port(self.host)
                self.command[at] = str(self.port)
        return self._start(timeout)

    def _start(self, timeout: float) -> ManagedServer:
        if self.log_path is None:
            fd, path = tempfile.mkstemp(prefix=f"harness-{self.name}-", suffix=".log")
            os.close(fd)
            self.log_path = Path(path)
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the child for its lifetime
        self.process = subprocess.Popen(
            self.command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **self.env},
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(
                    f"{self.name} server exited with code {self.process.returncode}: {self.log_tail()}"
                )
            if is_healthy(self.base_url):
                return self
            time.sleep(0.5)
        self.stop()
        raise ServerError(
            f"{self.name} server not healthy after {timeout:.0f}s at {self.base_url}: {self.log_tail()}"
        )

    def log_tail(self, n: int = 400) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no log)"
        text = self.log_path.read_text(errors="replace").strip()
        return " | ".join(text[-n:].splitlines()[-5:]) or "(empty log)"

    def terminate(self) -> None:
        """Ask the server to stop (SIGTERM to its process group) without waiting."""
        proc = self.process
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def stop(self, timeout: float = 15.0) -> None:
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=timeout)
        except ProcessLookupError:
            pass

    def __enter__(self) -> ManagedServer:
        return self.start() if self.process is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def stop_all(servers: list[ManagedServer], timeout: float = 15.0) -> None:
    """Stop several servers (replicas): every one is asked first, then each is waited for, so N
    replicas stop in the time of the slowest, not of all of them one after another."""
    for server in servers:
        server.terminate()
    for server in servers:
        server.stop(timeout)
