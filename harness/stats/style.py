"""Markdown/style features of answers and the Arena-Hard style-control covariates.

Counts follow ``add_markdown_info.py`` of lmarena/arena-hard-auto (v0.1 and HEAD agree on the markdown
part): the inner text of every fenced block ```` ```...``` ```` is deleted first (the fences stay, and the
same text elsewhere in the answer is deleted too, because upstream uses ``str.replace``), then headers
``^#{k}\\s`` for k = 1..6 (multiline), ordered ``^\\s*\\d+\\.\\s`` and unordered ``^\\s*[-*+]\\s`` list items,
and bold ``\\*\\*[^*\\n]+\\*\\*`` / ``__[^_\\n]+__``. ``token_len`` needs tiktoken (cl100k for v0.1, o200k
for v2) and is taken from the answer metadata, never recomputed here.

Covariates: v0.1 (``v0.1:utils_math.py construct_style_matrices``) uses ``(a - b) / (a + b + 1)`` for all
four features with a = baseline, b = model, z-scored with the population std over battle rows. v2
(``HEAD:show_result.py print_leaderboard_with_style_features``) uses ``(m - b) / (m + b)`` on token length,
and for markdown the densities ``count / (token_len + 1)`` combined as ``(dm - db) / (dm + db + 1)``,
z-scored with the unbiased std (``torch.std``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from harness.errors import BadInput

STYLE_FEATURES = ("token_len", "header_count", "list_count", "bold_count")

_CODE_BLOCK = re.compile(r"```([^`]*)```")
_HEADERS = tuple(re.compile(rf"^#{{{level}}}\s", re.MULTILINE) for level in range(1, 7))
_ORDERED = re.compile(r"^\s*\d+\.\s", re.MULTILINE)
_UNORDERED = re.compile(r"^\s*[-*+]\s", re.MULTILINE)
_BOLD_STARS = re.compile(r"\*\*[^*\n]+\*\*")
_BOLD_UNDERSCORES = re.compile(r"__[^_\n]+__")


@dataclass(frozen=True)
class MarkdownCounts:
    """The ``header_count``/``list_count``/``bold_count`` parts of upstream's answer metadata."""

    headers: tuple[int, int, int, int, int, int]
    ordered: int
    unordered: int
    bold_stars: int
    bold_underscores: int

    @property
    def header_count(self) -> int:
        return sum(self.headers)

    @property
    def list_count(self) -> int:
        return self.ordered + self.unordered

    @property
    def bold_count(self) -> int:
        return self.bold_stars + self.bold_underscores

    def as_metadata(self) -> dict[str, dict[str, int]]:
        """The nested layout of ``conv_metadata`` (without ``token_len``)."""
        return {
            "header_count": {f"h{i + 1}": count for i, count in enumerate(self.headers)},
            "list_count": {"ordered": self.ordered, "unordered": self.unordered},
            "bold_count": {"**": self.bold_stars, "__": self.bold_underscores},
        }


def strip_code_blocks(text: str) -> str:
    """Delete the inner text of fenced code blocks as upstream does (every occurrence of it, fences kept)."""
    for block in _CODE_BLOCK.findall(text):
        text = text.replace(block, "")
    return text


def count_markdown(text: str) -> MarkdownCounts:
    """Markdown element counts of one answer, code blocks stripped first."""
    body = strip_code_blocks(text)
    headers = tuple(len(pattern.findall(body)) for pattern in _HEADERS)
    return MarkdownCounts(
        headers=(headers[0], headers[1], headers[2], headers[3], headers[4], headers[5]),
        ordered=len(_ORDERED.findall(body)),
        unordered=len(_UNORDERED.findall(body)),
        bold_stars=len(_BOLD_STARS.findall(body)),
        bold_underscores=len(_BOLD_UNDERSCORES.findall(body)),
    )


def _check(values: np.ndarray, where: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 2 or array.shape[1] != len(STYLE_FEATURES):
        raise BadInput(where, f"expected an (n, 4) array of {STYLE_FEATURES}, got shape {array.shape}")
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise BadInput(where, "style counts must be finite and non-negative")
    return array


def _zscore(features: np.ndarray, weights: np.ndarray | None, ddof: int) -> np.ndarray:
    """Column z-scores; ``weights`` counts how many battle rows each feature row stands for."""
    w = np.ones(features.shape[0]) if weights is None else np.asarray(weights, dtype=float)
    total = w.sum()
    mean = (w @ features) / total
    var = (w @ (features - mean) ** 2) / (total - ddof)
    std = np.sqrt(var)
    if np.any(std == 0):
        names = [STYLE_FEATURES[i] for i in np.flatnonzero(std == 0)]
        raise BadInput(
            "style features", f"no variation in {names}: cannot standardise (upstream divides by 0)"
        )
    return (features - mean) / std


def style_features_v01(
    baseline: np.ndarray, model: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """v0.1 covariates: ``(a - b) / (a + b + 1)`` per feature, a = baseline, z-scored (population std).

    Rows are (question, model) answer pairs; ``weights`` = how many battle rows each pair contributes, so the
    mean and std are those over upstream's battle rows.
    """
    a = _check(baseline, "style features (baseline)")
    b = _check(model, "style features (model)")
    return _zscore((a - b) / (a + b + 1.0), weights, ddof=0)


def style_features_v2(
    model: np.ndarray, baseline: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """v2 covariates (model minus baseline): length ratio and markdown-density ratios, z-scored (unbiased)."""
    m = _check(model, "style features (model)")
    b = _check(baseline, "style features (baseline)")
    length_sum = m[:, 0] + b[:, 0]
    if np.any(length_sum == 0):
        raise BadInput("style features.token_len", "both answers empty: length ratio undefined")
    out = np.empty_like(m)
    out[:, 0] = (m[:, 0] - b[:, 0]) / length_sum
    density_m = m[:, 1:] / (m[:, :1] + 1.0)
    density_b = b[:, 1:] / (b[:, :1] + 1.0)
    out[:, 1:] = (density_m - density_b) / (density_m + density_b + 1.0)
    return _zscore(out, weights, ddof=1)


STYLE_SETS: dict[str, tuple[int, ...]] = {
    "style": (0, 1, 2, 3),
    "length": (0,),
    "markdown": (1, 2, 3),
}
