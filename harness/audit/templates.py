"""The active judge's template text, read at run time, and the index mimicry searches it with.

Why template-derived and not only a marker list: the paper's escapes reproduce the *structure* of
whichever template is in use, and a private or paraphrased template has markers no list knows
(docs/audit.md, D3b). So the audit takes the template text itself (``--judge-template`` or the upstream
files), drops the placeholders, and looks for long verbatim overlaps, reproduced template lines, and
the *slot closer*: the text that follows an output placeholder, which an escape has to write to leave
its slot. Accepted files: plain text/markdown/jinja (the whole file is the template), YAML with
``prompt_template``/``system_prompt`` (Arena-Hard), JSON/JSONL rows with the same keys (MT-Bench).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.audit.text import normalize
from harness.errors import BadInput

PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{\$?[A-Za-z_][A-Za-z0-9_]*\}")
_OUTPUT_SLOT = re.compile(r"answer|output|response|candidate|completion", re.IGNORECASE)
_TEXT_SUFFIXES = {".txt", ".md", ".jinja", ".j2", ".tmpl"}
MIN_LINE_ALNUM = 4  # template lines with fewer letters/digits ("{", "},") are not evidence
MIN_CLOSER_LETTERS = 6  # "### User:" is a role header a chat answer may write; "<|end_of_response|>" is not
GRAM = 20  # k of the k-gram index; any common substring >= 2*GRAM is found exactly


@dataclass(frozen=True)
class Template:
    source: str
    text: str


def _from_mapping(row: dict[str, Any], source: str) -> list[Template]:
    found = []
    for key in ("system_prompt", "prompt_template", "template"):
        value = row.get(key)
        values = value if isinstance(value, list) else [value]
        found += [Template(f"{source}#{key}", v) for v in values if isinstance(v, str) and v.strip()]
    return found


def load_templates(paths: Iterable[Path]) -> list[Template]:
    """Every template text in ``paths`` (files or directories, recursively)."""
    out: list[Template] = []
    for path in paths:
        if path.is_dir():
            accepted = _TEXT_SUFFIXES | {".yaml", ".yml", ".json", ".jsonl"}
            out += load_templates(sorted(p for p in path.rglob("*") if p.suffix.lower() in accepted))
            continue
        try:
            raw = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInput(str(path), f"cannot read judge template: {exc}") from None
        suffix = path.suffix.lower()
        if suffix in _TEXT_SUFFIXES:
            out.append(Template(str(path), raw))
        elif suffix in {".yaml", ".yml"}:
            import yaml

            try:
                doc = yaml.safe_load(raw)
            except yaml.YAMLError as exc:
                raise BadInput(str(path), f"not YAML: {exc}") from None
            if isinstance(doc, dict):
                out += _from_mapping(doc, str(path))
        elif suffix in {".json", ".jsonl"}:
            rows: list[Any] = []
            try:
                rows = (
                    [json.loads(x) for x in raw.split("\n") if x.strip()]
                    if suffix == ".jsonl"
                    else [json.loads(raw)]
                )
            except json.JSONDecodeError as exc:
                raise BadInput(str(path), f"not JSON: {exc.msg}") from None
            for row in rows:
                for r in row if isinstance(row, list) else [row]:
                    if isinstance(r, dict):
                        out += _from_mapping(r, str(path))
    return out


@dataclass
class TemplateIndex:
    """Normalised template segments with a k-gram index, their lines, and their slot closers."""

    segments: list[str] = field(default_factory=list)
    lines: set[str] = field(default_factory=set)
    closers: set[str] = field(default_factory=set)
    grams: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.segments

    @classmethod
    def build(cls, templates: Iterable[Template]) -> TemplateIndex:
        index = cls()
        for tpl in templates:
            pieces = PLACEHOLDER.split(tpl.text)
            for piece in pieces:
                seg = normalize(piece)
                if len(seg) >= GRAM:
                    index.segments.append(seg)
                for line in piece.splitlines():
                    norm = normalize(line)
                    if sum(c.isalnum() for c in norm) >= MIN_LINE_ALNUM:
                        index.lines.add(norm)
            for m in PLACEHOLDER.finditer(tpl.text):
                if _OUTPUT_SLOT.search(m.group(0)):
                    after = tpl.text[m.end() :].lstrip()
                    closer = normalize(after.split("\n", 1)[0]) if after else ""
                    if sum(c.isalpha() for c in closer) >= MIN_CLOSER_LETTERS:
                        index.closers.add(closer)
        for s, seg in enumerate(index.segments):
            for i in range(len(seg) - GRAM + 1):
                index.grams.setdefault(seg[i : i + GRAM], []).append((s, i))
        return index

    def longest_common(self, text: str) -> tuple[int, int]:
        """(length, start in ``text``) of the longest substring shared with a template segment.

        ``text`` must already be normalised. Probing every ``GRAM``-th position finds every common
        substring of length >= 2*GRAM - 1 (one probe lies wholly inside it); each hit is extended both
        ways to its exact length.
        """
        best = (0, 0)
        for p in range(0, max(len(text) - GRAM + 1, 0), GRAM):
            for s, i in self.grams.get(text[p : p + GRAM], ()):
                seg = self.segments[s]
                a, b = p, i
                while a > 0 and b > 0 and text[a - 1] == seg[b - 1]:
                    a, b = a - 1, b - 1
                e, f = p + GRAM, i + GRAM
                while e < len(text) and f < len(seg) and text[e] == seg[f]:
                    e, f = e + 1, f + 1
                if e - a > best[0]:
                    best = (e - a, a)
        return best
