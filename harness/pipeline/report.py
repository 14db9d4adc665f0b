"""The report of a run: ``report.json`` (every figure with interval and counts), ``report.md``, a rich table.

One document, three renderings, so that what is printed, what is stored and what ``--format json``
emits never disagree. Files are written to a temporary name and renamed (atomic): a crash leaves the old
report or the new one, never half of one. A figure that could not be computed is shown with its reason
("unavailable: ...") and a run whose every judgment is unscored still renders: the unscored counts by
reason are the finding.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness import atomic
from harness.pipeline.costs import RoleCost
from harness.pipeline.effect_file import summary_line
from harness.pipeline.guard import gate_line
from harness.provenance import now
from harness.records import Score

if TYPE_CHECKING:
    from harness.scoring.evaluate import RunResult

REPORT_VERSION = 1


def _finite(value: float | None) -> float | None:
    return None if value is None or (isinstance(value, float) and not math.isfinite(value)) else value


def json_safe(value: Any) -> Any:
    """NaN/inf become null: report.json and ``--format json`` stay strict JSON."""
    if isinstance(value, float):
        return _finite(value)
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def score_json(score: Score) -> dict[str, Any]:
    return dict(json_safe(score.model_dump(mode="python")))


def build_report(
    *,
    run_dir: Path,
    config: dict[str, Any],
    result: RunResult,
    costs: list[RoleCost],
    session: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The report document (what report.json holds and ``--format json`` prints)."""
    return json_safe(
        {
            "report_version": REPORT_VERSION,
            "created_at": now(),
            "run_dir": str(run_dir),
            "benchmark": config.get("benchmark"),
            "version": config.get("version"),
            "model": config.get("model_name"),
            "judge": f"{config.get('judge_config')}@{config.get('judge_model')}",
            "config": config,
            "scores": [score_json(s) for s in result.scores],
            "position_consistency": result.consistency,
            "coverage": result.coverage,
            "costs": [c.as_json() for c in costs],
            "session": session or {},
            "notes": result.notes,
        }
    )


def write_report(run_dir: Path, report: dict[str, Any]) -> tuple[Path, Path]:
    """report.json and report.md in ``run_dir``, each written atomically."""
    json_path, md_path = run_dir / "report.json", run_dir / "report.md"
    atomic.write_text(json_path, json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False) + "\n")
    atomic.write_text(md_path, render_markdown(report))
    return json_path, md_path


# ---- rendering ---------------------------------------------------------------------------------------


def fmt_value(score: dict[str, Any]) -> str:
    value = score.get("value")
    if value is None:
        return "unavailable"
    digits = 3 if score["metric"] == "position_consistency" else 2
    text = f"{value:.{digits}f}"
    low, high = score.get("ci_lower"), score.get("ci_upper")
    if low is not None and high is not None:
        level = score.get("extra", {}).get("level")
        text += f" [{low:.{digits}f}, {high:.{digits}f}]" + (f" ({round(level * 100)}%)" if level else "")
    elif score.get("standard_error") is not None:
        text += f" ± {score['standard_error']:.{digits}f} SE"
    return text


def fmt_reasons(score: dict[str, Any]) -> str:
    reasons = score.get("unscored_reasons") or {}
    return ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())) or "-"


def _rows(report: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for score in report["scores"]:
        name = score["metric"] + (" *" if score.get("extra", {}).get("headline") else "")
        note = score.get("extra", {}).get("unavailable", "")
        rows.append((name, fmt_value(score), str(score["n_scored"]), str(score["n_unscored"]), fmt_reasons(score) + (f" ({note})" if note else "")))  # fmt: skip
    return rows


def _cost_rows(report: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for c in report["costs"]:
        cost = "unknown price" if c["cost_usd"] is None else f"${c['cost_usd']:.4f}"
        rows.append((c["role"], c["endpoint"], str(c["prompt_tokens"]), str(c["completion_tokens"]), cost))
    return rows


def _title(report: dict[str, Any]) -> str:
    return f"{report['benchmark']} {report['version']}: {report['model']} judged by {report['judge']}"


def _consistency_line(report: dict[str, Any]) -> str:
    pc = report.get("position_consistency")
    if not pc:
        return "position consistency: n/a (no pair judged in both orders)"
    if pc["consistency"] is None:
        return f"position consistency: unavailable ({pc['n_pairs_unscored']} pairs with an unscored order)"
    line = (
        f"position consistency: {pc['consistency']:.3f} over {pc['n_pairs']} pairs "
        f"(first-position bias {pc['first_position_bias']:+.3f}; {pc['n_pairs_unscored']} pairs not comparable)"
    )
    portia = pc.get("portia")
    if portia:
        line += (
            f"; PORTIA: semantic stage on {portia['n_semantic']} of {portia['n_pairs']} merged pairs "
            f"({portia['n_fixed']} made consistent), {portia['judge_calls']} judge calls"
        )
    return line


def _gate_line(report: dict[str, Any]) -> str | None:
    """The headline check (``harness.pipeline.guard``): None for a report written before it existed."""
    gate = report.get("gate")
    if gate is None:
        return None
    failed = gate_line(gate)
    if failed is not None:
        return "FAILED " + failed
    return f"headline check: passed (unscored share at most {gate['max_unscored']:.0%})"


def render_table(report: dict[str, Any], console: Console) -> None:
    """The printed summary: scores (headline starred), coverage, consistency, tokens and cost per role."""
    table = Table(title=escape(_title(report)), title_justify="left")
    for column in ("metric", "value \\[interval]", "n scored", "n unscored", "unscored by reason"):
        table.add_column(column, overflow="fold")
    for row in _rows(report):
        table.add_row(*(escape(cell) for cell in row))
    console.print(table)
    cov = report["coverage"]
    console.print(
        f"items {cov['items']}, outputs {cov['outputs']} ({cov['output_errors']} failed), "
        f"judgments {cov['judgments']} ({cov['judgments_scored']} scored), "
        f"flagged {cov.get('flagged', 0)} (on-flag {report['config'].get('on_flag', 'loss')})"
    )
    console.print(escape(_consistency_line(report)))
    gate = _gate_line(report)
    if gate is not None:
        console.print(escape(gate))
    effect = summary_line(report.get("effect"))
    if effect is not None:
        console.print(escape(effect))
    costs = Table(title="tokens and cost per role", title_justify="left")
    for column in ("role", "endpoint", "prompt tokens", "completion tokens", "cost"):
        costs.add_column(column)
    for row in _cost_rows(report):
        costs.add_row(*(escape(cell) for cell in row))
    console.print(costs)
    for note in report.get("notes", []):
        console.print(escape(f"note: {note}"))


def render_markdown(report: dict[str, Any]) -> str:
    lines = [f"# {_title(report)}", "", f"Run directory: `{report['run_dir']}` ({report['created_at']})", ""]
    lines += [
        "| metric | value [interval] | n scored | n unscored | unscored by reason |",
        "|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in _rows(report)]
    cov = report["coverage"]
    lines += [
        "",
        "`*` headline figure.",
        "",
        f"- items {cov['items']}, outputs {cov['outputs']} ({cov['output_errors']} failed), "
        f"judgments {cov['judgments']} ({cov['judgments_scored']} scored), "
        f"flagged {cov.get('flagged', 0)} (on-flag {report['config'].get('on_flag', 'loss')})",
        f"- {_consistency_line(report)}",
        *([f"- {_gate_line(report)}"] if report.get("gate") else []),
        *([f"- {summary_line(report['effect'])}"] if report.get("effect") else []),
        "",
        "## Tokens and cost per role",
        "",
        "| role | endpoint | prompt tokens | completion tokens | cost |",
        "|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in _cost_rows(report)]
    if report.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {n}" for n in report["notes"]]
    return "\n".join(lines) + "\n"
