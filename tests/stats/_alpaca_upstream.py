"""alpaca_eval's own GLM code, importable offline, for side-by-side checks.

alpaca-eval 0.6.6 imports ``pkg_resources`` (only for version comparisons), which setuptools ≥ 81 no
longer ships; when it is missing we register a minimal stand-in built on ``packaging`` and
``importlib.metadata`` (the same two functions). The Hugging Face downloads of ``df_gamed.csv`` are
redirected to a local file in the upstream layout that the test writes itself (γ from shared data, and
our own synthetic regulariser rows or none at all).
"""

from __future__ import annotations

import importlib.metadata
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest


def _ensure_pkg_resources() -> None:
    try:
        import pkg_resources  # noqa: F401
    except ImportError:
        from packaging.version import parse

        shim = types.ModuleType("pkg_resources")
        shim.parse_version = parse  # type: ignore[attr-defined]
        shim.get_distribution = lambda name: types.SimpleNamespace(  # type: ignore[attr-defined]
            version=importlib.metadata.version(name)
        )
        sys.modules["pkg_resources"] = shim


def import_glm_winrate() -> Any:
    """``alpaca_eval.metrics.glm_winrate``, or skip the test when alpaca-eval is not installed."""
    _ensure_pkg_resources()
    pytest.importorskip("alpaca_eval")
    import warnings

    warnings.filterwarnings("ignore", category=FutureWarning, module="sklearn")
    import alpaca_eval.metrics.glm_winrate as glm_winrate

    return glm_winrate


def write_df_gamed(path: Path, gamma: np.ndarray, gamed: pd.DataFrame | None) -> Path:
    """A ``df_gamed.csv`` in the HF layout. Without regulariser rows upstream still reads γ from it
    (``drop_duplicates("index")``), so we write one placeholder row per instruction carrying γ."""
    if gamed is None:
        frame = pd.DataFrame(
            {
                "index": np.arange(gamma.size),
                "preference": 0.5,
                "std_delta_len": 0.0,
                "instruction_difficulty": gamma,
            }
        )
        frame["model"] = "placeholder"
    else:
        frame = gamed.copy()
        if "model" not in frame.columns:
            frame["model"] = "gamed"
    frame["not_gamed_baseline"] = False
    frame.to_csv(path, index=False)
    return path
