"""Which stored-judgment format a path holds: our run directory or one of the upstream layouts.

The upstream layouts are the benchmarks' own (``Benchmark.upstream_formats``: a name, a description and a
test on the first record); this module knows none of them by name. Detection reads the first record
only; a file that matches none of the layouts is refused with the list of what was expected, so a wrong
path never turns into an empty leaderboard.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import BENCHMARKS, UpstreamFormat
from harness.errors import BadInput

RUN_DIR = "run_dir"
RUN_DIR_TEXT = "a harness run directory (run.json + judgments.jsonl)"


def known_formats() -> tuple[UpstreamFormat, ...]:
    """The upstream layouts of every registered benchmark, in registry order."""
    return tuple(fmt for name in BENCHMARKS for fmt in BENCHMARKS.get(name).upstream_formats)


def expected(formats: Sequence[UpstreamFormat]) -> str:
    """What a path may be, for messages: a run directory or one of ``formats``."""
    return ", ".join([RUN_DIR_TEXT, *(fmt.description for fmt in formats)])


def _first_record(path: Path, formats: Sequence[UpstreamFormat]) -> Any:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            head = fh.read(1)
            if head == "[":
                fh.seek(0)
                data = json.load(fh)
                return data[0] if isinstance(data, list) and data else data
            fh.seek(0)
            for line in fh:
                if line.strip():
                    return json.loads(line)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInput(
            str(path), f"cannot read as JSON/JSONL ({exc.__class__.__name__}); expected {expected(formats)}"
        ) from None
    raise BadInput(str(path), f"empty file; expected {expected(formats)}")


def detect_format(path: Path, formats: Sequence[UpstreamFormat] | None = None) -> str:
    """``run_dir`` or the name of the first of ``formats`` (default: every benchmark's) the path holds."""
    if path.is_dir():
        if (path / "run.json").exists():
            return RUN_DIR
        raise BadInput(str(path), f"directory without run.json; expected {expected(_or_all(formats))}")
    formats = _or_all(formats)
    if not path.exists():
        raise BadInput(str(path), "no such file")
    rec = _first_record(path, formats)
    if not isinstance(rec, dict):
        raise BadInput(str(path), f"first record is not an object; expected {expected(formats)}")
    for fmt in formats:
        if fmt.matches(rec):
            return fmt.name
    raise BadInput(str(path), f"unknown format (keys {sorted(rec)[:8]}); expected {expected(formats)}")


def _or_all(formats: Sequence[UpstreamFormat] | None) -> Sequence[UpstreamFormat]:
    return known_formats() if formats is None else formats


def detect_own_format(path: Path, own: Sequence[UpstreamFormat]) -> str:
    """:func:`detect_format` over ``own`` (a benchmark's layouts) first, then every other benchmark's: the
    same answer as over all of them in that order, but the other benchmarks (their packages and what they
    import) are loaded only for a path that is none of ``own``, to name what it is instead."""
    if own:
        try:
            return detect_format(path, own)
        except BadInput:
            pass
    return detect_format(path, (*own, *(fmt for fmt in known_formats() if fmt not in own)))


_JUDGMENT_SUFFIXES = (".json", ".jsonl", ".jsonl.gz", ".json.gz")


def _files_under(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Files under ``folder`` with one of ``suffixes``, in sorted path order (a shell glob's order, which
    upstream result code sees), not descending into run directories."""
    found: list[Path] = []
    for path in sorted(folder.iterdir()):
        if path.is_dir() and not (path / "run.json").exists():
            found += _files_under(path, suffixes)
        elif path.is_file() and path.name.endswith(suffixes):
            found.append(path)
    return found


def expand_inputs(paths: Sequence[Path], own: Sequence[UpstreamFormat] = ()) -> list[Path]:
    """``--from`` paths with directories opened: a run directory stays one input; any other directory
    (an alpaca_eval ``results/`` tree, an arena-hard ``model_judgment/<judge>/`` folder, a sweep directory)
    gives the run directories and the judgment files under it (of any benchmark's layout, ``own`` tried
    first), skipping files of other kinds (the ``model_outputs.json`` beside annotations, a sweep's own
    tables). A directory with none is refused."""
    expanded: list[Path] = []
    for path in paths:
        if not path.is_dir() or (path / "run.json").exists():
            expanded.append(path)
            continue
        found = [p for p in sorted(path.iterdir()) if p.is_dir() and (p / "run.json").exists()]
        for file in _files_under(path, _JUDGMENT_SUFFIXES):
            try:
                detect_own_format(file, own)
            except BadInput:
                continue
            found.append(file)
        if not found:
            raise BadInput(
                str(path),
                f"directory holds no run directory or judgment file; expected {expected(known_formats())}",
            )
        expanded += found
    return expanded


def expand_answer_files(paths: Sequence[Path]) -> list[Path]:
    """``--answers`` paths with directories (``model_answer/``) opened to their ``.jsonl`` files."""
    expanded: list[Path] = []
    for path in paths:
        if not path.is_dir():
            expanded.append(path)
            continue
        files = _files_under(path, (".jsonl", ".jsonl.gz"))
        if not files:
            raise BadInput(str(path), "directory holds no answer .jsonl files")
        expanded += files
    return expanded
