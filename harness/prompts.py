"""Prompt files for ``harness generate``: JSONL, one ``{"id": ..., "turns": ["user turn 1", ...]}`` a line.

The whole file is read and validated before anything is written or any server is started, so a bad
file costs nothing and leaves no half-written run directory behind. Every problem is reported as
``BadInput("FILE:LINE", reason)`` (one line on stderr, exit 2): a line that is not JSON, a missing or
empty ``id`` or ``turns``, turns that are not a non-empty list of non-empty strings, an empty file,
bytes that are not UTF-8, and an id used twice (both line numbers are named).

Each line becomes a :class:`harness.records.Item` (benchmark ``prompts``, version = the file's sha256
prefix), so the generation core is the same for a prompt file and for a benchmark. Optional
``category`` is kept; any other key goes to ``Item.metadata``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from harness.errors import BadInput
from harness.records import Item

PROMPTS_BENCHMARK = "prompts"
_KNOWN_KEYS = {"id", "turns", "category"}


def _decode(raw: bytes, where: str, lineno: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(
            f"{where}:{lineno}", f"not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"
        ) from None


def _item_id(value: Any, loc: str) -> str:
    # bool is an int subclass; an id of `true` is a mistake, not the id "True".
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadInput(loc, f'"id" must be a string or an integer, got {type(value).__name__}')
    text = str(value).strip()
    if not text:
        raise BadInput(loc, '"id" is empty')
    return text


def _turns(value: Any, loc: str) -> list[str]:
    if not isinstance(value, list) or not value:
        raise BadInput(loc, '"turns" must be a non-empty list of strings')
    for k, turn in enumerate(value, start=1):
        if not isinstance(turn, str):
            raise BadInput(loc, f'"turns"[{k}] must be a string, got {type(turn).__name__}')
        if not turn.strip():
            raise BadInput(loc, f'"turns"[{k}] is empty')
    return list(value)


def parse_prompt_line(text: str, loc: str, version: str) -> Item:
    """One JSONL line -> Item, or BadInput naming ``loc`` (``FILE:LINE``) and the reason."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(loc, f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise BadInput(loc, "JSON nested too deeply") from None
    if not isinstance(obj, dict):
        raise BadInput(loc, f"expected a JSON object, got {type(obj).__name__}")
    for key in ("id", "turns"):
        if key not in obj:
            raise BadInput(loc, f'missing field "{key}"')
    category = obj.get("category")
    if category is not None and not isinstance(category, str):
        raise BadInput(loc, '"category" must be a string')
    return Item(
        benchmark=PROMPTS_BENCHMARK,
        version=version,
        item_id=_item_id(obj["id"], loc),
        turns=_turns(obj["turns"], loc),
        category=category,
        metadata={k: v for k, v in obj.items() if k not in _KNOWN_KEYS},
    )


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_prompts(path: str | Path) -> list[Item]:
    """Read and validate a whole prompt file. Blank lines are allowed and skipped."""
    path = Path(path)
    where = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BadInput(where, "no such prompt file") from None
    except IsADirectoryError:
        raise BadInput(where, "is a directory, expected a JSONL prompt file") from None
    except OSError as exc:
        raise BadInput(where, f"cannot read: {exc.strerror}") from None
    version = hashlib.sha256(data).hexdigest()[:12]
    if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark, as some editors write
        data = data[3:]
    items: list[Item] = []
    first_line: dict[str, int] = {}
    for lineno, raw in enumerate(data.split(b"\n"), start=1):
        text = _decode(raw, where, lineno)
        if not text.strip():
            continue
        loc = f"{where}:{lineno}"
        item = parse_prompt_line(text, loc, version)
        if item.item_id in first_line:
            raise BadInput(loc, f"duplicate id {item.item_id!r} (first on line {first_line[item.item_id]})")
        first_line[item.item_id] = lineno
        items.append(item)
    if not items:
        raise BadInput(f"{where}:1", "empty prompt file: no prompts")
    return items
