"""``harness serve ... --replicas N``: N servers behind one spec, reused by other commands as replicas;
and the judge-friendly vLLM defaults on the command line (no GPU needed to build it)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

import pytest

from harness.endpoints import parse_endpoint_spec
from harness.serve import is_healthy, resolve
from harness.serve.vllm import JUDGE_DEFAULTS, vllm_command, vllm_server
from tests._servers import start_served, stop_served


def test_serve_local_replicas_are_reused_as_one_endpoint_and_all_stop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = start_served(["local", "--replicas", "2"], home=tmp_path, spec="local", model="smollm2-135m-instruct",
                          timeout=240)  # fmt: skip
    urls = served.base_url.split(",")
    try:
        assert len(set(urls)) == 2 and all(is_healthy(u) for u in urls)
        monkeypatch.setenv("HARNESS_HOME", str(tmp_path))
        with resolve(parse_endpoint_spec("local")) as endpoint:
            assert endpoint.base_url == urls[0] and endpoint.replicas == tuple(urls)
    finally:
        code = stop_served(served)
    assert code == 0 and not any(is_healthy(u) for u in urls)
    assert not list((tmp_path / "servers").glob("*.json"))


def test_vllm_judge_defaults_are_on_both_command_lines_and_user_flags_come_last() -> None:
    devices: tuple[Literal["gpu", "cpu"], ...] = ("gpu", "cpu")
    for device in devices:
        cmd = vllm_command("/m", served_name="m", port=8000, device=device, extra_args=["--seed", "7"],
                           python="/venv/bin/python")  # fmt: skip
        text = " ".join(cmd)
        assert " ".join(JUDGE_DEFAULTS) in text and cmd[-2:] == ["--seed", "7"]
        assert "--max-logprobs 20" in text and "--generation-config vllm" in text
    assert "--enable-prefix-caching" in vllm_command("/m", served_name="m", port=1, device="gpu", python="/p")


def test_vllm_replica_is_pinned_to_its_gpus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARNESS_VLLM_PYTHON", sys.executable)
    server = vllm_server("org/model", port=9000, device="gpu", tensor_parallel_size=2, gpus=(2, 3))
    assert server.env["CUDA_VISIBLE_DEVICES"] == "2,3"
    assert server.command[server.command.index("--tensor-parallel-size") + 1] == "2"
