"""Readers of AlpacaEval's upstream files, each into the frame ``harness.stats`` computes on.

- ``annotations.json`` (``alpaca_eval/main.py`` writes it, one per model under ``results/<model>/<judge>/``;
  format in docs/benchmarks.md), or a JSON-lines equivalent: the canonical annotations frame;
- ``instruction_difficulty.csv`` (γ, the Hugging Face dataset file): :class:`Difficulty`;
- the committed GLM weights CSV (``metrics/weights/<judge>/length_controlled_v1/baseline_<model>.csv``);
- γ recovered from an annotations file whose rows store the GLM prediction ``glm_preference``;
- the leaderboard CSV (``leaderboards/data_AlpacaEval_2/<judge>_leaderboard.csv``);
- (``model_outputs.json``, the answer files, are read by :mod:`benchmarks.alpaca_eval.formats`.)

Every reader names the file (and the row or column) in its one-line error; the validation itself is the
pure functions of :mod:`harness.stats.alpaca_annotations`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from harness.errors import BadInput
from harness.stats.alpaca_annotations import (
    EXPECTED_ANNOTATIONS,
    Difficulty,
    annotations_frame,
    difficulty_from_frame,
    difficulty_from_predictions,
    glm_weights_frame,
)


def load_annotations(path: str | Path) -> pd.DataFrame:
    """Read an upstream ``annotations.json`` (or a JSON-lines equivalent) into the canonical frame."""
    path = Path(path)
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput(where, f"cannot read: {exc.strerror}") from None
    try:
        if path.suffix == ".jsonl":
            data: Any = [json.loads(line) for line in text.splitlines() if line.strip()]
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            raise BadInput(
                where, f"unknown format {path.suffix or '(no suffix)'!r}; expected {EXPECTED_ANNOTATIONS}"
            )
    except json.JSONDecodeError as exc:
        raise BadInput(
            f"{where}:{exc.lineno}", f"invalid JSON ({exc.msg}); expected {EXPECTED_ANNOTATIONS}"
        ) from None
    if not isinstance(data, list):
        raise BadInput(where, f"top level is a {type(data).__name__}; expected {EXPECTED_ANNOTATIONS}")
    return annotations_frame(data, where)


def load_difficulty(path: str | Path) -> Difficulty:
    """Read γ from a CSV with columns ``index``, ``instruction_difficulty``, ``instruction`` (row order)."""
    where = str(path)
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError) as exc:  # ParserError, EmptyDataError, UnicodeDecodeError
        raise BadInput(where, f"cannot read difficulty CSV: {' '.join(str(exc).split())[:160]}") from None
    return difficulty_from_frame(frame, where)


def load_glm_weights(path: str | Path) -> pd.DataFrame:
    """Read an upstream weights CSV into columns ``theta``, ``phi``, ``beta`` indexed by model name."""
    where = str(path)
    try:
        frame = pd.read_csv(path, index_col=0)
    except (OSError, pd.errors.ParserError) as exc:
        raise BadInput(where, f"cannot read weights CSV: {exc}") from None
    return glm_weights_frame(frame, where)


def difficulty_from_glm_preference(path: str | Path, beta: float, phi: float) -> Difficulty:
    """γ recovered from an upstream annotations file that carries ``glm_preference`` = σ(β + φ·γ_i)
    (:func:`~harness.stats.alpaca_annotations.difficulty_from_predictions`), with that model's (β, φ)."""
    where = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BadInput(where, f"cannot read annotations JSON: {exc}") from None
    if not isinstance(data, list) or not data:
        raise BadInput(where, "expected a non-empty JSON list of annotations")
    if phi == 0.0:
        raise BadInput(where, "the model's difficulty coefficient φ is 0: γ cannot be recovered from it")
    probs, instructions = [], []
    for i, row in enumerate(data):
        value = row.get("glm_preference") if isinstance(row, dict) else None
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 < value < 1.0:
            raise BadInput(f"{where}[{i}].glm_preference", f"expected a probability in (0, 1), got {value!r}")
        if not isinstance(row.get("instruction"), str):
            raise BadInput(f"{where}[{i}].instruction", "expected a string")
        probs.append(float(value))
        instructions.append(row["instruction"])
    return difficulty_from_predictions(probs, instructions, beta, phi, where)


def load_leaderboard_csv(path: Path) -> pd.DataFrame:
    """Upstream's leaderboard CSV (model index), checked for the columns the coefficient board reads."""
    try:
        frame = pd.read_csv(path, index_col=0)
    except (OSError, pd.errors.ParserError) as exc:
        raise BadInput(str(path), f"cannot read leaderboard CSV: {exc}") from None
    for column in ("n_total", "length_controlled_winrate"):
        if column not in frame.columns:
            raise BadInput(f"{path}:{column}", "missing column of the upstream leaderboard CSV")
    return frame
