"""Writers for a :class:`Leaderboard`: CSV, Markdown, HTML (with the plot inlined) and PNG.

Deterministic by construction: fixed row order and number formats (``table.format_value``), and the
PNG is written without its timestamp/software metadata so that rebuilding from the same judgments
gives byte-identical files.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import textwrap
from pathlib import Path

from harness import atomic
from harness.errors import BadInput
from harness.table import Leaderboard, format_value


def to_csv(board: Leaderboard) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(board.columns)
    for rec in board.records():
        writer.writerow([format_value(rec[c]) for c in board.columns])
    return buf.getvalue()


def to_markdown(board: Leaderboard, digits: int = 2) -> str:
    cols = board.columns
    lines = [
        f"# {board.benchmark} leaderboard",
        "",
        "| " + " | ".join(cols) + " |",
        "|" + "|".join("---:" if c not in ("model",) else ":---" for c in cols) + "|",
    ]
    for rec in board.records():
        cells = [format_value(rec[c], digits).replace("|", "\\|") for c in cols]
        lines.append("| " + " | ".join(cells) + " |")
    if board.interval:
        lines += ["", f"Interval: {board.interval}."]
    lines += [f"Note: {n}" for n in board.notes]
    return "\n".join(lines) + "\n"


def to_png(board: Leaderboard) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = board.sorted_rows()[::-1]
    per_row = 0.4 if len(rows) <= 40 else 0.22
    fig, ax = plt.subplots(figsize=(8, per_row * len(rows) + 1.5))
    ys = list(range(len(rows)))
    scores = [r.score for r in rows]
    lo = [r.score - r.ci_lower if r.ci_lower is not None else 0.0 for r in rows]
    hi = [r.ci_upper - r.score if r.ci_upper is not None else 0.0 for r in rows]
    ax.errorbar(scores, ys, xerr=[lo, hi], fmt="o", color="#1f4e79", ecolor="#7f9fbf", capsize=3)
    ax.set_yticks(ys, [r.model for r in rows])
    label = board.metric + (f" ({board.interval})" if board.interval else "")
    ax.set_xlabel(textwrap.fill(label, 100), fontsize=8)
    ax.set_title(f"{board.benchmark}")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    buf = io.BytesIO()
    # bbox "tight" keeps long axis labels inside the image; no Software/date chunks: same input, same bytes
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None}, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def to_html(board: Leaderboard, png: bytes | None = None) -> str:
    cols = board.columns
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape(format_value(rec[c], 2))}</td>" for c in cols) + "</tr>"
        for rec in board.records()
    )
    img = ""
    if png is not None:
        img = f'<img alt="scores with intervals" src="data:image/png;base64,{base64.b64encode(png).decode()}"/>\n'
    notes = "".join(
        f"<p>{html.escape(n)}</p>"
        for n in ((f"Interval: {board.interval}.",) if board.interval else ()) + board.notes
    )
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>'
        f"{html.escape(board.benchmark)} leaderboard</title></head><body>\n"
        f"<h1>{html.escape(board.benchmark)} leaderboard</h1>\n{img}"
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n{notes}\n</body></html>\n"
    )


def write_leaderboard(board: Leaderboard, out_dir: Path) -> dict[str, Path]:
    """Write ``results/<benchmark>/leaderboard.{csv,md,html,png}`` under ``out_dir`` (DESIGN: Tables)."""
    target = out_dir / "results" / board.benchmark
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # --out is a file, or not writable
        raise BadInput(str(out_dir), f"cannot create {target}: {exc.strerror}") from None
    png = to_png(board)
    files = {
        "csv": (target / "leaderboard.csv", to_csv(board).encode()),
        "md": (target / "leaderboard.md", to_markdown(board).encode()),
        "html": (target / "leaderboard.html", to_html(board, png).encode()),
        "png": (target / "leaderboard.png", png),
    }
    for path, data in files.values():
        write_atomic(path, data)
    return {k: p for k, (p, _) in files.items()}


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through :mod:`harness.atomic`, so a reader never sees half a table."""
    atomic.write_bytes(path, data)
