"""``harness score --benchmark B@clean:PATH --contamination``: the contamination report through the score pipeline.

Two ordinary ``harness score`` runs with one config apart from the benchmark: ``RUN_DIR/original`` scores
``B`` restricted to the variant's item ids, ``RUN_DIR/clean`` scores ``B@clean:PATH``. Same model, same
judge config, judge endpoint and position strategy, so every difference is the wording. Each run is
resumable and keeps its own report; ``RUN_DIR/contamination.{json,md}`` holds the paired comparison
(:mod:`harness.clean_eval.contamination`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from harness.clean_eval.contamination import ContaminationReport, report_from_runs, write_report
from harness.clean_eval.variant import load_variant, split_spec
from harness.errors import BadInput
from harness.pipeline.runner import RunOptions, RunOutcome, execute, load_items
from harness.run.config import RunConfig


@dataclasses.dataclass(frozen=True)
class ContaminationOutcome:
    original: RunOutcome
    clean: RunOutcome
    report: ContaminationReport

    @property
    def exit_code(self) -> int:
        """1 when a drop is flagged (a check failed), the difference is unavailable, or either run is
        incomplete; else 0."""
        failed = self.report.significant_drop or self.report.unavailable is not None
        return 1 if failed or self.original.exit_code or self.clean.exit_code else 0

    def as_json(self) -> dict[str, Any]:
        return {
            "contamination": self.report.model_dump(mode="json"),
            "original": self.original.report,
            "clean": self.clean.report,
        }


def score_contamination(
    clean_config: RunConfig,
    options: RunOptions,
    run_dir: Path,
    *,
    data: str | None,
    resamples: int = 2000,
    seed: int = 0,
) -> ContaminationOutcome:
    """Score the original and the clean variant of ``clean_config.benchmark`` (a ``B@clean:PATH`` spec)."""

    base, variant = split_spec(clean_config.benchmark)
    if variant is None:
        raise BadInput(
            "--contamination", "needs --benchmark B@clean:PATH (the clean variant to compare with B)"
        )
    header, rows = load_variant(variant)
    clean_items = load_items(clean_config, options)
    ids = {item.item_id for item in clean_items}
    original_config = dataclasses.replace(clean_config, benchmark=base, data=data, limit=None)
    original_items = [item for item in load_items(original_config, options) if item.item_id in ids]
    if len(original_items) != len(clean_items):
        raise BadInput(
            str(variant), f"{len(clean_items) - len(original_items)} variant item(s) are not in {base}"
        )
    original = execute("score", original_config, original_items, run_dir / "original", options)
    clean = execute("score", clean_config, clean_items, run_dir / "clean", options)
    rewritten = sum(row.rewrite.outcome == "rewritten" for row in rows if row.item.item_id in ids)
    report = report_from_runs(
        run_dir / "original",
        run_dir / "clean",
        resamples=resamples,
        seed=seed,
        n_rewritten=rewritten,
        clean_label=header.variant_id,
    )
    write_report(report, run_dir)
    return ContaminationOutcome(original, clean, report)
