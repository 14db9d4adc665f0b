"""`harness generate` (being built)."""

from __future__ import annotations

import argparse

from harness.cli._command import command
from harness.errors import HarnessError


def _arguments(parser: argparse.ArgumentParser) -> None:
    pass


@command("generate", "generate (not yet available)", _arguments)
def run(args: argparse.Namespace) -> int:
    raise HarnessError("harness generate is not available yet")
