"""Parse-time checks of every command's options, by option name, and one-line usage errors.

Why here and not in each command: a rule such as "``--timeout`` is a positive number of seconds" holds
for every verb that has the option, including verbs added later, so it is written once, in a table
keyed by the option string, and attached to the parsers that :func:`harness.cli.build_parser` builds.
A bad value then fails while the command line is read (exit 2, one line naming the flag), before any
file is read, any server started or any request made, instead of ``--temperature -5`` running,
``--timeout 0`` retrying for a minute or ``--run-dir ""`` writing into the current directory.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, cast

Check = Callable[[Any], Any]


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line (``harness score: error: ...``) and exit 2."""

    def error(self, message: str) -> NoReturn:
        message = " ".join(message.split())
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _fail(message: str) -> NoReturn:
    raise argparse.ArgumentTypeError(message)


def int_range(lo: int, hi: int | None = None) -> Check:
    def check(value: int) -> int:
        if value < lo or (hi is not None and value > hi):
            _fail(f"must be {_range_text(lo, hi)}, got {value}")
        return value

    return check


def _range_text(lo: float, hi: float | None) -> str:
    return f"at least {lo:g}" if hi is None else f"between {lo:g} and {hi:g}"


def float_range(lo: float, hi: float | None = None, *, open_lo: bool = False) -> Check:
    def check(value: float) -> float:
        if not math.isfinite(value):
            _fail(f"must be a finite number, got {value}")
        low_bad = value <= lo if open_lo else value < lo
        if low_bad or (hi is not None and value > hi):
            text = f"greater than {lo:g}" if open_lo and hi is None else _range_text(lo, hi)
            _fail(f"must be {text}, got {value:g}")
        return value

    return check


def finite(value: float) -> float:
    if not math.isfinite(value):
        _fail(f"must be a finite number, got {value}")
    return value


def _nearest_existing(path: Path) -> Path:
    here = path.absolute()
    while not here.exists() and here != here.parent:
        here = here.parent
    return here


def out_dir(text: str) -> Path:
    """A directory to write into: not empty, not a file, creatable and writable."""
    if not text.strip():
        _fail("is empty; give a directory")
    value = Path(text)
    if value.exists() and not value.is_dir():
        _fail(f"{value} is a file, not a directory")
    base = _nearest_existing(value)
    if not base.is_dir():
        _fail(f"{value} cannot be created: {base} is a file")
    try:  # the one sure test (root passes os.access everywhere, /proc refuses anyway): make and remove
        os.rmdir(tempfile.mkdtemp(prefix=".harness-probe-", dir=base))
    except OSError as exc:
        _fail(f"{value} cannot be created in {base}: {exc.strerror}")
    return value


def existing(text: str) -> Path:
    """A local input: it must exist (read before anything else, and before any network fetch)."""
    if not text.strip():
        _fail("is empty; give a path")
    value = Path(text)
    if not value.exists():
        _fail(f"{value}: no such file or directory")
    return value


def existing_file(text: str) -> Path:
    value = existing(text)
    if value.is_dir():
        _fail(f"{value} is a directory, expected a file")
    return value


def existing_or_named(text: str) -> str:
    """``PATH`` or ``NAME=PATH`` (``score --data mt_bench=./mt`` with several benchmarks): the path must exist."""
    name, sep, rest = text.partition("=")
    if sep and name and "/" not in name and not Path(text).exists():
        existing(rest)
    else:
        existing(text)
    return text


AT_LEAST_1 = int_range(1)
_INT_AT_LEAST_1 = (
    "--max-connections", "--max-tokens", "--judge-max-tokens", "--judge-top-logprobs", "--portia-k",
    "--limit", "--ray-concurrency", "--paraphrases", "--rewrite-max-tokens", "--resamples", "--n-ctx",
    "--replicas", "--tp", "--max-model-len", "--gpus-per-replica",
)  # fmt: skip

_FILES = ("--prompts", "--lc-difficulty", "--difficulty", "--questions")
_PATHS = (
    "--from",
    "--outputs",
    "--answers",
    "--data-dir",
    "--original",
    "--clean",
    "--judge-template",
)

# option string -> check of the converted value (applied after the option's own ``type``)
CHECKS: dict[str, Check] = {
    **dict.fromkeys(_INT_AT_LEAST_1, AT_LEAST_1),
    "--max-retries": int_range(0),
    "--seed": int_range(0, 2**32 - 1),
    "--port": int_range(0, 65535),  # 0: any free port (harness view)
    "--timeout": float_range(0.0, open_lo=True),
    "--start-timeout": float_range(0.0, open_lo=True),
    "--temperature": float_range(0.0, 2.0),
    "--confidence": float_range(0.0, 1.0, open_lo=True),
    "--min-similarity": float_range(0.0, 1.0),
    "--max-length-ratio": float_range(0.0, open_lo=True),
    "--floor": finite,
    "--run-dir": out_dir,
    **dict.fromkeys(_FILES, existing_file),
    **dict.fromkeys(_PATHS, existing),
    "--data": existing_or_named,
}


_PATH_CHECKS = (
    out_dir,
    existing,
    existing_file,
    existing_or_named,
)  # these read the raw text: Path("") is "."


def _checked(convert: Callable[[str], Any] | None, check: Check) -> Callable[[str], Any]:
    def typed(text: str) -> Any:
        if check in _PATH_CHECKS:
            check(text)
        value = convert(text) if convert is not None else text
        return value if check in _PATH_CHECKS else check(value)

    typed.__name__ = getattr(convert, "__name__", "value")  # argparse names the type in its errors
    typed.is_path = check in _PATH_CHECKS or convert is Path  # type: ignore[attr-defined]
    return typed


def attach_checks(parser: argparse.ArgumentParser) -> None:
    """Wrap the ``type`` of every option that :data:`CHECKS` names, in ``parser`` and its sub-parsers."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                attach_checks(sub)
            continue
        for option in action.option_strings:
            if option in CHECKS and not getattr(action.type, "_checked", False):
                action.type = _checked(cast(Callable[[str], Any] | None, action.type), CHECKS[option])
                action.type._checked = True  # type: ignore[attr-defined]
                break


def usage_exit_code(exc: SystemExit) -> int:
    """The exit code argparse asked for (``--help``: 0; a usage error: 2)."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 2
