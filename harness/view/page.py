"""The HTML of ``harness view``: one self-contained file (styles, script and plot inlined, no request).

Every item is rendered here, on the server side, as an ``article.item`` whose ``data-*`` attributes
(verdict, flag, category, length, value, index) are what the page's script filters and sorts on, so the
file reads without JavaScript too; the script (``view.js``) only hides and reorders articles and
keeps the filter in the URL fragment (``#verdict=loss&flag=flag&sort=length-desc``), so a filtered view
can be linked to.
"""

from __future__ import annotations

import base64
import html
import json
import math
from importlib import resources
from typing import Any

from harness.records import Judgment
from harness.view.collect import Finding, ItemView, PairView, RunView
from harness.view.plot import Point, svg_plot

ORDER_LABEL = {"baseline_first": "opponent shown first", "model_first": "model shown first", None: ""}


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _static(name: str) -> str:
    return resources.files("harness.view").joinpath(name).read_text(encoding="utf-8")


def _num(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _marked(text: str, spans: list[tuple[int, int, str]]) -> str:
    """``text`` escaped, with each (start, end, why) span in a ``<mark>``; overlapping spans are merged."""
    merged: list[list[Any]] = []
    for start, end, why in sorted(spans):
        start, end = max(0, start), min(len(text), end)
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2] += f"; {why}"
        else:
            merged.append([start, end, why])
    out, pos = [], 0
    for start, end, why in merged:
        out += [_e(text[pos:start]), f'<mark class="finding" title="{_e(why)}">{_e(text[start:end])}</mark>']
        pos = end
    out.append(_e(text[pos:]))
    return "".join(out)


def _turns(label: str, turns: list[str] | None, cls: str, findings: list[Finding] | None = None) -> str:
    if turns is None:
        return f'<div class="{cls} missing"><h4>{_e(label)}</h4><p>not stored in this run</p></div>'
    blocks = []
    for t, text in enumerate(turns):
        spans = [
            (f.start, f.end, f"{f.detector}: {f.message}")
            for f in findings or []
            if f.turn == t and f.start is not None and f.end is not None
        ]
        head = f'<div class="turn-no">turn {t + 1}</div>' if len(turns) > 1 else ""
        blocks.append(f'{head}<pre class="text">{_marked(text, spans)}</pre>')
    return f'<div class="{cls}"><h4>{_e(label)}</h4>{"".join(blocks)}</div>'


def _prompt(messages: list[dict[str, str]] | None) -> str:
    if messages is None:
        return (
            '<p class="prompt missing">prompt not stored (no call made, or a run older than this field)</p>'
        )
    body = "".join(
        f'<div class="message"><span class="role">{_e(m.get("role", ""))}</span>'
        f'<pre class="text">{_e(m.get("content", ""))}</pre></div>'
        for m in messages
    )
    return (
        f'<details class="prompt"><summary>judge prompt ({len(messages)} messages)</summary>{body}</details>'
    )


def _game(j: Judgment) -> str:
    status = "scored" if j.status == "scored" else f"unscored: {j.reason}"
    score = _num(j.score) if j.score is not None else "–"
    extra = ""
    if "no_call" in j.metadata:
        extra += f'<p class="note">no judge call: {_e(j.metadata["no_call"])}</p>'
    if "portia_stage" in j.metadata:
        extra += f'<p class="note">PORTIA stage: {_e(j.metadata["portia_stage"])}</p>'
    if j.detail:
        extra += f'<p class="note">{_e(j.detail)}</p>'
    raw = "" if j.raw_completion is None else f'<pre class="raw text">{_e(j.raw_completion)}</pre>'
    return (
        f'<div class="game" data-order="{_e(j.order or "")}"><div class="game-head">'
        f"<b>{_e(ORDER_LABEL.get(j.order, j.order or ''))}</b> "
        f'verdict <code class="verdict">{_e(j.verdict if j.verdict is not None else "–")}</code> '
        f'score (model frame) <code>{score}</code> <span class="status">{_e(status)}</span></div>'
        f"{_prompt(j.prompt)}<h5>raw reply</h5>{raw or '<p>none</p>'}{extra}</div>"
    )


def _pair(p: PairView) -> str:
    head = f"against {_e(p.opponent)}" if p.opponent else "rating"
    if p.turn is not None:
        head += f", turn {p.turn}"
    consistency = ""
    if p.consistent is not None:
        word = "consistent" if p.consistent else "inconsistent"
        consistency = f' <span class="badge {word}">position {word}</span>'
    games = "".join(_game(g) for g in p.games)
    return f'<div class="pair"><h4>{head}{consistency}</h4><div class="games">{games}</div></div>'


def _checklist(judgments: list[Judgment]) -> str:
    if not judgments:
        return ""
    rows = "".join(
        f'<tr><td>{_e(j.metadata.get("question", ""))}</td><td class="tick-answer">{_e(j.verdict or "–")}</td>'
        f"<td>{_e('' if j.status == 'scored' else j.reason)}</td>"
        f'<td><details><summary>reply</summary><pre class="text">{_e(j.raw_completion or "")}</pre>'
        f"</details></td></tr>"
        for j in judgments
    )
    return (
        '<div class="checklist"><h4>TICK checklist</h4><table><thead><tr><th>question</th><th>answer</th>'
        f"<th>unscored</th><th></th></tr></thead><tbody>{rows}</tbody></table></div>"
    )


def _findings(findings: list[Finding]) -> str:
    if not findings:
        return ""
    rows = []
    for f in findings:
        where = ""
        if f.start is not None:
            where = f'<span class="span">turn {(f.turn or 0) + 1}, characters {f.start}–{f.end}: '
            where += f"<q>{_e(f.text or '')}</q></span>"
        rows.append(
            f'<li class="{_e(f.severity)}"><b>{_e(f.severity)}</b> {_e(f.detector)}: {_e(f.message)} {where}</li>'
        )
    return f'<div class="findings"><h4>audit findings</h4><ul>{"".join(rows)}</ul></div>'


def _item(run: int, index: int, it: ItemView) -> str:
    attrs = {
        "data-run": run, "data-index": index, "data-verdict": it.verdict, "data-flag": it.flag,
        "data-category": it.category or "", "data-length": it.length,
        "data-value": "" if it.value is None else f"{it.value:.6g}",
        "data-consistent": ",".join(str(p.consistent).lower() for p in it.pairs if p.consistent is not None),
    }  # fmt: skip
    attr = " ".join(f'{k}="{_e(v)}"' for k, v in attrs.items())
    error = f'<p class="note">generation failed: {_e(it.answer_error)}</p>' if it.answer_error else ""
    if it.policy is not None:
        error += f'<p class="note policy">flagged by the audit: scored under --on-flag {_e(it.policy)}</p>'
    opponents = "".join(
        f"<details><summary>answer of {_e(name)}</summary>{_turns(name, turns, 'opponent')}</details>"
        for name, turns in it.opponents.items()
    )
    value = "" if it.value is None else f" <code>{it.value:.3g}</code>"
    category = f' <span class="category">{_e(it.category)}</span>' if it.category else ""
    return (
        f'<article class="item" id="r{run}-{_e(it.item_id)}" {attr}><h3>item {_e(it.item_id)}{category} '
        f'<span class="badge v-{_e(it.verdict)}">{_e(it.verdict)}</span>{value}'
        f'<span class="badge f-{_e(it.flag)}">{"" if it.flag == "none" else _e(it.flag)}</span> '
        f'<span class="length">{it.length} chars</span></h3>'
        f"{_turns('instruction', it.instruction, 'instruction')}"
        f"{_turns('model answer', it.answer, 'answer', it.findings)}{error}{opponents}"
        f"{_findings(it.findings)}{''.join(_pair(p) for p in it.pairs)}{_checklist(it.checklist)}</article>"
    )


def _interval(score: dict[str, Any]) -> str:
    if score.get("ci_lower") is None and score.get("ci_upper") is None:
        return "–"
    return f"{_num(score.get('ci_lower'))} – {_num(score.get('ci_upper'))}"


def _scores(run: RunView) -> str:
    report = run.report
    if report is None:
        return '<p class="note">no report.json: run <code>harness score</code> on it to compute figures</p>'
    rows = "".join(
        f'<tr class="{"headline" if s.get("extra", {}).get("headline") else ""}"><td>{_e(s["metric"])}</td>'
        f"<td>{_num(s.get('value'))}</td><td>{_interval(s)}</td>"
        f"<td>{_e(s.get('n_scored'))}</td><td>{_e(s.get('n_unscored'))}</td>"
        f"<td>{_e(', '.join(f'{k} {v}' for k, v in (s.get('unscored_reasons') or {}).items()))}</td></tr>"
        for s in report.get("scores", [])
    )
    pc = report.get("position_consistency") or {}
    consistency = ""
    if pc.get("consistency") is not None:
        consistency = (
            f'<p class="consistency">position consistency {_num(pc["consistency"] * 100, 1)}% over '
            f"{_e(pc.get('n_pairs'))} pairs judged in both orders; first-position bias "
            f"{_num(pc.get('first_position_bias'), 3)}</p>"
        )
    notes = "".join(f'<p class="note">{_e(n)}</p>' for n in report.get("notes", []))
    return (
        '<table class="scores"><thead><tr><th>metric</th><th>value</th><th>interval</th><th>scored</th>'
        f"<th>unscored</th><th>reasons</th></tr></thead><tbody>{rows}</tbody></table>{consistency}{notes}"
    )


def _run(k: int, run: RunView) -> str:
    head = run.headline
    headline = ""
    if head is not None:
        headline = (
            f'<p class="headline"><b>{_e(head["metric"])}</b> <span class="value">{_num(head.get("value"))}'
            f"</span> [{_num(head.get('ci_lower'))}, {_num(head.get('ci_upper'))}] "
            f"({_e(head.get('n_scored'))} scored, {_e(head.get('n_unscored'))} unscored)</p>"
        )
    audit = run.audit
    audit_line = ""
    if audit is not None:
        audit_line = (
            f'<p class="audit">audit: {_e(audit.get("verdict"))}, {len(audit.get("flagged", []))} flagged '
            f"of {_e(audit.get('n_items'))} items</p>"
        )
    items = "".join(_item(k, i, it) for i, it in enumerate(run.items))
    return (
        f'<section class="run" id="run-{k}" data-run="{k}"><h2>{_e(run.model)} · {_e(run.benchmark)}</h2>'
        f'<p class="meta">judge {_e(run.judge)} · {_e(run.run_dir)}</p>{headline}{_scores(run)}{audit_line}'
        f'<div class="items">{items}</div></section>'
    )


def _plots(runs: list[RunView]) -> str:
    groups: dict[tuple[str, str], list[Point]] = {}
    for run in runs:
        head = run.headline
        if head is None or head.get("value") is None:
            continue
        label = (
            run.model if len(runs) == len({r.model for r in runs}) else f"{run.model} ({run.run_dir.name})"
        )
        groups.setdefault((run.benchmark, head["metric"]), []).append(
            Point(label, float(head["value"]), head.get("ci_lower"), head.get("ci_upper"))
        )
    svgs = [svg_plot(f"{bench} leaderboard", f"{metric} with its interval", pts)
            for (bench, metric), pts in sorted(groups.items())]  # fmt: skip
    pngs = [
        f'<img class="board" alt="{_e(p.parent.name)} leaderboard" '
        f'src="data:image/png;base64,{base64.b64encode(p.read_bytes()).decode()}"/>'
        for run in runs
        for p in sorted(run.run_dir.glob("results/*/leaderboard.png"))
    ]
    return "".join(svgs + pngs) or '<p class="note">no scored run: nothing to plot</p>'


def _options(name: str, values: list[str]) -> str:
    opts = "".join(f'<option value="{_e(v)}">{_e(v)}</option>' for v in values)
    return f'<label>{name} <select id="f-{name}"><option value="">all</option>{opts}</select></label>'


def _controls(runs: list[RunView]) -> str:
    items = [it for r in runs for it in r.items]
    verdicts = sorted({it.verdict for it in items})
    flags = sorted({it.flag for it in items}, key=lambda f: ("none", "warn", "flag").index(f))
    categories = sorted({it.category for it in items if it.category})
    sorts = ["index", "length-desc", "length-asc", "value-desc", "value-asc", "category", "verdict", "flag"]
    sort = "".join(f'<option value="{s}">{s}</option>' for s in sorts)
    return (
        f'<nav id="controls">{_options("verdict", verdicts)}{_options("flag", flags)}'
        f"{_options('category', categories)}"
        '<label>length ≥ <input id="f-minlen" type="number" min="0" size="6"/></label>'
        '<label>≤ <input id="f-maxlen" type="number" min="0" size="6"/></label>'
        f'<label>sort <select id="f-sort">{sort}</select></label>'
        f'<span id="shown">{len(items)} of {len(items)} items</span></nav>'
    )


def render_page(runs: list[RunView]) -> str:
    """The whole page as one string."""
    title = "harness view: " + ", ".join(f"{r.model} ({r.benchmark})" for r in runs)
    summary = json.dumps(
        [{"run_dir": str(r.run_dir), "model": r.model, "benchmark": r.benchmark, "items": len(r.items)}
         for r in runs]
    ).replace("</", "<\\/")  # fmt: skip
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f'<meta name="viewport" content="width=device-width"><style>{_static("view.css")}</style></head>'
        f'<body><header><h1>{_e(title)}</h1></header><section id="board"><h2>Leaderboard</h2>'
        f"{_plots(runs)}</section>{_controls(runs)}"
        f"{''.join(_run(k, r) for k, r in enumerate(runs))}"
        f'<script type="application/json" id="runs">{summary}</script>'
        f"<script>{_static('view.js')}</script></body></html>\n"
    )
