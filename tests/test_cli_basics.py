import subprocess
import sys

from harness.cli import main
from harness.endpoints import parse_endpoint_spec
from harness.errors import BadInput


def test_help_lists_commands(capsys):
    try:
        main(["--help"])
    except SystemExit as exc:
        assert exc.code == 0
    out = capsys.readouterr().out
    for name in ("generate", "cache", "serve", "leaderboard", "benchmarks", "audit"):
        assert name in out


def test_python_m_harness_runs():
    proc = subprocess.run([sys.executable, "-m", "harness", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    assert "generate" in proc.stdout


def test_endpoint_specs():
    assert parse_endpoint_spec("local").kind == "local"
    assert parse_endpoint_spec("vllm:/models/x").model == "/models/x"
    s = parse_endpoint_spec("openai:smollm2@http://127.0.0.1:8011/v1")
    assert (s.kind, s.model, s.base_url) == ("openai", "smollm2", "http://127.0.0.1:8011/v1")
    for bad in ("gpt4", "foo:bar", "openai:m@ftp://x"):
        try:
            parse_endpoint_spec(bad)
        except BadInput as exc:
            assert "--model" in str(exc)
        else:
            raise AssertionError(bad)


def test_the_process_exit_keeps_a_normal_exits_duties():
    """The command's own process leaves without the interpreter's teardown (harness/cli/__init__.py), yet
    with the command's exit code, its whole output (a pipe buffers it), the atexit handlers run after the
    command and a thread the command left running joined first."""
    code = (
        "import atexit, sys, threading, time\n"
        "from harness.cli import main\n"
        "atexit.register(lambda: print('atexit ran', flush=True))\n"
        "threading.Thread(target=lambda: (time.sleep(1.0), print('thread done'))).start()\n"
        "sys.argv = ['harness', 'benchmarks']\n"
        "main()\n"
        "print('not reached')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "alpaca_eval" in proc.stdout and "not reached" not in proc.stdout
    assert lines[-2:] == ["thread done", "atexit ran"]
