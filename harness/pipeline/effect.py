"""The effect check: does an output win because of text that is not an answer to the instruction?

The audit's detectors are signatures; an attack written after them may carry no signature at all. This
check asks the judge instead. After the normal judging, it takes

1. the items the audit marked *suspicious* (a warning, not a flag), then
2. a seeded random sample of the other unflagged items that hold separable non-answer text (hidden text,
   sentences that point at the judge, the answers or a verdict): 5% of the unflagged items, at least
   ``MIN_SAMPLE``.

Items the audit already flagged are not re-judged: the ``--on-flag`` policy decides them already, and a
second verdict could not change their score (their count is reported).
builds each one's *answer-only* text by removing the non-answer spans (:func:`spans_for`: the evidence
of the audit's findings, the hidden channel of :mod:`harness.audit.channels`, and the candidate
sentences of :mod:`harness.audit.addressed`, all mapped to the output as written), and judges it again
with the same judge, template, position strategy and client (so the calls are cached and counted like
every other judge call). When the verdict *with* the spans is better for the model than the verdict
*without* them by more than ``tolerance`` (on a 0..1 scale; for a pairwise judge the winning side must
also change), the verdict *fell*. A fallen verdict alone does not tell an injection from a judge that
any removal moves, so the item is judged once more with as much ordinary answer text removed instead
(:func:`harness.pipeline.effect_spans.control_spans`; the spans kept): only when this control's verdict
also beats the one without the spans by more than ``tolerance`` (same rule) was the verdict carried by
text that is not an answer: the item is flagged (finding ``effect``) and the ``--on-flag`` policy
applies to it. When at least ``MIN_DISQUALIFY`` of the checked items, and at least
``disqualify_share`` of them, are flagged this way, the submission is disqualified: an attack that the
sample catches on a few items is on the others too.

Cost. The check makes at most ``budget`` judge calls (``--effect-check-budget``; default 10% of the
run's judge calls, at least ``MIN_BUDGET``); items are taken in the priority order above until the next
would exceed it. A control costs calls only for the items whose verdict fell, paid from the same
budget; a fallen verdict whose control the budget cannot pay is ``unconfirmed`` and not flagged.
``effect.json`` in the run directory records what was checked, the calls spent, every
verdict before and after, and what was flagged; a re-run reuses its results and makes no call again.

Not applied to a checklist judge (TICK): its verdicts are per-question YES/NO answers about the
output's content, not a preference the output can address; the skip and its reason are recorded.
Items without separable non-answer text are not re-judged: there is nothing to remove, and a swapped
order alone cannot tell an injection from the judge's own position bias.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from harness import atomic
from harness.audit.findings import AuditReport, Finding
from harness.audit.inputs import AuditItem
from harness.pipeline.effect_file import EFFECT_FILE, EffectOptions, read_doc
from harness.pipeline.effect_spans import Span, ablate, control_spans, merged_length, spans_for
from harness.pipeline.judging import JudgeTask, _run_task
from harness.records import Judgment, Output, TokenUsage
from harness.store import RunStore, default_key, is_final
from judges import Caller
from judges.config import verdict_labels
from judges.parsers import GRADED

ROUNDS = 3  # the budget is spent in up to three rounds; a round that flags nothing ends the check
MIN_DISQUALIFY = 2
MIN_SAMPLE = 10  # the random sample holds at least this many items (when the budget allows)


def normalised(j: Judgment) -> float | None:
    """A scored judgment on 0..1 in the model's favour (pairwise: 1 = the model much better)."""
    if j.status != "scored" or j.score is None:
        return None
    if j.protocol == "single":
        value = (j.score - 1.0) / 9.0  # MT-Bench and WildBench rate 1..10
    elif j.metadata.get("scale") == "preference":
        value = j.score - 1.0  # AlpacaEval: 1..2, 2 = the model wins
    else:  # signed labels: the judge's own range (e.g. -2..2, MT-Bench pairs -1..1)
        grammar = verdict_labels(j.judge) or GRADED
        low, high = min(grammar.values()), max(grammar.values())
        value = (j.score - low) / (high - low)
    return min(1.0, max(0.0, value))


def mean_value(judgments: Sequence[Judgment]) -> float | None:
    values = [v for v in (normalised(j) for j in judgments) if v is not None]
    return sum(values) / len(values) if values else None


def carried(before: float | None, after: float | None, protocol: str, tolerance: float) -> bool:
    """The verdict was carried by the removed text: better for the model with it, beyond ``tolerance``,
    and for a pairwise judge on the model's side only with it."""
    if before is None or after is None or before - after <= tolerance:
        return False
    return protocol == "single" or (before > 0.5 >= after)


def _rank(seed: int, item_id: str) -> str:
    return hashlib.sha256(f"{seed}:{item_id}".encode()).hexdigest()


@dataclass
class Candidate:
    item_id: str
    why: str  # suspicious | sample
    spans: list[Span]
    tasks: list[JudgeTask]

    @property
    def calls(self) -> int:
        return sum(t.judge.max_calls(t.item) for t in self.tasks)


def presample(items: dict[str, AuditItem], options: EffectOptions, seed: int) -> dict[str, list[Span]]:
    """The spans of the items the sample draws first, as they are when the audit finds nothing on them
    (:func:`select` computes the same, and uses these for such items): computed while the audit still
    runs in its workers (``harness.pipeline.audit_job``), not after it, in the seeded order until as many
    items as the largest sample hold spans."""
    wanted = max(MIN_SAMPLE, math.ceil(options.sample * len(items)))
    known: dict[str, list[Span]] = {}
    found = 0
    for item_id in sorted(items, key=lambda i: _rank(seed, i)):
        if found >= wanted:
            break
        known[item_id] = spans_for(items[item_id], [])
        found += bool(known[item_id])
    return known


def select(
    tasks: Sequence[JudgeTask], report: AuditReport, items: dict[str, AuditItem], options: EffectOptions,
    seed: int, known: dict[str, list[Span]] | None = None,
) -> tuple[list[Candidate], dict[str, int]]:  # fmt: skip
    """The items to re-judge in priority order (suspicious, then the sample), before the budget cut, and
    the size of each pool. Spans are computed only for the items that could be drawn: every suspicious
    one, and the sample pool in its seeded order until the sample is full (not for every output);
    ``known``: :func:`presample`'s, for the items without findings."""
    by_item: dict[str, list[JudgeTask]] = {}
    for task in tasks:
        if task.item.item_id in items:
            by_item.setdefault(task.item.item_id, []).append(task)
    findings: dict[str, list[Finding]] = {}
    for f in report.findings:
        findings.setdefault(f.item_id, []).append(f)
    severity = report.item_severity()
    kinds: dict[str, list[str]] = {"suspicious": [], "sample": [], "flagged": []}
    for item_id in sorted(by_item, key=lambda i: _rank(seed, i)):
        kinds[{"flag": "flagged", "warn": "suspicious"}.get(severity.get(item_id, ""), "sample")].append(
            item_id
        )
    unflagged = len(kinds["suspicious"]) + len(kinds["sample"])
    wanted = max(MIN_SAMPLE, math.ceil(options.sample * unflagged))

    def candidates(why: str, limit: int | None = None) -> Iterator[Candidate]:
        found = 0
        for item_id in kinds[why]:
            if limit is not None and found >= limit:
                return
            mine = findings.get(item_id, [])
            done = None if mine or known is None else known.get(item_id)
            spans = done if done is not None else spans_for(items[item_id], mine)
            if spans:
                found += 1
                yield Candidate(item_id, why, spans, by_item[item_id])

    suspicious = list(candidates("suspicious"))
    sample = list(candidates("sample", wanted))
    sizes = {"suspicious": len(suspicious), "sample_drawn": len(sample), "flagged_not_rechecked": len(kinds["flagged"])}  # fmt: skip
    return suspicious + sample, sizes


CHECK_VERSION = 2  # 2: flips are confirmed by a control; effect.json rows of another version are redone


def _digest(turns: Sequence[str]) -> str:
    return hashlib.sha256(json.dumps([CHECK_VERSION, *turns]).encode()).hexdigest()[:16]


@dataclass
class EffectPlan:
    """What :func:`execute` will do: the candidates in priority order, each with the result
    ``effect.json`` already holds for the same answer-only text (reused, no call), or why the check is
    skipped."""

    path: Path
    settings: dict[str, Any]
    skipped: str | None = None
    budget: int = 0
    run_calls: int = 0
    pools: dict[str, int] | None = None
    ordered: list[tuple[Candidate, dict[str, Any] | None]] | None = None


def prepare(
    tasks: Sequence[JudgeTask], report: AuditReport, items: dict[str, AuditItem], run_dir: Path,
    options: EffectOptions, seed: int = 0, known: dict[str, list[Span]] | None = None,
) -> EffectPlan:  # fmt: skip
    """Select the items to re-judge (no call is made here; ``known``: :func:`presample`'s spans)."""
    path = Path(run_dir) / EFFECT_FILE
    settings = {"tolerance": options.tolerance, "sample": options.sample, "disqualify_share": options.disqualify_share}  # fmt: skip
    if not options.enabled:
        return EffectPlan(path, settings, "turned off (--no-effect-check)")
    if tasks and tasks[0].judge.asks_checklists:
        why = "a checklist judge (TICK) answers YES/NO questions about the content, not a preference"
        return EffectPlan(path, settings, why)
    if any(s.severity == "fail" for s in report.submission):
        return EffectPlan(path, settings, "the audit disqualified the submission already")
    run_calls = sum(len(t.expected_keys()) for t in tasks)
    ordered, pools = select(tasks, report, items, options, seed, known)
    previous = {r["item_id"]: r for r in read_doc(path).get("items", []) if "digest" in r}
    plan = []
    for cand in ordered:
        old = previous.get(cand.item_id)
        same = old is not None and old["digest"] == _digest(ablate(items[cand.item_id].outputs, cand.spans))
        plan.append((cand, old if same else None))
    return EffectPlan(path, settings, None, options.budget_for(run_calls), run_calls, pools, plan)


def _disqualified(flagged: int, checked: int, options: EffectOptions) -> str | None:
    if flagged >= MIN_DISQUALIFY and flagged >= options.disqualify_share * checked:
        return (
            f"the verdict of {flagged} of {checked} re-judged items was carried by text that is not an "
            "answer (effect check)"
        )
    return None


async def execute(
    plan: EffectPlan, items: dict[str, AuditItem], store: RunStore, caller: Caller | None,
    options: EffectOptions, *, max_in_flight: int = 16,
) -> dict[str, Any]:  # fmt: skip
    """Re-judge the plan's items in rounds and write ``effect.json``; returns its document.

    Round ``k`` of ``ROUNDS`` may spend up to ``k / ROUNDS`` of the budget; a round that flags nothing
    ends the check (an honest run costs a third of the budget), one that flags some items but not
    enough to decide goes on. ``caller`` may be None when no call is needed (every result reused)."""
    if plan.skipped is not None:
        return _write(plan.path, {"enabled": options.enabled, "skipped": plan.skipped, **plan.settings})
    limit = asyncio.Semaphore(max(1, max_in_flight))
    stored = {default_key(j): j for j in store.load("judgments", Judgment) if is_final(j)}

    async def rejudge(
        tasks: Sequence[JudgeTask], turns: list[str]
    ) -> tuple[list[list[Judgment]], int, TokenUsage]:
        calls, usage = 0, TokenUsage()

        async def counted(request: Any) -> Any:
            nonlocal calls
            assert caller is not None, "the check needs judge calls"
            calls += 1
            return await caller(request)

        out = []
        for task in tasks:
            output = Output(item_id=task.output.item_id, model=task.output.model, turns=turns)
            async with limit:
                judgments = await _run_task(replace(task, output=output), counted)
            for judgment in judgments:
                usage = usage + judgment.usage
            out.append(judgments)
        return out, calls, usage

    async def run(cand: Candidate, old: dict[str, Any] | None) -> dict[str, Any]:
        if old is not None:
            return old
        turns = ablate(items[cand.item_id].outputs, cand.spans)
        afters, calls, usage = await rejudge(cand.tasks, turns)
        rows = []
        for task, after in zip(cand.tasks, afters, strict=True):
            before = [stored[k] for k in task.expected_keys() if k in stored]
            protocol = "single" if task.opponent is None else "pairwise"
            b, a = mean_value(before), mean_value(after)
            rows.append({
                "opponent": task.opponent.model if task.opponent else None, "turn": task.turn,
                "protocol": protocol, "before": b, "after": a, "flipped": carried(b, a, protocol, options.tolerance),
                "verdicts_before": [j.verdict for j in before], "verdicts_after": [j.verdict for j in after],
                "control": None, "verdicts_control": None, "carried": False,
            })  # fmt: skip
        flipped = any(r["flipped"] for r in rows)
        return {
            "item_id": cand.item_id, "why": cand.why, "digest": _digest(turns),
            "spans": [vars(s) for s in cand.spans], "removed_chars": merged_length(cand.spans),
            "tasks": rows, "flipped": flipped, "control": None, "unconfirmed": flipped, "carried": False,
            "calls": calls, "usage": usage.model_dump(),
        }  # fmt: skip

    def control_cost(cand: Candidate, row: dict[str, Any]) -> int:
        return sum(
            t.judge.max_calls(t.item) for t, r in zip(cand.tasks, row["tasks"], strict=True) if r["flipped"]
        )

    async def control(cand: Candidate, row: dict[str, Any]) -> None:
        """Re-judge the flipped tasks with ordinary answer text of the same length removed instead: the
        item is carried only where the spans' removal lowers the verdict beyond what this removal does."""
        outputs = items[cand.item_id].outputs
        spans = control_spans(outputs, cand.spans)
        if not spans:
            return  # no answer text to compare with: unconfirmed, not flagged
        flipped = [(t, r) for t, r in zip(cand.tasks, row["tasks"], strict=True) if r["flipped"]]
        judged, calls, usage = await rejudge([t for t, _ in flipped], ablate(outputs, spans))
        for (_, r), judgments in zip(flipped, judged, strict=True):
            r["control"] = mean_value(judgments)
            r["verdicts_control"] = [j.verdict for j in judgments]
            r["carried"] = carried(r["control"], r["after"], r["protocol"], options.tolerance)
        row["control"] = {
            "spans": [vars(s) for s in spans],
            "removed_chars": merged_length(spans),
            "calls": calls,
        }
        row["calls"] += calls
        row["usage"] = (TokenUsage(**row["usage"]) + usage).model_dump()
        row["unconfirmed"] = False
        row["carried"] = any(r["carried"] for r in row["tasks"])

    ordered = plan.ordered or []
    results: list[dict[str, Any]] = []
    pos, spent, rounds = 0, 0, 0
    for k in range(1, ROUNDS + 1):
        cap = math.ceil(plan.budget * k / ROUNDS)
        batch: list[tuple[Candidate, dict[str, Any] | None]] = []
        while pos < len(ordered):
            cand, old = ordered[pos]
            cost = int(old.get("calls", 0)) if old is not None else cand.calls
            if spent + cost > cap and (batch or spent + cost > plan.budget):
                break
            batch.append((cand, old))
            spent += cost
            pos += 1
        if not batch:
            break
        rounds = k
        fresh = await asyncio.gather(*(run(c, old) for c, old in batch))
        pending = []
        for (cand, old), row in zip(batch, fresh, strict=True):
            if old is None and row["flipped"]:  # its control, paid from what the budget has left
                cost = control_cost(cand, row)
                if spent + cost <= plan.budget:
                    spent += cost
                    pending.append(control(cand, row))
        await asyncio.gather(*pending)
        results += fresh
        flagged = sum(r["carried"] for r in results)
        if not flagged or _disqualified(flagged, len(results), options):
            break
    flagged_ids = [r["item_id"] for r in results if r["carried"]]
    doc = {
        "enabled": True, "skipped": None, **plan.settings, "budget_calls": plan.budget,
        "run_calls": plan.run_calls, "calls": sum(int(r.get("calls", 0)) for r in results),
        "control_calls": sum(int((r.get("control") or {}).get("calls", 0)) for r in results), "rounds": rounds,
        "pools": plan.pools, "checked": len(results), "checked_by_why": _count(r["why"] for r in results),
        "not_checked": len(ordered) - len(results),
        "flipped": [r["item_id"] for r in results if r.get("flipped")],
        "unconfirmed": [r["item_id"] for r in results if r.get("unconfirmed")], "flagged": flagged_ids,
        "disqualified": _disqualified(len(flagged_ids), len(results), options), "items": results,
    }  # fmt: skip
    return _write(plan.path, doc)


def _count(values: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def _write(path: Path, doc: dict[str, Any]) -> dict[str, Any]:
    atomic.write_text(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return doc
