"""harness.atomic: a target is replaced whole or not at all, and no temporary file is left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import atomic


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    atomic.write_text(target, "old\n")

    def half_then_fail(tmp: Path) -> None:
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic.replace_with(target, half_then_fail)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_write_creates_parents_and_keeps_bytes(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "table.csv"
    assert atomic.write_text(target, "x\r\ny\n") == target
    assert target.read_bytes() == b"x\r\ny\n"
