"""The clean variant on disk: a versioned benchmark file with its provenance, loadable as ``B@clean:PATH``.

Layout. JSONL: the first line is ``{"clean_eval_variant": HEADER}``, then one :class:`VariantRow` per item
(the item as evaluated, the original turns, every candidate with its scores and verdict, the chosen one).
Parquet: one row per item (``item_id`` plus the item, original turns and rewrite record as JSON text) and
the header as JSON in the schema metadata. Both files are written side by side, atomically; either loads.

``variant_id`` is a hash of the rows, so two variants with the same id hold the same items, and a run
scored on a variant records which one. Item ids, references, baselines and checklists are the original's:
only the user turns change, so answers, judges and statistics pair exactly as on the original.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from benchmarks._base import Benchmark, validate_items
from harness import atomic
from harness.clean_eval.records import RewriteRecord, VariantRow
from harness.errors import BadInput
from harness.records import Item

FORMAT = "harness.clean_eval.variant"
FORMAT_VERSION = 1
HEADER_KEY = "clean_eval_variant"
SPEC_MARK = "@clean:"


class VariantHeader(BaseModel):
    """Provenance of a variant: source benchmark, rewriter and every parameter, counts."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["harness.clean_eval.variant"] = "harness.clean_eval.variant"
    format_version: int = FORMAT_VERSION
    variant_id: str = ""
    benchmark: str
    version: str
    source: str  # --data path or the pinned upstream source
    created_at: str
    rewriter: dict[str, str]  # endpoint identity (spec, base URL, model); never a key
    rewrite: dict[str, Any]  # RewriteConfig
    filter: dict[str, Any]  # FilterConfig
    selector: str
    scorer: str
    templates: dict[str, str]  # prompt template -> sha256
    counts: dict[str, Any] = Field(default_factory=dict)
    git: dict[str, Any] | None = None


def variant_id(rows: Sequence[VariantRow]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(row.model_dump_json().encode())
        digest.update(b"\n")
    return digest.hexdigest()[:16]


def variant_counts(records: Sequence[RewriteRecord]) -> dict[str, Any]:
    """How many items were rewritten or kept, and how every candidate fared (pure)."""
    status: dict[str, int] = {}
    verdicts: dict[str, int] = {}
    items_with: dict[str, int] = {}
    for record in records:
        seen = set()
        for c in record.candidates:
            status[c.status] = status.get(c.status, 0) + 1
            verdicts[c.verdict or "unscored"] = verdicts.get(c.verdict or "unscored", 0) + 1
            seen.add(c.status)
        for s in seen - {"ok"}:
            items_with[s] = items_with.get(s, 0) + 1
    return {
        "items": len(records),
        "rewritten": sum(r.outcome == "rewritten" for r in records),
        "kept_original": sum(r.outcome == "kept_original" for r in records),
        "candidates": sum(len(r.candidates) for r in records),
        "candidate_status": dict(sorted(status.items())),
        "candidate_verdicts": dict(sorted(verdicts.items())),
        "items_with_unusable_reply": dict(sorted(items_with.items())),
    }


def _paths(path: Path) -> tuple[Path, Path]:
    base = path.with_suffix("") if path.suffix in (".jsonl", ".parquet") else path
    return base.with_suffix(".jsonl"), base.with_suffix(".parquet")


def write_variant(path: Path, header: VariantHeader, rows: Sequence[VariantRow]) -> tuple[Path, Path]:
    """Write ``PATH.jsonl`` and ``PATH.parquet`` (``path`` may carry either suffix); returns both."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    jsonl, parquet = _paths(path)
    jsonl.parent.mkdir(parents=True, exist_ok=True)
    header_json = header.model_dump_json()

    def write_jsonl(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(json.dumps({HEADER_KEY: json.loads(header_json)}, ensure_ascii=False) + "\n")
            for row in rows:
                fh.write(row.model_dump_json() + "\n")

    def write_parquet(tmp: Path) -> None:
        table = pa.table(
            {
                "item_id": [r.item.item_id for r in rows],
                "outcome": [r.rewrite.outcome for r in rows],
                "item": [r.item.model_dump_json() for r in rows],
                "original_turns": [json.dumps(r.original_turns, ensure_ascii=False) for r in rows],
                "rewrite": [r.rewrite.model_dump_json() for r in rows],
            }
        ).replace_schema_metadata({HEADER_KEY: header_json})
        pq.write_table(table, tmp)

    atomic.replace_with(jsonl, write_jsonl)
    atomic.replace_with(parquet, write_parquet)
    return jsonl, parquet


def load_variant(path: Path) -> tuple[VariantHeader, list[VariantRow]]:
    """Header and rows of a variant file (.jsonl or .parquet); anything else is one-line BadInput."""
    if not path.is_file():
        raise BadInput(str(path), "no such clean variant file")
    try:
        if path.suffix == ".parquet":
            return _load_parquet(path)
        return _load_jsonl(path)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"])) or "row"
        raise BadInput(str(path), f"not a clean variant ({first['msg']} at {where})") from None


def _load_jsonl(path: Path) -> tuple[VariantHeader, list[VariantRow]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise BadInput(str(path), f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        first = json.loads(lines[0]) if lines else None
    except (json.JSONDecodeError, RecursionError):
        first = None
    if not isinstance(first, dict) or HEADER_KEY not in first:
        raise BadInput(f"{path}:1", f"not a clean variant (first line must be {{{HEADER_KEY!r}: ...}})")
    header = VariantHeader.model_validate(first[HEADER_KEY])
    rows = []
    for lineno, line in enumerate(lines[1:], start=2):
        if line.strip():
            try:
                rows.append(VariantRow.model_validate_json(line))
            except ValidationError as exc:
                raise BadInput(f"{path}:{lineno}", f"bad variant row ({exc.errors()[0]['msg']})") from None
    return header, rows


def _load_parquet(path: Path) -> tuple[VariantHeader, list[VariantRow]]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        raise BadInput(str(path), f"not a Parquet file ({type(exc).__name__})") from None
    meta = table.schema.metadata or {}
    raw = meta.get(HEADER_KEY.encode())
    if raw is None:
        raise BadInput(str(path), f"not a clean variant (no {HEADER_KEY!r} in the Parquet metadata)")
    header = VariantHeader.model_validate_json(raw)
    rows = [
        VariantRow(
            item=Item.model_validate_json(item),
            original_turns=json.loads(turns),
            rewrite=RewriteRecord.model_validate_json(rewrite),
        )
        for item, turns, rewrite in zip(
            table.column("item").to_pylist(),
            table.column("original_turns").to_pylist(),
            table.column("rewrite").to_pylist(),
            strict=True,
        )
    ]
    return header, rows


def split_spec(name: str) -> tuple[str, Path | None]:
    """``"alpaca_eval@clean:PATH"`` -> ``("alpaca_eval", PATH)``; a plain name -> ``(name, None)``."""
    base, mark, path = name.partition(SPEC_MARK)
    if not mark:
        return name, None
    if not path:
        raise BadInput("--benchmark", f"{name!r}: give the variant file after {SPEC_MARK!r}")
    return base, Path(path)


class _CleanVariantLoad:
    """Mixed in before a benchmark adapter: ``load`` reads the variant file, everything else is the base's."""

    variant_path: ClassVar[Path]

    def load(
        self,
        data: Path | str | None = None,
        *,
        version: str | None = None,
        limit: int | None = None,
        check_count: bool = True,
    ) -> list[Item]:
        if data is not None:
            raise BadInput("--data", "a clean variant holds its own items; drop --data")
        header, rows = load_variant(self.variant_path)
        if version is not None and version != header.version:
            raise BadInput("--version", f"{self.variant_path} was built from version {header.version!r}")
        items = [row.item for row in rows]
        validate_items(items, str(self.variant_path), expected=None)  # a variant may cover a subset
        if limit is not None:
            if limit < 1:
                raise BadInput("limit", f"must be a positive number of items, got {limit}")
            items = items[:limit]
        return items


def clean_variant_benchmark(base: type[Benchmark], path: Path) -> Benchmark:
    """The adapter ``base`` whose items come from the variant at ``path`` (checked to be of ``base``)."""
    header, _ = load_variant(path)
    if header.benchmark != base.spec.name:
        raise BadInput(str(path), f"is a variant of {header.benchmark!r}, not of {base.spec.name!r}")
    cls = type(f"{base.__name__}CleanVariant", (_CleanVariantLoad, base), {"variant_path": path})
    return cast(Benchmark, cls())
