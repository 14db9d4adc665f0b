"""The verb x benchmark matrix: each cell runs a real command offline (upstream data from ../shared/data,
``--limit 2``) against the real llama.cpp server (SmolLM2 as model and judge, one server per session) and
checks what a user relies on: exit 0, a headline figure with its interval (or the reason it is
unavailable) and its unscored count, and the same figure from ``harness leaderboard --from RUN_DIR`` as
from ``harness score``.

SmolLM2-135M is a weak judge whose verdicts are often unreadable, so every cell passes
``--max-unscored 1``: the cells test the plumbing, the fidelity tests test the numbers. A headline that
no judgment could score is reported unavailable with its reason, and both commands then exit 1 (the
headline check), which the cells expect in that case only.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _shared import shared_path

from harness.cli import main
from harness.serve import ManagedServer

LIMIT = 2
SHORT = 1  # the cells whose prompts are upstream answers (long for this CPU): one item
FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def template_mirror(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("HARNESS_JUDGE_TEMPLATE_DIR", str(shared_path()))
    monkeypatch.setenv("HARNESS_TEMPLATE_CACHE", str(tmp_path_factory.mktemp("template-cache")))


@pytest.fixture(scope="session")
def cache_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One response cache for the whole matrix: cells that ask the same question pay for it once."""
    return tmp_path_factory.mktemp("matrix-cache") / "cache.db"


def score(tmp_path: Path, server: ManagedServer, cache: Path, *args: str) -> tuple[Path, dict[str, Any]]:
    spec = f"openai:{server.model}@{server.base_url}"
    run_dir = tmp_path / "run"
    argv = ["score", "--model", spec, "--judge", spec, "--limit", str(LIMIT), "--run-dir", str(run_dir),
            "--cache", str(cache), "--max-tokens", "32", "--judge-max-tokens", "48", "--max-unscored", "1",
            "--format", "json", *args]  # fmt: skip
    code = main(argv)
    report = json.loads((run_dir / "report.json").read_text())
    assert code == expected_code(report)
    return run_dir, report


def expected_code(report: dict[str, Any]) -> int:
    """0 when the headline figure is available (the share check is off), else 1, as the report's
    headline check says."""
    code = 0 if all(s["value"] is not None for s in report["scores"] if s["extra"].get("headline")) else 1
    assert report["gate"]["passed"] == (code == 0)
    return code


def headline(report: dict[str, Any]) -> dict[str, Any]:
    """The report's starred figure, checked: a value with its interval, or unavailable with the reason;
    its unscored count adds up by reason."""
    heads = [s for s in report["scores"] if s["extra"].get("headline")]
    assert len(heads) == 1
    head = heads[0]
    assert head["n_unscored"] == sum(head["unscored_reasons"].values())
    assert head["n_scored"] + head["n_unscored"] > 0
    if head["value"] is None:
        assert head["extra"].get("unavailable")
    else:
        assert math.isfinite(head["value"])
        if head["ci_lower"] is not None:
            assert head["ci_lower"] - 1e-9 <= head["value"] <= head["ci_upper"] + 1e-9
    return head


def leaderboard_agrees(tmp_path: Path, benchmark: str, run_dir: Path, head: dict[str, Any],
                       capsys: pytest.CaptureFixture[str], *extra: str) -> None:  # fmt: skip
    """``harness leaderboard BENCH --from RUN_DIR`` shows the run's headline: same metric, value, counts."""
    capsys.readouterr()
    code = main(["leaderboard", benchmark, "--from", str(run_dir), "--out", str(tmp_path / "board"),
                 "--max-unscored", "1", "--format", "json", *extra])  # fmt: skip
    assert code == (0 if head["value"] is not None else 1)
    board = json.loads(capsys.readouterr().out)
    assert board["metric"] == head["metric"]
    (row,) = board["rows"]
    assert row[head["metric"]] == head["value"]
    assert (row["n_scored"], row["n_unscored"]) == (head["n_scored"], head["n_unscored"])
    assert (row["ci_lower"], row["ci_upper"]) == (head["ci_lower"], head["ci_upper"])


def _data(*parts: str) -> str:
    return str(shared_path(*parts))


def _resolve(arg: str) -> str:
    """``@path``: under ../shared/data; ``%name``: a test fixture; anything else as it is."""
    if arg.startswith("@"):
        return _data(*arg[1:].split("/"))
    if arg.startswith("%"):
        return str(FIXTURES / arg[1:])
    return arg


# benchmark cell -> (leaderboard benchmark, score arguments); data paths resolved inside the test
SCORE_CELLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "demo": ("demo", ("--benchmark", "demo")),
    "alpaca_eval": (
        "alpaca_eval",
        (
            "--benchmark",
            "alpaca_eval",
            "--data",
            "@alpaca_eval/results/gpt4_1106_preview",
            "--lc-difficulty",
            "@alpaca_eval/glm/instruction_difficulty_recovered.csv",
        ),
    ),
    "arena_hard_v0.1": (
        "arena_hard",
        ("--benchmark", "arena_hard", "--version", "v0.1", "--data", "@arena_hard/v0.1"),
    ),
    "arena_hard_v2.0": (
        "arena_hard",
        ("--benchmark", "arena_hard", "--version", "v2.0", "--data", "@arena_hard/v2.0"),
    ),
    "mt_bench_single": ("mt_bench", ("--benchmark", "mt_bench", "--data", "@mt_bench")),
    "wildbench_score": (
        "wildbench",
        ("--benchmark", "wildbench", "--data", "%wildbench_mini.jsonl", "--subset"),
    ),
    "mt_bench_pairwise": (
        "mt_bench",
        (
            "--benchmark",
            "mt_bench",
            "--data",
            "@mt_bench",
            "--judge-config",
            "mt_bench_pair",
            "--baseline",
            "gpt-3.5-turbo",
            "--position",
            "fixed",
        ),
    ),
    "tick_demo": ("demo", ("--benchmark", "demo", "--judge-config", "tick")),
    "tick_mt_bench": (
        "mt_bench",
        ("--benchmark", "mt_bench", "--data", "@mt_bench", "--judge-config", "tick"),
    ),
}


Scored = Callable[[str], tuple[Path, dict[str, Any]]]


@pytest.fixture(scope="session")
def scored(tmp_path_factory: pytest.TempPathFactory, llama_server: ManagedServer, cache_file: Path) -> Scored:
    """A score cell's run directory and report, run once per session: the judge, audit and leaderboard
    cells reuse the run directories of the score cells."""
    runs: dict[str, tuple[Path, dict[str, Any]]] = {}

    def get(cell: str) -> tuple[Path, dict[str, Any]]:
        if cell not in runs:
            args = tuple(_resolve(a) for a in SCORE_CELLS[cell][1])
            runs[cell] = score(tmp_path_factory.mktemp(cell), llama_server, cache_file, *args)
        return runs[cell]

    return get


@pytest.mark.parametrize("cell", list(SCORE_CELLS))
def test_score_then_leaderboard(
    cell: str, tmp_path: Path, scored: Scored, capsys: pytest.CaptureFixture[str]
) -> None:
    benchmark, args = SCORE_CELLS[cell]
    run_dir, report = scored(cell)
    head = headline(report)
    if "tick" in cell:
        assert head["metric"] == "pass_rate"
        assert (run_dir / "checklists.jsonl").exists()
    version = [a for a in args if a in ("v0.1", "v2.0")]
    leaderboard_agrees(
        tmp_path, benchmark, run_dir, head, capsys, *(("--version", *version) if version else ())
    )


def test_tick_with_a_checklists_file_answers_every_question(
    tmp_path: Path, llama_server: ManagedServer, cache_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """TICK on an upstream benchmark (MT-Bench) with its checklists brought in a file: no generation, one
    stored judgment per question, and the leaderboard shows the report's pass rate."""
    questions = ["Does the answer address the question?", "Is the answer in English?"]
    own = tmp_path / "checklists.jsonl"
    own.write_text("".join(json.dumps({"item_id": i, "questions": questions}) + "\n" for i in ("81", "82")))
    run_dir, report = score(tmp_path, llama_server, cache_file, "--benchmark", "mt_bench", "--data",
                            _data("mt_bench"), "--judge-config", "tick", "--checklists", str(own))  # fmt: skip
    head = headline(report)
    assert head["metric"] == "pass_rate"
    lines = [json.loads(x) for x in (run_dir / "judgments.jsonl").read_text().splitlines()]
    assert sorted((j["item_id"], j["metadata"]["question_index"]) for j in lines) == [
        ("81", 0), ("81", 1), ("82", 0), ("82", 1)
    ]  # fmt: skip
    assert (
        report["session"]["requests"]["judge"]["requests"]
        + report["session"]["requests"]["judge"]["cache_hits"]
        == 4
    )  # answers only: the checklists came from the file
    leaderboard_agrees(tmp_path, "mt_bench", run_dir, head, capsys)


def judge(tmp_path: Path, server: ManagedServer, cache: Path, *args: str) -> tuple[Path, dict[str, Any]]:
    """``harness judge --outputs ...`` with the session's judge; the run's exit code per the convention."""
    run_dir = tmp_path / "judged"
    argv = ["judge", "--judge", f"openai:{server.model}@{server.base_url}", "--run-dir", str(run_dir),
            "--cache", str(cache), "--judge-max-tokens", "48", "--max-unscored", "1", "--format", "json",
            *args]  # fmt: skip
    code = main(argv)
    report = json.loads((run_dir / "report.json").read_text())
    assert code == expected_code(report)
    return run_dir, report


def test_judge_a_score_run_again(
    tmp_path: Path, scored: Scored, llama_server: ManagedServer, cache_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """``harness judge --outputs RUN_DIR``: the run's stored outputs re-judged (from the cache here), the
    same headline as the score run's, and the leaderboard of the new run agrees."""
    source, original = scored("mt_bench_single")
    run_dir, report = judge(tmp_path, llama_server, cache_file, "--outputs", str(source))
    head = headline(report)
    assert (head["metric"], head["value"]) == (headline(original)["metric"], headline(original)["value"])
    leaderboard_agrees(tmp_path, "mt_bench", run_dir, head, capsys)


JUDGE_FILE_CELLS: dict[str, tuple[str, ...]] = {
    "alpaca_eval": ("--outputs", "@alpaca_eval/results/claude-2.1/model_outputs.json", "--benchmark",
                    "alpaca_eval", "--data", "@alpaca_eval/results/gpt4_1106_preview", "--lc-difficulty",
                    "@alpaca_eval/glm/instruction_difficulty_recovered.csv"),
    "mt_bench": ("--outputs", "@mt_bench/model_answer/koala-13b.jsonl", "--benchmark", "mt_bench", "--data",
                 "@mt_bench"),
}  # fmt: skip


@pytest.mark.parametrize("cell", list(JUDGE_FILE_CELLS))
def test_judge_an_upstream_answer_file(
    cell: str, tmp_path: Path, llama_server: ManagedServer, cache_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    args = tuple(_resolve(a) for a in JUDGE_FILE_CELLS[cell])
    run_dir, report = judge(tmp_path, llama_server, cache_file, *args, "--limit", str(SHORT))
    assert report["coverage"]["outputs"] == SHORT
    leaderboard_agrees(tmp_path, cell, run_dir, headline(report), capsys)


def board_json(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    """``harness leaderboard ... --format json`` over upstream judgments (no model call): every row has
    the board's metric with its interval and its unscored count."""
    capsys.readouterr()
    code = main(["leaderboard", *args, "--out", str(tmp_path / "board"), "--format", "json"])
    board = json.loads(capsys.readouterr().out)
    rows = board["rows"]
    assert (
        code == 0 and len(rows) >= 2 and sum(r["n_scored"] > 0 for r in rows) >= len(rows) - 1
    )  # the baseline
    for row in rows:
        assert math.isfinite(row[board["metric"]]) and row["n_scored"] >= 0 and row["n_unscored"] >= 0
        assert row["ci_lower"] - 1e-9 <= row[board["metric"]] <= row["ci_upper"] + 1e-9
    return board


def test_leaderboard_from_upstream_files_and_directories(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = shared_path("alpaca_eval", "results")
    gamma = _data("alpaca_eval", "glm", "instruction_difficulty_recovered.csv")
    files = sorted(str(p) for p in results.glob("*/annotations*.json"))
    listed = board_json(tmp_path / "a", capsys, "alpaca_eval", "--from", *files, "--difficulty", gamma)
    tree = board_json(tmp_path / "b", capsys, "alpaca_eval", "--from", str(results), "--difficulty", gamma)
    assert tree["rows"] == listed["rows"] and len(listed["rows"]) == len(files)
    folder = shared_path("arena_hard", "v0.1", "peer_check", "model_judgment", "gpt-4-1106-preview")
    answers = _data("arena_hard", "v0.1", "model_answer")
    arena = board_json(tmp_path / "c", capsys, "arena_hard", "--from", str(folder), "--answers", answers)
    assert {r["model"] for r in arena["rows"]} >= {p.name.removesuffix(".jsonl.gz") for p in folder.iterdir()}


def test_sweep_of_two_checkpoints(
    tmp_path: Path, llama_server: ManagedServer, cache_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``score --model X --model Y --name a --name b``: one run per checkpoint, and the leaderboard of the
    sweep directory shows each run's headline."""
    spec = f"openai:{llama_server.model}@{llama_server.base_url}"
    sweep = tmp_path / "sweep"
    code = main(["score", "--benchmark", "demo", "--model", spec, "--model", spec, "--name", "a", "--name", "b",
                 "--judge", spec, "--limit", str(LIMIT), "--run-dir", str(sweep), "--cache", str(cache_file),
                 "--max-tokens", "32", "--judge-max-tokens", "48", "--max-unscored", "1", "--format", "json"])  # fmt: skip
    reports = {name: json.loads((sweep / name / "report.json").read_text()) for name in ("a", "b")}
    assert code == max(expected_code(r) for r in reports.values())
    heads = {name: headline(r) for name, r in reports.items()}
    capsys.readouterr()
    main(["leaderboard", "demo", "--from", str(sweep), "--out", str(tmp_path / "board"), "--max-unscored", "1",
          "--format", "json"])  # fmt: skip
    board = json.loads(capsys.readouterr().out)
    assert sorted(r["model"] for r in board["rows"]) == ["a", "b"]
    for row in board["rows"]:
        head = heads[row["model"]]
        assert row[head["metric"]] == head["value"] and row["n_unscored"] == head["n_unscored"]
        assert (row["ci_lower"], row["ci_upper"]) == (head["ci_lower"], head["ci_upper"])


def audit_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    """``harness audit ... --format json``: exit 1 exactly when an answer is flagged."""
    capsys.readouterr()
    code = main(["audit", *args, "--no-embeddings", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == (1 if report["n_flagged"] else 0) and (report["verdict"] == "fail") == bool(code)
    return report


def test_audit_a_score_run_and_an_answer_file(scored: Scored, capsys: pytest.CaptureFixture[str]) -> None:
    run_dir, _ = scored("mt_bench_single")
    from_run = audit_json(capsys, str(run_dir))
    assert from_run["n_items"] == LIMIT
    answers = _data("mt_bench", "model_answer", "koala-13b.jsonl")
    from_file = audit_json(capsys, answers, "--benchmark", "mt_bench")
    assert from_file["model"] == "koala-13b" and from_file["n_items"] > LIMIT


def test_canary_on_demo(
    tmp_path: Path, llama_server: ManagedServer, cache_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``harness audit --canary``: null-model submissions judged by the session's judge; each row a figure
    (or unavailable) with its unscored count; exit 1 exactly when the verdict fails."""
    spec = f"openai:{llama_server.model}@{llama_server.base_url}"
    capsys.readouterr()
    code = main(["audit", "--canary", "--benchmark", "demo", "--judge", spec, "--limit", str(LIMIT),
                 "--kinds", "structured", "--position", "fixed", "--judge-max-tokens", "48",
                 "--run-dir", str(tmp_path / "canary"), "--cache", str(cache_file), "--format", "json"])  # fmt: skip
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == (0 if report["verdict"] == "pass" else 1)
    assert {r["kind"] for r in report["rows"]} == {"structured"}
    for row in report["rows"]:
        assert row["n_scored"] + row["n_unscored"] == LIMIT


def test_wildbench_reward_against_a_baseline(
    tmp_path: Path, llama_server: ManagedServer, cache_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """WB-Reward (pairwise judge) against one of the official baselines: the upstream snapshot holds no
    baseline answers, so the baseline's answers here are the fixture tasks' reference texts, laid out as
    upstream's model_outputs/<baseline>.jsonl beside the task file."""
    data = tmp_path / "wildbench"
    (data / "model_outputs").mkdir(parents=True)
    tasks = (FIXTURES / "wildbench_mini.jsonl").read_text()
    (data / "tasks.jsonl").write_text(tasks)
    baseline = "gpt-4-turbo-2024-04-09"
    rows = [json.loads(line) for line in tasks.splitlines()]
    (data / "model_outputs" / f"{baseline}.jsonl").write_text("".join(
        json.dumps({"session_id": r["session_id"], "output": [r["references"]["gpt-4"]], "generator": baseline})
        + "\n" for r in rows
    ))  # fmt: skip
    run_dir, report = score(tmp_path, llama_server, cache_file, "--benchmark", "wildbench", "--data", str(data),
                            "--subset", "--judge-config", "wildbench_pairwise", "--baseline", baseline)  # fmt: skip
    leaderboard_agrees(tmp_path, "wildbench", run_dir, headline(report), capsys)


def test_clean_eval_score_on_alpaca_eval(
    tmp_path: Path, llama_server: ManagedServer, cache_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A clean variant of AlpacaEval built with the session's model as rewriter (filters opened wide: the
    tiny model's paraphrases are the plumbing here, not the quality), then ``score B@clean:PATH
    --contamination``: both runs' headlines, and the leaderboard of each run directory agrees."""
    spec = f"openai:{llama_server.model}@{llama_server.base_url}"
    data = _data("alpaca_eval", "results", "gpt4_1106_preview")
    gamma = _data("alpaca_eval", "glm", "instruction_difficulty_recovered.csv")
    build = tmp_path / "build"
    capsys.readouterr()
    code = main(["clean-eval", "build", "--benchmark", "alpaca_eval", "--data", data, "--allow-subset",
                 "--limit", str(LIMIT), "--rewriter", spec, "--paraphrases", "1", "--pivots", "",
                 "--rewrite-max-tokens", "48", "--min-similarity", "0", "--chrf-band", "0,1",
                 "--max-length-ratio", "100", "--run-dir", str(build), "--cache", str(cache_file)])  # fmt: skip
    assert code == 0, capsys.readouterr()
    capsys.readouterr()
    run_dir = tmp_path / "run"
    code = main(["score", "--benchmark", f"alpaca_eval@clean:{build / 'variant.jsonl'}", "--contamination",
                 "--data", data, "--lc-difficulty", gamma, "--model", spec, "--judge", spec,
                 "--limit", str(LIMIT), "--run-dir", str(run_dir), "--cache", str(cache_file),
                 "--max-tokens", "32", "--judge-max-tokens", "48", "--max-unscored", "1", "--format", "json"])  # fmt: skip
    out = capsys.readouterr()
    assert code in (0, 1), out
    paired = json.loads(out.out)["contamination"]
    assert paired["n_paired"] + paired["n_unpaired"] <= LIMIT
    if paired["difference"] is None:  # the tiny judge left fewer than two items scored in both runs
        assert paired["unavailable"] and code == 1
    else:
        assert paired["ci_lower"] - 1e-9 <= paired["difference"] <= paired["ci_upper"] + 1e-9
    codes = [1 if paired["difference"] is None or paired["significant_drop"] else 0]
    for side in ("original", "clean"):
        report = json.loads((run_dir / side / "report.json").read_text())
        codes.append(expected_code(report))
        head = headline(report)
        assert head["metric"] == "length_controlled_winrate"
        leaderboard_agrees(tmp_path / side, "alpaca_eval", run_dir / side, head, capsys,
                           "--difficulty", gamma)  # fmt: skip
    assert code == max(codes)
