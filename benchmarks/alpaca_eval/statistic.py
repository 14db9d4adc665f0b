"""AlpacaEval 2.0's statistic: the length-controlled win rate (headline), the raw and discrete win rates.

γ, the instruction difficulty of the LC GLM (``harness.stats.lc_glm``), is looked up by the item id, which
is the eval-set row position, so a ``--limit`` run uses the right instructions' difficulty. With few items
the GLM may not be fittable: LC is then reported as unavailable with the reason, never a crash or a
made-up number.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from benchmarks.alpaca_eval.difficulty import resolve_difficulty
from benchmarks.alpaca_eval.upstream import load_difficulty
from harness.errors import BadInput
from harness.records import Score
from harness.run.data import PairUnit, RunData, make_score, pair_units, unit_reason, unscored_counts
from harness.run.statistic import FIT_ERRORS, Scored, Statistic, is_pairwise, single_mean
from harness.stats.alpaca_annotations import Difficulty
from harness.stats.lc_glm import bootstrap_lc_interval, fit_lc_glm, output_lengths, raw_metrics


def alpaca_scores(data: RunData, units: list[PairUnit]) -> tuple[list[Score], list[str]]:

    by_item = {u.item_id: u for u in units}
    rows = []
    for item_id in data.item_ids:
        output, unit = data.outputs.get(item_id), by_item.get(item_id)
        if output is None or unit is None:
            continue
        base = data.baselines.get((item_id, unit.opponent))
        rows.append(
            {
                "instruction": item_id,
                "output_1": base.turns[0] if base and base.turns else "",
                "output_2": output.turns[0] if output.turns else "",
                "preference": unit.value if unit.value is not None else math.nan,
                "generator_1": unit.opponent,
                "generator_2": data.config.model_name,
                "unscored_reason": None if unit.value is not None else unit_reason(unit),
            }
        )
    notes: list[str] = []
    if not rows:
        counts = unscored_counts(0, [], data)
        return [
            make_score(data, "length_controlled_winrate", None, extra={"headline": True}, **counts)
        ], notes
    frame = pd.DataFrame(rows)
    lengths = output_lengths(frame)  # counted once for the raw figures, the fit and its interval
    raw = raw_metrics(frame, lengths=lengths)
    reasons = [r for r in frame["unscored_reason"] if isinstance(r, str)]
    counts = unscored_counts(raw.n_total, reasons, data)
    lc_value: float | None = None
    lc_extra: dict[str, Any] = {"headline": True}
    ci: tuple[float | None, float | None] = (None, None)
    lc_se: float | None = None
    gamma_file = resolve_difficulty(data.config.lc_difficulty, data.config.data)
    if gamma_file.path is None:
        lc_extra["unavailable"] = f"no instruction-difficulty file: {gamma_file.reason}"
    else:
        try:
            full = load_difficulty(gamma_file.path)
            lc_extra["difficulty"] = gamma_file.source
            positions = [int(i) for i in frame["instruction"]]
            if max(positions) >= full.gamma.size:
                raise BadInput(
                    gamma_file.source, f"has {full.gamma.size} rows; item id {max(positions)} is beyond"
                )
            difficulty = Difficulty(
                gamma=full.gamma[positions], instructions=tuple(full.instructions[p] for p in positions)
            )
            fit = fit_lc_glm(frame, difficulty, lengths=lengths)
            lc_value, lc_se = fit.length_controlled_winrate, fit.lc_standard_error
            ci = bootstrap_lc_interval(frame, difficulty, n_boot=200, fit=fit, lengths=lengths)
            lc_extra |= {"C": fit.C, "theta": fit.coefficients.theta, "phi": fit.coefficients.phi,
                         "beta": fit.coefficients.beta, "level": 0.95, "interval": "bootstrap over instructions (200)"}  # fmt: skip
        except FIT_ERRORS as exc:
            reason = str(exc).split("\n")[0]
            lc_extra["unavailable"] = f"LC GLM not fittable: {reason}"
            notes.append(f"length-controlled win rate unavailable: {reason}")
    lc = make_score(
        data,
        "length_controlled_winrate",
        lc_value,
        ci_lower=ci[0],
        ci_upper=ci[1],
        standard_error=lc_se,
        extra=lc_extra,
        **counts,
    )
    wr = raw.win_rate if raw.n_total else None
    se = raw.standard_error if raw.n_total > 1 else None
    return [
        lc,
        make_score(data, "win_rate", wr, standard_error=se, extra={"avg_length": raw.avg_length}, **counts),
        make_score(data, "discrete_win_rate", raw.discrete_win_rate if raw.n_total else None, **counts),
    ], notes


def lc_win_rate(data: RunData) -> Scored:
    """AlpacaEval's figures when judged pairwise (or not judged yet); a single-answer judge's mean rating."""
    if data.judgments and not is_pairwise(data):
        return Scored(single_mean(data))
    scores, notes = alpaca_scores(data, pair_units(data.judgments))
    return Scored(scores, notes)


LC_WIN_RATE = Statistic(
    lc_win_rate, canary_floor=5.0, description="length-controlled win rate (AlpacaEval 2.0 GLM)"
)
