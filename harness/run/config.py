"""What one ``harness score`` / ``harness judge`` run is: the config persisted in run.json, and the judges it uses.

The config is everything that decides a stored record (benchmark slice, model and judge endpoints, judge
config, template, position strategy, token caps). ``RunStore.write_run_json`` refuses to resume a run
directory whose config differs, so two experiments never mix in one ``judgments.jsonl``; and
:func:`harness.scoring.evaluate.score_run` re-reads it to recompute the report from the records alone.

Judge selection follows upstream:

- A judge config may name ``variants`` (MT-Bench, FastChat ``gen_judgment.py``: questions of the
  categories judged with a reference answer use the ``*_math`` prompt, turn 2 the ``*_multi_turn``
  prompt), so a single config name (``mt_bench_single``) expands to four configs, chosen per (item, turn).
- The judge's id written into every Judgment is ``<config>@<judge model>`` (plus ``+portia`` and the
  template hash when they change the prompt), so re-judging with another judge or strategy never
  collides with what is stored, and resuming skips exactly what this judge already did.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from harness.errors import BadInput
from harness.records import Item
from judges.config import judge_configs, load_judge, protocol_of, variants
from judges.hardening import Hardening
from judges.position import Strategy
from judges.protocol import ChecklistWriter, Judge

OnFlag = Literal["loss", "exclude", "keep"]
ON_FLAG: tuple[OnFlag, ...] = ("loss", "exclude", "keep")
NEW_FIELD_DEFAULTS: dict[str, Any] = {"hardening": [], "on_flag": "loss", "wb_k": None, "checklists": None}


@dataclass(frozen=True)
class RunConfig:
    """The persisted config of one run (``run.json["config"]``)."""

    benchmark: str
    version: str
    model: str  # endpoint spec of the model under test
    model_name: str  # the name stored in its Outputs
    judge: str  # endpoint spec of the judge
    judge_model: str  # the judge's model name (part of the judge id)
    judge_config: str
    data: str | None = None
    limit: int | None = None
    baselines: tuple[str, ...] = ()
    position: Strategy | None = None  # None: the judge config's own strategy
    portia_k: int | None = None
    judge_template: str | None = None
    max_tokens: int | None = None  # cap on the model's new tokens (None: the benchmark's setting)
    judge_max_tokens: int | None = None
    judge_top_logprobs: int | None = None
    lc_difficulty: str | None = None  # AlpacaEval instruction-difficulty CSV for the LC GLM
    seed: int = 0
    source_run: str | None = None  # ``harness judge``: the run whose outputs are re-judged
    extra: dict[str, Any] = field(default_factory=dict)
    hardening: tuple[str, ...] = ()  # judges.hardening.MODES in force (``--harden``)
    on_flag: OnFlag = "loss"  # what scoring does with items the audit flags (``--on-flag``)
    wb_k: int | None = None  # WB-Reward length margin K (``--wb-k``; None: upstream's 500, -1: no penalty)
    checklists: str | None = None  # TICK: ``--checklists FILE`` (None: the judge writes every checklist)

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["baselines"] = list(self.baselines)
        data["hardening"] = list(self.hardening)
        # fields added after runs existed are written only when set, so that those runs still resume
        for name, default in NEW_FIELD_DEFAULTS.items():
            if data[name] == default:
                del data[name]
        return data

    @property
    def harden(self) -> Hardening:
        return Hardening.parse(self.hardening, seed=self.seed)

    @classmethod
    def from_json(cls, data: dict[str, Any], where: str) -> RunConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        missing = [
            f.name for f in dataclasses.fields(cls) if f.default is dataclasses.MISSING and f.name not in data
        ]
        if missing:
            raise BadInput(where, f"not a harness score/judge run (config lacks {', '.join(missing)})")
        values = {k: v for k, v in data.items() if k in known}
        values["baselines"] = tuple(values.get("baselines") or ())
        values["hardening"] = tuple(values.get("hardening") or ())
        if values.get("on_flag", "loss") not in ON_FLAG:
            raise BadInput(where, f"on_flag must be one of {', '.join(ON_FLAG)}")
        wb_k = values.get("wb_k")
        if wb_k is not None and (isinstance(wb_k, bool) or not isinstance(wb_k, int) or wb_k < -1):
            raise BadInput(where, f"wb_k must be -1 (no length penalty) or an integer >= 0, got {wb_k!r}")
        return cls(**values)


def is_checklist_judge(judge_config: str) -> bool:
    """Whether a judge config is a checklist (TICK) judge; an unknown config name is not one."""
    if judge_config not in judge_configs():
        return False
    return protocol_of(judge_config).asks_checklists


def judge_model_of(config_name: str) -> str:
    """The upstream judge model of a judge config (e.g. ``gpt-4-1106-preview``): the default ``--judge``."""
    return str(judge_configs().get(config_name).get("model", ""))


def variant_name(base: str, item: Item, turn: int | None) -> str:
    """The judge config for one (item, turn): the base config's ``variants`` for an item of a category
    judged with its reference answer and for turns after the first (MT-Bench's math and multi-turn
    prompts), else ``base``."""
    found = variants(base)
    if not found:
        return base
    reference = (item.category or "") in set(found.get("reference_categories") or ())
    later = turn is not None and turn > 1
    key = "reference_later_turns" if reference and later else "reference" if reference else "later_turns"
    return str(found.get(key, base)) if reference or later else base


class JudgeSet:
    """The loaded judge objects of a run, one per config variant, built once (templates read once)."""

    def __init__(self, config: RunConfig) -> None:
        self.config = config
        self._judges: dict[str, Judge] = {}
        self.base = self.get(config.judge_config)
        if config.checklists is not None and self.base.checklist_writer() is None:
            raise BadInput(
                "--checklists", f"judge config {config.judge_config!r} does not use checklists (use tick)"
            )

    @property
    def pairwise(self) -> bool:
        return self.base.pairwise

    @property
    def checklist(self) -> ChecklistWriter | None:
        """The checklist writer of a checklist (TICK) run, else None."""
        return self.base.checklist_writer()

    def get(self, name: str) -> Judge:
        judge = self._judges.get(name)
        if judge is None:
            c = self.config
            position = c.position if c.position is not None and protocol_of(name).pairwise else None
            template = Path(c.judge_template) if c.judge_template else None
            judge = load_judge(
                name, position=position, template_override=template, portia_k=c.portia_k, hardening=c.harden
            )
            # the run's caps on the judge's tokens and top logprobs (they enter the cache key)
            judge = judge.capped(c.judge_max_tokens, c.judge_top_logprobs)
            self._judges[name] = judge
        return judge

    def for_task(self, item: Item, turn: int | None) -> Judge:
        return self.get(variant_name(self.config.judge_config, item, turn))

    def judge_id(self, judge: Judge) -> str:
        """``<config>@<judge model>`` (+ ``+portia``, + ``+harden-...``, + ``#<template hash>`` for an
        overridden template)."""
        return f"{judge.name}@{self.config.judge_model}" + judge.id_suffix(bool(self.config.judge_template))
