"""The stages of a run (:mod:`harness.pipeline.runner` opens it and answers a complete one from its
report): generate, judge (a TICK run's checklists first), the effect check, then the audit and the report.

Each stage does only what the run directory lacks, so a resumed run picks up where it stopped; derived
results (the audit's findings, the statistic) are reused from the response cache under the hash of their
inputs (:mod:`harness.pipeline.derived`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Any, cast

from benchmarks import get_benchmark
from harness import atomic
from harness.backends.open import open_client, prefetch
from harness.cache import Cache
from harness.client import Client, RoleCounters, SamplingParams, preflight_all, reset_usage, usage_by_role
from harness.endpoints import Endpoint, EndpointSpec, resolve_openai
from harness.errors import BadInput
from harness.generate import ChatClient, GenerateSummary, finished_ids, generate_with_progress
from harness.pipeline.audit_file import audit_items
from harness.pipeline.audit_stage import AuditsAhead, audit_run, start_audits, static_audit
from harness.pipeline.checklists import checklists_with_progress, missing_checklists, questions_by_item
from harness.pipeline.derived import effect_key, input_check_key, report_key
from harness.pipeline.effect_file import EFFECT_FILE
from harness.pipeline.figures import report_for, start_statistic
from harness.pipeline.judging import (
    JudgeSummary,
    JudgeTask,
    judge_with_progress,
    pending,
    plan_tasks,
    probe_for,
)
from harness.pipeline.runner import Run, RunOptions, RunOutcome, _closing, _option_fields, spawn_ahead
from harness.pipeline.units import generation_units, judge_units
from harness.records import Item, Output
from harness.registry import Lazy
from harness.run.config import JudgeSet, RunConfig
from harness.scoring.evaluate import load_run
from harness.serve import resolve
from harness.store import RunStore, is_final
from judges.config import judges_each_turn

if TYPE_CHECKING:
    from harness.backends.ray_data import RayClient


# What a stage loads only when it has something to compute, not when the cache or the run directory holds
# the result (a cached re-run): AlpacaEval's γ reader (pandas), the effect check's span finders (the
# audit's job: harness/pipeline/audit_stage.py).
LOAD_DIFFICULTY = Lazy("benchmarks.alpaca_eval.upstream:load_difficulty")
EFFECT_PREPARE = Lazy("harness.pipeline.effect:prepare")
EFFECT_EXECUTE = Lazy("harness.pipeline.effect:execute")
EFFECT_PRESAMPLE = Lazy("harness.pipeline.effect:presample")
PRESAMPLED = Lazy("harness.pipeline.effect_ahead:presampled")


def run_and_finish(run: Run, options: RunOptions) -> RunOutcome:
    """Every stage of one run, then its audit and report (:data:`harness.pipeline.runner.STAGES`)."""
    reset_usage()
    run_stages([run], options)
    return finish(run, options)


def judge_probe(run: Run) -> tuple[Endpoint, ...]:
    """The judge endpoint the model's client probes with its own before its first request, so that a
    dead or wrong ``openai:`` judge stops the run before the model generates for minutes (a local or
    vLLM judge is started, and checked, when the judge stage needs it)."""
    spec = run.judge_spec
    return (resolve_openai(spec),) if spec.kind == "openai" else ()


def _cache(options: RunOptions) -> Cache | None:
    return None if options.no_cache else Cache.at(options.cache_path)


def _client(endpoint: Endpoint, role: str, cache: Cache | None, options: RunOptions,
            probe: tuple[Endpoint, ...] = ()) -> Client | RayClient:  # fmt: skip
    ray = None
    if options.backend == "ray":
        from harness.backends.ray_data import RayOptions

        ray = RayOptions(address=options.ray_address, processor=cast(Any, options.ray_processor),
                         concurrency=options.ray_concurrency, max_connections=options.max_connections, timeout=options.timeout,
                         max_retries=options.max_retries)  # fmt: skip
    return open_client(endpoint, role=role, cache=cache, backend=options.backend, ray=ray,
                       max_connections=options.max_connections, timeout=options.timeout,
                       max_retries=options.max_retries, probe=(endpoint, *probe))  # fmt: skip


def _sampling_for(config: RunConfig) -> Any:
    bench = get_benchmark(config.benchmark)

    def params(item: Item) -> SamplingParams:
        base = bench.sampling(item)
        if config.max_tokens is not None and (base.max_tokens is None or base.max_tokens > config.max_tokens):
            base = replace(base, max_tokens=config.max_tokens)
        return base

    return params


@contextlib.contextmanager
def _endpoint(spec: EndpointSpec, held: dict[str, Endpoint], options: RunOptions) -> Iterator[Endpoint]:
    """Reuse an endpoint already resolved for the same spec (one local server for model and judge)."""
    if str(spec) in held:
        yield held[str(spec)]
        return
    if options.backend == "ray" and options.ray_processor == "vllm":  # engines on the cluster: no server
        from harness.backends.ray_data import engine_endpoint

        yield engine_endpoint(spec)
        return
    if options.backend == "ray" and spec.kind == "openai":  # Ray's processors do not probe: now, once
        endpoint = resolve_openai(spec)
        preflight_all(endpoint.replicas or (endpoint.base_url,), endpoint.model, endpoint.api_key)

    with resolve(spec) as endpoint:
        held[str(spec)] = endpoint
        try:
            yield endpoint
        finally:
            del held[str(spec)]


def generate_stage(runs: list[Run], stack: contextlib.ExitStack, held: dict[str, Endpoint],
                   cache: Cache | None, options: RunOptions) -> None:  # fmt: skip
    """Generate every run's missing outputs. With the plain client the runs go one after another, each
    model's server up only while it generates (unless it is also the judge: ``stack`` keeps it for the
    judge stage). With ``--backend ray`` every run's requests go into one Ray Data pipeline per round,
    so all endpoints are resolved together."""
    todo = []
    for run in runs:
        if run.copy_outputs:
            continue
        run.session["generate"] = asdict(GenerateSummary(len(run.items), len(run.items), 0, 0))
        if run.missing_outputs():  # a finished run starts no server
            todo.append(run)
    if not todo:
        return
    if options.backend == "ray":  # every run's requests in one Ray pipeline: all endpoints up together
        with contextlib.ExitStack() as own:
            endpoints = {
                str(r.model_spec): _enter(r.model_spec, r.judge_spec, stack, held, options, own=own)
                for r in todo
            }
            asyncio.run(_generate([(r, endpoints[str(r.model_spec)]) for r in todo], cache, options))
        return
    for run in todo:
        with contextlib.ExitStack() as own:
            endpoint = _enter(run.model_spec, run.judge_spec, stack, held, options, own=own)
            asyncio.run(_generate([(run, endpoint)], cache, options))


def _enter(spec: EndpointSpec, judge_spec: EndpointSpec, stack: contextlib.ExitStack, held: dict[str, Endpoint],
           options: RunOptions, *, own: contextlib.ExitStack | None = None) -> Endpoint:  # fmt: skip
    """The endpoint of ``spec``; its server lives on ``stack`` (the whole command) when the judge is the
    same endpoint or no shorter-lived ``own`` stack is given, else on ``own``."""
    target = stack if own is None or str(spec) == str(judge_spec) else own
    return target.enter_context(_endpoint(spec, held, options))


async def _generate(jobs: list[tuple[Run, Endpoint]], cache: Cache | None, options: RunOptions) -> None:

    clients = [
        _client(endpoint, run.role("model"), cache, options, judge_probe(run)) for run, endpoint in jobs
    ]
    try:
        params = [_sampling_for(run.config) for run, _ in jobs]
        await prefetch([
            (client, functools.partial(generation_units, run.items, run.store, model=run.config.model_name, params=p))
            for (run, _), client, p in zip(jobs, clients, params, strict=True)
        ])  # fmt: skip
        for (run, _), client, p in zip(jobs, clients, params, strict=True):
            # cast: Client.counters became a read-only property; ChatClient still declares a plain attribute
            summary = await generate_with_progress(
                run.items, cast(ChatClient, client), run.store, model=run.config.model_name, params=p,
                max_in_flight=options.max_connections, label=run.label("generate"),
            )  # fmt: skip
            run.gen_errors = summary.errors
            run.session["generate"] = asdict(summary)
    finally:
        for client in clients:
            await client.aclose()


def plan(items: list[Item], config: RunConfig, store: RunStore) -> list[JudgeTask]:
    """The judge tasks for the model's finished outputs (MT-Bench judges each turn, as FastChat does)."""
    bench = get_benchmark(config.benchmark)
    outputs = {
        o.item_id: o for o in store.load("outputs", Output) if o.model == config.model_name and is_final(o)
    }

    def baselines_for(item: Item) -> tuple[str, ...]:
        return config.baselines or bench.baselines_for(item)

    multi_turn = judges_each_turn(config.judge_config)
    return plan_tasks(items, outputs, JudgeSet(config), baselines_for, multi_turn=multi_turn,
                      checklists=questions_by_item(store))  # fmt: skip


def planned(run: Run) -> list[JudgeTask]:
    """:func:`plan` of the run, once: the judge and effect stages read the same finished outputs."""
    if run.tasks is None:
        run.tasks = plan(run.items, run.config, run.store)
    return run.tasks


def judge_stage(runs: list[Run], stack: contextlib.ExitStack, held: dict[str, Endpoint],
                cache: Cache | None, options: RunOptions) -> None:  # fmt: skip
    """Judge every run's pending tasks on the runs' one judge endpoint (started once for all of them;
    with ``--backend ray`` all runs' judge requests share one Ray Data pipeline per round). A TICK run
    first gets the checklists its items lack (:mod:`harness.pipeline.checklists`)."""
    checklist_stage(runs, stack, held, cache, options)
    jobs = []
    for run in runs:
        tasks = planned(run)
        run.session["judge"] = asdict(JudgeSummary(len(tasks), len(tasks), 0, 0, 0))
        if pending(tasks, run.store):
            jobs.append((run, tasks))
    if not jobs:
        return
    specs = {str(run.judge_spec) for run, _ in jobs}
    if len(specs) != 1:
        raise BadInput("--judge", f"the runs of one command share one judge; got {', '.join(sorted(specs))}")
    judge_spec = jobs[0][0].judge_spec
    endpoint = stack.enter_context(_endpoint(judge_spec, held, options))
    asyncio.run(_judge(jobs, endpoint, cache, options))


def checklist_stage(runs: list[Run], stack: contextlib.ExitStack, held: dict[str, Endpoint],
                    cache: Cache | None, options: RunOptions) -> None:  # fmt: skip
    """Ask the judge for the checklist of every item of a TICK run that has none stored yet (items with
    an output only: an item nobody answered needs no checklist)."""
    jobs = []
    for run in runs:
        judges = JudgeSet(run.config)
        if judges.checklist is None:
            continue
        answered = finished_ids(run.store, run.config.model_name)
        todo = [i for i in missing_checklists(run.items, run.store) if i.item_id in answered]
        if todo:
            jobs.append((run, judges.checklist, judges.judge_id(judges.base), todo))
    if not jobs:
        return
    endpoint = stack.enter_context(_endpoint(jobs[0][0].judge_spec, held, options))

    async def generate() -> None:
        for run, judge, ident, todo in jobs:
            client = _client(endpoint, run.role("judge"), cache, options)
            try:
                run.api_errors += await checklists_with_progress(
                    todo, judge, ident, client.chat, client.counters, run.store,
                    max_in_flight=options.max_connections, label=run.label("checklists"),
                )  # fmt: skip
            finally:
                await client.aclose()

    asyncio.run(generate())


async def _judge(jobs: list[tuple[Run, list[JudgeTask]]], endpoint: Endpoint, cache: Cache | None,
                 options: RunOptions) -> None:  # fmt: skip

    clients = [_client(endpoint, run.role("judge"), cache, options) for run, _ in jobs]
    watch = [asyncio.create_task(_on_first_request(client.counters, functools.partial(spawn_ahead, run, options)))
             for (run, _), client in zip(jobs, clients, strict=True) if run.ahead]  # fmt: skip
    try:
        await prefetch([
            (client, functools.partial(judge_units, tasks, run.store))
            for (run, tasks), client in zip(jobs, clients, strict=True)
        ])  # fmt: skip
        for (run, tasks), client in zip(jobs, clients, strict=True):
            summary = await judge_with_progress(
                tasks,
                client.chat,
                client.counters,
                run.store,
                max_in_flight=options.max_connections,
                label=run.label("judge"),
                probe=probe_for(pending(tasks, run.store), options.max_unscored),
            )
            run.api_errors += summary.api_errors
            run.session["judge"] = asdict(summary)
    finally:
        for task in watch:
            task.cancel()
        for client in clients:
            await client.aclose()


async def _on_first_request(counters: RoleCounters, start: Callable[[], None]) -> None:
    """``start()`` once a request has crossed the network (not when every answer comes from the cache)."""
    while not counters.requests:
        await asyncio.sleep(0.01)
    start()


def effect_stage(runs: list[Run], stack: contextlib.ExitStack, held: dict[str, Endpoint],
                 cache: Cache | None, options: RunOptions, ahead: AuditsAhead | None = None) -> None:  # fmt: skip
    """The effect check of every run (:mod:`harness.pipeline.effect`): after judging, suspicious and
    sampled items are judged again without their non-answer text, on the same judge endpoint and through
    the same client (cached, counted under the judge role). The judge's endpoint is entered on the first
    call only, so a re-run that reuses ``effect.json`` starts no server. ``ahead``: the audits started
    before the judge calls (:func:`start_audits`), awaited here."""
    jobs = []
    for run in runs:
        started = ahead.started.get(id(run)) if ahead is not None else None
        # its outputs as before judging (the effect check reads no judgment from it): read once
        data = ahead.read.get(id(run)) if ahead is not None else None
        data = data if data is not None else load_run(run.store.dir)
        if not data.outputs:
            continue
        result, known = None, None
        audited = {a.item_id: a for a in audit_items(run.items, data.outputs)}
        if ahead is not None and ahead.audits is not None and started is not None:
            result = functools.partial(ahead.audits.result, started[1])
            if options.effect.enabled:  # while the workers finish: the sample's likely spans
                known = EFFECT_PRESAMPLE.load()(audited, options.effect, run.config.seed)
        elif run.presample is not None:  # computed by a worker while the judge answered
            known = PRESAMPLED.load()(run.presample)
        run.audit = static_audit(data, run.items, options, cache, result, run)
        key = _effect_key(run, options) if cache is not None else None
        stored = cache.get_derived(key) if cache is not None and key is not None else None
        if stored is not None:  # the same records were checked by the same code before: its effect.json
            atomic.write_text(
                run.store.dir / EFFECT_FILE, json.dumps(stored, indent=2, ensure_ascii=False) + "\n"
            )
            continue
        tasks = planned(run)
        prepared = EFFECT_PREPARE.load()(
            tasks, run.audit, audited, run.store.dir, options.effect, run.config.seed, known
        )
        jobs.append((run, prepared, audited, key))

    async def check() -> None:
        for run, prepared, audited, key in jobs:
            clients: list[Client | RayClient] = []

            async def chat(request: Any, run: Run = run, clients: list[Client | RayClient] = clients) -> Any:
                if not clients:
                    endpoint = stack.enter_context(_endpoint(run.judge_spec, held, options))
                    clients.append(_client(endpoint, run.role("judge"), cache, options))
                return await clients[0].chat(request)

            try:
                doc = await EFFECT_EXECUTE.load()(prepared, audited, run.store, chat, options.effect,
                                                  max_in_flight=options.max_connections)  # fmt: skip
                if cache is not None and key is not None:
                    cache.put_derived(key, "effect", doc)
            finally:
                for client in clients:
                    await client.aclose()

    if jobs:
        asyncio.run(check())


def _effect_key(run: Run, options: RunOptions) -> str | None:
    """The hash of everything the effect check reads (:func:`harness.pipeline.derived.effect_key`)."""
    info = run.store.read_run_json()
    if info is None:
        return None
    return effect_key(
        run.store.dir, info.config, info.dataset, asdict(options.effect), options.audit_embeddings
    )


def _counter_json(c: RoleCounters) -> dict[str, int]:
    return {"requests": c.requests, "cache_hits": c.cache_hits, "retries": c.retries, "errors": c.errors}


def check_inputs(config: RunConfig, cache: Cache | None = None) -> None:
    """The local files the statistic reads (``--lc-difficulty``), read now: a bad one is refused before
    any server starts or any request is made. A complete run answered from its report skips this: its
    report's input hash holds each such file's size and modification time, read when it was computed.
    With a cache, a file read and found good before (same path, size and modification time, same code)
    is not read again (:func:`harness.pipeline.derived.input_check_key`)."""
    if config.lc_difficulty is None:
        return
    key = input_check_key("lc_difficulty", config.lc_difficulty)
    if cache is not None and cache.get_derived(key) is not None:
        return
    LOAD_DIFFICULTY.load()(config.lc_difficulty)
    if cache is not None:
        cache.put_derived(key, "input_check", {"path": config.lc_difficulty})


def run_stages(runs: list[Run], options: RunOptions) -> None:
    """Generate, then judge, every run; then close each run with its status and request counters in
    run.json. Nothing already stored is lost on any error: every record was appended as it finished."""

    cache = _cache(options)
    try:
        for run in runs:
            check_inputs(run.config, cache)
    except BaseException:
        if cache is not None:
            cache.close()
        raise
    held: dict[str, Endpoint] = {}
    status = "failed"
    try:
        with contextlib.ExitStack() as stack:
            generate_stage(runs, stack, held, cache, options)
            ahead = start_audits(runs, options, cache)  # audited while the judge answers
            if ahead.audits is not None:
                stack.callback(ahead.audits.close)
            judge_stage(runs, stack, held, cache, options)
            effect_stage(runs, stack, held, cache, options, ahead)
        status = "finished"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        usage = usage_by_role()
        for run in runs:
            roles = ("judge",) if run.copy_outputs else ("model", "judge")
            run.session["requests"] = {
                role: _counter_json(usage.get(run.role(role), RoleCounters())) for role in roles
            }
            incomplete = status == "finished" and (run.gen_errors or run.api_errors)
            run.store.finish_run("incomplete" if incomplete else status, run.session)
            run.store.close()
        close = getattr(cache, "close", None)
        if callable(close):
            close()


def finish(run: Run, options: RunOptions) -> RunOutcome:
    """Audit the run's outputs and write its report (from the stored records alone). A complete run's
    report carries the hash of its inputs (:mod:`harness.pipeline.derived`), so that a re-run that finds
    them unchanged answers from it (:func:`reuse_report`)."""
    run_dir = run.store.dir
    audit_run(run_dir, run.items, options, run.audit)
    statistic = start_statistic(run.statistic, run_dir)  # its worker reads the records meanwhile, if any
    data = load_run(run_dir)  # after audit.json: the records and flags the report is computed from
    key = None
    missing = {i.item_id for i in run.items} - set(data.outputs)  # items without a finished output
    if not run.gen_errors and not run.api_errors and not missing:
        info = run.store.read_run_json()
        key = report_key(run_dir, info.config, info.dataset, _option_fields(options)) if info else None
    cache = _cache(options)
    try:
        report = report_for(run_dir, options.prices, run.session, options.max_unscored, inputs_key=key,
                            cache=cache, data=data, worker=statistic)  # fmt: skip
    finally:
        if cache is not None:
            cache.close()
    return RunOutcome(report, *_closing(run, report))
