"""GPU judge throughput (not a test): the harness judging through ``vllm serve`` against vLLM offline.

What it measures: AlpacaEval 2.0 at full size judged by a local model, 805 instructions x both orders =
1,610 pairwise prompts rendered by the harness's own judge (``load_judge("alpaca_eval_weighted_gpt4_turbo",
position="both")``: the upstream template, one-token logprob verdict, temperature 1, top_logprobs 5),
model outputs = ``claude-2.1``, baseline = ``gpt4_1106_preview`` (both from ../shared/data).

1. served: ``harness.serve.vllm_server`` starts ``vllm serve`` with the judge defaults (prefix caching,
   max logprobs 20, ...); the 1,610 judgments run through the judge protocol and ``harness.client.Client``
   (no cache), after a short warm-up. Judge tokens/s = (prompt + completion tokens) / wall seconds.
2. offline: the server is stopped, ``vllm.LLM`` is built with the same engine settings and
   ``LLM.chat`` answers the very same 1,610 conversations with the same sampling (same warm-up).
3. ratio = served tokens/s / offline tokens/s (same prompts, so the same token count); target >= 0.9.

Usage on a GPU machine (no network needed once the model is on disk)::

    HARNESS_JUDGE_TEMPLATE_DIR=../shared/data PYTHONPATH=. python bench/gpu_judge.py \\
        --model /models/Qwen2.5-7B-Instruct [--tp 1] [--max-connections 512] [--out result.json]

``--dry-run`` renders the prompts and prints the plan (counts, sizes, the server command line, the
offline engine settings) without vLLM or a GPU: what CI runs on CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
JUDGE = "alpaca_eval_weighted_gpt4_turbo"
MODEL_OUTPUTS = "claude-2.1"
WARMUP = 32
TARGET_RATIO = 0.9


@dataclass(frozen=True)
class Pair:
    item: Any  # harness.records.Item
    model: Any  # harness.records.Output (claude-2.1)
    baseline: Any  # harness.records.Output (gpt4_1106_preview)


def load_pairs(data: Path) -> list[Pair]:
    from benchmarks import get_benchmark
    from harness.pipeline.judging import baseline_output

    bench = get_benchmark("alpaca_eval")
    items = bench.load(data / "results" / "gpt4_1106_preview", check_count=True)
    outputs = {
        o.item_id: o
        for o in bench.load_outputs(data / "results" / MODEL_OUTPUTS / "model_outputs.json", items)
    }
    return [Pair(i, outputs[i.item_id], baseline_output(i, "gpt4_1106_preview")) for i in items]


def judge() -> Any:
    from judges import PairwiseJudge, load_judge

    found = load_judge(JUDGE, position="both")
    assert isinstance(found, PairwiseJudge)
    return found


def conversations(pairs: list[Pair]) -> list[list[dict[str, str]]]:
    """Both orders of every pair, as the judge renders them (model first, then baseline first)."""
    j = judge()
    out = []
    for p in pairs:
        out.append(j.messages(p.item, p.model.turns, p.baseline.turns))
        out.append(j.messages(p.item, p.baseline.turns, p.model.turns))
    return out


def engine_settings(tp: int, max_model_len: int) -> dict[str, Any]:
    """The engine settings both sides share (``vllm serve`` flags and ``vllm.LLM`` kwargs)."""
    return {
        "tensor_parallel_size": tp,
        "max_model_len": max_model_len,
        "enable_prefix_caching": True,
        "max_logprobs": 20,
        "logprobs_mode": "raw_logprobs",
        "generation_config": "vllm",
        "seed": 0,
    }


async def judge_served(pairs: list[Pair], base_url: str, model: str, connections: int) -> dict[str, Any]:
    from harness.client import Client
    from harness.endpoints import Endpoint

    j = judge()
    endpoint = Endpoint(base_url, model, api_key="EMPTY", spec=f"vllm:{model}")
    async with Client(
        endpoint, role="judge", cache=None, max_connections=connections, timeout=1200
    ) as client:
        await asyncio.gather(
            *(j.judge(client.chat, p.item, p.model, p.baseline) for p in pairs[: WARMUP // 2])
        )
        before = (client.counters.prompt_tokens, client.counters.completion_tokens, client.counters.requests)
        start = time.perf_counter()
        outcomes = await asyncio.gather(*(j.judge(client.chat, p.item, p.model, p.baseline) for p in pairs))
        wall = time.perf_counter() - start
        c = client.counters
        prompt, completion, requests = (c.prompt_tokens - before[0], c.completion_tokens - before[1],
                                        c.requests - before[2])  # fmt: skip
    judgments = [jd for o in outcomes for jd in o.judgments]
    return {
        "requests": requests,
        "judgments": len(judgments),
        "scored": sum(jd.status == "scored" for jd in judgments),
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "wall_s": wall,
        "tokens_per_s": (prompt + completion) / wall,
        "requests_per_s": requests / wall,
    }


def judge_offline(convs: list[list[dict[str, str]]], model: str, settings: dict[str, Any]) -> dict[str, Any]:
    from vllm import LLM, SamplingParams

    s = judge().sampling
    sampling = SamplingParams(temperature=s.temperature, max_tokens=s.max_tokens, logprobs=s.top_logprobs)
    llm = LLM(model=model, **settings)
    llm.chat(convs[:WARMUP], sampling, use_tqdm=False)
    start = time.perf_counter()
    results = llm.chat(convs, sampling, use_tqdm=False)
    wall = time.perf_counter() - start
    prompt = sum(len(r.prompt_token_ids or []) for r in results)
    completion = sum(len(r.outputs[0].token_ids) for r in results)
    return {
        "requests": len(results),
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "wall_s": wall,
        "tokens_per_s": (prompt + completion) / wall,
        "requests_per_s": len(results) / wall,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", help="judge model: a HF id already in the local cache, or a directory")
    parser.add_argument("--data", type=Path, default=SHARED / "alpaca_eval", help="AlpacaEval shared data")
    parser.add_argument("--tp", type=int, default=1, help="tensor-parallel size")
    parser.add_argument("--max-model-len", type=int, default=8192)
    parser.add_argument("--max-connections", type=int, default=512, help="client requests in flight")
    parser.add_argument("--out", type=Path, help="write the result JSON here too")
    parser.add_argument("--dry-run", action="store_true", help="render the prompts, print the plan, stop")
    args = parser.parse_args(argv)
    os.environ.setdefault("HARNESS_JUDGE_TEMPLATE_DIR", str(args.data.parent))

    pairs = load_pairs(args.data)
    convs = conversations(pairs)
    settings = engine_settings(args.tp, args.max_model_len)
    chars = sum(len(m["content"]) for c in convs for m in c)
    plan = {
        "judge": JUDGE,
        "pairs": len(pairs),
        "prompts": len(convs),
        "prompt_chars": chars,
        "prompt_tokens_estimate": chars // 4,
        "sampling": {k: v for k, v in vars(judge().sampling).items() if v is not None},
        "engine": settings,
    }
    if args.dry_run or not args.model:
        from harness.serve.vllm import vllm_command

        plan["serve_command"] = vllm_command(
            args.model or "MODEL", served_name=args.model or "MODEL", port=8000, device="gpu",
            tensor_parallel_size=args.tp, max_model_len=args.max_model_len,
        )  # fmt: skip
        print(json.dumps(plan, indent=2))
        if not args.dry_run:
            print("gpu_judge: --model is required for a measurement", file=sys.stderr)
            return 2
        return 0

    from harness.serve import vllm_server

    # vllm_server's command line carries the same settings: harness.serve.vllm.JUDGE_DEFAULTS + prefix caching
    server = vllm_server(
        args.model, device="gpu", tensor_parallel_size=args.tp, max_model_len=args.max_model_len
    )
    with server.start(timeout=1800):
        served = asyncio.run(judge_served(pairs, server.base_url, server.model, args.max_connections))
    offline = judge_offline(convs, args.model, settings)
    ratio = served["tokens_per_s"] / offline["tokens_per_s"]
    result = {**plan, "served": served, "offline": offline, "ratio": ratio, "target": TARGET_RATIO}
    print(json.dumps(result, indent=2))
    print(f"judge tokens/s: served {served['tokens_per_s']:.0f}, offline LLM.chat {offline['tokens_per_s']:.0f}, "
          f"ratio {ratio:.3f} (target >= {TARGET_RATIO})", file=sys.stderr)  # fmt: skip
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
