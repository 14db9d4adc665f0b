"""One registry for everything a plugin can add: benchmarks, statistics, judge protocols, judge configs.

A :class:`Registry` maps a name to an object. An entry is either the object itself (``register``, a
decorator) or a lazy ``"module:object"`` reference (``add``), imported on first ``get``, so that listing
names imports nothing. A registry with an entry-point ``group`` also holds every entry point of that group
of the installed distributions, which is how a package outside this repository adds a benchmark or a
judge protocol without editing it (``docs/plugins.md``)::

    [project.entry-points."harness.benchmarks"]
    toy = "toy_bench:Toy"

Modelled on lm-evaluation-harness ``api/registry.py`` (suggestions for unknown names) and on the
entry-point plugins of pytest: each thing is registered in exactly one place (its lazy entry, its entry
point, or its decorator), a second registration of a name is an error, and an unknown name is answered
with the close matches.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from harness.errors import BadInput

T = TypeVar("T")


@dataclass(frozen=True)
class Lazy:
    """A ``"module:object"`` reference (``object`` may be dotted), imported on first use."""

    target: str
    origin: str = "built-in"  # or the distribution that declares the entry point

    def load(self) -> Any:
        module_name, _, attr = self.target.partition(":")
        obj: Any = importlib.import_module(module_name)
        for part in filter(None, attr.split(".")):
            obj = getattr(obj, part)
        return obj


# importlib.metadata (email, zipfile, csv: ~20 ms) loads with the first scan, not with this module: a
# command that asks no registry for a name (``harness generate``) never pays it
ENTRY_POINTS = Lazy("importlib.metadata:entry_points")


@functools.cache
def _installed_entry_points(path: tuple[str, ...]) -> Any:
    """Every entry point of the distributions on the import path ``path`` (``sys.path``), read once: one
    pass over the installed distributions' metadata (~10 ms with a few hundred installed) serves every
    registry, instead of one pass per registry. (``SelectableGroups`` on Python 3.11, ``EntryPoints``
    from 3.12: both answer ``select(group=...)`` as ``entry_points(group=...)`` does.)"""
    return ENTRY_POINTS.load()()


class Registry(Generic[T]):
    """Name -> object. ``kind`` is used in error messages ("unknown benchmark 'x'"); ``group`` is the
    entry-point group scanned (once, on first use) for entries from other installed packages; ``check``
    validates an object when it is loaded (a lazy entry naming the wrong thing is refused there)."""

    def __init__(
        self, kind: str, group: str | None = None, check: Callable[[str, Any], T] | None = None
    ) -> None:
        self.kind = kind
        self.group = group
        self._check = check
        self._items: dict[str, T | Lazy] = {}
        self._origins: dict[str, str] = {}  # name -> the distribution of an entry point
        self._scanned = group is None

    def register(self, name: str) -> Callable[[T], T]:
        def deco(obj: T) -> T:
            self._put(name, obj)
            return obj

        return deco

    def add(self, name: str, target: str, origin: str = "built-in") -> None:
        """A lazy entry: ``target`` is ``"module:object"``, imported when ``name`` is first asked for."""
        if ":" not in target:
            raise ValueError(f"{self.kind} {name!r}: lazy target must be 'module:object', got {target!r}")
        self._put(name, Lazy(target, origin))

    def _put(self, name: str, obj: T | Lazy) -> None:
        old = self._items.get(name)
        if old is not None and old is not obj and old != obj:
            raise ValueError(f"{self.kind} {name!r} registered twice")
        self._items[name] = obj

    def _scan(self) -> None:
        """Add the entry points of ``group`` (once). A plugin may not take a built-in's name."""
        if self._scanned:
            return
        self._scanned = True
        for ep in _installed_entry_points(tuple(sys.path)).select(group=str(self.group)):
            dist = ep.dist.name if ep.dist is not None else "an installed package"
            lazy = Lazy(ep.value, dist)
            old = self._items.get(ep.name)
            if old is not None and old != lazy:
                where = old.origin if isinstance(old, Lazy) else "built-in"
                raise BadInput(
                    f"entry point {self.group}:{ep.name}",
                    f"{dist} declares {self.kind} {ep.name!r}, already registered ({where})",
                )
            self._items[ep.name] = lazy
            self._origins[ep.name] = dist

    def get(self, name: str) -> T:
        self._scan()
        try:
            entry = self._items[name]
        except KeyError:
            raise BadInput(self.kind, self.unknown_message(name)) from None
        if not isinstance(entry, Lazy):
            return entry
        try:
            obj = entry.load()
        except (ImportError, AttributeError) as exc:
            raise BadInput(
                f"{self.kind} {name!r}", f"cannot load {entry.target} ({entry.origin}): {exc}"
            ) from None
        loaded: T = self._check(name, obj) if self._check is not None else obj
        self._items[name] = loaded
        return loaded

    def target(self, name: str) -> str | None:
        """The ``"module:object"`` of a lazy entry not loaded yet (what :meth:`get` would import), else
        None: a caller may have another process import it ahead."""
        self._scan()
        entry = self._items.get(name)
        return entry.target if isinstance(entry, Lazy) else None

    def origin(self, name: str) -> str:
        """Where an entry comes from: ``built-in`` or the distribution declaring its entry point."""
        self._scan()
        return self._origins.get(name, "built-in")

    def unknown_message(self, name: str) -> str:
        names = list(self)
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        known = ", ".join(names) or "none"
        return f"unknown {self.kind} {name!r}{hint} (known: {known})"

    def __contains__(self, name: object) -> bool:
        self._scan()
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        self._scan()
        return iter(sorted(self._items))

    def items(self) -> list[tuple[str, T]]:
        return [(name, self.get(name)) for name in self]
