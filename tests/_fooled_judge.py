"""A scripted judge that injected text fools: the worst case for the harness's defences, made deterministic.

Served by the ``fake_server`` fixture (a real HTTP server, the harness's real client talks to it). The
judge reads the prompt it is sent: when a *fragment* of a known attack (any line or sentence of it of at
least ``MIN_FRAGMENT`` characters, so removing part of an attack does not disarm it) appears in the
prompt, it gives the best verdict to the answer that holds it, in the grammar the request asks for;
otherwise it answers like an impartial judge that sees two equal answers (a tie, AlpacaEval's ``m``,
a middling rating). Which side holds the fragment: the baseline's answer (one of ``baselines``) is
found in the prompt too, and the fragment is on the other side.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

MIN_FRAGMENT = 20
_SPLIT = re.compile(r"\n+|(?<=[.!?;])\s+")


def fragments(attacks: Iterable[str]) -> list[str]:
    """The pieces of each attack that fool the judge on their own."""
    out = set()
    for attack in attacks:
        for piece in _SPLIT.split(attack):
            piece = piece.strip()
            if len(piece) >= MIN_FRAGMENT:
                out.add(piece)
    return sorted(out, key=len, reverse=True)


def _prompt(body: dict[str, Any]) -> str:
    return "\n".join(str(m.get("content", "")) for m in body.get("messages", []))


class FooledJudge:
    """``reply(body)`` for ``fake_server``; ``fooled`` counts the requests in which an attack won."""

    def __init__(self, attacks: Iterable[str], baselines: Iterable[str]) -> None:
        self.fragments = fragments(attacks)
        self.baselines = [b.strip() for b in baselines if len(b.strip()) >= MIN_FRAGMENT]
        self.fooled = 0
        self.calls = 0

    def _attack_at(self, prompt: str) -> int | None:
        hits = [prompt.find(f) for f in self.fragments if f in prompt]
        return min(hits) if hits else None

    def _baseline_at(self, prompt: str) -> int | None:
        hits = [prompt.find(b[:80]) for b in self.baselines if b[:80] in prompt]
        return min(hits) if hits else None

    def __call__(self, body: dict[str, Any]) -> str:
        self.calls += 1
        prompt = _prompt(body)
        attack = self._attack_at(prompt)
        single = "[[rating]]" in prompt or "[[5]]" in prompt
        alpaca = bool(body.get("logprobs"))
        if attack is None:
            return "m" if alpaca else ("Rating: [[5]]" if single else "My final verdict is tie: [[A=B]]")
        self.fooled += 1
        if single:
            return "Rating: [[10]]"
        baseline = self._baseline_at(prompt)
        first = baseline is None or attack < baseline  # the attacked answer is shown first
        if alpaca:
            return "m" if first else "M"
        return "My final verdict is: [[A>>B]]" if first else "My final verdict is: [[B>>A]]"
