"""Fixtures of the viewer tests: judge templates from the shared upstream mirror, as in tests/pipeline."""

from __future__ import annotations

import pytest
from _shared import shared_path


@pytest.fixture(autouse=True)
def template_mirror(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("HARNESS_JUDGE_TEMPLATE_DIR", str(shared_path()))
    monkeypatch.setenv("HARNESS_TEMPLATE_CACHE", str(tmp_path_factory.mktemp("template-cache")))
