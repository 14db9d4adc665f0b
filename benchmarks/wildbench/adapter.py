"""WildBench v2: 1,024 real-user tasks with conversation history and per-task checklists.

Source: the Hugging Face dataset ``allenai/WildBench``, config ``v2``, split ``test`` (``src/eval.py``
``HF_BENCH_PATH/HF_BENCH_CONFIG`` in allenai/WildBench); the tasks are not on GitHub (docs/benchmarks.md). No revision of it is recorded upstream, so the hub load is **unpinned**
(``HF_REVISION = None``) until one is: the listing says so.

Fields (HF card): ``id``, ``session_id`` (the id judgments use), ``conversation_input`` = [{role,
content, ...}] ending with the user query, ``references`` {"gpt-4": text}, ``length``, ``checklist``
(5-10 questions), ``intent``, ``primary_tag``, ``secondary_tags``. An item's ``turns`` is the last user
query, its ``history`` the earlier messages, its category the primary tag.

Baselines for WB-Reward (``_merge_results.py``): gpt-4-turbo-2024-04-09, claude-3-haiku-20240307,
Llama-2-70b-chat-hf; their outputs are the configs of ``allenai/WildBench-V2-Model-Outputs`` (hub) or
``model_outputs/<model>.json[l]`` beside the tasks (local), rows ``{session_id, output}``.

Generation (``scripts/_common_vllm.sh``): greedy (temperature 0, top_p 1), max_tokens 4096.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks._base import Benchmark, BenchmarkSpec, VersionSpec
from benchmarks._board import BoardInputs, BoardOptions
from benchmarks._hub import load_hf_split
from benchmarks.wildbench import board, official
from benchmarks.wildbench.reward import is_wb_reward_judge
from benchmarks.wildbench.upstream import ANSWERS, load_wildbench_outputs, wildbench_output_text
from harness.client import SamplingParams
from harness.errors import BadInput
from harness.jsonrows import Row, field, read_rows, rows_of, str_list
from harness.records import Item, Output
from harness.table import Leaderboard

HF_REPO = "allenai/WildBench"
HF_CONFIG = "v2"
HF_SPLIT = "test"
HF_REVISION: str | None = None  # not recorded upstream in our references: see the module docstring
OUTPUTS_REPO = "allenai/WildBench-V2-Model-Outputs"
BASELINES = ("gpt-4-turbo-2024-04-09", "claude-3-haiku-20240307", "Llama-2-70b-chat-hf")
TASK_FILES = ("tasks.jsonl", "test.jsonl", "tasks.json", "test.json")
TAGS = frozenset(
    {
        "Information seeking",
        "Advice seeking",
        "Reasoning",
        "Planning",
        "Math",
        "Data Analysis",
        "Coding & Debugging",
        "Creative Writing",
        "Editing",
        "Brainstorming",
        "Role playing",
        "Others",
    }
)
GENERATION = SamplingParams(temperature=0.0, top_p=1.0, max_tokens=4096)


def _conversation(row: Row) -> tuple[list[dict[str, str]], str]:
    """(history, last user query); roles must alternate user/assistant and end with the user."""
    messages = field(row, "conversation_input", list)
    if not messages:
        raise BadInput(row.where, "field 'conversation_input' is empty")
    history: list[dict[str, str]] = []
    for i, message in enumerate(messages):
        expected = "user" if i % 2 == 0 else "assistant"
        if not isinstance(message, dict) or not isinstance(message.get("content"), str):
            raise BadInput(row.where, f"conversation_input[{i}] must be an object with a string 'content'")
        if message.get("role") != expected:
            raise BadInput(
                row.where, f"conversation_input[{i}].role is {message.get('role')!r}, expected {expected!r}"
            )
        history.append({"role": expected, "content": message["content"]})
    if len(messages) % 2 == 0:
        raise BadInput(row.where, "conversation_input must end with a user message")
    last = history.pop()
    return history, last["content"]


def _tags(row: Row) -> tuple[str, list[str]]:
    primary = field(row, "primary_tag", str)
    secondary = row.data.get("secondary_tags") or []
    if not isinstance(secondary, list) or not all(isinstance(t, str) for t in secondary):
        raise BadInput(row.where, "field 'secondary_tags' must be a list of strings")
    for tag in [primary, *secondary]:
        if tag not in TAGS:
            raise BadInput(row.where, f"unknown task tag {tag!r}")
    return primary, list(secondary)


def _task(row: Row, version: str) -> Item:
    history, query = _conversation(row)
    primary, secondary = _tags(row)
    checklist = str_list(row, "checklist", min_len=1)
    references: dict[str, Any] = row.data.get("references") or {}
    if not isinstance(references, dict):
        raise BadInput(row.where, "field 'references' must be an object {model: text}")
    refs = {k: [v] for k, v in references.items() if isinstance(v, str) and v}
    metadata: dict[str, Any] = {"secondary_tags": secondary}
    for key in ("id", "intent", "length"):
        if row.data.get(key) is not None:
            metadata[key] = row.data[key]
    return Item(
        benchmark="wildbench",
        version=version,
        item_id=field(row, "session_id", str),
        turns=[query],
        category=primary,
        history=history,
        references=refs,
        checklist=checklist,
        metadata=metadata,
    )


def _attach_baseline(items: list[Item], model: str, outputs: list[Output], where: str) -> None:
    by_id = {o.item_id: o for o in outputs}
    for item in items:
        if item.item_id not in by_id:
            raise BadInput(where, f"no {model} output for session {item.item_id!r}")
        item.baselines[model] = list(by_id[item.item_id].turns)


class WildBench(Benchmark):
    spec = BenchmarkSpec(
        name="wildbench",
        description="WildBench v2: 1,024 real-user tasks with history and checklists; WB-Score and WB-Reward",
        versions=(
            VersionSpec(
                name="v2",
                n_items=1024,
                source=f"hf:{HF_REPO}:{HF_CONFIG}/{HF_SPLIT}@{HF_REVISION or 'unpinned'}",
                default_judge="wildbench_score",
                statistic="wb_score",
                baselines=BASELINES,
                notes="WB-Reward: --judge-config wildbench_pairwise vs the three baselines, length margin --wb-k "
                "(default 500)",
            ),
        ),
        generation="greedy (temperature 0, top_p 1), max_tokens 4096",
        audit="benchmarks.wildbench.audit:AUDIT",
    )
    upstream_formats = board.FORMATS
    answer_formats = (ANSWERS,)
    official_boards = official.BOARDS

    def leaderboard(self, inputs: BoardInputs, opts: BoardOptions) -> Leaderboard:
        return board.leaderboard(inputs, opts)

    def uses_length_margin(self, judge_config: str) -> bool:
        """K applies to WB-Reward, i.e. to a judge answering with WildBench's pairwise choices."""
        return is_wb_reward_judge(judge_config)

    def load_local(self, path: Path, version: VersionSpec) -> list[Item]:
        """A JSONL/JSON file of tasks in the HF schema, or a directory holding ``tasks.jsonl`` (or
        ``test.jsonl``) and optionally ``model_outputs/<baseline>.json[l]``."""
        tasks = path if path.is_file() else next((path / n for n in TASK_FILES if (path / n).is_file()), None)
        if tasks is None:
            raise BadInput(
                str(path), f"expected a task file or a directory holding one of {', '.join(TASK_FILES)}"
            )
        items = [_task(row, version.name) for row in read_rows(tasks)]
        for model in version.baselines:
            for suffix in (".jsonl", ".json"):
                file = tasks.parent / "model_outputs" / f"{model}{suffix}"
                if file.is_file():
                    _attach_baseline(items, model, load_wildbench_outputs(file, model=model), str(file))
                    break
        return items

    def load_hub(self, version: VersionSpec) -> list[Item]:
        source = f"{HF_REPO}:{HF_CONFIG}/{HF_SPLIT}"
        rows = rows_of(load_hf_split(HF_REPO, HF_CONFIG, HF_SPLIT, HF_REVISION), source)
        items = [_task(row, version.name) for row in rows]
        for model in version.baselines:
            where = f"{OUTPUTS_REPO}:{model}"
            outputs = [
                Output(item_id=field(row, "session_id", str), model=model, turns=[wildbench_output_text(row)])
                for row in rows_of(load_hf_split(OUTPUTS_REPO, model, "train", None), where)
            ]
            _attach_baseline(items, model, outputs, where)
        return items

    def sampling(self, item: Item) -> SamplingParams:
        return GENERATION
