"""The non-answer text of an output: the spans the effect check (:mod:`harness.pipeline.effect`) removes.

Three sources, most telling first: the evidence of the static audit's findings, the hidden channel
(:mod:`harness.audit.channels`: comments, link references, invisible elements, encodings) and the
candidate sentences of :mod:`harness.audit.sentences` (cue words, verdict labels, foreign script),
then *isolated text*, found without any signature: paragraphs, and the outermost sentences, that share
no content word with the instruction nor with the rest of the answer. Every span is mapped to the
output as written, so removing it (:func:`ablate`) leaves the rest exactly as the judge saw it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from harness.audit.channels import views
from harness.audit.findings import Finding
from harness.audit.inputs import AuditItem
from harness.audit.sentences import candidates
from harness.audit.text import mask_code
from harness.audit.words import content_word_spans, content_words, splits_word

MAX_REMOVED = 0.6  # spans covering more of an output than this are the answer itself: not checkable


@dataclass(frozen=True)
class Span:
    """Text to remove from one turn of the output as written: ``turns[turn][start:end]``."""

    turn: int
    start: int
    end: int
    kind: str


def merged_length(spans: Sequence[Span]) -> int:
    total, last = 0, (-1, -1)
    for s in sorted(spans, key=lambda s: (s.turn, s.start)):
        if s.turn == last[0] and s.start < last[1]:
            total += max(0, s.end - last[1])
            last = (s.turn, max(last[1], s.end))
        else:
            total += s.end - s.start
            last = (s.turn, s.end)
    return total


_BLOCK = re.compile(r"\S(?:.*?\S)?(?=[ \t]*\n[ \t]*\n|\s*\Z)", re.DOTALL)
_SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]*")
MAX_ISOLATED = 0.25  # isolated text beyond this share of the output is not a part that stands out
MIN_WORDS = 3  # fewer content words: too short to say anything ("Thanks!"), left alone


def _stems(text: str) -> set[str]:
    return {w[:5] for w in content_words(text)}


def _piece_stems(masked: str, a: int, b: int, words: list[tuple[int, int, str]],
                 starts: list[int], counts: Counter[str]) -> tuple[set[str], set[str]]:  # fmt: skip
    """The stems of ``masked[a:b]`` and of the text around it (``masked[:a] + " " + masked[b:]``),
    counted from the text's one list of ``words`` (their ``starts``, the stems' ``counts``) instead of
    scanning the whole text again for each piece; a piece that cuts a word is scanned as written."""
    if splits_word(masked, a) or splits_word(masked, b):
        return _stems(masked[a:b]), _stems(masked[:a] + " " + masked[b:])
    inside = Counter(w[:5] for _, _, w in words[bisect_left(starts, a) : bisect_left(starts, b)])
    return set(inside), {stem for stem, n in counts.items() if n > inside[stem]}


def isolated_spans(item: AuditItem) -> list[Span]:
    """Paragraphs, and the first and last sentences of an output, that share no content word (prefix-
    matched to 5 letters) with the instruction nor with the rest of the answer: text that answers
    nothing that was asked and belongs to nothing else that was said. No signature is involved, so
    an appeal in words no detector knows is found too; closed code is not looked at."""
    asked = _stems(" ".join((*item.prompts, item.history)))
    found: list[Span] = []
    for turn, text in enumerate(item.outputs):
        masked = mask_code(text)
        blocks = [(m.start(), m.end()) for m in _BLOCK.finditer(masked)]
        pieces = list(blocks)
        if blocks:  # the outermost sentences: where an appended or prepended appeal sits
            first = _SENTENCE.search(masked, blocks[0][0], blocks[0][1])
            last = list(_SENTENCE.finditer(masked, blocks[-1][0], blocks[-1][1]))
            pieces += [(m.start(), m.end()) for m in [first, *last[-1:]] if m is not None]
        words = content_word_spans(masked)
        starts, counts = [w[0] for w in words], Counter(w[:5] for _, _, w in words)
        for a, b in sorted(set(pieces)):
            mine, rest = _piece_stems(masked, a, b, words, starts, counts)
            if len(mine) >= MIN_WORDS and not mine & (asked | rest):
                found.append(Span(turn, a, b, "isolated text"))
    if merged_length(found) > MAX_ISOLATED * (sum(len(t) for t in item.outputs) or 1):
        return []  # a quarter of the answer or more unrelated to the rest: no part stands out
    return found


def spans_for(item: AuditItem, findings: Sequence[Finding]) -> list[Span]:
    """The non-answer spans of one item, most telling first: flagged findings' evidence, hidden text,
    warned findings' evidence, candidate sentences (cues, verdict labels, foreign script), then isolated
    text (:func:`isolated_spans`). A span
    longer than ``MAX_REMOVED`` of its turn is left out (it is the answer, not a part of it), and spans
    are taken in order while all together remove at most ``MAX_REMOVED`` of the output."""
    lengths = [len(t) for t in item.outputs]
    found: list[Span] = []
    for severity in ("flag", "warn"):
        for f in findings:
            if f.severity == severity and f.evidence is not None and f.evidence.end > f.evidence.start:
                found.append(Span(f.evidence.turn, f.evidence.start, f.evidence.end, f.detector))
        if severity == "flag":
            for view in views(item.outputs):
                for seg in view.segments if view.hidden else ():
                    a, b = view.source.span(seg.start, seg.end)
                    found.append(Span(view.turn, a, b, f"hidden text ({seg.kind})"))
    sentences = [(view, view.span(a, b)) for view, a, b, _ in candidates(item) if not view.hidden]
    for view, (a, b) in sentences:  # sentences only: a paragraph holding another candidate is left out
        if not any(v.turn == view.turn and (c, d) != (a, b) and a <= c and d <= b for v, (c, d) in sentences):
            found.append(Span(view.turn, a, b, "candidate sentence"))
    found += isolated_spans(item)
    total = sum(lengths) or 1
    kept: list[Span] = []
    for span in found:
        if not 0 <= span.turn < len(lengths) or span.end - span.start > MAX_REMOVED * lengths[span.turn]:
            continue
        if (span.turn, span.start, span.end) in {(k.turn, k.start, k.end) for k in kept}:
            continue
        if merged_length([*kept, span]) <= MAX_REMOVED * total:
            kept.append(span)
    return kept


def ablate(turns: Sequence[str], spans: Sequence[Span]) -> list[str]:
    """The output with every span removed (a removed span leaves one space, so words do not join)."""
    out = []
    for turn, text in enumerate(turns):
        cuts = sorted((s.start, s.end) for s in spans if s.turn == turn)
        parts, pos = [], 0
        for start, end in cuts:
            if end <= pos:
                continue
            parts.append(text[pos : max(start, pos)])
            parts.append(" ")
            pos = end
        parts.append(text[pos:])
        out.append("".join(parts).strip())
    return out


CONTROL_SLACK = 0.25  # a control run this close in length to the removed text counts as comparable


def _ordinary(turns: Sequence[str], spans: Sequence[Span]) -> list[Span]:
    """The sentences of the output that no span touches: the answer text a control may remove."""
    out = []
    for turn, text in enumerate(turns):
        cuts = [(s.start, s.end) for s in spans if s.turn == turn]
        for m in _SENTENCE.finditer(text):
            a, b = m.start(), m.end()
            while a < b and text[a].isspace():
                a += 1
            if a < b and any(c.isalnum() for c in text[a:b]) and not any(a < d and c < b for c, d in cuts):
                out.append(Span(turn, a, b, "control"))
    return out


def control_spans(turns: Sequence[str], spans: Sequence[Span]) -> list[Span]:
    """Ordinary answer sentences of about the length the spans cover, for the control of the effect check:
    a judge whose verdict falls when *these* are removed is sensitive to any removal, not to the spans.

    Deterministic: of the runs of consecutive untouched sentences (one turn), those within
    ``CONTROL_SLACK`` of the target length (the spans' length, at most half the untouched text, so the
    answer is never emptied), the run nearest the first (most telling) span; when none is that close,
    the run closest in length. Empty when the output has no untouched sentence."""
    ordinary = _ordinary(turns, spans)
    pool = sum(s.end - s.start for s in ordinary)
    target = min(merged_length(spans), pool // 2)
    if not ordinary or target <= 0:
        return []
    anchor = spans[0] if spans else Span(0, 0, 0, "")
    runs: list[tuple[int, int, list[Span]]] = []
    for i, first in enumerate(ordinary):
        length = 0
        for j in range(i, len(ordinary)):
            if ordinary[j].turn != first.turn:
                break
            length += ordinary[j].end - ordinary[j].start
            run = ordinary[i : j + 1]
            far = max(anchor.start - run[-1].end, run[0].start - anchor.end, 0)
            runs.append((abs(length - target), far if first.turn == anchor.turn else 1 << 30, run))
            if length >= target:
                break
    close = [r for r in runs if r[0] <= CONTROL_SLACK * target]
    best = min(close, key=lambda r: r[1]) if close else min(runs, key=lambda r: (r[0], r[1]))
    return best[2]
