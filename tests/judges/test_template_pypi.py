"""The AlpacaEval judge prompt resolves offline from its upstream PyPI distribution (no GitHub needed).

This is what makes the README's first command (the demo benchmark, judged with AlpacaEval's template)
work on a machine that reaches only the package registries.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

from judges import templates
from judges.templates import read_source, sources

NAME = "alpaca_eval_clf_gpt4_turbo"


@pytest.fixture
def no_mirror(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv("HARNESS_JUDGE_TEMPLATE_DIR", raising=False)
    monkeypatch.setenv("HARNESS_TEMPLATE_CACHE", str(tmp_path / "cache"))

    def no_github(source: templates.TemplateSource) -> bytes:
        raise AssertionError(f"GitHub must not be needed for {source.name}")

    monkeypatch.setattr(templates, "_download", no_github)
    return tmp_path / "cache"


def test_from_the_installed_distribution(no_mirror: Path) -> None:
    try:
        importlib.metadata.version("alpaca-eval")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("alpaca-eval is not installed (the dev extra installs it)")
    data, digest = read_source(NAME)
    assert digest == sources()[NAME].sha256
    assert (no_mirror / digest).read_bytes() == data  # cached for the next run


def test_from_the_wheel_fetched_with_pip(no_mirror: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> importlib.metadata.Distribution:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(templates.importlib.metadata, "distribution", not_installed)
    data, digest = read_source(NAME)
    assert digest == sources()[NAME].sha256 and len(data) > 500
