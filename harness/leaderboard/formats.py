"""Which stored-judgment format a path holds: our run directory or one of the upstream layouts.

Detection reads the first record only; a file that matches none of the layouts is refused with the list
of what was expected, so a wrong path never turns into an empty leaderboard.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from harness.errors import BadInput

Format = Literal[
    "run_dir", "alpaca_annotations", "arena_judgments", "fastchat_single", "fastchat_pair", "wildbench_eval"
]

EXPECTED = (
    "a harness run directory (run.json + judgments.jsonl), alpaca_eval annotations.json, arena-hard judgment "
    "JSONL(.gz), FastChat single/pair judgment JSONL, or WildBench eval_results JSON"
)


def _first_record(path: Path) -> Any:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            head = fh.read(1)
            if head == "[":
                fh.seek(0)
                data = json.load(fh)
                return data[0] if isinstance(data, list) and data else data
            fh.seek(0)
            for line in fh:
                if line.strip():
                    return json.loads(line)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInput(
            str(path), f"cannot read as JSON/JSONL ({exc.__class__.__name__}); expected {EXPECTED}"
        ) from None
    raise BadInput(str(path), f"empty file; expected {EXPECTED}")


def detect_format(path: Path) -> Format:
    if path.is_dir():
        if (path / "run.json").exists():
            return "run_dir"
        raise BadInput(str(path), f"directory without run.json; expected {EXPECTED}")
    if not path.exists():
        raise BadInput(str(path), "no such file")
    rec = _first_record(path)
    if not isinstance(rec, dict):
        raise BadInput(str(path), f"first record is not an object; expected {EXPECTED}")
    keys = set(rec)
    if {"preference", "output_1", "output_2"} <= keys:
        return "alpaca_annotations"
    if "games" in keys:
        return "arena_judgments"
    if {"g1_winner", "g2_winner"} <= keys:
        return "fastchat_pair"
    if {"question_id", "score", "turn"} <= keys:
        return "fastchat_single"
    if "session_id" in keys and ("parsed_result" in keys or "score" in keys):
        return "wildbench_eval"
    raise BadInput(str(path), f"unknown format (keys {sorted(keys)[:8]}); expected {EXPECTED}")


_JUDGMENT_SUFFIXES = (".json", ".jsonl", ".jsonl.gz", ".json.gz")


def _files_under(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Files under ``folder`` with one of ``suffixes``, in sorted path order (a shell glob's order, which
    upstream result code sees), not descending into run directories."""
    found: list[Path] = []
    for path in sorted(folder.iterdir()):
        if path.is_dir() and not (path / "run.json").exists():
            found += _files_under(path, suffixes)
        elif path.is_file() and path.name.endswith(suffixes):
            found.append(path)
    return found


def expand_inputs(paths: Sequence[Path]) -> list[Path]:
    """``--from`` paths with directories opened: a run directory stays one input; any other directory
    (an alpaca_eval ``results/`` tree, an arena-hard ``model_judgment/<judge>/`` folder, a sweep directory)
    gives the run directories and the judgment files under it, skipping files of other kinds (the
    ``model_outputs.json`` beside annotations, a sweep's own tables). A directory with none is refused."""
    expanded: list[Path] = []
    for path in paths:
        if not path.is_dir() or (path / "run.json").exists():
            expanded.append(path)
            continue
        found = [p for p in sorted(path.iterdir()) if p.is_dir() and (p / "run.json").exists()]
        for file in _files_under(path, _JUDGMENT_SUFFIXES):
            try:
                detect_format(file)
            except BadInput:
                continue
            found.append(file)
        if not found:
            raise BadInput(
                str(path), f"directory holds no run directory or judgment file; expected {EXPECTED}"
            )
        expanded += found
    return expanded


def expand_answer_files(paths: Sequence[Path]) -> list[Path]:
    """``--answers`` paths with directories (``model_answer/``) opened to their ``.jsonl`` files."""
    expanded: list[Path] = []
    for path in paths:
        if not path.is_dir():
            expanded.append(path)
            continue
        files = _files_under(path, (".jsonl", ".jsonl.gz"))
        if not files:
            raise BadInput(str(path), "directory holds no answer .jsonl files")
        expanded += files
    return expanded
