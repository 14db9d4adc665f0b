"""Project defaults from ``harness.toml`` or ``[tool.harness]`` in ``pyproject.toml``.

Keys are option names without the dashes (``judge``, ``limit``, ``cache``, ``max-connections`` or
``max_connections``). Top-level keys apply to every command that has the option; a table named after
a command (``[score]``, ``[tool.harness.judge]``) applies to that command and wins over top-level keys.
A flag on the command line wins over both. Example::

    judge = "local"
    cache = ".harness/cache.sqlite"   # relative paths are relative to the file

    [score]
    limit = 50
    benchmark = ["alpaca_eval", "mt_bench"]

Each value goes through its flag's own parsing and checks (type, choices, the validators attached to the
option), so a bad value is one line naming the file and key, exit 2, as on the command line.
Which file: ``--config PATH`` before the command, else ``./harness.toml``, else ``./pyproject.toml``.
"""

from __future__ import annotations

import argparse
import difflib
import tomllib
from pathlib import Path
from typing import Any

from harness.errors import BadInput

FILES = ("harness.toml", "pyproject.toml")


def find_config(explicit: Path | None, cwd: Path) -> tuple[Path, dict[str, Any]] | None:
    """The config file and its harness table, or None when there is none."""
    if explicit is not None and not explicit.is_file():
        raise BadInput("--config", f"no such file: {explicit}")
    for path in [explicit] if explicit is not None else [cwd / name for name in FILES]:
        if not path.is_file():
            continue
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise BadInput(str(path), f"cannot read TOML: {exc}") from None
        table: Any = doc
        if path.name == "pyproject.toml":
            table = doc.get("tool", {}).get("harness")
            if table is None:
                if explicit is not None:
                    raise BadInput(str(path), "no [tool.harness] table")
                continue
        if not isinstance(table, dict):
            raise BadInput(str(path), "the harness table must be a TOML table")
        return path, table
    return None


def _action(parser: argparse.ArgumentParser, key: str) -> argparse.Action | None:
    flag = "--" + key.replace("_", "-")
    action = parser._option_string_actions.get(flag)  # argparse keeps no public index of options
    if action is None or isinstance(action, argparse._HelpAction | argparse._VersionAction):
        return None
    return action


def _tokens(
    parser: argparse.ArgumentParser, action: argparse.Action, value: Any, where: str, base: Path
) -> list[str]:
    """Command-line tokens for one config value, after the flag's own conversion and checks."""
    flag = (
        action.option_strings[-1] if action.option_strings[-1].startswith("--") else action.option_strings[0]
    )
    if action.nargs == 0:  # store_true / store_false / count
        if not isinstance(value, bool):
            raise BadInput(where, f"expected true or false for {flag}, got {value!r}")
        wanted = isinstance(action, argparse._StoreTrueAction)
        return [flag] if value == wanted else []
    values = value if isinstance(value, list) else [value]
    repeated = isinstance(action, argparse._AppendAction) or action.nargs in ("+", "*")
    if len(values) != 1 and not repeated:
        raise BadInput(where, f"{flag} takes one value, got {len(values)}")
    texts: list[str] = []
    for item in values:
        if isinstance(item, dict | list) or isinstance(item, bool):
            raise BadInput(where, f"expected a string or a number for {flag}, got {item!r}")
        text = str(item)
        is_path = action.type is Path or getattr(action.type, "is_path", False)
        if is_path and not Path(text).is_absolute() and "=" not in text:  # relative to the config file
            text = str(base / text)
        try:
            converted = parser._get_value(action, text)  # the flag's own type= conversion and validators
            parser._check_value(action, converted)  # its choices
        except argparse.ArgumentError as exc:
            raise BadInput(where, exc.message) from None
        texts.append(text)
    if isinstance(action, argparse._AppendAction):
        return [t for text in texts for t in (flag, text)]
    return [flag, *texts]


def _given(argv: list[str], action: argparse.Action) -> bool:
    return any(a == opt or a.startswith(opt + "=") for a in argv for opt in action.option_strings)


def config_arguments(
    path: Path, table: dict[str, Any], command: str, parser: argparse.ArgumentParser, argv: list[str]
) -> list[str]:
    """Tokens to put before the user's own arguments of ``command`` (only for options not given)."""
    commands = {k for k, v in table.items() if isinstance(v, dict)}
    section = table.get(command, {})
    merged: dict[str, tuple[Any, str, bool]] = {}
    for key, value in table.items():
        if key not in commands:
            merged[key.replace("-", "_")] = (value, f"{path}:{key}", False)
    for key, value in section.items():
        merged[key.replace("-", "_")] = (value, f"{path}:[{command}].{key}", True)
    tokens: list[str] = []
    for key, (value, where, in_section) in merged.items():
        action = _action(parser, key)
        if action is None:
            if not in_section:
                continue  # a top-level key for other commands (check_top_level refuses unknown ones)
            known = [o[2:] for o in parser._option_string_actions if o.startswith("--")]
            close = difflib.get_close_matches(key.replace("_", "-"), known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise BadInput(where, f"`harness {command}` has no option --{key.replace('_', '-')}{hint}")
        if _given(argv, action):
            continue
        tokens += _tokens(parser, action, value, where, path.parent)
    return tokens


def check_top_level(path: Path, table: dict[str, Any], parsers: dict[str, argparse.ArgumentParser]) -> None:
    """A top-level key that no command knows, or a table that is not a command, is a typo: refuse it."""
    for key, value in table.items():
        if isinstance(value, dict):
            if key not in parsers:
                close = difflib.get_close_matches(key, list(parsers), n=1)
                hint = f"; did you mean [{close[0]}]?" if close else ""
                raise BadInput(f"{path}:[{key}]", f"no command {key!r}{hint}")
        elif not any(_action(p, key.replace("-", "_")) for p in parsers.values()):
            raise BadInput(f"{path}:{key}", "no command has this option")
