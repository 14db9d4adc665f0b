"""``harness judges``: the judge configs ``--judge-config`` accepts, with their protocol, the judge model
the config was written for, where the prompt template comes from, and the benchmarks that use it by
default. Read from the configs (``judges/configs/*.yaml`` and the folders of installed packages'
``harness.judge_configs`` entry points) without fetching any template; ``--format json`` adds where each
config and its protocol come from (``built-in`` or the distribution that declares it)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from harness.cli._command import command

_COLUMNS = ("judge_config", "protocol", "model", "default_for", "template")


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="NAME", help="only these judge configs (default: all)")
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format")


def _template_parts(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """Every template part of a config (a checklist judge has one template per stage)."""
    templates = [raw["template"]] if isinstance(raw.get("template"), dict) else []
    templates += [
        stage["template"] for stage in raw.values() if isinstance(stage, dict) and "template" in stage
    ]
    return [part for t in templates for key in ("system", "user") if isinstance(part := t.get(key), dict)]


def _template_source(raw: dict[str, Any], folder: str) -> str:
    """``repo@commit:path`` of each pinned upstream file, or ``<folder>/<file>`` for a file shipped with
    the config (``judges/`` for the built-in ones)."""
    from judges.templates import sources

    pinned = sources()
    found: list[str] = []
    for part in _template_parts(raw):
        if part.get("source") in pinned:
            src = pinned[part["source"]]
            where = f"{src.repo}@{src.commit[:7]}:{src.path}"
        elif part.get("package_file"):
            where = f"{folder}/{part['package_file']}"
        else:
            where = str(part.get("source", "?"))
        if where not in found:
            found.append(where)
    return ", ".join(found) or "-"


def judge_rows(names: list[str] | None = None) -> list[dict[str, Any]]:
    """One row per judge config, in name order; an unknown name gets suggestions (exit 2)."""
    from benchmarks import BENCHMARKS
    from judges.config import config_of, config_origin, judge_configs
    from judges.protocol import JUDGE_PROTOCOLS

    configs = judge_configs()
    defaults: dict[str, list[str]] = {}
    for bench in BENCHMARKS:
        for version in BENCHMARKS.get(bench).spec.versions:
            defaults.setdefault(version.default_judge, []).append(f"{bench}@{version.name}")
    rows = []
    for name in names or sorted(configs):
        raw = configs.get(name)
        origin = config_origin(name)
        protocol = str(raw.get("protocol", "?"))
        folder = "judges" if origin == "built-in" else config_of(name).where.rsplit("/", 1)[0]
        rows.append(
            {
                "judge_config": name,
                "protocol": protocol,
                "model": str(raw.get("model", "-")),
                "default_for": defaults.get(name, []),
                "template": _template_source(raw, folder),
                "origin": origin,
                "protocol_origin": JUDGE_PROTOCOLS.origin(protocol) if protocol in JUDGE_PROTOCOLS else "?",
            }
        )
    return rows


def format_table(rows: list[dict[str, Any]]) -> str:
    cells = [list(_COLUMNS)]
    cells += [
        [r["judge_config"], r["protocol"], r["model"], ", ".join(r["default_for"]) or "-", r["template"]]
        for r in rows
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(_COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return (
        "\n".join(lines)
        + "\nuse one with `harness score --judge-config NAME` or `harness judge --judge-config NAME`"
    )


@command("judges", "list the judge configs: protocol, judge model, template source, default for", _arguments)
def run(args: argparse.Namespace) -> int:
    rows = judge_rows(args.names)
    print(json.dumps(rows, indent=2) if args.format == "json" else format_table(rows))
    return 0
