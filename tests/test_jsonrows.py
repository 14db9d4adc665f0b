"""``harness.jsonrows.read_rows``: JSONL lines are split as bytes and decoded one by one (cheaper on large
judgment dumps); the rows, their ``file:line`` and the refusal of a non-UTF-8 file are those of decoding
the whole text and splitting it on ``\\n``."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from harness.errors import BadInput
from harness.jsonrows import read_rows

LINES = [
    {"id": "a", "text": "caf\u00e9 \u2014 \u4e2d\u6587 \U0001f600"},
    {"id": "b", "text": "line\u2028separator and \u0085 next-line stay inside one record"},
    {"id": "c", "text": "plain"},
]


def test_rows_and_line_numbers_are_those_of_the_decoded_text(tmp_path: Path) -> None:
    text = json.dumps(LINES[0], ensure_ascii=False) + "\n\n  \n" + json.dumps(LINES[1], ensure_ascii=False)
    text += "\r\n" + json.dumps(LINES[2]) + "\n"
    for path in (tmp_path / "x.jsonl", tmp_path / "x.jsonl.gz"):
        data = text.encode("utf-8")
        path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
        rows = read_rows(path)
        assert [row.data for row in rows] == LINES
        assert [row.where for row in rows] == [f"{path}:1", f"{path}:4", f"{path}:5"]


@pytest.mark.parametrize("bad", [b"\xe2\x82", b"\xff", b"\xc3"])
def test_a_non_utf8_file_is_refused_with_the_whole_files_byte_offset(tmp_path: Path, bad: bytes) -> None:
    data = b'{"id": "a"}\n{"id": "\xc3\xa9' + bad + b'"}\n{"id": "c"}\n'
    path = tmp_path / "x.jsonl"
    path.write_bytes(data)
    with pytest.raises(UnicodeDecodeError) as decoded:
        data.decode("utf-8")
    with pytest.raises(BadInput) as refused:
        read_rows(path)
    error = decoded.value
    assert str(refused.value) == f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"
