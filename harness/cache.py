"""The response cache: SQLite in WAL mode, content-addressed, shared safely by several processes.

Why: this is what makes runs resumable and re-judging free (docs/design.md, "Model calls"): re-running
the same command makes zero calls for what is already done. The key is the sha256 of the canonical
JSON of everything that can change a response (base URL, model, messages, every sampling parameter
including the ones left unset), so two models or two temperatures never share an entry (the
lm-evaluation-harness bug #2715). The value is the full response body.

Semantics worth knowing:

- Only successful completions are stored; errors never are, nor ``content_filter`` answers.
- The first answer stored for a key wins (``INSERT OR IGNORE``). At temperature > 0 without a seed a
  re-run therefore returns the *first sample*, not a fresh one: that is what makes resume exact.
  Ask for a new sample by changing the seed (or clearing the cache).
- Derived results (an audit's findings, ``harness.pipeline.derived``) live in a second table, keyed by
  the hash of everything they are computed from (the code version included), so a re-run into a new
  run directory reuses them; ``clear`` empties both tables.
- Several processes may read and write one file at once: WAL lets readers proceed during a write,
  ``busy_timeout`` makes writers queue instead of failing, and every write is one short transaction.
  Connections are per thread and per process (a forked child opens its own).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.endpoints import Endpoint
from harness.errors import BadInput

if TYPE_CHECKING:  # harness.client imports this module; the type is only needed for annotations
    from harness.client._types import ChatRequest

KEY_VERSION = 2  # bump when the key's contents change: old entries then simply stop matching
_BUSY_TIMEOUT_MS = 60_000
_FLOAT_PARAMS = ("temperature", "top_p")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    response TEXT NOT NULL,
    created REAL NOT NULL
)
"""
_DERIVED_SCHEMA = """
CREATE TABLE IF NOT EXISTS derived (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    created REAL NOT NULL
)
"""


def canonical_request(endpoint: Endpoint, request: ChatRequest) -> dict[str, Any]:
    """Everything that can change a response, normalised (0 and 0.0 are one temperature; a stop
    tuple is a list; unset parameters are present as null). The API key is not part of it."""
    params: dict[str, Any] = {}
    for name, value in request.params.__dict__.items():
        if isinstance(value, tuple):
            value = list(value)
        elif name in _FLOAT_PARAMS and value is not None:
            value = float(value)
        params[name] = value
    return {
        "v": KEY_VERSION,
        "endpoint": endpoint.cache_identity(),
        "model": endpoint.model,
        "messages": [[role, content] for role, content in request.messages],
        "params": params,
    }


def cache_key(endpoint: Endpoint, request: ChatRequest) -> str:
    """sha256 of the canonical JSON (sorted keys, no whitespace, UTF-8) of :func:`canonical_request`."""
    text = json.dumps(
        canonical_request(endpoint, request), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CacheStats:
    path: Path
    entries: int
    size_bytes: int  # the database file plus its WAL
    by_model: dict[str, int]


class Cache:
    def __init__(self, path: Path) -> None:
        self.path = Path(path).expanduser()
        self._local = threading.local()
        self._soon: list[tuple[str, dict[str, Any]]] = []  # put_soon's entries not yet written
        self._preparing: threading.Thread | None = None

    def prepare_soon(self) -> Cache:
        """Open the file once in a thread now, so that the first lookup does not wait for it: a new cache
        file is created, switched to WAL and given its tables (10-40 ms, nearly all of it fsync) while the
        caller goes on (a command importing its HTTP stack). The thread's connection is closed again; an
        error is left for the first real open to raise, in the caller's thread."""

        def prepare() -> None:
            try:
                self._open().close()
            except (BadInput, sqlite3.Error):
                pass

        self._preparing = threading.Thread(target=prepare, name="cache-open", daemon=True)
        self._preparing.start()
        return self

    @classmethod
    def default(cls) -> Cache:
        """``$HARNESS_CACHE`` if set, else ``~/.cache/harness/cache.sqlite``."""
        env = os.environ.get("HARNESS_CACHE")
        return cls(Path(env) if env else Path.home() / ".cache" / "harness" / "cache.sqlite")

    @classmethod
    def at(cls, path: Path | str | None) -> Cache:
        """The cache a ``--cache PATH`` option names: ``path``, else :meth:`default`."""
        return cls(Path(path)) if path else cls.default()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "pid", None) == os.getpid():
            return conn
        preparing, self._preparing = self._preparing, None
        if preparing is not None:  # never two first opens at once (the WAL switch would refuse one)
            preparing.join()
        deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                conn = self._open()
                break
            except sqlite3.OperationalError as exc:
                # Switching to WAL needs a moment with no other writer, and SQLite answers that request
                # with "locked" at once rather than through the busy handler: wait for a gap, bounded.
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise BadInput(str(self.path), f"cannot open the cache: {exc}") from None
                time.sleep(0.05)
            except sqlite3.DatabaseError as exc:
                raise BadInput(str(self.path), f"cannot open the cache: {exc}") from None
        self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a parent is a file, or not writable
            raise BadInput(str(self.path), f"cannot create the cache's directory: {exc.strerror}") from None
        conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            if str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                conn.execute("PRAGMA journal_mode=WAL")  # persistent: only the first opener switches it
            conn.execute("PRAGMA synchronous=NORMAL")
            # Opening an existing cache takes no write lock (WAL readers never wait), so a process joining
            # a busy cache cannot be starved by the writers already there.
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "responses" not in tables:
                conn.execute(_SCHEMA)
            if "derived" not in tables:  # a cache written before derived results were kept
                conn.execute(_DERIVED_SCHEMA)
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def get(self, key: str) -> dict[str, Any] | None:
        row = self._conn().execute("SELECT response FROM responses WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        value: dict[str, Any] = json.loads(row[0])
        return value

    def put(self, key: str, response: dict[str, Any]) -> bool:
        """Store a successful response; False when it was not stored (already there, or a
        ``content_filter`` answer, which must be asked again rather than replayed)."""
        if not _storable(response):
            return False
        cursor = self._conn().execute(
            "INSERT OR IGNORE INTO responses (key, model, response, created) VALUES (?, ?, ?, ?)",
            _row(key, response),
        )
        return cursor.rowcount == 1

    def put_soon(self, key: str, response: dict[str, Any]) -> None:
        """:meth:`put` from the event loop, written at the start of the loop's next iteration together
        with every other answer that came back in this one: one transaction (one WAL append) for a burst
        of answers instead of one each. The entry is on disk before any work the caller starts after
        it gets a turn of the loop (a multi-turn item's next turn, the record of the answer)."""
        self._soon.append((key, response))
        if len(self._soon) == 1:
            asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        """Write the entries :meth:`put_soon` holds, in one transaction."""
        batch, self._soon = self._soon, []
        rows = [_row(key, response) for key, response in batch if _storable(response)]
        if not rows:
            return
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(
                "INSERT OR IGNORE INTO responses (key, model, response, created) VALUES (?, ?, ?, ?)", rows
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def get_derived(self, key: str) -> dict[str, Any] | None:
        """A derived result stored under ``key`` (the hash of its inputs), or None."""
        row = self._conn().execute("SELECT value FROM derived WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        value: dict[str, Any] = json.loads(row[0])
        return value

    def put_derived(self, key: str, kind: str, value: dict[str, Any]) -> None:
        """Store a derived result (``kind`` says what it is, e.g. ``audit``) under the hash of its inputs."""
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        self._conn().execute(
            "INSERT OR REPLACE INTO derived (key, kind, value, created) VALUES (?, ?, ?, ?)",
            (key, kind, text, time.time()),
        )

    def __len__(self) -> int:
        return int(self._conn().execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def stats(self) -> CacheStats:
        rows = self._conn().execute("SELECT model, COUNT(*) FROM responses GROUP BY model ORDER BY model")
        by_model = {str(model): int(n) for model, n in rows}
        size = sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists())
        return CacheStats(self.path, sum(by_model.values()), size, by_model)

    def clear(self) -> int:
        """Delete every entry; returns how many there were. The file is kept (other processes may
        hold it open) and compacted."""
        conn = self._conn()
        removed = conn.execute("DELETE FROM responses").rowcount
        conn.execute("DELETE FROM derived")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
        return int(removed)

    def integrity_check(self) -> str:
        """``ok`` when SQLite finds the file sound."""
        return str(self._conn().execute("PRAGMA integrity_check").fetchone()[0])

    def close(self) -> None:
        preparing, self._preparing = self._preparing, None
        if preparing is not None:
            preparing.join()
        if self._soon:
            self.flush()
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "pid", None) == os.getpid():
            conn.close()
        self._local.conn = None


def _storable(response: dict[str, Any]) -> bool:
    """Errors never reach the cache; neither does a ``content_filter`` answer (asked again, not replayed)."""
    choices = response.get("choices") or []
    return not any(isinstance(c, dict) and c.get("finish_reason") == "content_filter" for c in choices)


def _row(key: str, response: dict[str, Any]) -> tuple[str, str, str, float]:
    text = json.dumps(response, separators=(",", ":"), ensure_ascii=False)
    return key, str(response.get("model", "")), text, time.time()
