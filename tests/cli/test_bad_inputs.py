"""Every row of the bad-input table (tests/cli/bad_inputs.py) exits with its code and one line naming
the file, field or flag at fault, with no traceback and no request to a working endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _cli_servers import Denied, NotOpenAI, Working, http_server, url
from bad_inputs import CASES, write_fixtures

from harness.cli import main

DEAD = "http://127.0.0.1:1/v1"


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, object]]:
    with http_server(NotOpenAI) as notai, http_server(Denied) as denied, http_server(Working) as ok:
        yield {"notai": url(notai), "denied": url(denied) + "/v1", "ok": f"openai:m@{url(ok)}/v1", "_ok": ok}


def test_the_table_is_large_and_names_are_unique() -> None:
    assert len(CASES) >= 100
    assert len({name for name, *_ in CASES}) == len(CASES)


@pytest.mark.parametrize(("name", "argv", "code", "needle"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line(
    name: str,
    argv: list[str],
    code: int,
    needle: str,
    servers: dict[str, object],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for var in ("HARNESS_OFFLINE", "HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"):
        monkeypatch.setenv(var, "1")  # nothing in this table may reach the internet
    monkeypatch.setenv("HARNESS_CACHE", str(tmp_path / "cache.sqlite"))
    monkeypatch.chdir(tmp_path)
    write_fixtures(tmp_path)
    subs = {"d": str(tmp_path), "dead": DEAD, **{k: v for k, v in servers.items() if isinstance(v, str)}}
    ok = servers["_ok"]
    before = ok.chats  # type: ignore[attr-defined]
    rc = main([part.format(**subs) for part in argv])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err, err
    assert rc == code, err
    assert len(lines) == 1, err
    assert needle.format(**subs) in lines[0], lines[0]
    assert ok.chats == before, "a working endpoint was asked before the bad input was found"  # type: ignore[attr-defined]
