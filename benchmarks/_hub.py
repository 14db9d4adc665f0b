"""Fetching benchmark files from their pinned upstream sources, cached in the Hugging Face cache.

Three kinds of source, each pinned so that a run is reproducible:

- a Hugging Face dataset with a parquet/JSON layout (WildBench): ``datasets.load_dataset(id, config,
  split=, revision=)``;
- one file of a Hugging Face dataset repo (AlpacaEval's ``alpaca_eval_gpt4_baseline.json``):
  ``huggingface_hub.hf_hub_download(..., revision=)``. The repo's ``alpaca_eval.py`` loading script
  cannot be used: ``datasets`` >= 4 no longer runs dataset scripts, so we read the JSON file the script
  reads;
- one file of a GitHub repository at a commit (Arena-Hard, MT-Bench: they are not on the Hub at a
  known revision). A raw URL at a commit is immutable, so it is fetched once with httpx and kept under
  the ``datasets`` cache directory keyed by the URL's sha256. (``datasets``' own HTTP filesystem needs
  aiohttp, which is not a dependency; and Arena-Hard v2 answers mix strings and objects in one field,
  which an Arrow table cannot hold.)

Any failure to reach a source is one :class:`BadInput` line that says to pass ``--data PATH``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from harness import atomic
from harness.errors import BadInput
from harness.offline import is_offline, refuse

OFFLINE_HINT = "cannot reach the upstream source (offline?); pass --data PATH with a local copy"


def github_raw(repo: str, commit: str, path: str) -> str:
    """The immutable raw URL of ``path`` in ``repo`` at ``commit``."""
    return f"https://raw.githubusercontent.com/{repo}/{commit}/{path}"


def cache_dir() -> Path:
    import datasets.config

    return Path(datasets.config.HF_DATASETS_CACHE) / "harness_downloads"


def fetch_url(url: str, *, timeout_s: float = 60.0) -> Path:
    """A local copy of ``url`` (downloaded once; written atomically so a broken download never stays)."""
    import httpx

    target = cache_dir() / hashlib.sha256(url.encode()).hexdigest() / url.rsplit("/", 1)[-1]
    if target.is_file():
        return target
    refuse(url, "pass --data PATH with a local copy")
    try:
        response = httpx.get(url, timeout=timeout_s, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPStatusError as exc:
        raise BadInput(url, f"HTTP {exc.response.status_code}; {OFFLINE_HINT}") from None
    except httpx.HTTPError as exc:
        raise BadInput(url, f"{type(exc).__name__}: {OFFLINE_HINT}") from None
    return atomic.write_bytes(target, response.content)


def fetch_hf_file(repo_id: str, filename: str, revision: str) -> Path:
    """One file of a Hugging Face *dataset* repo at ``revision``."""
    from huggingface_hub import hf_hub_download

    try:
        return Path(hf_hub_download(repo_id, filename, repo_type="dataset", revision=revision,
                                    local_files_only=is_offline()))  # fmt: skip
    except (OSError, ValueError) as exc:  # connection errors, offline mode, 404: all OSError subclasses
        raise BadInput(
            f"{repo_id}/{filename}@{revision[:7]}", f"{type(exc).__name__}: {OFFLINE_HINT}"
        ) from None


def load_hf_split(repo_id: str, config: str | None, split: str, revision: str | None) -> list[dict[str, Any]]:
    """Rows of a Hugging Face dataset split (parquet/JSON data files, no loading script)."""
    import datasets

    try:
        ds = datasets.load_dataset(repo_id, config, split=split, revision=revision)
    except (OSError, ValueError) as exc:  # ConnectionError, DatasetNotFoundError, offline mode
        raise BadInput(f"{repo_id}:{config}/{split}", f"{type(exc).__name__}: {OFFLINE_HINT}") from None
    if not isinstance(ds, datasets.Dataset):
        raise BadInput(f"{repo_id}:{config}/{split}", f"expected one split, got {type(ds).__name__}")
    rows: list[dict[str, Any]] = ds.to_list()
    return rows
