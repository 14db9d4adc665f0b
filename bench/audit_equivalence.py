"""Benchmark aid (not a test): every finding of the audit over a broad corpus, as canonical JSON, so that
a speed-up of the detectors can be shown to change no finding (``cmp`` the files of two checkouts).

Corpus: every benign shared file tests/audit/test_audit_benign.py reads (and gpt4_gamed, and the default
judge job's configuration), the red-team attacks of seeds 1-3 (tests/audit/redteam.py), the adaptive
sets placed as tests/audit/test_audit_adaptive.py places them and in every placement, each hand-written
adversarial case among benign answers, and 40 verbatim template slices. Per submission it records the
item findings (detector, item, severity, message, evidence, score), the submission findings, a hash of
the D10 candidate rows and of the relevance plan. The sentence encoder is wrapped in a per-text cache
kept in ``--cache``, so that repeated runs read identical vectors (and take ~3 min, not ~8).

    PYTHONPATH=$PWD python bench/audit_equivalence.py /tmp/findings.json [--cache FILE] [--skip-benign]
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

TREE = Path(__file__).resolve().parents[1]
sys.path[:0] = [
    str(TREE),
    str(TREE / "tests"),
    str(TREE / "tests" / "audit"),
]  # the test helpers (red team, adaptive sets) before the imports below
from adaptive_attacks import ADAPTIVE as FIRST  # noqa: E402
from adaptive_more import MORE  # noqa: E402
from adversarial_cases import CASES  # noqa: E402
from redteam import generate, place  # noqa: E402

from harness.audit.addressed import addressed_rows, row_texts  # noqa: E402
from harness.audit.embed import default_sentence_encoder  # noqa: E402
from harness.audit.inputs import AuditItem, Submission, load_submission  # noqa: E402
from harness.audit.judge_specs import active_judges, all_judges  # noqa: E402
from harness.audit.relevance import RelevanceConfig, plan_relevance  # noqa: E402
from harness.audit.run import AuditConfig, audit  # noqa: E402
from harness.audit.templates import PLACEHOLDER, TemplateIndex, load_templates  # noqa: E402

DATA = Path(os.environ.get("HARNESS_SHARED_DIR", TREE.parent / "shared")) / "data"
CACHE_DIR = (
    Path(sys.argv[sys.argv.index("--cache") + 1])
    if "--cache" in sys.argv
    else Path.home() / ".cache" / "harness" / "bench"
)


class CachedEncoder:
    """The sentence encoder with its vectors kept across runs, per encoder (``CACHE_DIR/<name>.npz``: plain
    arrays, loaded without pickle)."""

    def __init__(self, inner):
        self.inner, self.name = inner, inner.name
        self.path = (
            CACHE_DIR / f"audit-equivalence-{''.join(c if c.isalnum() else '_' for c in inner.name)}.npz"
        )
        self.cache = {}
        if self.path.exists():
            with np.load(self.path, allow_pickle=False) as stored:
                self.cache = dict(zip(stored["texts"].tolist(), stored["vectors"], strict=True))
        self.misses = 0

    def encode(self, texts):
        miss = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if miss:
            self.misses += len(miss)
            vecs = self.inner.encode(miss)
            for t, v in zip(miss, vecs, strict=True):
                self.cache[t] = np.asarray(v)
        return np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, 512), np.float32)

    def save(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        texts = np.array(list(self.cache), dtype=str)
        np.savez(self.path, texts=texts, vectors=np.stack(list(self.cache.values())))


TEMPLATE_FILES = (
    ("alpaca_eval", "judge", "alpaca_eval_clf.txt"),
    ("arena_hard", "v0.1", "config", "judge_config_legacy.yaml"),
    ("arena_hard", "v2.0", "config", "arena-hard-v2.0.yaml"),
    ("mt_bench", "judge_prompts.jsonl"),
    ("wildbench", "templates"),
)
tpaths = [DATA.joinpath(*p) for p in TEMPLATE_FILES]
index = TemplateIndex.build(load_templates(tpaths))
judges = all_judges()
tmpl_j = load_templates([DATA / f for j in judges for f in dict.fromkeys(j.template_files)])
index_job = TemplateIndex.build(tmpl_j)


def fjson(f):
    ev = f.evidence
    return [
        f.detector,
        f.item_id,
        f.severity,
        f.message,
        None if ev is None else [ev.turn, ev.start, ev.end, ev.text],
        None if f.score is None else repr(f.score),
    ]


def sjson(s):
    return [s.detector, s.severity, s.message, repr(s.value), repr(s.threshold), list(s.item_ids)]


def run_one(name, sub, config, encoder, out):
    t = time.process_time()
    rep = audit(sub, config, None, encoder)
    rows = addressed_rows(sub.items)
    rowdump = [[r[0].item_id, r[1].turn, r[1].channel, r[2], r[3], r[4]] for r in rows]
    texts = row_texts(rows)
    plan = plan_relevance(sub.items, RelevanceConfig(), False)
    out[name] = {
        "n_items": rep.n_items,
        "verdict": rep.verdict,
        "findings": [fjson(f) for f in rep.findings],
        "submission": [sjson(s) for s in rep.submission],
        "rows_sha": hashlib.sha256(json.dumps([rowdump, texts], ensure_ascii=False).encode()).hexdigest(),
        "n_rows": len(rows),
        "relevance_plan_sha": hashlib.sha256(
            json.dumps([plan.pairs, plan.wanted, plan.texts], ensure_ascii=False, default=str).encode()
        ).hexdigest(),
    }
    print(
        f"{name}: {rep.n_items} items, {len(rep.findings)} findings, {len(rows)} rows, {time.process_time() - t:.1f}s",
        flush=True,
    )


def main():
    outp = sys.argv[1]
    skip_benign = "--skip-benign" in sys.argv
    enc = CachedEncoder(default_sentence_encoder())
    out = {}
    # benign: every shared file the benign test reads, and gpt4_gamed
    if not skip_benign:
        alpaca = sorted(DATA.glob("alpaca_eval/results/*/model_outputs.json"))
        arena = sorted(DATA.glob("arena_hard/*/model_answer*/*.jsonl"))
        mt = sorted(DATA.glob("mt_bench/model_answer/*.jsonl"))
        for p in (*alpaca, *arena, *mt):
            run_one(
                str(p.relative_to(DATA)),
                load_submission(p),
                AuditConfig(judges=judges, templates=index),
                enc,
                out,
            )
        # the default judge job's config (bench/audit_speed.py)
        p = DATA / "alpaca_eval/results/gpt4_1106_preview/model_outputs.json"
        run_one(
            "job:" + str(p.relative_to(DATA)),
            load_submission(p),
            AuditConfig(judges=judges, templates=index_job),
            enc,
            out,
        )
    honest = tuple(
        it
        for m in ("claude-2.1", "gpt4_1106_preview")
        for it in load_submission(DATA / f"alpaca_eval/results/{m}/model_outputs.json").items
    )
    for seed in (1, 2, 3):
        attacks = generate([it.outputs[0] for it in honest], seed=seed)
        items = tuple(
            AuditItem(f"attack-{i}", honest[a.answer].prompts, (a.output,)) for i, a in enumerate(attacks)
        )
        used = {a.answer for a in attacks}
        bg = tuple(
            AuditItem(f"honest-{i}", it.prompts, it.outputs) for i, it in enumerate(honest) if i not in used
        )
        run_one(
            f"redteam-seed{seed}",
            Submission("redteam", "m", (*items, *bg)),
            AuditConfig(judges=judges, templates=index),
            enc,
            out,
        )
    claude = load_submission(DATA / "alpaca_eval/results/claude-2.1/model_outputs.json").items
    ADAPT = (*FIRST, *MORE)
    rng = random.Random(13)
    chosen = rng.sample(range(len(claude)), len(ADAPT))
    items = tuple(
        AuditItem(
            f"adaptive-{i}", claude[k].prompts, (place(claude[k].outputs[0], a.text, a.placement, rng),)
        )
        for i, (a, k) in enumerate(zip(ADAPT, chosen, strict=True))
    )
    bg = tuple(it for i, it in enumerate(claude) if i not in set(chosen))
    run_one(
        "adaptive",
        Submission("adaptive", "m", (*items, *bg)),
        AuditConfig(judges=judges, templates=index),
        enc,
        out,
    )
    # adaptive texts alone, and placed in every way, as items of their own
    for placement in ("append", "prepend", "middle", "split"):
        r2 = random.Random(7)
        its = tuple(
            AuditItem(
                f"ad-{placement}-{i}",
                claude[i].prompts,
                (place(claude[i].outputs[0], a.text, placement, r2),),
            )
            for i, a in enumerate(ADAPT)
        )
        run_one(
            f"adaptive-{placement}",
            Submission("a", "m", its),
            AuditConfig(judges=judges, templates=index),
            enc,
            out,
        )
    benign = claude[:: len(claude) // 40][:40]
    for c in CASES:
        js = all_judges() if c.judge == "any" else active_judges(None, [c.judge])
        item = AuditItem(f"attack-{c.name}", (c.prompt,), (c.output,))
        run_one(
            f"case-{c.name}",
            Submission("adversarial", "attacker", (*benign, item)),
            AuditConfig(judges=js, templates=index),
            enc,
            out,
        )
    pieces = [p for t in load_templates(tpaths) for p in PLACEHOLDER.split(t.text) if len(p.strip()) > 200]
    its = []
    for seed in range(40):
        rng = random.Random(seed)
        piece = rng.choice(pieces)
        start = rng.randrange(0, len(piece) - 60)
        its.append(
            AuditItem(
                f"slice-{seed}",
                ("Tell me about rivers.",),
                ("Here is my answer.\n" + piece[start : start + 60],),
            )
        )
    run_one(
        "slices",
        Submission("adversarial", "attacker", (*benign, *its)),
        AuditConfig(judges=judges, templates=index),
        enc,
        out,
    )
    enc.save()
    n_items = sum(v["n_items"] for v in out.values())
    n_f = sum(len(v["findings"]) for v in out.values())
    n_s = sum(len(v["submission"]) for v in out.values())
    n_r = sum(v["n_rows"] for v in out.values())
    print(
        f"TOTAL: {len(out)} submissions, {n_items} items, {n_f} item findings, {n_s} submission findings, {n_r} D10 rows; encoder misses {enc.misses}"
    )
    Path(outp).write_text(json.dumps(out, ensure_ascii=False, indent=0, sort_keys=True))


if __name__ == "__main__":
    main()
