"""Rendered judge prompts equal upstream's byte for byte, on the shipped answers (../shared/data)."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
import yaml
from _shared import shared_path

from harness.errors import BadInput
from harness.records import Item
from judges import PairwiseJudge, SingleJudge, load_judge
from judges.compose import WILDBENCH_EMPTY, shorten
from judges.templates import read_source


def _alpaca_utils() -> ModuleType:
    """alpaca_eval.utils imports pkg_resources (setuptools) only for a version helper we do not call."""
    sys.modules.setdefault("pkg_resources", ModuleType("pkg_resources"))
    from alpaca_eval import utils

    return utils


def _jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _ah_answers(model: str) -> dict[str, str]:
    rows = _jsonl(shared_path("arena_hard", "v0.1", "model_answer", f"{model}.jsonl"))
    return {r["question_id"]: r["choices"][0]["turns"][0]["content"] for r in rows}


def test_arena_hard_v01_prompts_equal_all_6000_peer_check_user_prompts() -> None:
    """Every game's user_prompt upstream stored (6 models x 500 questions x 2 games) is what we render."""
    judge = load_judge("arena_hard_v0.1")
    assert isinstance(judge, PairwiseJudge)
    config = yaml.safe_load(
        shared_path("arena_hard", "v0.1", "config", "judge_config_legacy.yaml").read_text()
    )
    questions = {
        q["question_id"]: q["turns"][0]["content"]
        for q in _jsonl(shared_path("arena_hard", "v0.1", "question_legacy_format.jsonl"))
    }
    baseline = _ah_answers("gpt-4-0314")
    folder = shared_path("arena_hard", "v0.1", "peer_check", "model_judgment", "gpt-4-1106-preview")
    compared = mismatches = 0
    for path in sorted(folder.glob("*.jsonl.gz")):
        model = path.name.removesuffix(".jsonl.gz")
        answers = _ah_answers(model)
        for row in _jsonl(path):
            qid = row["question_id"]
            item = Item(benchmark="arena_hard", item_id=qid, turns=[questions[qid]])
            for game, (first, second) in zip(
                row["games"], [(baseline, answers), (answers, baseline)], strict=True
            ):
                messages = judge.messages(item, [first[qid]], [second[qid]])
                assert messages[0] == {"role": "system", "content": config["system_prompt"]}
                compared += 1
                mismatches += messages[1]["content"] != game["user_prompt"]
    assert (compared, mismatches) == (6000, 0)


def test_arena_hard_system_prompt_is_the_yaml_value_and_v2_template_renders_the_same_text() -> None:
    config = yaml.safe_load(
        shared_path("arena_hard", "v0.1", "config", "judge_config_legacy.yaml").read_text()
    )
    v01, v2 = load_judge("arena_hard_v0.1"), load_judge("arena_hard_v2")
    assert isinstance(v01, PairwiseJudge) and isinstance(v2, PairwiseJudge)
    item = Item(benchmark="arena_hard", item_id="x", turns=["Q {with} braces"])
    a = v01.messages(item, ["answer {a}"], ["answer B"])
    b = v2.messages(item, ["answer {a}"], ["answer B"])
    assert a[0] == {"role": "system", "content": config["system_prompt"]}
    assert a == b  # same text, v0.1 {question_1}/{answer_1} vs v2 {QUESTION}/{ANSWER_A} placeholders
    assert v01.template.sha256 != v2.template.sha256


def _mt(path: str) -> dict[int, list[str]]:
    return {
        r["question_id"]: r["choices"][0]["turns"] for r in _jsonl(shared_path("mt_bench", *path.split("/")))
    }


def test_mt_bench_prompts_equal_str_format_of_judge_prompts_on_shipped_answers() -> None:
    """Check 12: every judge prompt x every shipped answer, single and pairwise, both turns, references."""
    prompts = {p["name"]: p for p in _jsonl(shared_path("mt_bench", "judge_prompts.jsonl"))}
    questions = {q["question_id"]: q for q in _jsonl(shared_path("mt_bench", "question.jsonl"))}
    refs = _mt("reference_answer/gpt-4.jsonl")
    a35, llama = _mt("model_answer/gpt-3.5-turbo.jsonl"), _mt("model_answer/llama-13b.jsonl")
    compared = 0
    for qid, q in questions.items():
        math = q["category"] in ("math", "reasoning", "coding")
        item = Item(
            benchmark="mt_bench",
            item_id=str(qid),
            turns=q["turns"],
            references={"gpt-4": refs[qid]} if math else {},
        )
        ref = {"ref_answer_1": refs[qid][0], "ref_answer_2": refs[qid][1]} if math else {}
        cases = [
            (
                "mt_bench_single_math" if math else "mt_bench_single",
                "single-math-v1" if math else "single-v1",
                dict(question=q["turns"][0], answer=a35[qid][0]),
            ),
            (
                "mt_bench_single_math_multi_turn" if math else "mt_bench_single_multi_turn",
                "single-math-v1-multi-turn" if math else "single-v1-multi-turn",
                dict(
                    question_1=q["turns"][0],
                    question_2=q["turns"][1],
                    answer_1=a35[qid][0],
                    answer_2=a35[qid][1],
                ),
            ),
            (
                "mt_bench_pair_math" if math else "mt_bench_pair",
                "pair-math-v1" if math else "pair-v2",
                dict(question=q["turns"][0], answer_a=a35[qid][0], answer_b=llama[qid][0]),
            ),
            (
                "mt_bench_pair_math_multi_turn" if math else "mt_bench_pair_multi_turn",
                "pair-math-v1-multi-turn" if math else "pair-v2-multi-turn",
                dict(
                    question_1=q["turns"][0],
                    question_2=q["turns"][1],
                    answer_a_1=a35[qid][0],
                    answer_a_2=a35[qid][1],
                    answer_b_1=llama[qid][0],
                    answer_b_2=llama[qid][1],
                ),
            ),
        ]
        for judge_name, prompt_name, fields in cases:
            judge = load_judge(judge_name)
            prompt = prompts[prompt_name]
            expected_user = prompt["prompt_template"].format(**fields, **ref)
            if isinstance(judge, SingleJudge):
                answer = a35[qid] if "multi" in judge_name else a35[qid][:1]
                got = judge.messages(item, answer)
            else:
                assert isinstance(judge, PairwiseJudge)
                got = judge.messages(item, a35[qid], llama[qid])
            assert got == [
                {"role": "system", "content": prompt["system_prompt"]},
                {"role": "user", "content": expected_user},
            ], (judge_name, qid)
            compared += 1
    assert compared == 320


def test_mt_bench_multi_turn_system_prompts_keep_upstream_typo_and_trailing_blank_line() -> None:
    for name in ("mt_bench_single_multi_turn", "mt_bench_single_math_multi_turn"):
        judge = load_judge(name)
        assert judge.template.system is not None
        assert "You evaluation" in judge.template.system  # FastChat#2802 typo, kept
        assert judge.template.system.endswith("\n\n")
    single = load_judge("mt_bench_single")
    assert single.template.system == "You are a helpful assistant."


def test_alpaca_eval_prompts_equal_alpaca_eval_make_prompts_and_prompt_to_chatml() -> None:
    """Our rendering vs alpaca_eval 0.6.6's own functions on the 805 shipped baseline outputs against a
    second model's outputs, in both orders."""
    ae = _alpaca_utils()

    template = shared_path("alpaca_eval", "judge", "alpaca_eval_clf.txt").read_text()
    base = json.loads(
        shared_path("alpaca_eval", "results", "gpt4_1106_preview", "model_outputs.json").read_text()
    )
    others = sorted(
        p for p in shared_path("alpaca_eval", "results").iterdir() if p.name != "gpt4_1106_preview"
    )
    other = json.loads((others[0] / "model_outputs.json").read_text())
    by_instruction = {r["instruction"]: r["output"] for r in other}
    judge = load_judge("alpaca_eval_weighted_gpt4_turbo")
    assert isinstance(judge, PairwiseJudge)
    compared = 0
    for row in base:
        if row["instruction"] not in by_instruction:
            continue
        item = Item(benchmark="alpaca_eval", item_id=str(compared), turns=[row["instruction"]])
        for o1, o2 in (
            (row["output"], by_instruction[row["instruction"]]),
            (by_instruction[row["instruction"]], row["output"]),
        ):
            df = pd.DataFrame([{"instruction": row["instruction"], "output_1": o1, "output_2": o2}])
            prompts, _ = ae.make_prompts(df, template)
            assert judge.messages(item, [o1], [o2]) == ae.prompt_to_chatml(prompts[0])
            compared += 1
    assert compared == 1610


def test_alpaca_eval_placeholders_written_in_content_stay_text() -> None:
    """Upstream's sequential first-occurrence replace substitutes a ``{output_2}`` written inside the
    instruction (and leaves the real slot unfilled); ours fills each slot once and never re-reads content."""
    ae = _alpaca_utils()

    judge = load_judge("alpaca_eval_weighted_gpt4_turbo")
    assert isinstance(judge, PairwiseJudge)
    template = shared_path("alpaca_eval", "judge", "alpaca_eval_clf.txt").read_text()
    fields = {"instruction": "say {output_2}", "output_1": "one {instruction}", "output_2": "two"}
    item = Item(benchmark="alpaca_eval", item_id="q", turns=[fields["instruction"]])
    got = judge.messages(item, [fields["output_1"]], [fields["output_2"]])[1]["content"]
    upstream = ae.prompt_to_chatml(ae.make_prompts(pd.DataFrame([fields]), template)[0][0])[1]["content"]
    assert "say two" in upstream and '"""{output_2}"""' in upstream  # the opponent's slot left empty
    assert '"""say {output_2}"""' in got and '"""one {instruction}"""' in got and '"""two"""' in got


def _wb_rows(model: str) -> list[dict]:
    folder = shared_path("wildbench", "eval_results", "v2.0625", "score.v2", "eval=gpt-4o-2024-05-13")
    return json.loads((folder / f"{model}.json").read_text())


def test_wildbench_score_prompts_round_trip_through_upstream_extraction_on_shipped_outputs() -> None:
    """WildBench stores ``model_output`` cut out of the sent prompt (batch_results_format.py:
    split on ``<|begin_of_response|>\\n`` / ``<|end_of_response|>\\n``); our prompt gives each shipped output
    back, and everything outside the placeholders is the template's text, byte for byte."""
    judge = load_judge("wildbench_score")
    assert isinstance(judge, SingleJudge)
    template = shared_path("wildbench", "templates", "eval_template.score.v2.md").read_text()
    compared = 0
    for model in ("gemma-2b-it", "gpt-3.5-turbo-0125", "reka-core-20240501"):
        for row in _wb_rows(model):
            if not row["model_output"].strip():
                continue
            item = Item(
                benchmark="wildbench",
                item_id=row["session_id"],
                turns=["What is {$model_output}?"],
                history=[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
                checklist=["Is it right?", "Is it short?"],
            )
            messages = judge.messages(item, [row["model_output"]])
            assert len(messages) == 1 and messages[0]["role"] == "user"
            prompt = messages[0]["content"]
            extracted = prompt.split("<|begin_of_response|>\n")[1].split("<|end_of_response|>\n")[0]
            # the prompt carries upstream's 1000-word shorten() of the output (see the report: the shipped
            # 0625 file keeps 21 longer outputs whole, so that run stored or sent them untruncated)
            assert extracted.strip() == shorten(row["model_output"]).strip()
            compared += 1
    expected = (  # the query's own "{$model_output}" stays text (upstream's ordered replaces fill it too)
        template.replace("{$history}", "USER: hi\n\nASSISTANT: hello\n\n")
        .replace("{$model_output}", "X")
        .replace("{$checklist}", "- Is it right?\n- Is it short?\n")
        .replace("{$user_query}", "What is {$model_output}?")
    )
    item = Item(
        benchmark="wildbench",
        item_id="s",
        turns=["What is {$model_output}?"],
        history=[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
        checklist=["Is it right?", "Is it short?"],
    )
    assert judge.messages(item, ["X"])[0]["content"] == expected
    assert compared == 1021 - 1 + 1023 + 1024 - 62


def test_wildbench_pairwise_truncates_at_1000_space_words_and_marks_empty() -> None:
    judge = load_judge("wildbench_pairwise")
    assert isinstance(judge, PairwiseJudge)
    long = " ".join(f"w{i}" for i in range(1200))
    item = Item(benchmark="wildbench", item_id="s", turns=["q"])
    prompt = judge.messages(item, [long], ["  "])[0]["content"]
    assert " ".join(f"w{i}" for i in range(1000)) + "... (truncated)" in prompt
    assert "w1000" not in prompt
    assert WILDBENCH_EMPTY in prompt
    assert "{$" not in prompt


def test_template_hash_is_pinned_and_a_tampered_mirror_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, digest = read_source("mt_bench_judge_prompts")
    assert digest == "fd283293406d024f44c174b094ef48031d0687a4682fd3a56b29b138f80281b6"
    mirror = tmp_path / "mt_bench"
    mirror.mkdir()
    (mirror / "judge_prompts.jsonl").write_bytes(data.replace(b"impartial", b"partial"))
    monkeypatch.setenv("HARNESS_JUDGE_TEMPLATE_DIR", str(tmp_path))
    with pytest.raises(BadInput, match="sha256"):
        read_source("mt_bench_judge_prompts")


def test_judge_template_override_changes_the_recorded_hash(tmp_path: Path) -> None:
    custom = tmp_path / "clf.txt"
    custom.write_text("<|im_start|>user\nPick: {instruction} {output_1} {output_2}\n<|im_end|>")
    default = load_judge("alpaca_eval_weighted_gpt4_turbo")
    judge = load_judge("alpaca_eval_weighted_gpt4_turbo", template_override=custom)
    assert isinstance(judge, PairwiseJudge)
    assert judge.template.sha256 != default.template.sha256
    item = Item(benchmark="alpaca_eval", item_id="q", turns=["i"])
    assert judge.messages(item, ["a"], ["b"]) == [{"content": "Pick: i a b", "role": "user"}]


def test_without_mirror_or_cache_the_loader_fetches_and_caches(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No network here: the download is replaced by the mirror's bytes; the second read hits the cache."""
    import judges.templates as templates

    mirror_bytes = shared_path("wildbench", "templates", "eval_template.score.v2.md").read_bytes()
    calls: list[str] = []

    def fake_download(source: templates.TemplateSource) -> bytes:
        calls.append(source.url)
        return mirror_bytes

    monkeypatch.delenv("HARNESS_JUDGE_TEMPLATE_DIR")
    monkeypatch.setenv("HARNESS_TEMPLATE_CACHE", str(tmp_path))
    monkeypatch.setattr(templates, "_download", fake_download)
    assert read_source("wildbench_score_v2")[0] == mirror_bytes
    assert read_source("wildbench_score_v2")[0] == mirror_bytes
    assert calls == [
        "https://raw.githubusercontent.com/allenai/WildBench/d6b8dcaf377d173d031980f97c16e1a82618c03d/"
        "evaluation/eval_template.score.v2.md"
    ]
    assert (tmp_path / templates.sources()["wildbench_score_v2"].sha256).is_file()
