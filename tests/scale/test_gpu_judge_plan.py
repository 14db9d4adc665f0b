"""bench/gpu_judge.py on CPU: the plan (1,610 AlpacaEval judge prompts, the served and offline engine
settings agree) is checked here; the measurement itself needs a GPU machine."""

from __future__ import annotations

import json

import pytest
from _shared import shared_path

from bench import gpu_judge


def test_dry_run_renders_1610_prompts_and_serves_with_the_offline_engine_settings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = shared_path("alpaca_eval")
    assert gpu_judge.main(["--dry-run", "--data", str(data)]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert (plan["pairs"], plan["prompts"]) == (805, 1610)
    assert plan["sampling"] == {"temperature": 1, "max_tokens": 1, "logprobs": True, "top_logprobs": 5}
    command, engine = plan["serve_command"], plan["engine"]
    for flag, value in (("--max-logprobs", engine["max_logprobs"]), ("--seed", engine["seed"]),
                        ("--generation-config", engine["generation_config"]),
                        ("--logprobs-mode", engine["logprobs_mode"]),
                        ("--max-model-len", engine["max_model_len"])):  # fmt: skip
        assert command[command.index(flag) + 1] == str(value)
    assert "--enable-prefix-caching" in command and engine["enable_prefix_caching"]


def test_both_orders_of_a_pair_are_distinct_prompts(monkeypatch: pytest.MonkeyPatch) -> None:
    data = shared_path("alpaca_eval")
    monkeypatch.setenv("HARNESS_JUDGE_TEMPLATE_DIR", str(data.parent))
    pairs = gpu_judge.load_pairs(data)[:3]
    convs = gpu_judge.conversations(pairs)
    assert len(convs) == 6 and convs[0] != convs[1]
    assert (
        pairs[0].model.turns[0] in convs[0][-1]["content"]
        and pairs[0].baseline.turns[0] in convs[0][-1]["content"]
    )
