"""A run directory's records as scoring reads them, and the small helpers every statistic shares.

:class:`RunData` is the config plus the *final* records (the model's finished outputs, the baselines'
answers, this model's judgments); :class:`PairUnit` is one (item, opponent, turn) with the model-frame
values of its scored games. :func:`make_score` and :func:`unscored_counts` build the Score records, so that
every figure counts its unscored judgments by reason the same way (an item without an output is
``no_output``, never a loss).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import BadInput
from harness.records import Checklist, Judgment, Output, Score
from harness.run.config import RunConfig
from harness.run.on_flag import read_disqualified, read_flags
from harness.store import RunStore, is_final
from judges.position import side

MIDPOINT = {"signed": 0.0, "preference": 1.5}


@dataclass
class RunData:
    """What scoring reads: the config, the expected item ids and the final records."""

    config: RunConfig
    item_ids: list[str]
    outputs: dict[str, Output]  # the model's finished outputs by item id
    baselines: dict[tuple[str, str], Output]  # (item_id, baseline) -> its answer
    judgments: list[Judgment]
    output_errors: int = 0
    flagged: frozenset[str] = frozenset()  # item ids the audit flagged (``audit.json``)
    disqualified: tuple[str, ...] = ()  # submission-level audit failures (``audit.json``)
    checklists: dict[str, Checklist] = field(default_factory=dict)  # TICK: each item's stored checklist


def load_run(run_dir: str | Path) -> RunData:
    store = RunStore(run_dir)
    info = store.read_run_json()
    if info is None:
        raise BadInput(str(run_dir), "no run.json: not a harness run directory")
    config = RunConfig.from_json(info.config, str(store.run_json))
    item_ids = [str(i) for i in info.dataset.get("item_ids", [])]
    outputs: dict[str, Output] = {}
    baselines: dict[tuple[str, str], Output] = {}
    errors = 0
    for output in store.load("outputs", Output):
        if output.model == config.model_name:
            if is_final(output):
                outputs[output.item_id] = output
            else:
                errors += 1
        else:
            baselines[(output.item_id, output.model)] = output
    # Judgments are appended in completion order, which concurrency makes vary run to run; statistics (the
    # bootstrap's resampling above all) see them in one canonical order so a report is reproducible.
    judgments = sorted(
        (j for j in store.load("judgments", Judgment) if j.model == config.model_name),
        key=lambda j: (j.item_id, j.turn or 0, str(j.opponent), str(j.order), j.judge),
    )
    if not item_ids:
        item_ids = list(outputs)
    checklists = {c.item_id: c for c in store.load("checklists", Checklist) if is_final(c)}
    return RunData(
        config, item_ids, outputs, baselines, judgments, errors, read_flags(Path(run_dir)),
        read_disqualified(Path(run_dir)), checklists,
    )  # fmt: skip


def is_pairwise(data: RunData) -> bool:
    """Whether the run was judged pairwise (its judgments say so; a run without any judgment is not)."""
    return any(j.protocol == "pairwise" for j in data.judgments)


# ---- per-unit aggregation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PairUnit:
    """All games of one (item, opponent, turn): the model-frame values of the scored ones."""

    item_id: str
    opponent: str
    turn: int | None
    scale: str
    values: tuple[float, ...]
    by_order: dict[str, float]
    reasons: tuple[str, ...]

    @property
    def value(self) -> float | None:
        return sum(self.values) / len(self.values) if self.values else None

    @property
    def win(self) -> float | None:
        """Win probability of the model in [0, 1]: a preference minus 1, or win/tie/loss by side."""
        value = self.value
        if value is None:
            return None
        if self.scale == "preference":
            return value - 1.0
        return (side(value, 0.0) + 1) / 2


def pair_units(judgments: list[Judgment]) -> list[PairUnit]:
    groups: dict[tuple[str, str, int | None], list[Judgment]] = defaultdict(list)
    for j in judgments:
        if j.protocol == "pairwise":
            groups[(j.item_id, str(j.opponent), j.turn)].append(j)
    units = []
    for (item_id, opponent, turn), games in groups.items():
        scored = [g for g in games if g.status == "scored" and g.score is not None]
        scale = str(games[0].metadata.get("scale", "signed"))
        units.append(
            PairUnit(
                item_id,
                opponent,
                turn,
                scale,
                tuple(float(g.score) for g in scored if g.score is not None),
                {str(g.order): float(g.score) for g in scored if g.score is not None},
                tuple(str(g.reason or "unscored") for g in games if g not in scored),
            )
        )
    return units


def unit_reason(unit: PairUnit) -> str:
    return unit.reasons[0] if unit.reasons else "unscored"


def make_score(data: RunData, metric: str, value: float | None, **kw: Any) -> Score:
    extra = dict(kw.pop("extra", {}))
    if value is None or (isinstance(value, float) and math.isnan(value)):
        extra.setdefault("unavailable", "no scored judgment")
        value = math.nan
    return Score(
        benchmark=data.config.benchmark,
        model=data.config.model_name,
        metric=metric,
        value=float(value),
        judge=data.config.judge_config + "@" + data.config.judge_model,
        extra=extra,
        **kw,
    )


def unscored_counts(n_scored: int, reasons: list[str], data: RunData) -> dict[str, Any]:
    """n_scored, n_unscored and reasons, with items the model has no answer for as ``no_output``."""
    missing = [i for i in data.item_ids if i not in data.outputs]
    all_reasons = reasons + ["no_output"] * len(missing)
    return {
        "n_scored": n_scored,
        "n_unscored": len(all_reasons),
        "unscored_reasons": dict(Counter(all_reasons)),
    }
