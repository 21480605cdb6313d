"""The sweeper deletes exactly what a killed run left, through the ledger, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_infra_parity.cli import main
from pytest_infra_parity.deploy import ledger
from pytest_infra_parity.deploy.applier import Applier
from pytest_infra_parity.deploy.sweep import plan, stray_resources, sweep
from pytest_infra_parity.deploy.template import parse_template

TEMPLATE = """
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      Tags: [{Key: Project, Value: sweep}]
  Queue:
    Type: AWS::SQS::Queue
  Dlq:
    Type: AWS::SQS::Queue
  Policy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Queue]
      PolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: sns.amazonaws.com}, Action: "sqs:SendMessage",
                     Resource: !GetAtt Queue.Arn}]
"""


def _killed_run(clients, run_id: str, stack: str) -> None:  # type: ignore[no-untyped-def]
    """Deploy and drop the Stack object, as a SIGKILL would: only the ledger knows."""
    Applier(clients, "us-east-1", "123456789012", run_id).deploy(parse_template(TEMPLATE), stack)


def test_sweep_removes_a_killed_run_and_keeps_others(clients) -> None:  # type: ignore[no-untyped-def]
    _killed_run(clients, "killed-1", "ipp-sweep-killed")
    _killed_run(clients, "alive-1", "ipp-sweep-alive")
    assert set(plan(clients, run_id="killed-1")) == {"ipp-sweep-killed"}
    dry = sweep(clients, "123456789012", run_id="killed-1", dry_run=True)
    assert len(dry.deleted) == 4 and ledger.read(clients, "ipp-sweep-killed")
    report = sweep(clients, "123456789012", run_id="killed-1")
    assert report.failed == []
    assert [line.split(" ")[0] for line in report.deleted] == [
        "ipp-sweep-killed/Policy", "ipp-sweep-killed/Dlq", "ipp-sweep-killed/Queue", "ipp-sweep-killed/Bucket"]
    assert ledger.read(clients, "ipp-sweep-killed") == []
    assert stray_resources(clients, "killed-1") == []
    buckets = [b["Name"] for b in clients("s3").list_buckets()["Buckets"]]
    assert not [b for b in buckets if b.startswith("ipp-sweep-killed")]
    assert [b for b in buckets if b.startswith("ipp-sweep-alive")]
    sweep(clients, "123456789012", run_id="alive-1")
    assert ledger.read(clients, "ipp-sweep-alive") == []


def test_older_than_spares_recent_runs(clients) -> None:  # type: ignore[no-untyped-def]
    _killed_run(clients, "recent-1", "ipp-sweep-recent")
    assert plan(clients, run_id="recent-1", older_than=3600) == {}
    assert sweep(clients, "123456789012", run_id="recent-1").failed == []


def test_cli_sweep_on_an_account_standing_in_for_aws(aws_on_moto: str, clients, capsys,  # type: ignore[no-untyped-def]
                                                     monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.chdir(tmp_path)
    _killed_run(clients, "cli-1", "ipp-sweep-cli")
    assert main(["sweep", "--target", "aws", "--run", "cli-1"]) == 2
    assert "needs --infra-allowed-account" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["sweep", "--target", "aws", "--allowed-account", "123456789012", "--run", "cli-1"]) == 2
    assert "add --yes" in capsys.readouterr().err
    assert ledger.read(clients, "ipp-sweep-cli")
    assert main(["sweep", "--target", "aws", "--allowed-account", "123456789012", "--run", "cli-1", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "4 resources in 1 stacks to delete" in out and "deleted ipp-sweep-cli/Bucket" in out
    assert ledger.read(clients, "ipp-sweep-cli") == []


EXPORTER = """
Resources:
  Queue:
    Type: AWS::SQS::Queue
Outputs:
  QueueArn:
    Value: !GetAtt Queue.Arn
    Export: {Name: shared-queue-arn}
"""
IMPORTER = """
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !ImportValue shared-queue-arn
"""


def test_exports_are_imported_refused_twice_and_dropped_with_their_stack(clients) -> None:  # type: ignore[no-untyped-def]
    from pytest_infra_parity.errors import TemplateError

    applier = Applier(clients, "us-east-1", "123456789012", "exports-1")
    exporter = applier.deploy(parse_template(EXPORTER), "ipp-exporter")
    importer = applier.deploy(parse_template(IMPORTER), "ipp-importer")
    assert importer.resources["Topic"].properties["DisplayName"] == exporter.resources["Queue"].attributes["Arn"]
    with pytest.raises(TemplateError, match="export 'shared-queue-arn' is already exported by stack ipp-exporter"):
        applier.deploy(parse_template(EXPORTER), "ipp-exporter-2")
    assert ledger.read(clients, "ipp-exporter-2") == []
    assert applier.teardown(importer) == [] and applier.teardown(exporter) == []
    with pytest.raises(TemplateError, match="no stack of this session exports it"):
        applier.deploy(parse_template(IMPORTER), "ipp-importer-2")
