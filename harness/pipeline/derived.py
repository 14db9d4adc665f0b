"""Derived results keyed by the hash of their inputs, so that a re-run rebuilds nothing that did not change.

Two things are derived from a run's records and cost far more than reading them: the audit of the
model's outputs (seconds: sentence embeddings over every answer) and the report (the statistic's fit,
bootstrap rounds). Each is keyed by a sha256 over *everything it is computed from*, the code included:

- the audit: its inputs (instructions, outputs, history, the judge's template texts and config name,
  the benchmark, the embeddings switch) and :func:`code_version`; the findings are kept in the
  response cache's ``derived`` table (:meth:`harness.cache.Cache.put_derived`), so a re-run into a
  new run directory over the same outputs (a judge swap, a cached re-run) reuses them;
- the statistic (``harness.scoring.evaluate``: the fit and its bootstrap): its inputs are the run's config
  and dataset, its records as a set (lines sorted: concurrency writes them in a different order every
  run) and the audit's flags; kept in the ``derived`` table as well, so a cached re-run into a new run
  directory, whose records come out the same, does not fit again;
- the effect check (``effect.json``: which items were re-judged without their non-answer text, and what
  that did): its inputs are the run's records as a set, config and dataset, the check's options and the
  audit's embeddings switch; kept in the ``derived`` table, so a cached re-run into a new run directory
  does not select its items again (spans over every output) or re-judge them;
- the report: the run directory's records, run.json's config and dataset (and the size and modification
  time of every file the config names, such as ``--lc-difficulty``), the derived files the
  report reads (``audit.json``, ``effect.json``), the options that change a figure, and
  :func:`code_version`; the key is written into report.json when the run was complete, and a re-run
  that finds it unchanged prints that report instead of re-running any stage.

The code version is the harness version plus the size and modification time of every file of the
``harness``, ``benchmarks`` and ``judges`` packages (stat only, no reading: ~ms): any edit, upgrade or
checkout changes it, so a stale result is never served after the code that made it changed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import benchmarks
import harness
import judges
from harness import __version__

if TYPE_CHECKING:  # the audit's detectors load only where an audit runs
    from harness.audit.inputs import AuditItem

RECORD_FILES = ("items.jsonl", "outputs.jsonl", "judgments.jsonl", "checklists.jsonl", "rewrites.jsonl")
DERIVED_FILES = ("audit.json", "effect.json")
REPORT_KEY = "inputs_sha256"  # the field of report.json that holds the report's input hash


def _package_dirs() -> list[Path]:
    return [Path(p.__file__).parent for p in (harness, benchmarks, judges) if p.__file__]


@functools.cache
def code_version() -> str:
    """sha256 of the harness version and (path, size, mtime) of every file of its packages."""
    h = hashlib.sha256(__version__.encode())
    for root in _package_dirs():
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                st = os.stat(os.path.join(dirpath, name))
                h.update(f"{dirpath[len(str(root)) :]}/{name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def digest(*parts: Any) -> str:
    """sha256 of the canonical JSON of ``parts`` (sorted keys, no whitespace)."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def files_digest(run_dir: Path, names: Iterable[str]) -> str:
    """sha256 over the bytes of each named file of ``run_dir`` (a missing file counts as absent)."""
    h = hashlib.sha256()
    for name in names:
        path = run_dir / name
        h.update(f"{name}\0".encode())
        try:
            h.update(path.read_bytes())
        except FileNotFoundError:
            h.update(b"\0absent\0")
    return h.hexdigest()


def lines_digest(run_dir: Path, names: Iterable[str]) -> str:
    """sha256 over the *sorted* lines of each named file: the same records in another order hash alike."""
    h = hashlib.sha256()
    for name in names:
        h.update(f"{name}\0".encode())
        try:
            lines = sorted((run_dir / name).read_bytes().splitlines())
        except FileNotFoundError:
            h.update(b"\0absent\0")
            continue
        for line in lines:
            if line.strip():
                h.update(line)
                h.update(b"\n")
    return h.hexdigest()


def referenced_files(config: Any) -> list[list[Any]]:
    """(path, size, mtime) of every file the config names (``--lc-difficulty``, ``--data``, ...): a figure
    read from a file the user edited since is not served from before the edit."""
    found: list[list[Any]] = []
    values = (
        list(config.values())
        if isinstance(config, dict)
        else list(config)
        if isinstance(config, list)
        else []
    )
    for value in values:
        if isinstance(value, dict | list):
            found += referenced_files(value)
        elif isinstance(value, str) and value and os.path.isfile(value):
            st = os.stat(value)
            found.append([value, st.st_size, st.st_mtime_ns])
    return found


def evaluate_key(run_dir: Path, config: dict[str, Any], dataset: dict[str, Any]) -> str:
    """The hash of everything the statistic reads: config (and the files it names), dataset, records (as a
    set), audit flags."""
    records = lines_digest(run_dir, RECORD_FILES)
    derived = files_digest(run_dir, DERIVED_FILES)
    return digest("evaluate", code_version(), config, referenced_files(config), dataset, records, derived)


def input_check_key(kind: str, path: str) -> str:
    """The hash of a local input file's check (``--lc-difficulty`` read and found good): its path, size
    and modification time, and :func:`code_version`; a re-run does not read the file again."""
    return digest("input_check", kind, code_version(), referenced_files([path]))


def effect_key(
    run_dir: Path, config: dict[str, Any], dataset: dict[str, Any], options: dict[str, Any], embeddings: bool
) -> str:
    """The hash of everything the effect check reads: the run's records (as a set: the model's outputs,
    the judgments it re-judges against), config (judge, template, seed) and dataset, the check's options
    and the audit's (which picks the suspicious items; the audit itself is a function of the same records)."""
    records = lines_digest(run_dir, RECORD_FILES)
    return digest("effect", code_version(), config, dataset, options, embeddings, records)


def audit_key(
    audited: Sequence[AuditItem], judge_config: str, template_texts: Sequence[str], benchmark: str,
    embeddings: bool,
) -> str:  # fmt: skip
    """The hash of every input of the static audit of one submission."""
    rows = [[a.item_id, list(a.prompts), list(a.outputs), a.history] for a in audited]
    return digest("audit", code_version(), judge_config, list(template_texts), benchmark, embeddings, rows)


def report_key(
    run_dir: Path, config: dict[str, Any], dataset: dict[str, Any], options: dict[str, Any]
) -> str:
    """The hash of everything report.json is computed from (the session excepted: it says what this
    invocation did, not what the records hold)."""
    records = files_digest(run_dir, (*RECORD_FILES, *DERIVED_FILES))
    return digest("report", code_version(), config, referenced_files(config), dataset, options, records)
