"""The single-answer protocol: one answer rated on its own (MT-Bench 1-10 with or without reference, per turn;
WildBench WB-Score JSON). ``Judgment.score`` is the rating; an unparseable rating is unscored, never -1 or 0
(FastChat PR #2074 fixed -1 being averaged in)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import ClassVar

from harness.client._types import SamplingParams
from harness.errors import BadInput
from harness.records import Item, Judgment, Output, TokenUsage
from judges._call import Caller, ask
from judges.compose import SINGLE_COMPOSERS
from judges.hardening import Hardening, harden_turns, slot_closers, template_text
from judges.pairwise import EmptyPolicy
from judges.parsers import PARSERS, Parsed
from judges.protocol import (
    Judge,
    JudgeConfig,
    JudgeOptions,
    Question,
    RecordKind,
    VerdictSlot,
    capped_sampling,
)
from judges.render import render
from judges.templates import JudgeTemplate


@dataclass(frozen=True)
class SingleJudge(Judge):
    """The ``single`` protocol: one task per (item, turn), one rating."""

    record_kind: ClassVar[RecordKind] = "single"

    name: str
    template: JudgeTemplate
    parser: str
    composer: str
    sampling: SamplingParams = field(default_factory=SamplingParams)
    empty_output: EmptyPolicy = "upstream"
    hardening: Hardening = field(default_factory=Hardening)

    @classmethod
    def from_config(cls, config: JudgeConfig, options: JudgeOptions) -> SingleJudge:
        raw = config.raw
        template = config.template(raw["template"], "template", options.template_override)
        sampling = config.sampling(raw.get("sampling"), "sampling")
        if options.position is not None:
            raise BadInput(
                "--position", f"judge {config.name!r} is a single-answer judge; position applies to pairwise"
            )
        return cls(
            config.name,
            template,
            config.field("parser"),
            config.field("composer"),
            sampling,
            raw.get("empty_output", "upstream"),
            options.hardening,
        )

    async def run(
        self,
        caller: Caller,
        item: Item,
        output: Output,
        opponent: Output | None,
        turn: int | None,
        question: Question | None,
    ) -> list[Judgment]:
        return [await self.judge(caller, item, output, turn=turn)]

    def prompt_texts(self) -> list[str]:
        return [self.template.user, self.template.system or ""]

    def capped(self, max_tokens: int | None, top_logprobs: int | None) -> SingleJudge:
        return dataclasses.replace(self, sampling=capped_sampling(self.sampling, max_tokens, top_logprobs))

    def id_suffix(self, template_overridden: bool) -> str:
        return self.hardening.tag + (f"#{self.template.sha256[:12]}" if template_overridden else "")

    def verdict_slot(self) -> VerdictSlot:
        return VerdictSlot(self.template, self.parser)

    @property
    def needs_logprobs(self) -> bool:
        return bool(self.sampling.logprobs)

    def messages(self, item: Item, answer: list[str], turn: int | None = None) -> list[dict[str, str]]:
        """The judge prompt for one answer, hardened if configured (see :mod:`judges.hardening`)."""
        if self.hardening.active:
            closers = slot_closers(template_text(self.template.user, self.template.system))
            answer = harden_turns(answer, self.hardening, closers, item.item_id, turn, 0)
        return render(self.template, SINGLE_COMPOSERS.get(self.composer).fields(item, answer, turn))

    async def judge(self, caller: Caller, item: Item, output: Output, turn: int | None = None) -> Judgment:
        composer = SINGLE_COMPOSERS.get(self.composer)
        settled = composer.shortcut(output.turns) if composer.shortcut is not None else None
        exchange = None
        metadata: dict[str, object] = {}
        if settled is not None:
            parsed, why = settled
            metadata["no_call"] = why
            if why == "empty output" and self.empty_output == "unscored":
                parsed = Parsed(reason="empty_output", detail=why)
        else:
            exchange = await ask(
                caller, self.messages(item, output.turns, turn), self.sampling, PARSERS.get(self.parser)
            )
            parsed = exchange.parsed
            metadata["attempts"] = exchange.attempts
        scored = parsed.scored and parsed.value is not None
        return Judgment(
            item_id=item.item_id,
            model=output.model,
            judge=self.name,
            template_hash=self.template.sha256,
            parser_version=self.parser,
            protocol="single",
            turn=turn,
            prompt=exchange.messages if exchange else None,
            raw_completion=exchange.raw if exchange else None,
            verdict=parsed.verdict,
            score=parsed.value if scored else None,
            status="scored" if scored else "unscored",
            reason=None if scored else parsed.reason,
            detail=parsed.detail,
            usage=exchange.usage if exchange else TokenUsage(),
            metadata=metadata,
        )
