"""Live price refresh through the Price List API (botocore Stubber: moto has no pricing API), and SOURCEs
opened with their declared properties."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from pytest_infra_parity.cost.catalog import Catalog
from pytest_infra_parity.cost_live import open_priced, refresh_prices
from pytest_infra_parity.errors import TargetError


def _item(usagetype: str, *dimensions: tuple[str, str]) -> str:
    dims = {f"d{i}": {"beginRange": begin, "pricePerUnit": {"USD": usd}, "unit": "Hrs"}
            for i, (begin, usd) in enumerate(dimensions)}
    return json.dumps({"product": {"attributes": {"usagetype": usagetype}},
                       "terms": {"OnDemand": {"t": {"priceDimensions": dims}}}})


def _client() -> Any:
    # moto: no pricing API (moto 5.2 has no "pricing" backend), so the client is stubbed
    return boto3.client("pricing", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")


def test_refresh_takes_the_first_paid_tier_and_keeps_what_is_not_found(catalog: Catalog) -> None:
    small = Catalog(catalog.version, catalog.date, catalog.hours_per_month,
                    {k: catalog.prices[k] for k in ("alb-hour", "sqs-request")}, catalog.services)
    client = _client()
    with Stubber(client) as stub:
        stub.add_response("get_products", {"PriceList": [
            _item("EUW3-LoadBalancerUsage", ("0", "0.0271"))], "FormatVersion": "aws_v1"},
            {"ServiceCode": "AWSELB", "FormatVersion": "aws_v1", "MaxResults": 100, "Filters": [
                {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-3"},
                {"Type": "TERM_MATCH", "Field": "operation", "Value": "LoadBalancing:Application"},
                {"Type": "TERM_MATCH", "Field": "usagetype", "Value": "EUW3-LoadBalancerUsage"}]})
        # SQS: a free first million (price 0) then 0.40 a million; the first paid tier wins
        stub.add_response("get_products", {"PriceList": [
            _item("EUW3-Requests-RBP", ("0", "0"), ("1000000", "0.0000004"))], "NextToken": "more"}, {
            "ServiceCode": "AWSQueueService", "Filters": ANY, "FormatVersion": "aws_v1", "MaxResults": 100})
        refreshed, kept = refresh_prices(small, "eu-west-3", lambda service: client, today="2026-11-22")
    assert kept == []
    alb = refreshed.price("alb-hour").in_region("eu-west-3")
    assert alb is not None and alb.usd == 0.0271 and alb.source.date == "2026-11-22"
    assert refreshed.price("sqs-request").in_region("eu-west-3").usd == 0.0000004  # type: ignore[union-attr]
    assert refreshed.origin.startswith("live Price List API 2026-11-22")


def test_refresh_lists_prices_the_api_does_not_return(catalog: Catalog) -> None:
    small = Catalog(catalog.version, catalog.date, catalog.hours_per_month, {"kms-key-month": catalog.prices[
        "kms-key-month"]}, catalog.services)
    client = _client()
    with Stubber(client) as stub:
        for _ in range(2):  # the prefixed usage type, then the bare one
            stub.add_response("get_products", {"PriceList": []}, {"ServiceCode": "awskms", "Filters": ANY,
                                                                   "FormatVersion": "aws_v1", "MaxResults": 100})
        refreshed, kept = refresh_prices(small, "eu-west-3", lambda service: client)
    assert kept == ["kms-key-month"] and refreshed.price("kms-key-month").in_region("eu-west-3") is None


def test_a_refused_request_is_one_clear_error(catalog: Catalog) -> None:
    small = Catalog(catalog.version, catalog.date, catalog.hours_per_month, {"alb-hour": catalog.prices["alb-hour"]},
                    catalog.services)
    client = _client()
    with Stubber(client) as stub:
        stub.add_client_error("get_products", "AccessDeniedException", "no pricing:GetProducts")
        with pytest.raises(TargetError, match="Price List API refused GetProducts for AWSELB: AccessDeniedException"):
            refresh_prices(small, "eu-west-3", lambda service: client)


def test_a_template_file_keeps_its_declared_properties(tmp_path: Path) -> None:
    template = tmp_path / "app" / "template.yaml"
    template.parent.mkdir()
    template.write_text("Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n"
                        "      Engine: postgres\n      DBInstanceClass: db.t4g.micro\n      AllocatedStorage: '20'\n")
    priced = open_priced("app/template.yaml", base=tmp_path, region="us-east-1")
    assert [r.kind for r in priced.inventory.resources] == ["db instance"]
    assert priced.declarations["Db"].properties["DBInstanceClass"] == "db.t4g.micro"
    assert priced.design is None


def test_a_design_is_declared_in_its_cost_region() -> None:
    priced = open_priced("cityguided", base=Path.cwd())
    # the monthly cost alarm exists only in us-east-1 (Condition IsUsEast1): eu-west-3 has none
    assert "MonthlyCostAlarm" not in {r.name for r in priced.inventory.resources}
    assert priced.design is not None and priced.declarations["Service"].references["TaskDefinition"] == "TaskDefinition"
    in_virginia = open_priced("cityguided", base=Path.cwd(), region="us-east-1")
    assert "MonthlyCostAlarm" in {r.name for r in in_virginia.inventory.resources}
