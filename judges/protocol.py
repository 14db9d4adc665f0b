"""Judge protocols: what a judge config's ``protocol:`` names, and the one registry they are found in.

A protocol is a :class:`Judge` subclass: the class holds its behaviour (inspect_ai's idea of a scorer as
one object): how a config becomes a judge (:meth:`Judge.from_config`), which tasks one (item, turn) asks
(:meth:`Judge.tasks`), how a task is judged and its verdicts parsed into Judgment records
(:meth:`Judge.run`), the kind of record it writes (:attr:`Judge.record`), the prompt texts the audit reads,
the run's token caps, its part of the judge id, and the template the canary forges a verdict for. The
pipeline, the run config and the audit call these methods; none of them knows the protocols by name.

Protocols are registered once each in :data:`JUDGE_PROTOCOLS`: the built-in ones (``pairwise``,
``single``, ``checklist``) as lazy ``"module:Class"`` entries, others through the entry-point group
``harness.judge_protocols`` of an installed package (``docs/plugins.md``)::

    [project.entry-points."harness.judge_protocols"]
    duel = "my_judges.duel:DuelJudge"

A new protocol is that one registration; a judge config then names it (``protocol: duel``).
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

from harness.client._types import SamplingParams
from harness.errors import BadInput
from harness.records import Checklist, Item, Judgment, Output, TokenUsage
from harness.registry import Registry
from judges._call import Caller, ask
from judges.hardening import Hardening
from judges.parsers import Parsed
from judges.position import Strategy
from judges.render import render
from judges.templates import JudgeTemplate, TemplatePart, load_template

if TYPE_CHECKING:
    from judges.checklist import GeneratedChecklist

RecordKind = Literal["pairwise", "single", "checklist"]
Question = tuple[int, str]  # (index, text) of one checklist question
TaskPlan = tuple[Output | None, Question | None]  # (opponent, question) of one task

__all__ = [
    "JUDGE_PROTOCOLS",
    "Caller",
    "ChecklistWriter",
    "Judge",
    "JudgeConfig",
    "JudgeOptions",
    "Parsed",
    "Question",
    "RecordKind",
    "TaskPlan",
    "VerdictSlot",
    "ask",
    "capped_sampling",
    "render",
]


@dataclass(frozen=True)
class JudgeOptions:
    """What a run may change in a judge config: the position strategy and PORTIA's k (pairwise), the
    user template file (``--judge-template``) and the hardening of inserted answers (``--harden``)."""

    position: Strategy | None = None
    template_override: Path | None = None
    portia_k: int | None = None
    hardening: Hardening = dataclasses.field(default_factory=Hardening)


@dataclass(frozen=True)
class JudgeConfig:
    """One judge config as read: its name, its raw mapping, where it was read (for error messages) and
    the folder its ``package_file`` template parts are relative to."""

    name: str
    raw: dict[str, Any]
    where: str
    root: Traversable

    def template(self, raw: dict[str, Any], key: str, override: Path | None = None) -> JudgeTemplate:
        """The template described by ``raw`` (``name``, ``syntax``, ``user`` and an optional ``system``
        part); ``override`` replaces the file of the user part's source (``--judge-template``)."""
        where = f"{self.where}:{key}"
        user = self._part(raw.get("user"), f"{where}.user")
        if user is None:
            raise BadInput(where, "a template needs a `user` part")
        overrides = {user.source: override} if override is not None and user.source else None
        return load_template(
            raw["name"], raw["syntax"], user, self._part(raw.get("system"), f"{where}.system"), overrides,
            root=self.root,
        )  # fmt: skip

    def sampling(self, raw: dict[str, Any] | None, key: str) -> SamplingParams:
        try:
            return SamplingParams(**(raw or {}))
        except TypeError as exc:
            raise BadInput(f"{self.where}:{key}", str(exc)) from exc

    def field(self, key: str) -> Any:
        """A required key of the config (one line naming the file and the key when it is missing)."""
        if key not in self.raw:
            raise BadInput(f"{self.where}:{key}", "missing")
        return self.raw[key]

    @staticmethod
    def _part(raw: dict[str, Any] | None, where: str) -> TemplatePart | None:
        if raw is None:
            return None
        allowed = {f.name for f in dataclasses.fields(TemplatePart)}
        unknown = set(raw) - allowed
        if unknown:
            raise BadInput(where, f"unknown template keys {sorted(unknown)}")
        return TemplatePart(**raw)


@dataclass(frozen=True)
class VerdictSlot:
    """The template holding the judged answer and the parser reading the verdict (what the null-model
    canary forges a winning verdict for, :mod:`harness.audit.canary_attacks`)."""

    template: JudgeTemplate
    parser: str


class ChecklistWriter(Protocol):
    """A judge that writes each item's checklist before its questions are asked (TICK)."""

    async def generate(self, caller: Caller, item: Item) -> GeneratedChecklist: ...

    def record(
        self, checklist: GeneratedChecklist, judge_id: str, usage: TokenUsage | None = None
    ) -> Checklist: ...


class Judge(ABC):
    """A loaded judge of one protocol. Subclasses are (frozen) dataclasses with at least a ``name``."""

    name: str
    record_kind: ClassVar[RecordKind]  # the ``Judgment.protocol`` of the records it writes
    pairwise: ClassVar[bool] = False  # each task compares the answer with an opponent's (a baseline)
    asks_checklists: ClassVar[bool] = False  # its tasks are the questions of stored checklists

    @classmethod
    @abstractmethod
    def from_config(cls, config: JudgeConfig, options: JudgeOptions) -> Judge:
        """Build the judge of ``config``; an option that does not apply is one-line BadInput."""

    def orders(self, item: Item) -> list[str | None]:
        """The ``Judgment.order`` of each record one task writes (pairwise: one per game)."""
        return [None]

    def max_calls(self, item: Item) -> int:
        """The most judge calls one task of ``item`` makes (the effect check's budget counts them)."""
        return len(self.orders(item))

    def tasks(self, opponents: Sequence[Output], questions: Sequence[str]) -> list[TaskPlan]:
        """The tasks of one (item, turn): ``opponents`` are the baselines' answers (given to a pairwise
        protocol), ``questions`` the item's stored checklist (given when :meth:`checklist_writer` is
        set). Default: one task with neither."""
        return [(None, None)]

    @abstractmethod
    async def run(
        self,
        caller: Caller,
        item: Item,
        output: Output,
        opponent: Output | None,
        turn: int | None,
        question: Question | None,
    ) -> list[Judgment]:
        """Judge one task: every record it writes (one per expected order)."""

    @abstractmethod
    def prompt_texts(self) -> list[str]:
        """The template texts the audit looks for in answers (an answer quoting its judge's prompt)."""

    @abstractmethod
    def capped(self, max_tokens: int | None, top_logprobs: int | None) -> Judge:
        """This judge under the run's caps on its tokens and top logprobs (they enter the cache key)."""

    def id_suffix(self, template_overridden: bool) -> str:
        """What the judge id (``<config>@<judge model>``) adds for this judge's settings."""
        return ""

    def verdict_slot(self) -> VerdictSlot | None:
        """The answer template and verdict parser, where the protocol has one of each."""
        return None

    def checklist_writer(self) -> ChecklistWriter | None:
        """The checklist stage's judge, for a protocol that asks stored checklist questions
        (:attr:`asks_checklists`)."""
        return None

    @property
    def needs_logprobs(self) -> bool:
        """Whether its verdicts are read from logprobs (the protocol probe checks the server gives them)."""
        return False


def capped_sampling(
    sampling: SamplingParams, max_tokens: int | None, top_logprobs: int | None = None
) -> SamplingParams:
    """``sampling`` with ``max_tokens`` lowered to the cap, and ``top_logprobs`` set where logprobs are read."""
    if max_tokens is not None and (sampling.max_tokens or 0) > max_tokens:
        sampling = dataclasses.replace(sampling, max_tokens=max_tokens)
    if top_logprobs is not None and sampling.logprobs:
        sampling = dataclasses.replace(sampling, top_logprobs=top_logprobs)
    return sampling


def _protocol_class(name: str, obj: Any) -> type[Judge]:
    if not (isinstance(obj, type) and issubclass(obj, Judge)):
        raise BadInput(f"judge protocol {name!r}", f"{obj!r} is not a judges.protocol.Judge subclass")
    return obj


JUDGE_PROTOCOLS: Registry[type[Judge]] = Registry(
    "judge protocol", group="harness.judge_protocols", check=_protocol_class
)
JUDGE_PROTOCOLS.add("pairwise", "judges.pairwise:PairwiseJudge")
JUDGE_PROTOCOLS.add("single", "judges.single:SingleJudge")
JUDGE_PROTOCOLS.add("checklist", "judges.checklist:ChecklistJudge")
