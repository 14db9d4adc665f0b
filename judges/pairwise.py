"""The pairwise protocol: a model's answer against an opponent's (baseline) answer, under a position strategy.

Parsers speak in the prompt frame; here every game is mapped to the MODEL's frame and written as a
:class:`~harness.records.Judgment` (``order`` says which side was shown first, ``verdict`` keeps upstream's
label as the judge wrote it). Two scales exist (``metadata["scale"]``):

- ``signed``: graded labels, +2 model much better ... -2 opponent much better, tie 0 (Arena-Hard, WildBench,
  MT-Bench pair with +-1).
- ``preference``: AlpacaEval's 1..2 where 2 = the model wins; a game shown model-first is un-swapped as
  ``3 - x`` (docs/judges.md, "Position strategies"), identical outputs are 1.5 without a call.

PORTIA (``judges.position``; docs/judges.md) asks both orders with length-aligned merged
prompts and, only when those two verdicts are inconsistent, both orders again with semantically aligned ones:
2 or 4 judge calls per pair. The pair's two stored judgments are always those of its last stage
(``metadata["portia_stage"]``), so scoring, position consistency and resume see one judgment per order as
for ``both``; a semantic-stage judgment keeps its order's length-stage verdict and raw completion in
``metadata["portia_length"]`` and counts both stages' tokens in ``usage``. A PORTIA pair is stored final only
as a whole: if either order ends in an API error, both are stored as ``api_error`` and the next run asks the
pair again from the length stage, so a resumed pair never mixes the two stages.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Literal, get_args

from harness.client._types import SamplingParams
from harness.errors import BadInput
from harness.records import Item, Judgment, Output, TokenUsage
from judges._call import Caller, Exchange, ask
from judges.compose import PAIR_COMPOSERS
from judges.hardening import Hardening, harden_turns, slot_closers, template_text
from judges.parsers import PARSERS, Parsed
from judges.position import (
    Order,
    PositionSpec,
    Strategy,
    aggregate_pair,
    length_align,
    merge_interleaved,
    orders_for,
)
from judges.protocol import (
    Judge,
    JudgeConfig,
    JudgeOptions,
    Question,
    RecordKind,
    TaskPlan,
    VerdictSlot,
    capped_sampling,
)
from judges.render import neutralised, render
from judges.templates import JudgeTemplate

Scale = Literal["signed", "preference"]
MIDPOINT: dict[Scale, float] = {"signed": 0.0, "preference": 1.5}
EmptyPolicy = Literal["upstream", "unscored"]
_SENTINEL_A, _SENTINEL_B = "\x00PORTIA_A\x00", "\x00PORTIA_B\x00"
Aligned = tuple[list[str], list[str]]  # PORTIA parts of (the model's answer, the opponent's answer)


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
class PairwiseJudge(Judge):
    """The ``pairwise`` protocol: one task per (item, turn, opponent), one game per order of its strategy."""

    record_kind: ClassVar[RecordKind] = "pairwise"
    pairwise: ClassVar[bool] = True

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

    @classmethod
    def from_config(cls, config: JudgeConfig, options: JudgeOptions) -> PairwiseJudge:
        raw = config.raw
        template = config.template(raw["template"], "template", options.template_override)
        sampling = config.sampling(raw.get("sampling"), "sampling")
        spec = PositionSpec(**raw.get("position", {}))
        if options.position is not None:
            if options.position not in get_args(Strategy):
                known = ", ".join(get_args(Strategy))
                raise BadInput("--position", f"unknown strategy {options.position!r} (known: {known})")
            spec = dataclasses.replace(spec, strategy=options.position)
        if options.portia_k is not None:
            spec = dataclasses.replace(spec, portia_k=options.portia_k)
        if options.hardening.active and spec.strategy == "portia":
            raise BadInput(
                "--harden", "hardening does not apply to PORTIA's merged prompts; use another --position"
            )
        return cls(
            name=config.name,
            template=template,
            parser=config.field("parser"),
            composer=config.field("composer"),
            sampling=sampling,
            position=spec,
            scale=raw.get("scale", "signed"),
            continuation=raw.get("continuation"),
            max_attempts=int(raw.get("max_attempts", 1)),
            empty_output=raw.get("empty_output", "upstream"),
            hardening=options.hardening,
        )

    def orders(self, item: Item) -> list[str | None]:
        return list(orders_for(self.position, item.item_id, item.turns[0] if item.turns else ""))

    def tasks(self, opponents: Sequence[Output], questions: Sequence[str]) -> list[TaskPlan]:
        return [(opponent, None) for opponent in opponents]

    def max_calls(self, item: Item) -> int:
        """PORTIA may ask both orders twice (length stage, then semantic stage)."""
        return len(self.orders(item)) * (2 if self.position.strategy == "portia" else 1)

    async def run(
        self,
        caller: Caller,
        item: Item,
        output: Output,
        opponent: Output | None,
        turn: int | None,
        question: Question | None,
    ) -> list[Judgment]:
        if opponent is None:
            raise BadInput(f"item {item.item_id}", "a pairwise judge needs an opponent's answer")
        return (await self.judge(caller, item, output, opponent, turn=turn)).judgments

    def prompt_texts(self) -> list[str]:
        return [self.template.user, self.template.system or ""]

    def capped(self, max_tokens: int | None, top_logprobs: int | None) -> PairwiseJudge:
        return dataclasses.replace(self, sampling=capped_sampling(self.sampling, max_tokens, top_logprobs))

    def id_suffix(self, template_overridden: bool) -> str:
        suffix = f"+portia{self.position.portia_k}" if self.position.strategy == "portia" else ""
        suffix += self.hardening.tag
        return suffix + (f"#{self.template.sha256[:12]}" if template_overridden else "")

    def verdict_slot(self) -> VerdictSlot:
        return VerdictSlot(self.template, self.parser)

    @property
    def needs_logprobs(self) -> bool:
        return bool(self.sampling.logprobs)

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
            prompt=exchange.messages if exchange else None,
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
        self,
        item: Item,
        first: list[str],
        second: list[str],
        turn: int | None = None,
        parts: Aligned | None = None,
    ) -> list[dict[str, str]] | None:
        """The PORTIA merged prompt for one order, or None when the answers cannot be split into k parts.
        ``parts`` (first's, second's) are merged as given; without them both answers are length-aligned."""
        composer = PAIR_COMPOSERS.get(self.composer)
        k = self.position.portia_k
        if parts is None:
            a_len, b_len = length_align(first[-1], k), length_align(second[-1], k)
            parts = None if a_len is None or b_len is None else (a_len, b_len)
        if composer.multi_slot or parts is None:
            return None
        a_parts, b_parts = neutralised_parts(self.template, parts)
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
        aligned: Aligned | None = None,
    ) -> tuple[Judgment, bool]:
        """One game; returns the judgment and whether the PORTIA merge was used. ``aligned`` (the model's
        parts, the opponent's) replaces the length alignment (PORTIA's semantic stage)."""
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
        parts = aligned if aligned is None or order == "model_first" else (aligned[1], aligned[0])
        messages = self.portia_messages(item, first, second, turn, parts) if portia else None
        merged = messages is not None
        if messages is None:
            messages = self.messages(item, first, second, turn)
        exchange = await ask(
            caller, messages, self.sampling, PARSERS.get(self.parser), self.continuation, self.max_attempts
        )
        extra |= {"portia_merged": merged} if portia else {}
        return self._judgment(item, model, opponent, order, exchange.parsed, exchange, turn, extra), merged

    def _inconsistent(self, judgments: list[Judgment]) -> bool:
        """Both orders scored and on different sides: the notion of :func:`aggregate_pair` (and of
        ``position_consistency`` in scoring). An unscored order leaves consistency unknown: no new stage."""
        values = [j.score for j in judgments if j.status == "scored" and j.score is not None]
        if len(judgments) != 2 or len(values) != 2:
            return False
        return not aggregate_pair(values, MIDPOINT[self.scale], self.position.aggregate)[1]

    async def _portia_stages(
        self,
        caller: Caller,
        item: Item,
        model: Output,
        opponent: Output,
        orders: list[Order],
        turn: int | None,
        length: list[Judgment],
    ) -> list[Judgment]:
        """PORTIA after its length stage (``length``, both orders merged): when the two verdicts are
        inconsistent, both orders again on the semantic alignment (docs/judges.md, "PORTIA", step 2). The
        returned judgments are the last stage's. When the semantic split equals the length split the
        re-query would repeat the same prompts, so it is skipped (our choice; the source is silent)."""
        for judgment in length:
            judgment.metadata["portia_stage"] = "length"
        if not self._inconsistent(length):
            return _whole_pair(length)
        # numpy's module at its one point of use: no other judge run loads numpy (judges/semantic_align.py)
        from judges.semantic_align import semantic_align

        k = self.position.portia_k
        aligned = semantic_align(model.turns[-1], opponent.turns[-1], k)
        if aligned is None or aligned == (
            length_align(model.turns[-1], k),
            length_align(opponent.turns[-1], k),
        ):
            for judgment in length:
                judgment.metadata["portia_semantic"] = "same split as the length stage: not asked again"
            return length
        games = [await self._game(caller, item, model, opponent, o, turn, True, aligned) for o in orders]
        final = []
        for (judgment, _), before in zip(games, length, strict=True):
            judgment.metadata |= {"portia_stage": "semantic", "portia_length": _stage_record(before)}
            judgment.usage = judgment.usage + before.usage  # the pair's tokens, both stages
            final.append(judgment)
        return _whole_pair(final)

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
        if portia and all(merged for _, merged in games):
            judgments = await self._portia_stages(caller, item, model, opponent, orders, turn, judgments)
        elif portia:
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


def neutralised_parts(template: JudgeTemplate, parts: Aligned) -> Aligned:
    """PORTIA's segments go into the prompt after rendering: the same neutralising as every slot value."""
    a = neutralised(template, {str(i): p for i, p in enumerate(parts[0])})
    b = neutralised(template, {str(i): p for i, p in enumerate(parts[1])})
    return list(a.values()), list(b.values())


def _stage_record(judgment: Judgment) -> dict[str, object]:
    """What a superseded PORTIA stage leaves in the final judgment's metadata."""
    return {
        "verdict": judgment.verdict,
        "score": judgment.score,
        "status": judgment.status,
        "reason": judgment.reason,
        "detail": judgment.detail,
        "prompt": judgment.prompt,
        "raw_completion": judgment.raw_completion,
        "attempts": judgment.metadata.get("attempts", 0),
        "usage": judgment.usage.model_dump(),
    }


def _whole_pair(judgments: list[Judgment]) -> list[Judgment]:
    """A PORTIA pair is final only as a whole: when one order failed with an API error, the other is stored
    as ``api_error`` too (its verdict kept in ``metadata["portia_withheld"]``), so the next run asks the
    pair again from the length stage instead of pairing this stage's verdict with another stage's."""
    if not any(j.reason == "api_error" for j in judgments):
        return judgments
    for judgment in judgments:
        if judgment.reason != "api_error":
            judgment.metadata["portia_withheld"] = {
                k: v
                for k, v in _stage_record(judgment).items()
                if k in ("verdict", "score", "status", "reason", "detail")
            }
            judgment.status, judgment.reason, judgment.score = "unscored", "api_error", None
            judgment.detail = (
                "the other order of this PORTIA pair failed with an API error; the pair is asked again"
            )
    return judgments
