"""Exit codes that mean something: a headline figure that is missing or rests on too few judgments fails.

A run whose judge could not be read still produces a report (the unscored counts by reason are the
finding), but a CI job must not pass on it. ``score``, ``judge``, ``sweep`` (``score --model A --model
B``) and ``leaderboard`` therefore exit 1 when any headline figure is

- unavailable (no scored judgment, a statistic that could not be fitted), or
- computed with an unscored share above ``--max-unscored`` (unscored / (scored + unscored)).

Why 0.10 by default. An unscored judgment drops out of the figure, so a headline over ``n`` units with an
unscored share ``u`` can sit anywhere within ``u`` (in win-rate units) of the figure all units would
give, whatever the dropped ones said. Judges that work stay well below 0.10: in upstream's own
judgments, GPT-4-1106 judging Arena-Hard v0.1 left 200 of 6000 games (3.3%) without a verdict label,
GPT-4-turbo on AlpacaEval 0 of 5635 annotations without a preference, GPT-4o on WildBench 0 of 3068
rows without a score (``python -m bench.unscored_rates`` recounts them). A judge that cannot answer the
template's protocol leaves most or all units unscored. 0.10 is three times the worst healthy rate (no
false alarm on a hard item set) and bounds the shift an unscored tail can cause at 10 points, beyond
which a user would not call it "the same result". ``--max-unscored 1`` turns the share check and the
early stop off (an unavailable headline still fails).

The second half is cheaper: :class:`ProtocolProbe` judges the first few tasks before the rest and stops
the run with one line when every one of their judge replies was unreadable (no verdict label, or no
logprobs where the template reads them), so a broken judge costs a dozen requests, not the whole budget.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from harness.errors import BadInput, CheckFailed
from harness.records import Judgment

DEFAULT_MAX_UNSCORED = 0.10
PROBE_TASKS = 6  # tasks judged before the rest: 6-12 judge calls (both orders of a pairwise strategy)
PROBE_MIN_CALLS = 4  # fewer judge calls than this in the probe (shortcuts, API errors): no conclusion


def check_max_unscored(value: float) -> float:
    """``--max-unscored`` must be a share in [0, 1]."""
    if not 0.0 <= value <= 1.0:
        raise BadInput("--max-unscored", f"must be a share between 0 and 1, got {value}")
    return value


@dataclass(frozen=True)
class HeadlineFailure:
    """One headline that fails the check: which, for whom, why, and its unscored counts by reason."""

    metric: str
    model: str
    why: str  # "unavailable: ..." or "unscored 12/40 = 30% > 10%"
    reasons: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return {"metric": self.metric, "model": self.model, "why": self.why, "unscored_reasons": self.reasons}


def headline_failure(
    metric: str, model: str, value: float | None, n_scored: int, n_unscored: int,
    reasons: dict[str, int], max_unscored: float, unavailable: str = "",
) -> HeadlineFailure | None:  # fmt: skip
    """The failure of one headline figure, or None when it may be trusted."""
    if value is None or value != value:  # None or NaN
        return HeadlineFailure(metric, model, f"unavailable ({unavailable or 'no scored judgment'})", reasons)
    total = n_scored + n_unscored
    share = n_unscored / total if total else 0.0
    if share > max_unscored:
        why = f"unscored {n_unscored}/{total} = {share:.0%} > --max-unscored {max_unscored:.0%}"
        return HeadlineFailure(metric, model, why, reasons)
    return None


def dominant_reason(failures: Sequence[HeadlineFailure]) -> str:
    """The unscored reason with the most units over the failing headlines (``unavailable`` if none)."""
    counts: Counter[str] = Counter()
    for failure in failures:
        counts.update(failure.reasons)
    if not counts:
        return "unavailable"
    return counts.most_common(1)[0][0]


def check_report(report: dict[str, Any], max_unscored: float) -> dict[str, Any]:
    """The ``gate`` section of a report: the threshold, the failing headlines and the dominant reason."""
    failures = []
    for score in report["scores"]:
        extra = score.get("extra") or {}
        if not extra.get("headline"):
            continue
        failure = headline_failure(
            score["metric"], str(score.get("model") or report.get("model")), score.get("value"),
            score["n_scored"], score["n_unscored"], dict(score.get("unscored_reasons") or {}), max_unscored,
            str(extra.get("unavailable", "")),
        )  # fmt: skip
        if failure is not None:
            failures.append(failure)
    return {
        "max_unscored": max_unscored,
        "passed": not failures,
        "failures": [f.as_json() for f in failures],
        "dominant_reason": dominant_reason(failures) if failures else None,
    }


def gate_line(gate: dict[str, Any]) -> str | None:
    """One line for stderr and the report when the gate failed, naming the dominant reason."""
    if gate.get("passed", True):
        return None
    parts = [f"{f['metric']} of {f['model']} {f['why']}" for f in gate["failures"]]
    return f"headline check failed (dominant reason: {gate['dominant_reason']}): " + "; ".join(parts)


def check_rows(rows: Iterable[Any], metric: str, max_unscored: float) -> list[HeadlineFailure]:
    """Leaderboard rows (:class:`harness.table.Row`) whose headline fails the check."""
    failures = []
    for row in rows:
        failure = headline_failure(
            metric, row.model, row.score, row.n_scored, row.n_unscored, {}, max_unscored
        )
        if failure is not None:
            failures.append(failure)
    return failures


# ---- the protocol probe ------------------------------------------------------------------------------


class JudgeProtocolError(CheckFailed):
    """The judge's first replies cannot be read by the template's parser: the run stops, exit 1."""


@dataclass(frozen=True)
class ProtocolProbe:
    """Stop a run whose judge cannot answer the protocol after its first ``tasks`` tasks.

    Only judgments that reached the judge count (no shortcut, no API error: a dead endpoint is the
    client's finding, not the parser's). When every one of them failed to parse, and there were at least
    ``min_calls``, the judge is broken for this template, not unlucky: a judge that answers the protocol
    at all gets some of 4+ replies right (even SmolLM2-135M, the weakest judge here, does).
    """

    needs_logprobs: bool
    total_tasks: int
    tasks: int = PROBE_TASKS
    min_calls: int = PROBE_MIN_CALLS

    def check(self, judgments: Iterable[Judgment]) -> None:
        called = [j for j in judgments if "no_call" not in j.metadata and j.reason != "api_error"]
        if len(called) < self.min_calls or any(j.reason != "parse_failure" for j in called):
            return
        n = len(called)
        if self.needs_logprobs and all(not j.logprobs for j in called):
            why = (
                f"the judge returned no logprobs in {n} of its first {n} replies and this judge config reads "
                "its verdict from them (does the endpoint support logprobs?)"
            )
        else:
            details = Counter(j.detail or "unparseable" for j in called).most_common(1)[0][0]
            why = f"the judge's first {n} replies have no verdict the parser can read ({details})"
        raise JudgeProtocolError(
            f"{why}; stopped after {self.tasks} of {self.total_tasks} judge tasks "
            "(--max-unscored 1 judges everything anyway)"
        )
