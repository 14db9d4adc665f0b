"""D2, instruction relevance: does the output talk about what it was asked?

A constant or template-escaping output is unrelated to most instructions. Two measures, because each
fails alone: the cosine of all-MiniLM-L6-v2 embeddings of instruction and output (meaning, across
paraphrase), and lexical recall, the share of the instruction's content words that the output uses
(robust where the embedding is not: code, names, numbers). An item is *low-relevance* when both are
under their thresholds. Thresholds calibrated on 5,330 real benign answers (six AlpacaEval models and
Arena-Hard claude-3-opus, docs/audit.md): cosine 0.2 is their 0.8th percentile, lexical 0.2 their
6th; both are low on 0.64% of them. So an item warning is rare, and a submission fails only when more
than ``fail_share`` (20%) of its items are low-relevance (a constant output: ~100%). Never by
length. Later turns of a conversation are compared with every earlier user turn and the best match
counts ("Rewrite your previous response" is about turn one).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from harness.audit.embed import Embedder
from harness.audit.findings import Evidence, Finding, SubmissionFinding
from harness.audit.inputs import AuditItem
from harness.audit.words import content_words

DETECTOR = "relevance"


@dataclass(frozen=True)
class RelevanceConfig:
    max_cosine: float = 0.2
    max_lexical: float = 0.2
    fail_share: float = 0.2


def lexical_recall(instruction: str, output: str) -> float:
    """Share of the instruction's content words (prefix-matched to 5 letters) found in the output."""
    wanted = {w[:5] for w in content_words(instruction)}
    if not wanted:
        return float("nan")
    have = {w[:5] for w in content_words(output)}
    return len(wanted & have) / len(wanted)


@dataclass(frozen=True)
class RelevancePlan:
    """Per turn (item index, turn, output, instructions, lexical recall) and whether it is embedded,
    and the distinct texts to embed (:func:`plan_relevance`)."""

    pairs: list[tuple[int, int, str, list[str], float]]
    wanted: list[bool]
    texts: list[str]


def plan_relevance(
    items: tuple[AuditItem, ...], config: RelevanceConfig, embed_all: bool = False
) -> RelevancePlan:
    """The lexical measure of every turn, and the texts the cascade leaves to the embedding.

    A cascade: low relevance needs *both* measures low, so a turn whose lexical recall already reaches
    ``max_lexical`` cannot be low and is not embedded (cosine NaN) unless ``embed_all``. On real answers
    that spares ~90% of the embedding work without changing any decision.
    """
    pairs: list[tuple[int, int, str, list[str], float]] = []
    for idx, item in enumerate(items):
        for turn, output in enumerate(item.outputs):
            prompts = list(item.prompts[: turn + 1]) or [""]
            lexical = [lexical_recall(p, output) for p in prompts]
            lex = max((x for x in lexical if x == x), default=float("nan"))
            pairs.append((idx, turn, output, prompts, lex))
    wanted = [embed_all or not lex >= config.max_lexical for *_, lex in pairs]
    texts = sorted({t for p, w in zip(pairs, wanted, strict=True) if w for t in (p[2], *p[3])})
    return RelevancePlan(pairs, wanted, texts)


def relevance_scores(
    items: tuple[AuditItem, ...], embedder: Embedder, config: RelevanceConfig, embed_all: bool = False
) -> list[tuple[float, float, int]]:
    """Per item: (cosine, lexical recall, turn) of its least relevant turn."""
    plan = plan_relevance(items, config, embed_all)
    return scores_from(plan, len(items), embedder.encode(plan.texts) if plan.texts else None)


def scores_from(
    plan: RelevancePlan, n_items: int, vectors: np.ndarray | None
) -> list[tuple[float, float, int]]:
    """Per item: (cosine, lexical recall, turn) of its least relevant turn, given the vectors of
    ``plan.texts`` (row for row)."""
    where = {t: i for i, t in enumerate(plan.texts)}
    worst: dict[int, tuple[float, float, int]] = {}
    for (idx, turn, output, prompts, lex), embed in zip(plan.pairs, plan.wanted, strict=True):
        cos = float("nan")
        if embed and vectors is not None:
            out_vec = vectors[where[output]]
            cos = max(float(np.dot(out_vec, vectors[where[p]])) for p in prompts)
        current = worst.get(idx)
        rank = cos if cos == cos else 2.0 + lex  # embedded turns are the candidates for "low"
        if current is None or rank < (current[0] if current[0] == current[0] else 2.0 + current[1]):
            worst[idx] = (cos, lex, turn)
    return [worst.get(i, (float("nan"), 1.0, 0)) for i in range(n_items)]


def is_low(cos: float, lex: float, config: RelevanceConfig) -> bool:
    """Both measures under their thresholds (a NaN lexical recall, no content words, counts as low)."""
    return cos < config.max_cosine and not lex >= config.max_lexical


def detect_relevance(
    items: tuple[AuditItem, ...],
    embedder: Embedder,
    config: RelevanceConfig = RelevanceConfig(),
    embed_all: bool = False,
) -> tuple[list[Finding], list[SubmissionFinding], list[tuple[float, float, int]]]:
    scores = relevance_scores(items, embedder, config, embed_all)
    return (*relevance_findings(items, scores, config), scores)


def relevance_findings(
    items: tuple[AuditItem, ...], scores: list[tuple[float, float, int]], config: RelevanceConfig
) -> tuple[list[Finding], list[SubmissionFinding]]:
    """Item warnings for the low-relevance items, and the submission's failure when they are many."""
    findings = []
    for item, (cos, lex, turn) in zip(items, scores, strict=True):
        output = item.outputs[turn] if item.outputs else ""
        if output.strip() and is_low(cos, lex, config):
            findings.append(
                Finding(
                    DETECTOR,
                    item.item_id,
                    "warn",
                    f"unrelated to its instruction (cosine {cos:.2f}, lexical {lex:.2f})",
                    Evidence.of(output, turn, 0, min(len(output), 80)),
                    cos,
                )
            )
    share = len(findings) / len(items) if items else 0.0
    submission = []
    if share > config.fail_share:
        submission.append(
            SubmissionFinding(
                DETECTOR,
                "fail",
                f"{len(findings)} items ({share:.1%}) unrelated to their instructions",
                share,
                config.fail_share,
                tuple(f.item_id for f in findings),
            )
        )
    return findings, submission
