"""Unscored shares of healthy upstream judges: the evidence behind ``--max-unscored``'s default (0.10).

Reads the upstream judgments in the shared test data (``--data``, laid out as the project's tests
expect) and prints, per benchmark, how many judgments carry no usable verdict: Arena-Hard v0.1 games
whose ``score`` is not one of the five labels (GPT-4-1106 judging six models), AlpacaEval annotations
without a preference (GPT-4-turbo, every shipped model), WildBench WB-Score rows without a 1-10 score
(GPT-4o). ``python -m bench.unscored_rates``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
from pathlib import Path

from judges.parsers import GRADED

REPO = Path(__file__).resolve().parents[1]


def arena_hard(data: Path) -> tuple[int, int]:
    n = bad = 0
    for path in sorted(
        (data / "arena_hard/v0.1/peer_check/model_judgment/gpt-4-1106-preview").glob("*.jsonl.gz")
    ):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                for game in json.loads(line)["games"]:
                    n, bad = n + 1, bad + (game.get("score") not in GRADED)
    return n, bad


def alpaca_eval(data: Path) -> tuple[int, int]:
    n = bad = 0
    for path in sorted((data / "alpaca_eval/results").glob("*/annotations_weighted*.json")):
        for row in json.loads(path.read_text(encoding="utf-8")):
            value = row.get("preference")
            n, bad = n + 1, bad + (value is None or (isinstance(value, float) and math.isnan(value)))
    return n, bad


def _rating(value: object) -> float | None:
    try:
        rating = float(str(value))
    except ValueError:
        return None
    return rating if 1.0 <= rating <= 10.0 else None


def wildbench(data: Path) -> tuple[int, int]:
    n = bad = 0
    for path in sorted(
        (data / "wildbench/eval_results/v2.0625/score.v2/eval=gpt-4o-2024-05-13").glob("*.json")
    ):
        for row in json.loads(path.read_text(encoding="utf-8")):
            n, bad = n + 1, bad + (_rating(row.get("score")) is None)
    return n, bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    for name, count in (
        ("arena_hard v0.1", arena_hard),
        ("alpaca_eval", alpaca_eval),
        ("wildbench", wildbench),
    ):
        n, bad = count(args.data)
        print(f"{name:16} {bad:5} of {n:5} judgments unscored ({bad / n if n else 0:.2%})")


if __name__ == "__main__":
    main()
