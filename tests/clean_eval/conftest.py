"""Clean-Eval test fixtures: judge templates from the local upstream mirror, a private response cache,
and a clean variant of the demo benchmark built once per session through the real CLI with the scripted
rewriter server (hand-written rewrites for 14 of the 21 items; translations refused)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from _clean_variant import BuiltVariant
from _contaminated_server import scripted_rewriter, serving
from _shared import shared_path

from harness.cli import main

REWRITES = Path(__file__).parent / "fixtures" / "demo_rewrites.json"


@pytest.fixture(autouse=True)
def template_mirror(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("HARNESS_JUDGE_TEMPLATE_DIR", str(shared_path()))
    monkeypatch.setenv("HARNESS_TEMPLATE_CACHE", str(tmp_path_factory.mktemp("template-cache")))


@pytest.fixture(scope="session")
def rewrites() -> dict[str, str]:
    return json.loads(REWRITES.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def demo_variant(
    tmp_path_factory: pytest.TempPathFactory, rewrites: dict[str, str]
) -> Iterator[BuiltVariant]:
    root = tmp_path_factory.mktemp("demo-variant")
    with serving(scripted_rewriter(rewrites), model="scripted-rewriter") as stub:
        argv = [
            "clean-eval", "build", "--benchmark", "demo", "--rewriter", stub.spec(),
            "--run-dir", str(root / "run"), "--cache", str(root / "cache.sqlite"),
        ]  # fmt: skip
        code = main(argv)
        yield BuiltVariant(
            root / "run" / "variant.jsonl", root / "run", root / "cache.sqlite", stub, code, stub.requests
        )
