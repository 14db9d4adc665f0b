"""`harness cache stats|clear`: inspect or empty the response cache (``harness.cache``).

The cache is ``--cache PATH``, else ``$HARNESS_CACHE``, else ``~/.cache/harness/cache.sqlite``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from harness.cli._command import command


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("stats", "clear"), help="show entry counts, or delete every entry")
    parser.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="cache file (default: $HARNESS_CACHE or ~/.cache/harness/cache.sqlite)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format for stats")


@command("cache", "show or clear the response cache", _arguments)
def run(args: argparse.Namespace) -> int:
    from harness.cache import Cache

    cache = Cache.at(args.cache)
    if args.action == "clear":
        removed = cache.clear()
        print(f"cleared {removed} entries from {cache.path}")
        return 0
    stats = cache.stats()
    if args.format == "json":
        doc = {
            "path": str(stats.path),
            "entries": stats.entries,
            "size_bytes": stats.size_bytes,
            "by_model": stats.by_model,
        }
        print(json.dumps(doc, indent=2))
        return 0
    print(f"cache:   {stats.path}")
    print(f"entries: {stats.entries}")
    print(f"size:    {stats.size_bytes / 1e6:.2f} MB")
    for model, n in stats.by_model.items():
        print(f"  {n:>8}  {model}")
    return 0
