"""Run the bad-input table (tests/cli/bad_inputs.py) as real subprocesses against a checkout and count
clean one-line exits, tracebacks, hangs and other outcomes; used to compare a tree before and after.

    python bench/bad_inputs.py [--checkout DIR] [--timeout S]

``--checkout`` is the source tree whose ``harness`` is run (default: this one); the table and the
fixture servers always come from this tree.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE / "tests" / "cli"))

from _cli_servers import Denied, NotOpenAI, Working, http_server, url  # noqa: E402
from bad_inputs import CASES, write_fixtures  # noqa: E402


def classify(rc: int | None, err: str, code: int, needle: str) -> str:
    if rc is None:
        return "hang"
    if "Traceback" in err:
        return "traceback"
    lines = [line for line in err.splitlines() if line.strip()]
    if rc == code and len(lines) == 1 and needle in lines[0]:
        return "clean"
    return f"exit {rc}" if rc != code else "not one line naming it"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkout", type=Path, default=HERE)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    outcomes: Counter[str] = Counter()
    env = {**os.environ, "PYTHONPATH": str(args.checkout.resolve()), "HARNESS_OFFLINE": "1",
           "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}  # fmt: skip
    with http_server(NotOpenAI) as notai, http_server(Denied) as denied, http_server(Working) as ok:
        for name, argv, code, needle in CASES:
            with tempfile.TemporaryDirectory() as tmp:
                d = Path(tmp)
                write_fixtures(d)
                subs = {"d": tmp, "dead": "http://127.0.0.1:1/v1", "notai": url(notai),
                        "denied": url(denied) + "/v1", "ok": f"openai:m@{url(ok)}/v1"}  # fmt: skip
                env["HARNESS_CACHE"] = str(d / "cache.sqlite")
                start = time.monotonic()
                try:
                    done = subprocess.run([sys.executable, "-m", "harness", *[a.format(**subs) for a in argv]],
                                          cwd=tmp, env=env, capture_output=True, text=True, timeout=args.timeout)  # fmt: skip
                    rc, err = done.returncode, done.stderr
                except subprocess.TimeoutExpired:
                    rc, err = None, ""
                outcome = classify(rc, err, code, needle.format(**subs))
                outcomes[outcome] += 1
                tail = err.strip().splitlines()[-1][:150] if err.strip() else ""
                print(f"{outcome:24s} {time.monotonic() - start:5.1f}s {name}: {tail}", flush=True)
    print(f"{len(CASES)} bad inputs: " + ", ".join(f"{k} {v}" for k, v in outcomes.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
