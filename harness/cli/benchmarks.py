"""``harness benchmarks``: the registered benchmarks with their versions, sizes, sources and defaults."""

from __future__ import annotations

import argparse
import json
from typing import Any

from harness.cli._command import command

_COLUMNS = ("benchmark", "version", "items", "source", "default_judge", "statistic", "baselines")


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="NAME", help="only these benchmarks (default: all)")
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format")


def benchmark_rows(names: list[str] | None = None) -> list[dict[str, Any]]:
    """One row per (benchmark, version); the default version of each benchmark comes first."""
    from benchmarks import BENCHMARKS

    rows: list[dict[str, Any]] = []
    for name in names or list(BENCHMARKS):
        spec = BENCHMARKS.get(name).spec
        for version in spec.versions:
            rows.append(
                {
                    "benchmark": spec.name,
                    "version": version.name,
                    "default": version is spec.default_version,
                    "items": version.n_items,
                    "source": version.source,
                    "default_judge": version.default_judge,
                    "statistic": version.statistic,
                    "baselines": list(version.baselines),
                    "generation": spec.generation,
                    "description": spec.description,
                    "notes": version.notes,
                    "origin": BENCHMARKS.origin(name),
                }
            )
    return rows


def format_table(rows: list[dict[str, Any]]) -> str:
    """A plain aligned text table (default versions marked with ``*``)."""
    cells = [list(_COLUMNS)]
    for row in rows:
        cells.append(
            [
                row["benchmark"],
                row["version"] + ("*" if row["default"] else ""),
                str(row["items"]),
                row["source"],
                row["default_judge"],
                row["statistic"],
                ", ".join(row["baselines"]) or "-",
            ]
        )
    widths = [max(len(r[i]) for r in cells) for i in range(len(_COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return (
        "\n".join(lines) + "\n* default version; load another with --version, or local files with --data PATH"
    )


@command(
    "benchmarks", "list the benchmarks: versions, sizes, sources, default judges and baselines", _arguments
)
def run(args: argparse.Namespace) -> int:
    rows = benchmark_rows(args.names)
    if args.format == "json":
        print(json.dumps(rows, indent=2))
    else:
        print(format_table(rows))
    return 0
