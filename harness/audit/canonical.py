"""Canonical text: what the detectors read, whatever spelling an attack chose (issue 13, part 1).

A judge model reads ``Му fіnаl vеrdісt іs`` written in Cyrillic look-alikes, ``｜im_start｜`` in
fullwidth forms, or ``<|im_\u200bstart|>`` split by a zero-width space as the text they imitate; a
detector matching code points does not. So every detector scans the canonical form:

1. zero-width characters, bidi controls, Unicode tag characters and variation selectors (format
   characters, category Cf) are removed: they change nothing a reader or a judge sees;
2. each remaining character is NFKC-folded (fullwidth and compatibility forms to their plain form);
3. a non-ASCII character that Unicode TS #39 lists as confusable with an ASCII character becomes that
   character (the skeleton). The confusables data comes from ``confusable-homoglyphs``, which ships
   the Unicode consortium's ``confusables.txt``; no hand table.

The transformation is per character, so :class:`Canonical` keeps, for every canonical character, the
offset of the original character it came from: evidence spans still point into the output as written.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from confusable_homoglyphs.confusables import confusables_data

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_KEEP_FORMAT = {"\u00ad"}  # soft hyphen: Cf, but rendered at line ends; harmless either way
# Where the confusables data and the glyph disagree: the Cyrillic palochka is a dotless vertical stroke
# (its capital, U+04C0, is listed as ``l``), yet TS #39 lists the small letter under ``i``. A disguise
# writes ``ӏ`` for ``l`` ("ӏеss", "Dӏa"); folding it to ``i`` broke every word with an ``l`` in it.
# Greek and Cyrillic letters drawn like a Latin one that the data leaves out (it lists what it is sure
# of): "tєχt", "κey", "ηot" are read as Latin words. Only letters without such a listing get one here.
_GLYPH = {
    "\u04cf": "l",
    "κ": "k",
    "η": "n",
    "є": "e",
    "χ": "x",
    "ι": "i",
    "γ": "y",
    "ѵ": "v",
    "τ": "t",
    "ϲ": "c",
}


def _rank(candidate: str, char: str, forms: list[str]) -> tuple[int, int]:
    same_case = candidate.isalpha() and candidate.isupper() == char.isupper()
    return (0 if same_case else 1 if candidate.isalpha() else 2, forms.index(candidate))


@lru_cache(maxsize=1)
def skeleton_table() -> dict[str, str]:
    """Non-ASCII character -> the ASCII character it is confusable with (TS #39 confusables).

    Where a character has several ASCII look-alikes, a letter of the same case wins, then any letter,
    then the first listed (``ⅼ`` is an ``l`` before it is a ``1``)."""
    table: dict[str, str] = {}
    for char, entries in confusables_data.items():
        if len(char) != 1 or char.isascii():
            continue
        ascii_forms = [
            e["c"] for e in entries if len(e["c"]) == 1 and e["c"].isascii() and e["c"].isprintable()
        ]
        if not ascii_forms:
            continue

        ranked = sorted((_rank(c, char, ascii_forms), c) for c in ascii_forms)
        table[char] = ranked[0][1]
    table.update({c: a for c, a in _GLYPH.items() if c not in table or c == "\u04cf"})
    return table


@lru_cache(maxsize=65536)
def fold_char(ch: str) -> str:
    """The canonical form of one non-ASCII character ('' when it is invisible)."""
    if unicodedata.category(ch) == "Cf" and ch not in _KEEP_FORMAT:
        return ""
    if "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef":  # variation selectors
        return ""
    folded = unicodedata.normalize("NFKC", ch)
    table = skeleton_table()
    return "".join(table.get(c, c) for c in folded)


@dataclass(frozen=True)
class Canonical:
    """Canonical ``text`` of ``original``; ``starts[k]`` is where the k-th changed piece begins.

    ``pieces`` lists ``(canonical offset, original offset)`` at every point where the two drift apart,
    so mapping an offset back is a bisection (ASCII text has no pieces at all)."""

    original: str
    text: str
    pieces: tuple[tuple[int, int], ...] = ()

    def origin(self, pos: int) -> int:
        """Offset in ``original`` of canonical offset ``pos``."""
        if not self.pieces:
            return min(pos, len(self.original))
        k = bisect_right(self.pieces, (pos, len(self.original) + 1)) - 1
        if k < 0:
            return pos
        c, o = self.pieces[k]
        return min(o + (pos - c), len(self.original))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """``(start, end)`` in ``original`` of the canonical span ``[start, end)``."""
        a = self.origin(start)
        b = self.origin(end) if end > start else a
        return a, max(b, a)


@lru_cache(maxsize=16384)
def canonical(text: str) -> Canonical:
    """The canonical form of ``text`` with its offset map (cached: every detector asks for it)."""
    if text.isascii():
        return Canonical(text, text)
    out: list[str] = []
    pieces: list[tuple[int, int]] = []
    pos = 0  # next original offset not yet copied
    length = 0  # canonical length so far
    for m in _NON_ASCII.finditer(text):
        i = m.start()
        ch = m.group(0)
        folded = fold_char(ch)
        if folded == ch:
            continue
        out.append(text[pos:i])
        length += i - pos
        out.append(folded)
        # the folded piece maps to the original character; what follows it maps 1:1 again
        pieces.append((length, i))
        length += len(folded)
        pieces.append((length, i + 1))
        pos = i + 1
    if not pieces:
        return Canonical(text, text)
    out.append(text[pos:])
    return Canonical(text, "".join(out), tuple(pieces))


def canonical_text(text: str) -> str:
    return canonical(text).text


_WORDS = re.compile(r"[^\W\d_]{5,}")
DISGUISED_WORDS = 3  # distinct words of this many: a disguise, not a formula ("cosθᵢ", "TΔSfib")


@lru_cache(maxsize=4096)
def _script(ch: str) -> str:
    if unicodedata.category(ch) == "Lm":  # modifier and subscript letters ("ᵢ") belong to formulas
        return ""
    name = unicodedata.name(ch, "")
    return (
        "latin"
        if name.startswith("LATIN")
        else "look-alike"
        if name.startswith(("CYRILLIC", "GREEK"))
        else ""
    )


def disguised_words(text: str) -> list[re.Match[str]]:
    """Words with a Greek or Cyrillic letter between two Latin ones ("prοducеd"), one per distinct word.

    TS #39 lists the confusables it is sure of; a disguise may use letters it does not list (``κ``, ``η``,
    ``є``). A Latin word with a foreign letter *inside* it is the mixed-script signal itself (TS #39,
    section 5), whatever the letter; Greek in formulas sits at a word's edge (``cosθ``, ``Δx``)."""
    if text.isascii():
        return []
    seen: dict[str, re.Match[str]] = {}
    for m in _WORDS.finditer(text):
        word = m.group(0)
        if word.isascii() or word in seen:
            continue
        kinds = [_script(c) for c in word]
        if any(
            kinds[i] == "look-alike" and kinds[i - 1] == "latin" and kinds[i + 1] == "latin"
            for i in range(1, len(word) - 1)
        ):
            seen[word] = m
    return list(seen.values())
