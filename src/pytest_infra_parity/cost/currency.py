"""Currencies: prices are in USD; other currencies go through a dated rate the user can override.

A rate reads as the ECB quotes it: ``1 EUR = 1.0411 USD`` is ``Rate("EUR", 1.0411, ...)``, so an amount in
USD divided by ``usd_per_unit`` is the amount in that currency. The shipped rates live in
``cost/prices/currency.yaml`` with their date and source; a rate given by the user (fixture argument,
``--rate``, the ``infra_cost_rates`` ini key) replaces the shipped one and says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pytest_infra_parity.cost.catalog import PRICES_DIR, CatalogError

_CODE = re.compile(r"^[A-Z]{3}$")
SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP"}


@dataclass(frozen=True)
class Rate:
    """``1 <code> = <usd_per_unit> USD`` on ``date``, from ``source``."""

    code: str
    usd_per_unit: float
    date: str
    source: str

    def from_usd(self, usd: float) -> float:
        return usd / self.usd_per_unit

    def to_usd(self, amount: float) -> float:
        return amount * self.usd_per_unit

    def describe(self) -> str:
        if self.code == "USD":
            return "USD (the catalog's currency)"
        return f"1 {self.code} = {self.usd_per_unit:g} USD ({self.source}, {self.date})"


USD = Rate("USD", 1.0, "-", "identity")


def currency_code(text: str) -> str:
    """``EUR`` for ``eur``, ``€`` or ``EUR``; a ValueError for anything that is not a 3-letter code."""
    word = SYMBOLS.get(text.strip(), text.strip().upper())
    if not _CODE.match(word):
        raise ValueError(f"{text!r} is not a currency code (three letters such as USD or EUR)")
    return word


def load_rates(path: Path | None = None) -> dict[str, Rate]:
    """The shipped rates (``currency.yaml``), USD included; CatalogError names a malformed entry."""
    path = path or PRICES_DIR / "currency.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"cannot read the exchange rates: {exc}", path=path) from None
    rates = {"USD": USD}
    for code, entry in (data.get("rates") or {}).items():
        where = f"rate {code!r}"
        value = entry.get("usd_per_unit") if isinstance(entry, dict) else None
        if not _CODE.match(str(code)) or isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise CatalogError(f"{where}: needs a 3-letter code and usd_per_unit > 0, got {entry!r}", path=path)
        if not entry.get("date") or not entry.get("source"):
            raise CatalogError(f"{where}: needs its date and source", path=path)
        rates[str(code)] = Rate(str(code), float(value), str(entry["date"]), str(entry["source"]))
    return rates


def parse_rate_overrides(items: Iterable[str] | Mapping[str, Any], where: str) -> dict[str, Rate]:
    """``["EUR=1.08"]`` or ``{"EUR": 1.08}`` -> rates given by the user; ValueError names the bad item."""
    pairs = items.items() if isinstance(items, Mapping) else (_split(item, where) for item in items)
    found: dict[str, Rate] = {}
    for code, value in pairs:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{where}: {code}={value!r}: the rate must be a number (USD for 1 {code})") from None
        if number <= 0:
            raise ValueError(f"{where}: {code}={value!r}: the rate must be above 0")
        found[currency_code(str(code))] = Rate(currency_code(str(code)), number, "given", where)
    return found


def _split(item: str, where: str) -> tuple[str, str]:
    code, sep, value = str(item).partition("=")
    if not sep:
        raise ValueError(f"{where}: {item!r}: write CODE=USD_PER_UNIT, e.g. EUR=1.08 (1 EUR = 1.08 USD)")
    return code.strip(), value.strip()


def resolve_rate(code: str, *, overrides: Mapping[str, Rate] | None = None,
                 shipped: Mapping[str, Rate] | None = None) -> Rate:
    """The rate for ``code``: a user override first, else the shipped one; ValueError when there is none."""
    code = currency_code(code)
    if overrides and code in overrides:
        return overrides[code]
    rates = shipped if shipped is not None else load_rates()
    if code not in rates:
        raise ValueError(f"no exchange rate for {code}: the catalog has {', '.join(sorted(rates))}; give one "
                         f"(--rate, infra_cost(rate=...) or the infra_cost_rates ini key: {code}=<USD for 1 {code}>)")
    return rates[code]
