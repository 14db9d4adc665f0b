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

import re
import re._constants as c  # the parser's opcodes, stable since 3.11 (requires-python)
import re._parser as parser
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
    if chars is None:
        return pattern
    try:
        return re.compile(f"(?={chars})(?:{pattern.pattern})", pattern.flags)
    except re.error:  # global inline flags, "(?i)" at the start, must stay first
        return pattern
