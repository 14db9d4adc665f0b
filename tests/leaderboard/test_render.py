import csv
import io

from harness.leaderboard.render import to_csv, to_markdown, write_leaderboard
from harness.table import Leaderboard, Row, format_value


def _board(rows):
    return Leaderboard(benchmark="demo", metric="win_rate", rows=tuple(rows), extra_columns=("avg_length",))


ROWS = [
    Row("b-model", 40.0, 38.0, 42.0, 10, 1, {"avg_length": 120}),
    Row("a-model", 55.5, 50.0, 60.1, 11, 0, {"avg_length": 300}),
    Row("c-model", 40.0, 37.0, 43.0, 9, 2, {"avg_length": 90}),
]


def test_rows_sorted_by_score_then_name_and_counts_kept():
    text = to_csv(_board(ROWS))
    recs = list(csv.DictReader(io.StringIO(text)))
    assert [r["model"] for r in recs] == ["a-model", "b-model", "c-model"]
    assert [r["rank"] for r in recs] == ["1", "2", "3"]
    assert recs[1]["n_unscored"] == "1" and recs[2]["n_scored"] == "9"
    assert recs[0]["win_rate"] == "55.500000"


def test_same_input_any_order_gives_byte_identical_files(tmp_path):
    a = write_leaderboard(_board(ROWS), tmp_path / "a")
    b = write_leaderboard(_board(ROWS[::-1]), tmp_path / "b")
    for kind in ("csv", "md", "html", "png"):
        assert a[kind].read_bytes() == b[kind].read_bytes(), kind
    assert a["csv"].parent.name == "demo" and a["csv"].parent.parent.name == "results"


def test_markdown_escapes_pipes_and_formats():
    md = to_markdown(_board([Row("x|y", 1.0, None, None, 1, 0)]))
    assert "x\\|y" in md
    assert format_value(-0.0000001) == "0.000000"
    assert format_value(float("nan")) == "nan"
