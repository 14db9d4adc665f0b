"""``results/``: the committed official leaderboards, their manifest and index, rebuilt and checked.

Layout: ``results/<board>/leaderboard.{csv,md,png}`` per board of :mod:`harness.leaderboard.official`,
``results/manifest.json`` (each board's pinned sources and the sha256 of its files) and
``results/README.md`` (the index, generated from the manifest). Nothing in them carries a date or a
machine name, so rebuilding from the same inputs gives the same bytes.

``check`` recomputes every board whose inputs it can reach (``--data-root``, ``--online``) and compares
bytes; boards it cannot recompute are still checked against the manifest's hashes, so a hand edit is
caught on a clean clone. The PNG is compared only when the installed matplotlib is the one that drew
it (rasterising differs between matplotlib/FreeType versions); CSV and Markdown always.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import OfficialBoard
from harness.errors import BadInput
from harness.leaderboard.official import all_boards, not_built
from harness.leaderboard.render import to_csv, to_markdown, to_png, write_atomic
from harness.leaderboard.sources import SourceIndex
from harness.table import Leaderboard, format_value

KINDS = ("csv", "md", "png")
MANIFEST = "manifest.json"
INDEX = "README.md"


@dataclass(frozen=True)
class Finding:
    """One board's outcome: ``ok``, ``written``, ``stale`` (a check failed), ``skipped`` (inputs not
    reachable) or ``absent`` (not committed and not rebuildable here)."""

    board: str
    status: str
    detail: str = ""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _matplotlib_version() -> str:
    import matplotlib

    return str(matplotlib.__version__)


def regenerate_command(board: str) -> str:
    return f"harness leaderboard --regenerate --only {board} --online"


def board_files(spec: OfficialBoard, board: Leaderboard) -> dict[str, bytes]:
    """The three committed files of one board."""
    table = to_markdown(board).split("\n", 1)[1]
    sources = "\n".join(f"- `{s.label}` (git blob `{s.blob[:12]}`)" for s in spec.sources)
    md = (
        f"# {spec.title}\n{table}\n## Sources\n\n{sources}\n\n"
        f"Rebuilt by `harness leaderboard --regenerate --only {spec.name}` (with `--data-root DIR` holding "
        "copies of the sources, or `--online`).\n"
    )
    return {"csv": to_csv(board).encode(), "md": md.encode(), "png": to_png(board)}


def _entry(spec: OfficialBoard, board: Leaderboard, files: dict[str, bytes]) -> dict[str, Any]:
    top = board.records()[0] if board.rows else {}
    return {
        "benchmark": spec.benchmark,
        "title": spec.title,
        "metric": board.metric,
        "models": len(board.rows),
        "top": {"model": top.get("model"), board.metric: format_value(top.get(board.metric), 2)},
        "sources": [
            {"repo": s.repo, "commit": s.commit, "path": s.path, "blob": s.blob} for s in spec.sources
        ],
        "files": {kind: _sha256(data) for kind, data in sorted(files.items())},
    }


def read_manifest(root: Path) -> dict[str, Any]:
    path = root / MANIFEST
    if not path.is_file():
        return {"boards": {}, "png_matplotlib": None}

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BadInput(str(path), f"cannot read the results manifest: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("boards"), dict):
        raise BadInput(str(path), "expected an object with a 'boards' object")
    return doc


def manifest_bytes(doc: dict[str, Any]) -> bytes:
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def index_markdown(doc: dict[str, Any]) -> str:
    lines = [
        "# Official leaderboards, regenerated",
        "",
        "Each table below is rebuilt by `harness leaderboard --regenerate` from the upstream judgment files at",
        "the commits listed on its page, with the same statistics `harness score` uses; nothing is copied",
        "from a published table. `harness leaderboard --check` recomputes them and exits 1 when one is",
        "stale. See docs/cli.md.",
        "",
        "| board | benchmark | headline | models | top model | files |",
        "|:---|:---|:---|---:|:---|:---|",
    ]
    for name, entry in sorted(doc["boards"].items()):
        top = entry["top"]
        lines.append(
            f"| [{entry['title']}]({name}/leaderboard.md) | {entry['benchmark']} | {entry['metric']} | "
            f"{entry['models']} | {top.get('model')} ({top.get(entry['metric'])}) | "
            f"[csv]({name}/leaderboard.csv), [png]({name}/leaderboard.png) |"
        )
    pending = [b for b in all_boards() if b.name not in doc["boards"]]
    if pending:
        lines += ["", "## Online only", ""]
        lines += [
            f"- {b.title}: its upstream judgments are not in the offline data set this folder was built "
            f"from; `{regenerate_command(b.name)}` downloads them at the pinned commit and adds the board."
            for b in pending
        ]
    lines += ["", "## Not built", ""]
    lines += [f"- {name}: {reason}." for name, reason in sorted(not_built().items())]
    return "\n".join(lines) + "\n"


def _build(spec: OfficialBoard, index: SourceIndex, online: bool) -> Leaderboard | list[str]:
    """The board, or the labels of the sources that could not be reached."""
    paths: dict[str, list[Path]] = {}
    missing: list[str] = []
    for role, sources in spec.inputs.items():
        found, absent = index.resolve_all(sources, online=online)
        paths[role] = found
        missing += [s.label for s in absent]
    if missing:
        return missing
    return spec.builder(paths)


def regenerate(root: Path, selected: list[OfficialBoard], index: SourceIndex, online: bool) -> list[Finding]:
    """Rebuild the selected boards whose inputs are reachable; the others keep their committed files."""
    doc = read_manifest(root)
    findings: list[Finding] = []
    for spec in selected:
        built = _build(spec, index, online)
        if isinstance(built, list):
            findings.append(
                Finding(spec.name, "skipped", f"{len(built)} inputs unreachable, e.g. {built[0]}")
            )
            continue
        files = board_files(spec, built)
        for kind, data in files.items():
            write_atomic(root / spec.name / f"leaderboard.{kind}", data)
        doc["boards"][spec.name] = _entry(spec, built, files)
        findings.append(Finding(spec.name, "written", f"{len(built.rows)} models"))
    doc["png_matplotlib"] = _matplotlib_version()
    write_atomic(root / MANIFEST, manifest_bytes(doc))
    write_atomic(root / INDEX, index_markdown(doc).encode())
    return findings


def _committed(root: Path, name: str, entry: dict[str, Any]) -> dict[str, bytes] | str:
    files: dict[str, bytes] = {}
    for kind in KINDS:
        path = root / name / f"leaderboard.{kind}"
        if not path.is_file():
            return f"{path} is missing"
        files[kind] = path.read_bytes()
        if _sha256(files[kind]) != entry["files"].get(kind):
            return f"{path} does not match the manifest's sha256 (edited by hand?)"
    return files


def check(root: Path, selected: list[OfficialBoard], index: SourceIndex, online: bool) -> list[Finding]:
    """Compare the committed boards with a rebuild (where inputs are reachable) and with the manifest."""

    if not (root / MANIFEST).is_file():
        raise BadInput(str(root), f"no {MANIFEST}: not a results folder (run --regenerate first)")
    doc = read_manifest(root)
    same_renderer = doc.get("png_matplotlib") == _matplotlib_version()
    findings: list[Finding] = []
    for spec in selected:
        entry = doc["boards"].get(spec.name)
        committed = _committed(root, spec.name, entry) if entry else None
        if isinstance(committed, str):
            findings.append(Finding(spec.name, "stale", committed))
            continue
        built = _build(spec, index, online)
        if isinstance(built, list):
            status = "skipped" if committed else "absent"
            why = f"not recomputed: {len(built)} inputs unreachable (pass --data-root DIR or --online)"
            findings.append(Finding(spec.name, status, why if committed else f"not committed; {why}"))
            continue
        if committed is None:
            findings.append(Finding(spec.name, "stale", f"inputs reachable but not committed: {regenerate_command(spec.name)}"))  # fmt: skip
            continue
        fresh = board_files(spec, built)
        kinds = KINDS if same_renderer else ("csv", "md")
        differ = [k for k in kinds if fresh[k] != committed[k]]
        if differ:
            findings.append(
                Finding(spec.name, "stale", f"leaderboard.{'/'.join(differ)} differ from a rebuild")
            )
        else:
            png = (
                ""
                if same_renderer
                else f"; png not compared (drawn with matplotlib {doc.get('png_matplotlib')})"
            )
            findings.append(Finding(spec.name, "ok", f"{len(built.rows)} models recomputed{png}"))
    index_path = root / INDEX
    if not index_path.is_file() or index_path.read_text(encoding="utf-8") != index_markdown(doc):
        findings.append(Finding(INDEX, "stale", f"{index_path} differs from the manifest's index"))
    return findings
