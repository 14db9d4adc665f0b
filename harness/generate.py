"""The generation stage: items -> outputs, resumable, concurrent, one stored record per finished item.

``generate_outputs`` is the reusable core (``harness generate`` calls it with prompt-file items,
``harness score`` with benchmark items and per-item sampling, e.g. MT-Bench's per-category
temperatures). Its contract, after inspect_ai's per-sample resume (docs/design.md, "Resume contract"):

- items whose final Output is already in ``outputs.jsonl`` are skipped: re-running the same command
  makes no request for them;
- the rest run concurrently through the one :class:`~harness.client.Client` (at most
  ``max_in_flight`` items at once; the client bounds HTTP connections itself);
- multi-turn items: turn k is sent with the earlier user turns *and the model's own earlier answers*
  (MT-Bench's protocol), so turn 2 depends on turn 1's text;
- each Output is appended (and fsync'ed) as soon as its last turn is back, so a ``kill -9`` loses only
  items in flight, and their finished turns are cache hits on the next run; the append runs in the
  writer thread the judge stage uses too (``harness/_writer.py``), so an fsync never stalls the
  requests in flight, and an item counts as done only once its Output is durable;
- an item whose request outlasts the retry budget (``RetriesExhausted``) is stored as an Output with
  ``error`` set, and retried by the next run; a fatal API error (bad key, unknown model) stops the run.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Protocol

from harness._writer import StoreWriter, write_all
from harness.client import ChatRequest, Completion, RetriesExhausted, RoleCounters, SamplingParams
from harness.progress import run_with_progress
from harness.records import Item, Output, TokenUsage
from harness.store import RunStore, is_final

ParamsFor = SamplingParams | Callable[[Item], SamplingParams]


class ChatClient(Protocol):
    """What the generation core needs from :class:`harness.client.Client`."""

    @property
    def counters(self) -> RoleCounters: ...

    async def chat(self, request: ChatRequest) -> Completion: ...


@dataclass(frozen=True)
class GenerateSummary:
    total: int
    skipped: int  # already finished in the run directory before this call
    generated: int  # finished by this call
    errors: int  # stored as error Outputs by this call (retried next time)


def generation_config_hash(model: str, params: SamplingParams, item: Item) -> str:
    """What, besides the user turns, decides the answer: model name, sampling, prior history."""
    if not item.history:  # most items: one hash per model and sampling, not one per item
        return _no_history_hash(model, params)
    return _config_hash(model, params, item.history)


@functools.lru_cache(maxsize=64)
def _no_history_hash(model: str, params: SamplingParams) -> str:
    return _config_hash(model, params, [])


def _config_hash(model: str, params: SamplingParams, history: list[dict[str, str]]) -> str:
    payload = {"model": model, "params": _params_dict(params), "history": history}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=list).encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=64)
def _params_dict(params: SamplingParams) -> dict[str, object]:
    """``asdict`` (a deep copy per call) once per distinct sampling, not once per item."""
    return asdict(params)


@dataclass
class _Answers:
    """The model's answers to one item's turns, before they become an :class:`Output`."""

    texts: list[str]
    finish_reasons: list[str | None]
    prompt_tokens: int = 0
    completion_tokens: int = 0
    error: str | None = None


async def _answer(client: ChatClient, item: Item, params: SamplingParams) -> _Answers:
    """All turns of one item, each turn seeing the model's earlier answers."""
    messages: list[dict[str, str]] = [dict(m) for m in item.history]
    got = _Answers([], [])
    for k, turn in enumerate(item.turns):
        if k:  # a turn of the loop first: the client's cache writes the answer before (put_soon), so a kill
            await asyncio.sleep(0)  # -9 while this turn is in flight re-sends this turn, never the last one
        messages.append({"role": "user", "content": turn})
        try:
            completion = await client.chat(ChatRequest.of(messages, params))
        except RetriesExhausted as exc:
            got.error = f"turn {len(got.texts) + 1}: {exc}"
            break
        got.texts.append(completion.text)
        got.finish_reasons.append(completion.finish_reason)
        got.prompt_tokens += completion.prompt_tokens
        got.completion_tokens += completion.completion_tokens
        messages.append({"role": "assistant", "content": completion.text})
    return got


def _output(item: Item, got: _Answers, *, model: str, params: SamplingParams) -> Output:
    return Output(
        item_id=item.item_id,
        model=model,
        turns=got.texts,
        finish_reasons=got.finish_reasons,
        usage=TokenUsage(prompt_tokens=got.prompt_tokens, completion_tokens=got.completion_tokens),
        generation_config_hash=generation_config_hash(model, params, item),
        error=got.error,
    )


async def generate_one(client: ChatClient, item: Item, *, model: str, params: SamplingParams) -> Output:
    """All turns of one item, each turn seeing the model's earlier answers, as its Output."""
    return _output(item, await _answer(client, item, params), model=model, params=params)


async def _after_dispatch() -> None:
    """Two turns of the event loop: one in which the items woken by the slots just freed start, one in
    which they send. Answers come back in bursts (256 within a millisecond at 256 in flight); an answer
    recorded before its freed slot's next request goes out delays that request by the recording of
    every answer of the burst, and the delays add up wave after wave."""
    await asyncio.sleep(0)
    await asyncio.sleep(0)


def finished_ids(store: RunStore, model: str) -> set[str]:
    return {o.item_id for o in store.load("outputs", Output) if o.model == model and is_final(o)}


async def generate_outputs(
    items: Sequence[Item],
    client: ChatClient,
    store: RunStore,
    *,
    model: str,
    params: ParamsFor,
    max_in_flight: int = 64,
    on_item_done: Callable[[int], None] | None = None,
) -> GenerateSummary:
    """Generate the Outputs missing from ``store`` for ``items``; returns what was done.

    ``on_item_done(n_finished_in_total)`` is called after each stored Output (for a progress bar).
    """
    done = finished_ids(store, model)
    todo = [item for item in items if item.item_id not in done]
    skipped = len(items) - len(todo)
    finished = skipped
    errors = 0
    limit = asyncio.Semaphore(max(1, max_in_flight))
    params_for: Callable[[Item], SamplingParams] = params if callable(params) else (lambda _item: params)

    async def run(writer: StoreWriter, item: Item) -> None:
        nonlocal finished, errors
        sampling = params_for(item)
        async with limit:
            got = await _answer(client, item, sampling)
        await _after_dispatch()  # dispatch first: the slot's next item sends before this answer is recorded
        output = _output(item, got, model=model, params=sampling)
        await writer.append([output])  # fsync'ed off the event loop (harness/_writer.py), then counted
        if output.error is None:
            finished += 1
        else:
            errors += 1
        if on_item_done is not None:
            on_item_done(finished)

    await write_all(store, "outputs", todo, run)
    return GenerateSummary(total=len(items), skipped=skipped, generated=finished - skipped, errors=errors)


async def generate_with_progress(
    items: Sequence[Item],
    client: ChatClient,
    store: RunStore,
    *,
    model: str,
    params: ParamsFor,
    max_in_flight: int = 64,
    label: str = "generate",
) -> GenerateSummary:
    """:func:`generate_outputs` with the progress bar on stderr, refreshed twice a second so that
    retries and cache hits show while requests are still in flight."""

    done = len(finished_ids(store, model) & {item.item_id for item in items})
    return await run_with_progress(
        label, len(items), done, client.counters,
        lambda on_done: generate_outputs(items, client, store, model=model, params=params,
                                         max_in_flight=max_in_flight, on_item_done=on_done),
    )  # fmt: skip
