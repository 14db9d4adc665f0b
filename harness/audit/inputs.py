"""Readers of the outputs the audit accepts, into :class:`AuditItem` (prompts + outputs per item).

Formats (see docs/audit.md):
* AlpacaEval ``model_outputs.json``: a list of ``{instruction, output, generator}``.
* Arena-Hard / FastChat answer JSONL, legacy (``question_id``, ``choices[0].turns`` of strings or of
  ``{content}``) with a question file, or v2 (``uid``, ``messages`` with the user turns inline).
* Our run directories: ``outputs.jsonl`` of :class:`harness.records.Output` plus ``items.jsonl`` of
  :class:`harness.records.Item` (or a question file).
The instruction of every item is needed: relevance and the allowlist compare the output against it.
These small readers stay here until harness/answers.py lands; the lead reconciles them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from benchmarks import get_benchmark
from harness.audit.text import normalize
from harness.errors import BadInput
from harness.records import Item, Output
from harness.run.config import RunConfig
from harness.store import RunStore, is_final


@dataclass(frozen=True)
class AuditItem:
    """One item as the judge would see it: the user turns, the model's turns, any prior history."""

    item_id: str
    prompts: tuple[str, ...]
    outputs: tuple[str, ...]
    history: str = ""

    @cached_property  # read by every detector: normalised once per item
    def context(self) -> str:
        """Normalised instruction + history: what the output may legitimately repeat."""
        return normalize("\n".join((*self.prompts, self.history)))


@dataclass(frozen=True)
class Submission:
    source: str
    model: str
    items: tuple[AuditItem, ...]


# Benchmark -> question file under the upstream data root (relative), for --benchmark defaults.
def default_data_root() -> Path:
    """Upstream data: ``$HARNESS_SHARED_DIR/data``, else ``shared/data`` in the working directory's parent."""
    env = os.environ.get("HARNESS_SHARED_DIR")
    return Path(env) / "data" if env else Path.cwd().parent / "shared" / "data"


def _jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        lines = path.read_text(encoding="utf-8").split("\n")  # not splitlines(): U+2028 is valid in JSON
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(str(path), f"cannot read: {exc}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInput(f"{path}:{n}", f"not JSON: {exc.msg}") from None
        if not isinstance(row, dict):
            raise BadInput(f"{path}:{n}", "expected a JSON object per line")
        yield n, row


def _text(value: Any, where: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("content", "answer"):
            if isinstance(value.get(key), str):
                return str(value[key])
    raise BadInput(where, f"expected text, got {type(value).__name__}")


def read_questions(path: Path) -> dict[str, tuple[str, ...]]:
    """Question id -> user turns; Arena-Hard (``uid``/``prompt``) and FastChat (``question_id``/``turns``)."""
    questions: dict[str, tuple[str, ...]] = {}
    for n, row in _jsonl(path):
        where = f"{path}:{n}"
        qid = row.get("uid", row.get("question_id"))
        if qid is None:
            raise BadInput(where, "question has neither 'uid' nor 'question_id'")
        if "prompt" in row:
            turns: tuple[str, ...] = (_text(row["prompt"], where),)
        elif isinstance(row.get("turns"), list):
            turns = tuple(_text(t, where) for t in row["turns"])
        else:
            raise BadInput(where, "question has neither 'prompt' nor 'turns'")
        questions[str(qid)] = turns
    if not questions:
        raise BadInput(str(path), "no questions")
    return questions


def read_alpaca_outputs(path: Path) -> Submission:
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInput(str(path), f"cannot read AlpacaEval outputs: {exc}") from None
    if not isinstance(rows, list) or not rows:
        raise BadInput(str(path), "expected a non-empty JSON list of {instruction, output}")
    items = []
    models = set()
    for i, row in enumerate(rows):
        where = f"{path}[{i}]"
        if not isinstance(row, dict) or "instruction" not in row or "output" not in row:
            raise BadInput(where, "each entry needs 'instruction' and 'output'")
        output = row["output"] if row["output"] is not None else ""
        items.append(AuditItem(str(i), (_text(row["instruction"], where),), (_text(output, where),)))
        models.add(str(row.get("generator", "")))
    return Submission(str(path), ",".join(sorted(m for m in models if m)) or path.parent.name, tuple(items))


def _answer_turns(row: dict[str, Any], where: str) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    """(question id, user turns found inline, assistant turns) of one answer row."""
    if isinstance(row.get("messages"), list):
        users = tuple(_text(m.get("content"), where) for m in row["messages"] if m.get("role") == "user")
        answers = tuple(
            _text(m.get("content"), where) for m in row["messages"] if m.get("role") == "assistant"
        )
        return str(row.get("uid", "")) or None, users, answers
    choices = row.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0].get("turns"), list):
        qid = row.get("question_id", row.get("uid"))
        return (None if qid is None else str(qid)), (), tuple(_text(t, where) for t in choices[0]["turns"])
    raise BadInput(where, "answer has neither 'messages' nor 'choices[0].turns'")


def read_answers(path: Path, questions: dict[str, tuple[str, ...]] | None) -> Submission:
    items = []
    model = ""
    for n, row in _jsonl(path):
        where = f"{path}:{n}"
        qid, users, answers = _answer_turns(row, where)
        if qid is None:
            raise BadInput(where, "answer has no question id")
        if not users:
            if questions is None:
                raise BadInput(str(path), "legacy answers carry no prompts: pass --questions or --benchmark")
            if qid not in questions:
                raise BadInput(where, f"question {qid!r} not in the question file")
            users = questions[qid]
        items.append(AuditItem(qid, users, answers))
        model = model or str(row.get("model_id", row.get("model", "")))
    if not items:
        raise BadInput(str(path), "no answers")
    return Submission(str(path), model or path.stem, tuple(items))


def _run_items(path: Path) -> tuple[str | None, list[Item]]:
    """The run's model name and items: ``items.jsonl``, or (a run written before runs stored their items)
    the items its ``run.json`` config names, loaded again from the benchmark (``--data``, version, limit)."""
    info = RunStore(path).read_run_json()
    config = RunConfig.from_json(info.config, str(path / "run.json")) if info is not None else None
    model = config.model_name if config is not None else None
    items_path = path / "items.jsonl"
    if items_path.exists():
        items = []
        for n, row in _jsonl(items_path):
            try:
                items.append(Item.model_validate(row))
            except ValidationError as exc:
                raise BadInput(f"{items_path}:{n}", f"not an Item: {exc.errors()[0]['msg']}") from None
        return model, items
    if config is None:
        return None, []
    bench = get_benchmark(config.benchmark)
    return model, bench.load(config.data, version=config.version, limit=config.limit, check_count=False)


def read_run_dir(path: Path, questions: dict[str, tuple[str, ...]] | None) -> Submission:
    """A run directory: the run's model's final outputs (not the baselines' answers stored beside them)
    with the prompts of ``items.jsonl`` (or of the run's config, or of ``questions``)."""
    prompts: dict[str, tuple[str, ...]] = dict(questions or {})
    history: dict[str, str] = {}
    model, items = _run_items(path)
    for item in items:
        prompts[item.item_id] = tuple(item.turns)
        history[item.item_id] = "\n".join(m.get("content", "") for m in item.history)
    out_path = path / "outputs.jsonl"
    audit_items = []
    for n, row in _jsonl(out_path):
        try:
            out = Output.model_validate(row)
        except ValidationError as exc:
            raise BadInput(f"{out_path}:{n}", f"not an Output: {exc.errors()[0]['msg']}") from None
        if (model is not None and out.model != model) or not is_final(out):
            continue
        if out.item_id not in prompts:
            raise BadInput(
                f"{out_path}:{n}", f"no prompt for item {out.item_id!r} (items.jsonl or --questions)"
            )
        audit_items.append(
            AuditItem(out.item_id, prompts[out.item_id], tuple(out.turns), history.get(out.item_id, ""))
        )
        model = model or out.model
    if not audit_items:
        raise BadInput(str(out_path), f"no finished outputs of {model!r}" if model else "no outputs")
    return Submission(str(path), model or "", tuple(audit_items))


def load_submission(path: Path, questions: Path | None = None) -> Submission:
    """Dispatch on the shape of ``path``; legacy answers look for ``../question.jsonl`` upstream-style."""
    if not path.exists():
        raise BadInput(str(path), "no such file or directory")
    qs = read_questions(questions) if questions is not None else None
    if path.is_dir():
        if (path / "outputs.jsonl").exists():
            return read_run_dir(path, qs)
        if (path / "model_outputs.json").exists():
            return read_alpaca_outputs(path / "model_outputs.json")
        raise BadInput(str(path), "directory has neither outputs.jsonl nor model_outputs.json")
    if path.suffix == ".json":
        return read_alpaca_outputs(path)
    if path.suffix == ".jsonl":
        if qs is None:
            upstream = path.parent.parent / "question.jsonl"
            qs = read_questions(upstream) if upstream.exists() else None
        return read_answers(path, qs)
    raise BadInput(str(path), "expected model_outputs.json, answer .jsonl or a run directory")
