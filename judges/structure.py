"""Judge prompts keep their structure: what goes into a slot never becomes chat or template structure.

Always on, because the prompt a judge reads must be the template's whatever the answers say. Three rules:

1. **Messages come from the template alone.** A template that carries its own chat roles (AlpacaEval's
   ChatML) is split into messages *before* the slots are filled, so an answer containing
   ``<|im_end|>\\n<|im_start|>assistant`` stays text inside its message instead of becoming messages.
2. **One pass.** Every placeholder of the template is filled in a single pass; a value is never scanned
   for placeholders again (upstream's sequential ``str.replace`` let an answer containing ``{output_2}``
   or ``{$checklist}`` pull the opponent's answer or the checklist into its own slot).
3. **Delimiter look-alikes are neutralised in slot values.** Where the template delimits its slots with
   text, a value that reproduces a delimiter could close its slot and write its own instructions. Three
   kinds of delimiter text get a backslash after their first character (``<\\|im_end|>``), case- and
   space-insensitively: chat-markup tokens (``<|...|>``, ``[INST]``, ``<start_of_turn>``...: a server
   would otherwise read them as special tokens); the template's own marker lines around its slots
   (``[The End of Assistant's Answer]``, ``### User:``, ``"model_identifier": "M",``; lines with at
   least four letters, so ``},`` in code is never touched); and a punctuation closer right after a slot
   together with the template's next character (AlpacaEval's triple quote followed by ``}``).

Ordinary answers contain none of these, so their prompts stay upstream's byte for byte (the byte tests
compare 6000 Arena-Hard, 1610 AlpacaEval, 320 MT-Bench and 2006 WildBench prompts).

Why ``--harden`` stays opt-in (measured with ``python -m bench.injection`` over 9 injection cases x 13
judge configs): upstream's rendering lets 86 of 117 case prompts change structure (extra chat turns,
delimiters in the wrong place, placeholders filled from an answer); with these rules 0 do, with or
without hardening. What hardening adds is hiding a forged verdict written as plain text inside a
correctly delimited answer (readable in 93 of 117 prompts by default, 0 hardened). That is the judge
being persuaded, not the prompt being broken; the default ``--on-flag loss`` already scores outputs
the audit flags for verdict forgery as losses, and ``harness audit --canary`` says whether a given
judge obeys such text. Hardening's price: its escape changes ordinary answers (every triple quote and
``[[``: 24 of 5635 upstream AlpacaEval outputs) and its nonces change every prompt, so scores stop being
comparable with upstream leaderboards and with earlier runs. Turn it on for a judge the canary fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

Messages = list[dict[str, str]]

# placeholders of every template syntax: {name}, {$name}, {{ name }} (jinja)
PLACEHOLDER = re.compile(r"\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}|\{\$?[A-Za-z_][A-Za-z0-9_]*\}")
# chat markup that servers turn into special tokens: ChatML / Llama 3 / Phi <|...|>, Llama 2, Gemma
CHAT_MARKUP = re.compile(r"<\|[^<>|\n]{1,80}\|>|\[/?INST\]|<</?SYS>>|<(?:start|end)_of_turn>", re.IGNORECASE)
MIN_MARKER_LETTERS = 4  # a marker line of "}," or '"""' alone would change every JSON or code answer


def _break(text: str) -> str:
    """``text`` with a backslash after its first character: visibly the same, no longer the delimiter."""
    return text[0] + "\\" + text[1:]


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in text)


def _loose(text: str) -> str:
    """A pattern for ``text`` that also matches it with other runs of white space between its words."""
    return r"\s+".join(re.escape(part) for part in text.split())


@lru_cache(maxsize=64)
def delimiter_pattern(template_text: str) -> re.Pattern[str] | None:
    """The delimiter look-alikes of a template (rule 3 of the module docstring), or None if it has none:
    the nearest non-blank line above and below every slot line, and the punctuation closer after a slot
    with the template's next non-blank character."""
    lines = template_text.split("\n")
    markers: dict[str, None] = {}
    for index, line in enumerate(lines):
        if not PLACEHOLDER.search(line):
            continue
        for step in (-1, 1):
            j = index + step
            while 0 <= j < len(lines) and not lines[j].strip():
                j += step
            if 0 <= j < len(lines) and not PLACEHOLDER.search(lines[j]):
                marker = lines[j].strip()
                if _letters(marker) >= MIN_MARKER_LETTERS and not CHAT_MARKUP.fullmatch(marker):
                    markers[_loose(marker)] = None
    for match in PLACEHOLDER.finditer(template_text):
        rest = template_text[match.end() :]
        closer = PLACEHOLDER.split(rest.split("\n", 1)[0], maxsplit=1)[0].strip()
        if closer and _letters(closer) == 0 and len(closer) >= 2:
            after = rest[rest.find(closer) + len(closer) :].lstrip()
            following = re.escape(after[0]) if after and not PLACEHOLDER.match(after) else ""
            markers[re.escape(closer) + (r"\s*" + following if following else "")] = None
    if not markers:
        return None
    ordered = sorted(markers, key=len, reverse=True)
    return re.compile("|".join(f"(?:{m})" for m in ordered), re.IGNORECASE)


def neutralise(value: str, template_text: str) -> str:
    """``value`` with every delimiter look-alike of the template and every chat-markup token broken."""
    pattern = delimiter_pattern(template_text)
    if pattern is not None:
        value = pattern.sub(lambda m: _break(m.group(0)), value)
    return CHAT_MARKUP.sub(lambda m: _break(m.group(0)), value)


def fill_once(text: str, pattern: re.Pattern[str], values: dict[str, str], *, first_only: bool) -> str:
    """Replace each placeholder match of ``pattern`` (group 1 = key) by its value in one pass; with
    ``first_only`` only the first occurrence of each key (AlpacaEval's ``make_prompts``), later ones stay."""
    seen: set[str] = set()

    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values or (first_only and key in seen):
            return match.group(0)
        seen.add(key)
        return values[key]

    return pattern.sub(one, text)


_SLOT = "\x00{}\x00"
_SLOT_RE = re.compile("\x00([0-9]+)\x00")


def fill_chat_template(
    template: str, pattern: re.Pattern[str], values: dict[str, str], split: Callable[[str], Messages]
) -> Messages:
    """Rule 1: mark each slot (first occurrence of its key) with a sentinel, ``split`` the template into
    messages, then fill each message's slots. Contents are stripped after filling, as upstream's split
    strips the filled text (``strip`` of the filled text equals ``strip`` of the filled stripped text)."""
    keys: list[str] = []

    def mark(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in keys:
            return match.group(0)
        keys.append(key)
        return _SLOT.format(len(keys) - 1)

    marked = pattern.sub(mark, template)
    messages = split(marked)
    filled = []
    for message in messages:
        content = _SLOT_RE.sub(lambda m: values[keys[int(m.group(1))]], message["content"])
        filled.append({**message, "content": content.strip()})
    return filled
