"""CLI habits of the peers: --version, several benchmarks in one `score`, inspect-style model names with
--model-base-url/--judge-base-url, a project config file, and `--compare upstream`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _shared import REPO, shared_path

from harness import __version__
from harness.cli import _with_config, build_parser, main
from harness.cli._several import benchmark_names, per_benchmark
from harness.endpoints import parse_endpoint_spec
from harness.errors import BadInput
from harness.leaderboard.compare import board_path, describe, load_board
from harness.serve import ManagedServer


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"harness {__version__}"


def test_benchmarks_split_on_commas_and_repeated_flags():
    assert benchmark_names(["alpaca_eval,mt_bench", "demo", "mt_bench"]) == [
        "alpaca_eval",
        "mt_bench",
        "demo",
    ]
    assert per_benchmark(["mt_bench=/d/mt"], ["demo", "mt_bench"], "--data") == {
        "demo": None,
        "mt_bench": "/d/mt",
    }
    assert per_benchmark(["/d/x"], ["demo"], "--data") == {"demo": "/d/x"}
    with pytest.raises(BadInput, match="NAME=VALUE"):
        per_benchmark(["/d/x"], ["demo", "mt_bench"], "--data")


def test_inspect_style_names_and_base_urls():
    assert str(parse_endpoint_spec("openai/gpt-4o-mini")) == "openai:gpt-4o-mini"
    spec = parse_endpoint_spec("openai/meta-llama/Llama-3-8B", base_url="http://h:8000/v1/")
    assert str(spec) == "openai:meta-llama/Llama-3-8B@http://h:8000/v1"
    assert str(parse_endpoint_spec("vllm/Qwen/Qwen2-0.5B")) == "vllm:Qwen/Qwen2-0.5B"
    # openai:NAME keeps its slash-bearing model names
    assert parse_endpoint_spec("openai:org/model").model == "org/model"
    with pytest.raises(BadInput, match="--judge-base-url"):
        parse_endpoint_spec("local", option="--judge", base_url="http://h/v1")
    with pytest.raises(BadInput, match="already names its URL"):
        parse_endpoint_spec("openai:m@http://a/v1", base_url="http://b/v1")


def _args(argv: list[str]):
    parser = build_parser()
    return parser.parse_args(_with_config(parser, argv))


def test_config_file_gives_defaults_the_command_line_overrides(tmp_path, monkeypatch):
    (tmp_path / "harness.toml").write_text(
        'judge = "local"\ncache = "c/cache.db"\n[score]\nlimit = 7\nbenchmark = ["demo", "mt_bench"]\n'
    )
    monkeypatch.chdir(tmp_path)
    args = _args(["score", "--model", "local"])
    assert (args.judge, args.limit, args.benchmark) == ("local", 7, ["demo", "mt_bench"])
    assert args.cache == tmp_path / "c" / "cache.db"  # relative to the file
    args = _args(["score", "--model", "local", "--limit", "2", "--benchmark", "demo"])
    assert (args.limit, args.benchmark) == (2, ["demo"])


def test_pyproject_tool_harness_table(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.harness.score]\nmax-connections = 3\n'
    )
    monkeypatch.chdir(tmp_path)
    assert _args(["score", "--model", "local", "--benchmark", "demo"]).max_connections == 3


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[score]\nlimit = "many"\n', "harness.toml:[score].limit: invalid int value: 'many'"),
        ('[score]\nposition = "middle"\n', "[score].position: invalid choice: 'middle'"),
        ("[score]\nlimt = 3\n", "did you mean 'limit'"),
        ("[scroe]\nlimit = 3\n", "did you mean [score]"),
        ("no_such_option = 1\n", "no command has this option"),
    ],
)
def test_bad_config_values_are_one_line_and_exit_2(tmp_path, monkeypatch, capsys, toml, message):
    (tmp_path / "harness.toml").write_text(toml)
    monkeypatch.chdir(tmp_path)
    assert main(["score", "--model", "local", "--benchmark", "demo"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_compare_places_a_score_inside_the_committed_board():
    board = load_board(board_path("upstream", "alpaca_eval", "2.0"))
    assert board.path == REPO / "results" / "alpaca_eval" / "leaderboard.csv"
    line = describe(board, "mine", "length_controlled_winrate", 25.26)
    # claude-2.1 (25.25) is a row of the board: a score just above it ranks right before it
    assert "before claude-2.1 (25.25)" in line
    rank = int(line.split(" ranks ")[1].split()[0])
    assert rank == 1 + sum(score >= 25.26 for _, score in board.scores)
    with pytest.raises(BadInput, match="ranks by length_controlled_winrate"):
        describe(board, "mine", "win_rate", 10.0)
    with pytest.raises(BadInput, match="no published mt_bench"):
        board_path("upstream", "mt_bench", None)


@pytest.mark.slow
def test_two_benchmarks_in_one_score_command(tmp_path, llama_server: ManagedServer, capsys, monkeypatch):
    """demo and MT-Bench (the shared data set) in one command, the model named inspect-style with
    --model-base-url; the judge and limits come from a project config file."""
    monkeypatch.setenv("HARNESS_JUDGE_TEMPLATE_DIR", str(shared_path()))
    monkeypatch.setenv("HARNESS_TEMPLATE_CACHE", str(tmp_path / "templates"))
    server = llama_server
    (tmp_path / "harness.toml").write_text(
        f'judge = "openai:{server.model}@{server.base_url}"\ncache = "cache.db"\n'
        "[score]\nlimit = 2\nmax-tokens = 16\njudge-max-tokens = 8\njudge-top-logprobs = 20\n"
        "max-unscored = 1.0\n"  # SmolLM2 leaves most judgments unscored; exit 1 then means "no headline"
    )
    monkeypatch.chdir(tmp_path)
    mt_bench = shared_path("mt_bench")
    code = main(["score", "--benchmark", "demo,mt_bench", "--data", f"mt_bench={mt_bench}",
                 "--model", f"openai/{server.model}", "--model-base-url", server.base_url,
                 "--run-dir", str(tmp_path / "runs"), "--format", "json"])  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    assert [row["benchmark"] for row in doc["summary"]] == ["demo", "mt_bench"]
    assert code == (0 if all(row["value"] is not None for row in doc["summary"]) else 1)
    for row in doc["summary"]:
        run_dir = Path(row["run_dir"])
        assert run_dir == tmp_path / "runs" / row["benchmark"]
        report = json.loads((run_dir / "report.json").read_text())
        assert report["coverage"]["outputs"] == 2 and row["complete"] == (row["value"] is not None)
        assert report["config"]["model"] == f"openai:{server.model}@{server.base_url.rstrip('/')}"
        assert report["config"]["judge"].startswith("openai:")
        head = next(s for s in report["scores"] if s["extra"].get("headline"))
        assert (row["metric"], row["value"]) == (head["metric"], head["value"])
