"""The canonical Arena-Hard judgment and answer-metadata DataFrames of ``stats.bradley_terry``.

``benchmarks.arena_hard.upstream`` reads upstream's judgment and answer files into them; this module
validates and summarises the frames and reads no file.

Canonical judgment frame: one row per (question_id, model, game) with columns
``question_id, model, baseline, game, label``. ``game`` is 1 (A = baseline, B = model) or 2 (A = model,
B = baseline), exactly as ``gen_judgment.py`` of lmarena/arena-hard-auto writes them; ``label`` is the
parsed verdict in the position frame of that game (``"A>>B"`` ...) or ``None`` for an unscored game.
Rows keep the order of the files and of the lines in them: upstream's v0.1 bootstrap resamples battle rows
by position, so reproducing its intervals needs the same order (``peer_check/README.md``, "CIs").

Answer metadata frame: one row per (model, question_id) with ``token_len, header_count, list_count,
bold_count`` (sub-counts summed, as ``v0.1:utils_math.py construct_style_matrices`` does).
"""

from __future__ import annotations

import pandas as pd

from harness.errors import BadInput

JUDGMENT_COLUMNS = ["question_id", "model", "baseline", "game", "label"]
METADATA_COLUMNS = ["model", "question_id", "token_len", "header_count", "list_count", "bold_count"]
V01_BASELINE = "gpt-4-0314"


def validate_judgments(frame: pd.DataFrame, where: str = "judgments") -> pd.DataFrame:
    """Check the canonical judgment frame: columns, games in {1, 2}, no duplicate (question, model, game)."""
    missing = [column for column in JUDGMENT_COLUMNS if column not in frame.columns]
    if missing:
        raise BadInput(where, f"missing column(s) {missing}; expected {JUDGMENT_COLUMNS}")
    for column in ("question_id", "model", "baseline"):
        if frame[column].isna().any():
            raise BadInput(f"{where}.{column}", "missing values")
    games = pd.to_numeric(frame["game"], errors="coerce")
    if games.isna().any() or not games.isin([1, 2]).all():
        raise BadInput(f"{where}.game", "expected 1 (A = baseline) or 2 (A = model)")
    if (frame["model"] == frame["baseline"]).any():
        bad = frame.loc[frame["model"] == frame["baseline"], "model"].iloc[0]
        raise BadInput(f"{where}.model", f"model {bad!r} is judged against itself as baseline")
    duplicated = frame.duplicated(["question_id", "model", "baseline", "game"])
    if duplicated.any():
        row = frame[duplicated].iloc[0]
        raise BadInput(
            f"{where}",
            f"duplicate judgment for question {row['question_id']!r}, model {row['model']!r}, game {row['game']}",
        )
    out = frame.copy()
    out["game"] = games.astype(int)
    return out


def average_tokens(metadata: pd.DataFrame) -> dict[str, int]:
    """``int(mean(token_len))`` per model: the ``avg_tokens`` column of the v0.1 leaderboard csv."""
    means = metadata.groupby("model", sort=True)["token_len"].mean()
    return {str(model): int(value) for model, value in means.items()}
