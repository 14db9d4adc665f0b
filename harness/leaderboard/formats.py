"""Which stored-judgment format a path holds: our run directory or one of the upstream layouts.

Detection reads the first record only; a file that matches none of the layouts is refused with the list
of what was expected, so a wrong path never turns into an empty leaderboard.
"""

from __future__ import annotations

import gzip
import json
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
