"""Hardening of the judge prompt against template escapes (docs/audit.md, D9), off unless asked for.

A null model that writes the template's own closing delimiter leaves its answer slot and forges
instructions and a verdict that the judge then reads as part of the prompt (Zheng et al., ICLR 2025).
Two counter-measures, each a flag so that the default prompt stays upstream's byte for byte:

- ``escape``: inside every inserted answer, neutralise what could close a slot or forge a verdict: chat
  role brackets (``<|``/``|>``), triple quotes, double square brackets (the ``[[A>>B]]``/``[[7]]``
  verdict grammar) and the active template's own slot closers, by inserting a backslash. The answer
  stays readable; it can no longer reproduce the delimiter the judge relies on.
- ``nonce``: wrap every inserted answer in ``<<<BEGIN-xxxxxxxx>>>`` / ``<<<END-xxxxxxxx>>>`` markers with
  a nonce derived from (seed, item, turn, slot, answer): unknown to whoever wrote the answer, yet the
  same on a re-run, so cached verdicts stay valid. A forged closer cannot carry the right nonce.

The hardening in force is part of the judge id (``+harden-escape-nonce``), so judgments made with and
without it are never mixed in a run directory or the response cache key.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from harness.errors import BadInput
from judges.structure import PLACEHOLDER

MODES = ("escape", "nonce")
ANSWER_SLOT = re.compile(r"answer|output|response|candidate", re.IGNORECASE)
_FIXED_DELIMITERS = ('"""', "<|", "|>", "[[", "]]")
MIN_CLOSER_LETTERS = 4  # a closer of "}" or '"' alone would escape every JSON answer


@dataclass(frozen=True)
class Hardening:
    """Which counter-measures are on; ``seed`` makes the nonces of one configuration reproducible."""

    escape: bool = False
    nonce: bool = False
    seed: int = 0

    @property
    def active(self) -> bool:
        return self.escape or self.nonce

    @property
    def tag(self) -> str:
        """The suffix of the judge id (empty when off)."""
        on = [m for m in MODES if getattr(self, m)]
        return "+harden-" + "-".join(on) if on else ""

    @classmethod
    def parse(cls, modes: Iterable[str], seed: int = 0) -> Hardening:
        """``["escape", "nonce"]`` (or ``"escape,nonce"`` items) -> Hardening; unknown names are BadInput."""
        names = [m.strip() for entry in modes for m in entry.split(",") if m.strip()]
        unknown = sorted(set(names) - set(MODES))
        if unknown:
            raise BadInput("--harden", f"unknown hardening {', '.join(unknown)} (known: {', '.join(MODES)})")
        return cls(escape="escape" in names, nonce="nonce" in names, seed=seed)


def slot_closers(template_text: str) -> tuple[str, ...]:
    """The text right after each answer placeholder, up to the end of its line (or the next
    placeholder): what an answer must write to leave its slot. Too-short closers are left out."""
    closers: dict[str, None] = {}
    for match in PLACEHOLDER.finditer(template_text):
        if not ANSWER_SLOT.search(match.group(0)):
            continue
        rest = template_text[match.end() :].lstrip("\n")
        line = PLACEHOLDER.split(rest.split("\n", 1)[0], maxsplit=1)[0].strip()
        if sum(c.isalpha() for c in line) >= MIN_CLOSER_LETTERS:
            closers[line] = None
    return tuple(closers)


def _break(marker: str) -> str:
    """The marker with a backslash after its first character: visibly the same, no longer equal."""
    return marker[0] + "\\" + marker[1:]


def escape_delimiters(text: str, closers: Iterable[str] = ()) -> str:
    """``text`` with every template delimiter neutralised (pure; idempotent on already escaped text)."""
    for closer in sorted(set(closers), key=len, reverse=True):
        if len(closer) > 1:
            text = text.replace(closer, _break(closer))
    text = text.replace('"""', '\\"\\"\\"')
    text = text.replace("<|", "<\\|").replace("|>", "|\\>")
    # "[[[" must lose every pair: replace until none is left (each pass consumes one bracket pair)
    for pair in ("[[", "]]"):
        while pair in text:
            text = text.replace(pair, _break(pair))
    return text


def nonce_for(seed: int, item_id: str, turn: int | None, slot: int, text: str) -> str:
    """Eight hex digits, a function of where the answer goes and what it says (reproducible, unguessable
    to the answer's author, who would need the answer's own hash inside the answer)."""
    key = f"{seed}\x00{item_id}\x00{turn}\x00{slot}\x00{text}".encode()
    return hashlib.sha256(key).hexdigest()[:8]


def wrap_nonce(text: str, nonce: str) -> str:
    return f"<<<BEGIN-{nonce}>>>\n{text}\n<<<END-{nonce}>>>"


def harden_turns(
    turns: list[str],
    hardening: Hardening,
    closers: tuple[str, ...],
    item_id: str,
    turn: int | None,
    slot: int,
) -> list[str]:
    """Every turn of one side's answer as it is inserted into the prompt (unchanged when off)."""
    if not hardening.active:
        return turns
    out = []
    for index, text in enumerate(turns):
        if hardening.escape:
            text = escape_delimiters(text, closers)
        if hardening.nonce:
            text = wrap_nonce(text, nonce_for(hardening.seed, item_id, turn, 10 * slot + index, text))
        out.append(text)
    return out


def template_text(user: str, system: str | None) -> str:
    return user + ("\n" + system if system else "")
