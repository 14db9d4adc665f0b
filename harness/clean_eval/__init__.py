"""Clean-Eval: paraphrased benchmark variants and the contamination report (docs/clean_eval.md).

candidates (paraphrase and back-translation prompts) -> filters (MiniLM meaning, length, chrF surface
change) -> select (pluggable) -> variant (versioned JSONL/Parquet, loadable as ``B@clean:PATH``);
build is the resumable loop over items; contamination the paired-bootstrap report. The edges that start
servers and write run directories are ``pipeline`` (build) and ``score_mode`` (``harness score --contamination``: both variants through the
one scoring pipeline).
"""

from harness.clean_eval.build import build_records, decide, finalize, rewrite_item, variant_row
from harness.clean_eval.candidates import DEFAULT_PIVOTS, LANGUAGES, RewriteConfig, generate_candidates
from harness.clean_eval.chrf import chrf
from harness.clean_eval.contamination import (
    ContaminationReport,
    item_scores,
    paired_bootstrap,
    render_markdown,
    report_from_runs,
)
from harness.clean_eval.filters import FilterConfig, MiniLMScorer, SimilarityScorer, score_and_filter, verdict
from harness.clean_eval.records import Candidate, RewriteRecord, VariantRow
from harness.clean_eval.select import DEFAULT_SELECTOR, SELECTORS, Selector, get_selector
from harness.clean_eval.variant import VariantHeader, clean_variant_benchmark, load_variant, write_variant

__all__ = [
    "DEFAULT_PIVOTS",
    "DEFAULT_SELECTOR",
    "LANGUAGES",
    "SELECTORS",
    "Candidate",
    "ContaminationReport",
    "FilterConfig",
    "MiniLMScorer",
    "RewriteConfig",
    "RewriteRecord",
    "Selector",
    "SimilarityScorer",
    "VariantHeader",
    "VariantRow",
    "build_records",
    "chrf",
    "clean_variant_benchmark",
    "decide",
    "finalize",
    "generate_candidates",
    "get_selector",
    "item_scores",
    "load_variant",
    "paired_bootstrap",
    "render_markdown",
    "report_from_runs",
    "rewrite_item",
    "score_and_filter",
    "variant_row",
    "verdict",
    "write_variant",
]
