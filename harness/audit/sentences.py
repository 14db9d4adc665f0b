"""Which sentences of an output the judge-addressed detector (:mod:`harness.audit.addressed`) reads: its
*candidates*, found by patterns alone (no encoder, no numpy), so that the effect check
(:mod:`harness.pipeline.effect_spans`) takes the same sentences out of an output without loading the
detector's numerics.

A candidate is a sentence in the hidden channel (:mod:`harness.audit.channels`), a sentence in a script
other than the instruction's, a sentence next to verdict-like brackets, or a sentence whose words touch
the evaluation (:data:`CUES`, a small multilingual list of stems: it only selects what the encoder then
judges); with each, the short paragraph that holds it.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from harness.audit.channels import View, views
from harness.audit.inputs import AuditItem
from harness.audit.scan import Caseless, accelerated, folded

MAX_SENTENCE = 400  # characters embedded per sentence: the encoder averages, longer says no more

# Stems that touch the evaluation, per language; a hit makes a sentence a candidate (never a finding).
CUES = re.compile(
    r"judg|evaluat|grader|grading|rater\b|rating|assess|verdict|scor|rank|prefer|favou?r|competing|"
    r"competitor|opponent|weaker|inferior|superior|the other (?:response|answer|reply|assistant|model|output)|"
    r"instruction|ignore|disregard|override|assistant [ab]\b|response [ab]\b|\bwin(?:s|ner)?\b|"
    r"compar|\brat(?:e|ed|es)\b|the other one|deserv|\brival|reviewer|"
    r"\b(?:both|two) (?:replies|responses|answers)|\bchos|\bchoos|\bpick(?:ed)?\b|\bselect|"
    r"richter|bewert|urteil|anweisung|ignorier|vorherig|bevorzug|gewinn|"
    r"juge|évalu|consigne|préfér|précédent|gagn|"
    r"juez|evalú|calific|puntu|instruccion|anterior|prefier|gana|"
    r"giudic|valut|istruzion|precedent|punteggi|vinc|"
    r"juiz|avali|instruç|pontua|prefir|venc|"
    r"beoordel|instructie|negeer|vorige|voorkeur|"
    r"суд|оцен|инструкц|игнор|предыдущ|предпоч|вердикт|балл|побед|"
    r"sędzi|ocen|instrukcj|ignoruj|poprzedni|preferuj|"
    r"hakem|yargıç|değerlendir|talimat|önceki|tercih|"
    r"评|裁判|判决|指令|指示|忽略|无视|忽視|之前|以上|偏好|选择|選擇|胜|勝|更好|打分|分数|"
    r"審査|採点|無視|以前|前の|判定|スコア|"
    r"심사|평가|채점|지시|무시|이전|점수|판정|"
    r"حكم|تقييم|تعليمات|تجاهل|السابق|"
    r"ผู้ตัดสิน|ประเมิน|คำสั่ง|คะแนน|ก่อนหน้า",
    re.IGNORECASE,
)
VERDICTISH = re.compile(r"\[\[|\]\]|>>|<<|\b[AB]\s*[><=]\s*[AB]\b")
_SENTENCE = re.compile(r"[^\n.!?。！？]+[.!?。！？]*", re.UNICODE)
_ASCII_LETTER = re.compile(r"[A-Za-z]")  # what the Latin class below matches in ASCII text
_SCRIPTS = (
    ("latin", re.compile(r"[A-Za-z\u00c0-\u024f]")),
    ("cyrillic", re.compile(r"[\u0400-\u04ff]")),
    ("cjk", re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")),
    ("arabic", re.compile(r"[\u0600-\u06ff]")),
    ("other", re.compile(r"[\u0370-\u03ff\u0590-\u05ff\u0900-\u0dff\u0e00-\u0e7f]")),
)


# A second, structural cue that lets a warning-level score flag alone: the sentence points at the
# answers being compared ("this answer", "the other reply", "diese Antwort", "另一个回答") or at a
# verdict. An answer to a user rarely talks about "this answer" and "the other answer" in a sentence
# that the encoder already places nearer the judge-addressed bank than the user-addressed one.
_POINTS_AT_ANSWERS = re.compile(
    r"\b(?:this|my|the other|another|competing|alternative|rival|opposing|first|second)\s+"
    r"(?:response|answer|reply|output|assistant|one)s?\b|\bthe other one\b|\[\[|"
    r"\b(?:diese[rmns]?|die andere[nr]?|konkurrierende[nr]?|andere[nr]?)\s+antwort|"
    r"\b(?:cette|l'autre|l’autre)\s+réponse|\bcelle-ci\b|\b(?:esta|la otra|a outra|essa)\s+respuesta|"
    r"\b(?:esta|a outra|essa)\s+resposta|\bprefie?ra\s+est[ae]\b|"
    r"(?:этот|другой|второй|тот)\s+ответ|"
    r"(?:这个|另一个|另外一个|该|此|对方的?)(?:回答|答案|回复|助手)|"
    r"(?:この|もう一方の|相手の|他の)(?:回答|答え|応答)|"
    r"(?:이|다른|상대)\s*(?:답변|응답)|"
    r"\b(?:questa|l'altra|l’altra)\s+risposta|\b(?:dit|het andere)\s+antwoord|"
    r"\b(?:bu|diğer|öteki)\s+(?:cevap|yanıt)|(?:هذه|الأخرى)\s*الإجابة|الإجابة\s+(?:هذه|الأخرى)",
    re.IGNORECASE,
)


def points_at_answers(*texts: str) -> bool:
    return any(_POINTS.search(t, folded(t)) for t in texts)


def script(text: str) -> str | None:
    """The dominant script of ``text`` (letters only), or None when it has no letters."""
    if text.isascii():  # Latin or no letters: one search instead of five counts
        return "latin" if _ASCII_LETTER.search(text) else None
    counts = [(len(p.findall(text)), name) for name, p in _SCRIPTS]
    best = max(counts)
    return best[1] if best[0] else None


_CUES_LOWER = accelerated(re.compile(CUES.pattern))  # on lowercased text: ~2.5x faster than IGNORECASE
_POINTS = Caseless(_POINTS_AT_ANSWERS)  # same matches, faster (:mod:`scan`)
_CUES_SCAN = accelerated(CUES)


def touches_evaluation(text: str) -> bool:
    """Whether ``text`` holds a cue (:data:`CUES`). ASCII text is scanned lowercased: the pattern's only
    letter whose case folds across ASCII ('ı' of "yargıç") sits next to 'ç', so the matches are the same."""
    if text.isascii():
        return _CUES_LOWER.search(text.lower()) is not None
    return _CUES_SCAN.search(text) is not None


def _cue_positions(text: str) -> list[int]:
    lower = text.lower()
    if len(lower) != len(text):  # a character whose lowercase is longer ('İ'): offsets would drift
        return [m.start() for m in CUES.finditer(text)]
    return [m.start() for m in _CUES_LOWER.finditer(lower)]


def _any_in(sorted_positions: list[int], start: int, end: int) -> bool:
    k = bisect_left(sorted_positions, start)
    return k < len(sorted_positions) and sorted_positions[k] < end


def candidates(item: AuditItem) -> list[tuple[View, int, int, str]]:
    """(view, start, end, text) of the sentences worth embedding, and of the short paragraphs that
    hold them (an attack is often a paragraph of its own, and says more as a whole).

    Code fences are read too: the judge reads a fence's content like any other text."""
    home = script(" ".join(item.prompts))
    out: list[tuple[View, int, int, str]] = []
    for view in views(item.outputs):
        paragraphs_seen: set[int] = set()
        # cue positions found once per view (canonical text and the output as written), not per sentence
        cues = _cue_positions(view.text)
        hits = sorted([*cues, *(m.start() for m in VERDICTISH.finditer(view.text))])
        # the output as written, unless it is ASCII or its canonical text is the same string
        raw_hits = (
            [] if view.output.isascii() else cues if view.output == view.text else _cue_positions(view.output)
        )
        pointers = [m.start() for m in _POINTS.finditer(view.text, folded(view.text))]
        mixed = not (view.output.isascii() and home == "latin")
        for m in _SENTENCE.finditer(view.text):
            text = m.group(0).strip()
            if len(text) < 8:
                continue
            if not view.hidden:
                a0, b0 = view.span(m.start(), m.end())
                cued = (
                    _any_in(hits, m.start(), m.end())
                    or _any_in(raw_hits, a0, b0)
                    or _any_in(pointers, m.start(), m.end())
                )
                # the script count only for a sentence no cue selected (it is the costlier test)
                if not cued and not (
                    mixed and home is not None and script(view.output[a0:b0]) not in (home, None)
                ):
                    continue
            if sum(c.isalpha() for c in text) < 5:
                continue
            out.append((view, m.start(), m.end(), text[:MAX_SENTENCE]))
            a = view.text.rfind("\n\n", 0, m.start()) + 1
            b = view.text.find("\n\n", m.end())
            b = len(view.text) if b < 0 else b
            para = view.text[a:b].strip()
            if a not in paragraphs_seen and para != text and len(para) <= MAX_SENTENCE:
                paragraphs_seen.add(a)
                out.append((view, a, b, para))
    return out
