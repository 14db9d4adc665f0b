"""The one way the harness replaces a whole file: write a temporary file beside it, fsync it, rename it.

A reader (another process, a resumed run, a crash-restart) sees either the old file or the new one, never
a half-written one: ``os.replace`` is atomic on POSIX and Windows when both paths are on one file system,
which a temporary file in the same folder guarantees. The temporary name carries the process id, so two
processes writing the same target never share a temporary file. Append-only records (``outputs.jsonl``,
``judgments.jsonl``) are not replaced but appended and fsync'ed, in :mod:`harness.store`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def replace_with(path: Path, write: Callable[[Path], object]) -> Path:
    """``write(tmp)`` fills a temporary file (any writer: pandas, pyarrow, matplotlib), which is then
    fsync'ed and renamed onto ``path``; on an error the temporary file is removed and ``path`` untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp(path)
    try:
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_bytes(path: Path, data: bytes) -> Path:
    return replace_with(path, lambda tmp: tmp.write_bytes(data))


def write_text(path: Path, text: str) -> Path:
    """``text`` as UTF-8 (newlines as given: no platform translation)."""
    return write_bytes(path, text.encode("utf-8"))
