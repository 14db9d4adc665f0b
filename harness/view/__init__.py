"""``harness view``: read runs item by item in one self-contained HTML file (see ``docs/viewer.md``).

:func:`collect` reads run directories into views, :func:`render_page` turns them into the page and
:func:`write_page` writes it atomically; ``--serve`` (:mod:`harness.view.serve`) only serves that file.
"""

from __future__ import annotations

from pathlib import Path

from harness import atomic
from harness.view.collect import ItemView, RunView, collect
from harness.view.page import render_page

__all__ = ["ItemView", "RunView", "collect", "render_page", "write_page"]


def write_page(run_dirs: list[Path], out: Path) -> Path:
    """Collect ``run_dirs`` and write their page to ``out`` (through a temporary file, then renamed)."""
    text = render_page(collect(run_dirs))
    return atomic.write_text(out, text)
