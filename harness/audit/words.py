"""The content words of a text: its words of three letters or more (letters and digits), lowercased,
without the common English function words. What the relevance detector's lexical recall
(:mod:`harness.audit.relevance`) and the effect check's isolated text (:mod:`harness.pipeline.effect_spans`)
count; apart from the detector so that the effect check counts words without loading its numerics.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W_]{3,}", re.UNICODE)
_WORDCHAR = re.compile(r"[^\W_]", re.UNICODE)
STOPWORDS = frozenset(
    """the and for are but not you your with this that from they them their there what when where which
    who whom why how all any can could would should will shall may might must have has had was were been
    being into onto about above below over under again further then once here more most other some such
    only own same than too very just also does did doing each few both nor our ours out off its it's
    these those between through during before after while because until against his her hers him she
    he me my mine we us i'm let give write tell make please explain describe list provide create use
    using used like want need know one two get got way ways""".split()
)


def content_words(text: str) -> set[str]:
    return {w for w in (m.group(0).lower() for m in _WORD.finditer(text)) if w not in STOPWORDS}


def content_word_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, word)`` of every content word of ``text`` in order (:func:`content_words`' words,
    with where they are), so that the words of many parts of one text are counted from one pass."""
    found = ((m.start(), m.end(), m.group(0).lower()) for m in _WORD.finditer(text))
    return [(a, b, w) for a, b, w in found if w not in STOPWORDS]


def splits_word(text: str, pos: int) -> bool:
    """Whether ``pos`` falls inside a run of word characters: cutting ``text`` there would make new
    words of the halves."""
    return (
        0 < pos < len(text)
        and _WORDCHAR.match(text, pos - 1) is not None
        and _WORDCHAR.match(text, pos) is not None
    )
