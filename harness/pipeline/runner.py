"""The score pipeline end to end: items -> outputs -> judgments -> scores -> report, each stage resumable.

Order is chosen for the user's sake: everything that can be wrong with the input (benchmark, data, judge
config and template, endpoint specs, run directory config) is checked before any server starts or any
request is made; the model's server lives only while it generates, unless the judge is the same endpoint,
in which case one server serves both (``--model local --judge local`` starts llama.cpp once). The report is
recomputed from the stored records (:func:`harness.scoring.evaluate.evaluate`), so a re-run of the same
command on the same run directory makes zero requests and prints the same figures.

This module opens a run and decides whether anything is left to do: a complete run directory whose
report is current (:func:`reuse_report`) is answered from report.json without loading the stages. The
stages themselves (generation, judging, the audit, the effect check, the statistic and the report:
:mod:`harness.pipeline.stages`, with the scoring stack, the HTTP stack and the audit's detectors) are a
lazy ``"module:object"`` entry (:data:`STAGES`), loaded only when there is something to build.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks import get_benchmark
from harness.endpoints import EndpointSpec, parse_endpoint_spec, resolve_openai
from harness.errors import BadInput
from harness.failures import causes_line, run_failures
from harness.generate import finished_ids
from harness.pipeline.audit_workers import spawn_audit
from harness.pipeline.checklists import read_checklist_file, store_file_checklists
from harness.pipeline.costs import Price
from harness.pipeline.derived import REPORT_KEY, report_key
from harness.pipeline.effect_file import EffectOptions
from harness.pipeline.guard import DEFAULT_MAX_UNSCORED, gate_line
from harness.pipeline.report import write_report
from harness.pipeline.worker import Worker, worthwhile
from harness.records import Item, Output
from harness.registry import Lazy
from harness.run.config import JudgeSet, RunConfig, is_checklist_judge
from harness.run.on_flag import read_disqualified
from harness.store import RunStore, is_final

if TYPE_CHECKING:
    from harness.audit.findings import AuditReport
    from harness.pipeline.judging import JudgeTask

# (Run, RunOptions) -> RunOutcome: every stage, then the audit and the report (what is left to build)
STAGES = Lazy("harness.pipeline.stages:run_and_finish")
# The run's audit key, and whether the cache holds that audit (loaded, with the audit's input types, only
# when there is something to build)
AUDIT_KEY = Lazy("harness.pipeline.audit_file:stored_audit_key")
AUDIT_CACHED = Lazy("harness.pipeline.audit_file:audit_cached")
# (RunConfig) -> Worker: the statistic's worker, warming up while the judge answers (harness.pipeline.figures)
SPAWN_STATISTIC = Lazy("harness.pipeline.figures:spawn_statistic")
# (run_dir, items, model, EffectOptions, seed) -> Worker: the effect check's spans (harness.pipeline.effect_ahead)
SPAWN_PRESAMPLE = Lazy("harness.pipeline.effect_ahead:spawn_presample")


@dataclass(frozen=True)
class RunOptions:
    """How to run (not what): these never change a record, so they are not part of the run config."""

    max_connections: int = 64
    cache_path: Path | None = None
    no_cache: bool = False
    max_retries: int = 8
    timeout: float = 600.0
    prices: dict[str, Price] = field(default_factory=dict)
    subset: bool = False  # accept a data file with fewer items than upstream
    backend: str = "client"  # where model calls run: harness.backends.BACKENDS
    ray_address: str | None = None  # --backend ray: the cluster (None: a local instance)
    ray_processor: str = "http"  # --backend ray: harness.backends.ray_data.PROCESSORS
    ray_concurrency: int = 1  # --backend ray: actors per stage
    audit_embeddings: bool = False  # the audit's embedding relevance check (loads MiniLM)
    max_unscored: float = DEFAULT_MAX_UNSCORED  # headline check and protocol probe (harness.pipeline.guard)
    effect: EffectOptions = field(default_factory=EffectOptions)  # the effect check (harness.pipeline.effect)


@dataclass
class RunOutcome:
    report: dict[str, Any]
    exit_code: int
    messages: list[str]


def model_name_of(spec: EndpointSpec) -> str:
    """A readable model name from a spec: the served name, or a checkpoint directory's last part."""
    return Path(spec.model).name if spec.kind == "vllm" else spec.model


def default_run_dir(benchmark: str, model: str, suffix: str = "") -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("_")[-40:]
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{benchmark}-{slug}{suffix}-{stamp}"


def load_items(config: RunConfig, options: RunOptions) -> list[Item]:
    bench = get_benchmark(config.benchmark)
    return bench.load(config.data, version=config.version, limit=config.limit, check_count=not options.subset)


def check_judge_spec(spec: EndpointSpec) -> None:
    """An ``openai:`` judge without a key fails now, before anything is written. Whether it is alive
    and OpenAI-compatible is probed before the first request of the run that crosses the network
    (:func:`harness.pipeline.stages.judge_probe`): a run answered from its records or the cache probes nothing."""
    if spec.kind == "openai":
        resolve_openai(spec)


def check_baselines(config: RunConfig, items: list[Item]) -> None:
    """A pairwise judge needs every item's baseline answer: refused now, not after the model generated."""
    bench = get_benchmark(config.benchmark)
    for item in items:
        names = config.baselines or bench.baselines_for(item)
        if not names:
            raise BadInput("--baseline", f"a pairwise judge on {config.benchmark} needs a baseline model")
        missing = [name for name in names if not item.baselines.get(name)]
        if missing:
            have = ", ".join(sorted(item.baselines)) or "none"
            raise BadInput(
                f"item {item.item_id}",
                f"no answer of baseline {missing[0]!r} to compare against (answers here: {have}; "
                "MT-Bench reads them from model_answer/<model>.jsonl beside question.jsonl in --data)",
            )


def dataset_of(config: RunConfig, items: list[Item]) -> dict[str, Any]:
    """run.json's ``dataset``: where the items come from and which they are."""
    return {
        "id": config.data or get_benchmark(config.benchmark).spec.version(config.version).source,
        "n": len(items),
        "item_ids": [item.item_id for item in items],
    }


def start_run(store: RunStore, command: str, config: RunConfig, items: list[Item]) -> None:
    """run.json (refused if the directory holds another run), the items and the baselines' answers as
    Outputs, so that the run directory alone is enough to recompute every figure and to read every item."""
    store.write_run_json(
        command=command, config=config.to_json(), dataset=dataset_of(config, items),
        seeds={"position": config.seed},
    )  # fmt: skip
    have = {(o.item_id, o.model) for o in store.load("outputs", Output)}
    stored = {i.item_id for i in store.load("items", Item)}
    bench = get_benchmark(config.benchmark)
    new_items: list[Item] = []
    new_outputs: list[Output] = []
    for item in items:
        names = config.baselines or bench.baselines_for(item)
        if item.item_id not in stored:  # the instructions, so the run can be read alone (harness view)
            used = {name: turns for name, turns in item.baselines.items() if name in names}
            new_items.append(item.model_copy(update={"baselines": used}))
        for name in names:
            turns = item.baselines.get(name)
            if turns and (item.item_id, name) not in have:
                new_outputs.append(Output(item_id=item.item_id, model=name, turns=list(turns)))
    store.append_many("items", new_items)  # one fsync for all, not one per record
    store.append_many("outputs", new_outputs)


@dataclass
class Run:
    """One run directory being worked on by this process: its config, items and open store. A sweep
    holds several; ``role_prefix`` keeps each run's request counters apart (``""`` for a single run)."""

    config: RunConfig
    items: list[Item]
    store: RunStore
    role_prefix: str = ""
    copy_outputs: bool = False  # ``harness judge``: the outputs were copied in, nothing is generated
    session: dict[str, Any] = field(default_factory=dict)
    gen_errors: int = 0
    api_errors: int = 0
    audit: AuditReport | None = None  # the static audit, once computed (the effect stage needs it first)
    current: dict[str, Any] | None = None  # report.json, when it is current for this invocation's inputs
    workers: tuple[Worker, ...] = ()
    statistic: Worker | None = None  # the statistic's worker, spawned ahead (harness.pipeline.figures)
    tasks: list[JudgeTask] | None = None  # the judge tasks, once planned (after generation and checklists)
    presample: Worker | None = None  # the effect check's spans, ahead (harness.pipeline.effect_ahead)
    ahead: bool = False  # spawn those two when the first judge call crosses the network (spawn_ahead)
    # the static audit's cache key and the template texts it covers, once computed (the outputs it covers
    # do not change after generation: harness judge computes it before the stages, they reuse it)
    audit_key: tuple[str, list[str]] | None = (
        None  # the audit's workers, spawned ahead (harness.pipeline.audit_job)
    )

    @property
    def model_spec(self) -> EndpointSpec:
        return parse_endpoint_spec(self.config.model)

    @property
    def judge_spec(self) -> EndpointSpec:
        return parse_endpoint_spec(self.config.judge, option="--judge")

    def role(self, name: str) -> str:
        return self.role_prefix + name

    def label(self, stage: str) -> str:
        """The progress bar's label: the stage, and in a sweep the model it is working on."""
        return f"{stage} {self.config.model_name}" if self.role_prefix else stage

    def missing_outputs(self) -> bool:
        return bool({i.item_id for i in self.items} - finished_ids(self.store, self.config.model_name))


def open_run(command: str, config: RunConfig, items: list[Item], run_dir: Path, *,
             copy_outputs_from: Path | Sequence[Output] | None = None, role_prefix: str = "",
             reuse: RunOptions | None = None) -> Run:  # fmt: skip
    """Check the judge config and specs, then write (or re-read) run.json: nothing starts before this.
    With ``reuse`` (this invocation's options), a run directory whose report is current for them
    (:func:`current_report`) is opened without re-reading its records: its items, baselines' answers and
    copied outputs are all stored already (the report's key covers them, and it is only written for a
    complete run), so :func:`reuse_report` answers from it."""
    judges = JudgeSet(config)  # judge config and template errors surface before anything is written
    if judges.pairwise:
        check_baselines(config, items)
    parse_endpoint_spec(config.model)
    if config.checklists is not None:
        read_checklist_file(Path(config.checklists))  # a bad file is refused before run.json is written
    store = RunStore(run_dir)
    store.lock()  # one writer per run directory, before any probe or request (harness/runlock.py)
    check_judge_spec(parse_endpoint_spec(config.judge, option="--judge"))
    copies = copy_outputs_from is not None
    dataset = dataset_of(config, items)
    current = current_report(store, config.to_json(), dataset, reuse) if reuse is not None else None
    if current is not None:  # every record is there: only this invocation's session is added to run.json
        store.write_run_json(
            command=command, config=config.to_json(), dataset=dataset, seeds={"position": config.seed}
        )
        return Run(config, items, store, role_prefix, copy_outputs=copies, current=current)
    start_run(store, command, config, items)
    tick = ("checklists",) if is_checklist_judge(config.judge_config) else ()
    store.open_files("outputs", "judgments", *tick)  # before any request (harness/client/_fds.py)
    if config.checklists is not None:
        uncovered = store_file_checklists(store, Path(config.checklists), items)
        if uncovered:
            print(f"harness: {config.checklists} has no checklist for {uncovered} item(s); "
                  "the judge writes theirs", file=sys.stderr)  # fmt: skip
    if copy_outputs_from is not None:
        _copy_outputs(copy_outputs_from, store, config.model_name)
    return Run(config, items, store, role_prefix, copy_outputs=copies)


def _closing(run: Run, report: dict[str, Any]) -> tuple[int, list[str]]:
    """The exit code and the closing lines of a run (errors to retry, a disqualified submission, a
    failed headline check)."""
    messages = []
    if run.gen_errors:
        messages.append(f"{run.gen_errors} outputs failed to generate; re-run the same command to retry them")
    if run.api_errors:
        messages.append(
            f"{run.api_errors} judgments failed with an API error; re-run the same command to retry"
        )
    if messages and (line := causes_line(run_failures(run.store, run.config.model_name))):
        messages.append(line)
    disqualified = read_disqualified(run.store.dir)
    if disqualified and run.config.on_flag != "keep":
        messages.append(
            f"the audit disqualified this submission ({'; '.join(disqualified)}); every item is scored "
            f"under --on-flag {run.config.on_flag} (audit.json; --on-flag keep scores it as it is)"
        )
    gate = gate_line(report["gate"])
    if gate is not None:
        messages.append(gate)
    return (1 if messages else 0), messages


def _option_fields(options: RunOptions) -> dict[str, Any]:
    """The options that change a figure of the report (the rest say how to run, not what)."""
    return {"prices": options.prices, "max_unscored": options.max_unscored,
            "audit_embeddings": options.audit_embeddings, "effect": options.effect}  # fmt: skip


def current_report(
    store: RunStore, config: dict[str, Any], dataset: dict[str, Any], options: RunOptions
) -> dict[str, Any] | None:
    """report.json of a complete run whose report is current: it holds the hash of the same inputs
    (records, ``config`` and ``dataset`` as this invocation has them, audit and effect files, options,
    code version), so no stage has anything to do and every figure would come out the same. None when
    anything changed, or the run was not complete (its report then holds no key)."""
    try:
        stored = json.loads((store.dir / "report.json").read_text())
    except (FileNotFoundError, ValueError):
        return None
    if not isinstance(stored, dict) or not stored.get(REPORT_KEY):
        return None
    if stored[REPORT_KEY] != report_key(store.dir, config, dataset, _option_fields(options)):
        return None
    return stored


def reuse_report(run: Run, options: RunOptions) -> RunOutcome | None:
    """The outcome of a run opened on a current report (:func:`current_report`): that report, with only
    this invocation's session recorded (0 requests). None when the run has something to build."""
    stored = run.current
    if stored is None:
        return None
    zeros = {"requests": 0, "cache_hits": 0, "retries": 0, "errors": 0}
    roles = ("judge",) if run.copy_outputs else ("model", "judge")
    session = {"reused_report": True, "requests": {role: dict(zeros) for role in roles}}
    stored["session"] = session
    write_report(run.store.dir, stored)
    run.store.finish_run("finished", session)
    run.store.close()
    return RunOutcome(stored, *_closing(run, stored))


def execute(
    command: str,
    config: RunConfig,
    items: list[Item],
    run_dir: Path,
    options: RunOptions,
    *,
    copy_outputs_from: Path | Sequence[Output] | None = None,
) -> RunOutcome:
    """Run (or resume) one score/judge run and write its report. ``copy_outputs_from``: ``harness judge``
    takes the model's outputs from that run directory (or these outputs, read from an answer file)
    instead of generating."""

    run = open_run(command, config, items, run_dir, copy_outputs_from=copy_outputs_from, reuse=options)
    reused = reuse_report(run, options)
    if reused is not None:  # a complete run whose inputs did not change: nothing to rebuild
        return reused
    if run.copy_outputs and worthwhile(len(items)):
        if not _audit_cached(run, options):
            run.workers = spawn_audit()  # the outputs are there: the audit can start now
        else:  # no audit to run: once a judge call crosses the network, the other core has time to spare
            run.ahead = True
    try:
        stages: Callable[[Run, RunOptions], RunOutcome] = STAGES.load()
        return stages(run, options)
    finally:
        for worker in (*run.workers, *filter(None, [run.statistic, run.presample])):
            worker.close()


def spawn_ahead(run: Run, options: RunOptions) -> None:
    """The workers of a ``harness judge`` run whose audit the cache holds: the statistic's and the effect
    check's spans (:mod:`harness.pipeline.figures`, :mod:`harness.pipeline.effect_ahead`). Spawned when the
    first judge call crosses the network, so that their loading fits in the waits on the judge; a run
    answered from the cache (a cached re-run) spawns none, and computes what little it must here."""
    run.statistic = SPAWN_STATISTIC.load()(run.config)
    if options.effect.enabled:
        c = run.config
        run.presample = SPAWN_PRESAMPLE.load()(run.store.dir, run.items, c.model_name, options.effect, c.seed)


def _audit_cached(run: Run, options: RunOptions) -> bool:
    """Whether the response cache holds the run's audit already (:func:`harness.pipeline.audit_file.audit_cached`)."""
    if options.no_cache:
        return False
    run.audit_key = AUDIT_KEY.load()(run.store, run.items, run.config, options.audit_embeddings)
    cached: Callable[[str, Path | None], bool] = AUDIT_CACHED.load()
    return cached(run.audit_key[0], options.cache_path)


def _copy_outputs(source: Path | Sequence[Output], store: RunStore, model: str) -> None:
    """The model's finished outputs of ``source`` (a run directory, or outputs read from an answer file)
    into this run (once: already copied ones are kept)."""
    have = {o.item_id for o in store.load("outputs", Output) if o.model == model and is_final(o)}
    outputs = RunStore(source).load("outputs", Output) if isinstance(source, Path) else source
    todo = [o for o in outputs if o.model == model and is_final(o) and o.item_id not in have]
    store.append_many("outputs", todo)
    copied = len(todo)
    if copied:
        where = source if isinstance(source, Path) else "the answer file"
        print(f"harness: copied {copied} outputs of {model} from {where}", file=sys.stderr)
