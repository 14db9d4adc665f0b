"""Inputs of the AlpacaEval 2.0 statistics, validated into one canonical annotations DataFrame.

Canonical frame (one row per instruction, in eval-set order, since the legacy γ lookup is positional):
``instruction``, ``output_1`` (baseline text), ``output_2`` (model text), ``preference`` (float in [1, 2],
2 = the model wins, NaN = unscored), ``generator_1`` (baseline), ``generator_2`` (model) and
``unscored_reason`` (None, or why the preference is missing).

Sources: rows of upstream ``annotations.json`` (read by ``benchmarks.alpaca_eval.upstream``) and our own
pairwise :class:`~harness.records.Judgment` records. Also here: the instruction-difficulty vector γ, the
committed GLM weights and the gamed-baseline regulariser rows (the HF ``df_gamed.csv`` layout), all named
after the upstream columns and validated as frames; this module reads no file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from harness.errors import BadInput
from harness.records import Item, Judgment, Output
from harness.stats.logistic import logit

ANNOTATION_FIELDS = ("instruction", "output_1", "output_2", "preference", "generator_1", "generator_2")
CANONICAL_COLUMNS = (*ANNOTATION_FIELDS, "unscored_reason")
EXPECTED_ANNOTATIONS = (
    "an AlpacaEval annotations file: a JSON list (.json) or JSON lines (.jsonl) of objects with fields "
    + ", ".join(ANNOTATION_FIELDS)
)
# upstream weights-file columns (patsy term names of the length_controlled_v1 formula)
WEIGHT_COLUMNS = {
    "theta": "np.tanh(std_delta_len)",
    "phi": "instruction_difficulty",
    "beta": "not_gamed_baseline.astype(float)",
}
GAMED_COLUMNS = ("index", "preference", "std_delta_len", "instruction_difficulty")


@dataclass(frozen=True)
class Difficulty:
    """The fixed instruction-difficulty vector γ, in eval-set row order, with the instruction of each row."""

    gamma: npt.NDArray[np.float64]
    instructions: tuple[str, ...]


def _preference(value: Any, where: str) -> float:
    """Parse one preference; None/NaN is unscored, the legacy draw 0 becomes 1.5 (upstream helpers.py)."""
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BadInput(where, f"preference must be a number in [1, 2], got {value!r}")
    try:
        pref = float(value)
    except ValueError:
        raise BadInput(where, f"preference must be a number in [1, 2], got {value!r}") from None
    if math.isnan(pref):
        return pref
    if pref == 0.0:
        return 1.5
    if not 1.0 <= pref <= 2.0:
        raise BadInput(where, f"preference must be in [1, 2] (2 = model wins), got {pref}")
    return pref


def annotations_frame(rows: Sequence[dict[str, Any]], where: str) -> pd.DataFrame:
    """Validate raw annotation objects into the canonical frame. ``where`` names the source in errors."""
    if len(rows) == 0:
        raise BadInput(where, f"no annotations; expected {EXPECTED_ANNOTATIONS}")
    records: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise BadInput(
                f"{where}[{i}]",
                f"expected an object, got {type(row).__name__}; expected {EXPECTED_ANNOTATIONS}",
            )
        missing = [f for f in ANNOTATION_FIELDS if f not in row]
        if missing:
            hint = " (this looks like model_outputs.json)" if "output" in row else ""
            raise BadInput(
                f"{where}[{i}]",
                f"missing field(s) {', '.join(missing)}{hint}; expected {EXPECTED_ANNOTATIONS}",
            )
        for field in ("instruction", "output_1", "output_2", "generator_1", "generator_2"):
            if not isinstance(row[field], str):
                raise BadInput(f"{where}[{i}].{field}", f"expected a string, got {type(row[field]).__name__}")
        pref = _preference(row["preference"], f"{where}[{i}].preference")
        reason = row.get("unscored_reason") if math.isnan(pref) else None
        records.append(
            {f: row[f] for f in ANNOTATION_FIELDS} | {"preference": pref, "unscored_reason": reason}
        )
    frame = pd.DataFrame.from_records(records, columns=list(CANONICAL_COLUMNS))
    frame.loc[frame["preference"].isna() & frame["unscored_reason"].isna(), "unscored_reason"] = (
        "missing_preference"
    )
    return frame


def judgments_to_annotations(
    judgments: Sequence[Judgment],
    items: Sequence[Item],
    model_outputs: Sequence[Output],
    baseline_outputs: Sequence[Output] | None = None,
) -> pd.DataFrame:
    """Our pairwise judgments as the canonical frame, rows in ``items`` order (the eval-set order).

    The preference is ``Judgment.score`` (else a numeric ``verdict``) in the model frame, 2 = model wins:
    the judge layer has already undone any presentation swap (``order`` records it). An unscored
    judgment, or an item without a judgment, becomes a NaN preference with its reason, never a loss.
    The baseline text comes from ``baseline_outputs`` or else from ``Item.baselines[opponent][0]``.
    """
    by_item: dict[str, Judgment] = {}
    for j in judgments:
        where = f"judgments[item_id={j.item_id}]"
        if j.protocol != "pairwise":
            raise BadInput(f"{where}.protocol", f"expected 'pairwise', got {j.protocol!r}")
        if j.item_id in by_item:
            raise BadInput(where, "more than one judgment for this item; aggregate both orders first")
        by_item[j.item_id] = j
    models = {j.model for j in judgments}
    opponents = {j.opponent for j in judgments}
    if len(models) != 1 or len(opponents) != 1 or None in opponents:
        raise BadInput("judgments", f"expected one model and one named opponent, got {models} vs {opponents}")
    model, baseline = models.pop(), str(opponents.pop())
    outputs = {o.item_id: o for o in model_outputs}
    base = {o.item_id: o for o in baseline_outputs or ()}
    item_ids = [it.item_id for it in items]
    check_instructions(list(outputs), item_ids, what="model outputs (item_id)")
    if baseline_outputs is not None:
        check_instructions(list(base), item_ids, what="baseline outputs (item_id)")
    rows: list[dict[str, Any]] = []
    for it in items:
        if baseline_outputs is not None:
            base_text = base[it.item_id].turns[0]
        elif it.baselines.get(baseline):
            base_text = it.baselines[baseline][0]
        else:
            raise BadInput(f"items[{it.item_id}].baselines", f"no baseline output for {baseline!r}")
        judgment = by_item.get(it.item_id)
        pref: Any = None
        reason: str | None = "missing_judgment"
        if judgment is not None and judgment.status == "scored":
            pref = judgment.score if judgment.score is not None else judgment.verdict
            reason = None
        elif judgment is not None:
            reason = judgment.reason or "unscored"
        rows.append(
            {
                "instruction": it.turns[0],
                "output_1": base_text,
                "output_2": outputs[it.item_id].turns[0],
                "preference": pref,
                "generator_1": baseline,
                "generator_2": model,
                "unscored_reason": reason,
            }
        )
    return annotations_frame(rows, f"judgments of {model}")


def check_instructions(actual: Sequence[str], expected: Sequence[str], what: str = "instructions") -> None:
    """Raise BadInput unless ``actual`` equals ``expected`` in content and order (AlpacaEval issue #453).

    The message gives both counts and the first differing entry, so a truncated or reordered run is
    diagnosed at once instead of yielding a shifted γ or a NaN LC.
    """
    if list(actual) == list(expected):
        return
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    first = next((i for i, (a, e) in enumerate(zip(actual, expected, strict=False)) if a != e), None)
    if first is not None:
        detail = (
            f"first difference at row {first}: got {actual[first][:80]!r}, expected {expected[first][:80]!r}"
        )
    elif len(actual) < len(expected):
        detail = f"first missing: {expected[len(actual)][:80]!r}"
    else:
        detail = f"first extra: {actual[len(expected)][:80]!r}"
    raise BadInput(
        what,
        f"differ from the expected ones: {len(actual)} vs {len(expected)} rows, {len(missing)} missing, "
        f"{len(extra)} extra; {detail}",
    )


def difficulty_from_frame(frame: pd.DataFrame, where: str) -> Difficulty:
    """γ from a frame with columns ``index``, ``instruction_difficulty``, ``instruction`` (row order)."""
    for col in ("index", "instruction_difficulty", "instruction"):
        if col not in frame.columns:
            raise BadInput(
                f"{where}:{col}", "missing column; expected index, instruction_difficulty, instruction"
            )
    if not (frame["index"].to_numpy() == np.arange(len(frame))).all():
        raise BadInput(f"{where}:index", "rows must be numbered 0..n-1 in eval-set order")
    try:
        gamma = frame["instruction_difficulty"].to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise BadInput(f"{where}:instruction_difficulty", "not a number in every row") from None
    if not np.isfinite(gamma).all():
        bad = int(np.flatnonzero(~np.isfinite(gamma))[0])
        raise BadInput(f"{where}:instruction_difficulty", f"not finite at index {bad}")
    return Difficulty(gamma=gamma, instructions=tuple(frame["instruction"].astype(str)))


def glm_weights_frame(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """An upstream weights table (patsy term columns, model index) as columns ``theta``, ``phi``, ``beta``."""
    for ours, theirs in WEIGHT_COLUMNS.items():
        if theirs not in frame.columns:
            raise BadInput(f"{where}:{theirs}", f"missing column (the {ours} coefficient)")
    out = frame.rename(columns={v: k for k, v in WEIGHT_COLUMNS.items()})[list(WEIGHT_COLUMNS)].astype(float)
    if out.isna().any().any():
        model = out.index[out.isna().any(axis=1)][0]
        raise BadInput(f"{where}:{model}", "missing coefficient")
    return out


def validate_gamed(gamed: pd.DataFrame, where: str = "gamed") -> pd.DataFrame:
    """Check regulariser rows in the HF ``df_gamed.csv`` layout: ``index``, ``preference`` in [0, 1]
    (already minus 1), ``std_delta_len`` (standardised per gamed model), ``instruction_difficulty``."""
    for col in GAMED_COLUMNS:
        if col not in gamed.columns:
            raise BadInput(f"{where}:{col}", f"missing column; expected {', '.join(GAMED_COLUMNS)}")
    values = gamed[list(GAMED_COLUMNS[1:])].to_numpy(dtype=float)
    if not np.isfinite(values).all():
        row = int(np.flatnonzero(~np.isfinite(values).all(axis=1))[0])
        raise BadInput(f"{where}[{row}]", "NaN or infinite value in a regulariser row")
    pref = gamed["preference"].to_numpy(dtype=float)
    if ((pref < 0) | (pref > 1)).any():
        raise BadInput(
            f"{where}:preference", "gamed preferences must be in [0, 1] (upstream stores pref - 1)"
        )
    return gamed.loc[:, list(GAMED_COLUMNS)].reset_index(drop=True)


def difficulty_from_predictions(
    predictions: Sequence[float], instructions: Sequence[str], beta: float, phi: float, where: str
) -> Difficulty:
    """γ recovered from one model's stored GLM predictions ``glm_preference`` = σ(β + φ·γ_i).

    Upstream keeps γ on the Hugging Face hub (``instruction_difficulty.csv``); its annotations for one
    model also store each row's GLM prediction at zero length difference, so with that model's (β, φ)
    from the committed weights file γ_i = (logit(glm_preference_i) − β) / φ. The stored predictions have
    10 decimals, which gives γ to about 1e-8: LC values agree with the hub's γ to well under 1e-6.
    """
    if phi == 0.0:
        raise BadInput(where, "the model's difficulty coefficient φ is 0: γ cannot be recovered from it")
    gamma = (logit(np.asarray(predictions, dtype=float)) - beta) / phi
    return Difficulty(gamma=np.asarray(gamma, dtype=float), instructions=tuple(instructions))
