"""What ``harness view`` shows, read from run directories: one :class:`RunView` per run, one
:class:`ItemView` per item.

Pure over the run directory (``run.json``, ``items.jsonl``, ``outputs.jsonl``, ``judgments.jsonl``,
``report.json``, ``audit.json``): nothing is recomputed that the report already holds, and nothing is
asked of a model. Per item the judgments are grouped by (opponent, turn) into a :class:`PairView` with
one game per order, so the two orders of a pair sit side by side with the pair's position consistency:
both orders scored and on the same side of the scale's midpoint (the rule of ``report.json``'s
``position_consistency``). An item's ``verdict`` is the side of the mean model-frame value over its pairs
(``win``/``tie``/``loss``), ``rated`` for a single-answer judge (and for a TICK run, valued by the pass
rate), ``unscored`` when nothing was scored; it is taken after the run's ``--on-flag`` policy, as the report counts it, while each game shows the
judge's own verdict.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import BadInput
from harness.records import Item, Judgment, Output
from harness.run.data import MIDPOINT, load_run, pair_units
from harness.run.on_flag import apply_on_flag
from harness.store import RunStore
from judges.position import side

SEVERITY_RANK = {"none": 0, "warn": 1, "flag": 2}


@dataclass(frozen=True)
class Finding:
    """One audit hit on an item, with the span of the answer that triggered it (if the detector has one)."""

    detector: str
    severity: str
    message: str
    turn: int | None = None  # 0-based turn of the model's answer
    start: int | None = None
    end: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class PairView:
    """The games of one (opponent, turn): one judgment per order, or one for a single-answer judge."""

    opponent: str | None
    turn: int | None
    games: list[Judgment]
    consistent: bool | None  # None unless both orders were scored


@dataclass
class ItemView:
    item_id: str
    category: str | None
    instruction: list[str] | None  # the user turns; None when the run did not store its items
    answer: list[str] | None  # the model's turns; None when it has no finished output
    answer_error: str | None
    opponents: dict[str, list[str]]  # opponent name -> its turns
    pairs: list[PairView]
    checklist: list[Judgment]
    findings: list[Finding]
    verdict: str
    value: float | None  # mean model-frame value (pairwise) or mean rating (single)
    flag: str  # worst audit severity: none, warn or flag
    policy: str | None = None  # the --on-flag policy that changed this item's judgments, if any

    @property
    def length(self) -> int:
        return sum(len(t) for t in self.answer or [])


@dataclass
class RunView:
    run_dir: Path
    benchmark: str
    model: str
    judge: str
    config: dict[str, Any]
    report: dict[str, Any] | None  # report.json, None for a run not yet scored
    audit: dict[str, Any] | None
    items: list[ItemView] = field(default_factory=list)

    @property
    def headline(self) -> dict[str, Any] | None:
        scores = (self.report or {}).get("scores", [])
        return next((s for s in scores if s.get("extra", {}).get("headline")), scores[0] if scores else None)


def _read_json(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BadInput(str(path), f"not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise BadInput(str(path), "not a JSON object")
    return doc


def _findings(audit: dict[str, Any] | None) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = defaultdict(list)
    for f in (audit or {}).get("findings", []):
        ev = f.get("evidence") or {}
        out[str(f["item_id"])].append(
            Finding(f["detector"], f["severity"], f["message"], ev.get("turn"), ev.get("start"),
                    ev.get("end"), ev.get("text"))
        )  # fmt: skip
    return out


def _pairs(judgments: list[Judgment]) -> list[PairView]:
    groups: dict[tuple[str | None, int | None], list[Judgment]] = defaultdict(list)
    for j in judgments:
        groups[(j.opponent, j.turn)].append(j)
    consistent = {
        (u.opponent, u.turn): (
            side(u.by_order["baseline_first"], MIDPOINT.get(u.scale, 0.0))
            == side(u.by_order["model_first"], MIDPOINT.get(u.scale, 0.0))
        )
        for u in pair_units(judgments)
        if len(u.by_order) == 2
    }
    order_rank = {"baseline_first": 0, "model_first": 1}
    return [
        PairView(
            opponent,
            turn,
            sorted(games, key=lambda g: order_rank.get(str(g.order), 2)),
            consistent.get((str(opponent), turn)),
        )
        for (opponent, turn), games in sorted(groups.items(), key=lambda kv: (str(kv[0][0]), kv[0][1] or 0))
    ]


def _verdict(pairs: list[PairView]) -> tuple[str, float | None]:
    scored = [g for p in pairs for g in p.games if g.status == "scored" and g.score is not None]
    if not scored:
        return "unscored", None
    value = sum(float(g.score) for g in scored if g.score is not None) / len(scored)
    if all(g.protocol == "single" for g in scored):
        return "rated", value
    mid = MIDPOINT.get(str(scored[0].metadata.get("scale", "signed")), 0.0)
    return {1: "win", 0: "tie", -1: "loss"}[side(value, mid)], value


def _items(run_dir: Path) -> dict[str, Item]:
    return {i.item_id: i for i in RunStore(run_dir).load("items", Item)}


def collect_run(run_dir: Path) -> RunView:
    """Read one run directory (``BadInput`` naming the file when it is not one)."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise BadInput(str(run_dir), "not a directory")
    data = load_run(run_dir)
    audit = _read_json(run_dir / "audit.json")
    report = _read_json(run_dir / "report.json")
    items = _items(run_dir)
    failed = {
        o.item_id: o.error
        for o in RunStore(run_dir).load("outputs", Output)
        if o.model == data.config.model_name and o.error
    }
    by_item: dict[str, list[Judgment]] = defaultdict(list)
    for j in data.judgments:
        by_item[j.item_id].append(j)
    counted: dict[str, list[Judgment]] = defaultdict(list)
    for j in apply_on_flag(data.judgments, data.flagged, data.config.on_flag):
        counted[j.item_id].append(j)
    findings = _findings(audit)
    flagged = set((audit or {}).get("flagged", []))
    view = RunView(
        run_dir, data.config.benchmark, data.config.model_name,
        f"{data.config.judge_config}@{data.config.judge_model}", data.config.to_json(), report, audit,
    )  # fmt: skip
    for item_id in data.item_ids:
        item = items.get(item_id)
        judgments = by_item.get(item_id, [])
        pairs = _pairs([j for j in judgments if j.protocol != "checklist"])
        verdict, value = _verdict(_pairs([j for j in counted.get(item_id, []) if j.protocol != "checklist"]))
        answered = [j for j in judgments if j.protocol == "checklist" and j.status == "scored"]
        if not pairs and answered:  # a TICK run: the item's pass rate
            verdict, value = "rated", sum(j.score == 1.0 for j in answered) / len(answered)
        hits = findings.get(item_id, [])
        worst = max((f.severity for f in hits), key=lambda s: SEVERITY_RANK.get(s, 0), default="none")
        output = data.outputs.get(item_id)
        category = item.category if item is not None else None
        if category is None:
            category = next(
                (str(j.metadata["category"]) for j in judgments if "category" in j.metadata), None
            )
        view.items.append(
            ItemView(
                item_id=item_id,
                category=category,
                instruction=list(item.turns) if item is not None else None,
                answer=list(output.turns) if output is not None else None,
                answer_error=failed.get(item_id),
                opponents={
                    name: list(o.turns) for (iid, name), o in sorted(data.baselines.items()) if iid == item_id
                },
                pairs=pairs,
                checklist=sorted(
                    (j for j in judgments if j.protocol == "checklist"),
                    key=lambda j: int(j.metadata.get("question_index", 0)),
                ),
                findings=hits,
                verdict=verdict,
                value=value,
                flag="flag" if item_id in flagged else worst,
                policy=data.config.on_flag
                if item_id in data.flagged and data.config.on_flag != "keep"
                else None,
            )
        )
    return view


def collect(run_dirs: list[Path]) -> list[RunView]:
    if not run_dirs:
        raise BadInput("RUN_DIR", "give at least one run directory")
    return [collect_run(d) for d in run_dirs]
