"""The ``harness`` command line. Exit codes: 0 ok, 1 a check failed, 2 bad input or usage.

Sub-commands live one per module in this package and register themselves with ``@command``;
this module only imports them, builds the parser and turns :class:`HarnessError` into one line.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import importlib
import os
import sys
import threading
from pathlib import Path
from typing import NoReturn

from harness import __version__, offline
from harness.cli._checks import OneLineParser, attach_checks, usage_exit_code
from harness.cli._command import COMMANDS
from harness.cli._config import check_top_level, config_arguments, find_config
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
    parser.add_argument("--version", action="version", version=f"harness {__version__}")
    parser.add_argument("--config", type=Path, metavar="PATH",
                        help="project defaults (default: ./harness.toml, else [tool.harness] in ./pyproject.toml)")  # fmt: skip
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, cmd in COMMANDS.items():
        p = sub.add_parser(name, help=cmd.help, description=cmd.help)
        cmd.arguments(p)
        p.set_defaults(_run=cmd.run)
    attach_checks(parser)  # numeric ranges, URLs, paths: one line and exit 2 at parse time
    return parser


def _with_config(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``argv`` with the project config's defaults inserted after the command (harness.cli._config)."""
    explicit: Path | None = None
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        if argv[i] == "--config" and i + 1 < len(argv):
            explicit, i = Path(argv[i + 1]), i + 2
            continue
        if argv[i].startswith("--config="):
            explicit = Path(argv[i].split("=", 1)[1])
        i += 1
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    if i >= len(argv) or argv[i] not in subparsers:
        return argv
    found = find_config(explicit, Path.cwd())
    if found is None:
        return argv
    path, table = found
    check_top_level(path, table, subparsers)
    command = argv[i]
    extra = config_arguments(path, table, command, subparsers[command], argv[i + 1 :])
    return argv[: i + 1] + extra + argv[i + 1 :]


# The cyclic collector's thresholds for a command's process (CPython's default is (700, 10, 10)). A
# generate run at 256 in flight allocates millions of short-lived objects (futures, handles, parsed
# bodies): with the default, ~300 collections (26 of them gen1 and 2 full ones over every module and
# pydantic schema) took ~0.17 s of CPU on the event loop, delaying the requests; with these, ~35 cheap
# young collections, ~0.03 s. Garbage in cycles is still collected, just in larger batches.
GC_THRESHOLDS = (10_000, 50, 100)


def main(argv: list[str] | None = None) -> int:
    gc.set_threshold(*GC_THRESHOLDS)  # before the command's imports: they allocate the most
    code = _main(argv)
    if argv is None:  # the process's own command (the console script, python -m harness): it exits next
        _exit_now(code)
    return code


def _exit_now(code: int) -> NoReturn:
    """End the process without the interpreter's teardown, once the command has returned.

    By then everything the command wrote is closed and fsync'ed (files are written through the run store's
    descriptors and atomic writes, never left in a buffer). What the interpreter would still do is tear
    down ~600 modules and every object left (a generate run's records, pydantic's schemas, the HTTP pool):
    40-60 ms after a 1,610-prompt generate run, on top of full collections (0.1-0.3 s) had the collector
    not been stopped. What matters of a normal exit is kept, in its order: threads still running are
    joined (none, normally), the ``atexit`` handlers run (libraries' clean-ups: temporary directories,
    multiprocessing's children, coverage data), the standard streams are flushed."""
    gc.disable()
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (harness ... | head): nothing more can be said
            pass
    os._exit(code)


def _main(argv: list[str] | None) -> int:
    offline.apply()
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        argv = _with_config(parser, argv)
    except HarnessError as exc:
        print(f"harness: error: {exc}", file=sys.stderr)
        return exc.exit_code
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version (0) or a usage error (2), already printed on one line
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
