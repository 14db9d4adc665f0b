"""Arena-Hard scoring, harness vs arena-hard-auto's own ``show_result.py``, on the same judgments, alternating.

Not a test: ``PYTHONPATH=$PWD python bench/arena_show_result.py --arena-hard-repo PATH [--repeats 5]``.
``PATH`` is a full clone of the public repository (``git clone https://github.com/lmarena/arena-hard-auto
PATH``). Its code is never copied into this repository: the files are taken with ``git show`` from two
commits into a scratch work tree (``--work``, a temporary folder by default), next to the judgments:

- v0.1 (``5300089``, the last v0.1 layout): ``show_result.py [--style-control]``: BT by sklearn, then 100
  bootstrap rounds that each refit on a resampled battle frame. Needs numpy < 2 (``np.NAN``) and
  scikit-learn 1.5 (``penalty=None``): ``--peer-python`` names such an interpreter.
- v2.0 (``HEAD``): ``show_result.py -b arena-hard-v0.1 -c arena-hard-v0.1 [-f length markdown]``: mean outcome
  with a per-model pandas bootstrap, or a torch LBFGS style-controlled BT per round. Needs torch:
  ``--peer-python-v2``.

Judgments: the v0.1 peer-check set (6 models x 500 questions x 2 games; synthetic verdicts on the real
answers, whose style metadata is used), written in the layout each version reads.

Each job runs as a whole process on both sides (interpreter start, imports, reading the files, scoring),
harness and peer alternating; the time in the statistics alone is reported too. Upstream's is measured by
wrapping its functions from outside (nothing edited): v0.1 ``compute_mle_elo``/``get_bootstrap_result`` or
``construct_style_matrices``/``fit_bt``/``get_bootstrap_result_style_control``; v2 ``print_leaderboard*``
less the answer-file reading inside it. Harness's is the ``score_v01``/``score_v2`` call (label expansion
included). Scores are checked: v0.1 point estimates equal at 2 decimals (style control: +/- 0.05, as
upstream's lbfgs stops at tol 1e-4); bounds equal at 2 decimals in upstream-compatible mode (same row order),
within +/- 1.5 points otherwise (another random stream); v2 (upstream prints 1 decimal and reports bootstrap
means/medians from an unseeded stream): within 0.5 (points) and 1.5 (bounds).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("HARNESS_SHARED_DIR", REPO.parent / "shared")) / "data" / "arena_hard" / "v0.1"
PEER_DATA = DATA / "peer_check" / "model_judgment" / "gpt-4-1106-preview"
JUDGE = "gpt-4-1106-preview"
BENCH = "arena-hard-v0.1"
BASELINE = "gpt-4-0314"
V01_COMMIT = "5300089073250578618d513767038f6cbb69ebfa"
V01_FILES = ("show_result.py", "utils.py", "utils_math.py")
V2_FILES = ("show_result.py", "utils/judge_utils.py", "utils/math_utils.py")
ROUNDS = 100  # show_result.py's default (v2 has no flag for it)
HOW_TO_GET = "git clone https://github.com/lmarena/arena-hard-auto PATH"

# Runs in the peer's work tree with the peer's interpreter: executes show_result.py's definitions, wraps the
# statistics functions by name (outermost calls timed), then executes its ``__main__`` block unchanged.
PEER_RUNNER = r"""
import ast, json, os, sys, time
sys.path.insert(0, os.getcwd())
out, timed_names, io_names, args = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(","), sys.argv[4:]
tree = ast.parse(open("show_result.py").read())
main = [n for n in tree.body if isinstance(n, ast.If) and "__main__" in ast.unparse(n.test)]
defs = ast.Module(body=[n for n in tree.body if n not in main], type_ignores=[])
namespace = {"__name__": "__main__", "__file__": "show_result.py"}
exec(compile(defs, "show_result.py", "exec"), namespace)
totals, depth = {"stats": 0.0}, [0]
def wrap(name, inner, outer):
    def wrapper(*a, **k):
        start = time.perf_counter()
        depth[0] += outer
        try:
            return inner(*a, **k)
        finally:
            depth[0] -= outer
            spent = time.perf_counter() - start
            totals[name] = totals.get(name, 0.0) + spent
            if outer and depth[0] == 0:
                totals["stats"] += spent
    return wrapper
for name in timed_names + io_names:
    if name:
        namespace[name] = wrap(name, namespace[name], name in timed_names)
sys.argv = ["show_result.py", *args]
exec(compile(ast.Module(body=main[0].body, type_ignores=[]), "show_result.py", "exec"), namespace)
totals["stats"] -= sum(totals.get(name, 0.0) for name in io_names if name)
json.dump(totals, open(out, "w"))
"""

# Runs with the harness interpreter: the same files, read and scored, as a whole process.
HARNESS_SIDE = r"""
import glob, json, sys, time
from pathlib import Path
try:
    from benchmarks.arena_hard.upstream import load_answer_metadata, load_judgments
except ImportError:
    from harness.stats.arena_judgments import load_answer_metadata, load_judgments
from harness.stats.arena_scores import Bootstrap, score_v01, score_v2
version, mode, tree, out, rounds, judge, baseline = sys.argv[1:8]
data = Path(tree) / "data" / "arena-hard-v0.1"
judgments = load_judgments(glob.glob(str(data / "model_judgment" / judge / "*jsonl")))  # upstream's order
style = "style" if mode.startswith("style") else None
metadata = load_answer_metadata(sorted((data / "model_answer").glob("*.jsonl"))) if style else None
spec = Bootstrap(rounds=int(rounds), upstream_compatible=mode.endswith("compatible"))
score = score_v01 if version == "v0.1" else score_v2
start = time.perf_counter()
rows = score(judgments, baseline=baseline, bootstrap=spec, style=style, metadata=metadata)
stats = time.perf_counter() - start
json.dump({"stats": stats, "scores": {r.model: [r.score, r.ci_lower, r.ci_upper] for r in rows}}, open(out, "w"))
"""


@dataclass(frozen=True)
class Job:
    """One comparison: which version and mode, the peer's command line and what its timer wraps."""

    name: str
    version: str
    harness_mode: str
    peer_args: tuple[str, ...]
    timed: tuple[str, ...]
    io: tuple[str, ...] = ()


V01_PLAIN = ("compute_mle_elo", "get_bootstrap_result")
V01_STYLE = ("construct_style_matrices", "fit_bt", "get_bootstrap_result_style_control")
V2_TIMED = ("print_leaderboard", "print_leaderboard_with_style_features")
JOBS = {
    "v0.1": Job("v0.1 BT + bootstrap", "v0.1", "plain", ("--output",), V01_PLAIN),
    "v0.1-compatible": Job(
        "v0.1 BT + bootstrap, upstream-compatible draws", "v0.1", "plain-compatible", ("--output",), V01_PLAIN
    ),
    "v0.1-style": Job("v0.1 style control", "v0.1", "style", ("--style-control", "--output"), V01_STYLE),
    "v2": Job("v2.0 mean + bootstrap", "v2", "plain", ("-b", BENCH, "-j", JUDGE, "-c", BENCH), V2_TIMED),
    "v2-style": Job(
        "v2.0 style control",
        "v2",
        "style",
        ("-b", BENCH, "-j", JUDGE, "-c", BENCH, "-f", "length", "markdown"),
        V2_TIMED,
        ("get_model_style_metadata",),
    ),
}


def _git_show(repo: Path, commit: str, path: str) -> bytes:
    return subprocess.run(
        ["git", "-C", str(repo), "show", f"{commit}:{path}"], check=True, capture_output=True
    ).stdout


def _judgment_records(v2: bool) -> dict[str, list[dict[str, object]]]:
    records: dict[str, list[dict[str, object]]] = {}
    for path in sorted(PEER_DATA.glob("*.jsonl.gz")):
        rows = [json.loads(line) for line in gzip.open(path, "rt", encoding="utf-8")]
        if v2:
            rows = [
                {"uid": r["question_id"], "category": BENCH, "model": r["model"], "judge": r["judge"],
                 "games": r["games"]}
                for r in rows
            ]  # fmt: skip
        records[path.name.removesuffix(".gz")] = rows
    return records


def _answer_records(v2: bool) -> dict[str, list[dict[str, object]]]:
    records: dict[str, list[dict[str, object]]] = {}
    for path in sorted((DATA / "model_answer").glob("*.jsonl")):
        rows = [json.loads(line) for line in path.open(encoding="utf-8")]
        if v2:
            rows = [
                {"uid": r["question_id"], "ans_id": r["answer_id"], "model": r["model_id"],
                 "messages": [{"role": "assistant", "content": {"answer": r["choices"][0]["turns"][0]["content"]}}],
                 "metadata": {k: r["conv_metadata"][k] for k in ("token_len", "header_count", "list_count", "bold_count")}}
                for r in rows
            ]  # fmt: skip
        records[path.name] = rows
    return records


def build_tree(repo: Path, root: Path, version: str) -> Path:
    """A peer work tree: the version's code from ``repo`` plus the judgments and answers in its layout."""
    v2 = version == "v2"
    tree = root / version
    commit, files = ("HEAD", V2_FILES) if v2 else (V01_COMMIT, V01_FILES)
    for name in files:
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_bytes(_git_show(repo, commit, name))
    data = tree / "data" / BENCH
    for sub, records in (
        (Path("model_judgment") / JUDGE, _judgment_records(v2)),
        (Path("model_answer"), _answer_records(v2)),
    ):
        (data / sub).mkdir(parents=True, exist_ok=True)
        for name, rows in records.items():
            text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
            (data / sub / name).write_text(text, encoding="utf-8")
    (tree / "leaderboard").mkdir(exist_ok=True)
    (tree / "_peer_runner.py").write_text(PEER_RUNNER)
    return tree


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stderr[-3000:]}")
    return wall, done.stdout


def run_peer(
    job: Job, tree: Path, python: str, env: dict[str, str]
) -> tuple[float, float, dict[str, list[float]]]:
    """Whole-process seconds, statistics seconds and the scores (percent) of one upstream run."""
    times = tree / "_peer_times.json"
    wall, stdout = _run(
        [python, "_peer_runner.py", str(times), ",".join(job.timed), ",".join(job.io), *job.peer_args],
        tree,
        env,
    )
    stats = json.loads(times.read_text())["stats"]
    return wall, stats, _peer_scores(job, tree, stdout)


def _peer_scores(job: Job, tree: Path, stdout: str) -> dict[str, list[float]]:
    if job.version == "v0.1":
        newest = max((tree / "leaderboard").glob("*.csv"), key=lambda p: p.stat().st_mtime)
        with newest.open() as handle:
            return {r["model"]: [float(r["score"]), float(r["rating_q025"]), float(r["rating_q975"])]
                    for r in csv.DictReader(handle)}  # fmt: skip
    scores = {}
    for line in stdout.splitlines():
        match = re.match(r"^\s*\d+\s+(\S+)\s+(-?[\d.]+)\s+\(-(-?[\d.]+) / \+(-?[\d.]+)\)", line)
        if match:
            score, minus, plus = (float(g) for g in match.groups()[1:])
            scores[match.group(1)] = [score, score - minus, score + plus]
    return scores


def run_harness(
    job: Job, tree: Path, rounds: int, env: dict[str, str]
) -> tuple[float, float, dict[str, list[float]]]:
    out = tree / "_harness_scores.json"
    command = [sys.executable, "-c", HARNESS_SIDE, job.version, job.harness_mode, str(tree), str(out),
               str(rounds), JUDGE, BASELINE]  # fmt: skip
    wall, _ = _run(command, REPO, env)
    result = json.loads(out.read_text())
    return wall, result["stats"], result["scores"]


def _differences(
    job: Job, ours: dict[str, list[float]], theirs: dict[str, list[float]]
) -> tuple[float, float, bool]:
    """Largest |point| and |bound| differences, and whether they are within the job's tolerance."""
    models = sorted(set(ours) & set(theirs))
    if set(ours) != set(theirs):
        return float("nan"), float("nan"), False
    decimals = 2 if job.version == "v0.1" else 1
    point = max(abs(round(ours[m][0], decimals) - theirs[m][0]) for m in models)
    bound = max(abs(round(ours[m][i], decimals) - theirs[m][i]) for m in models for i in (1, 2))
    if job.version == "v2":
        return point, bound, point <= 0.5 and bound <= 1.5
    point_tol = 0.05 if "style" in job.harness_mode else 0.005
    bound_tol = 0.005 if job.harness_mode.endswith("compatible") else 1.5
    return point, bound, point <= point_tol + 1e-9 and bound <= bound_tol + 1e-9


def compare(job: Job, tree: Path, python: str, repeats: int, rounds: int) -> dict[str, float | bool]:
    env = {**os.environ, "TQDM_DISABLE": "1", "PYTHONHASHSEED": "0"}
    harness_env = {**env, "PYTHONPATH": os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])}
    peer_env = {k: v for k, v in env.items() if k != "PYTHONPATH"}
    ours_wall, ours_stats, theirs_wall, theirs_stats = [], [], [], []
    ours = theirs = {}
    for _ in range(repeats):
        wall, stats, ours = run_harness(job, tree, rounds, harness_env)
        ours_wall.append(wall)
        ours_stats.append(stats)
        wall, stats, theirs = run_peer(job, tree, python, peer_env)
        theirs_wall.append(wall)
        theirs_stats.append(stats)
    point, bound, agree = _differences(job, ours, theirs)
    return {
        "harness_s": statistics.median(ours_wall), "peer_s": statistics.median(theirs_wall),
        "harness_stats_s": statistics.median(ours_stats), "peer_stats_s": statistics.median(theirs_stats),
        "max_point_diff": point, "max_bound_diff": bound, "agree": agree,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arena-hard-repo", type=Path, help=f"a full clone: {HOW_TO_GET}")
    parser.add_argument(
        "--peer-python", default=sys.executable, help="interpreter for v0.1 (numpy<2, sklearn)"
    )
    parser.add_argument(
        "--peer-python-v2", default=None, help="interpreter for v2.0 (torch); default --peer-python"
    )
    parser.add_argument(
        "--work", type=Path, help="scratch folder for the peer work trees (outside this repo)"
    )
    parser.add_argument(
        "--jobs", nargs="+", choices=sorted(JOBS), default=["v0.1", "v0.1-style", "v2", "v2-style"]
    )
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    repo = args.arena_hard_repo
    if repo is None or not (repo / ".git").exists() and not (repo / "HEAD").exists():
        print(
            f"--arena-hard-repo: need a full clone of arena-hard-auto; get one with: {HOW_TO_GET}",
            file=sys.stderr,
        )
        return 2
    if not PEER_DATA.is_dir():
        print(f"{PEER_DATA}: the peer-check judgments are missing", file=sys.stderr)
        return 2
    work = args.work or Path(tempfile.mkdtemp(prefix="arena-show-result-"))
    trees = {v: build_tree(repo, work, v) for v in sorted({JOBS[name].version for name in args.jobs})}
    load = os.getloadavg()
    print(f"Arena-Hard scoring, 6 models x 500 questions x 2 games, {ROUNDS} bootstrap rounds, "
          f"median of {args.repeats} alternating whole-process runs; load average before {load[0]:.2f}")  # fmt: skip
    header = f"{'job':48s} {'harness':>8s} {'peer':>8s} {'ratio':>6s} | {'stats:h':>8s} {'peer':>8s} {'ratio':>6s} | {'|dpt|':>6s} {'|dci|':>6s}"
    print(header)
    failed = False
    for name in args.jobs:
        job = JOBS[name]
        python = (args.peer_python_v2 or args.peer_python) if job.version == "v2" else args.peer_python
        r = compare(job, trees[job.version], python, args.repeats, ROUNDS)
        failed |= not r["agree"]
        print(
            f"{job.name:48s} {r['harness_s']:8.3f} {r['peer_s']:8.3f} {r['peer_s'] / r['harness_s']:5.1f}x | "
            f"{r['harness_stats_s']:8.3f} {r['peer_stats_s']:8.3f} {r['peer_stats_s'] / r['harness_stats_s']:5.1f}x | "
            f"{r['max_point_diff']:6.2f} {r['max_bound_diff']:6.2f}{'' if r['agree'] else '  DISAGREE'}"
        )  # fmt: skip
    load = os.getloadavg()
    print(f"load average after {load[0]:.2f}; seconds; ratio = peer / harness; |dpt|, |dci| = largest score and "
          f"bound differences in win-rate points")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
