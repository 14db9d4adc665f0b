"""The headline check and the protocol probe (harness.pipeline.guard): what makes ``score`` exit 1."""

from __future__ import annotations

import math

import pytest

from harness.errors import BadInput
from harness.pipeline.guard import (
    DEFAULT_MAX_UNSCORED,
    JudgeProtocolError,
    ProtocolProbe,
    check_max_unscored,
    check_report,
    gate_line,
    headline_failure,
)
from harness.records import Judgment


def _score(
    metric: str, value: float | None, scored: int, reasons: dict[str, int], headline: bool = True
) -> dict:
    return {"metric": metric, "model": "m", "value": value, "n_scored": scored,
            "n_unscored": sum(reasons.values()), "unscored_reasons": reasons,
            "extra": {"headline": headline} if headline else {}}  # fmt: skip


def test_unavailable_headline_fails_whatever_the_threshold() -> None:
    failure = headline_failure("win_rate", "m", math.nan, 0, 40, {"parse_failure": 40}, 1.0)
    assert failure is not None and failure.why.startswith("unavailable")
    assert headline_failure("win_rate", "m", None, 0, 0, {}, 1.0) is not None


def test_share_above_the_threshold_fails_and_at_it_passes() -> None:
    assert headline_failure("score", "m", 50.0, 9, 1, {"parse_failure": 1}, 0.10) is None  # 10% exactly
    failure = headline_failure("score", "m", 50.0, 8, 2, {"parse_failure": 2}, 0.10)
    assert failure is not None and "2/10 = 20% > --max-unscored 10%" in failure.why
    assert headline_failure("score", "m", 50.0, 1, 9, {"parse_failure": 9}, 1.0) is None


def test_report_gate_names_the_dominant_reason_and_ignores_non_headline_figures() -> None:
    report = {"model": "m", "scores": [
        _score("win_rate", None, 0, {"parse_failure": 30, "api_error": 2}),
        _score("discrete_win_rate", None, 0, {"refusal": 99}, headline=False),
    ]}  # fmt: skip
    gate = check_report(report, DEFAULT_MAX_UNSCORED)
    assert not gate["passed"] and gate["dominant_reason"] == "parse_failure"
    assert [f["metric"] for f in gate["failures"]] == ["win_rate"]
    line = gate_line(gate)
    assert (
        line is not None and "dominant reason: parse_failure" in line and "win_rate of m unavailable" in line
    )
    ok = check_report({"model": "m", "scores": [_score("win_rate", 40.0, 95, {"parse_failure": 5})]}, 0.10)
    assert ok["passed"] and gate_line(ok) is None


def test_max_unscored_must_be_a_share() -> None:
    assert check_max_unscored(0.0) == 0.0 and check_max_unscored(1.0) == 1.0
    for bad in (-0.1, 1.5):
        with pytest.raises(BadInput, match="--max-unscored"):
            check_max_unscored(bad)


def _judgment(reason: str | None, logprobs: bool = False, **metadata: object) -> Judgment:
    return Judgment(item_id="1", model="m", judge="j", template_hash="h", parser_version="p",
                    protocol="single", status="scored" if reason is None else "unscored", reason=reason,
                    score=5.0 if reason is None else None, detail=None if reason is None else "no [[rating]]",
                    logprobs=[{"m": -0.1}] if logprobs else None, metadata=dict(metadata))  # fmt: skip


def test_probe_stops_when_every_called_judgment_is_unparseable() -> None:
    probe = ProtocolProbe(needs_logprobs=False, total_tasks=40)
    with pytest.raises(
        JudgeProtocolError, match=r"first 6 replies have no verdict.*no \[\[rating\]\]"
    ) as exc:
        probe.check([_judgment("parse_failure") for _ in range(6)])
    assert exc.value.exit_code == 1 and "\n" not in str(exc.value)


def test_probe_names_missing_logprobs_when_the_template_reads_them() -> None:
    probe = ProtocolProbe(needs_logprobs=True, total_tasks=21)
    with pytest.raises(JudgeProtocolError, match="no logprobs in 5 of its first 5 replies"):
        probe.check([_judgment("parse_failure") for _ in range(5)])
    with pytest.raises(JudgeProtocolError, match="no verdict"):  # logprobs came back, without m/M
        probe.check([_judgment("parse_failure", logprobs=True) for _ in range(5)])


def test_probe_lets_a_judge_with_one_readable_reply_or_too_few_calls_go_on() -> None:
    probe = ProtocolProbe(needs_logprobs=False, total_tasks=40)
    probe.check([_judgment("parse_failure")] * 5 + [_judgment(None)])
    probe.check([_judgment("parse_failure")] * 3)  # fewer than 4 calls: no conclusion
    # shortcuts (no call) and API errors are not the parser's finding
    probe.check([_judgment("parse_failure")] * 3 + [_judgment(None, no_call="identical")] * 5)
    probe.check([_judgment("parse_failure")] * 3 + [_judgment("api_error")] * 5)
