"""Tokens and cost per role (model under test, judge), from the stored records.

Tokens are summed over the records of the run directory (``Output.usage``, ``Judgment.usage``), not over
this session's requests: a resumed or fully cached run still reports what the whole run cost, which is
the figure a reader compares with an upstream run. Prices are USD per 1M tokens (input, output) as
listed on the providers' public price pages for the upstream judge models (OpenAI pricing page,
November 2024; Anthropic pricing page, same date). They change; ``--price-per-mtok ROLE=IN[,OUT]``
overrides them. A local endpoint (``local``, ``vllm:``) costs 0; an API model not in the table has an
unknown cost (shown as such, never as 0).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from harness.errors import BadInput
from harness.records import TokenUsage

# USD per 1M (input, output) tokens.
PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    "gpt-4": (30.0, 60.0),  # MT-Bench judge
    "gpt-4-0613": (30.0, 60.0),
    "gpt-4-1106-preview": (10.0, 30.0),  # AlpacaEval 2.0 and Arena-Hard v0.1 judge
    "gpt-4-0125-preview": (10.0, 30.0),
    "gpt-4-turbo": (10.0, 30.0),
    "gpt-4-turbo-2024-04-09": (10.0, 30.0),
    "gpt-4o": (2.5, 10.0),
    "gpt-4o-2024-05-13": (5.0, 15.0),  # WildBench v2 judge
    "gpt-4o-2024-08-06": (2.5, 10.0),
    "gpt-4o-mini": (0.15, 0.6),
    "gpt-4.1": (2.0, 8.0),  # Arena-Hard v2 judge
    "gpt-3.5-turbo": (0.5, 1.5),
    "claude-3-5-sonnet-20240620": (3.0, 15.0),
}


@dataclass(frozen=True)
class Price:
    input: float
    output: float


@dataclass(frozen=True)
class RoleCost:
    role: str
    endpoint: str
    requests_recorded: int  # records carrying usage (outputs or judgments)
    prompt_tokens: int
    completion_tokens: int
    price: Price | None  # None: unknown
    cost_usd: float | None

    def as_json(self) -> dict[str, object]:
        return {
            "role": self.role,
            "endpoint": self.endpoint,
            "records": self.requests_recorded,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "price_per_mtok": None if self.price is None else [self.price.input, self.price.output],
            "cost_usd": self.cost_usd,
        }


def parse_price_overrides(values: Iterable[str]) -> dict[str, Price]:
    """``["judge=10,30", "model=0"]`` -> role -> Price; one price means input = output."""
    out: dict[str, Price] = {}
    for value in values:
        role, sep, rest = value.partition("=")
        if not sep or role not in ("model", "judge"):
            raise BadInput(
                "--price-per-mtok", f"expected ROLE=IN[,OUT] with ROLE model or judge, got {value!r}"
            )
        parts = rest.split(",")
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            raise BadInput("--price-per-mtok", f"prices must be numbers, got {rest!r}") from None
        if len(numbers) not in (1, 2) or any(n < 0 for n in numbers):
            raise BadInput("--price-per-mtok", f"expected one or two non-negative prices, got {rest!r}")
        out[role] = Price(numbers[0], numbers[-1])
    return out


def price_for(spec: str, override: Price | None = None) -> Price | None:
    """The price of an endpoint spec: the override, 0 for local servers, the table, else unknown."""
    if override is not None:
        return override
    if spec == "local" or spec.startswith("vllm:"):
        return Price(0.0, 0.0)
    model = spec.removeprefix("openai:").split("@", 1)[0]
    known = PRICES_PER_MTOK.get(model)
    return Price(*known) if known else None


def role_cost(role: str, spec: str, usages: Iterable[TokenUsage], override: Price | None = None) -> RoleCost:
    total = TokenUsage()
    n = 0
    for usage in usages:
        total = total + usage
        n += 1
    price = price_for(spec, override)
    cost = None
    if price is not None:
        cost = (total.prompt_tokens * price.input + total.completion_tokens * price.output) / 1e6
    return RoleCost(role, spec, n, total.prompt_tokens, total.completion_tokens, price, cost)


def costs_by_role(
    specs: Mapping[str, str], usages: Mapping[str, Iterable[TokenUsage]], overrides: Mapping[str, Price]
) -> list[RoleCost]:
    """One :class:`RoleCost` per role in ``specs`` (``{"model": "local", "judge": "openai:gpt-4"}``)."""
    return [role_cost(role, spec, usages.get(role, ()), overrides.get(role)) for role, spec in specs.items()]
