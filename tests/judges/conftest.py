"""Point the template loader at the local upstream mirror (../shared/data) and give tests a scripted caller."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _shared import shared_path


@pytest.fixture(autouse=True)
def template_mirror(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Templates come from ../shared/data; the download cache is an empty temp dir, so nothing is fetched."""
    monkeypatch.setenv("HARNESS_JUDGE_TEMPLATE_DIR", str(shared_path()))
    monkeypatch.setenv("HARNESS_TEMPLATE_CACHE", str(tmp_path_factory.mktemp("template-cache")))
    yield
