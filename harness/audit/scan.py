"""Faster scans with the detectors' long multilingual patterns, matching exactly what they match.

Python's regex engine tries every alternative of a pattern at every position of the text. It skips
ahead with a fast character-set test only when the pattern starts with a plain literal or a character
class, and never for a case-insensitive pattern with cased letters (``re._compiler._get_charset_prefix``),
which is what the detectors' cue lists are: ``\\b(?:this|my|the other|...)`` in twenty languages, tried
branch by branch at each of the ~1.6 M characters of 805 answers.

:func:`accelerated` puts a lookahead for the pattern's possible *first characters* in front of it,
``(?=[tmacr...])(?:pattern)``, compiled with the same flags (so the class is case-insensitive exactly
when the pattern is). A match must start with one of those characters, so the lookahead never rejects a
position where the pattern matches: same matches, same spans, same groups; at the other positions one
set test replaces the alternatives (measured 2-3x faster on the D10 cue lists). A pattern whose first
character cannot be bounded (it may start with any character or match the empty string, or sets local
flags) is returned unchanged.
"""

from __future__ import annotations

import _sre
import re
import re._casefix as _casefix  # the extra case folds of IGNORECASE, stable since 3.11
import re._constants as c  # the parser's opcodes, stable since 3.11 (requires-python)
import re._parser as parser
from collections.abc import Iterator
from typing import Any

_ANY = None  # the first character is unbounded


def _first_seq(items: list[tuple[Any, Any]]) -> tuple[list[tuple[Any, Any]] | None, bool]:
    """(set items of the possible first characters, whether the sequence can match empty)."""
    acc: list[tuple[Any, Any]] = []
    for op, av in items:
        first, empty = _first(op, av)
        if first is _ANY:
            return _ANY, False
        acc += first
        if not empty:
            return acc, False
    return acc, True


def _first(op: Any, av: Any) -> tuple[list[tuple[Any, Any]] | None, bool]:
    if op is c.LITERAL:
        return [(op, av)], False
    if op is c.IN:
        if any(o is c.NEGATE or o is c.CATEGORY for o, _ in av):
            return _ANY, False  # a negated set or \w, \s...: (nearly) any character, no gain
        return list(av), False
    if op is c.AT or op is c.ASSERT or op is c.ASSERT_NOT:
        return [], True  # zero width: the first character comes after it
    if op is c.SUBPATTERN:
        _, add_flags, del_flags, sub = av
        return (_ANY, False) if add_flags or del_flags else _first_seq(list(sub))
    if op is c.ATOMIC_GROUP:
        return _first_seq(list(av))
    if op is c.BRANCH:
        acc: list[tuple[Any, Any]] = []
        empty = False
        for alternative in av[1]:
            first, alt_empty = _first_seq(list(alternative))
            if first is _ANY:
                return _ANY, False
            acc += first
            empty = empty or alt_empty
        return acc, empty
    if op is c.MAX_REPEAT or op is c.MIN_REPEAT or op is c.POSSESSIVE_REPEAT:
        low, _, sub = av
        first, empty = _first_seq(list(sub))
        return (_ANY, False) if first is _ANY else (first, empty or low == 0)
    return _ANY, False  # ANY, NOT_LITERAL, a back-reference, a conditional group


def first_characters(pattern: re.Pattern[str]) -> str | None:
    """A character class (``[...]``) holding every character a match of ``pattern`` can start with,
    to be compiled with the pattern's flags; None when there is no useful bound."""
    if not isinstance(pattern.pattern, str) or pattern.flags & re.VERBOSE:
        return None
    try:
        first, empty = _first_seq(list(parser.parse(pattern.pattern, pattern.flags)))
    except (re.error, AssertionError, TypeError, ValueError):
        return None
    if first is _ANY or empty or not first:
        return None
    parts: dict[str, None] = {}
    for op, av in first:
        if op is c.LITERAL:
            parts[re.escape(chr(av))] = None
        elif op is c.RANGE:
            lo, hi = av
            parts[f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"] = None
        else:
            return None
    return "[" + "".join(parts) + "]"


def accelerated(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` behind a lookahead for its first characters (same matches, faster scans), or
    ``pattern`` itself when its first character cannot be bounded."""
    chars = first_characters(pattern)
    if chars is None or pattern.pattern.startswith(f"(?={chars})"):  # none, or accelerated already
        return pattern
    try:
        return re.compile(f"(?={chars})(?:{pattern.pattern})", pattern.flags)
    except re.error:  # global inline flags, "(?i)" at the start, must stay first
        return pattern


# Case folds that ``re.IGNORECASE`` applies beyond lowercasing ("s" ~ "ſ", "i" ~ "ı", "σ" ~ "ς", ...):
# their non-ASCII members, and the final sigma, which ``str.lower`` lowers by its context.
_FOLDS = frozenset(chr(c) for k, v in _casefix._EXTRA_CASES.items() for c in (k, *v) if c > 0x7F) | {"Σ"}
_PLAIN: dict[str, bool] = {}
# the non-ASCII characters IGNORECASE folds together with an ASCII letter ("ı" ~ "i", "ſ" ~ "s")
_ASCII_FOLDS = {
    chr(x): chr(min(k, *v))
    for k, v in _casefix._EXTRA_CASES.items()
    for x in (k, *v)
    if x > 0x7F and min(k, *v) < 0x80
}


def _plain(ch: str) -> bool:
    """Whether ``ch`` matches a lowercase pattern character under IGNORECASE exactly when ``ch.lower()``
    equals it: one lowercase character, the regex engine's own, no extra fold, and the same \\w, \\d and
    \\s classes as its lowercase."""
    low = ch.lower()
    return (
        ch not in _FOLDS
        and len(low) == 1
        and low not in _FOLDS
        and ord(low) == _sre.unicode_tolower(ord(ch))
        and (ch.isalnum(), ch.isdecimal(), ch.isspace()) == (low.isalnum(), low.isdecimal(), low.isspace())
    )


def folded(text: str) -> str | None:
    """``text.lower()`` when a :class:`Caseless` pattern finds the same matches in it as the
    case-insensitive pattern in ``text`` (every character :func:`_plain`), else None."""
    if not text.isascii():
        for ch in set(text):
            ok = _PLAIN.get(ch)
            if ok is None:
                ok = _PLAIN[ch] = _plain(ch)
            if not ok:
                return None
    return text.lower()


def _caseless_items(items: Any) -> bool:
    """Whether a parsed pattern matches a :func:`folded` text case-sensitively as it matches the
    original text case-insensitively: lowercase literals with no extra fold, ranges of lowercase ASCII,
    digits or caseless characters, no back-references or local flags."""

    def literal(code: int) -> bool:
        ch = chr(code)
        return code == _sre.unicode_tolower(code) and ch not in _ASCII_FOLDS  # others: not in the text

    for op, av in items:
        if op is c.LITERAL or op is c.NOT_LITERAL:
            if not literal(av):
                return False
        elif op is c.IN:
            for iop, iav in av:
                if iop is c.LITERAL and not literal(iav):
                    return False
                if iop is c.RANGE:
                    lo, hi = iav
                    in_ascii = (0x61 <= lo and hi <= 0x7A) or (0x30 <= lo and hi <= 0x39)
                    if not in_ascii and any(
                        chr(x).lower() != chr(x) or chr(x).upper() != chr(x) for x in range(lo, hi + 1)
                    ):
                        return False
                if iop not in (c.LITERAL, c.RANGE, c.CATEGORY, c.NEGATE):
                    return False
        elif op is c.SUBPATTERN:
            _, add_flags, del_flags, sub = av
            if add_flags or del_flags or not _caseless_items(sub):
                return False
        elif op is c.BRANCH:
            if not all(_caseless_items(alt) for alt in av[1]):
                return False
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            if not _caseless_items(av[2]):
                return False
        elif op in (c.ASSERT, c.ASSERT_NOT):
            if not _caseless_items(av[1]):
                return False
        elif op is c.ATOMIC_GROUP:
            if not _caseless_items(av):
                return False
        elif op not in (c.AT, c.ANY):
            return False
    return True


def _same_but_case(a: Any, b: Any) -> bool:
    """Whether two parsed patterns are the same but for literals that ``b`` writes in lowercase (under
    IGNORECASE the engine lowercases every literal itself: both match the same)."""
    a, b = list(a), list(b)
    if len(a) != len(b):
        return False
    for (op, av), (op_b, av_b) in zip(a, b, strict=True):
        if op is not op_b:
            return False
        if op is c.LITERAL or op is c.NOT_LITERAL:
            if av_b != av and av_b != _sre.unicode_tolower(av):
                return False
        elif op is c.IN:
            if not _same_but_case(av, av_b):
                return False
        elif op is c.SUBPATTERN:
            if av[:3] != av_b[:3] or not _same_but_case(av[3], av_b[3]):
                return False
        elif op is c.BRANCH:
            if len(av[1]) != len(av_b[1]) or not all(map(_same_but_case, av[1], av_b[1])):
                return False
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT, c.ASSERT, c.ASSERT_NOT):
            if av[:-1] != av_b[:-1] or not _same_but_case(av[-1], av_b[-1]):
                return False
        elif op is c.ATOMIC_GROUP:
            if not _same_but_case(av, av_b):
                return False
        elif av != av_b:
            return False
    return True


def _lowercase_literals(source: str, flags: int) -> str:
    """``source`` with its literal letters lowercased (escapes kept), when that provably matches the
    same under ``flags`` (IGNORECASE), else ``source``."""
    out, k = [], 0
    while k < len(source):
        if source[k] == "\\":
            out.append(source[k : k + 2])
            k += 2
            continue
        low = source[k].lower()
        out.append(low if len(low) == 1 else source[k])
        k += 1
    lowered = "".join(out)
    if lowered == source:
        return source
    try:
        same = _same_but_case(parser.parse(source, flags), parser.parse(lowered, flags))
    except (re.error, AssertionError, TypeError, ValueError):
        return source
    return lowered if same else source


class Caseless:
    """A case-insensitive pattern that scans a :func:`folded` text case-sensitively when that finds the
    same matches (measured 2-3x faster: the engine skips a literal-first alternative with one character
    test only when it is case-sensitive), and the text as written otherwise. The matches' *positions*
    are those of the original pattern; their text may be lowercased: slice the original text."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = accelerated(pattern)
        self.lower: re.Pattern[str] | None = None
        flags = pattern.flags
        if not flags & re.IGNORECASE:
            return
        # "Model Outputs" is "model outputs" to IGNORECASE; "ı" matches "i" and "I", and a folded text
        # (which has no "ı") writes both "i"
        source = _lowercase_literals(pattern.pattern, flags)
        for fold, ascii_letter in _ASCII_FOLDS.items():
            if f"{fold}-" in source or f"-{fold}" in source:  # a range bound: keep the original scan
                return
            source = source.replace(fold, ascii_letter)
        if flags & re.IGNORECASE and not flags & (re.ASCII | re.LOCALE | re.VERBOSE):
            try:
                ok = _caseless_items(list(parser.parse(source, flags)))
            except (re.error, AssertionError, TypeError, ValueError):
                ok = False
            if ok:
                self.lower = accelerated(re.compile(source, flags & ~re.IGNORECASE))

    def finditer(self, text: str, low: str | None) -> Iterator[re.Match[str]]:
        """Matches in ``text``; ``low`` is ``folded(text)`` (None: scan ``text`` as written)."""
        if low is not None and self.lower is not None:
            return self.lower.finditer(low)
        return self.pattern.finditer(text)

    def search(self, text: str, low: str | None) -> re.Match[str] | None:
        if low is not None and self.lower is not None:
            return self.lower.search(low)
        return self.pattern.search(text)
