"""The effect check's likely spans (:func:`harness.pipeline.effect.presample`), computed by a worker process
(:mod:`harness.pipeline.worker`) while the judge answers.

Why: when ``harness judge`` finds the audit of its outputs in the cache, no audit worker runs, and the
effect check's selection was the largest CPU cost left after the judge calls (the spans of the items its
seeded sample draws first: canonical text, hidden channels, candidate sentences, isolated text). Those
spans depend on the outputs, the effect options and the seed only, all known before the first judge call,
so a worker computes them on the other core from the run directory's records (the same items and finished
outputs the effect stage reads) and the effect stage takes them as the audit workers' path takes its own
:func:`~harness.pipeline.effect.presample` (same function, same inputs). A worker that cannot deliver
leaves the stage to compute them, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.pipeline.audit_file import audit_items
from harness.pipeline.effect_file import EffectOptions
from harness.pipeline.worker import Worker
from harness.records import Item, Output
from harness.registry import Lazy
from harness.store import RunStore, is_final

if TYPE_CHECKING:
    from harness.pipeline.effect_spans import Span

# the span finders load in the worker, not with this module (the judge's event loop spawns it)
PRESAMPLE = Lazy("harness.pipeline.effect:presample")


@dataclass(frozen=True)
class PresampleJob:
    """:func:`~harness.pipeline.effect.presample` over the run directory's items (``item_ids``) and the
    finished outputs of ``model``, as a worker's job."""

    run_dir: Path
    item_ids: tuple[str, ...]
    model: str
    options: EffectOptions
    seed: int

    def run(self) -> dict[str, list[Span]]:
        store = RunStore(self.run_dir)
        wanted = set(self.item_ids)
        items = [item for item in store.load("items", Item) if item.item_id in wanted]
        outputs = {
            o.item_id: o for o in store.load("outputs", Output) if o.model == self.model and is_final(o)
        }
        spans: dict[str, list[Span]] = PRESAMPLE.load()(
            {a.item_id: a for a in audit_items(items, outputs)}, self.options, self.seed
        )
        return spans


def spawn_presample(
    run_dir: Path, items: list[Item], model: str, options: EffectOptions, seed: int
) -> Worker:
    """A worker computing the run's presampled spans now (its records are stored: run.json, items, outputs)."""
    worker = Worker.spawn(["harness.pipeline.effect"])
    worker.submit([PresampleJob(run_dir, tuple(i.item_id for i in items), model, options, seed)])
    return worker


def presampled(worker: Worker) -> dict[str, list[Span]] | None:
    """The worker's spans, or None when it could not deliver them."""
    spans: Any = worker.result(0)
    return spans if isinstance(spans, dict) else None
