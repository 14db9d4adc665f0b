"""The leaderboard plot of ``harness view``: each run's headline with its interval, as inline SVG.

SVG rather than the PNG of ``harness leaderboard`` so that the page stays one self-contained text file
whose plot a browser test can read (one ``g.row`` per run, its value and interval as data attributes).
Runs are grouped by (benchmark, metric): figures on different scales never share an axis.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

ROW_H, LEFT, RIGHT, TOP, BOTTOM, WIDTH = 26, 260, 30, 34, 46, 860


@dataclass(frozen=True)
class Point:
    label: str
    value: float
    lower: float | None
    upper: float | None


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick positions covering [lo, hi] (steps of 1, 2 or 5 times a power of ten)."""
    span = hi - lo or abs(hi) or 1.0
    raw = span / n
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(lo / step) * step
    return [first + i * step for i in range(int(math.ceil((hi - first) / step)) + 1)]


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def svg_plot(title: str, axis: str, points: list[Point]) -> str:
    """One horizontal dot-and-interval chart, best run on top."""
    rows = sorted((p for p in points if math.isfinite(p.value)), key=lambda p: (-p.value, p.label))
    if not rows:
        return ""
    xs = [x for p in rows for x in (p.value, p.lower, p.upper) if x is not None and math.isfinite(x)]
    ticks = _ticks(min(xs), max(xs))
    lo, hi = ticks[0], ticks[-1] if ticks[-1] > ticks[0] else ticks[0] + 1.0
    height = TOP + ROW_H * len(rows) + BOTTOM
    plot_w = WIDTH - LEFT - RIGHT

    def x_of(v: float) -> float:
        return LEFT + (v - lo) / (hi - lo) * plot_w

    parts = [
        f'<svg class="plot" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{html.escape(title)}">',
        f'<text x="{LEFT}" y="20" class="title">{html.escape(title)}</text>',
    ]
    for t in ticks:
        x = x_of(t)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP - 6}" y2="{height - BOTTOM}" class="grid"/>'
            f'<text x="{x:.1f}" y="{height - BOTTOM + 16}" text-anchor="middle" class="tick">{_fmt(t)}</text>'
        )
    for i, p in enumerate(rows):
        y = TOP + ROW_H * i + ROW_H / 2
        interval = ""
        if p.lower is not None and p.upper is not None:
            interval = (
                f'<line x1="{x_of(p.lower):.1f}" x2="{x_of(p.upper):.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                'class="ci"/>'
            )
        bounds = "" if p.lower is None else f' data-lower="{p.lower}" data-upper="{p.upper}"'
        parts.append(
            f'<g class="row" data-label="{html.escape(p.label)}" data-value="{p.value}"{bounds}>'
            f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" class="label">{html.escape(p.label)}</text>'
            f'{interval}<circle cx="{x_of(p.value):.1f}" cy="{y:.1f}" r="5"/></g>'
        )
    parts.append(
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{height - 10}" text-anchor="middle" class="axis">'
        f"{html.escape(axis)}</text></svg>"
    )
    return "".join(parts)
