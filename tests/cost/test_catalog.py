"""The shipped catalog: dated, sourced, covering the designs' regions; malformed entries are named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pytest_infra_parity.cost.catalog import PRICES_DIR, Catalog, CatalogError, RegionPrice, Source, load_catalog


def test_every_price_has_a_unit_a_source_and_a_date(catalog: Catalog) -> None:
    assert catalog.version == "2026.10.1" and catalog.hours_per_month == 730
    for price in catalog.prices.values():
        assert price.unit and price.description and price.live["service_code"] and price.live["usagetype"]
        for region, found in price.regions.items():
            assert found.source.url.startswith("https://"), (price.id, region)
            assert found.source.date == "undated" or found.source.date[:4] in ("2024", "2025", "2026")


def test_the_kinds_of_the_issue_are_in_the_catalog(catalog: Catalog) -> None:
    wanted = ["fargate-vcpu-hour-x86", "fargate-gb-hour-arm", "alb-hour", "alb-lcu-hour", "nat-gateway-hour",
              "nat-gateway-gb", "lambda-request", "lambda-gb-second-arm", "lambda-provisioned-gb-second",
              "api-http-request", "api-rest-request", "ddb-write-request", "ddb-storage-gb-month",
              "s3-standard-gb-month", "s3-get-request", "sqs-request", "sns-publish", "kms-key-month",
              "kms-request", "cw-custom-metric-month", "cw-alarm-metric-month", "cw-logs-ingestion-gb",
              "cw-logs-storage-gb-month", "xray-trace-recorded", "appconfig-request", "eventbridge-custom-event",
              "rds-postgres-db.t4g.micro-single-az-hour", "rds-proxy-vcpu-hour",
              "elasticache-redis-cache.t4g.micro-hour", "opensearch-t3.small.search-hour", "cloudfront-data-out-gb",
              "waf-web-acl-month", "route53-hosted-zone-month", "public-ipv4-hour"]
    assert [w for w in wanted if w not in catalog.prices] == []


def test_the_cityguided_kinds_are_priced_in_paris_and_virginia(catalog: Catalog) -> None:
    for price_id in ("fargate-vcpu-hour-x86", "fargate-gb-hour-x86", "alb-hour", "alb-lcu-hour", "public-ipv4-hour",
                     "cw-alarm-metric-month", "cw-logs-ingestion-gb", "cw-logs-storage-gb-month", "nat-gateway-hour"):
        assert {"us-east-1", "eu-west-3"} <= set(catalog.prices[price_id].regions), price_id
    assert catalog.price("alb-hour").in_region("eu-west-3") == RegionPrice(
        0.02646, catalog.price("alb-hour").regions["eu-west-3"].source)


def test_a_missing_region_says_why(catalog: Catalog) -> None:
    arm = catalog.price("fargate-vcpu-hour-arm")
    assert arm.in_region("eu-west-3") is None
    assert "no published Linux/ARM figure" in arm.why_missing("eu-west-3")
    assert "no ap-south-1 figure" in arm.why_missing("ap-south-1")


def test_live_prices_replace_figures_and_say_so(catalog: Catalog) -> None:
    source = Source("price-list-api", "https://api.pricing.us-east-1.amazonaws.com", "2026-11-01")
    updated = catalog.with_prices({"fargate-vcpu-hour-arm": {"eu-west-3": RegionPrice(0.0389, source)}}, "live")
    assert updated.price("fargate-vcpu-hour-arm").in_region("eu-west-3") == RegionPrice(0.0389, source)
    assert "eu-west-3" not in updated.price("fargate-vcpu-hour-arm").missing
    assert updated.origin == "live" and catalog.price("fargate-vcpu-hour-arm").in_region("eu-west-3") is None


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    folder = tmp_path / "prices"
    shutil.copytree(PRICES_DIR, folder)
    return folder


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("elb.yaml", "us-east-1: {usd: 0.0225, source: use1-bulk}", "us-east-1: {usd: -1, source: use1-bulk}",
     "price 'alb-hour' region us-east-1: usd must be a number >= 0, got -1"),
    ("elb.yaml", "us-east-1: {usd: 0.0225, source: use1-bulk}", "us-east-1: {usd: 0.0225, source: nowhere}",
     "price 'alb-hour' region us-east-1: source 'nowhere' is neither a key of sources.yaml"),
    ("elb.yaml", "    unit: hour\n", "", "price 'alb-hour' unit: must be a non-empty text"),
    ("elb.yaml", 'version: "2026.10.1"', 'version: "2025.01"', "version: is '2025.01', the catalog is '2026.10.1'"),
    ("vpc.yaml", "usagetype: NatGateway-Hours}", "usage: x}", "price 'nat-gateway-hour': 'live' must give"),
    ("sources.yaml", 'date: "2026-09-29"', 'date: "last week"', "source 'use1-bulk': date must be YYYY-MM-DD"),
    ("kms.yaml", "  kms-request:", "  alb-hour:", "price 'alb-hour': is defined twice"),
    ("waf.yaml", "prices:\n", "prices: [\n", "malformed YAML"),
])
def test_a_malformed_entry_is_named_with_its_file(copy: Path, file: str, old: str, new: str, message: str) -> None:
    _replace(copy / file, old, new)
    with pytest.raises(CatalogError) as caught:
        load_catalog(copy)
    assert caught.value.path == copy / file
    assert message in caught.value.describe()


def test_a_url_source_needs_its_date(copy: Path) -> None:
    _replace(copy / "elb.yaml", "eu-west-3: {usd: 0.02646, source: euw3-offers}",
             "eu-west-3: {usd: 0.02646, source: 'https://example.org/alb'}")
    with pytest.raises(CatalogError, match="a URL source needs a date"):
        load_catalog(copy)
    _replace(copy / "elb.yaml", "source: 'https://example.org/alb'}",
             "source: 'https://example.org/alb', date: 2026-01-02}")
    assert load_catalog(copy).price("alb-hour").regions["eu-west-3"].source.date == "2026-01-02"
