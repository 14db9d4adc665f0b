"""The bad-input table: one row per thing a user (or an adversary) can get wrong, across every verb.

Each row is ``(name, argv, exit code, needle)``: the command must exit with that code, print exactly one
line on stderr, no traceback, and that line must contain ``needle`` (the file, field or flag at fault).
Placeholders in argv: ``{d}`` the fixture directory (files written by :func:`write_fixtures`), ``{dead}``
a URL where nothing listens, ``{notai}`` a web server that is not OpenAI-compatible (404/501),
``{denied}`` an OpenAI-compatible server that rejects every key (401), ``{ok}`` a working server's
``openai:`` spec that must never be reached.
"""

from __future__ import annotations

import json
from pathlib import Path

GOOD_PROMPTS = '{"id": "a", "turns": ["Say hi."]}\n'


def write_fixtures(d: Path) -> None:
    """Every broken file the table points at."""
    files: dict[str, bytes | str] = {
        "good.jsonl": GOOD_PROMPTS,
        "empty.jsonl": "",
        "blank.jsonl": "\n\n  \n",
        "binary.bin": bytes(range(256)) * 8,
        "latin1.jsonl": '{"id": "a", "turns": ["caf\xe9"]}\n'.encode("latin-1"),
        "torn.jsonl": '{"id": "a", "turns": [\n',
        "midbad.jsonl": GOOD_PROMPTS + "{not json}\n" + '{"id": "b", "turns": ["x"]}\n',
        "nofield.jsonl": '{"id": "a"}\n',
        "noid.jsonl": '{"turns": ["hi"]}\n',
        "wrongtype.jsonl": '{"id": "a", "turns": "hi"}\n',
        "turnsnum.jsonl": '{"id": "a", "turns": [1, 2]}\n',
        "emptyturns.jsonl": '{"id": "a", "turns": []}\n',
        "dupid.jsonl": GOOD_PROMPTS + GOOD_PROMPTS,
        "array.jsonl": "[1, 2, 3]\n",
        "scalar.jsonl": "42\n",
        "nullid.jsonl": '{"id": null, "turns": ["hi"]}\n',
        "nan.jsonl": '{"id": "a", "turns": ["hi"], "x": NaN}\n',
        "huge_nesting.jsonl": "[" * 5000 + "]" * 5000 + "\n",
        "bom.jsonl": "\ufeff" + GOOD_PROMPTS,
        "afile": "just a file\n",
        "not.json": "{this is not json",
        "list.json": "[1, 2]",
        "wrongrows.json": '[{"foo": 1}, {"bar": 2}]',
        "object.json": '{"a": 1}',
        "empty.json": "",
        "bad.csv": "a,b\n1,2\n",
        "empty.csv": "",
        "template.bin": bytes(range(256)) * 4,
        "arena_wrong.jsonl": '{"question_id": "q", "games": "nope"}\n',
        "mt_wrong.jsonl": '{"question_id": 1, "model": "m"}\n',
        "bad.toml": "not = [toml\n",
        "wrongkey.toml": "[score]\nfrobnicate = 3\n",
        "annotations.json": json.dumps(
            [
                {
                    "instruction": f"q{i}",
                    "output_1": "a" * (i + 1),
                    "output_2": "b",
                    "generator_1": "base",
                    "generator_2": "m",
                    "preference": 1.0 + (i % 2),
                }
                for i in range(4)
            ]
        ),  # fmt: skip
    }
    for name, content in files.items():
        path = d / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    (d / "emptydir").mkdir()
    for name, run_json in {
        "run_badjson": "{",
        "run_binary": None,
        "run_wrongfields": '{"hello": 1}',
        "run_list": "[]",
    }.items():
        (d / name).mkdir()
        if run_json is None:
            (d / name / "run.json").write_bytes(bytes(range(256)))
        else:
            (d / name / "run.json").write_text(run_json, encoding="utf-8")


def _gen(*extra: str, prompts: str = "{d}/good.jsonl", model: str = "{dead}") -> list[str]:
    return [
        "generate",
        "--model",
        f"openai:m@{model}",
        "--prompts",
        prompts,
        "--run-dir",
        "{d}/runs/g",
        *extra,
    ]


def _score(*extra: str, bench: str = "demo") -> list[str]:
    return ["score", "--benchmark", bench, "--model", "openai:m@{dead}", "--judge", "openai:j@{dead}",
            "--run-dir", "{d}/runs/s", *extra]  # fmt: skip


def _judge(*extra: str, outputs: str = "{d}/run_badjson") -> list[str]:
    return ["judge", "--outputs", outputs, "--judge", "openai:j@{dead}", "--run-dir", "{d}/runs/j", *extra]


Case = tuple[str, list[str], int, str]

CASES: list[Case] = [
    # --- usage: verbs and flags ---------------------------------------------------------------------
    ("no verb", [], 2, "COMMAND"),
    ("unknown verb", ["frobnicate"], 2, "frobnicate"),
    (
        "unknown flag",
        ["generate", "--model", "local", "--prompts", "{d}/good.jsonl", "--frobnicate"],
        2,
        "--frobnicate",
    ),  # fmt: skip
    ("generate missing --model", ["generate", "--prompts", "{d}/good.jsonl"], 2, "--model"),
    ("generate missing --prompts", ["generate", "--model", "local"], 2, "--prompts"),
    ("score missing --benchmark", ["score", "--model", "local"], 2, "--benchmark"),
    ("judge missing --outputs", ["judge"], 2, "--outputs"),
    ("leaderboard missing --from", ["leaderboard", "demo"], 2, "--from"),
    ("cache missing action", ["cache"], 2, "action"),
    ("cache unknown action", ["cache", "explode"], 2, "explode"),
    ("serve missing what", ["serve"], 2, "WHAT"),
    ("clean-eval missing action", ["clean-eval"], 2, "ACTION"),
    ("bad choice --format", ["benchmarks", "--format", "xml"], 2, "--format"),
    ("bad choice --position", _score("--position", "middle"), 2, "--position"),
    ("bad choice --on-flag", _score("--on-flag", "ignore"), 2, "--on-flag"),
    ("bad choice --backend", _score("--backend", "spark"), 2, "--backend"),
    # --- numeric flags ------------------------------------------------------------------------------
    ("temperature negative", _gen("--temperature", "-5"), 2, "--temperature"),
    ("temperature huge", _gen("--temperature", "50"), 2, "--temperature"),
    ("temperature nan", _gen("--temperature", "nan"), 2, "--temperature"),
    ("temperature text", _gen("--temperature", "warm"), 2, "--temperature"),
    ("max-tokens 0", _gen("--max-tokens", "0"), 2, "--max-tokens"),
    ("max-tokens -1", _gen("--max-tokens", "-1"), 2, "--max-tokens"),
    ("max-tokens float", _gen("--max-tokens", "1.5"), 2, "--max-tokens"),
    ("max-retries -1", _gen("--max-retries", "-1"), 2, "--max-retries"),
    ("timeout 0", _gen("--timeout", "0"), 2, "--timeout"),
    ("timeout negative", _gen("--timeout", "-3"), 2, "--timeout"),
    ("timeout inf", _gen("--timeout", "inf"), 2, "--timeout"),
    ("max-connections 0", _gen("--max-connections", "0"), 2, "--max-connections"),
    ("max-connections -8", _gen("--max-connections", "-8"), 2, "--max-connections"),
    ("seed negative", _gen("--seed", "-1"), 2, "--seed"),
    ("seed huge", _gen("--seed", str(2**70)), 2, "--seed"),
    ("score limit 0", _score("--limit", "0"), 2, "--limit"),
    ("score limit text", _score("--limit", "ten"), 2, "--limit"),
    ("score max-tokens 0", _score("--max-tokens", "0"), 2, "--max-tokens"),
    ("score judge-max-tokens 0", _score("--judge-max-tokens", "0"), 2, "--judge-max-tokens"),
    ("score judge-top-logprobs -1", _score("--judge-top-logprobs", "-1"), 2, "--judge-top-logprobs"),
    ("score portia-k 0", _score("--portia-k", "0"), 2, "--portia-k"),
    ("score wb-k -2", _score("--wb-k", "-2"), 2, "--wb-k"),
    ("score ray-concurrency 0", _score("--ray-concurrency", "0"), 2, "--ray-concurrency"),
    ("score timeout 0", _score("--timeout", "0"), 2, "--timeout"),
    ("score max-retries -1", _score("--max-retries", "-1"), 2, "--max-retries"),
    ("judge max-connections 0", _judge("--max-connections", "0"), 2, "--max-connections"),
    ("leaderboard seed -1", ["leaderboard", "demo", "--from", "{d}/afile", "--seed", "-1"], 2, "--seed"),
    ("serve local port 99999", ["serve", "local", "--port", "99999"], 2, "--port"),
    ("serve local port -1", ["serve", "local", "--port", "-1"], 2, "--port"),
    ("serve local replicas 0", ["serve", "local", "--replicas", "0"], 2, "--replicas"),
    ("serve local n-ctx 0", ["serve", "local", "--n-ctx", "0"], 2, "--n-ctx"),
    ("serve vllm tp 0", ["serve", "vllm", "m", "--tp", "0"], 2, "--tp"),
    ("serve vllm start-timeout 0", ["serve", "vllm", "m", "--start-timeout", "0"], 2, "--start-timeout"),
    ("view port 70000", ["view", "{d}/emptydir", "--port", "70000"], 2, "--port"),
    (
        "clean-eval paraphrases 0",
        ["clean-eval", "build", "--benchmark", "demo", "--rewriter", "local", "--paraphrases", "0"],
        2,
        "--paraphrases",
    ),  # fmt: skip
    (
        "clean-eval temperature -1",
        ["clean-eval", "build", "--benchmark", "demo", "--rewriter", "local", "--temperature", "-1"],
        2,
        "--temperature",
    ),  # fmt: skip
    (
        "clean-eval confidence 2",
        [
            "clean-eval",
            "report",
            "--original",
            "{d}/emptydir",
            "--clean",
            "{d}/emptydir",
            "--confidence",
            "2",
        ],
        2,
        "--confidence",
    ),  # fmt: skip
    (
        "clean-eval resamples 0",
        ["clean-eval", "report", "--original", "{d}/emptydir", "--clean", "{d}/emptydir", "--resamples", "0"],
        2,
        "--resamples",
    ),  # fmt: skip
    ("audit canary limit 0", ["audit", "--canary", "--benchmark", "demo", "--limit", "0"], 2, "--limit"),
    ("audit floor nan", ["audit", "--canary", "--benchmark", "demo", "--floor", "nan"], 2, "--floor"),
    # --- endpoint specs and URLs --------------------------------------------------------------------
    ("spec without kind", ["generate", "--model", "gpt4", "--prompts", "{d}/good.jsonl"], 2, "--model"),
    ("spec unknown kind", ["generate", "--model", "hf:gpt2", "--prompts", "{d}/good.jsonl"], 2, "--model"),
    (
        "spec empty model",
        ["generate", "--model", "openai:@http://x/v1", "--prompts", "{d}/good.jsonl"],
        2,
        "--model",
    ),  # fmt: skip
    ("url port 99999", _gen(model="http://127.0.0.1:99999/v1"), 2, "--model"),
    ("url port 0", _gen(model="http://127.0.0.1:0/v1"), 2, "--model"),
    ("url port text", _gen(model="http://127.0.0.1:http/v1"), 2, "--model"),
    ("url scheme ftp", _gen(model="ftp://127.0.0.1/v1"), 2, "--model"),
    ("url no scheme", _gen(model="127.0.0.1:8000/v1"), 2, "--model"),
    ("url no host", _gen(model="http:///v1"), 2, "--model"),
    ("url space", _gen(model="http://local host/v1"), 2, "--model"),
    ("judge url port 99999", _score("--judge", "openai:j@http://127.0.0.1:99999/v1"), 2, "--judge"),
    ("judge spec unknown kind", _score("--judge", "anthropic:claude"), 2, "--judge"),
    ("model replicas one bad", _gen(model="http://127.0.0.1:1/v1,ftp://x/v1"), 2, "--model"),
    # --- unreachable or wrong servers (preflight) ---------------------------------------------------
    ("dead endpoint generate", _gen(), 2, "connection refused at"),
    ("dead endpoint score", _score(), 2, "connection refused at"),
    ("not openai server", _gen(model="{notai}"), 2, "not an OpenAI-compatible server"),
    ("not openai server /v1", _gen(model="{notai}/v1"), 2, "not an OpenAI-compatible server"),
    ("key rejected", _gen(model="{denied}"), 2, "key rejected"),
    ("unknown host", _gen(model="http://no-such-host.invalid/v1"), 2, "no-such-host.invalid"),
    (
        "dead judge",
        [
            "score",
            "--benchmark",
            "demo",
            "--model",
            "{ok}",
            "--judge",
            "openai:j@{dead}",
            "--run-dir",
            "{d}/runs/dj",
        ],
        2,
        "connection refused at",
    ),  # fmt: skip
    (
        "garbage judge not openai",
        [
            "score",
            "--benchmark",
            "demo",
            "--model",
            "{ok}",
            "--judge",
            "openai:j@{notai}",
            "--run-dir",
            "{d}/runs/gj",
        ],
        2,
        "not an OpenAI",
    ),  # fmt: skip
    (
        "judge key rejected",
        [
            "score",
            "--benchmark",
            "demo",
            "--model",
            "{ok}",
            "--judge",
            "openai:j@{denied}",
            "--run-dir",
            "{d}/runs/kj",
        ],
        2,
        "key rejected",
    ),  # fmt: skip
    # --- run directories ----------------------------------------------------------------------------
    ("run-dir empty", _gen("--run-dir", ""), 2, "--run-dir"),
    ("run-dir blank", _gen("--run-dir", "   "), 2, "--run-dir"),
    ("run-dir is a file", _gen("--run-dir", "{d}/afile"), 2, "--run-dir"),
    ("run-dir under a file", _gen("--run-dir", "{d}/afile/sub"), 2, "--run-dir"),
    ("run-dir not creatable", _gen("--run-dir", "/proc/harness-nope/run"), 2, "harness-nope"),
    ("score run-dir is a file", _score("--run-dir", "{d}/afile"), 2, "--run-dir"),
    ("judge run-dir is a file", _judge("--run-dir", "{d}/afile"), 2, "--run-dir"),
    # --- prompt files -------------------------------------------------------------------------------
    ("prompts missing", _gen(prompts="{d}/nope.jsonl"), 2, "nope.jsonl"),
    ("prompts empty path", _gen(prompts=""), 2, "--prompts"),
    ("prompts is a dir", _gen(prompts="{d}/emptydir"), 2, "emptydir"),
    ("prompts empty", _gen(prompts="{d}/empty.jsonl"), 2, "empty.jsonl"),
    ("prompts blank lines", _gen(prompts="{d}/blank.jsonl"), 2, "blank.jsonl"),
    ("prompts binary", _gen(prompts="{d}/binary.bin"), 2, "binary.bin"),
    ("prompts latin-1", _gen(prompts="{d}/latin1.jsonl"), 2, "latin1.jsonl"),
    ("prompts torn", _gen(prompts="{d}/torn.jsonl"), 2, "torn.jsonl"),
    ("prompts bad middle line", _gen(prompts="{d}/midbad.jsonl"), 2, "midbad.jsonl:2"),
    ("prompts no turns", _gen(prompts="{d}/nofield.jsonl"), 2, "nofield.jsonl"),
    ("prompts no id", _gen(prompts="{d}/noid.jsonl"), 2, "noid.jsonl"),
    ("prompts turns a string", _gen(prompts="{d}/wrongtype.jsonl"), 2, "wrongtype.jsonl"),
    ("prompts turns numbers", _gen(prompts="{d}/turnsnum.jsonl"), 2, "turnsnum.jsonl"),
    ("prompts turns empty", _gen(prompts="{d}/emptyturns.jsonl"), 2, "emptyturns.jsonl"),
    ("prompts duplicate id", _gen(prompts="{d}/dupid.jsonl"), 2, "dupid.jsonl"),
    ("prompts an array", _gen(prompts="{d}/array.jsonl"), 2, "array.jsonl"),
    ("prompts a scalar", _gen(prompts="{d}/scalar.jsonl"), 2, "scalar.jsonl"),
    ("prompts null id", _gen(prompts="{d}/nullid.jsonl"), 2, "nullid.jsonl"),
    ("prompts deep nesting", _gen(prompts="{d}/huge_nesting.jsonl"), 2, "huge_nesting.jsonl"),
    # --- benchmarks, data, judges ------------------------------------------------------------------
    ("unknown benchmark", _score(bench="alpaca"), 2, "alpaca"),
    ("unknown benchmark version", _score("--version", "v9"), 2, "v9"),
    ("benchmarks unknown name", ["benchmarks", "nosuch"], 2, "nosuch"),
    ("score data missing", _score("--data", "{d}/nope.jsonl"), 2, "nope.jsonl"),
    ("score data binary", _score("--data", "{d}/binary.bin"), 2, "binary.bin"),
    ("score data empty", _score("--data", "{d}/empty.jsonl"), 2, "empty.jsonl"),
    ("score data wrong benchmark", _score("--data", "{d}/mt_wrong.jsonl"), 2, "mt_wrong.jsonl"),
    ("score data wrong fields", _score("--data", "{d}/nofield.jsonl"), 2, "nofield.jsonl"),
    ("unknown judge config", _score("--judge-config", "nosuch_judge"), 2, "nosuch_judge"),
    ("judge template missing", _score("--judge-template", "{d}/nope.txt"), 2, "nope.txt"),
    ("judge template binary", _score("--judge-template", "{d}/template.bin"), 2, "template.bin"),
    ("judge template empty", _score("--judge-template", "{d}/empty.json"), 2, "empty.json"),
    ("lc-difficulty binary", _score("--lc-difficulty", "{d}/binary.bin"), 2, "binary.bin"),
    ("lc-difficulty missing", _score("--lc-difficulty", "{d}/nope.csv"), 2, "nope.csv"),
    ("harden unknown mode", _score("--harden", "shield"), 2, "shield"),
    ("price override malformed", _score("--price-per-mtok", "judge=cheap"), 2, "--price-per-mtok"),
    ("names and models mismatch", _score("--name", "a", "--name", "b"), 2, "--name"),
    ("contamination without clean variant", _score("--contamination"), 2, "--contamination"),
    ("ray options with client backend", _score("--ray-address", "auto"), 2, "--ray"),
    # --- judge: source run directories --------------------------------------------------------------
    ("judge outputs missing", _judge(outputs="{d}/nope"), 2, "nope"),
    ("judge outputs not a run", _judge(outputs="{d}/emptydir"), 2, "emptydir"),
    ("judge outputs a file", _judge(outputs="{d}/afile"), 2, "afile"),
    ("judge run.json torn", _judge(outputs="{d}/run_badjson"), 2, "run.json"),
    ("judge run.json binary", _judge(outputs="{d}/run_binary"), 2, "run.json"),
    ("judge run.json wrong fields", _judge(outputs="{d}/run_wrongfields"), 2, "run.json"),
    ("judge run.json a list", _judge(outputs="{d}/run_list"), 2, "run.json"),
    # --- leaderboard inputs -------------------------------------------------------------------------
    ("leaderboard unknown benchmark", ["leaderboard", "nosuch", "--from", "{d}/afile"], 2, "nosuch"),
    ("leaderboard from missing", ["leaderboard", "demo", "--from", "{d}/nope"], 2, "nope"),
    ("leaderboard from binary", ["leaderboard", "alpaca_eval", "--from", "{d}/binary.bin"], 2, "binary.bin"),
    ("leaderboard from not json", ["leaderboard", "alpaca_eval", "--from", "{d}/not.json"], 2, "not.json"),
    ("leaderboard from empty", ["leaderboard", "alpaca_eval", "--from", "{d}/empty.json"], 2, "empty.json"),
    (
        "leaderboard from wrong rows",
        ["leaderboard", "alpaca_eval", "--from", "{d}/wrongrows.json"],
        2,
        "wrongrows.json",
    ),  # fmt: skip
    (
        "leaderboard from object",
        ["leaderboard", "alpaca_eval", "--from", "{d}/object.json"],
        2,
        "object.json",
    ),
    (
        "leaderboard arena wrong",
        ["leaderboard", "arena_hard", "--from", "{d}/arena_wrong.jsonl"],
        2,
        "arena_wrong.jsonl",
    ),  # fmt: skip
    (
        "leaderboard mt wrong",
        ["leaderboard", "mt_bench", "--from", "{d}/mt_wrong.jsonl"],
        2,
        "mt_wrong.jsonl",
    ),
    ("leaderboard empty run dir", ["leaderboard", "demo", "--from", "{d}/emptydir"], 2, "emptydir"),
    ("leaderboard torn run.json", ["leaderboard", "demo", "--from", "{d}/run_badjson"], 2, "run.json"),
    (
        "leaderboard difficulty binary",
        ["leaderboard", "alpaca_eval", "--from", "{d}/annotations.json", "--difficulty", "{d}/binary.bin"],
        2,
        "binary.bin",
    ),  # fmt: skip
    (
        "leaderboard difficulty wrong csv",
        ["leaderboard", "alpaca_eval", "--from", "{d}/annotations.json", "--difficulty", "{d}/bad.csv"],
        2,
        "bad.csv",
    ),  # fmt: skip
    (
        "leaderboard difficulty empty csv",
        ["leaderboard", "alpaca_eval", "--from", "{d}/annotations.json", "--difficulty", "{d}/empty.csv"],
        2,
        "empty.csv",
    ),  # fmt: skip
    (
        "leaderboard questions missing",
        ["leaderboard", "mt_bench", "--from", "{d}/mt_wrong.jsonl", "--questions", "{d}/nope.jsonl"],
        2,
        "nope.jsonl",
    ),  # fmt: skip
    (
        "leaderboard out is a file",
        ["leaderboard", "alpaca_eval", "--from", "{d}/annotations.json", "--out", "{d}/afile"],
        2,
        "afile",
    ),  # fmt: skip
    # --- cache ---------------------------------------------------------------------------------------
    ("cache file is binary", ["cache", "stats", "--cache", "{d}/binary.bin"], 2, "binary.bin"),
    ("cache path is a dir", ["cache", "stats", "--cache", "{d}/emptydir"], 2, "emptydir"),
    ("cache under a file", ["cache", "stats", "--cache", "{d}/afile/cache.sqlite"], 2, "afile"),
    # --- audit ---------------------------------------------------------------------------------------
    ("audit outputs missing", ["audit", "{d}/nope.json"], 2, "nope.json"),
    ("audit outputs binary", ["audit", "{d}/binary.bin"], 2, "binary.bin"),
    ("audit outputs not json", ["audit", "{d}/not.json"], 2, "not.json"),
    ("audit outputs empty", ["audit", "{d}/empty.json"], 2, "empty.json"),
    ("audit outputs wrong rows", ["audit", "{d}/wrongrows.json"], 2, "wrongrows.json"),
    ("audit unknown benchmark", ["audit", "{d}/wrongrows.json", "--benchmark", "nosuch"], 2, "nosuch"),
    (
        "audit canary unknown kinds",
        ["audit", "--canary", "--benchmark", "demo", "--kinds", "boom"],
        2,
        "boom",
    ),
    ("audit canary no benchmark", ["audit", "--canary"], 2, "--canary"),
    # --- clean-eval ----------------------------------------------------------------------------------
    (
        "clean-eval build unknown benchmark",
        ["clean-eval", "build", "--benchmark", "nosuch", "--rewriter", "local"],
        2,
        "nosuch",
    ),  # fmt: skip
    (
        "clean-eval build bad rewriter",
        ["clean-eval", "build", "--benchmark", "demo", "--rewriter", "gpt"],
        2,
        "--rewriter",
    ),  # fmt: skip
    (
        "clean-eval build chrf-band",
        ["clean-eval", "build", "--benchmark", "demo", "--rewriter", "local", "--chrf-band", "0.9,0.1"],
        2,
        "--chrf-band",
    ),  # fmt: skip
    (
        "clean-eval report not runs",
        ["clean-eval", "report", "--original", "{d}/emptydir", "--clean", "{d}/emptydir"],
        2,
        "emptydir",
    ),  # fmt: skip
    (
        "clean-eval report missing",
        ["clean-eval", "report", "--original", "{d}/nope", "--clean", "{d}/emptydir"],
        2,
        "nope",
    ),  # fmt: skip
    ("clean-eval variant missing", _score(bench="demo@clean:{d}/nope.jsonl"), 2, "nope.jsonl"),
    ("clean-eval variant binary", _score(bench="demo@clean:{d}/binary.bin"), 2, "binary.bin"),
    # --- judges and the project config file --------------------------------------------------------
    ("judges unknown name", ["judges", "nosuch_judge"], 2, "nosuch_judge"),
    ("judges bad format", ["judges", "--format", "xml"], 2, "--format"),
    ("config file missing", ["--config", "{d}/nope.toml", "benchmarks"], 2, "nope.toml"),
    ("config file not toml", ["--config", "{d}/bad.toml", "benchmarks"], 2, "cannot read TOML"),
    (
        "config file unknown option",
        ["--config", "{d}/wrongkey.toml", "score", "--benchmark", "demo", "--model", "local"],
        2,
        "frobnicate",
    ),  # fmt: skip
    # --- view ----------------------------------------------------------------------------------------
    ("view missing run", ["view", "{d}/nope"], 2, "nope"),
    ("view not a run", ["view", "{d}/emptydir"], 2, "emptydir"),
    ("view torn run.json", ["view", "{d}/run_badjson"], 2, "run.json"),
    ("view binary run.json", ["view", "{d}/run_binary"], 2, "run.json"),
]
