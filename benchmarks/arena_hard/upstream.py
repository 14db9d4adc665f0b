"""Readers of Arena-Hard-Auto's upstream files into the canonical frames of ``harness.stats``.

- judgments: ``data/<bench>/model_judgment/<judge>/<model>.jsonl`` (or ``.jsonl.gz``), either the legacy
  v0.1 layout (``question_id``, ``games``) or the v2 one (``uid``, ``games``), into the canonical judgment
  frame of :mod:`harness.stats.arena_judgments` (row order kept: upstream's v0.1 bootstrap resamples
  battle rows by position);
- answers: ``data/<bench>/model_answer/<model>.jsonl``, legacy (``model_id``, ``conv_metadata``,
  ``choices``) or v2 (``model``, ``metadata``, ``messages``), into the style-metadata frame (sub-counts
  summed, as ``v0.1:utils_math.py construct_style_matrices`` does), the answer texts, or
  :class:`~harness.records.Output` records (v2: the assistant content is ``{"answer": ...}``; reasoning
  models add more keys).

Every error names the file and line (``harness.jsonrows``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from harness.answers import AnswerFormat, checked_outputs, first_choice_turns, first_turn_is_dict
from harness.errors import BadInput
from harness.jsonrows import Row, field, read_rows
from harness.records import Output
from harness.stats.arena_judgments import JUDGMENT_COLUMNS, METADATA_COLUMNS, V01_BASELINE, validate_judgments

_JUDGMENT_LAYOUTS = (
    "legacy v0.1 record {question_id, model, games: [game1, game2]} or v2 record "
    "{uid, model, games: [game1, game2]}, each game {score: label|null} or null"
)
_ANSWER_LAYOUTS = (
    "legacy answer {question_id, model_id, conv_metadata{token_len, header_count, list_count, bold_count}} "
    "or v2 answer {uid, model, metadata{...}}"
)


def _game_label(game: Any, where: str) -> str | None:
    """The parsed label of one game; ``None`` (null game or null/NaN score) marks it unscored."""
    if game is None:
        return None
    if not isinstance(game, dict) or "score" not in game:
        raise BadInput(where, f"expected a game object with a 'score' field; layout: {_JUDGMENT_LAYOUTS}")
    score = game["score"]
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return None
    if not isinstance(score, str):
        raise BadInput(where + ".score", f"expected a verdict label string or null, got {score!r}")
    return score


def _add_judgments(
    columns: dict[str, list[Any]], records: Iterable[tuple[str, dict[str, Any]]], baseline: str
) -> None:
    """Append the canonical columns of (where, record) pairs in either upstream layout (two rows per
    record) to ``columns``: built as lists and made a frame once, not a dict per row."""
    question_ids, models, baselines = columns["question_id"], columns["model"], columns["baseline"]
    games_column, labels = columns["game"], columns["label"]
    for where, record in records:
        question_id = record.get("question_id", record.get("uid"))
        model = record.get("model")
        games = record.get("games")
        if question_id is None or model is None or not isinstance(games, list) or len(games) != 2:
            raise BadInput(where, f"unknown judgment format; expected {_JUDGMENT_LAYOUTS}")
        record_baseline = str(record.get("baseline") or baseline)
        question_id, model = str(question_id), str(model)
        for game_number, game in enumerate(games, start=1):
            labels.append(_game_label(game, f"{where}.games[{game_number - 1}]"))
            question_ids.append(question_id)
            models.append(model)
            baselines.append(record_baseline)
            games_column.append(game_number)


def load_judgments(paths: Sequence[Path | str], baseline: str = V01_BASELINE) -> pd.DataFrame:
    """Read judgment files (``.jsonl`` or ``.jsonl.gz``) in the given order into the canonical frame.

    The order of ``paths`` matters only for the upstream-compatible bootstrap (upstream uses ``glob()``
    order). A record naming the baseline as its own model is refused: upstream v2 warns and drops it.
    """
    if not paths:
        raise BadInput("judgments", "no judgment files given")
    columns: dict[str, list[Any]] = {name: [] for name in JUDGMENT_COLUMNS}
    for raw in paths:
        _add_judgments(columns, ((row.where, row.data) for row in read_rows(Path(raw))), baseline)
    frame = pd.DataFrame(
        {name: columns[name] for name in JUDGMENT_COLUMNS if name != "label"}, columns=JUDGMENT_COLUMNS
    )
    # object dtype keeps a null game as None (a string dtype would turn it into NaN)
    frame["label"] = pd.Series(columns["label"], dtype=object)
    return validate_judgments(frame)


def _count(value: Any, where: str) -> float:
    """A style count: an int, or a dict of sub-counts summed (``header_count{h1..h6}`` etc.)."""
    if isinstance(value, dict):
        return float(sum(_count(v, where) for v in value.values()))
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise BadInput(where, f"expected a count, got {value!r}")
    return float(value)


def _answers(paths: Sequence[Path | str]) -> Iterator[tuple[str, dict[str, Any], str, str]]:
    """``(where, record, model, question_id)`` of every answer in legacy or v2 answer files."""
    for path in paths:
        for line in read_rows(Path(path)):
            question_id = line.data.get("question_id", line.data.get("uid"))
            model = line.data.get("model_id", line.data.get("model"))
            if question_id is None or model is None:
                raise BadInput(line.where, f"unknown answer format; expected {_ANSWER_LAYOUTS}")
            yield line.where, line.data, str(model), str(question_id)


def load_answer_metadata(paths: Sequence[Path | str]) -> pd.DataFrame:
    """Style metadata of answer files (legacy ``conv_metadata`` or v2 ``metadata``), one row per answer."""
    rows: list[dict[str, Any]] = []
    for where, record, model, question_id in _answers(paths):
        meta = record.get("conv_metadata", record.get("metadata"))
        if not isinstance(meta, dict):
            raise BadInput(where, f"unknown answer format; expected {_ANSWER_LAYOUTS}")
        row: dict[str, Any] = {"model": model, "question_id": question_id}
        for name in METADATA_COLUMNS[2:]:
            if name not in meta:
                raise BadInput(f"{where}.metadata.{name}", "missing style field")
            row[name] = _count(meta[name], f"{where}.metadata.{name}")
        rows.append(row)
    frame = pd.DataFrame(rows, columns=METADATA_COLUMNS)
    if frame.duplicated(["model", "question_id"]).any():
        dup = frame[frame.duplicated(["model", "question_id"])].iloc[0]
        raise BadInput(
            "answers", f"duplicate answer for model {dup['model']!r}, question {dup['question_id']!r}"
        )
    return frame


def _answer_text(record: dict[str, Any], where: str) -> str:
    """The assistant text of a legacy (``choices[0].turns[0].content``) or v2 (``messages[-1]``) answer."""
    try:
        if "choices" in record:
            text = record["choices"][0]["turns"][0]["content"]
        else:
            content = record["messages"][-1]["content"]
            text = content["answer"] if isinstance(content, dict) else content
    except (KeyError, IndexError, TypeError) as error:
        raise BadInput(where, f"no answer text; expected {_ANSWER_LAYOUTS}") from error
    if not isinstance(text, str):
        raise BadInput(where, f"answer text is {type(text).__name__}, expected a string")
    return text


def load_answer_texts(paths: Sequence[Path | str]) -> pd.DataFrame:
    """``model, question_id, text, metadata`` of answer files (``metadata`` = the stored nested counts)."""
    rows = [
        {"model": model, "question_id": question_id, "text": _answer_text(record, where),
         "metadata": record.get("conv_metadata", record.get("metadata"))}
        for where, record, model, question_id in _answers(paths)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["model", "question_id", "text", "metadata"])


def load_arena_hard_answers(path: Path) -> list[Output]:
    """Arena-Hard answers in the legacy (``question_id``) or v2 (``uid``/``messages``) layout."""
    outputs = []
    for row in read_rows(path):
        if "messages" in row.data:
            item_id = field(row, "uid", str)
            model = field(row, "model", str)
            answers = [_v2_answer(row, i, m) for i, m in enumerate(field(row, "messages", list))]
            turns = [t for t in answers if t is not None]
        else:
            item_id = field(row, "question_id", str)
            model = field(row, "model_id", str)
            turns = [_turn_content(row, t, i) for i, t in enumerate(first_choice_turns(row))]
        if not turns:
            raise BadInput(row.where, "no assistant answer in the record")
        outputs.append(Output(item_id=item_id, model=model, turns=turns))
    return checked_outputs(outputs, path)


def _turn_content(row: Row, turn: Any, index: int) -> str:
    if not isinstance(turn, dict) or not isinstance(turn.get("content"), str):
        raise BadInput(row.where, f"choices[0].turns[{index}] must be an object with a string 'content'")
    content: str = turn["content"]
    return content


def _v2_answer(row: Row, index: int, message: Any) -> str | None:
    """The answer text of one v2 message, or None for a user message."""
    if not isinstance(message, dict) or "role" not in message or "content" not in message:
        raise BadInput(row.where, f"messages[{index}] must be an object with 'role' and 'content'")
    if message["role"] != "assistant":
        return None
    content = message["content"]
    if isinstance(content, dict):
        content = content.get("answer")
    if not isinstance(content, str):
        raise BadInput(row.where, f"messages[{index}].content must be a string or {{'answer': str}}")
    return content


ANSWERS = AnswerFormat(
    "arena_hard",
    lambda row: "uid" in row.data or ("question_id" in row.data and first_turn_is_dict(row)),
    load_arena_hard_answers,
)
