"""Loaders of upstream answer files into :class:`harness.records.Output` (one per item and model).

Used to judge, audit and rank answers that were generated elsewhere (the official pre-generated answers
in upstream's own layouts (docs/benchmarks.md), or a user's own files in the upstream formats):

- AlpacaEval ``model_outputs.json``: a JSON list of ``{instruction, output, generator?, dataset?}``.
  Upstream joins model and reference **on ``instruction``** (alpaca_eval ``main.py``;
  docs/benchmarks.md), so the item id is looked up by instruction text when the eval set's ids are given.
- Arena-Hard answers, both layouts (docs/benchmarks.md, "Arena-Hard-Auto"): legacy
  ``{question_id, model_id, choices:[{turns:[{content}]}]}`` and v2 ``{uid, model, messages:[{role,
  content}]}`` where the assistant content is ``{"answer": ...}`` (reasoning models add more keys).
- FastChat MT-Bench answers: ``{question_id, model_id, choices:[{turns:[str, str]}]}``.
- WildBench result files: ``{session_id, output (str or [str]), generator}``, or the judged rows of
  ``eval_results/`` (``{session_id, model_output, model_test}``).

A file must hold one model and each item at most once: a duplicate is an error, not a silent
"last one wins" (Arena-Hard's ``reorg_answer_file`` de-duplicates quietly; we refuse instead).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from harness.errors import BadInput
from harness.jsonrows import Row, field, read_rows
from harness.records import Output

ANSWER_FORMATS = ("alpaca_eval", "arena_hard", "mt_bench", "wildbench")


def load_alpaca_eval_outputs(
    path: Path, *, model: str | None = None, instruction_ids: Mapping[str, str] | None = None
) -> list[Output]:
    """AlpacaEval ``model_outputs.json``. ``instruction_ids`` maps instruction text to item id (the eval
    set's); without it the row position is the id, which is what the LC GLM's difficulty lookup uses."""
    outputs = []
    for index, row in enumerate(read_rows(path)):
        instruction = field(row, "instruction", str)
        text = field(row, "output", str)
        name = model or _optional_str(row, "generator")
        if name is None:
            raise BadInput(row.where, "missing field 'generator' (or pass the model name)")
        if instruction_ids is None:
            item_id = str(index)
        elif instruction in instruction_ids:
            item_id = instruction_ids[instruction]
        else:
            raise BadInput(row.where, f"instruction not in the eval set: {instruction[:60]!r}")
        outputs.append(Output(item_id=item_id, model=name, turns=[text]))
    return _checked(outputs, path)


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
            turns = [_turn_content(row, t, i) for i, t in enumerate(_first_choice_turns(row))]
        if not turns:
            raise BadInput(row.where, "no assistant answer in the record")
        outputs.append(Output(item_id=item_id, model=model, turns=turns))
    return _checked(outputs, path)


def load_mt_bench_answers(path: Path) -> list[Output]:
    """FastChat ``model_answer/<model>.jsonl``: two assistant turns in ``choices[0].turns``."""
    outputs = []
    for row in read_rows(path):
        item_id = field(row, "question_id", str)
        model = field(row, "model_id", str)
        turns = _first_choice_turns(row)
        for i, turn in enumerate(turns):
            if not isinstance(turn, str):
                raise BadInput(row.where, f"choices[0].turns[{i}] must be str, got {type(turn).__name__}")
        outputs.append(Output(item_id=item_id, model=model, turns=list(turns)))
    return _checked(outputs, path)


def load_wildbench_outputs(path: Path, *, model: str | None = None) -> list[Output]:
    """WildBench result rows: ``output`` is a string or a list whose first entry is the answer."""
    outputs = []
    for row in read_rows(path):
        item_id = field(row, "session_id", str)
        name = model or _optional_str(row, "generator") or _optional_str(row, "model_test")
        if name is None:
            raise BadInput(row.where, "missing field 'generator' (or pass the model name)")
        text_field = "output" if "output" in row.data else "model_output"  # eval_results/ files
        outputs.append(Output(item_id=item_id, model=name, turns=[wildbench_output_text(row, text_field)]))
    return _checked(outputs, path)


def wildbench_output_text(row: Row, name: str = "output") -> str:
    """The answer text of a WildBench row: ``output`` as a string, or the first of a list of strings."""
    value = row.data.get(name)
    if isinstance(value, list):
        if not value or not isinstance(value[0], str):
            raise BadInput(row.where, f"field {name!r} must be a non-empty list of strings")
        return value[0]
    return field(row, name, str)


_LOADERS: dict[str, Callable[[Path], list[Output]]] = {
    "alpaca_eval": load_alpaca_eval_outputs,
    "arena_hard": load_arena_hard_answers,
    "mt_bench": load_mt_bench_answers,
    "wildbench": load_wildbench_outputs,
}


def detect_format(path: Path) -> str:
    """Which upstream layout ``path`` holds, from the fields of its first row."""
    first = read_rows(path)[0]
    keys = set(first.data)
    if "instruction" in keys and "output" in keys:
        return "alpaca_eval"
    if "session_id" in keys:
        return "wildbench"
    if "uid" in keys or ("question_id" in keys and _first_turn_is_dict(first)):
        return "arena_hard"
    if "question_id" in keys and "choices" in keys:
        return "mt_bench"
    raise BadInput(first.where, f"unknown answer format (fields: {', '.join(sorted(keys))})")


def load_answers(path: Path, fmt: str | None = None) -> list[Output]:
    """Load any supported answer file; ``fmt`` (one of ``ANSWER_FORMATS``) skips detection."""
    name = fmt or detect_format(path)
    if name not in _LOADERS:
        raise BadInput("format", f"unknown answer format {name!r} (known: {', '.join(ANSWER_FORMATS)})")
    return _LOADERS[name](path)


def _optional_str(row: Row, name: str) -> str | None:
    value = row.data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadInput(row.where, f"field {name!r} must be str, got {type(value).__name__}")
    return value


def _first_choice_turns(row: Row) -> list[Any]:
    choices = field(row, "choices", list)
    if not choices or not isinstance(choices[0], dict) or not isinstance(choices[0].get("turns"), list):
        raise BadInput(row.where, "field 'choices' must be a list whose first entry has a 'turns' list")
    turns: list[Any] = choices[0]["turns"]
    if not turns:
        raise BadInput(row.where, "choices[0].turns is empty")
    return turns


def _first_turn_is_dict(row: Row) -> bool:
    choices = row.data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return False
    turns = choices[0].get("turns")
    return isinstance(turns, list) and bool(turns) and isinstance(turns[0], dict)


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


def _checked(outputs: list[Output], path: Path) -> list[Output]:
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
