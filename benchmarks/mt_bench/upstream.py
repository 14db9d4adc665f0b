"""Readers of FastChat's MT-Bench files (``fastchat/llm_judge``) into the frames of ``harness.stats.mt_bench``.

- ``data/mt_bench/question.jsonl``: ``question_id -> category``;
- ``model_judgment/gpt-4_single.jsonl``: one row per (question, model, turn) with its 1-10 score
  (``-1`` = the judge's answer could not be parsed);
- ``model_judgment/gpt-4_pair.jsonl``: one row per match with both games' winners;
- ``model_answer/<model>.jsonl``: ``{question_id, model_id, choices:[{turns:[str, str]}]}``.

Every error names the file and line (``harness.jsonrows``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from harness.answers import AnswerFormat, checked_outputs, first_choice_turns, first_turn_is_dict
from harness.errors import BadInput
from harness.jsonrows import field, read_rows
from harness.records import Output
from harness.stats.mt_bench import PAIR_COLUMNS


def _field(row: Mapping[str, Any], name: str, where: str) -> Any:
    if name not in row:
        raise BadInput(where, f"missing field {name!r}")
    return row[name]


def load_questions(path: str | Path) -> dict[int, str]:
    """``question_id -> category`` from FastChat ``data/mt_bench/question.jsonl``."""
    path = Path(path)
    categories: dict[int, str] = {}
    for line in read_rows(Path(path)):
        where, row = line.where, line.data
        categories[int(_field(row, "question_id", where))] = str(_field(row, "category", where))
    return categories


def _judge_name(value: Any) -> str:
    """FastChat stores ``judge`` as ``[judge_model, prompt_name]``; keep both, joined by '/'."""
    if isinstance(value, list | tuple):
        return "/".join(str(part) for part in value)
    return str(value)


def load_single_judgments(path: str | Path) -> pd.DataFrame:
    """FastChat ``gpt-4_single.jsonl`` -> columns question_id, model, judge, turn, score.

    A missing or null ``score`` stays NaN (unscored later, never dropped here); a missing key field fails.
    """
    path = Path(path)
    records = []
    for line in read_rows(Path(path)):
        where, row = line.where, line.data
        score = row.get("score")
        if score is not None and not isinstance(score, int | float):
            raise BadInput(f"{where}.score", f"expected a number (-1 = unparsed), got {score!r}")
        records.append(
            {
                "question_id": int(_field(row, "question_id", where)),
                "model": str(_field(row, "model", where)),
                "judge": _judge_name(row.get("judge", "")),
                "turn": int(_field(row, "turn", where)),
                "score": float("nan") if score is None else float(score),
            }
        )
    return pd.DataFrame.from_records(records, columns=["question_id", "model", "judge", "turn", "score"])


def load_pair_judgments(path: str | Path) -> pd.DataFrame:
    """FastChat ``gpt-4_pair.jsonl`` -> columns question_id, model_1, model_2, g1_winner, g2_winner, judge, turn."""
    path = Path(path)
    records = []
    for line in read_rows(Path(path)):
        where, row = line.where, line.data
        records.append(
            {
                "question_id": int(_field(row, "question_id", where)),
                "model_1": str(_field(row, "model_1", where)),
                "model_2": str(_field(row, "model_2", where)),
                "g1_winner": row.get("g1_winner"),
                "g2_winner": row.get("g2_winner"),
                "judge": _judge_name(row.get("judge", "")),
                "turn": int(row.get("turn", 1)),
            }
        )
    columns = [*PAIR_COLUMNS, "judge", "turn"]
    return pd.DataFrame.from_records(records, columns=columns)


def load_mt_bench_answers(path: Path) -> list[Output]:
    """FastChat ``model_answer/<model>.jsonl``: two assistant turns in ``choices[0].turns``."""
    outputs = []
    for row in read_rows(path):
        item_id = field(row, "question_id", str)
        model = field(row, "model_id", str)
        turns = first_choice_turns(row)
        for i, turn in enumerate(turns):
            if not isinstance(turn, str):
                raise BadInput(row.where, f"choices[0].turns[{i}] must be str, got {type(turn).__name__}")
        outputs.append(Output(item_id=item_id, model=model, turns=list(turns)))
    return checked_outputs(outputs, path)


ANSWERS = AnswerFormat(
    "mt_bench",
    lambda row: "question_id" in row.data and "choices" in row.data and not first_turn_is_dict(row),
    load_mt_bench_answers,
)
