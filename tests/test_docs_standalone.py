"""The product's documentation stands alone: README, docs/ and every docstring and comment of the shipped
packages point only inside the repository (users have no ``../shared`` folder and no reference notes),
name no build step that does not exist, and link only to files that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHIPPED = ("harness", "judges", "benchmarks")
SUFFIXES = {".py", ".md", ".yaml", ".yml", ".jinja", ".toml", ".txt", ".js", ".css"}

OUTSIDE = re.compile(
    r"\.\./shared"  # the developers' folder beside the checkout
    r"|shared/(?:reference|DESIGN|STYLE|RECIPES)"
    r"|reference/[A-Za-z_]+\.md"
    r"|\b(?:methods|engineering|arena_mtbench|alpaca_eval|DESIGN|STYLE|RECIPES)\.md\b"  # reference notes by name
    r"|reference notes"
)
LINK = re.compile(r"\]\(([^)\s]+)\)")


def documents() -> list[Path]:
    files = [REPO / "README.md", REPO / "pyproject.toml", *sorted((REPO / "docs").rglob("*.md"))]
    results = REPO / "results" / "README.md"
    files += [results] if results.exists() else []
    for package in SHIPPED:
        files += sorted(p for p in (REPO / package).rglob("*") if p.suffix in SUFFIXES and p.is_file())
    return files


def test_the_scan_covers_readme_docs_and_every_package() -> None:
    names = {p.relative_to(REPO).parts[0] for p in documents()}
    assert {"README.md", "docs", "harness", "judges", "benchmarks"} <= names
    assert len(documents()) > 150


@pytest.mark.parametrize("path", documents(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_pointer_outside_the_repository(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    hits = [
        f"{path.relative_to(REPO)}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)}"
        for m in OUTSIDE.finditer(text)
    ]
    assert not hits, "points outside the repository:\n" + "\n".join(hits)


def test_the_pattern_catches_each_kind_of_outside_pointer() -> None:
    for bad in ("(../shared/DESIGN.md)", "``shared/reference/alpaca_eval.md`` §A", "methods.md §c",
                "(reference/engineering.md §4.6)", "(reference notes arena_mtbench.md §B.e)"):  # fmt: skip
        assert OUTSIDE.search(bad), bad
    for good in ("docs/statistics.md", "results/README.md", "alpaca_eval/main.py", "shared prefix"):
        assert not OUTSIDE.search(good), good


def test_no_install_step_that_does_not_exist() -> None:
    if (REPO / "Makefile").exists():
        return
    for path in documents():
        assert "make install" not in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize(
    "path",
    [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))],
    ids=lambda p: str(p.relative_to(REPO)),
)
def test_relative_links_resolve(path: Path) -> None:
    broken = []
    for target in LINK.findall(path.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        file = target.split("#", 1)[0]
        if not (path.parent / file).exists():
            broken.append(target)
    assert not broken, f"{path.relative_to(REPO)}: broken links {broken}"
