"""`harness serve` (being built)."""

from __future__ import annotations

import argparse

from harness.cli._command import command
from harness.errors import HarnessError


def _arguments(parser: argparse.ArgumentParser) -> None:
    pass


@command("serve", "serve (not yet available)", _arguments)
def run(args: argparse.Namespace) -> int:
    raise HarnessError("harness serve is not available yet")
