"""Fixtures for provisioner tests: a moto server on loopback, a request builder and a deployer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config

from pytest_infra_parity.deploy.provisioners import ProvisionRequest

from ._support import Deployed, create, provisioner_for

REGION = "us-east-1"
ACCOUNT = "123456789012"


@pytest.fixture(scope="session")
def clients(moto_endpoint: str) -> Callable[[str], Any]:
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2, "mode": "standard"})
    cache: dict[str, Any] = {}

    def factory(service: str) -> Any:
        if service not in cache:
            cache[service] = session.client(service, endpoint_url=moto_endpoint, config=config)
        return cache[service]

    return factory


@pytest.fixture
def make_request(clients: Callable[[str], Any], request: pytest.FixtureRequest) -> Callable[..., ProvisionRequest]:
    """``make_request("MyBucket", "AWS::S3::Bucket", {...})`` -> a request on the moto server."""
    stack = "t-" + request.node.name.replace("[", "-").replace("]", "").replace("_", "-")[:40]

    def build(logical_id: str, resource_type: str, properties: dict[str, Any]) -> ProvisionRequest:
        return ProvisionRequest(
            logical_id=logical_id,
            resource_type=resource_type,
            properties=properties,
            stack_name=stack,
            region=REGION,
            account_id=ACCOUNT,
            clients=clients,
            tags={"infra-parity:stack": stack, "infra-parity:run": "test-run"},
            run_id="test-run",
        )

    return build


@pytest.fixture
def deploy(make_request: Callable[..., ProvisionRequest]) -> Callable[..., Deployed]:
    """``deploy("Vpc", "AWS::EC2::VPC", {...})`` -> ``(provisioner, request, result)``, properties checked."""

    def build_and_create(logical_id: str, resource_type: str, properties: dict[str, Any]) -> Deployed:
        assert set(properties) <= provisioner_for(resource_type).supported_properties
        return create(make_request, logical_id, resource_type, properties)

    return build_and_create
