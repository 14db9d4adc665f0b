"""Command registration: each ``harness`` sub-command registers itself once, with a decorator."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from harness.registry import Registry

Runner = Callable[[argparse.Namespace], int]
Arguments = Callable[[argparse.ArgumentParser], None]


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    arguments: Arguments
    run: Runner


COMMANDS: Registry[Command] = Registry("command")


def command(name: str, help: str, arguments: Arguments) -> Callable[[Runner], Runner]:
    """Register ``run`` as ``harness NAME``; ``arguments`` adds its options to the sub-parser.

    Keep heavy imports (pandas, openai) inside ``run`` so that ``harness --help`` stays fast.
    """

    def deco(run: Runner) -> Runner:
        COMMANDS.register(name)(Command(name, help, arguments, run))
        return run

    return deco
