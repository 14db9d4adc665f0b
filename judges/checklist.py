"""The checklist protocol, TICK (Cook et al., "TICKing All the Boxes", arXiv:2410.03608; docs/judges.md,
"TICK"): an LLM turns the instruction into 2-8 YES/NO questions, then each question is answered in its own
judge call (instruction + response + one question, reasoning then YES/NO), and the response's score is its
pass rate #YES / #answered. Unanswerable items are unscored and left out of the rate, never counted as NO. The prompts are our own (``judges/tick_templates``): the paper's are not published.

The pipeline stores each item's checklist once (``checklists.jsonl``, :class:`~harness.records.Checklist`)
and answers each question as its own judge task (:meth:`ChecklistJudge.answer_question`), so an interrupted
run resumes question by question.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from harness.client._types import SamplingParams
from harness.errors import BadInput
from harness.records import Checklist, Item, Judgment, Output, TokenUsage
from judges._call import Caller, ask
from judges.parsers import PARSERS, TICK_MAX_QUESTIONS, TICK_MIN_QUESTIONS, Parsed
from judges.protocol import (
    Judge,
    JudgeConfig,
    JudgeOptions,
    Question,
    RecordKind,
    TaskPlan,
    capped_sampling,
)
from judges.render import render
from judges.templates import JudgeTemplate


@dataclass(frozen=True)
class GeneratedChecklist:
    item_id: str
    questions: list[str]
    parsed: Parsed
    raw: str | None
    usage: TokenUsage = field(default_factory=TokenUsage)


@dataclass(frozen=True)
class ChecklistResult:
    """Per-question judgments and the pass rate over the answered ones (None if none was answered)."""

    judgments: list[Judgment]
    pass_rate: float | None
    n_yes: int
    n_answered: int


def pass_rate(judgments: list[Judgment]) -> tuple[float | None, int, int]:
    answered = [j for j in judgments if j.status == "scored" and j.score is not None]
    yes = sum(1 for j in answered if j.score == 1.0)
    return (yes / len(answered) if answered else None), yes, len(answered)


@dataclass(frozen=True)
class ChecklistJudge(Judge):
    """The ``checklist`` protocol: a stored checklist per item, one task per question."""

    record_kind: ClassVar[RecordKind] = "checklist"
    asks_checklists: ClassVar[bool] = True

    name: str
    generate_template: JudgeTemplate
    answer_template: JudgeTemplate
    generate_sampling: SamplingParams = field(default_factory=SamplingParams)
    answer_sampling: SamplingParams = field(default_factory=SamplingParams)
    generate_parser: str = "tick_checklist"
    answer_parser: str = "tick_yes_no"

    @classmethod
    def from_config(cls, config: JudgeConfig, options: JudgeOptions) -> ChecklistJudge:
        if options.hardening.active:
            raise BadInput(
                "--harden",
                f"judge {config.name!r} is a checklist judge; hardening applies to pairwise and single",
            )
        gen, ans = config.field("generate"), config.field("answer")
        return cls(
            name=config.name,
            generate_template=config.template(gen["template"], "generate"),
            answer_template=config.template(ans["template"], "answer", options.template_override),
            generate_sampling=config.sampling(gen.get("sampling"), "generate.sampling"),
            answer_sampling=config.sampling(ans.get("sampling"), "answer.sampling"),
            generate_parser=gen["parser"],
            answer_parser=ans["parser"],
        )

    def tasks(self, opponents: Sequence[Output], questions: Sequence[str]) -> list[TaskPlan]:
        return [(None, (index, question)) for index, question in enumerate(questions)]

    async def run(
        self,
        caller: Caller,
        item: Item,
        output: Output,
        opponent: Output | None,
        turn: int | None,
        question: Question | None,
    ) -> list[Judgment]:
        if question is None:
            raise BadInput(f"item {item.item_id}", "a checklist task asks one question")
        return [await self.answer_question(caller, item, output, *question)]

    def prompt_texts(self) -> list[str]:
        return []  # the audit's template matching reads one answer template; TICK has none to quote

    def capped(self, max_tokens: int | None, top_logprobs: int | None) -> ChecklistJudge:
        if max_tokens is None:  # TICK: the cap applies to both of its prompts
            return self
        return dataclasses.replace(
            self,
            generate_sampling=capped_sampling(self.generate_sampling, max_tokens),
            answer_sampling=capped_sampling(self.answer_sampling, max_tokens),
        )

    def id_suffix(self, template_overridden: bool) -> str:
        return f"#{self.answer_template.sha256[:12]}" if template_overridden else ""

    def checklist_writer(self) -> ChecklistJudge:
        return self

    async def generate(self, caller: Caller, item: Item) -> GeneratedChecklist:
        """Ask for the instruction's checklist; an unusable reply gives an empty list with its reason."""
        fields = {
            "instruction": item.turns[-1],
            "min_questions": str(TICK_MIN_QUESTIONS),
            "max_questions": str(TICK_MAX_QUESTIONS),
        }
        messages = render(self.generate_template, fields)
        exchange = await ask(caller, messages, self.generate_sampling, PARSERS.get(self.generate_parser))
        return GeneratedChecklist(
            item.item_id,
            list(exchange.parsed.items),
            exchange.parsed,
            exchange.raw,
            exchange.usage or TokenUsage(),
        )

    def record(
        self, checklist: GeneratedChecklist, judge_id: str, usage: TokenUsage | None = None
    ) -> Checklist:
        """The stored form of a generated checklist (unscored with the parser's reason when unusable)."""
        parsed = checklist.parsed
        ok = parsed.scored and bool(checklist.questions)
        return Checklist(
            item_id=checklist.item_id,
            judge=judge_id,
            questions=checklist.questions if ok else [],
            status="scored" if ok else "unscored",
            reason=None if ok else (parsed.reason or "parse_failure"),
            detail=None if ok else parsed.detail,
            raw_completion=checklist.raw,
            usage=usage or checklist.usage,
        )

    async def answer_question(
        self, caller: Caller, item: Item, output: Output, index: int, question: str
    ) -> Judgment:
        """One checklist question about one answer: reasoning, then YES (score 1) or NO (score 0)."""
        fields = {"instruction": item.turns[-1], "response": output.turns[-1], "question": question}
        exchange = await ask(
            caller,
            render(self.answer_template, fields),
            self.answer_sampling,
            PARSERS.get(self.answer_parser),
        )
        parsed = exchange.parsed
        scored = parsed.scored and parsed.value is not None
        return Judgment(
            item_id=item.item_id,
            model=output.model,
            judge=self.name,
            template_hash=self.answer_template.sha256,
            parser_version=self.answer_parser,
            protocol="checklist",
            prompt=exchange.messages,
            raw_completion=exchange.raw,
            verdict=parsed.verdict,
            score=parsed.value if scored else None,
            status="scored" if scored else "unscored",
            reason=None if scored else parsed.reason,
            detail=parsed.detail,
            usage=exchange.usage or TokenUsage(),
            metadata={"question_index": index, "question": question},
        )

    async def answer(
        self, caller: Caller, item: Item, output: Output, questions: list[str]
    ) -> ChecklistResult:
        """One call per question (the paper's per-item evaluation), then the pass rate."""
        judgments = [
            await self.answer_question(caller, item, output, index, question)
            for index, question in enumerate(questions)
        ]
        rate, yes, answered = pass_rate(judgments)
        return ChecklistResult(judgments, rate, yes, answered)
