"""Fixtures of the scale tests: a local Ray instance per module (the CLI test starts its own in a
subprocess, so none is left running between modules)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module")
def ray_local() -> Iterator[Any]:
    try:
        import ray
    except ImportError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("ray is not installed (pip install 'harness[ray]')")
        pytest.skip("ray is not installed (pip install 'harness[ray]')")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()
