"""A deployment killed mid-way: what it leaves, and what the next run's cleanup removes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pytest_infra_parity.chaos.kill import TerraformBackend, cleanup_and_check, kill_applier, kill_command
from pytest_infra_parity.chaos.kill_plan import (
    applier_spec,
    ensure_backend,
    read_lock_section,
    remove_backend,
    unique_parameters,
)
from pytest_infra_parity.chaos.locks import find_locks, release
from pytest_infra_parity.chaos.orphans import list_resources, services_for
from pytest_infra_parity.deploy import ledger
from pytest_infra_parity.deploy.template import parse_template
from pytest_infra_parity.errors import DesignError

Clients = Callable[[str], Any]
TEMPLATE = """
Parameters:
  Stage: {Type: String, Default: dev}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties: {BucketName: !Sub "kill-${Stage}-bucket"}
  Queue:
    Type: AWS::SQS::Queue
    Properties: {QueueName: !Sub "kill-${Stage}-queue"}
  Topic:
    Type: AWS::SNS::Topic
    Properties: {TopicName: !Sub "kill-${Stage}-topic"}
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "kill-${Stage}-table"
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
"""


@pytest.fixture
def backend(clients: Clients) -> Any:
    found = TerraformBackend("kill-locks", "kill-tfstate", "app/dev/terraform.tfstate")
    created = ensure_backend(clients, found, "us-east-1")
    yield found
    remove_backend(clients, found, created)


def test_killed_applier_leaves_its_lock_and_resources_until_the_cleanup(
        clients: Clients, moto_endpoint: str, tmp_path: Path, backend: TerraformBackend) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE)
    parameters = unique_parameters(parse_template(TEMPLATE).parameters, {"Stage": "dev"})
    assert parameters["Stage"] != "dev"
    spec = applier_spec(template=str(template), stack="ipp-kill-test", run_id="kill-run-1", region="us-east-1",
                        account_id="123456789012", endpoint=moto_endpoint, target_name="moto", after=2,
                        parameters=parameters, design="kill", backend=backend)
    before = list_resources(clients, services_for(["AWS::S3::Bucket", "AWS::SQS::Queue", "AWS::SNS::Topic",
                                                    "AWS::DynamoDB::Table"]))
    assert before.services == ("dynamodb", "s3", "sns", "sqs")
    outcome = kill_applier(spec)
    assert outcome.killed and len(outcome.created) == 2, outcome.output
    [held] = find_locks(clients, tables=[backend.table], buckets=[backend.bucket])
    assert held.who.startswith("infra-parity kill-run-1@") and held.operation == "OperationTypeApply"
    assert len(ledger.read(clients, "ipp-kill-test")) == 2
    outcome.before = before
    checked = cleanup_and_check(clients, "123456789012", outcome, tables=[backend.table], buckets=[backend.bucket])
    assert checked.released == [held.address] and checked.locks_left == []
    assert checked.stray == [] and checked.orphans == [] and len(checked.swept) == 2
    assert ledger.read(clients, "ipp-kill-test") == []
    assert "killed after creating 2 resources" in checked.resource_report()


def test_a_killed_user_command_leaves_a_lock_and_an_untagged_orphan(
        clients: Clients, moto_endpoint: str, backend: TerraformBackend) -> None:
    script = (
        "import boto3, time\n"
        "from pytest_infra_parity.chaos.kill_child import take_terraform_lock\n"
        f"s = boto3.session.Session('testing', 'testing', region_name='us-east-1')\n"
        f"c = lambda name: s.client(name, endpoint_url={moto_endpoint!r})\n"
        f"take_terraform_lock(c, {backend.as_dict()!r}, 'someone-else')\n"
        "c('sqs').create_queue(QueueName='kill-untagged-orphan')\n"
        "print('applying', flush=True)\n"
        "time.sleep(60)\n"
    )
    before = list_resources(clients, ("sqs", "s3"))
    outcome = kill_command(f"{sys.executable} -c \"{script}\"", when_output="^applying$", timeout=30)
    assert outcome.killed, outcome.output
    outcome.before = before
    checked = cleanup_and_check(clients, "123456789012", outcome, tables=[backend.table], buckets=[backend.bucket])
    assert [lock.who.split("@")[0] for lock in checked.locks_left] == ["infra-parity someone-else"]
    assert "1 state lock(s) left" in checked.lock_report()
    assert any("kill-untagged-orphan" in name for name in checked.orphans)
    assert "left without a tag" in checked.resource_report()
    release(clients, checked.locks_left[0])
    queue = clients("sqs").get_queue_url(QueueName="kill-untagged-orphan")["QueueUrl"]
    clients("sqs").delete_queue(QueueUrl=queue)


def test_lock_section_of_a_design() -> None:
    section = {"max_age": "15m", "terraform": {"table": "{Project}-locks", "bucket": "st-{account}",
                                               "key": "{Project}/{Stage}.tfstate"}}
    read = read_lock_section(section, {"Project": "p", "Stage": "dev", "account": "1"})
    assert read.max_age == 900 and read.backend == TerraformBackend("p-locks", "st-1", "p/dev.tfstate")
    assert read_lock_section(None, {}).backend is None
    with pytest.raises(DesignError, match="unknown placeholder"):
        read_lock_section({"terraform": {"table": "{Nope}", "bucket": "b", "key": "k"}}, {})
    with pytest.raises(DesignError, match="unknown key"):
        read_lock_section({"maxage": 3}, {})
    with pytest.raises(DesignError, match="not a duration"):
        read_lock_section({"max_age": "soon"}, {})
