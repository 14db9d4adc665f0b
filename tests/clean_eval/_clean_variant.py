"""What the session fixture ``demo_variant`` (conftest.py) yields: a module of its own, so that tests
import it by a unique name (several test packages have a ``conftest``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from _contaminated_server import OpenAIStub


@dataclass(frozen=True)
class BuiltVariant:
    path: Path
    run_dir: Path
    cache: Path
    rewriter: OpenAIStub
    exit_code: int
    requests: int
