"""The edge of the contamination mode: score one model on the original and the clean variant, then report.

Both runs use the same model endpoint, the same judge config and judge endpoint, and the same items (the
original is restricted to the ids the variant holds, since a variant may cover the first N items only).
They are ordinary run directories (``DIR/original``, ``DIR/clean``: run.json, outputs.jsonl,
judgments.jsonl), resumable and cached like every run; the report goes to ``DIR/contamination.{json,md}``.
"""

from __future__ import annotations

import asyncio
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from harness.clean_eval.contamination import ContaminationReport, report_from_runs, write_report
from harness.clean_eval.variant import load_variant
from harness.endpoints import Endpoint, EndpointSpec
from harness.records import Item
from harness.store import RunStore

if TYPE_CHECKING:
    from benchmarks._base import Benchmark
    from harness.cache import Cache
    from judges import Judge


@dataclass(frozen=True)
class ContaminationRequest:
    benchmark: str
    variant: Path
    data: Path | None
    version: str | None
    model: EndpointSpec
    judge: str
    judge_model: EndpointSpec
    run_dir: Path
    model_name: str | None = None
    cache: Path | None = None
    use_cache: bool = True
    max_connections: int = 4
    resamples: int = 2000
    confidence: float = 0.95
    seed: int = 0


def paired_items(request: ContaminationRequest) -> tuple[list[Item], list[Item], str, int]:
    """(original items, clean items, variant id, items rewritten), the original limited to the variant's ids."""
    from benchmarks import get_benchmark

    header, rows = load_variant(request.variant)
    clean = get_benchmark(f"{request.benchmark}@clean:{request.variant}").load(version=request.version)
    ids = {item.item_id for item in clean}
    original = get_benchmark(request.benchmark).load(request.data, version=request.version, check_count=False)
    original = [item for item in original if item.item_id in ids]
    if len(original) != len(clean):
        from harness.errors import BadInput

        raise BadInput(
            str(request.variant), f"{len(clean) - len(original)} variant item(s) are not in the original"
        )
    rewritten = sum(row.rewrite.outcome == "rewritten" for row in rows)
    return original, clean, header.variant_id, rewritten


def run_contamination(request: ContaminationRequest) -> ContaminationReport:
    from benchmarks import get_benchmark
    from harness.cache import Cache
    from harness.serve import resolve
    from judges import load_judge

    original, clean, variant_id, rewritten = paired_items(request)  # bad input before any server starts
    judge = load_judge(request.judge)
    bench = get_benchmark(request.benchmark)
    cache = (Cache(request.cache) if request.cache else Cache.default()) if request.use_cache else None
    try:
        with ExitStack() as stack:
            model_ep = stack.enter_context(resolve(request.model))
            judge_ep = (
                model_ep
                if request.judge_model == request.model
                else stack.enter_context(resolve(request.judge_model))
            )
            for name, items, variant in (("original", original, "original"), ("clean", clean, variant_id)):
                _score(
                    request, bench, judge, items, variant, model_ep, judge_ep, cache, request.run_dir / name
                )
    finally:
        close = getattr(cache, "close", None)
        if callable(close):
            close()
    report = report_from_runs(
        request.run_dir / "original",
        request.run_dir / "clean",
        resamples=request.resamples,
        confidence=request.confidence,
        seed=request.seed,
        n_rewritten=rewritten,
    )
    write_report(report, request.run_dir)
    return report


def _score(
    request: ContaminationRequest,
    bench: Benchmark,
    judge: Judge,
    items: list[Item],
    variant: str,
    model_ep: Endpoint,
    judge_ep: Endpoint,
    cache: Cache | None,
    run_dir: Path,
) -> None:
    from benchmarks._base import Benchmark
    from harness.cache import Cache
    from harness.clean_eval.scoring import score_items
    from harness.client import Client
    from judges import PairwiseJudge, SingleJudge

    assert isinstance(bench, Benchmark) and isinstance(judge, SingleJudge | PairwiseJudge)
    assert cache is None or isinstance(cache, Cache)
    name = request.model_name or model_ep.model
    store = RunStore(run_dir)
    store.write_run_json(
        command="clean-eval score",
        config={
            "benchmark": request.benchmark,
            "variant": variant,
            "model": str(request.model),
            "name": name,
            "judge": request.judge,
            "judge_model": str(request.judge_model),
        },
        endpoints={"model": model_ep.identity(), "judge": judge_ep.identity()},
        dataset={
            "id": str(request.variant) if variant != "original" else str(request.data or "upstream"),
            "n": len(items),
        },
    )
    model_client = Client(model_ep, role="model", cache=cache, max_connections=request.max_connections)
    judge_client = Client(judge_ep, role="judge", cache=cache, max_connections=request.max_connections)

    async def main() -> None:
        try:
            await score_items(
                items,
                bench,
                model_client,
                name,
                judge,
                judge_client,
                store,
                max_in_flight=request.max_connections,
            )
        finally:
            await model_client.aclose()
            await judge_client.aclose()

    status = "failed"
    try:
        asyncio.run(main())
        status = "finished"
    finally:
        store.finish_run(status)
        store.close()
