"""Targets and settings resolution, without pytest in the loop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_infra_parity.errors import ConfigError
from pytest_infra_parity.settings import build_settings
from pytest_infra_parity.targets import BUILTIN, make_builtin_target
from pytest_infra_parity.targets.moto import MotoTarget


@pytest.fixture
def two_accounts() -> Iterator[tuple[MotoTarget, MotoTarget]]:
    first, second = MotoTarget("us-east-1", account_id="333333333333"), MotoTarget("us-east-1", "444444444444")
    yield first, second
    first.stop()
    second.stop()


def test_moto_targets_in_one_process_are_isolated_accounts(two_accounts: tuple[MotoTarget, MotoTarget]) -> None:
    first, second = two_accounts
    assert first.client("sts").get_caller_identity()["Account"] == "333333333333"
    assert second.identity().account_id == "444444444444"
    first.client("sqs").create_queue(QueueName="same-name")
    second.client("sqs").create_queue(QueueName="same-name", Attributes={"DelaySeconds": "5"})
    url = first.client("sqs").get_queue_url(QueueName="same-name")["QueueUrl"]
    attrs = first.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds"])
    assert attrs["Attributes"]["DelaySeconds"] == "0"
    assert "333333333333" in url


def test_moto_target_starts_on_first_use_and_stops() -> None:
    target = MotoTarget("eu-west-1")
    assert target.endpoint_url is None
    assert "started on first use" in target.describe()
    target.client("s3").list_buckets()
    assert target.endpoint_url and target.endpoint_url.startswith("http://127.0.0.1:")
    target.stop()
    target.stop()  # idempotent



def test_settings_precedence_option_ini_environment_default(tmp_path: Path) -> None:
    s = build_settings({"infra_region": None}.get, {"infra_region": "eu-north-1"}.get, tmp_path,
                       env={"AWS_REGION": "us-west-2"})
    assert (s.target, s.region, s.region_source) == ("moto", "eu-north-1", "ini infra_region")
    s = build_settings({"infra_region": "ap-south-1"}.get, {"infra_region": "eu-north-1"}.get, tmp_path, env={})
    assert (s.region, s.region_source) == ("ap-south-1", "option")
    s = build_settings({}.get, {}.get, tmp_path, env={"AWS_DEFAULT_REGION": "ca-central-1"})
    assert (s.region, s.region_source) == ("ca-central-1", "environment AWS_DEFAULT_REGION")
    s = build_settings({}.get, {}.get, tmp_path, env={"INFRA_PARITY_TARGET": "localstack",
                                                      "LOCALSTACK_ENDPOINT": "http://127.0.0.1:4599/"})
    assert (s.target, s.endpoint) == ("localstack", "http://127.0.0.1:4599")


def test_settings_lists_merge_options_and_ini(tmp_path: Path) -> None:
    (tmp_path / "designs").mkdir()
    s = build_settings({"infra_allowed_account": ["111122223333"], "infra_design_path": ["designs"]}.get,
                       {"infra_allowed_account": ["444455556666", "111122223333"]}.get, tmp_path, env={})
    assert s.allowed_accounts == ("111122223333", "444455556666")
    assert s.design_paths == ((tmp_path / "designs").resolve(),)


def test_settings_errors_name_the_option(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--infra-localstack must be one of existing, start"):
        build_settings({"infra_localstack": "later"}.get, {}.get, tmp_path, env={})


def test_builtin_targets_are_one_table() -> None:
    assert sorted(BUILTIN) == ["aws", "localstack", "moto"]
    settings = build_settings({"infra_target": "nope"}.get, {}.get, Path("/"), env={})
    assert make_builtin_target(settings) is None


def test_settings_fallback_from_option_ini_or_environment(tmp_path: Path) -> None:
    assert build_settings({}.get, {}.get, tmp_path, env={}).fallback is None
    assert build_settings({}.get, {}.get, tmp_path, env={"INFRA_PARITY_FALLBACK": "moto"}).fallback == "moto"
    assert build_settings({}.get, {"infra_fallback": "moto"}.get, tmp_path, env={}).fallback == "moto"
    none = build_settings({"infra_fallback": "none"}.get, {"infra_fallback": "moto"}.get, tmp_path, env={})
    assert none.fallback is None
    with pytest.raises(ConfigError, match="--infra-fallback must be one of moto, none, got 'localstack'"):
        build_settings({"infra_fallback": "localstack"}.get, {}.get, tmp_path, env={})


def test_the_localstack_target_carries_the_fallback(tmp_path: Path) -> None:
    settings = build_settings({"infra_target": "localstack", "infra_fallback": "moto"}.get, {}.get, tmp_path, env={})
    target = make_builtin_target(settings)
    assert target is not None and getattr(target, "fallback", None) == "moto"


def test_the_shipped_constraints_file_is_the_measured_one() -> None:
    from pytest_infra_parity.targets.localstack_paths import CONSTRAINTS

    repo_copy = Path(__file__).resolve().parents[2] / "localstack" / CONSTRAINTS.name.replace("localstack-", "")
    pins = CONSTRAINTS.read_text().splitlines()
    assert repo_copy.read_text().splitlines() == pins
    assert "cbor2==5.9.0" in pins and not any(p.startswith("localstack-core") for p in pins)
