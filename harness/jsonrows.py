"""Reading upstream JSON/JSONL files row by row, with every error naming ``file:line`` and the field.

Upstream benchmark files come in two shapes: JSONL (one object per line: Arena-Hard, MT-Bench, WildBench
dumps) and a JSON list (AlpacaEval ``model_outputs.json``, WildBench result files). Both are read into
``Row`` pairs of (where, object) so that a later check can say exactly which line is wrong
(AlpacaEval's weakness of silently dropping NaN rows is what this avoids: nothing is skipped).
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from harness.errors import BadInput

T = TypeVar("T")


@dataclass(frozen=True)
class Row:
    """One object of an upstream file and where it came from (``file:line`` or ``file[index]``)."""

    where: str
    data: dict[str, Any]


def read_rows(path: Path) -> list[Row]:
    """Rows of a ``.jsonl`` file, or of a ``.json`` file holding a list of objects (or JSONL text).

    A ``.gz`` suffix is decompressed first (Arena-Hard judgment dumps are shipped gzipped)."""
    if not path.is_file():
        raise BadInput(str(path), "file not found")
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
    except (OSError, EOFError) as exc:
        raise BadInput(str(path), f"cannot read ({exc})") from None
    if path.name.removesuffix(".gz").endswith(".json"):
        text = _utf8(path, raw)
        if text.lstrip().startswith("["):
            return _json_list_rows(path, text)
        return _jsonl_rows(path, text.split("\n"))
    return _jsonl_rows(path, _utf8_lines(path, raw))


def _utf8(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(str(path), f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _utf8_lines(path: Path, raw: bytes) -> list[str]:
    """The lines of ``raw`` (split on ``\n`` only), each decoded: the same strings as decoding the whole
    text and splitting it, at about half the cost (a 30 MB text with one non-Latin-1 character is held
    at 4 bytes a character, and splitting it copies that). UTF-8 never has a ``\n`` byte inside a
    character, so the lines are the same; an undecodable file is refused as a whole, as before."""
    try:
        return [line.decode("utf-8") for line in raw.split(b"\n")]
    except UnicodeDecodeError:
        _utf8(path, raw)  # the whole file's first error (its byte offset and reason)
        raise  # unreachable: a line that does not decode makes the whole text fail too


def _json_list_rows(path: Path, text: str) -> list[Row]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path}:{exc.lineno}", f"invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise BadInput(str(path), "JSON nested too deeply") from None
    rows: list[Row] = []
    for index, obj in enumerate(data):
        where = f"{path}[{index}]"
        if not isinstance(obj, dict):
            raise BadInput(where, f"expected a JSON object, got {type(obj).__name__}")
        rows.append(Row(where, obj))
    return rows


def _jsonl_rows(path: Path, lines: list[str]) -> list[Row]:
    rows: list[Row] = []
    # split on "\n" only: str.splitlines() also breaks on U+2028 etc., which occur inside JSON strings
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInput(where, f"invalid JSON: {exc.msg} (column {exc.colno})") from None
        except RecursionError:
            raise BadInput(where, "JSON nested too deeply") from None
        if not isinstance(obj, dict):
            raise BadInput(where, f"expected a JSON object, got {type(obj).__name__}")
        rows.append(Row(where, obj))
    if not rows:
        raise BadInput(str(path), "file holds no rows")
    return rows


def rows_of(records: Iterable[dict[str, Any]], source: str) -> list[Row]:
    """Rows of already-parsed records (e.g. a Hugging Face dataset), ``where`` = ``source[index]``."""
    return [Row(f"{source}[{i}]", dict(obj)) for i, obj in enumerate(records)]


def field(row: Row, name: str, kind: type[T]) -> T:
    """``row.data[name]``, which must exist, be of ``kind`` and not be NaN or an empty string."""
    if name not in row.data or row.data[name] is None:
        raise BadInput(row.where, f"missing field {name!r}")
    value = row.data[name]
    if kind is str and isinstance(value, int | float) and not isinstance(value, bool) and name.endswith("id"):
        value = str(value)  # MT-Bench ids are ints in question.jsonl; ids are strings in records
    if isinstance(value, float) and math.isnan(value):
        raise BadInput(row.where, f"field {name!r} is NaN")
    if not isinstance(value, kind):
        raise BadInput(row.where, f"field {name!r} must be {kind.__name__}, got {type(value).__name__}")
    if isinstance(value, str) and kind is str and name.endswith("id") and not value.strip():
        raise BadInput(row.where, f"field {name!r} is empty")
    return value


def str_list(row: Row, name: str, *, min_len: int = 1) -> list[str]:
    """A list of strings (user turns, checklist items); its length is checked against ``min_len``."""
    value = field(row, name, list)
    if len(value) < min_len:
        raise BadInput(row.where, f"field {name!r} has {len(value)} entries, expected at least {min_len}")
    for i, entry in enumerate(value):
        if not isinstance(entry, str):
            raise BadInput(row.where, f"field {name}[{i}] must be str, got {type(entry).__name__}")
    return list(value)
