"""Upstream input files of the committed leaderboards, pinned by repository, commit and git blob id.

A :class:`~benchmarks.Source` names one file of a public GitHub repository at a commit, and the git blob id of its
bytes (``git hash-object``). The blob id makes any local copy checkable wherever it lives: ``--data-root
DIR`` is searched by content, not by path, so a mirror in any layout works (file names of mirrors often
differ from upstream's), and ``--online`` downloads the raw file at the commit through the project's one
fetch module and refuses bytes whose blob id differs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from benchmarks import Source
from benchmarks._hub import fetch_url, github_raw
from harness.errors import BadInput

MAX_INDEXED_BYTES = 512 * 1024 * 1024  # larger files under --data-root are not hashed


def git_blob_id(data: bytes) -> str:
    """The id git gives a file's bytes: sha1 of ``b"blob <size>\\0" + data``."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class SourceIndex:
    """Local copies of pinned sources, found by blob id under a data root (built once, lazily)."""

    def __init__(self, data_root: Path | None) -> None:
        self.data_root = data_root
        self._by_blob: dict[str, Path] | None = None

    def _index(self) -> dict[str, Path]:
        if self._by_blob is None:
            self._by_blob = {}
            if self.data_root is not None:
                if not self.data_root.is_dir():
                    raise BadInput("--data-root", f"{self.data_root} is not a directory")
                for path in sorted(self.data_root.rglob("*")):
                    if path.is_file() and path.stat().st_size <= MAX_INDEXED_BYTES:
                        self._by_blob.setdefault(git_blob_id(path.read_bytes()), path)
        return self._by_blob

    def local(self, source: Source) -> Path | None:
        return self._index().get(source.blob)

    def resolve(self, source: Source, *, online: bool) -> Path | None:
        """A verified local path of ``source``: from the data root, else downloaded when ``online``;
        None when neither has it."""
        found = self.local(source)
        if found is not None or not online:
            return found
        path = fetch_url(github_raw(source.repo, source.commit, source.path))
        actual = git_blob_id(path.read_bytes())
        if actual != source.blob:
            raise BadInput(source.label, f"downloaded bytes have blob {actual}, expected {source.blob}")
        return path

    def resolve_all(self, sources: Iterable[Source], *, online: bool) -> tuple[list[Path], list[Source]]:
        """(paths found, sources missing), paths in the order of ``sources``."""
        paths: list[Path] = []
        missing: list[Source] = []
        for source in sources:
            path = self.resolve(source, online=online)
            if path is None:
                missing.append(source)
            else:
                paths.append(path)
        return paths, missing
