"""The build end to end through the CLI, against a real HTTP rewriter (scripted) and the real MiniLM filter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _clean_variant import BuiltVariant
from _contaminated_server import scripted_rewriter, serving
from _shared import shared_path

from benchmarks import get_benchmark
from harness.clean_eval.variant import load_variant
from harness.cli import main
from harness.serve import ManagedServer


def test_counts_kept_originals_and_refusals(demo_variant: BuiltVariant, rewrites: dict[str, str]) -> None:
    assert demo_variant.exit_code == 0
    header, rows = load_variant(demo_variant.path)
    c = header.counts
    # 14 hand-written rewrites pass; 6 items get an echo (near copy) and 1 rewrite is a near copy too.
    assert (c["items"], c["rewritten"], c["kept_original"]) == (21, 14, 7)
    # 2 paraphrases + 3 refused back-translations per item: every refusal counted, none used.
    assert c["candidate_status"] == {"ok": 42, "refusal": 63}
    assert c["items_with_unusable_reply"] == {"refusal": 21}
    assert c["candidate_verdicts"]["not_generated"] == 63
    assert header.rewriter["spec"].startswith("openai:scripted-rewriter@")
    assert header.scorer == "all-MiniLM-L6-v2" and header.selector == "max_similarity"
    assert header.rewrite["pivots"] == ["de", "zh", "fr"] and set(header.templates) == {
        "paraphrase.jinja",
        "translate.jinja",
    }
    summary = next(r for r in rows if r.original_turns[0].startswith("Summarise"))
    assert summary.rewrite.outcome == "kept_original" and summary.item.turns == summary.original_turns
    assert {v.verdict for v in summary.rewrite.candidates if v.status == "ok"} == {"near_copy"}
    for row in rows:
        if row.rewrite.outcome == "rewritten":
            assert row.item.turns == [rewrites[row.original_turns[0]]]
            assert row.rewrite.chosen == row.item.metadata["clean_eval"]["chosen"]


def test_variant_loads_as_a_benchmark_with_judge_data_unchanged(demo_variant: BuiltVariant) -> None:
    original = {i.item_id: i for i in get_benchmark("demo").load()}
    for path in (demo_variant.path, demo_variant.path.with_suffix(".parquet")):
        items = get_benchmark(f"demo@clean:{path}").load()
        assert [i.item_id for i in items] == list(original)
        assert all(i.baselines == original[i.item_id].baselines for i in items)
        assert sum(i.turns != original[i.item_id].turns for i in items) == 14
    assert len(get_benchmark(f"demo@clean:{demo_variant.path}").load(limit=3)) == 3


def test_rerun_and_interrupted_run_resume_without_a_request(
    demo_variant: BuiltVariant, tmp_path: Path
) -> None:
    import shutil

    header = load_variant(demo_variant.path)[0]
    stub = demo_variant.rewriter  # still serving on the same URL, so the cache keys match
    argv = [
        "clean-eval",
        "build",
        "--benchmark",
        "demo",
        "--rewriter",
        stub.spec(),
        "--cache",
        str(demo_variant.cache),
    ]
    assert main([*argv, "--run-dir", str(demo_variant.run_dir)]) == 0
    assert stub.requests == demo_variant.requests  # everything was done: no call at all
    assert len((demo_variant.run_dir / "rewrites.jsonl").read_text().splitlines()) == 21
    # an interrupted build: 8 records lost, the last one torn in half
    cut = tmp_path / "cut"
    shutil.copytree(demo_variant.run_dir, cut)
    (cut / "variant.jsonl").unlink()
    lines = (cut / "rewrites.jsonl").read_text().splitlines(keepends=True)
    (cut / "rewrites.jsonl").write_text("".join(lines[:13]) + lines[13][:40])
    assert main([*argv, "--run-dir", str(cut)]) == 0
    assert stub.requests == demo_variant.requests  # the lost items were rebuilt from the response cache
    again = load_variant(cut / "variant.jsonl")[0]
    assert again.variant_id == header.variant_id and again.counts == header.counts


def test_new_thresholds_reuse_stored_candidates_but_new_generation_settings_are_refused(
    demo_variant: BuiltVariant, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stub = demo_variant.rewriter
    argv = [
        "clean-eval",
        "build",
        "--benchmark",
        "demo",
        "--rewriter",
        stub.spec(),
        "--run-dir",
        str(demo_variant.run_dir),
    ]
    strict = tmp_path / "strict.jsonl"
    assert main([*argv, "--min-similarity", "0.9", "--out", str(strict)]) == 0
    assert stub.requests == demo_variant.requests  # filtering again needs no rewriter call
    header, rows = load_variant(strict)
    assert header.filter["min_similarity"] == 0.9
    kept = [r for r in rows if r.rewrite.outcome == "rewritten"]
    chosen = [r.rewrite.chosen_candidate() for r in kept]
    assert 0 < len(kept) < 14
    assert all(c is not None and c.similarity is not None and c.similarity >= 0.9 for c in chosen)
    assert strict.with_suffix(".parquet").is_file()
    assert main([*argv, "--paraphrases", "1"]) == 2
    assert "changed: rewrite" in capsys.readouterr().err


def test_multi_turn_keeps_turns_and_references(tmp_path: Path) -> None:
    mt = shared_path("mt_bench")
    lines = {json.loads(x)["question_id"]: x for x in (mt / "question.jsonl").read_text().splitlines()}
    (tmp_path / "question.jsonl").write_text(lines[81] + "\n" + lines[101] + "\n")
    (tmp_path / "reference_answer").mkdir()
    (tmp_path / "reference_answer" / "gpt-4.jsonl").symlink_to(mt / "reference_answer" / "gpt-4.jsonl")
    original = get_benchmark("mt_bench").load(tmp_path, check_count=False)
    second = original[1].turns
    rewrites = {second[0]: "Picture yourself as a runner in a race: " + second[0].lower()}
    with serving(scripted_rewriter(rewrites)) as stub:
        code = main(
            ["clean-eval", "build", "--benchmark", "mt_bench", "--data", str(tmp_path), "--allow-subset",
             "--rewriter", stub.spec(), "--pivots", "", "--paraphrases", "1",
             "--run-dir", str(tmp_path / "run"), "--cache", str(tmp_path / "c.sqlite")]
        )  # fmt: skip
    assert code == 0
    header, rows = load_variant(tmp_path / "run" / "variant.jsonl")
    assert [len(r.item.turns) for r in rows] == [2, 2]
    # turn 2 of item 101 came back as a copy: the candidate is rejected, the item keeps the original
    assert rows[1].rewrite.candidates[0].verdict == "near_copy" and rows[1].item.turns == second
    assert rows[1].item.references == original[1].references and rows[1].item.references
    assert header.counts["kept_original"] == 2


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("demo@clean:", "give the variant file"),
        ("demo@clean:/nonexistent.jsonl", "no such clean variant file"),
        ("alpaca_eval@clean:{variant}", "is a variant of 'demo'"),
    ],
)
def test_bad_variant_specs_are_one_line_bad_input(
    demo_variant: BuiltVariant, spec: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from harness.errors import BadInput

    with pytest.raises(BadInput, match=message):
        get_benchmark(spec.format(variant=demo_variant.path))


def test_corrupt_variant_and_bad_options_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "v.jsonl"
    bad.write_text('{"not": "a variant"}\n')
    assert main(["clean-eval", "report", "--original", str(tmp_path), "--clean", str(tmp_path)]) == 2
    assert main(["clean-eval", "build", "--benchmark", "demo", "--rewriter", "local", "--pivots", "xx"]) == 2
    assert "unknown language 'xx'" in capsys.readouterr().err
    assert (
        main(["clean-eval", "build", "--benchmark", "demo", "--rewriter", "local", "--chrf-band", "0.7,0.2"])
        == 2
    )
    from harness.errors import BadInput

    with pytest.raises(BadInput, match="first line must be"):
        get_benchmark(f"demo@clean:{bad}")


@pytest.mark.slow
def test_smollm2_rewriter_end_to_end(llama_server: ManagedServer, tmp_path: Path) -> None:
    """The real local model as rewriter: its rewrites are poor, but every candidate is accounted for."""
    spec = f"openai:{llama_server.model}@{llama_server.base_url}"
    argv = ["clean-eval", "build", "--benchmark", "demo", "--rewriter", spec, "--limit", "2", "--paraphrases", "1",
            "--pivots", "de", "--rewrite-max-tokens", "96", "--run-dir", str(tmp_path / "run"),
            "--cache", str(tmp_path / "c.sqlite")]  # fmt: skip
    assert main(argv) == 0
    header, rows = load_variant(tmp_path / "run" / "variant.jsonl")
    c = header.counts
    assert c["items"] == 2 and c["rewritten"] + c["kept_original"] == 2 and c["candidates"] == 4
    assert sum(c["candidate_status"].values()) == sum(c["candidate_verdicts"].values()) == 4
    for row in rows:
        assert (row.item.turns != row.original_turns) == (row.rewrite.outcome == "rewritten")
        assert [x.name for x in row.rewrite.candidates] == ["paraphrase#0", "backtranslation:de"]
        for x in row.rewrite.candidates:
            assert (x.verdict == "not_generated") == (x.status != "ok")
