"""Bad scale options fail before anything starts: one line, exit 2."""

from __future__ import annotations

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
    with pytest.raises(BadInput, match="URL2"):
        parse_endpoint_spec("openai:m@http://a/v1,ftp://b/v1")
