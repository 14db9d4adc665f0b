"""The edge of the build: load the items, resolve the rewriter, run :mod:`build`, write the variant.

Order matters for the promises made to the user (as in ``harness generate``): the benchmark and every
option are validated before a server is started; run.json is written (a resumed run must have the same
config); records are appended per item; the variant is written only when every item is final.
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks import get_benchmark
from harness.cache import Cache
from harness.clean_eval.build import BuildSummary, build_records, finalize, finished_records
from harness.clean_eval.candidates import RewriteConfig, template_hashes
from harness.clean_eval.filters import FilterConfig, MiniLMScorer, SimilarityScorer
from harness.clean_eval.records import RewriteRecord
from harness.clean_eval.variant import VariantHeader, variant_counts, variant_id, write_variant
from harness.client import Client
from harness.endpoints import EndpointSpec
from harness.progress import GenerationProgress
from harness.provenance import git_state, now
from harness.records import Item
from harness.serve import resolve
from harness.store import RunStore


@dataclass(frozen=True)
class BuildRequest:
    benchmark: str
    version: str | None
    data: Path | None
    limit: int | None
    check_count: bool
    rewriter: EndpointSpec
    rewrite: RewriteConfig
    filter: FilterConfig
    selector: str
    run_dir: Path
    out: Path | None = None
    cache: Path | None = None
    use_cache: bool = True
    max_connections: int = 4
    timeout: float = 600.0

    def config(self) -> dict[str, Any]:
        """What must match for a re-run to resume the same run directory (in its JSON form, as stored).

        Only what changes the generated candidates: the filter and the selector are applied afresh at
        every build (``build.finalize``) and recorded in the variant's header.
        """
        config = {
            "benchmark": self.benchmark,
            "version": self.version,
            "data": str(self.data) if self.data else None,
            "limit": self.limit,
            "rewriter": str(self.rewriter),
            "rewrite": asdict(self.rewrite),
            "templates": template_hashes(),
        }
        return dict(json.loads(json.dumps(config)))


def load_items(request: BuildRequest) -> tuple[list[Item], str]:

    bench = get_benchmark(request.benchmark)
    items = bench.load(
        request.data, version=request.version, limit=request.limit, check_count=request.check_count
    )
    source = str(request.data) if request.data else bench.spec.version(request.version).source
    return items, source


def run_build(request: BuildRequest, scorer: SimilarityScorer | None = None) -> int:
    """The whole build; returns the exit code (0 written, 1 items still missing after API errors)."""

    items, source = load_items(request)  # bad input exits before any server starts
    store = RunStore(request.run_dir)
    with resolve(request.rewriter) as endpoint:
        store.write_run_json(
            command="clean-eval build",
            config=request.config(),
            endpoints={"rewriter": endpoint.identity()},
            dataset={"id": source, "n": len(items)},
            seeds={"rewrite": request.rewrite.seed},
        )
        summary = _run_records(request, items, endpoint, store)
        identity = endpoint.identity()
    records = finished_records(store)
    print(
        f"harness: {summary.rewritten} items done, {summary.skipped} already done, {summary.errors} failed "
        f"of {summary.total} -> {store.path('rewrites')}",
        file=sys.stderr,
    )
    if summary.errors or len(records.keys() & {i.item_id for i in items}) < len(items):
        store.finish_run("incomplete", asdict(summary))
        store.close()
        print("harness: some items failed; re-run the same command to retry them", file=sys.stderr)
        return 1
    out = request.out or request.run_dir / "variant.jsonl"
    header, paths = _write(request, items, records, source, identity, scorer or MiniLMScorer(), out)
    store.finish_run("finished", {**asdict(summary), **header.counts})
    store.close()
    c = header.counts
    print(
        f"harness: variant {header.variant_id}: {c['rewritten']} rewritten, {c['kept_original']} kept "
        f"original of {c['items']}; candidates {c['candidate_status']} -> {paths[0]} (+ {paths[1].name})",
        file=sys.stderr,
    )
    return 0


def _run_records(request: BuildRequest, items: list[Item], endpoint: Any, store: RunStore) -> BuildSummary:

    cache = Cache.at(request.cache) if request.use_cache else None
    client = Client(
        endpoint,
        role="rewriter",
        cache=cache,
        max_connections=request.max_connections,
        timeout=request.timeout,
        probe=(endpoint,),
    )
    done = len(finished_records(store).keys() & {i.item_id for i in items})

    async def main() -> BuildSummary:
        with GenerationProgress("clean-eval", total=len(items), done=done) as bar:
            finished = done

            def on_done(record: RewriteRecord) -> None:
                nonlocal finished
                finished += record.error is None
                bar.update(finished, client.counters)

            try:
                return await build_records(
                    items,
                    client,
                    store,
                    rewrite=request.rewrite,
                    max_in_flight=request.max_connections,
                    on_item_done=on_done,
                )
            finally:
                await client.aclose()

    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        store.finish_run("interrupted")
        raise
    except BaseException:
        store.finish_run("failed")
        raise
    finally:
        close = getattr(cache, "close", None)
        if callable(close):
            close()


def _write(
    request: BuildRequest,
    items: list[Item],
    records: dict[str, RewriteRecord],
    source: str,
    rewriter: dict[str, str],
    scorer: SimilarityScorer,
    out: Path,
) -> tuple[VariantHeader, tuple[Path, Path]]:
    rows = finalize(items, records, scorer, request.filter, request.selector)
    header = VariantHeader(
        variant_id=variant_id(rows),
        benchmark=items[0].benchmark,
        version=items[0].version,
        source=source,
        created_at=now(),
        rewriter=rewriter,
        rewrite=asdict(request.rewrite),
        filter=asdict(request.filter),
        selector=request.selector,
        scorer=scorer.name,
        templates=template_hashes(),
        counts=variant_counts([r.rewrite for r in rows]),
        git=git_state(),
    )
    return header, write_variant(out, header, rows)
