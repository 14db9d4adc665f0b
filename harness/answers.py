"""What every reader of upstream answer files shares: field helpers and the checks on a whole file.

The readers themselves belong to their benchmarks (``benchmarks/<name>/upstream.py``: AlpacaEval
``model_outputs.json``, Arena-Hard and FastChat MT-Bench ``model_answer/<model>.jsonl``, WildBench result
files), each declared as an :class:`AnswerFormat`. They turn answers that were generated elsewhere (the
official pre-generated answers in upstream's own layouts, or a user's own files in those formats) into
:class:`harness.records.Output` records, one per item and model.

A file must hold one model and each item at most once: a duplicate is an error, not a silent
"last one wins" (Arena-Hard's ``reorg_answer_file`` de-duplicates quietly; we refuse instead).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import BadInput
from harness.jsonrows import Row, field, read_rows
from harness.records import Output


@dataclass(frozen=True)
class AnswerFormat:
    """One upstream answer layout: ``name`` (the benchmark's), ``matches`` (a test on the file's first
    row) and ``load`` (the whole file as Outputs, the item id as upstream names it)."""

    name: str
    matches: Callable[[Row], bool]
    load: Callable[[Path], list[Output]]


def detect_answer_format(path: Path, formats: Sequence[AnswerFormat]) -> AnswerFormat:
    """The first of ``formats`` whose test accepts the first row of ``path``."""
    first = read_rows(path)[0]
    for fmt in formats:
        if fmt.matches(first):
            return fmt
    raise BadInput(first.where, f"unknown answer format (fields: {', '.join(sorted(first.data))})")


def read_answers(path: Path, formats: Sequence[AnswerFormat], name: str | None = None) -> list[Output]:
    """The answers of ``path`` in the format called ``name``, or in the one detected among ``formats``."""
    if name is None:
        return detect_answer_format(path, formats).load(path)
    for fmt in formats:
        if fmt.name == name:
            return fmt.load(path)
    known = ", ".join(fmt.name for fmt in formats)
    raise BadInput("format", f"unknown answer format {name!r} (known: {known})")


def optional_str(row: Row, name: str) -> str | None:
    value = row.data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadInput(row.where, f"field {name!r} must be str, got {type(value).__name__}")
    return value


def first_choice_turns(row: Row) -> list[Any]:
    choices = field(row, "choices", list)
    if not choices or not isinstance(choices[0], dict) or not isinstance(choices[0].get("turns"), list):
        raise BadInput(row.where, "field 'choices' must be a list whose first entry has a 'turns' list")
    turns: list[Any] = choices[0]["turns"]
    if not turns:
        raise BadInput(row.where, "choices[0].turns is empty")
    return turns


def first_turn_is_dict(row: Row) -> bool:
    choices = row.data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return False
    turns = choices[0].get("turns")
    return isinstance(turns, list) and bool(turns) and isinstance(turns[0], dict)


def checked_outputs(outputs: list[Output], path: Path) -> list[Output]:
    models = sorted({o.model for o in outputs})
    if len(models) > 1:
        raise BadInput(
            str(path), f"one model per file expected, found {len(models)}: {', '.join(models[:5])}"
        )
    seen: set[str] = set()
    for output in outputs:
        if output.item_id in seen:
            raise BadInput(str(path), f"duplicate answer for item {output.item_id!r}")
        seen.add(output.item_id)
    return outputs
