"""The ``harness`` command line. Exit codes: 0 ok, 1 a check failed, 2 bad input or usage.

Sub-commands live one per module in this package and register themselves with ``@command``;
this module only imports them, builds the parser and turns :class:`HarnessError` into one line.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from harness.cli._checks import OneLineParser, attach_checks, usage_exit_code
from harness.cli._command import COMMANDS
from harness.errors import HarnessError

# Modules that define sub-commands (each registers itself with @command).
_COMMAND_MODULES = (
    "generate", "score", "judge", "judges", "cache", "serve", "leaderboard", "benchmarks", "audit", "clean_eval",
    "view",
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    for name in _COMMAND_MODULES:
        importlib.import_module(f"harness.cli.{name}")
    parser = OneLineParser(
        prog="harness",
        description="Automatic LLM benchmarks with pluggable judges and upstream-exact statistics.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, cmd in COMMANDS.items():
        p = sub.add_parser(name, help=cmd.help, description=cmd.help)
        cmd.arguments(p)
        p.set_defaults(_run=cmd.run)
    attach_checks(parser)  # numeric ranges, URLs, paths: one line and exit 2 at parse time
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed on one line
        return usage_exit_code(exc)
    try:
        return int(args._run(args))
    except HarnessError as exc:
        print(f"harness: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(
            "harness: interrupted; finished records are kept, re-run the same command to resume",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
