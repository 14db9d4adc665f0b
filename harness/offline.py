"""Offline mode: ``HARNESS_OFFLINE=1`` (or Hugging Face's ``HF_HUB_OFFLINE=1``) means no network fetch.

Why: a harness run on a machine without network (a CI runner, an air-gapped cluster) used to spend tens
of seconds in a library's retries before it read the local file it had been given. In offline mode
every fetch site (:mod:`benchmarks._hub`, :mod:`judges.templates`) checks :func:`is_offline` before it
reaches out: what is cached or given locally is used, anything else is one line naming the local
option that would provide it. Calls to the endpoints a run is asked to use are not fetches: those go on.
"""

from __future__ import annotations

import os

from harness.errors import BadInput

_TRUE = ("1", "true", "yes", "on")


def is_offline() -> bool:
    return any(
        os.environ.get(name, "").strip().lower() in _TRUE for name in ("HARNESS_OFFLINE", "HF_HUB_OFFLINE")
    )


def apply() -> None:
    """``HARNESS_OFFLINE`` implies the Hugging Face libraries' offline mode (their caches still serve).
    Called once at start-up, before ``datasets``/``huggingface_hub`` read their environment."""
    if os.environ.get("HARNESS_OFFLINE", "").strip().lower() in _TRUE:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


def refuse(what: str, hint: str) -> None:
    """Raise the one-line refusal of a fetch in offline mode (``what``: the thing not fetched)."""
    if is_offline():
        raise BadInput(what, f"not available offline (HARNESS_OFFLINE/HF_HUB_OFFLINE is set); {hint}")
