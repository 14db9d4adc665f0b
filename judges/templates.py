"""Judge prompts are data: upstream template files resolved at run time, never pasted into this repository.

Each upstream file has a :class:`TemplateSource` (repository, pinned commit, path, sha256; the list is the data
file ``judges/configs/sources.yaml``). A file is resolved, first hit wins:

1. an explicit override (``--judge-template PATH``): used as given, its own sha256 recorded;
2. ``$HARNESS_JUDGE_TEMPLATE_DIR/<mirror>``: a local mirror directory (offline use; layout in docs/judges.md);
3. the cache ``$HARNESS_TEMPLATE_CACHE`` (default ``~/.cache/harness/templates``) ``/<sha256>``;
4. the upstream distribution on PyPI, where one ships the file (AlpacaEval's judge prompt is in the
   ``alpaca-eval`` wheel): the installed copy if that exact version is installed, else the wheel fetched with
   ``pip download`` (package registries are reachable on machines where GitHub is not), stored in the cache;
5. a download of ``https://raw.githubusercontent.com/<repo>/<commit>/<path>`` with httpx, stored in the cache.

Steps 2-5 verify the sha256, so the prompt the judge sees is the pinned upstream text byte for byte. A
:class:`JudgeTemplate` is then cut out of one or two files (Arena-Hard's system prompt and user template
live in a YAML config; MT-Bench's in one JSONL line per prompt) and its ``sha256`` enters every Judgment.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal

import yaml

from harness import atomic, yamls
from harness.errors import BadInput, HarnessError
from harness.offline import is_offline, refuse

Syntax = Literal["alpaca_eval", "format", "wildbench", "jinja"]
TEMPLATE_DIR_ENV = "HARNESS_JUDGE_TEMPLATE_DIR"
CACHE_ENV = "HARNESS_TEMPLATE_CACHE"
_SOURCES_FILE = "sources.yaml"


@dataclass(frozen=True)
class TemplateSource:
    """One upstream file at a pinned commit."""

    name: str
    repo: str
    commit: str
    path: str
    sha256: str
    mirror: str
    pypi: str | None = None  # "dist==version:path/inside/the/wheel" when a PyPI distribution ships the file

    @property
    def url(self) -> str:
        return f"https://raw.githubusercontent.com/{self.repo}/{self.commit}/{self.path}"


@dataclass(frozen=True)
class TemplatePart:
    """Where one piece of a template comes from: a pinned ``source`` or a ``package_file`` of ``judges/``.

    ``entry`` selects a JSONL line by its ``name`` (MT-Bench); ``key`` a field of that line or of a YAML
    mapping; ``index`` an element when the field is a list (Arena-Hard v0.1 ``prompt_template: [..]``).
    """

    source: str | None = None
    package_file: str | None = None
    entry: str | None = None
    key: str | None = None
    index: int | None = None


@dataclass(frozen=True)
class JudgeTemplate:
    """The text a judge prompt is rendered from. ``system`` is None when the syntax carries its own roles."""

    name: str
    syntax: Syntax
    user: str
    system: str | None
    sha256: str
    files: dict[str, str] = field(default_factory=dict)  # source name -> sha256 of the file actually read


@cache
def sources() -> dict[str, TemplateSource]:
    """The pinned upstream files (``judges/configs/sources.yaml``)."""
    text = resources.files("judges").joinpath("configs", _SOURCES_FILE).read_text(encoding="utf-8")
    raw = yamls.safe_load(text)
    return {name: TemplateSource(name=name, **fields) for name, fields in raw.items()}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cache_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "harness" / "templates"
    return Path(os.environ.get(CACHE_ENV, default))


def _verified(source: TemplateSource, data: bytes, where: str) -> bytes:
    digest = _sha256(data)
    if digest != source.sha256:
        raise BadInput(where, f"sha256 {digest} does not match the pinned {source.sha256} of {source.url}")
    return data


def _download(source: TemplateSource) -> bytes:
    # httpx (~0.1 s to import) only here, its one use: a run whose templates are local never loads it
    import httpx

    try:
        response = httpx.get(source.url, timeout=30.0, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise HarnessError(
            f"cannot fetch judge template {source.name} from {source.url} ({exc}); set {TEMPLATE_DIR_ENV} "
            "to a local mirror or pass --judge-template PATH"
        ) from exc
    return response.content


def _from_pypi(source: TemplateSource) -> bytes | None:
    """The file from its upstream PyPI distribution: the installed copy if the pinned version is installed,
    else the wheel fetched with pip (package registries are reachable where GitHub may not be)."""
    if source.pypi is None:
        return None
    requirement, _, member = source.pypi.partition(":")
    dist_name, _, version = requirement.partition("==")
    try:
        dist = importlib.metadata.distribution(dist_name)
        if dist.version == version:
            installed = Path(str(dist.locate_file(member)))
            if installed.is_file() and _sha256(installed.read_bytes()) == source.sha256:
                return installed.read_bytes()
    except importlib.metadata.PackageNotFoundError:
        pass
    if is_offline():
        return None
    with tempfile.TemporaryDirectory(prefix="harness-template-") as tmp:
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary",
            ":all:",
            "-q",
            "-d",
            tmp,
        ]
        done = subprocess.run([*command, requirement], capture_output=True, text=True, timeout=300)
        wheels = list(Path(tmp).glob("*.whl"))
        if done.returncode != 0 or not wheels:
            return None
        with zipfile.ZipFile(wheels[0]) as wheel:
            try:
                return wheel.read(member)
            except KeyError:
                return None


def read_source(name: str, override: Path | None = None) -> tuple[bytes, str]:
    """Bytes of an upstream file and their sha256, by the resolution order of the module docstring."""
    try:
        source = sources()[name]
    except KeyError:
        raise BadInput(
            "template source", f"unknown source {name!r} (known: {', '.join(sources())})"
        ) from None
    if override is not None:
        if not override.is_file():
            raise BadInput("--judge-template", f"{override} is not a file")
        data = override.read_bytes()
        return data, _sha256(data)
    mirror_root = os.environ.get(TEMPLATE_DIR_ENV)
    if mirror_root:
        mirrored = Path(mirror_root) / source.mirror
        if mirrored.is_file():
            return _verified(source, mirrored.read_bytes(), str(mirrored)), source.sha256
    cached = cache_dir() / source.sha256
    if cached.is_file():
        return _verified(source, cached.read_bytes(), str(cached)), source.sha256
    from_pypi = _from_pypi(source)
    if from_pypi is not None:
        data = _verified(source, from_pypi, f"{source.pypi} (PyPI)")
    else:
        hint = f"set {TEMPLATE_DIR_ENV} to a local mirror or pass --judge-template PATH"
        refuse(f"judge template {source.name}", hint)
        data = _verified(source, _download(source), source.url)
    atomic.write_bytes(cached, data)  # concurrent runs never see half a file
    return data, source.sha256


def _select(data: bytes, part: TemplatePart, where: str) -> str:
    """Cut one string out of a file: the whole text, a JSONL entry's field, or a YAML key."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(where, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if not text.strip():
        raise BadInput(where, "the template file is empty")
    if part.entry is not None:
        try:
            matches = [json.loads(line) for line in text.splitlines() if line.strip()]
        except (json.JSONDecodeError, RecursionError) as exc:
            raise BadInput(where, f"not a JSONL template file ({type(exc).__name__})") from None
        found = [m for m in matches if isinstance(m, dict) and m.get("name") == part.entry]
        if len(found) != 1:
            raise BadInput(where, f"expected one entry named {part.entry!r}, found {len(found)}")
        container: Any = found[0]
    elif part.key is not None:
        try:
            container = yamls.safe_load(text)
        except (yaml.YAMLError, RecursionError) as exc:
            raise BadInput(where, f"not a YAML template file ({type(exc).__name__})") from None
    else:
        return text
    if part.key is None or not isinstance(container, dict) or part.key not in container:
        raise BadInput(where, f"missing key {part.key!r}")
    value = container[part.key]
    if part.index is not None:
        if not isinstance(value, list) or not -len(value) <= part.index < len(value):
            raise BadInput(where, f"{part.key!r} has no element {part.index}")
        value = value[part.index]
    if not isinstance(value, str):
        raise BadInput(where, f"{part.key!r} is not a string")
    return value


def read_part(
    part: TemplatePart, overrides: dict[str, Path] | None = None, root: Traversable | None = None
) -> tuple[str, str, str]:
    """(text, file name, file sha256) of one template part; a ``package_file`` is read under ``root``
    (default: the ``judges`` package; a judge config of another package: that package's config folder)."""
    if part.package_file is not None:
        folder = root if root is not None else resources.files("judges")
        try:
            data = folder.joinpath(*part.package_file.split("/")).read_bytes()
        except OSError as exc:
            raise BadInput(f"template {part.package_file}", f"cannot read it ({exc})") from None
        return _select(data, part, part.package_file), part.package_file, _sha256(data)
    if part.source is None:
        raise BadInput("template", "a part needs `source` or `package_file`")
    override = (overrides or {}).get(part.source)
    data, digest = read_source(part.source, override)
    return _select(data, part, str(override) if override else part.source), part.source, digest


def load_template(
    name: str,
    syntax: Syntax,
    user: TemplatePart,
    system: TemplatePart | None = None,
    overrides: dict[str, Path] | None = None,
    root: Traversable | None = None,
) -> JudgeTemplate:
    """Assemble a :class:`JudgeTemplate`; its hash covers every file read and how they were cut."""
    user_text, user_file, user_sha = read_part(user, overrides, root)
    files = {user_file: user_sha}
    system_text = None
    if system is not None:
        system_text, system_file, system_sha = read_part(system, overrides, root)
        files[system_file] = system_sha
    recipe = json.dumps([syntax, repr(user), repr(system), sorted(files.items())], sort_keys=True)
    return JudgeTemplate(
        name=name,
        syntax=syntax,
        user=user_text,
        system=system_text,
        sha256=_sha256(recipe.encode()),
        files=files,
    )
