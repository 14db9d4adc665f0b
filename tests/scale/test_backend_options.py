"""Bad scale options fail before anything starts: one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.backends import check_backend
from harness.cli import main
from harness.endpoints import parse_endpoint_spec
from harness.errors import BadInput


def test_ray_options_need_the_ray_backend(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["score", "--benchmark", "demo", "--model", "local", "--ray-address", "auto"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.splitlines() == ["harness: error: --ray-*: only with --backend ray"]


def test_unknown_backend_and_processor_are_refused() -> None:
    with pytest.raises(BadInput, match="unknown backend"):
        check_backend("spark", None)
    pytest.importorskip("ray")
    with pytest.raises(BadInput, match="--ray-processor"):
        check_backend("ray", None, "grpc")


def test_every_replica_url_must_be_http() -> None:
    with pytest.raises(BadInput, match="ftp://b/v1.*scheme must be http"):
        parse_endpoint_spec("openai:m@http://a/v1,ftp://b/v1")


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--name", "a"], "harness: error: --name: give one --name per --model (2), or none; got 1"),
        (["--name", "x", "--name", "x"], "harness: error: --model: two models are named 'x'; give each a --name (in --model order)"),
        (["--contamination"], "harness: error: --contamination: takes one --model"),
    ],
)  # fmt: skip
def test_a_sweep_with_ambiguous_models_is_refused_before_anything_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], expected: str
) -> None:
    argv = ["score", "--benchmark", "demo", "--model", "local", "--model", "openai:m@http://127.0.0.1:9/v1",
            "--judge", "local", "--run-dir", str(tmp_path / "sweep"), *extra]  # fmt: skip
    code = main(argv)
    assert code == 2 and capsys.readouterr().err.strip().splitlines() == [expected]
    assert not (tmp_path / "sweep").exists()


def test_a_sweep_of_two_checkpoints_named_alike_by_their_specs_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two checkpoint directories both called ``final`` would write one run directory: refused."""
    argv = ["score", "--benchmark", "demo", "--model", "vllm:/ckpts/a/final", "--model", "vllm:/ckpts/b/final",
            "--judge", "local", "--run-dir", str(tmp_path / "sweep")]  # fmt: skip
    assert main(argv) == 2
    assert "two models are named 'final'" in capsys.readouterr().err
