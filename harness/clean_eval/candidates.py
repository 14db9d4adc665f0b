"""Rewrite candidates for one item: paraphrases and back-translations through pivot languages.

Clean-Eval (Zhu et al. 2024, arXiv:2311.09154; docs/clean_eval.md) builds a candidate set for each
item by asking an LLM to paraphrase it and by translating it to a pivot language and back. The prompts are
our own Jinja templates (``templates/``), rendered with StrictUndefined. Every turn of a multi-turn item is
rewritten on its own, so the rewrite keeps the turn structure; a candidate is usable only if every turn came
back usable.

A reply that is empty, refuses, or stops at ``max_tokens`` is recorded as such (never used as a rewrite);
an API failure is recorded as ``api_error`` so that the build retries the item on the next run.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Protocol

import jinja2

from harness.clean_eval.records import Candidate, CandidateStatus
from harness.client import ChatRequest, Completion, RetriesExhausted, SamplingParams
from harness.errors import BadInput

LANGUAGES = {
    "de": "German",
    "zh": "Chinese",
    "fr": "French",
    "ja": "Japanese",
    "es": "Spanish",
    "ru": "Russian",
    "it": "Italian",
    "pt": "Portuguese",
    "ko": "Korean",
}
DEFAULT_PIVOTS = ("de", "zh", "fr")

# Openings of a refusal; matched at the start of the reply only (a rewrite may quote such words).
_REFUSAL = re.compile(
    r"^\s*(i'?m sorry|i am sorry|sorry, |i can(?:no|')t|i cannot|i am unable|i'm unable|as an ai)", re.I
)
# A chatty lead-in line such as "Here is the reworded request:" before the text itself.
_LEAD_IN = re.compile(
    r"^\s*(sure|certainly|here is|here's|reworded|rewritten|translation)[^\n]{0,80}:\s*\n", re.I
)
_TAGS = re.compile(r"</?(?:request|text|response)>", re.I)


class ChatClient(Protocol):
    async def chat(self, request: ChatRequest) -> Completion: ...


@dataclass(frozen=True)
class RewriteConfig:
    """How candidates are generated; all of it is recorded in the variant's provenance."""

    n_paraphrases: int = 2
    pivots: tuple[str, ...] = DEFAULT_PIVOTS
    temperature: float = 0.7  # paraphrases: sampled, so that the samples differ
    translation_temperature: float = 0.0  # translations: the most likely one
    max_tokens: int = 256
    seed: int = 0

    def __post_init__(self) -> None:
        if self.n_paraphrases < 0:
            raise BadInput("--paraphrases", f"must be >= 0, got {self.n_paraphrases}")
        unknown = [p for p in self.pivots if p not in LANGUAGES]
        if unknown:
            raise BadInput("--pivots", f"unknown language {unknown[0]!r} (known: {', '.join(LANGUAGES)})")
        if self.n_paraphrases == 0 and not self.pivots:
            raise BadInput("--paraphrases", "no candidates asked for: give paraphrases or pivot languages")
        if self.max_tokens < 1:
            raise BadInput("--rewrite-max-tokens", f"must be >= 1, got {self.max_tokens}")


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_template_source),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        autoescape=False,
    )


def _template_source(name: str) -> str:
    return resources.files("harness.clean_eval").joinpath("templates", name).read_text(encoding="utf-8")


def template_hashes() -> dict[str, str]:
    """sha256 of each prompt template, recorded with the variant (a changed prompt is a new variant)."""
    import hashlib

    return {
        name: hashlib.sha256(_template_source(name).encode()).hexdigest()
        for name in ("paraphrase.jinja", "translate.jinja")
    }


def paraphrase_prompt(text: str) -> str:
    return _environment().get_template("paraphrase.jinja").render(text=text).strip()


def translate_prompt(text: str, language: str) -> str:
    return _environment().get_template("translate.jinja").render(text=text, language=language).strip()


def clean_reply(text: str) -> str:
    """The rewrite inside a reply: echoed tags, a lead-in line and wrapping quotes removed (pure)."""
    out = _TAGS.sub("", text).strip()
    out = _LEAD_IN.sub("", out, count=1).strip()
    if len(out) >= 2 and out[0] == out[-1] and out[0] in "\"'`":
        out = out[1:-1].strip()
    return out


def reply_status(text: str, finish_reason: str | None) -> CandidateStatus:
    """Classify a cleaned reply: empty, refusal, cut at max_tokens, or usable (pure)."""
    if not text.strip():
        return "empty"
    if finish_reason == "content_filter" or _REFUSAL.match(text):
        return "refusal"
    if finish_reason == "length":
        return "truncated"
    return "ok"


class _Unusable(Exception):
    def __init__(self, status: CandidateStatus, detail: str) -> None:
        self.status = status
        self.detail = detail


async def _ask(client: ChatClient, prompt: str, params: SamplingParams, what: str) -> str:
    try:
        completion = await client.chat(ChatRequest.of([{"role": "user", "content": prompt}], params))
    except RetriesExhausted as exc:
        raise _Unusable("api_error", f"{what}: {exc}") from None
    text = clean_reply(completion.text)
    status = reply_status(text, completion.finish_reason)
    if status != "ok":
        raise _Unusable(status, f"{what}: {completion.text[:120]!r}")
    return text


async def paraphrase(client: ChatClient, turns: list[str], index: int, config: RewriteConfig) -> Candidate:
    params = SamplingParams(
        temperature=config.temperature, max_tokens=config.max_tokens, seed=config.seed + index
    )
    try:
        new = [await _ask(client, paraphrase_prompt(t), params, f"turn {i + 1}") for i, t in enumerate(turns)]
    except _Unusable as bad:
        return Candidate(source="paraphrase", index=index, status=bad.status, detail=bad.detail)
    return Candidate(source="paraphrase", index=index, turns=new)


async def back_translate(
    client: ChatClient, turns: list[str], pivot: str, config: RewriteConfig
) -> Candidate:
    params = SamplingParams(
        temperature=config.translation_temperature, max_tokens=config.max_tokens, seed=config.seed
    )
    there: list[str] = []
    back: list[str] = []
    try:
        for i, turn in enumerate(turns):
            there.append(
                await _ask(
                    client, translate_prompt(turn, LANGUAGES[pivot]), params, f"turn {i + 1} to {pivot}"
                )
            )
            back.append(
                await _ask(client, translate_prompt(there[-1], "English"), params, f"turn {i + 1} back")
            )
    except _Unusable as bad:
        return Candidate(
            source="backtranslation", pivot=pivot, pivot_turns=there, status=bad.status, detail=bad.detail
        )
    return Candidate(source="backtranslation", pivot=pivot, turns=back, pivot_turns=there)


async def generate_candidates(client: ChatClient, turns: list[str], config: RewriteConfig) -> list[Candidate]:
    """Every candidate of one item, in a fixed order (paraphrases, then pivots), requested concurrently."""
    jobs = [paraphrase(client, turns, k, config) for k in range(config.n_paraphrases)]
    jobs += [back_translate(client, turns, pivot, config) for pivot in config.pivots]
    return list(await asyncio.gather(*jobs))
