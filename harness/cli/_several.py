"""Several benchmarks in one ``harness score``: one run directory each, one summary table.

``--benchmark alpaca_eval,mt_bench`` and repeated ``--benchmark`` flags both work (lm-eval's
``--tasks a,b`` habit). Options that name benchmark-specific things take ``NAME=VALUE`` per benchmark
(``--data mt_bench=./mt``, ``--version arena_hard=v0.1``); the rest (model, judge, limits) apply to all.
Benchmarks run one after the other, each with its own default judge, and a failure in one does not lose
the others: the summary says which run to re-run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from harness.errors import BadInput, HarnessError

# options that only make sense for one benchmark at a time
SINGLE_ONLY = ("contamination", "judge_config", "judge_template")


def benchmark_names(values: list[str]) -> list[str]:
    """The benchmarks of every ``--benchmark`` value, split on commas, in order, without repeats."""
    names: list[str] = []
    for value in values:
        for name in value.split(","):
            name = name.strip()
            if not name:
                raise BadInput("--benchmark", f"empty name in {value!r}")
            if name not in names:
                names.append(name)
    return names


def per_benchmark(values: list[str] | None, names: list[str], option: str) -> dict[str, str | None]:
    """``NAME=VALUE`` (or a bare VALUE when there is one benchmark) for each benchmark; None if not given."""
    out: dict[str, str | None] = dict.fromkeys(names)
    for value in values or []:
        name, sep, rest = value.partition("=")
        if sep and name in names:
            if out[name] is not None:
                raise BadInput(option, f"given twice for {name}")
            out[name] = rest
        elif len(names) == 1:
            if out[names[0]] is not None:
                raise BadInput(option, "given twice")
            out[names[0]] = value
        else:
            raise BadInput(
                option, f"with several benchmarks give NAME=VALUE (NAME one of {', '.join(names)})"
            )
    return out


def _headline(report: dict[str, Any]) -> dict[str, Any] | None:
    for score in report.get("scores", []):
        if score.get("extra", {}).get("headline"):
            return dict(score)
    return None


def summary_rows(runs: list[tuple[str, int, list[tuple[Path, dict[str, Any]]]]]) -> list[dict[str, Any]]:
    rows = []
    for benchmark, code, reports in runs:
        for run_dir, report in reports:
            head = _headline(report) or {}
            rows.append(
                {
                    "benchmark": benchmark,
                    "model": report.get("model"),
                    "metric": head.get("metric"),
                    "value": head.get("value"),
                    "ci_lower": head.get("ci_lower"),
                    "ci_upper": head.get("ci_upper"),
                    "n_scored": head.get("n_scored"),
                    "n_unscored": head.get("n_unscored"),
                    "run_dir": str(run_dir),
                    "complete": code == 0,
                }
            )
        if not reports:
            rows.append({"benchmark": benchmark, "model": None, "metric": None, "value": None, "ci_lower": None,
                         "ci_upper": None, "n_scored": None, "n_unscored": None, "run_dir": None, "complete": False})  # fmt: skip
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def summary_markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| benchmark | model | headline | value | interval | n_scored | complete | run |",
        "|" + ":---|" * 8,
    ]
    for r in rows:
        ci = f"[{_cell(r['ci_lower'])}, {_cell(r['ci_upper'])}]" if r["ci_lower"] is not None else "-"
        lines.append(
            f"| {r['benchmark']} | {_cell(r['model'])} | {_cell(r['metric'])} | {_cell(r['value'])} | {ci} | "
            f"{_cell(r['n_scored'])} | {'yes' if r['complete'] else 'no'} | {_cell(r['run_dir'])} |"
        )
    return "\n".join(lines) + "\n"


def score_several(
    args: argparse.Namespace, names: list[str], data: dict[str, str | None], versions: dict[str, str | None]
) -> int:
    from harness.cli.score import plan, score_planned

    for option in SINGLE_ONLY:
        if getattr(args, option, None):
            raise BadInput("--" + option.replace("_", "-"), "applies to one benchmark at a time")
    # every benchmark's options are checked before the first model call
    plans = {name: plan(args, name, data[name], versions[name], compare_required=False) for name in names}
    runs: list[tuple[str, int, list[tuple[Path, dict[str, Any]]]]] = []
    per_run_fmt = "table" if args.format == "table" else "none"
    for name in names:
        run_dir = args.run_dir / name if args.run_dir else None
        if args.format == "table":
            print(f"## {name}\n")
        try:
            code, reports = score_planned(args, plans[name], run_dir, per_run_fmt)
        except HarnessError as exc:  # the other benchmarks still run; this one is reported
            print(f"harness: error: {name}: {exc}", file=sys.stderr)
            code, reports = exc.exit_code, []
        runs.append((name, code, reports))
    rows = summary_rows(runs)
    if args.format == "json":
        doc = {"summary": rows, "runs": [{"benchmark": n, "exit_code": c, "reports": [r for _, r in reps]}
                                         for n, c, reps in runs]}  # fmt: skip
        print(json.dumps(doc, ensure_ascii=False, allow_nan=False))
    else:
        print("## summary\n")
        print(summary_markdown(rows), end="")
    failed = [n for n, c, _ in runs if c != 0]
    if failed:
        print(f"harness: incomplete: {', '.join(failed)}; re-run the same command to resume", file=sys.stderr)
    return max((c for _, c, _ in runs), default=0)
