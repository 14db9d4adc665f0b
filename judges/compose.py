"""How each benchmark fills its judge template: the field names and the text that goes into them.

A composer maps (item, answer shown first, answer shown second, turn) to the template's fields, as the
upstream code does, and may settle a game without a call (``shortcut``): AlpacaEval scores identical outputs
as a tie (``PairwiseAnnotatorLocal._preprocess``), WildBench scores empty outputs by rule
(``src/eval.py::placeholder_generation``: empty score -> "1"; empty side of a pair -> the other side ``++``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from harness.errors import BadInput
from harness.records import Item
from harness.registry import Registry
from judges.parsers import WILDBENCH_CHOICES, Parsed

WILDBENCH_MAX_WORDS = 1000
WILDBENCH_EMPTY = "[This model response is empty.]"

PairFields = Callable[[Item, list[str], list[str], int | None], dict[str, str]]
SingleFields = Callable[[Item, list[str], int | None], dict[str, str]]
PairShortcut = Callable[[list[str], list[str]], tuple[Parsed, str] | None]
SingleShortcut = Callable[[list[str]], tuple[Parsed, str] | None]


@dataclass(frozen=True)
class PairComposer:
    fields: PairFields
    shortcut: PairShortcut | None = None
    multi_slot: bool = False  # more than one answer slot per side (MT-Bench turn 2): no PORTIA merge


@dataclass(frozen=True)
class SingleComposer:
    fields: SingleFields
    shortcut: SingleShortcut | None = None


def _pair_composer(name: str, obj: object) -> PairComposer:
    if not isinstance(obj, PairComposer):
        raise BadInput(f"pairwise composer {name!r}", f"{obj!r} is not a judges.compose.PairComposer")
    return obj


def _single_composer(name: str, obj: object) -> SingleComposer:
    if not isinstance(obj, SingleComposer):
        raise BadInput(f"single composer {name!r}", f"{obj!r} is not a judges.compose.SingleComposer")
    return obj


# a package adds a composer through the entry-point groups ``harness.pair_composers`` and
# ``harness.single_composers`` (docs/plugins.md), so its judge config may use a built-in protocol
PAIR_COMPOSERS: Registry[PairComposer] = Registry(
    "pairwise composer", group="harness.pair_composers", check=_pair_composer
)
SINGLE_COMPOSERS: Registry[SingleComposer] = Registry(
    "single composer", group="harness.single_composers", check=_single_composer
)


def _turn(turns: list[str], index: int, where: str) -> str:
    if index >= len(turns):
        raise BadInput(where, f"needs turn {index + 1}, has {len(turns)}")
    return turns[index]


def reference(item: Item, turn_index: int) -> str:
    """MT-Bench looks references up by judge name (``ref_answers[judge.model_name]``); an item carries one set."""
    if not item.references:
        raise BadInput(f"item {item.item_id}.references", "this judge needs a reference answer")
    turns = next(iter(item.references.values()))
    return _turn(turns, turn_index, f"item {item.item_id}.references")


# ---- AlpacaEval / Arena-Hard -----------------------------------------------------------------------------


def _alpaca_fields(item: Item, first: list[str], second: list[str], turn: int | None) -> dict[str, str]:
    return {"instruction": item.turns[0], "output_1": first[0], "output_2": second[0]}


def _identical(first: list[str], second: list[str]) -> tuple[Parsed, str] | None:
    if first[0] == second[0]:
        return Parsed(verdict="identical", value=1.5), "identical outputs"
    return None


PAIR_COMPOSERS.register("alpaca_eval")(PairComposer(_alpaca_fields, _identical))


def _arena_v01_fields(item: Item, first: list[str], second: list[str], turn: int | None) -> dict[str, str]:
    # gen_judgment.py @5300089: question_{i}, then answer_{i} of A (game 1: the baseline) then of B
    return {"question_1": item.turns[0], "answer_1": first[0], "answer_2": second[0]}


def _arena_v2_fields(item: Item, first: list[str], second: list[str], turn: int | None) -> dict[str, str]:
    return {"QUESTION": item.turns[0], "ANSWER_A": first[0], "ANSWER_B": second[0]}


PAIR_COMPOSERS.register("arena_hard_v0.1")(PairComposer(_arena_v01_fields))
PAIR_COMPOSERS.register("arena_hard_v2")(PairComposer(_arena_v2_fields))


# ---- MT-Bench (FastChat llm_judge/common.py run_judge_single / run_judge_pair) -------------------------------


def _mt_pair(item: Item, first: list[str], second: list[str], turn: int | None) -> dict[str, str]:
    fields = {"question": item.turns[0], "answer_a": first[0], "answer_b": second[0]}
    if item.references:
        fields["ref_answer_1"] = reference(item, 0)
    return fields


def _mt_pair_multi(item: Item, first: list[str], second: list[str], turn: int | None) -> dict[str, str]:
    where = f"item {item.item_id}"
    fields = {
        "question_1": _turn(item.turns, 0, where),
        "question_2": _turn(item.turns, 1, where),
        "answer_a_1": _turn(first, 0, where),
        "answer_a_2": _turn(first, 1, where),
        "answer_b_1": _turn(second, 0, where),
        "answer_b_2": _turn(second, 1, where),
    }
    if item.references:
        fields |= {"ref_answer_1": reference(item, 0), "ref_answer_2": reference(item, 1)}
    return fields


PAIR_COMPOSERS.register("mt_bench_pair")(PairComposer(_mt_pair))
PAIR_COMPOSERS.register("mt_bench_pair_multi_turn")(PairComposer(_mt_pair_multi, multi_slot=True))


def _mt_single(item: Item, answer: list[str], turn: int | None) -> dict[str, str]:
    fields = {"question": item.turns[0], "answer": answer[0]}
    if item.references:
        fields["ref_answer_1"] = reference(item, 0)
    return fields


def _mt_single_multi(item: Item, answer: list[str], turn: int | None) -> dict[str, str]:
    where = f"item {item.item_id}"
    fields = {
        "question_1": _turn(item.turns, 0, where),
        "question_2": _turn(item.turns, 1, where),
        "answer_1": _turn(answer, 0, where),
        "answer_2": _turn(answer, 1, where),
    }
    if item.references:
        fields |= {"ref_answer_1": reference(item, 0), "ref_answer_2": reference(item, 1)}
    return fields


SINGLE_COMPOSERS.register("mt_bench_single")(SingleComposer(_mt_single))
SINGLE_COMPOSERS.register("mt_bench_single_multi_turn")(SingleComposer(_mt_single_multi))


# ---- WildBench (src/eval.py compose_eval_item + placeholder_generation @d6b8dca) -----------------------------


def shorten(text: str, max_words: int = WILDBENCH_MAX_WORDS) -> str:
    """Upstream ``shorten``: words are split on a single space, not on any whitespace."""
    if max_words > 0 and len(text.split(" ")) > max_words:
        return " ".join(text.split(" ")[:max_words]) + "... (truncated)"
    return text


def wildbench_history(item: Item) -> str:
    """Every turn but the last, ``USER: ...`` / ``ASSISTANT: ...`` each followed by a blank line."""
    rendered = ""
    for message in item.history:
        role = message.get("role")
        if role == "user":
            rendered += "USER: " + message["content"] + "\n\n"
        elif role == "assistant":
            rendered += "ASSISTANT: " + message["content"] + "\n\n"
    return rendered


def wildbench_checklist(item: Item) -> str:
    return "".join(f"- {entry}\n" for entry in item.checklist)


def _wb_common(item: Item) -> dict[str, str]:
    return {
        "history": shorten(wildbench_history(item)),
        "user_query": shorten(item.turns[-1]),
        "checklist": wildbench_checklist(item),
    }


def _wb_pair(item: Item, first: list[str], second: list[str], turn: int | None) -> dict[str, str]:
    a, b = shorten(first[-1]), shorten(second[-1])
    return _wb_common(item) | {
        "candidate_A": a if a.strip() else WILDBENCH_EMPTY,
        "candidate_B": b if b.strip() else WILDBENCH_EMPTY,
    }


def _wb_pair_empty(first: list[str], second: list[str]) -> tuple[Parsed, str] | None:
    a_empty, b_empty = not first[-1].strip(), not second[-1].strip()
    choice = "A=B" if a_empty and b_empty else "B++" if a_empty else "A++" if b_empty else None
    if choice is None:
        return None
    return Parsed(verdict=choice, value=WILDBENCH_CHOICES[choice]), "empty output"


def _wb_single(item: Item, answer: list[str], turn: int | None) -> dict[str, str]:
    return _wb_common(item) | {"model_output": shorten(answer[-1])}


def _wb_single_empty(answer: list[str]) -> tuple[Parsed, str] | None:
    if answer[-1].strip():
        return None
    return Parsed(verdict="1", value=1.0), "empty output"


PAIR_COMPOSERS.register("wildbench_pairwise")(PairComposer(_wb_pair, _wb_pair_empty))
SINGLE_COMPOSERS.register("wildbench_score")(SingleComposer(_wb_single, _wb_single_empty))
