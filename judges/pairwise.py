"""The pairwise protocol: a model's answer against an opponent's (baseline) answer, under a position strategy.

Parsers speak in the prompt frame; here every game is mapped to the MODEL's frame and written as a
:class:`~harness.records.Judgment` (``order`` says which side was shown first, ``verdict`` keeps upstream's
label as the judge wrote it). Two scales exist (``metadata["scale"]``):

- ``signed``: graded labels, +2 model much better ... -2 opponent much better, tie 0 (Arena-Hard, WildBench,
  MT-Bench pair with +-1).
- ``preference``: AlpacaEval's 1..2 where 2 = the model wins; a game shown model-first is un-swapped as
  ``3 - x`` (``../shared/reference/alpaca_eval.md`` §B), identical outputs are 1.5 without a call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from harness.client._types import SamplingParams
from harness.records import Item, Judgment, Output, TokenUsage
from judges._call import Caller, Exchange, ask
from judges.compose import PAIR_COMPOSERS
from judges.hardening import Hardening, harden_turns, slot_closers, template_text
from judges.parsers import PARSERS, Parsed
from judges.position import (
    Order,
    PositionSpec,
    aggregate_pair,
    length_align,
    merge_interleaved,
    orders_for,
)
from judges.render import render
from judges.templates import JudgeTemplate

Scale = Literal["signed", "preference"]
MIDPOINT: dict[Scale, float] = {"signed": 0.0, "preference": 1.5}
EmptyPolicy = Literal["upstream", "unscored"]
_SENTINEL_A, _SENTINEL_B = "\x00PORTIA_A\x00", "\x00PORTIA_B\x00"


@dataclass(frozen=True)
class PairOutcome:
    """All games of one (item, model, opponent) and their aggregate in the model's frame."""

    judgments: list[Judgment]
    value: float | None  # None when no game was scored
    consistent: bool | None  # None unless two orders were both scored
    strategy: str


def to_model_frame(value: float, order: Order, scale: Scale) -> float:
    if scale == "preference":
        return 3.0 - value if order == "model_first" else value
    return value if order == "model_first" else -value


@dataclass(frozen=True)
class PairwiseJudge:
    name: str
    template: JudgeTemplate
    parser: str
    composer: str
    sampling: SamplingParams = field(default_factory=SamplingParams)
    position: PositionSpec = field(default_factory=PositionSpec)
    scale: Scale = "signed"
    continuation: str | None = None
    max_attempts: int = 1
    empty_output: EmptyPolicy = "upstream"
    hardening: Hardening = field(default_factory=Hardening)

    def _judgment(
        self,
        item: Item,
        model: Output,
        opponent: Output,
        order: Order,
        parsed: Parsed,
        exchange: Exchange | None,
        turn: int | None,
        extra: dict[str, object],
    ) -> Judgment:
        scored = parsed.scored and parsed.value is not None
        return Judgment(
            item_id=item.item_id,
            model=model.model,
            opponent=opponent.model,
            judge=self.name,
            template_hash=self.template.sha256,
            parser_version=self.parser,
            protocol="pairwise",
            order=order,
            turn=turn,
            raw_completion=exchange.raw if exchange else None,
            logprobs=exchange.logprobs if exchange else None,
            verdict=parsed.verdict,
            score=to_model_frame(parsed.value, order, self.scale)
            if scored and parsed.value is not None
            else None,
            status="scored" if scored else "unscored",
            reason=None if scored else parsed.reason,
            detail=parsed.detail,
            usage=exchange.usage if exchange else TokenUsage(),
            metadata={"scale": self.scale, "attempts": exchange.attempts if exchange else 0, **extra},
        )

    def messages(
        self, item: Item, first: list[str], second: list[str], turn: int | None = None
    ) -> list[dict[str, str]]:
        """The judge prompt for one order (``first`` shown as A / output_1), hardened if configured."""
        composer = PAIR_COMPOSERS.get(self.composer)
        if self.hardening.active:
            closers = slot_closers(template_text(self.template.user, self.template.system))
            first = harden_turns(first, self.hardening, closers, item.item_id, turn, 0)
            second = harden_turns(second, self.hardening, closers, item.item_id, turn, 1)
        return render(self.template, composer.fields(item, first, second, turn))

    def portia_messages(
        self, item: Item, first: list[str], second: list[str], turn: int | None = None
    ) -> list[dict[str, str]] | None:
        """The PORTIA merged prompt for one order, or None when the answers cannot be split into k parts."""
        composer = PAIR_COMPOSERS.get(self.composer)
        k = self.position.portia_k
        a_parts, b_parts = length_align(first[-1], k), length_align(second[-1], k)
        if composer.multi_slot or a_parts is None or b_parts is None:
            return None
        with_sentinels = [*first[:-1], _SENTINEL_A], [*second[:-1], _SENTINEL_B]
        messages = render(self.template, composer.fields(item, *with_sentinels, turn))
        merged = []
        for message in messages:
            if _SENTINEL_A in message["content"]:
                content = merge_interleaved(message["content"], _SENTINEL_A, _SENTINEL_B, a_parts, b_parts)
                if content is None:
                    return None
                message = {**message, "content": content}
            merged.append(message)
        return merged

    async def _game(
        self,
        caller: Caller,
        item: Item,
        model: Output,
        opponent: Output,
        order: Order,
        turn: int | None,
        portia: bool,
    ) -> tuple[Judgment, bool]:
        """One game; returns the judgment and whether the PORTIA merge was used."""
        first, second = (
            (model.turns, opponent.turns) if order == "model_first" else (opponent.turns, model.turns)
        )
        composer = PAIR_COMPOSERS.get(self.composer)
        extra: dict[str, object] = {"strategy": self.position.strategy}
        if composer.shortcut is not None:
            settled = composer.shortcut(first, second)
            if settled is not None:
                parsed, why = settled
                if why == "empty output" and self.empty_output == "unscored":
                    parsed = Parsed(reason="empty_output", detail=why)
                return self._judgment(
                    item, model, opponent, order, parsed, None, turn, extra | {"no_call": why}
                ), False
        messages = self.portia_messages(item, first, second, turn) if portia else None
        merged = messages is not None
        if messages is None:
            messages = self.messages(item, first, second, turn)
        exchange = await ask(
            caller, messages, self.sampling, PARSERS.get(self.parser), self.continuation, self.max_attempts
        )
        extra |= {"portia_merged": merged} if portia else {}
        return self._judgment(item, model, opponent, order, exchange.parsed, exchange, turn, extra), merged

    async def judge(
        self, caller: Caller, item: Item, model: Output, opponent: Output, turn: int | None = None
    ) -> PairOutcome:
        """Judge one pair under the configured position strategy."""
        spec = self.position
        orders = orders_for(spec, item.item_id, item.turns[0] if item.turns else "")
        portia = spec.strategy == "portia"
        games = [await self._game(caller, item, model, opponent, o, turn, portia) for o in orders]
        judgments = [g for g, _ in games]
        strategy: str = spec.strategy
        if portia and not all(merged for _, merged in games):
            strategy = "portia->both"  # too short to split: plain prompts in both orders
        for judgment in judgments:
            judgment.metadata["strategy"] = strategy
        values = [j.score for j in judgments if j.status == "scored" and j.score is not None]
        if not values:
            return PairOutcome(judgments, None, None, strategy)
        if len(orders) == 2 and len(values) == 2:
            value, consistent = aggregate_pair(values, MIDPOINT[self.scale], spec.aggregate)
            return PairOutcome(judgments, value, consistent, strategy)
        return PairOutcome(judgments, sum(values) / len(values), None, strategy)
