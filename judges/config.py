"""Judge configs are data: one YAML file per judge names its protocol, template parts, parser, sampling and
position strategy (the AlpacaEval idea of "a judge is a short config plus a prompt file"; docs/judges.md).
The file name is the judge's name; the file is its only registration.

The built-in configs are the files of ``judges/configs``. An installed package adds a folder of its own
through the entry-point group ``harness.judge_configs`` (``name = "package.with.configs"``, a package
whose folder holds ``<judge>.yaml`` files and the template files they name as ``package_file``;
``docs/plugins.md``). A judge name is unique across all folders.

``load_judge(name, position=..., template_override=...)`` builds the judge object of the config's protocol
(:data:`judges.protocol.JUDGE_PROTOCOLS`); ``--judge-template PATH`` replaces the file of the config's
user-template source, and the template hash recorded in every Judgment changes with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from harness import yamls
from harness.errors import BadInput
from harness.registry import Registry
from judges.hardening import Hardening
from judges.parsers import PARSERS, labels_of
from judges.position import Strategy
from judges.protocol import JUDGE_PROTOCOLS, Judge, JudgeConfig, JudgeOptions

_NOT_JUDGES = {"sources"}


@dataclass(frozen=True)
class ConfigFolder:
    """A folder of judge configs (``<judge>.yaml``) and the folder their ``package_file`` parts are in."""

    folder: Traversable
    root: Traversable
    label: str  # how error messages name the folder


def _config_folder(name: str, obj: Any) -> ConfigFolder:
    if isinstance(obj, ConfigFolder):
        return obj
    if isinstance(obj, ModuleType) and hasattr(obj, "__path__"):
        folder = resources.files(obj)
        return ConfigFolder(folder, folder, obj.__name__)
    raise BadInput(f"judge config folder {name!r}", f"{obj!r} is not a package (a folder of judge configs)")


CONFIG_FOLDERS: Registry[ConfigFolder] = Registry(
    "judge config folder", group="harness.judge_configs", check=_config_folder
)
CONFIG_FOLDERS.register("judges")(
    ConfigFolder(resources.files("judges").joinpath("configs"), resources.files("judges"), "judges/configs")
)


@dataclass(frozen=True)
class _Found:
    raw: dict[str, Any]
    folder: ConfigFolder
    origin: str  # ``built-in`` or the distribution that declares the folder


@cache
def _found() -> dict[str, _Found]:
    found: dict[str, _Found] = {}
    # built-in folders first, so that a plugin's config taking a built-in name is the one refused
    for folder_name in sorted(CONFIG_FOLDERS, key=lambda n: (CONFIG_FOLDERS.origin(n) != "built-in", n)):
        folder = CONFIG_FOLDERS.get(folder_name)
        origin = CONFIG_FOLDERS.origin(folder_name)
        for entry in sorted(folder.folder.iterdir(), key=lambda e: e.name):
            stem = entry.name.removesuffix(".yaml")
            if not entry.name.endswith(".yaml") or stem in _NOT_JUDGES:
                continue
            if stem in found:
                raise BadInput(
                    f"{folder.label}/{entry.name}",
                    f"{origin} defines judge config {stem!r}, already defined "
                    f"({found[stem].origin}: {found[stem].folder.label})",
                )
            try:
                raw = yamls.safe_load(entry.read_text(encoding="utf-8"))
            except yaml.YAMLError as exc:
                raise BadInput(f"{folder.label}/{entry.name}", f"not YAML ({type(exc).__name__})") from None
            if not isinstance(raw, dict):
                raise BadInput(f"{folder.label}/{entry.name}", "a judge config is a mapping")
            found[stem] = _Found(raw, folder, origin)
    return found


@cache
def judge_configs() -> Registry[dict[str, Any]]:
    """Every judge config (built-in and from installed packages), by name: its raw mapping."""
    registry: Registry[dict[str, Any]] = Registry("judge")
    for name, found in _found().items():
        registry.register(name)(found.raw)
    return registry


def judge_names() -> list[str]:
    return list(judge_configs())


def config_of(name: str) -> JudgeConfig:
    """The judge config ``name`` as its protocol reads it (unknown names get suggestions)."""
    raw = judge_configs().get(name)
    folder = _found()[name].folder
    return JudgeConfig(name, raw, f"{folder.label}/{name}.yaml", folder.root)


def config_origin(name: str) -> str:
    """``built-in``, or the distribution whose ``harness.judge_configs`` folder holds the config."""
    judge_configs().get(name)
    return _found()[name].origin


def protocol_of(name: str) -> type[Judge]:
    """The protocol class of the judge config ``name`` (its ``protocol:`` in the registry)."""
    config = config_of(name)
    protocol = config.raw.get("protocol")
    if not isinstance(protocol, str) or protocol not in JUDGE_PROTOCOLS:
        raise BadInput(f"{config.where}:protocol", JUDGE_PROTOCOLS.unknown_message(str(protocol)))
    return JUDGE_PROTOCOLS.get(protocol)


def verdict_labels(name: str) -> Mapping[str, float] | None:
    """The verdict grammar (label -> signed value, prompt frame) of the pairwise judge config ``name`` (or
    of a judge id ``<config>@<judge model>...`` as Judgments record it), as its parser declares it; None
    for an unknown config or a parser that declares none."""
    name = name.split("@", 1)[0]
    if name not in judge_configs():
        return None
    parser = judge_configs().get(name).get("parser")
    return labels_of(parser) if isinstance(parser, str) and parser in PARSERS else None


def variants(name: str) -> Mapping[str, Any]:
    """The config's ``variants`` (judge configs for items with a reference answer and for later turns,
    e.g. MT-Bench's math and multi-turn prompts); empty when it has none or is unknown."""
    if name not in judge_configs():
        return {}
    found = judge_configs().get(name).get("variants")
    return found if isinstance(found, Mapping) else {}


def judges_each_turn(name: str) -> bool:
    """Whether the config judges every turn of a multi-turn item (``turns: each``, MT-Bench's rule) rather
    than the conversation once."""
    return name in judge_configs() and judge_configs().get(name).get("turns") == "each"


def load_judge(
    name: str,
    position: Strategy | None = None,
    template_override: Path | None = None,
    portia_k: int | None = None,
    hardening: Hardening | None = None,
) -> Judge:
    """Build the judge ``name``; ``position`` overrides the config's strategy (any pairwise judge);
    ``hardening`` guards the inserted answers (pairwise and single judges; off by default)."""
    options = JudgeOptions(position, template_override, portia_k, hardening or Hardening())
    return protocol_of(name).from_config(config_of(name), options)
