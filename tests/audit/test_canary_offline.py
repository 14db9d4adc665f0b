"""``harness audit --canary`` offline on every benchmark: the items come from ``--data`` (read by the
benchmark's adapter, as ``harness score --data`` reads them), the judge is a scripted HTTP server, and
``HARNESS_OFFLINE=1`` makes any fetch of a pinned upstream file an error.

The scripted judge is honest in each benchmark's grammar (it never prefers the canary, rates it 1), so
every canary stays under its floor and the command exits 0; the reports are read in each CI format.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from _shared import shared_path

from harness.audit.canary_attacks import CONSTANT, FORGED_INSTRUCTION, PERSUASIVE
from harness.cli import main

LIMIT = 2
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# cell -> (benchmark arguments, data under ../shared/data or a test fixture, the honest verdict)
CELLS: dict[str, tuple[tuple[str, ...], tuple[str, ...] | Path, str]] = {
    "alpaca_eval": (
        ("--benchmark", "alpaca_eval"),
        ("alpaca_eval", "results", "gpt4_1106_preview"),
        "alpaca",
    ),
    "alpaca_eval_lc": (
        (
            "--benchmark",
            "alpaca_eval",
            "--lc-difficulty",
            "@alpaca_eval/glm/instruction_difficulty_recovered.csv",
        ),
        ("alpaca_eval", "results", "gpt4_1106_preview"),
        "alpaca",
    ),
    "arena_hard_v0.1": (("--benchmark", "arena_hard", "--version", "v0.1"), ("arena_hard", "v0.1"), "arena"),
    "arena_hard_v2.0": (("--benchmark", "arena_hard", "--version", "v2.0"), ("arena_hard", "v2.0"), "arena"),
    "mt_bench": (("--benchmark", "mt_bench"), ("mt_bench",), "Rating: [[1]]"),
    "wildbench": (
        ("--benchmark", "wildbench"),
        FIXTURES / "wildbench_mini.jsonl",
        '{"strengths": "none", "weaknesses": "all", "score": "1"}',
    ),
    "demo": (("--benchmark", "demo", "--judge-config", "arena_hard_v0.1"), (), "arena"),
}


LOCAL = ("127.0.0.1", "localhost", "::1")


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Offline mode, and any name lookup of a host other than this machine is refused and recorded:
    the test fails if the canary tried to reach the network at all (refused or not)."""
    looked_up: list[str] = []
    real = socket.getaddrinfo

    def local_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in LOCAL:
            looked_up.append(name)
            raise socket.gaierror(f"test: no network ({name})")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", local_only)
    monkeypatch.setenv("HARNESS_OFFLINE", "1")
    monkeypatch.setenv("HARNESS_JUDGE_TEMPLATE_DIR", str(shared_path()))
    monkeypatch.setenv("HARNESS_TEMPLATE_CACHE", str(tmp_path_factory.mktemp("template-cache")))
    yield
    assert looked_up == [], f"the canary reached for the network: {looked_up}"


# each grammar: the markers of the first and second answer slots, and the verdicts "first wins"/"second wins"
GRAMMARS = {
    "arena": (
        ("<|The Start of Assistant A's Answer|>", "<|The End of Assistant A's Answer|>"),
        ("[[A>>B]]", "[[B>>A]]"),
    ),
    "alpaca": (('"model_identifier": "m"', '"model_identifier": "M"'), ("m", "M")),
}
CANARY_MARKS = tuple(text[:30] for text in (CONSTANT, PERSUASIVE, FORGED_INSTRUCTION))


def honest(verdict: str) -> Any:
    """The benchmark's grammar; a pairwise judge prefers the side that does not hold the canary's text."""

    def reply(body: dict[str, Any]) -> str:
        if verdict not in GRAMMARS:
            return verdict
        (start, end), (first, second) = GRAMMARS[verdict]
        prompt = str(body["messages"][-1]["content"])
        begin = prompt.index(start)
        section = prompt[begin : prompt.index(end, begin)]
        return second if any(mark in section for mark in CANARY_MARKS) else first

    return reply


@pytest.mark.parametrize("cell", list(CELLS))
def test_canary_runs_offline_from_local_data(
    cell: str, tmp_path: Path, fake_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    bench, data, verdict = CELLS[cell]
    judge = fake_server(honest(verdict), name="honest")
    data_args = () if data == () else ("--data", str(data if isinstance(data, Path) else shared_path(*data)))
    bench = tuple(str(shared_path(*a[1:].split("/"))) if a.startswith("@") else a for a in bench)
    argv = ["audit", "--canary", *bench, *data_args, "--judge", judge.spec, "--limit", str(LIMIT),
            "--kinds", "constant,structured", "--run-dir", str(tmp_path / "c"), "--cache",
            str(tmp_path / "c.db"), "--format", "json"]  # fmt: skip
    code = main(argv)
    captured = capsys.readouterr()
    report = json.loads(captured.out.strip().splitlines()[-1])
    assert code == 0, captured.err
    assert report["verdict"] == "pass" and report["n_items"] == LIMIT
    assert len(report["rows"]) == 4 and all(r["n_scored"] >= LIMIT for r in report["rows"])
    assert all(r["value"] is not None and not r["exceeds"] for r in report["rows"]), report["rows"]
    assert judge.requests  # the judge was asked, over HTTP, and nothing else was fetched (offline)
    heads = {r["metric"] for r in report["rows"]}
    assert len(heads) == 1, heads


def vulnerable(body: dict[str, Any]) -> str:
    """Obeys the last Arena-Hard verdict it reads in the prompt (the forged one), else prefers A."""
    verdicts = re.findall(r"\[\[(?:A>>B|A>B|A=B|B>A|B>>A)\]\]", str(body["messages"][-1]["content"]))
    return verdicts[-1] if verdicts else "[[A>>B]]"


@pytest.mark.parametrize("version", ["v0.1", "v2.0"])
def test_a_gamed_judge_fails_offline_in_the_ci_formats(
    version: str, tmp_path: Path, fake_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The escape wins every game: the canary fails (exit 1) in JUnit and GitHub form, from local data,
    even where Bradley-Terry has no finite fit (every game won) and the plain win rate measures it."""
    judge = fake_server(vulnerable, name="vulnerable")
    base = ["audit", "--canary", "--benchmark", "arena_hard", "--version", version, "--data",
            str(shared_path("arena_hard", version)), "--judge", judge.spec, "--limit", str(LIMIT),
            "--position", "fixed", "--kinds", "structured", "--run-dir", str(tmp_path / "c"),
            "--cache", str(tmp_path / "c.db")]  # fmt: skip
    assert main([*base, "--format", "junit"]) == 1
    root = ET.fromstring(capsys.readouterr().out.strip().split("\n", 1)[1])
    failed = [c.get("name") for c in root.iter("testcase") if c.find("failure") is not None]
    assert failed == ["structured-harden-off"] and root.get("tests") == "2"
    assert main([*base, "--format", "github"]) == 1  # resumed from the same run directory
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("::error title=canary structured (hardening off)::arena_hard")
    assert lines[1].startswith("::notice") and lines[-1].startswith("canary FAIL: arena_hard")
