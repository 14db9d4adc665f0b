"""Judge configs are data: one YAML file per judge in ``judges/configs`` names its template parts, protocol,
composer, parser, sampling and position strategy (the AlpacaEval idea of "a judge is a short config plus a
prompt file"; docs/judges.md). The file name is the judge's name; the file is its only registration.

``load_judge(name, position=..., template_override=...)`` builds the judge object; ``--judge-template PATH``
replaces the file of the config's user-template source, and the template hash recorded in every Judgment
changes with it.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, get_args

import yaml

from harness.client._types import SamplingParams
from harness.errors import BadInput
from harness.registry import Registry
from judges.checklist import ChecklistJudge
from judges.hardening import Hardening
from judges.pairwise import PairwiseJudge
from judges.position import PositionSpec, Strategy
from judges.single import SingleJudge
from judges.templates import JudgeTemplate, TemplatePart, load_template

Judge = PairwiseJudge | SingleJudge | ChecklistJudge
_NOT_JUDGES = {"sources"}


@cache
def judge_configs() -> Registry[dict[str, Any]]:
    """Every judge config shipped in ``judges/configs``, by name."""
    registry: Registry[dict[str, Any]] = Registry("judge")
    folder = resources.files("judges").joinpath("configs")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        stem = entry.name.removesuffix(".yaml")
        if entry.name.endswith(".yaml") and stem not in _NOT_JUDGES:
            registry.register(stem)(yaml.safe_load(entry.read_text(encoding="utf-8")))
    return registry


def judge_names() -> list[str]:
    return list(judge_configs())


def _part(raw: dict[str, Any] | None, where: str) -> TemplatePart | None:
    if raw is None:
        return None
    allowed = {f.name for f in dataclasses.fields(TemplatePart)}
    unknown = set(raw) - allowed
    if unknown:
        raise BadInput(where, f"unknown template keys {sorted(unknown)}")
    return TemplatePart(**raw)


def _template(raw: dict[str, Any], where: str, override: Path | None) -> JudgeTemplate:
    user = _part(raw.get("user"), f"{where}.user")
    if user is None:
        raise BadInput(where, "a template needs a `user` part")
    overrides = {user.source: override} if override is not None and user.source else None
    return load_template(
        raw["name"], raw["syntax"], user, _part(raw.get("system"), f"{where}.system"), overrides
    )


def _sampling(raw: dict[str, Any] | None, where: str) -> SamplingParams:
    try:
        return SamplingParams(**(raw or {}))
    except TypeError as exc:
        raise BadInput(where, str(exc)) from exc


def load_judge(
    name: str,
    position: Strategy | None = None,
    template_override: Path | None = None,
    portia_k: int | None = None,
    hardening: Hardening | None = None,
) -> Judge:
    """Build the judge ``name``; ``position`` overrides the config's strategy (any pairwise judge);
    ``hardening`` guards the inserted answers (pairwise and single judges; off by default)."""
    harden = hardening or Hardening()
    raw = judge_configs().get(name)
    where = f"judges/configs/{name}.yaml"
    protocol = raw.get("protocol")
    if protocol == "checklist":
        if harden.active:
            raise BadInput(
                "--harden", f"judge {name!r} is a checklist judge; hardening applies to pairwise and single"
            )
        gen, ans = raw["generate"], raw["answer"]
        return ChecklistJudge(
            name=name,
            generate_template=_template(gen["template"], f"{where}:generate", None),
            answer_template=_template(ans["template"], f"{where}:answer", template_override),
            generate_sampling=_sampling(gen.get("sampling"), f"{where}:generate.sampling"),
            answer_sampling=_sampling(ans.get("sampling"), f"{where}:answer.sampling"),
            generate_parser=gen["parser"],
            answer_parser=ans["parser"],
        )
    template = _template(raw["template"], f"{where}:template", template_override)
    sampling = _sampling(raw.get("sampling"), f"{where}:sampling")
    if protocol == "single":
        if position is not None:
            raise BadInput(
                "--position", f"judge {name!r} is a single-answer judge; position applies to pairwise"
            )
        return SingleJudge(
            name,
            template,
            raw["parser"],
            raw["composer"],
            sampling,
            raw.get("empty_output", "upstream"),
            harden,
        )
    if protocol != "pairwise":
        raise BadInput(f"{where}:protocol", f"unknown protocol {protocol!r}")
    spec = PositionSpec(**raw.get("position", {}))
    if position is not None:
        if position not in get_args(Strategy):
            raise BadInput(
                "--position", f"unknown strategy {position!r} (known: {', '.join(get_args(Strategy))})"
            )
        spec = dataclasses.replace(spec, strategy=position)
    if portia_k is not None:
        spec = dataclasses.replace(spec, portia_k=portia_k)
    if harden.active and spec.strategy == "portia":
        raise BadInput(
            "--harden", "hardening does not apply to PORTIA's merged prompts; use another --position"
        )
    return PairwiseJudge(
        name=name,
        template=template,
        parser=raw["parser"],
        composer=raw["composer"],
        sampling=sampling,
        position=spec,
        scale=raw.get("scale", "signed"),
        continuation=raw.get("continuation"),
        max_attempts=int(raw.get("max_attempts", 1)),
        empty_output=raw.get("empty_output", "upstream"),
        hardening=harden,
    )
