"""Endpoint SPECs shared by every command (``--model`` and ``--judge``) (README, "Endpoint SPECs").

- ``local``                the embedded SmolLM2 on llama.cpp, started (or reused) by the harness
- ``vllm:MODEL_OR_PATH``   ``vllm serve`` started (or reused) by the harness
- ``openai:MODEL``         base URL and key from OPENAI_BASE_URL / OPENAI_API_KEY (default api.openai.com)
- ``openai:MODEL@URL``     any OpenAI-compatible base URL
- ``openai:MODEL@URL1,URL2,...``  replicas of one model: the client routes among them
  (:mod:`harness.client._replicas`); the first URL names the endpoint in the cache key and run.json, so
  adding or losing a replica does not invalidate cached answers
- ``openai/MODEL``, ``vllm/MODEL``  the same in inspect_ai's ``provider/model`` form; the base URL of an
  openai model may also come from ``--model-base-url`` / ``--judge-base-url`` (``base_url`` below)

A spec is parsed into an :class:`EndpointSpec` (what the user asked for); ``harness.serve.resolve``
turns it into an :class:`Endpoint` (a base URL the client can call). The API key lives only in memory:
it is excluded from ``repr`` and from :meth:`Endpoint.identity`, which is what run.json and the cache
record.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from harness.errors import BadInput

DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1"
LOCAL_MODEL_NAME = "smollm2-135m-instruct"

SpecKind = Literal["local", "vllm", "openai"]


@dataclass(frozen=True)
class EndpointSpec:
    kind: SpecKind
    model: str
    base_url: str | None = None

    def __str__(self) -> str:
        if self.kind == "local":
            return "local"
        if self.kind == "vllm":
            return f"vllm:{self.model}"
        return f"openai:{self.model}" + (f"@{self.base_url}" if self.base_url else "")


@dataclass(frozen=True)
class Endpoint:
    """A callable OpenAI-compatible endpoint: base URL + served model name (+ key, never persisted)."""

    base_url: str
    model: str
    api_key: str = field(default="", repr=False, compare=False)
    spec: str = ""
    replicas: tuple[str, ...] = ()  # every base URL (the first is ``base_url``) when there are several

    def cache_identity(self) -> str:
        """What names this endpoint in the cache key.

        The base URL, except for servers the harness manages (``local``, ``vllm:MODEL``): their port is
        chosen per run while the model behind them is the same, so they are named by their spec and a
        re-run on a freshly started server still hits the cache.
        """
        if self.spec == "local" or self.spec.startswith("vllm:"):
            return f"managed:{self.spec}"
        return self.base_url.rstrip("/")

    def identity(self) -> dict[str, str]:
        """What may be written to disk: no key."""
        return {"base_url": self.base_url, "model": self.model, "spec": self.spec}


def with_replicas(base_urls: list[str], model: str, *, api_key: str = "", spec: str = "") -> Endpoint:
    """One endpoint over one or several base URLs serving the same model."""
    urls = tuple(dict.fromkeys(u.rstrip("/") for u in base_urls))
    return Endpoint(urls[0], model, api_key=api_key, spec=spec, replicas=urls if len(urls) > 1 else ())


def check_url(url: str, where: str) -> str:
    """An http(s) base URL with a host and a port in 1..65535, or one BadInput line naming ``where``."""
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError when out of range or not a number
    except ValueError:
        raise BadInput(where, f"bad URL {url!r}: the port must be a number in 1..65535") from None
    if parts.scheme not in ("http", "https"):
        raise BadInput(where, f"bad URL {url!r}: the scheme must be http or https (http(s)://HOST[:PORT]/v1)")
    if not parts.hostname:
        raise BadInput(where, f"bad URL {url!r}: no host (http(s)://HOST[:PORT]/v1)")
    if port == 0:
        raise BadInput(where, f"bad URL {url!r}: port 0 is not a port one can connect to")
    if any(ch.isspace() for ch in url):
        raise BadInput(where, f"bad URL {url!r}: contains whitespace")
    return url


INSPECT_PROVIDERS = ("openai", "vllm")


def parse_endpoint_spec(spec: str, *, option: str = "--model", base_url: str | None = None) -> EndpointSpec:
    """Parse SPEC; ``base_url`` (from ``OPTION-base-url``) gives an openai model its URL."""
    parsed = _parse_spec(spec.strip(), option)
    if base_url is None:
        return parsed
    flag = f"{option}-base-url"
    url = base_url.strip().rstrip("/")
    if parsed.kind != "openai":
        raise BadInput(flag, f"applies to openai models only, not {parsed}")
    if parsed.base_url is not None:
        raise BadInput(flag, f"{spec!r} already names its URL; give one or the other")
    check_url(url, flag)
    return EndpointSpec("openai", parsed.model, url)


def _parse_spec(spec: str, option: str) -> EndpointSpec:
    if spec == "local":
        return EndpointSpec("local", LOCAL_MODEL_NAME)
    provider, slash, name = spec.partition("/")
    if slash and provider in INSPECT_PROVIDERS and name:  # inspect_ai's provider/model
        spec = f"{provider}:{name}"
    kind, sep, rest = spec.partition(":")
    if not sep or not rest:
        raise BadInput(
            option,
            f"cannot read endpoint {spec!r}; expected local, vllm:MODEL, openai:MODEL, openai:MODEL@URL "
            "or openai/MODEL",
        )
    if kind == "vllm":
        return EndpointSpec("vllm", rest)
    if kind == "openai":
        model, at, urls = rest.partition("@")
        parts = [u.strip().rstrip("/") for u in urls.split(",")] if at else []
        if not model:
            raise BadInput(option, f"cannot read endpoint {spec!r}; no model name before '@'")
        for url in parts:
            check_url(url, option)
        return EndpointSpec("openai", model, ",".join(parts) if at else None)
    raise BadInput(option, f"unknown endpoint kind {kind!r} in {spec!r}; expected local, vllm or openai")


def resolve_openai(spec: EndpointSpec) -> Endpoint:
    """An ``openai:`` spec: the URL from the spec, else OPENAI_BASE_URL, else api.openai.com."""
    base_url = spec.base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_OPENAI_BASE_URL
    if not spec.base_url:
        for url in base_url.split(","):
            check_url(url.strip(), "OPENAI_BASE_URL")
    api_key = os.environ.get("OPENAI_API_KEY", "")
    if not api_key and base_url == DEFAULT_OPENAI_BASE_URL:
        raise BadInput("OPENAI_API_KEY", f"not set; needed for {spec}")
    return with_replicas(base_url.split(","), spec.model, api_key=api_key or "EMPTY", spec=str(spec))
