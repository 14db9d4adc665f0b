"""TICK's figures over a run's records: the pass rate (headline) and DRFR, as Score records.

TICK (Cook et al., arXiv:2410.03608) scores a response by the share of its checklist questions the judge
answers YES. Per item: pass rate = #YES / #answered questions; the model's ``pass_rate`` is the mean over
items (x100, a 95% percentile bootstrap over items); ``drfr`` is InFoBench's micro rate, sum(YES) /
sum(answered) over every question (x100, same bootstrap). Pure over the records (``harness.stats.checklist``
does the arithmetic), so ``harness score`` and ``harness leaderboard --from RUN_DIR`` give the same figure.

An item is unscored, never a fail, when the model has no answer (``no_output``), its checklist could not
be written (``no_checklist``) or none of its questions got a readable YES/NO (``no_scored_answer``); the
unreadable answers are counted by reason on ``drfr``.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import pandas as pd

from harness.records import Judgment, Score
from harness.run.data import RunData, make_score, unscored_counts
from harness.stats.checklist import tick_scores

LEVEL = 0.95


def _answer(j: Judgment) -> str | None:
    """YES / NO of a scored answer (score 1 / 0), None for an unscored one."""
    if j.status != "scored" or j.score is None:
        return None
    return "YES" if j.score == 1.0 else "NO"


def checklist_scores(data: RunData) -> list[Score]:
    """``pass_rate`` (the headline) and ``drfr`` of a TICK run."""
    answers: dict[str, list[Judgment]] = defaultdict(list)
    for j in data.judgments:
        if j.protocol == "checklist":
            answers[j.item_id].append(j)
    item_reasons: list[str] = []
    answer_reasons: Counter[str] = Counter()
    rows = []
    for item_id in data.item_ids:
        if item_id not in data.outputs:
            continue  # counted as no_output by unscored_counts
        checklist = data.checklists.get(item_id)
        if checklist is None or checklist.status != "scored":
            item_reasons.append("no_checklist")
            continue
        given = answers.get(item_id, [])
        parsed = [_answer(j) for j in given]
        answer_reasons.update(
            str(j.reason or "unscored") for j, a in zip(given, parsed, strict=True) if a is None
        )
        if not any(a is not None for a in parsed):
            item_reasons.append("no_scored_answer")
        rows += [{"model": data.config.model_name, "item_id": item_id, "answer": a} for a in parsed]
    n_questions = sum(len(c.questions) for i, c in data.checklists.items() if i in data.outputs)
    result = tick_scores(pd.DataFrame(rows, columns=["model", "item_id", "answer"]), level=LEVEL)
    tick = result.get(data.config.model_name)
    extra = {
        "headline": True,
        "level": LEVEL,
        "unit": "% of checklist questions answered YES, mean over items",
    }
    counts = unscored_counts(0 if tick is None else tick.pass_rate.n_scored, item_reasons, data)
    drfr_counts = {
        "n_scored": 0 if tick is None else tick.drfr.n_scored,
        "n_unscored": sum(answer_reasons.values()),
        "unscored_reasons": dict(answer_reasons),
    }
    drfr_extra = {
        "level": LEVEL,
        "unit": "% of all answered questions answered YES",
        "questions": n_questions,
    }
    if tick is None or tick.pass_rate.n_scored == 0:
        return [
            make_score(data, "pass_rate", None, extra=extra, **counts),
            make_score(data, "drfr", None, extra=drfr_extra, **drfr_counts),
        ]
    rate, drfr = tick.pass_rate, tick.drfr
    return [
        make_score(
            data,
            "pass_rate",
            100 * rate.value,
            ci_lower=_pct(rate.ci_lower),
            ci_upper=_pct(rate.ci_upper),
            extra=extra,
            **counts,
        ),  # fmt: skip
        make_score(
            data,
            "drfr",
            100 * drfr.value,
            ci_lower=_pct(drfr.ci_lower),
            ci_upper=_pct(drfr.ci_upper),
            extra=drfr_extra,
            **drfr_counts,
        ),  # fmt: skip
    ]


def _pct(value: float | None) -> float | None:
    return None if value is None else 100 * value
