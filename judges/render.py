"""Render a :class:`~judges.templates.JudgeTemplate` into chat messages exactly as upstream does.

Each upstream benchmark fills its template its own way, and the quirks matter for byte equality:

- ``alpaca_eval``: ``alpaca_eval/utils.py::make_prompts`` finds placeholders with ``{([^ \\s]+?)}`` and replaces
  the FIRST occurrence of each, in order of first appearance, by sequential ``str.replace`` (so a literal
  ``{output_2}`` inside the instruction is substituted). ``utils.py::prompt_to_chatml`` then splits the ChatML
  text on ``<|im_start|>`` and cuts each content at the first ``<|im_end|>``.
- ``format``: Python ``str.format`` (Arena-Hard ``gen_judgment.py``; FastChat ``llm_judge/common.py``), with the
  system prompt as a separate system message.
- ``wildbench``: ``str.replace`` of every ``{$key}`` (WildBench ``src/eval.py::placeholder_generation``); the
  prompt is sent as one user message.
- ``jinja``: our own templates (TICK), Jinja2 with ``StrictUndefined`` so a missing field is an error.

Where upstream's way lets an answer change the prompt's structure (filling before splitting ChatML,
sequential replaces that re-scan inserted text), :mod:`judges.structure` keeps the structure instead;
for every ordinary answer the result is upstream's prompt byte for byte.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from functools import cache
from typing import Any

from harness.errors import BadInput
from judges.hardening import template_text
from judges.structure import fill_chat_template, fill_once, neutralise
from judges.templates import JudgeTemplate

Messages = list[dict[str, str]]

_ALPACA_PLACEHOLDER = re.compile(r"{([^ \s]+?)}")
_WILDBENCH_PLACEHOLDER = re.compile(r"\{\$([A-Za-z_]+)\}")


def alpaca_eval_messages(template: str, fields: dict[str, str]) -> Messages:
    """``make_prompts`` with batch_size 1 (the first ``{key}`` of each placeholder is its slot), then
    ``prompt_to_chatml``; the template is split into messages before the slots are filled."""
    keys = list(Counter(_ALPACA_PLACEHOLDER.findall(template)))
    missing = [k for k in keys if k not in fields]
    if missing:
        raise BadInput("alpaca_eval template", f"no value for placeholder(s) {missing}")
    return fill_chat_template(template, _ALPACA_PLACEHOLDER, fields, prompt_to_chatml)


def prompt_to_chatml(prompt: str, start: str = "<|im_start|>", end: str = "<|im_end|>") -> Messages:
    """ChatML text -> messages, as ``alpaca_eval.utils.prompt_to_chatml`` (``system name=x`` roles included)."""
    prompt = prompt.strip()
    if not (prompt.startswith(start) and prompt.endswith(end)):
        raise BadInput("alpaca_eval template", f"a ChatML prompt must start with {start} and end with {end}")
    messages: Messages = []
    for block in prompt.split(start)[1:]:
        head, _, rest = block.partition("\n")
        role = head.strip()
        content = rest.split(end, 1)[0].strip()
        message = {"content": content, "role": role}
        if role.startswith("system") and role != "system":
            extra = role.split("system", 1)[-1]
            message = {"content": content, "role": "system"}
            for pair in extra.split(" "):
                if pair:
                    key, _, value = pair.partition("=")
                    message[key] = value
        messages.append(message)
    return messages


def format_placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def neutralised(template: JudgeTemplate, fields: dict[str, str]) -> dict[str, str]:
    """The fields with delimiter look-alikes and chat markup broken (:func:`judges.structure.neutralise`)."""
    text = template_text(template.user, template.system)
    return {
        key: neutralise(value, text) if isinstance(value, str) else value for key, value in fields.items()
    }


def render(template: JudgeTemplate, fields: dict[str, str]) -> Messages:
    """The messages a judge receives for ``fields`` (answers, questions, references, checklist ...)."""
    where = f"template {template.name}"
    fields = neutralised(template, fields)
    if template.syntax == "alpaca_eval":
        return alpaca_eval_messages(template.user, fields)
    if template.syntax == "format":
        missing = format_placeholders(template.user) - set(fields)
        if missing:
            raise BadInput(where, f"no value for placeholder(s) {sorted(missing)}")
        user = template.user.format(**fields)
    elif template.syntax == "wildbench":
        keys = set(_WILDBENCH_PLACEHOLDER.findall(template.user))
        missing_wb = sorted(keys - set(fields))
        if missing_wb:
            raise BadInput(where, f"no value for placeholder(s) {missing_wb}")
        # one pass (upstream's ordered replaces would substitute a placeholder written inside a field)
        user = fill_once(template.user, _WILDBENCH_PLACEHOLDER, fields, first_only=False)
    elif template.syntax == "jinja":
        user = _render_jinja(template.user, fields, where)
    else:  # pragma: no cover - Syntax is a closed Literal
        raise BadInput(where, f"unknown syntax {template.syntax!r}")
    messages: Messages = []
    if template.system is not None:
        messages.append({"role": "system", "content": template.system})
    messages.append({"role": "user", "content": user})
    return messages


@cache
def _jinja() -> tuple[Any, type[Exception]]:
    """The Jinja2 environment of ``jinja`` templates (TICK's), ``StrictUndefined``, and the error a missing
    field raises. jinja2 (~20 ms to import) is imported here, its one point of use, so that a run whose
    judge has no Jinja template (every upstream judge) never loads it."""
    import jinja2

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    return env, jinja2.UndefinedError


def _render_jinja(text: str, fields: dict[str, str], where: str) -> str:
    """A ``jinja`` template rendered; a missing field is one BadInput line."""
    env, undefined = _jinja()
    try:
        return str(env.from_string(text).render(**fields))
    except undefined as exc:
        raise BadInput(where, str(exc)) from exc
