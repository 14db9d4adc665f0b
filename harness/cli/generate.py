"""``harness generate --model SPEC --prompts FILE.jsonl --run-dir DIR``: a model's answers to a prompt file.

Order matters for the promises made to the user: the prompt file is validated completely first (a bad
file exits 2 naming FILE:LINE with nothing written and no server started); then the endpoint is
resolved (a local server is reused or started); then run.json is written and the missing Outputs are
generated. Re-running the same command on the same ``--run-dir`` resumes: finished items are skipped,
failed ones retried. Exit 0 when every item has an answer, 1 when some failed (re-run to retry them).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.cli._command import command
from harness.endpoints import Endpoint, parse_endpoint_spec
from harness.errors import BadInput

if TYPE_CHECKING:
    from harness.cache import Cache
    from harness.client import SamplingParams
    from harness.generate import GenerateSummary
    from harness.records import Item
    from harness.store import RunStore


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        required=True,
        metavar="SPEC",
        help="local | vllm:MODEL | openai:MODEL[@URL] | openai/MODEL",
    )
    parser.add_argument("--model-base-url", metavar="URL",
                        help="base URL of an openai model given as openai/NAME or openai:NAME (default: OPENAI_BASE_URL)")  # fmt: skip
    parser.add_argument(
        "--prompts",
        required=True,
        type=Path,
        metavar="FILE.jsonl",
        help='one {"id": ..., "turns": ["user turn 1", ...]} per line',
    )
    parser.add_argument(
        "--run-dir",
        type=Path,
        metavar="DIR",
        help="run directory (default runs/generate-<model>-<timestamp>); re-use it to resume",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        default=64,
        metavar="N",
        help="in-flight requests to the endpoint (default 64)",
    )
    parser.add_argument("--name", help="model name stored in each output (default: the served model name)")
    parser.add_argument("--temperature", type=float, default=0.0)
    parser.add_argument("--max-tokens", type=int, default=512)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--cache", type=Path, metavar="PATH", help="response cache file (default: the user cache)"
    )
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the response cache")
    parser.add_argument(
        "--max-retries", type=int, default=8, help="retries per request before an item is failed"
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per request")  # fmt: skip


def _default_run_dir(spec: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", spec).strip("_")[-40:]
    return Path("runs") / f"generate-{slug}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"


@command("generate", "generate a model's answers to a JSONL prompt file (resumable)", _arguments)
def run(args: argparse.Namespace) -> int:
    from harness.client import SamplingParams  # the request types only: the HTTP stack loads when used
    from harness.prompts import file_sha256, load_prompts
    from harness.store import RunStore

    if args.max_connections < 1:
        raise BadInput("--max-connections", "must be at least 1")
    items = load_prompts(args.prompts)  # validated whole before anything is written
    spec = parse_endpoint_spec(args.model, base_url=args.model_base_url)
    params = SamplingParams(temperature=args.temperature, max_tokens=args.max_tokens, seed=args.seed)
    run_dir: Path = args.run_dir or _default_run_dir(str(spec))
    dataset = {"id": str(args.prompts), "revision": file_sha256(args.prompts), "n": len(items)}
    store = RunStore(run_dir)
    store.lock()  # one writer per run directory, before the endpoint is probed (harness/runlock.py)
    try:
        done = _complete(args, str(spec), items, params, store, dataset)
        if done is not None:  # every answer is stored: no server, no probe, no client
            summary, counters = done
        else:
            from harness.cache import Cache

            # a new cache file is created while the HTTP stack loads, not at the first lookup
            cache = None if args.no_cache else Cache.at(args.cache).prepare_soon()
            from harness.serve import resolve  # servers and their probes: only when something is sent

            with resolve(spec) as endpoint:
                summary, counters = _generate(args, items, endpoint, params, store, dataset, cache)
    finally:
        store.close()
    print(
        f"harness: {summary.generated} generated, {summary.skipped} already done, {summary.errors} failed "
        f"of {summary.total}; {counters['requests']} requests, {counters['retries']} retries, "
        f"{counters['cache_hits']} cache hits -> {run_dir / 'outputs.jsonl'}",
        file=sys.stderr,
    )
    if summary.errors:
        from harness.failures import causes_line, run_failures

        if line := causes_line(run_failures(store)):
            print(f"harness: {line}", file=sys.stderr)
        print("harness: some items failed; re-run the same command to retry them", file=sys.stderr)
        return 1
    return 0


def _complete(
    args: argparse.Namespace,
    spec: str,
    items: list[Item],
    params: SamplingParams,
    store: RunStore,
    dataset: dict[str, Any],
) -> tuple[GenerateSummary, dict[str, int]] | None:
    """The summary of a run directory that already holds a final answer to every prompt of this same
    run (its run.json names the same spec, name, prompts, sampling and prompt file), with this session
    recorded; None when something is left to do (or the directory holds another run: the normal path
    refuses it)."""
    from harness.generate import GenerateSummary, finished_ids

    info = store.read_run_json()
    if info is None or info.command != "generate" or info.dataset != dataset:
        return None
    name = info.config.get("name")
    config = {"model": spec, "name": name, "prompts": str(args.prompts), "sampling": asdict(params)}
    if (args.name and args.name != name) or info.config != config:
        return None
    if {item.item_id for item in items} - finished_ids(store, str(name)):
        return None
    endpoints = info.sessions[-1].endpoints if info.sessions else {}
    store.write_run_json(command="generate", config=config, endpoints=endpoints, dataset=dataset,
                         seeds={"sampling": params.seed})  # fmt: skip
    summary = GenerateSummary(total=len(items), skipped=len(items), generated=0, errors=0)
    counters = {"requests": 0, "retries": 0, "cache_hits": 0}
    store.finish_run("finished", {**asdict(summary), **counters})
    return summary, counters


def _generate(
    args: argparse.Namespace,
    items: list[Item],
    endpoint: Endpoint,
    params: SamplingParams,
    store: RunStore,
    dataset: dict[str, Any],
    cache: Cache | None,
) -> tuple[GenerateSummary, dict[str, int]]:
    from harness.client import Client
    from harness.generate import generate_with_progress

    name = args.name or endpoint.model
    store.start_run_json(  # a new run.json is written while the first requests go out
        command="generate",
        config={
            "model": endpoint.spec,
            "name": name,
            "prompts": str(args.prompts),
            "sampling": asdict(params),
        },
        endpoints={"model": endpoint.identity()},
        dataset=dataset,
        seeds={"sampling": params.seed},
    )
    store.open_files("outputs")  # before any request: an answer served is never left unwritable
    client = Client(
        endpoint,
        role="model",
        cache=cache,
        max_connections=args.max_connections,
        timeout=args.timeout,
        max_retries=args.max_retries,
        probe=(endpoint,),
    )

    async def main() -> GenerateSummary:
        try:
            return await generate_with_progress(
                items, client, store, model=name, params=params, max_in_flight=args.max_connections
            )
        finally:
            await client.aclose()

    status, counters = "failed", {"requests": 0, "retries": 0, "cache_hits": 0}
    summary: GenerateSummary | None = None
    try:
        summary = asyncio.run(main())
        status = "finished" if summary.errors == 0 else "incomplete"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        c = client.counters
        counters = {"requests": c.requests, "retries": c.retries, "cache_hits": c.cache_hits}
        # run.json's last write and the cache's close (SQLite checkpoints the WAL into the file) each wait
        # on an fsync: they overlap, the first in a thread (the cache's connection belongs to this one)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="finish-run") as pool:
            finishing = pool.submit(
                store.finish_run, status, {**(asdict(summary) if summary else {}), **counters}
            )
            try:
                close = getattr(cache, "close", None)
                if callable(close):
                    close()
            finally:
                finishing.result()
        store.close()
    return summary, counters
