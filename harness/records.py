"""The persisted records of the pipeline (docs/design.md, "Records").

benchmark items --generate--> Output --judge--> Judgment --stats--> Score

Every record carries ``schema_version`` so that a run directory written by an older harness is read
correctly or refused with a clear message. A judgment's status is tri-state: ``scored``, or
``unscored`` with a reason; an unscored judgment is never silently a loss or a zero (inspect_ai PR #4048).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1

UnscoredReason = Literal["parse_failure", "api_error", "refusal", "empty_output", "flagged"]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)
    schema_version: int = SCHEMA_VERSION


class TokenUsage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


class Item(Record):
    """One benchmark item: the user turns plus what the judge needs (references, baselines, checklist)."""

    benchmark: str
    version: str = ""
    item_id: str
    turns: list[str]
    category: str | None = None
    cluster: str | None = None
    history: list[dict[str, str]] = Field(default_factory=list)
    references: dict[str, list[str]] = Field(default_factory=dict)
    baselines: dict[str, list[str]] = Field(default_factory=dict)
    checklist: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)


class Output(Record):
    """A model's answer to one item: one assistant message per user turn."""

    item_id: str
    model: str
    turns: list[str]
    finish_reasons: list[str | None] = Field(default_factory=list)
    usage: TokenUsage = Field(default_factory=TokenUsage)
    generation_config_hash: str = ""
    error: str | None = None


class Judgment(Record):
    """One judge verdict. ``order`` says which side was shown first (``model_first``/``baseline_first``).

    ``prompt`` is the chat messages the judge was sent (its first attempt; a retry's continuation turn is
    the judge config's), so a run can be read item by item (``harness view``) without re-rendering the
    template; ``None`` when no call was made (a shortcut such as identical outputs) or for older runs."""

    item_id: str
    model: str
    opponent: str | None = None
    judge: str
    template_hash: str = ""
    parser_version: str = ""
    protocol: Literal["pairwise", "single", "checklist"]
    order: str | None = None
    turn: int | None = None
    prompt: list[dict[str, str]] | None = None
    raw_completion: str | None = None
    logprobs: list[dict[str, float]] | None = None
    verdict: str | float | None = None
    score: float | None = None
    status: Literal["scored", "unscored"] = "scored"
    reason: UnscoredReason | None = None
    detail: str | None = None
    usage: TokenUsage = Field(default_factory=TokenUsage)
    metadata: dict[str, Any] = Field(default_factory=dict)


class Checklist(Record):
    """One item's TICK checklist: the YES/NO questions its answers are judged on (``judges/checklist.py``).

    ``source`` is ``generated`` (asked of the judge; ``raw_completion`` and ``usage`` are its reply) or
    ``file`` (``--checklists FILE``). An unusable reply is ``unscored`` with its reason: the item gets no
    pass rate, it is counted as unscored, never as a fail.
    """

    item_id: str
    judge: str  # the judge id that wrote it, or ``file:<name>``
    source: Literal["generated", "file"] = "generated"
    questions: list[str] = Field(default_factory=list)
    status: Literal["scored", "unscored"] = "scored"
    reason: UnscoredReason | None = None
    detail: str | None = None
    raw_completion: str | None = None
    usage: TokenUsage = Field(default_factory=TokenUsage)


class Score(Record):
    """A headline figure with its uncertainty and its count of unscored items."""

    benchmark: str
    model: str
    metric: str
    value: float
    ci_lower: float | None = None
    ci_upper: float | None = None
    standard_error: float | None = None
    n_scored: int
    n_unscored: int = 0
    unscored_reasons: dict[str, int] = Field(default_factory=dict)
    judge: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)
