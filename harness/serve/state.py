"""State files of servers started by ``harness serve``, so that other commands can reuse them.

``harness serve local`` writes ``<home>/servers/local.json`` (pid, base URL, served model, spec) while
it runs and removes it on exit. A later ``harness generate --model local`` finds it, checks that the
process is alive and that ``GET /models`` answers with the expected model, and attaches instead of
starting a second server; a stale file (process gone, server not healthy) is ignored and removed.

``<home>`` is ``$HARNESS_HOME`` or ``~/.cache/harness`` (models converted for vLLM live there too).
"""

from __future__ import annotations

import hashlib
import os
import re
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harness import atomic
from harness.serve._http import get_models


def harness_home() -> Path:
    return Path(os.environ.get("HARNESS_HOME") or Path.home() / ".cache" / "harness")


def servers_dir() -> Path:
    return harness_home() / "servers"


def server_name(spec: str) -> str:
    """A file-safe name for a spec: ``local`` or ``vllm-<slug>-<hash>``."""
    if spec == "local":
        return "local"
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", spec.split(":", 1)[-1]).strip("_")[-40:]
    return f"vllm-{slug}-{hashlib.sha256(spec.encode()).hexdigest()[:8]}"


def port_key(spec: str, replica: int = 0) -> str:
    """What a started server's stable port is derived from: the spec, its replica and the harness home.
    The home is part of it so that separate homes (other users, CI jobs, tests side by side) do not
    want the same port, while one home's server comes back at the same URL on every command."""
    return f"{harness_home().resolve()}|{spec}" + (f"#replica{replica}" if replica else "")


class ServerState(BaseModel):
    model_config = ConfigDict(extra="forbid")
    spec: str
    pid: int
    base_url: str
    model: str
    log_path: str | None = None
    replicas: list[str] = Field(default_factory=list)  # every base URL when several serve the spec
    # set for a server one command started for itself (stopped when it ends, never reused by another)
    started_by: str | None = None
    started_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def serves_model(base_url: str, model: str, timeout: float = 2.0) -> bool:
    """Healthy and serving ``model`` (a reused server must be the one we asked for)."""
    answer = get_models(base_url, timeout)
    if answer is None or answer[0] != 200 or not isinstance(answer[1], dict):
        return False
    data = answer[1].get("data")
    return isinstance(data, list) and any(isinstance(m, dict) and m.get("id") == model for m in data)


def _path(state: ServerState) -> Path:
    """``<name>.json`` for a kept server (what reuse looks for); ``<name>.cmd-<pid>.json`` for one a
    command started for itself, so that ``serve list`` shows it but no other command attaches to it."""
    suffix = f".cmd-{state.pid}" if state.started_by else ""
    return servers_dir() / f"{server_name(state.spec)}{suffix}.json"


def register(state: ServerState) -> Path:
    path = _path(state)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(path, state.model_dump_json(indent=2) + "\n")
    return path


def unregister(spec: str, pid: int, *, started_by: str | None = None) -> None:
    """Remove the state file if it is still ours (another server may have replaced it)."""
    path = _path(ServerState(spec=spec, pid=pid, base_url="", model="", started_by=started_by))
    current = _read(path)
    if current is not None and current.pid == pid:
        path.unlink(missing_ok=True)


def _read(path: Path) -> ServerState | None:
    try:
        return ServerState.model_validate_json(path.read_bytes())
    except (OSError, ValidationError):
        return None


def find_running(spec: str) -> ServerState | None:
    """A healthy server started by ``harness serve`` for this spec, or None (stale files are removed)."""
    path = servers_dir() / f"{server_name(spec)}.json"
    state = _read(path)
    if state is None:
        return None
    if _alive(state.pid) and serves_model(state.base_url, state.model):
        return state
    path.unlink(missing_ok=True)
    return None


def running_servers() -> list[ServerState]:
    """Every healthy registered server, kept by ``harness serve`` or started by a running command for
    itself (stale state files are removed on the way)."""
    found = []
    for path in sorted(servers_dir().glob("*.json")):
        state = _read(path)
        if state is None:
            continue
        if _alive(state.pid) and serves_model(state.base_url, state.model):
            found.append(state)
        else:
            path.unlink(missing_ok=True)
    return found
