"""The committed results/ folder: recomputed from the upstream files it pins, byte for byte, and checked."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _shared import REPO, shared_path

from benchmarks.alpaca_eval.official import GAMMA_MODEL, VICUNA_GLM
from benchmarks.alpaca_eval.upstream import difficulty_from_glm_preference, load_glm_weights
from harness.cli import main
from harness.leaderboard.sources import SourceIndex, git_blob_id

RESULTS = REPO / "results"


def _statuses(out: str) -> dict[str, str]:
    return {line.split()[1]: line.split()[0] for line in out.splitlines() if line.strip()}


def test_check_recomputes_the_committed_boards_from_shared_data(capsys):
    data = shared_path()
    rc = main(["leaderboard", "--check", "--results", str(RESULTS), "--data-root", str(data)])
    status = _statuses(capsys.readouterr().out)
    assert rc == 0, status
    # the boards whose upstream inputs are in the shared data were rebuilt and compared, not skipped
    assert status["alpaca_eval"] == "ok"
    assert status["wildbench"] == "ok"


def test_check_on_a_clean_clone_verifies_hashes_without_inputs(capsys, tmp_path):
    rc = main(["leaderboard", "--check", "--results", str(RESULTS), "--data-root", str(tmp_path)])
    status = _statuses(capsys.readouterr().out)
    assert rc == 0
    assert status["alpaca_eval"] == "skipped"


def test_a_hand_edit_is_stale_even_without_inputs(capsys, tmp_path):
    copy = tmp_path / "results"
    shutil.copytree(RESULTS, copy)
    table = copy / "wildbench" / "leaderboard.csv"
    table.write_text(table.read_text().replace("reka-core-20240501", "reka-core"))
    rc = main(["leaderboard", "--check", "--results", str(copy)])
    out = capsys.readouterr().out
    assert rc == 1
    assert "stale" in out and "wildbench" in out


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("rebuilt") / "results"
    assert (
        main(["leaderboard", "--regenerate", "--results", str(root), "--data-root", str(shared_path())]) == 0
    )
    return root


def test_regenerating_gives_the_committed_bytes(rebuilt):
    for board in ("alpaca_eval", "wildbench"):
        for kind in ("csv", "md"):
            name = f"{board}/leaderboard.{kind}"
            assert (rebuilt / name).read_bytes() == (RESULTS / name).read_bytes(), name
    assert (rebuilt / "README.md").read_bytes() == (RESULTS / "README.md").read_bytes()


def test_a_stale_table_with_a_matching_hash_fails_the_recomputation(capsys, rebuilt, tmp_path):
    copy = tmp_path / "results"
    shutil.copytree(rebuilt, copy)
    table = copy / "alpaca_eval" / "leaderboard.csv"
    table.write_text(table.read_text().replace("claude-2.1,", "claude-2.1-renamed,"))
    manifest = json.loads((copy / "manifest.json").read_text())
    import hashlib

    manifest["boards"]["alpaca_eval"]["files"]["csv"] = hashlib.sha256(table.read_bytes()).hexdigest()
    (copy / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    rc = main(["leaderboard", "--check", "--only", "alpaca_eval", "--results", str(copy),
               "--data-root", str(shared_path())])  # fmt: skip
    assert rc == 1
    assert "differ from a rebuild" in capsys.readouterr().out


def test_alpaca_lc_from_coefficients_matches_the_published_leaderboard():
    published = pd.read_csv(
        shared_path("alpaca_eval", "leaderboard", "weighted_alpaca_eval_gpt4_turbo_leaderboard.csv"),
        index_col=0,
    )
    with open(RESULTS / "alpaca_eval" / "leaderboard.csv", newline="") as fh:
        rows = {r["model"]: r for r in csv.DictReader(fh)}
    assert len(rows) == 199
    close = [m for m, r in rows.items() if abs(float(r["length_controlled_winrate"]) - published.loc[m, "length_controlled_winrate"]) < 1e-4]  # fmt: skip
    assert len(close) >= 190
    # win rate and counts are computed from the annotation files where they are inputs
    assert rows["claude-2.1"]["win_rate"] == f"{published.loc['claude-2.1', 'win_rate']:.6f}"
    assert int(rows["claude-2.1"]["n_wins"]) == published.loc["claude-2.1", "n_wins"]
    assert rows["Qwen2-72B-Instruct"]["win_rate"] == ""  # no annotations: no invented win rate


def test_gamma_recovered_from_glm_predictions_equals_the_hub_difficulty():
    weights = load_glm_weights(
        shared_path("alpaca_eval", "glm", "glm_weights_length_controlled_v1_baseline_gpt4_1106_preview.csv")
    )
    path = SourceIndex(shared_path()).local(VICUNA_GLM)
    assert path is not None
    gamma = difficulty_from_glm_preference(
        path, weights.loc[GAMMA_MODEL, "beta"], weights.loc[GAMMA_MODEL, "phi"]
    )
    reference = pd.read_csv(shared_path("alpaca_eval", "glm", "instruction_difficulty_recovered.csv"))
    assert np.abs(gamma.gamma - reference["instruction_difficulty"].to_numpy()).max() < 1e-7


def test_sources_are_found_by_content_and_verified():
    path = SourceIndex(shared_path()).local(VICUNA_GLM)
    assert path is not None and git_blob_id(path.read_bytes()) == VICUNA_GLM.blob
    assert git_blob_id(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"  # `git hash-object`


def test_arena_v2_board_scores_one_baseline_of_files_that_mix_two(tmp_path):
    """v2.0 judgment files hold hard prompts (vs o3-mini) and creative writing (vs gemini) together: the
    board scores the hard prompts against their baseline and says what it left out."""
    from benchmarks.arena_hard.official import V2_BASELINE
    from harness.leaderboard.builders import Options, build

    win = [{"score": "B>A"}, {"score": "A>B"}]  # game 1: B = the model; game 2: A = the model
    loss = [{"score": "A>B"}, {"score": "B>A"}]
    lines = [
        {"uid": f"h{i}", "category": "hard_prompt", "model": "m1", "baseline": V2_BASELINE,
         "games": win if i % 2 else loss}
        for i in range(20)
    ] + [
        {"uid": f"c{i}", "category": "creative_writing", "model": "m1", "baseline": "gemini-2.0-flash-001",
         "games": win}
        for i in range(10)
    ]  # fmt: skip
    path = tmp_path / "m1.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    board = build("arena_hard", [path], Options(version="v2.0", baseline=V2_BASELINE))
    rows = {r.model: r.score for r in board.rows}
    assert rows == {"m1": pytest.approx(50.0), V2_BASELINE: pytest.approx(50.0)}
    assert "20 games against other baselines (gemini-2.0-flash-001) left out" in board.notes[0]
