"""The run directory: ``run.json`` plus append-only JSONL records (docs/design.md, "The run directory").

Layout: ``run.json`` (the resolved config, package versions, git commit, dataset id and revision,
seeds, start/end), ``outputs.jsonl``, ``judgments.jsonl`` (and later ``report.json``/``report.md``).

Why append-only JSONL, one ``write`` + ``fsync`` per record (after inspect_ai's per-sample log,
docs/design.md): a ``kill -9`` or a power cut loses at most the records in flight,
never a finished one, and resuming is "read what is there, do the rest". The one damage a
crash can leave is a torn *last* line (a write cut short); :meth:`RunStore.load` drops it with a
warning and the next :meth:`RunStore.append` truncates it away before writing, so the file stays
valid JSONL. A bad line anywhere else is not a crash artefact but corruption: ``BadInput(file:line)``.

Records are deduplicated by key (e.g. ``(item_id, model)`` for outputs) keeping the first *final*
record: a finished answer is never replaced by a later run, while a failed one (``Output.error`` set,
or a judgment unscored for ``api_error``) is a placeholder that a later attempt supersedes.

The API key is never written: run.json records ``Endpoint.identity()`` only.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harness import atomic, runlock
from harness.errors import BadInput
from harness.provenance import GitState, now, package_versions
from harness.records import SCHEMA_VERSION, Checklist, Item, Judgment, Output, Record

log = logging.getLogger(__name__)

R = TypeVar("R", bound=BaseModel)

KINDS = ("items", "outputs", "judgments", "rewrites", "checklists")  # rewrites: Clean-Eval; checklists: TICK


class Session(BaseModel):
    """One invocation of a command on this run directory (a resumed run adds one)."""

    model_config = ConfigDict(extra="forbid")
    started_at: str
    ended_at: str | None = None
    status: str = "running"  # running | finished | failed | interrupted
    endpoints: dict[str, dict[str, str]] = Field(default_factory=dict)
    summary: dict[str, Any] = Field(default_factory=dict)


class RunInfo(BaseModel):
    """The content of run.json. ``config`` is what must match for a re-run to resume this directory."""

    model_config = ConfigDict(extra="forbid")
    schema_version: int = SCHEMA_VERSION
    command: str
    config: dict[str, Any]
    dataset: dict[str, Any] = Field(default_factory=dict)
    seeds: dict[str, int | None] = Field(default_factory=dict)
    packages: dict[str, str] = Field(default_factory=package_versions)
    git: dict[str, Any] | None = None
    started_at: str = Field(default_factory=now)
    ended_at: str | None = None
    sessions: list[Session] = Field(default_factory=list)


def default_key(record: BaseModel) -> Hashable:
    if isinstance(record, Item):
        return record.item_id
    if isinstance(record, Output):
        return (record.item_id, record.model)
    if isinstance(record, Judgment):
        key = (
            record.item_id,
            record.model,
            record.opponent,
            record.judge,
            record.protocol,
            record.order,
            record.turn,
        )
        if record.protocol == "checklist":  # one judgment per TICK question
            return (*key, record.metadata.get("question_index"))
        return key
    if isinstance(record, Checklist):
        return record.item_id
    raise TypeError(f"no default key for {type(record).__name__}; pass key=")


def is_final(record: BaseModel) -> bool:
    """A failed record (error set, or unscored for an API error) is retried by the next run."""
    if getattr(record, "error", None):
        return False
    return not (
        getattr(record, "status", None) == "unscored" and getattr(record, "reason", None) == "api_error"
    )


def _split_tail(data: bytes) -> tuple[int, bytes | None]:
    """(offset where a bad last line starts, that line) or (len(data), None) when the tail is sound."""
    if not data:
        return 0, None
    body = data if data.endswith(b"\n") else data + b"\n"
    start = body.rfind(b"\n", 0, len(body) - 1) + 1
    last = body[start:-1]
    if not data.endswith(b"\n"):
        return start, last
    if not last.strip():
        return len(data), None
    try:
        json.loads(last)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return start, last
    return len(data), None


class RunStore:
    """A run directory. Create it with :meth:`write_run_json`; append and load records by kind."""

    def __init__(self, run_dir: str | Path) -> None:
        self.dir = Path(run_dir)
        self._fds: dict[str, int] = {}
        self._lock: Path | None = None
        self._run_json_pending: Future[None] | None = None  # a new run.json being written (start_run_json)

    # -- run.json -------------------------------------------------------------------------------
    @property
    def run_json(self) -> Path:
        return self.dir / "run.json"

    def path(self, kind: str) -> Path:
        if kind not in KINDS:
            raise ValueError(f"unknown record kind {kind!r}; expected one of {KINDS}")
        return self.dir / f"{kind}.jsonl"

    def read_run_json(self) -> RunInfo | None:
        if not self.run_json.exists():
            return None
        try:
            return RunInfo.model_validate_json(self.run_json.read_bytes())
        except ValidationError as exc:
            raise BadInput(str(self.run_json), f"not a harness run.json: {exc.errors()[0]['msg']}") from None

    def write_run_json(
        self,
        *,
        command: str,
        config: dict[str, Any],
        endpoints: dict[str, dict[str, str]] | None = None,
        dataset: dict[str, Any] | None = None,
        seeds: dict[str, int | None] | None = None,
    ) -> RunInfo:
        """Start (or resume) a run: write run.json, or check that an existing one has the same config.

        Resuming with a different config would mix two experiments in one directory, so it is refused
        (start a new ``--run-dir`` instead). The directory's lock (:mod:`harness.runlock`) is taken first
        and held until :meth:`close`: a second process on the same directory is refused here, before it
        makes any request.
        """
        self.lock()
        info = self.read_run_json()
        if info is None:
            git = GitState()  # runs while the package versions are read
            packages = package_versions()
            info = RunInfo(
                command=command,
                config=config,
                dataset=dataset or {},
                seeds=seeds or {},
                packages=packages,
                git=git.result(),
            )
        elif info.command != command or info.config != config or (dataset and info.dataset != dataset):
            changed = sorted(k for k in set(info.config) | set(config) if info.config.get(k) != config.get(k))
            raise BadInput(
                str(self.run_json),
                f"this run directory holds a different run (changed: {', '.join(changed) or 'command/dataset'}); "
                "use a new --run-dir",
            )
        info.sessions.append(Session(started_at=now(), endpoints=endpoints or {}))
        info.ended_at = None
        self._save(info)
        return info

    def start_run_json(self, **run: Any) -> None:
        """:meth:`write_run_json` (same keywords) for a command about to send requests, without making
        them wait.

        An existing run.json is checked (and a different run refused) here, at once. A new one (git state
        and package versions: 20-50 ms, mostly waiting on ``git`` and ``fsync``) is written in a thread
        while the first requests go out; no record is written before it is on disk (:meth:`append_many`
        waits for it, as do :meth:`finish_run` and :meth:`close`), and its error, if any, is raised there.
        """
        self.lock()
        if self.run_json.exists():
            self.write_run_json(**run)
            return
        done: Future[None] = Future()

        def write() -> None:
            try:
                self.write_run_json(**run)
            except BaseException as exc:  # raised in the thread that waits for it
                done.set_exception(exc)
            else:
                done.set_result(None)

        self._run_json_pending = done
        threading.Thread(target=write, name="run-json", daemon=True).start()

    def _run_json_written(self) -> None:
        """Wait for a run.json :meth:`start_run_json` is writing; raise its error (every time asked)."""
        pending = self._run_json_pending
        if pending is not None:
            pending.result()
            self._run_json_pending = None

    def make_dir(self) -> None:
        """Create the run directory; a path that is a file or cannot be created is one BadInput line."""
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise BadInput(str(self.dir), "is a file, not a run directory") from None
        except OSError as exc:
            raise BadInput(str(self.dir), f"cannot create the run directory: {exc.strerror}") from None

    def lock(self) -> None:
        """Create the directory and take its one-writer lock (idempotent; released by :meth:`close`).
        Commands call it before anything touches the network, so that a second process on the same
        directory is refused before it probes or asks anything."""
        self.make_dir()
        if self._lock is None:
            self._lock = runlock.acquire(self.dir)

    def open_files(self, *kinds: str) -> None:
        """Open the record files of ``kinds`` now, before any request: a file that cannot be opened
        (no space, too many open files) fails the run before an answer is paid for, not after."""
        for kind in kinds:
            self._fd(kind)

    def finish_run(self, status: str = "finished", summary: dict[str, Any] | None = None) -> None:
        self._run_json_written()
        info = self.read_run_json()
        if info is None:
            return
        stamp = now()
        if info.sessions:
            info.sessions[-1].ended_at = stamp
            info.sessions[-1].status = status
            info.sessions[-1].summary = summary or {}
        info.ended_at = stamp
        self._save(info)

    def _save(self, info: RunInfo) -> None:
        atomic.write_text(self.run_json, info.model_dump_json(indent=2) + "\n")  # never half-written

    # -- records --------------------------------------------------------------------------------
    def _fd(self, kind: str) -> int:
        fd = self._fds.get(kind)
        if fd is None:
            path = self.path(kind)
            self.make_dir()
            self._repair_tail(path)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            self._fds[kind] = fd
        return fd

    @staticmethod
    def _repair_tail(path: Path) -> None:
        """Cut a torn last line (left by a crash) so that the next record starts on its own line."""
        if not path.exists():
            return
        data = path.read_bytes()
        offset, torn = _split_tail(data)
        if torn is not None:
            log.warning(
                "%s: dropping a torn last line left by an interrupted run (%d bytes)", path, len(torn)
            )
            os.truncate(path, offset)

    def append(self, kind: str, record: Record) -> None:
        """One JSON line, written with one ``write`` on an O_APPEND descriptor and fsync'ed."""
        self.append_many(kind, [record])

    def append_many(self, kind: str, records: Sequence[Record]) -> None:
        """Group commit: the records' lines in one ``write`` and one ``fsync``. A crash part-way leaves at
        most a torn last line (dropped on the next open); every whole line before it is a whole record."""
        if not records:
            return
        self._run_json_written()  # a record never exists without the run.json that says what it is
        data = b"".join(record.model_dump_json().encode("utf-8") + b"\n" for record in records)
        fd = self._fd(kind)
        view = memoryview(data)
        while view:  # a regular file short-writes only when the disk is full; the next write says so
            written = os.write(fd, view)
            if written <= 0:
                raise OSError(
                    f"short write to {self.path(kind)}: {len(data) - len(view)} of {len(data)} bytes"
                )
            view = view[written:]
        os.fsync(fd)

    def close(self) -> None:
        pending, self._run_json_pending = self._run_json_pending, None
        if pending is not None:  # its error, if any, was raised by the append or finish_run that waited
            pending.exception()
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()
        if self._lock is not None:
            runlock.release(self._lock)
            self._lock = None

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def iter_raw(self, kind: str, model_cls: type[R]) -> Iterator[R]:
        """Every stored record in file order; a torn last line is dropped, any other bad line raises."""
        path = self.path(kind)
        if not path.exists():
            return
        data = path.read_bytes()
        end, torn = _split_tail(data)
        if torn is not None:
            log.warning("%s: ignoring a torn last line left by an interrupted run", path)
        for lineno, raw in enumerate(data[:end].split(b"\n"), start=1):
            if not raw.strip():
                continue
            try:
                yield model_cls.model_validate_json(raw)
            except ValidationError as exc:
                first = exc.errors()[0]
                raise BadInput(
                    f"{path}:{lineno}",
                    f"corrupt {kind} record ({first['msg']} at {'.'.join(map(str, first['loc'])) or 'line'})",
                ) from None

    def load(
        self,
        kind: str,
        model_cls: type[R],
        *,
        key: Callable[[R], Hashable] | None = None,
    ) -> list[R]:
        """Records deduplicated by ``key``: the first final record wins, else the latest failed one."""
        keyf: Callable[[R], Hashable] = key or default_key
        chosen: dict[Hashable, R] = {}
        for record in self.iter_raw(kind, model_cls):
            k = keyf(record)
            current = chosen.get(k)
            if current is None or not is_final(current):
                chosen[k] = record
        return list(chosen.values())

    def to_parquet(self, kind: str, model_cls: type[R], path: str | Path) -> Path:
        """Export deduplicated records for pandas. Nested dicts are flattened (``usage.prompt_tokens``)
        and free-form mappings (metadata, references) stored as JSON text, since Parquet has no type
        for an arbitrary dict."""
        import pandas as pd

        nested = {
            name
            for name, field in model_cls.model_fields.items()
            if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
        }
        rows = [_flat_row(r.model_dump(mode="json"), nested) for r in self.load(kind, model_cls)]
        columns = list(model_cls.model_fields)
        frame = pd.DataFrame(rows, columns=None if rows else columns)
        return atomic.replace_with(Path(path), lambda tmp: frame.to_parquet(tmp, index=False))


def _flat_row(row: dict[str, Any], nested: set[str]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in row.items():
        if name in nested and isinstance(value, dict):
            for sub, v in value.items():
                flat[f"{name}.{sub}"] = v
        elif isinstance(value, dict) or (
            isinstance(value, list) and any(isinstance(v, dict | list) for v in value)
        ):
            flat[name] = json.dumps(value, ensure_ascii=False, sort_keys=True)
        else:
            flat[name] = value
    return flat
