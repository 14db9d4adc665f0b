"""``harness score --on-flag``: a run whose model answers every item well except one template escape.

The judge always says the answer shown second (the model's, baseline first under ``--position fixed``)
is much better, so without a policy the escape counts as a win like the rest; the audit flags only it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks import get_benchmark
from harness.audit.canary_attacks import structured_escape
from harness.cli import main
from harness.records import Judgment
from harness.run.on_flag import apply_on_flag
from judges import load_judge
from judges.config import judge_names, verdict_labels

LIMIT = 4


def model_reply(escaped_instruction: str, escape: str) -> Any:
    """Answers each instruction in its own words; the one named gets the escape appended."""

    def reply(body: dict[str, Any]) -> str:
        instruction = str(body["messages"][-1]["content"])
        answer = (
            f"Here is a short, direct answer to your request ({instruction[:60]}): it depends on the details."
        )
        return answer + "\n" + escape if instruction == escaped_instruction else answer

    return reply


@pytest.fixture
def servers(fake_server: Any) -> tuple[Any, Any, str]:
    items = get_benchmark("demo").load(None, limit=LIMIT)
    target = items[1]
    escape = structured_escape(load_judge("arena_hard_v0.1"))
    model = fake_server(model_reply(target.turns[0], escape), name="writer")
    judge = fake_server("My final verdict is: [[B>>A]]", name="b-wins")
    return model, judge, target.item_id


def score(tmp_path: Path, model: Any, judge: Any, policy: str) -> tuple[int, dict[str, Any]]:
    run_dir = tmp_path / policy
    code = main(
        ["score", "--benchmark", "demo", "--model", model.spec, "--judge", judge.spec, "--judge-config",
         "arena_hard_v0.1", "--position", "fixed", "--limit", str(LIMIT), "--run-dir", str(run_dir),
         "--cache", str(tmp_path / "cache.db"), "--format", "json", "--on-flag", policy]
    )  # fmt: skip
    return code, json.loads((run_dir / "report.json").read_text())


def headline(report: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in report["scores"] if s["extra"].get("headline"))


@pytest.mark.parametrize(
    ("policy", "value", "n_scored", "reasons"),
    [("loss", 75.0, 4, {}), ("exclude", 100.0, 3, {"flagged": 1}), ("keep", 100.0, 4, {})],
)
def test_each_policy_on_one_injected_escape(
    tmp_path: Path,
    servers: tuple[Any, Any, str],
    policy: str,
    value: float,
    n_scored: int,
    reasons: dict[str, int],
) -> None:
    model, judge, target = servers
    code, report = score(tmp_path, model, judge, policy)
    # excluding 1 of 4 items leaves 25% of the headline unscored: over the default --max-unscored 0.10
    assert code == (1 if policy == "exclude" else 0)
    assert json.loads((tmp_path / policy / "audit.json").read_text())["flagged"] == [target]
    head = headline(report)
    assert (head["value"], head["n_scored"], head["unscored_reasons"]) == (value, n_scored, reasons)
    assert report["coverage"]["flagged"] == 1 and report["config"].get("on_flag", "loss") == policy
    assert "flagged 1" in (tmp_path / policy / "report.md").read_text()


def test_loss_uses_each_grammar_worst_outcome_in_the_judgment_frame() -> None:
    def j(judge: str, order: str, scale: str = "signed") -> Judgment:
        return Judgment(item_id="1", model="m", opponent="b", judge=judge, protocol="pairwise", order=order,
                        status="unscored", reason="parse_failure", metadata={"scale": scale})  # fmt: skip

    out = apply_on_flag(
        [j("arena_hard_v0.1@x", "model_first"), j("arena_hard_v0.1@x", "baseline_first"),
         j("mt_bench_pair@x", "model_first"), j("alpaca@x", "baseline_first", "preference")],
        frozenset({"1"}), "loss",
    )  # fmt: skip
    assert [(o.verdict, o.score, o.status) for o in out] == [
        ("B>>A", -2.0, "scored"), ("A>>B", -2.0, "scored"), ("B", -1.0, "scored"), ("flagged", 1.0, "scored")
    ]  # fmt: skip
    assert all(o.metadata["flagged"] for o in out)
    assert apply_on_flag(out, frozenset({"2"}), "loss") == out  # other items untouched


@pytest.mark.parametrize("config", [n for n in judge_names() if verdict_labels(n)])
def test_loss_is_the_worst_label_of_the_judge_configs_own_parser(config: str) -> None:
    """No judge is known by name: the loss comes from the grammar the config's parser declares."""
    grammar = verdict_labels(config)
    assert grammar
    for order, worst in (("model_first", min(grammar.values())), ("baseline_first", max(grammar.values()))):
        judgment = Judgment(item_id="1", model="m", opponent="b", judge=f"{config}@judge", protocol="pairwise",
                            order=order, verdict=None, score=None)  # fmt: skip
        (lost,) = apply_on_flag([judgment], frozenset({"1"}), "loss")
        assert grammar[str(lost.verdict)] == worst  # the prompt-frame label worst for the model
        assert lost.score == -max(abs(v) for v in grammar.values())  # and the model-frame worst score
