"""USD is native; other currencies go through a dated rate the user can override."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_infra_parity.cost.catalog import CatalogError
from pytest_infra_parity.cost.currency import (
    USD,
    Rate,
    currency_code,
    load_rates,
    parse_rate_overrides,
    resolve_rate,
)


def test_the_shipped_euro_rate_is_dated_and_sourced() -> None:
    eur = load_rates()["EUR"]
    assert (eur.usd_per_unit, eur.date) == (1.0411, "2025-02-28")
    assert "ecb.europa.eu" in eur.source
    # 1 EUR = 1.0411 USD, so 104.11 USD is 100 EUR and 100 EUR is 104.11 USD
    assert eur.from_usd(104.11) == pytest.approx(100.0)
    assert eur.to_usd(100.0) == pytest.approx(104.11)
    assert USD.from_usd(12.5) == 12.5


def test_a_user_rate_overrides_the_catalog() -> None:
    overrides = parse_rate_overrides(["EUR=1.17", " GBP = 1.33 "], "infra_cost_rates")
    assert resolve_rate("eur", overrides=overrides) == Rate("EUR", 1.17, "given", "infra_cost_rates")
    assert resolve_rate("GBP", overrides=overrides).from_usd(133.0) == pytest.approx(100.0)
    assert resolve_rate("EUR").usd_per_unit == 1.0411  # without overrides, the catalog's
    assert parse_rate_overrides({"EUR": 1.2}, "--rate")["EUR"].usd_per_unit == 1.2


@pytest.mark.parametrize(("items", "message"), [
    (["EUR"], "write CODE=USD_PER_UNIT"),
    (["EUR=abc"], "the rate must be a number"),
    (["EUR=0"], "must be above 0"),
    (["EURO=1.1"], "is not a currency code"),
])
def test_a_bad_override_is_named(items: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_rate_overrides(items, "infra_cost_rates")


def test_a_currency_without_rate_says_how_to_give_one() -> None:
    with pytest.raises(ValueError, match=r"no exchange rate for CHF.*CHF=<USD for 1 CHF>"):
        resolve_rate("CHF")
    assert currency_code("€") == "EUR" and currency_code("usd") == "USD"


def test_a_malformed_rates_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "currency.yaml"
    path.write_text("rates:\n  EUR: {usd_per_unit: -2, date: '2025-01-01', source: x}\n")
    with pytest.raises(CatalogError) as caught:
        load_rates(path)
    assert caught.value.path == path and "rate 'EUR'" in caught.value.message
    path.write_text("rates:\n  EUR: {usd_per_unit: 1.1}\n")
    with pytest.raises(CatalogError, match=r"needs its date and source"):
        load_rates(path)
