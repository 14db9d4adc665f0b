"""AlpacaEval's instruction difficulty γ, the input of the length-controlled win rate, found by default.

γ (one number per eval-set row, looked up by row position) exists upstream only as the Hugging Face
dataset file ``tatsu-lab/alpaca_eval/instruction_difficulty.csv``, neither in git nor in the PyPI wheel.
Without it LC cannot be computed, so it is resolved like the benchmark's other pinned files, first hit
wins, and the network is touched only in the last step:

1. the file the user gave (``harness score --lc-difficulty CSV``, ``harness leaderboard --difficulty``);
2. ``instruction_difficulty.csv`` in the ``--data`` directory (or beside the ``--data`` file);
3. offline (``HARNESS_OFFLINE=1`` or ``HF_HUB_OFFLINE=1``): none, and LC is reported unavailable, saying why;
4. the pinned file at revision ``2edc6fa`` through ``benchmarks._hub`` (cached in the Hugging Face
   cache, so later runs read the copy), checked against the published sha256 (its first 8 hex digits,
   the part published with the pin) before it is used.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from benchmarks._hub import fetch_hf_file
from harness.errors import BadInput
from harness.offline import is_offline

FILE_NAME = "instruction_difficulty.csv"
PINNED = ("tatsu-lab/alpaca_eval", FILE_NAME, "2edc6fad8be6b14ea7230aabfd08188da6b8b814")
SHA256_PREFIX = "e28d875b"
HOW = f"pass --lc-difficulty CSV (leaderboard: --difficulty), or put {FILE_NAME} in the --data directory"


@dataclass(frozen=True)
class DifficultyFile:
    """Where γ comes from: ``path`` (None: not available, ``reason`` says why) and a label for reports."""

    path: Path | None
    source: str
    reason: str = ""


def resolve_difficulty(given: Path | str | None = None, data: Path | str | None = None) -> DifficultyFile:
    """The instruction-difficulty file by the rules above; a fetched file with another hash is refused."""
    if given is not None:
        return DifficultyFile(Path(given), str(given))
    if data is not None:
        folder = Path(data) if Path(data).is_dir() else Path(data).parent
        if (folder / FILE_NAME).is_file():
            return DifficultyFile(folder / FILE_NAME, str(folder / FILE_NAME))
    label = f"{PINNED[0]}/{FILE_NAME}@{PINNED[2][:7]}"
    if is_offline():
        return DifficultyFile(
            None, label, f"HARNESS_OFFLINE (or HF_HUB_OFFLINE) is set and no {FILE_NAME} was given; {HOW}"
        )
    try:
        path = fetch_hf_file(*PINNED)
    except BadInput as exc:
        return DifficultyFile(None, label, f"{exc}; {HOW}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if not digest.startswith(SHA256_PREFIX):
        raise BadInput(str(path), f"sha256 {digest[:8]}... is not the pinned {label} ({SHA256_PREFIX}...)")
    return DifficultyFile(path, label)
