"""Readers of WildBench's upstream evaluation files (allenai/WildBench ``eval_results/``) into the frames of
``harness.stats.wildbench`` (WB-Score) and ``harness.stats.wildbench_reward`` (WB-Reward).

- ``eval_results/<version>/score.v2/eval=<judge>/<model>.json``: one judgment per task with its score;
- ``eval_results/<version>/pairwise.v2/eval=<judge>/ref=<baseline>/<model>.json``: one pairwise verdict
  per task (``winner``, ``extent``) with both generators' outputs;
- answers: result files ``{session_id, output (str or [str]), generator}``, or the judged rows of
  ``eval_results/`` (``{session_id, model_output, model_test}``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from harness.answers import AnswerFormat, checked_outputs, optional_str
from harness.errors import BadInput
from harness.jsonrows import Row, field, read_rows
from harness.records import Output
from harness.stats.estimate import is_missing
from harness.stats.wildbench import parse_score


def _json_list(path: Path, what: str) -> list[Any]:
    """The JSON list an upstream WildBench file holds (one line naming the file when it is not one)."""
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BadInput(str(path), f"not JSON ({exc.msg})") from exc
    if not isinstance(items, list):
        raise BadInput(str(path), f"expected a JSON list of {what}")
    return items


def load_score_judgments(path: str | Path, model: str | None = None) -> pd.DataFrame:
    """Upstream ``eval_results/<version>/score.v2/eval=<judge>/<model>.json`` -> session_id, model, score, output.

    ``model`` defaults to the file stem (as upstream names leaderboard rows). A score missing from both
    ``score`` and ``parsed_result.score`` or unreadable stays NaN (unscored later, with its raw value kept
    in ``raw_score``); a missing ``session_id``/``model_output`` is bad input.
    """
    path = Path(path)
    items = _json_list(path, "per-task judgments")
    name = model or path.stem
    records = []
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        if not isinstance(item, dict):
            raise BadInput(where, "expected a JSON object")
        for key in ("session_id", "model_output"):
            if key not in item:
                raise BadInput(where, f"missing field {key!r}")
        raw = item.get("score")
        if raw is None and isinstance(item.get("parsed_result"), dict):
            raw = item["parsed_result"].get("score")
        output = item["model_output"]
        if isinstance(output, list):
            output = output[0] if output else ""
        if not isinstance(output, str):
            raise BadInput(f"{where}.model_output", f"expected text, got {type(output).__name__}")
        records.append(
            {
                "session_id": str(item["session_id"]),
                "model": name,
                "score": parse_score(raw),
                "raw_score": raw,
                "output": output,
            }
        )
    return pd.DataFrame.from_records(records, columns=["session_id", "model", "score", "raw_score", "output"])


def load_pairwise_judgments(path: str | Path, baseline: str, model: str | None = None) -> pd.DataFrame:
    """Upstream ``eval_results/<v>/pairwise.v2/eval=<judge>/ref=<baseline>/<model>.json`` -> wb_reward input.

    Each item holds ``model_outputs`` {generator: text}, ``winner`` (a generator id or "tie") and
    ``extent`` (2 = much better, 1 = slightly). A missing winner leaves the outcome missing (unscored).
    """
    path = Path(path)
    items = _json_list(path, "pairwise judgments")
    records = []
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        outputs = item.get("model_outputs") if isinstance(item, dict) else None
        if not isinstance(outputs, dict) or len(outputs) != 2 or "session_id" not in item:
            raise BadInput(where, "expected session_id and model_outputs with exactly two generators")
        refs = [g for g in outputs if baseline in g]
        if len(refs) != 1:
            raise BadInput(f"{where}.model_outputs", f"expected one generator matching baseline {baseline!r}")
        ref = refs[0]
        test = next(g for g in outputs if g != ref)
        winner, extent = item.get("winner"), item.get("extent")
        outcome: str | None
        if is_missing(winner):
            outcome = None
        elif winner == "tie":
            outcome = "tie"
        elif winner in (test, ref) and extent in (1, 2):
            better = "win" if winner == test else "lose"
            outcome = f"{better}_much" if extent == 2 else better
        else:
            raise BadInput(
                where, f"winner {winner!r} extent {extent!r}; expected {test!r}/{ref!r}/'tie', extent 1|2"
            )
        records.append(
            {
                "session_id": str(item["session_id"]),
                "model": model or path.stem,
                "outcome": outcome,
                "model_output": outputs[test],
                "baseline_output": outputs[ref],
            }
        )
    columns = ["session_id", "model", "outcome", "model_output", "baseline_output"]
    return pd.DataFrame.from_records(records, columns=columns)


def load_wildbench_outputs(path: Path, *, model: str | None = None) -> list[Output]:
    """WildBench result rows: ``output`` is a string or a list whose first entry is the answer."""
    outputs = []
    for row in read_rows(path):
        item_id = field(row, "session_id", str)
        name = model or optional_str(row, "generator") or optional_str(row, "model_test")
        if name is None:
            raise BadInput(row.where, "missing field 'generator' (or pass the model name)")
        text_field = "output" if "output" in row.data else "model_output"  # eval_results/ files
        outputs.append(Output(item_id=item_id, model=name, turns=[wildbench_output_text(row, text_field)]))
    return checked_outputs(outputs, path)


def wildbench_output_text(row: Row, name: str = "output") -> str:
    """The answer text of a WildBench row: ``output`` as a string, or the first of a list of strings."""
    value = row.data.get(name)
    if isinstance(value, list):
        if not value or not isinstance(value[0], str):
            raise BadInput(row.where, f"field {name!r} must be a non-empty list of strings")
        return value[0]
    return field(row, name, str)


ANSWERS = AnswerFormat(
    "wildbench", lambda row: "session_id" in row.data, lambda path: load_wildbench_outputs(path)
)
