"""Text helpers shared by the detectors: code masking, normalisation, the instruction allowlist.

Code spans do not count as evidence (docs/audit.md: an answer about tokenizers may legitimately print
``<|im_start|>``), so detectors scan :func:`mask_code` output, in which every character of a *closed*
fenced block or inline span is replaced by a space. Offsets therefore still point into the original
output, which keeps evidence spans exact. An unclosed fence is left visible on purpose: opening a fence
and never closing it would otherwise hide the rest of an output from every detector.
"""

from __future__ import annotations

import re
from functools import lru_cache

from harness.audit.canonical import canonical_text

_FENCE = re.compile(r"(?ms)^[ \t]*(`{3,}|~{3,})[^\n]*\n.*?^[ \t]*\1[ \t]*$")
_INLINE = re.compile(r"(?<!`)(`{1,2})(?!`)([^`\n]+?)(?<!`)\1(?!`)")


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


@lru_cache(maxsize=8192)
def mask_code(text: str) -> str:
    """``text`` with closed fenced blocks and inline code replaced by spaces (same length)."""
    if "`" not in text and "~~~" not in text:
        return text
    masked = _FENCE.sub(_blank, text) if ("```" in text or "~~~" in text) else text
    return _INLINE.sub(_blank, masked)


def normalize(text: str) -> str:
    """Canonical (NFKC, confusable skeleton, no invisible characters), lowercase, whitespace collapsed:
    the form in which texts are compared."""
    # str.split() splits on the characters \s matches (both are Py_UNICODE_ISSPACE): same as
    # collapsing \s+ to one space and stripping, without a regex call per span
    return " ".join(canonical_text(text).split()).lower()


def in_context(span: str, context_normalized: str) -> bool:
    """Whether ``span`` also occurs in the instruction or history (then it is not evidence)."""
    needle = normalize(span)
    return bool(needle) and needle in context_normalized


def locate(normalized_span: str, text: str) -> tuple[int, int] | None:
    """Map a span of :func:`normalize`'d text back to ``(start, end)`` in canonical ``text``."""
    words = normalized_span.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    m = re.search(pattern, text, re.IGNORECASE)
    return (m.start(), m.end()) if m else None
