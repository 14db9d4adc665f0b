"""``harness audit --canary``: run null-model submissions through the real judge pipeline (docs/audit.md, D9).

Why: the detectors look at outputs; the canary looks at the *judge configuration*. A constant answer
that wins against the configured judge means every leaderboard figure of that configuration can be
bought without a model. Each canary kind (:mod:`harness.audit.canary_attacks`) is answered to the first
``limit`` items and judged by :func:`harness.pipeline.execute`, the same code as ``harness score``
(``copy_outputs_from``: no generation), once with the prompt hardening off and once on; scoring runs
with ``on_flag="keep"`` so that the figure is what the judge gave, not what the audit policy made of it.

The verdict looks at the hardening under test (``gate``): ``off`` unless ``--harden`` was given. A
canary whose headline figure is above its floor fails the check. Default floors: win rate / LC win
rate / Bradley-Terry 5 (percent), MT-Bench 2 (rating), WB-Score -80 (the WB_score scale: every answer rated 1).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from harness.audit.canary_attacks import canary_text
from harness.pipeline.runner import RunOptions, execute, load_items
from harness.records import Item, Output
from harness.run.config import JudgeSet, RunConfig
from harness.run.data import load_run
from harness.run.statistic import fallback
from harness.scoring.evaluate import statistic_of
from harness.store import RunStore

Setting = Literal["off", "on"]


@dataclass(frozen=True)
class CanaryRow:
    """One canary kind under one hardening setting: its headline figure against the floor."""

    kind: str
    hardening: Setting
    modes: tuple[str, ...]
    metric: str
    value: float | None
    floor: float
    n_scored: int
    n_unscored: int
    unscored_reasons: dict[str, int]
    flagged: int  # items the audit flagged (kept: the canary measures the judge)
    run_dir: str

    @property
    def exceeds(self) -> bool:
        return self.value is not None and self.value > self.floor


@dataclass
class CanaryReport:
    benchmark: str
    judge: str
    judge_config: str
    n_items: int
    gate: Setting
    rows: list[CanaryRow] = field(default_factory=list)

    @property
    def failing(self) -> list[CanaryRow]:
        return [r for r in self.rows if r.hardening == self.gate and r.exceeds]

    @property
    def verdict(self) -> str:
        return "fail" if self.failing else "pass"

    def to_dict(self) -> dict[str, Any]:
        rows = [asdict(r) | {"exceeds": r.exceeds} for r in self.rows]
        head = {k: v for k, v in asdict(self).items() if k != "rows"}
        return head | {"verdict": self.verdict, "rows": rows}


def canary_outputs(items: list[Item], text: str, model: str) -> list[Output]:
    """The same text as every turn of every item: a null model."""
    return [Output(item_id=i.item_id, model=model, turns=[text] * max(1, len(i.turns))) for i in items]


def _headline(report: dict[str, Any], run_dir: Path) -> dict[str, Any]:
    """The run's headline figure; when the benchmark's statistic cannot give one (a Bradley-Terry fit with
    no finite MLE because the canary lost or won every game, LC without its difficulty file), the plain
    statistic of the judge's protocol (win rate or mean rating) over the same judgments, so that a canary
    that wins everything is still measured."""
    scores = report["scores"]
    head = next((s for s in scores if s.get("extra", {}).get("headline")), scores[0])
    if head.get("value") is not None:
        return dict(head)
    plain = fallback(load_run(run_dir)).scores[0]
    if plain.value is None:
        return dict(head)
    return {
        "metric": f"{plain.metric} ({head['metric']} n/a)",
        "value": plain.value,
        "n_scored": plain.n_scored,
        "n_unscored": plain.n_unscored,
        "unscored_reasons": dict(plain.unscored_reasons),
    }


def run_canary(
    base: RunConfig,
    kinds: tuple[str, ...],
    modes: tuple[str, ...],
    gate: Setting,
    floor: float | None,
    work_dir: Path,
    options: RunOptions,
) -> CanaryReport:
    """Judge every canary kind with hardening off and on (``modes``) under ``base`` (whose model fields
    are ignored); the run directories stay under ``work_dir`` (resumable, inspectable)."""
    limit_floor = statistic_of(base).canary_floor if floor is None else floor
    options = replace(options, effect=replace(options.effect, enabled=False))  # it measures the judge alone
    items = load_items(base, options)
    judge = JudgeSet(base).base
    report = CanaryReport(base.benchmark, base.judge, base.judge_config, len(items), gate)
    for kind in kinds:
        name = f"canary-{kind}"
        source = work_dir / f"{kind}-outputs"
        store = RunStore(source)
        if not store.load("outputs", Output):
            store.append_many("outputs", list(canary_outputs(items, canary_text(kind, judge), name)))
        store.close()
        settings: tuple[tuple[Setting, tuple[str, ...]], ...] = (("off", ()), ("on", modes))
        for setting, hardening in settings:
            config = replace(
                base, model_name=name, hardening=hardening, on_flag="keep", source_run=str(source)
            )
            run_dir = work_dir / f"{kind}-harden-{setting}"
            outcome = execute("canary", config, items, run_dir, options, copy_outputs_from=source)
            head = _headline(outcome.report, run_dir)
            value = head.get("value")
            report.rows.append(
                CanaryRow(
                    kind, setting, hardening, head["metric"],
                    None if value is None or not math.isfinite(value) else float(value),
                    limit_floor, head["n_scored"], head["n_unscored"], dict(head["unscored_reasons"]),
                    int(outcome.report["coverage"].get("flagged", 0)), str(run_dir),
                )
            )  # fmt: skip
    return report


def render_text(report: CanaryReport) -> str:
    lines = [
        f"canary {report.verdict.upper()}: {report.benchmark}, judge {report.judge_config} on {report.judge}, "
        f"{report.n_items} items; verdict on hardening {report.gate}",
        f"{'kind':<12} {'hardening':<22} {'metric':<26} {'value':>8} {'floor':>7} {'scored':>6} "
        f"{'unscored':>8} {'flagged':>7}",
    ]
    for r in report.rows:
        setting = r.hardening + (f" ({','.join(r.modes)})" if r.modes else "")
        value = "n/a" if r.value is None else f"{r.value:.2f}"
        mark = "  ABOVE FLOOR" if r.exceeds else ""
        lines.append(
            f"{r.kind:<12} {setting:<22} {r.metric:<26} {value:>8} {r.floor:>7.2f} {r.n_scored:>6} "
            f"{r.n_unscored:>8} {r.flagged:>7}{mark}"
        )
    for r in report.failing:
        lines.append(f"FAIL: the {r.kind} canary scores {r.value:.2f} > floor {r.floor:.2f} ({r.run_dir})")
    return "\n".join(lines)


def render_json(report: CanaryReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False)


def render_junit(report: CanaryReport) -> str:
    """One test case per canary kind and hardening setting; a case fails when its figure is above the
    floor under the hardening the verdict looks at."""
    from xml.etree import ElementTree as ET

    suite = ET.Element("testsuite", name="harness-canary", hostname=report.benchmark)
    failing = {id(r) for r in report.failing}
    for r in report.rows:
        case = ET.SubElement(
            suite, "testcase", classname=f"canary.{report.benchmark}", name=f"{r.kind}-harden-{r.hardening}"
        )
        value = "n/a" if r.value is None else f"{r.value:.2f}"
        text = f"{r.metric} {value} (floor {r.floor:.2f}, scored {r.n_scored}, unscored {r.n_unscored})"
        if id(r) in failing:
            ET.SubElement(case, "failure", message=f"above floor: {text}", type="canary").text = r.run_dir
        else:
            ET.SubElement(case, "system-out").text = text
    suite.set("tests", str(len(report.rows)))
    suite.set("failures", str(len(failing)))
    root = ET.Element("testsuites", tests=str(len(report.rows)), failures=str(len(failing)))
    root.append(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def render_github(report: CanaryReport) -> str:
    """GitHub Actions workflow commands: an ``::error`` per canary above its floor, a ``::notice`` else."""
    lines = []
    for r in report.rows:
        value = "n/a" if r.value is None else f"{r.value:.2f}"
        level = "error" if r in report.failing else "notice"
        lines.append(
            f"::{level} title=canary {r.kind} (hardening {r.hardening})::{report.benchmark} {r.metric} "
            f"{value}, floor {r.floor:.2f}"
        )
    lines.append(f"canary {report.verdict.upper()}: {report.benchmark}, judge {report.judge_config}")
    return "\n".join(lines)


CANARY_RENDERERS = {"text": render_text, "json": render_json, "junit": render_junit, "github": render_github}
