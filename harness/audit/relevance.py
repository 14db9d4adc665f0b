"""D2, instruction relevance: does the output talk about what it was asked?

A constant or template-escaping output is unrelated to most instructions. Two measures, because each
fails alone: the cosine of all-MiniLM-L6-v2 embeddings of instruction and output (meaning, across
paraphrase), and lexical recall, the share of the instruction's content words that the output uses
(robust where the embedding is not: code, names, numbers). An item is *low-relevance* when both are
under their thresholds; the thresholds are calibrated on real benign outputs (docs/audit.md: the
0.2th percentile of each measure over ~10k benign turns, rounded down), so an item warning is rare and a
submission fails only when more than ``fail_share`` (20%) of its items are low-relevance. Never by
length. Later turns of a conversation are compared with every earlier user turn and the best match
counts ("Rewrite your previous response" is about turn one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from harness.audit.embed import Embedder
from harness.audit.findings import Evidence, Finding, SubmissionFinding
from harness.audit.inputs import AuditItem

DETECTOR = "relevance"
_WORD = re.compile(r"[^\W_]{3,}", re.UNICODE)
STOPWORDS = frozenset(
    """the and for are but not you your with this that from they them their there what when where which
    who whom why how all any can could would should will shall may might must have has had was were been
    being into onto about above below over under again further then once here more most other some such
    only own same than too very just also does did doing each few both nor our ours out off its it's
    these those between through during before after while because until against his her hers him she
    he me my mine we us i'm let give write tell make please explain describe list provide create use
    using used like want need know one two get got way ways""".split()
)


@dataclass(frozen=True)
class RelevanceConfig:
    max_cosine: float = 0.05
    max_lexical: float = 0.1
    fail_share: float = 0.2


def content_words(text: str) -> set[str]:
    return {w for w in (m.group(0).lower() for m in _WORD.finditer(text)) if w not in STOPWORDS}


def lexical_recall(instruction: str, output: str) -> float:
    """Share of the instruction's content words (prefix-matched to 5 letters) found in the output."""
    wanted = {w[:5] for w in content_words(instruction)}
    if not wanted:
        return float("nan")
    have = {w[:5] for w in content_words(output)}
    return len(wanted & have) / len(wanted)


def relevance_scores(items: tuple[AuditItem, ...], embedder: Embedder) -> list[tuple[float, float, int]]:
    """Per item: (cosine, lexical recall, turn) of its least relevant turn."""
    pairs: list[tuple[int, int, str, list[str]]] = []
    for idx, item in enumerate(items):
        for turn, output in enumerate(item.outputs):
            prompts = list(item.prompts[: turn + 1]) or [""]
            pairs.append((idx, turn, output, prompts))
    texts = sorted({t for _, _, out, ps in pairs for t in (out, *ps)})
    where = {t: i for i, t in enumerate(texts)}
    vectors = embedder.encode(texts)
    worst: dict[int, tuple[float, float, int]] = {}
    for idx, turn, output, prompts in pairs:
        out_vec = vectors[where[output]]
        cos = max(float(np.dot(out_vec, vectors[where[p]])) for p in prompts)
        lexical = [lexical_recall(p, output) for p in prompts]
        lex = max((x for x in lexical if x == x), default=float("nan"))
        current = worst.get(idx)
        if current is None or cos < current[0]:
            worst[idx] = (cos, lex, turn)
    return [worst.get(i, (1.0, 1.0, 0)) for i in range(len(items))]


def is_low(cos: float, lex: float, config: RelevanceConfig) -> bool:
    return cos < config.max_cosine and (lex != lex or lex < config.max_lexical)


def detect_relevance(
    items: tuple[AuditItem, ...], embedder: Embedder, config: RelevanceConfig = RelevanceConfig()
) -> tuple[list[Finding], list[SubmissionFinding], list[tuple[float, float, int]]]:
    scores = relevance_scores(items, embedder)
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
    return findings, submission, scores
