"""``harness view RUN_DIR [RUN_DIR...]``: one self-contained HTML page to read runs item by item.

Written to ``--out`` (default ``RUN_DIR/view.html`` for one run, ``view.html`` for several); open it in a
browser, no server needed. ``--serve`` also serves it on localhost until Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.cli._command import command


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("run_dirs", nargs="+", type=Path, metavar="RUN_DIR", help="run directories to show")
    p.add_argument("--out", type=Path, help="the HTML file (default RUN_DIR/view.html, or ./view.html)")
    p.add_argument("--serve", action="store_true", help="also serve the page on localhost until Ctrl-C")
    p.add_argument("--host", default="127.0.0.1", help="--serve: address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="--serve: port (default: any free one)")


@command("view", "Write one HTML page to read runs item by item (judge prompts, replies, audit)", _arguments)
def run(args: argparse.Namespace) -> int:
    from harness.view import write_page

    out = args.out or (args.run_dirs[0] / "view.html" if len(args.run_dirs) == 1 else Path("view.html"))
    path = write_page(list(args.run_dirs), out)
    print(f"harness: wrote {path}", file=sys.stderr)
    if args.serve:
        from harness.view.serve import serve

        serve(path, args.host, args.port)
    return 0
