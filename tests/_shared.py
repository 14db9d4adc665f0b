"""Where the upstream data lives: ../shared/data beside the checkout (never copied into the repo).

Under CI=true a test that needs it fails if it is absent; elsewhere it is skipped.
``HARNESS_SHARED_DIR`` overrides the location.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HARNESS_SHARED_DIR", REPO.parent / "shared"))
DATA = SHARED / "data"


def shared_path(*parts: str) -> Path:
    """Path under ../shared/data; skip (or fail under CI=true) when it is missing."""
    path = DATA.joinpath(*parts)
    if not path.exists():
        message = f"shared data missing: {path}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path
