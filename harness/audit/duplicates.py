"""D1, constant and near-duplicate outputs across different instructions (the null model).

A null model answers every instruction with the same string (docs/audit.md). Outputs are normalised
(NFKC, lowercase, whitespace collapsed), cut into character 5-grams, and grouped when their Jaccard
similarity is >= ``min_jaccard`` (0.9); candidate pairs come from MinHash LSH so the cost stays near
linear, and every candidate is verified with the exact Jaccard. Two outputs only count as duplicates
when their instructions differ, and an output the instruction itself contains ("Reply with 'Yes'")
is left out. The submission fails when the largest cluster covers >= 5% of items and >= 3 items; the
members of such a cluster, and of any cluster of >= 3 long outputs, are flagged; smaller clusters warn.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from harness.audit.findings import Evidence, Finding, Severity, SubmissionFinding
from harness.audit.inputs import AuditItem
from harness.audit.text import normalize

DETECTOR = "duplicates"
SHINGLE = 5
PERMUTATIONS = 64
BANDS = 8  # 8 rows per band: pairs at Jaccard 0.9 become candidates with p = 0.99, at 0.5 with p = 0.03
MIN_ESTIMATE = 0.7  # MinHash agreement below this cannot be a 0.9-Jaccard pair worth verifying


@dataclass(frozen=True)
class DuplicateConfig:
    min_jaccard: float = 0.9
    fail_share: float = 0.05
    min_cluster: int = 3
    long_chars: int = 200  # a cluster of >= min_cluster outputs this long is not a coincidence


def _shingles(text: str) -> np.ndarray:
    text = text.ljust(SHINGLE)
    data = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    # Polynomial rolling hash of each 5-gram, deterministic (str hash() is salted per process).
    h = np.zeros(len(data) - SHINGLE + 1, dtype=np.uint64)
    for k in range(SHINGLE):
        h = h * np.uint64(1_000_003) + data[k : len(data) - SHINGLE + 1 + k]
    return np.unique(h & np.uint64(0xFFFFFFFF))


def _signature(sh: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """MinHash by multiply-shift hashing: (a*x + b) mod 2**64, top 32 bits (Dietzfelbinger et al.)."""
    with np.errstate(over="ignore"):
        return ((np.outer(sh, a) + b) >> np.uint64(32)).min(axis=0)


def _jaccard(x: np.ndarray, y: np.ndarray) -> float:
    inter = len(np.intersect1d(x, y, assume_unique=True))
    return inter / (len(x) + len(y) - inter) if len(x) + len(y) else 1.0


def duplicate_clusters(items: tuple[AuditItem, ...], min_jaccard: float = 0.9) -> list[list[int]]:
    """Groups (indices, size >= 2) of near-identical outputs given to different instructions."""
    texts = [normalize("\n".join(it.outputs)) for it in items]
    keep = [i for i, (t, it) in enumerate(zip(texts, items, strict=True)) if t and t not in it.context]
    prompts = [normalize("\n".join(it.prompts)) for it in items]
    parent = {i: i for i in keep}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # Exact copies first (a constant null model is one hash group), then near copies between the
    # distinct texts only, so the cost does not grow with the number of copies.
    by_text: dict[str, list[int]] = defaultdict(list)
    for i in keep:
        by_text[texts[i]].append(i)
    for members in by_text.values():
        if len({prompts[i] for i in members}) >= 2:
            for i in members[1:]:
                parent[find(i)] = find(members[0])
    reps = [members[0] for members in by_text.values()]
    rng = np.random.default_rng(0)
    a = rng.integers(1, 1 << 63, PERMUTATIONS, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 1 << 63, PERMUTATIONS, dtype=np.uint64)
    shingles = {i: _shingles(texts[i]) for i in reps}
    sigs = {i: _signature(shingles[i], a, b) for i in reps}
    rows = PERMUTATIONS // BANDS
    buckets: dict[tuple[int, bytes], list[int]] = defaultdict(list)
    for i in reps:
        for band in range(BANDS):
            buckets[(band, sigs[i][band * rows : (band + 1) * rows].tobytes())].append(i)
    seen: set[tuple[int, int]] = set()
    for members in buckets.values():
        for x_pos, x in enumerate(members):
            for y in members[x_pos + 1 :]:
                if (x, y) in seen or find(x) == find(y) or prompts[x] == prompts[y]:
                    continue
                seen.add((x, y))
                if float(np.mean(sigs[x] == sigs[y])) < MIN_ESTIMATE:
                    continue
                if _jaccard(shingles[x], shingles[y]) >= min_jaccard:
                    parent[find(x)] = find(y)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in keep:
        groups[find(i)].append(i)
    return sorted((g for g in groups.values() if len(g) >= 2), key=len, reverse=True)


def detect_duplicates(
    items: tuple[AuditItem, ...], config: DuplicateConfig = DuplicateConfig()
) -> tuple[list[Finding], list[SubmissionFinding]]:
    clusters = duplicate_clusters(items, config.min_jaccard)
    n = len(items)
    findings: list[Finding] = []
    submission: list[SubmissionFinding] = []
    for cluster in clusters:
        if len(cluster) < config.min_cluster:
            continue
        share = len(cluster) / n
        outputs = ["\n".join(items[i].outputs) for i in cluster]
        failing = share >= config.fail_share
        long = min(len(o) for o in outputs) >= config.long_chars
        severity: Severity = "flag" if failing or long else "warn"
        for i, out in zip(cluster, outputs, strict=True):
            findings.append(
                Finding(
                    DETECTOR,
                    items[i].item_id,
                    severity,
                    f"same output as {len(cluster) - 1} other item(s) with different instructions",
                    Evidence.of(out, 0, 0, min(len(out), 80)),
                    float(len(cluster)),
                )
            )
        if failing:
            submission.append(
                SubmissionFinding(
                    DETECTOR,
                    "fail",
                    f"{len(cluster)} items ({share:.1%}) share one output across different instructions",
                    share,
                    config.fail_share,
                    tuple(items[i].item_id for i in cluster),
                )
            )
    return findings, submission
