"""The layouts of AlpacaEval's upstream files that are recognised by their first record, and the reader of
its answer files: light (no statistics library), so that judging an answer file or telling a file's
layout loads none of the leaderboard's readers (:mod:`benchmarks.alpaca_eval.upstream`).

- ``model_outputs.json``: a JSON list of ``{instruction, output, generator?, dataset?}``. Upstream joins
  model and reference **on ``instruction``** (alpaca_eval ``main.py``), so the item id is looked up by
  instruction text when the eval set's ids are given;
- ``annotations.json``: recognised here (:data:`ANNOTATIONS`), read by
  :func:`benchmarks.alpaca_eval.upstream.load_annotations`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from benchmarks._board import UpstreamFormat
from harness.answers import AnswerFormat, checked_outputs, optional_str
from harness.errors import BadInput
from harness.jsonrows import field, read_rows
from harness.records import Output

ANNOTATIONS = UpstreamFormat(
    "alpaca_annotations",
    "alpaca_eval annotations.json",
    lambda record: {"preference", "output_1", "output_2"} <= set(record),
)


def load_alpaca_eval_outputs(
    path: Path, *, model: str | None = None, instruction_ids: Mapping[str, str] | None = None
) -> list[Output]:
    """AlpacaEval ``model_outputs.json``. ``instruction_ids`` maps instruction text to item id (the eval
    set's); without it the row position is the id, which is what the LC GLM's difficulty lookup uses."""
    outputs = []
    for index, row in enumerate(read_rows(path)):
        instruction = field(row, "instruction", str)
        text = field(row, "output", str)
        name = model or optional_str(row, "generator")
        if name is None:
            raise BadInput(row.where, "missing field 'generator' (or pass the model name)")
        if instruction_ids is None:
            item_id = str(index)
        elif instruction in instruction_ids:
            item_id = instruction_ids[instruction]
        else:
            raise BadInput(row.where, f"instruction not in the eval set: {instruction[:60]!r}")
        outputs.append(Output(item_id=item_id, model=name, turns=[text]))
    return checked_outputs(outputs, path)


ANSWERS = AnswerFormat(
    "alpaca_eval",
    lambda row: "instruction" in row.data and "output" in row.data,
    lambda path: load_alpaca_eval_outputs(path),
)
