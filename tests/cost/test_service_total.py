"""A per-service cost check counts only the unpriced items of that service (steps_cost._service_total)."""

from __future__ import annotations

import pytest

from pytest_infra_parity.bdd.steps_cost import _service_total
from pytest_infra_parity.cost.currency import USD

from .conftest import Price, resource

COST = {"resources": {"Jobs": {"storage_gb": 30, "reads_per_month": 1000, "writes_per_month": 1000},
                      "Queue": {"requests_per_month": 3_000_000}}}


def test_an_unpriced_table_feature_does_not_hide_the_queue_cost(price: Price) -> None:
    result = price([resource("Jobs", "AWS::DynamoDB::Table", billing_mode="PAY_PER_REQUEST", pitr=True),
                    resource("Queue", "AWS::SQS::Queue")], None, COST)
    assert [u.what for u in result.unpriced] == ["point-in-time recovery backup storage"]
    total = _service_total("SQS", result, USD)
    assert total == pytest.approx(result.service_total("Amazon SQS"))
    assert total > 0
    with pytest.raises(pytest.fail.Exception, match="cannot tell the monthly cost of 'DynamoDB': 1 item"):
        _service_total("DynamoDB", result, USD)


def test_an_unpriced_price_of_the_catalog_counts_against_its_own_service(price: Price) -> None:
    result = price([resource("Queue", "AWS::SQS::Queue")], None, COST, region="ap-south-2")
    assert result.unpriced and all(u.service == "Amazon SQS" for u in result.unpriced)
    with pytest.raises(pytest.fail.Exception, match="cannot tell the monthly cost of 'SQS'"):
        _service_total("SQS", result, USD)
