"""YAML read with libyaml's C parser where PyYAML was built with it (the wheels are), else pure Python.

Why: the judge configs are read on every command that judges (a few dozen small files); the pure-Python
parser takes ~5 ms a file, the C one a tenth of that. Both build the same safe types (``SafeConstructor``).
"""

from __future__ import annotations

from typing import Any

import yaml

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """:func:`yaml.safe_load` (same errors: :class:`yaml.YAMLError`), through the C parser when present."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
