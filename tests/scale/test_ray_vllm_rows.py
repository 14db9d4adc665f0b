"""The ``vllm`` Ray processor's rows, without Ray or vLLM: the request row built as vLLM's OpenAI server
builds a chat request, the engine output row (shaped like ray.data.llm's ``vLLMOutputData``, as measured
on vLLM 0.32 / Ray 2.60) read back as the body that server would send, and the engine's resources on a
cluster with and without GPUs."""

from __future__ import annotations

import json
from typing import Any

from harness.backends.ray_data import RayOptions, _vllm_answer, _vllm_row, engine_settings
from harness.client._client import parse_completion


class StubTokenizer:
    """A chat template that wraps each message, and one token per character."""

    eos_token_id = 2

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def apply_chat_template(self, messages: list[dict[str, str]], **kwargs: Any) -> str:
        self.calls.append(kwargs)
        text = "".join(f"<{m['role']}>{m['content']}</>" for m in messages)
        return text + ("<assistant>" if kwargs.get("add_generation_prompt") else "")

    def __call__(self, text: str, add_special_tokens: bool = True) -> dict[str, list[int]]:
        return {"input_ids": ([1] if add_special_tokens else []) + [ord(c) for c in text]}


def request_row(**body: Any) -> dict[str, Any]:
    return {
        "key": "k1",
        "body": json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}], **body}),
    }


def test_request_row_is_templated_with_the_generation_prompt_and_no_extra_special_tokens() -> None:
    tokenizer = StubTokenizer()
    row = _vllm_row(request_row(temperature=0.0, max_tokens=16, stop=["\n"]), model="m", tokenizer=tokenizer)
    assert row["prompt"] == "<user>hi</><assistant>"
    assert row["tokenized_prompt"] == [ord(c) for c in "<user>hi</><assistant>"]  # no BOS added twice
    assert tokenizer.calls == [{"tokenize": False, "add_generation_prompt": True}]
    assert row["sampling_params"] == {"temperature": 0.0, "stop": ["\n"], "max_tokens": 16}
    assert (row["max_tokens"], row["top_logprobs"], row["eos_token_id"]) == (16, None, 2)


def test_request_row_sampling_follows_the_servers_defaults() -> None:
    tokenizer = StubTokenizer()
    # no max_tokens: None, not vLLM's SamplingParams default of 16
    assert _vllm_row(request_row(), model="m", tokenizer=tokenizer)["sampling_params"] == {"max_tokens": None}
    # logprobs without top_logprobs: only the sampled token's (the server's top_logprobs default is 0)
    row = _vllm_row(request_row(logprobs=True), model="m", tokenizer=tokenizer)
    assert row["sampling_params"]["logprobs"] == 0 and row["top_logprobs"] == 0
    row = _vllm_row(request_row(logprobs=True, top_logprobs=5, seed=3), model="m", tokenizer=tokenizer)
    assert row["sampling_params"] == {"seed": 3, "max_tokens": None, "logprobs": 5}


def output_row(tokens: list[int], text: str, *, max_tokens: int | None, top: int | None = None,
               logprobs: Any = None) -> dict[str, Any]:  # fmt: skip
    """What ``_vllm_answer`` receives: the request row's columns plus vLLMOutputData's."""
    return {
        "key": "k1", "max_tokens": max_tokens, "top_logprobs": top, "eos_token_id": 2,
        "prompt": "<user>hi</><assistant>", "prompt_token_ids": [1, 2, 3], "num_input_tokens": 37,
        "generated_tokens": tokens, "generated_text": text, "num_generated_tokens": len(tokens),
        "logprobs": logprobs, "__inference_error__": "",
    }  # fmt: skip


def answer(row: dict[str, Any]) -> dict[str, Any]:
    out = _vllm_answer(row)
    assert out["key"] == "k1" and out["kind"] == "ok"
    return dict(json.loads(out["payload"]))


def test_answer_is_a_chat_completion_with_the_servers_usage_and_finish_reason() -> None:
    body = answer(output_row([504, 2988, 2], "The answer", max_tokens=16))
    completion = parse_completion(body, cached=False)
    assert (completion.text, completion.finish_reason) == ("The answer", "stop")
    assert (completion.prompt_tokens, completion.completion_tokens) == (37, 3)
    assert body["choices"][0]["logprobs"] is None and completion.logprobs is None
    assert answer(output_row([5, 6, 7], "cut", max_tokens=3))["choices"][0]["finish_reason"] == "length"
    # EOS as the last allowed token: the model stopped (the server says "stop")
    assert answer(output_row([5, 6, 2], "ended", max_tokens=3))["choices"][0]["finish_reason"] == "stop"
    assert answer(output_row([5, 6, 7], "no cap", max_tokens=None))["choices"][0]["finish_reason"] == "stop"


def test_logprobs_list_the_sampled_token_first_then_by_rank_clamped_and_cut_at_top_logprobs() -> None:
    # vLLM's order: the sampled token, then the top-k by rank (here it sampled rank 3, at temperature > 0)
    steps = [
        {9: {"logprob": -2.0, "rank": 3, "decoded_token": " c"},
         7: {"logprob": -0.5, "rank": 1, "decoded_token": " a"},
         8: {"logprob": -1.0, "rank": 2, "decoded_token": " b"}},
        {2: {"logprob": -1e30, "rank": 1, "decoded_token": "<|im_end|>"},
         198: {"logprob": -3.0, "rank": 2, "decoded_token": "\n"}},
    ]  # fmt: skip
    body = answer(output_row([9, 2], " c", max_tokens=8, top=2, logprobs=steps))
    content = body["choices"][0]["logprobs"]["content"]
    assert [(c["token"], c["logprob"]) for c in content] == [(" c", -2.0), ("<|im_end|>", -9999.0)]
    assert [t["token"] for t in content[0]["top_logprobs"]] == [" c", " a"]  # the server's first two
    assert [t["logprob"] for t in content[1]["top_logprobs"]] == [-9999.0, -3.0]
    # Arrow's struct form of the same dicts: string keys, one field per token of the batch, nulls elsewhere
    union = sorted({token for step in steps for token in step})
    arrow = [{str(token): step.get(token) for token in union} for step in steps]
    again = answer(output_row([9, 2], " c", max_tokens=8, top=2, logprobs=arrow))
    assert again["choices"][0]["logprobs"] == body["choices"][0]["logprobs"]
    # logprobs asked with top_logprobs 0: the sampled token only, no alternatives
    zero = answer(output_row([9, 2], " c", max_tokens=8, top=0, logprobs=steps))
    assert [c["top_logprobs"] for c in zero["choices"][0]["logprobs"]["content"]] == [[], []]
    logprobs = parse_completion(body, cached=False).logprobs
    assert logprobs is not None and logprobs[0].top_logprobs == {" c": -2.0, " a": -0.5}


def test_engines_ask_for_cpus_on_a_cluster_without_gpus_and_run_as_the_cpu_server() -> None:
    cpu = engine_settings("org/model", RayOptions(processor="vllm"), cluster_gpus=0)
    assert cpu["placement_group_config"] == {"bundles": [{"CPU": 1}]}
    kwargs = cpu["engine_kwargs"]
    assert (kwargs["dtype"], kwargs["max_model_len"], kwargs["max_logprobs"]) == ("float32", 2048, 20)
    assert (kwargs["generation_config"], kwargs["seed"], kwargs["logprobs_mode"]) == (
        "vllm",
        0,
        "raw_logprobs",
    )
    assert cpu["runtime_env"]["env_vars"]["VLLM_CPU_KVCACHE_SPACE"] == "2"
    assert "HF_HUB_OFFLINE" not in cpu["runtime_env"]["env_vars"]  # a hub id: the hub may be needed
    gpu = engine_settings("org/model", RayOptions(processor="vllm", tensor_parallel_size=2), cluster_gpus=8)
    assert gpu["placement_group_config"] is None and gpu["runtime_env"] is None  # Ray's GPU default
    assert gpu["engine_kwargs"]["enable_prefix_caching"] is True and "dtype" not in gpu["engine_kwargs"]
    assert gpu["engine_kwargs"]["tensor_parallel_size"] == 2
    forced = engine_settings(
        "org/model", RayOptions(engine_device="cpu", tensor_parallel_size=2), cluster_gpus=8
    )
    assert forced["placement_group_config"] == {"bundles": [{"CPU": 1}, {"CPU": 1}]}


def test_a_local_model_directory_runs_offline(tmp_path: Any) -> None:
    settings = engine_settings(str(tmp_path), RayOptions(engine_device="gpu"), cluster_gpus=1)
    assert settings["runtime_env"] == {"env_vars": {"HF_HUB_OFFLINE": "1"}}
