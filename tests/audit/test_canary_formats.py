"""The canary report in the CI formats: JUnit fails exactly the rows above their floor, GitHub annotates them."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from harness.audit.canary import CANARY_RENDERERS, CanaryReport, CanaryRow


def _report() -> CanaryReport:
    report = CanaryReport("arena_hard", "local", "arena_hard_v0.1", 10, "off")
    for kind, setting, value in (
        ("structured", "off", 60.0),
        ("structured", "on", 1.0),
        ("constant", "off", 0.0),
    ):
        report.rows.append(
            CanaryRow(kind, setting, (), "win_rate", value, 5.0, 10, 0, {}, 0, f"runs/{kind}-{setting}")
        )
    return report


def test_junit_fails_only_the_rows_above_the_floor_under_the_gate():
    root = ET.fromstring(CANARY_RENDERERS["junit"](_report()))
    cases = root.findall(".//testcase")
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert len(cases) == 3 and failed == ["structured-harden-off"]
    assert root.get("failures") == "1"


def test_github_annotates_the_failing_row_as_an_error():
    lines = CANARY_RENDERERS["github"](_report()).splitlines()
    assert [line.split(" ")[0] for line in lines[:3]] == ["::error", "::notice", "::notice"]
    assert lines[-1].startswith("canary FAIL")
