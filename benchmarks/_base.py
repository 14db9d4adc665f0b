"""What every benchmark adapter declares and the one ``load`` path they share.

An adapter is a :class:`Benchmark` subclass with a frozen :class:`BenchmarkSpec` (name, versions, item
counts, pinned source, default judge, baselines, headline statistic) and two readers: one for a local
file or directory (``--data PATH``) and one for the pinned upstream source. ``Benchmark.load`` picks the
reader, then checks what every benchmark needs (ids unique and non-empty, every item has turns, the
upstream item count) so that a truncated or doubled download is refused with a one-line reason instead
of silently producing a different benchmark (docs/benchmarks.md).
"""

from __future__ import annotations

import difflib
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from benchmarks._board import BoardInputs, BoardOptions, OfficialBoard, UpstreamFormat
from harness.answers import AnswerFormat, read_answers
from harness.client import SamplingParams
from harness.errors import BadInput
from harness.records import Item, Output
from harness.table import Leaderboard


@dataclass(frozen=True)
class VersionSpec:
    """One version of a benchmark: its size, where it comes from, and how it is judged by default.

    ``source`` is a display string (``hub-id@revision`` or ``github:owner/repo@commit``); the adapter
    holds the actual URLs. ``default_judge`` names a judge config of ``judges/`` (e.g.
    ``"arena_hard_v0.1"``); ``statistic`` names the registered statistic (``harness.run.registry``) that makes the
    headline number; ``baselines`` are the models whose answers the judge compares against.
    """

    name: str
    n_items: int
    source: str
    default_judge: str
    statistic: str
    baselines: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class BenchmarkSpec:
    name: str
    description: str
    versions: tuple[VersionSpec, ...]
    generation: str  # the upstream generation settings, in words (the values are in ``sampling``)
    # its audit grammar: a "module:object" reference to a harness.audit.grammar.BenchmarkAudit ("": none)
    audit: str = ""

    @property
    def default_version(self) -> VersionSpec:
        return self.versions[0]

    def version(self, name: str | None) -> VersionSpec:
        """The named version (``None``: the default, listed first); an unknown name gets suggestions."""
        if name is None:
            return self.default_version
        for version in self.versions:
            if version.name == name:
                return version
        known = [v.name for v in self.versions]
        close = difflib.get_close_matches(name, known, n=2, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise BadInput("version", f"unknown {self.name} version {name!r}{hint} (known: {', '.join(known)})")


class Benchmark(ABC):
    """Base of the adapters. Subclasses set ``spec`` and implement the two readers.

    ``upstream_formats`` lists the layouts of upstream judgment files that :meth:`leaderboard` reads
    (``harness leaderboard BENCHMARK --from FILE``); none by default: a board from run directories only.
    ``official_boards`` are the published boards rebuilt from pinned upstream files into ``results/``;
    ``unbuilt_boards`` names published boards that are not, with the reason. ``answer_formats`` are the
    layouts of upstream answer files that :meth:`load_outputs` reads.
    """

    spec: ClassVar[BenchmarkSpec]
    upstream_formats: ClassVar[tuple[UpstreamFormat, ...]] = ()
    official_boards: ClassVar[tuple[OfficialBoard, ...]] = ()
    answer_formats: ClassVar[tuple[AnswerFormat, ...]] = ()
    unbuilt_boards: ClassVar[Mapping[str, str]] = {}

    def load(
        self,
        data: Path | str | None = None,
        *,
        version: str | None = None,
        limit: int | None = None,
        check_count: bool = True,
    ) -> list[Item]:
        """Items of ``version`` from ``data`` (a local file or directory) or from the pinned source.

        ``check_count=False`` accepts a subset (a hand-made fixture, a user's slice); by default the
        upstream count must match exactly. ``limit`` keeps the first N items after validation.
        """
        spec = self.spec.version(version)
        if data is not None:
            path = Path(data)
            if not path.exists():
                raise BadInput(str(path), "no such file or directory")
            items = self.load_local(path, spec)
            where = str(path)
        else:
            items = self.load_hub(spec)
            where = spec.source
        validate_items(items, where, expected=spec.n_items if check_count else None)
        if limit is not None:
            if limit < 1:
                raise BadInput("limit", f"must be a positive number of items, got {limit}")
            items = items[:limit]
        return items

    @abstractmethod
    def load_local(self, path: Path, version: VersionSpec) -> list[Item]:
        """Items from a local file or directory in the upstream layout."""

    @abstractmethod
    def load_hub(self, version: VersionSpec) -> list[Item]:
        """Items from the pinned upstream source (network; cached by ``datasets``)."""

    @abstractmethod
    def sampling(self, item: Item) -> SamplingParams:
        """The upstream generation settings for the model under test on ``item``."""

    def load_outputs(self, path: Path, items: list[Item]) -> list[Output]:
        """A model's answers to ``items`` from an upstream answer file in one of ``answer_formats``
        (detected from its first row), paired by id.

        AlpacaEval-format benchmarks override this to pair by instruction text, as upstream does.
        """
        if not self.answer_formats:
            raise BadInput(str(path), f"{self.spec.name} reads no upstream answer file; pass a run directory")
        return read_answers(path, self.answer_formats)

    def baselines_for(self, item: Item) -> tuple[str, ...]:
        """The baseline models ``item`` is compared against (Arena-Hard v2.0 depends on the category)."""
        return self.spec.version(item.version or None).baselines

    def leaderboard(self, inputs: BoardInputs, opts: BoardOptions) -> Leaderboard | None:
        """The board of upstream files (by format) and run directories, in this benchmark's own columns;
        None (the default): the generic board of run directories, each run's headline Score with its
        other figures as columns (``harness.leaderboard.builders.from_runs``)."""
        return None

    def uses_length_margin(self, judge_config: str) -> bool:
        """Whether a length margin K (``harness score --wb-k``, WildBench's length penalty) applies to
        this benchmark judged by ``judge_config``; none does by default."""
        return False


def validate_items(items: list[Item], where: str, *, expected: int | None) -> None:
    """Checks every benchmark shares: count, unique non-empty ids, non-empty turns."""
    if not items:
        raise BadInput(where, "no items")
    duplicates = [item_id for item_id, n in Counter(i.item_id for i in items).items() if n > 1]
    if duplicates:  # checked before the count: a doubled row is the more specific diagnosis
        raise BadInput(where, f"duplicate item id {duplicates[0]!r} ({len(duplicates)} duplicated ids)")
    if expected is not None and len(items) != expected:
        raise BadInput(where, f"expected {expected} items, found {len(items)}")
    for item in items:
        if not item.item_id.strip():
            raise BadInput(where, "an item has an empty id")
        if not item.turns or any(not t.strip() for t in item.turns):
            raise BadInput(where, f"item {item.item_id!r} has an empty user turn")


def pair_outputs(
    items: list[Item], outputs: list[Output], where: str, *, allow_missing: bool = False
) -> list[tuple[Item, Output]]:
    """(item, output) pairs in item order, refusing answers that cannot belong to these items.

    An answer for an unknown id, a second answer for an item, or an answer with a different number of
    turns than the item (MT-Bench has 2) is an error naming ``where``. A missing answer is an error
    unless ``allow_missing`` (the judge stage then reports the gap instead of scoring it as a loss).
    """
    by_id: dict[str, Output] = {}
    known = {item.item_id for item in items}
    for output in outputs:
        if output.item_id not in known:
            raise BadInput(where, f"answer for unknown item {output.item_id!r}")
        if output.item_id in by_id:
            raise BadInput(where, f"two answers for item {output.item_id!r}")
        by_id[output.item_id] = output
    pairs: list[tuple[Item, Output]] = []
    for item in items:
        answer = by_id.get(item.item_id)
        if answer is None:
            if allow_missing:
                continue
            raise BadInput(where, f"no answer for item {item.item_id!r} ({len(items) - len(by_id)} missing)")
        if len(answer.turns) != len(item.turns):
            raise BadInput(
                where, f"item {item.item_id!r} has {len(item.turns)} turns, the answer {len(answer.turns)}"
            )
        pairs.append((item, answer))
    return pairs
