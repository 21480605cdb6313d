"""The model's helpers: effective tags, UNKNOWN, alarm questions, kinds."""

from __future__ import annotations

import pickle

import pytest

from pytest_infra_parity.inventory.model import (
    UNKNOWN,
    UNTAGGABLE_KINDS,
    AlarmRef,
    Observability,
    effective_tags,
    is_internal_tag,
    kind_of,
    kind_of_word,
)


@pytest.mark.parametrize("raw", [
    [{"Key": "Project", "Value": "pe"}, {"Key": "aws:cloudformation:stack-name", "Value": "s"}],
    {"Project": "pe", "infra-parity:run": "r1"},
    [{"key": "Project", "value": "pe"}, {"key": "infra-parity:stack", "value": "s"}],
])
def test_effective_tags_read_every_shape_and_drop_internal_tags(raw: object) -> None:
    assert effective_tags(raw) == {"Project": "pe"}


def test_effective_tags_keep_unknown_values_and_maps() -> None:
    assert effective_tags(UNKNOWN) is UNKNOWN
    assert effective_tags({"Env": UNKNOWN, "Port": 80, "On": True}) == {"Env": UNKNOWN, "Port": "80", "On": "true"}
    assert effective_tags(None) == {}
    with pytest.raises(TypeError, match="mapping or a list"):
        effective_tags("Project=pe")


def test_internal_tags() -> None:
    assert is_internal_tag("aws:cloudformation:logical-id")
    assert is_internal_tag("infra-parity:run")
    assert not is_internal_tag("Project")


def test_unknown_has_no_truth_value_and_survives_pickling() -> None:
    with pytest.raises(TypeError, match="is UNKNOWN"):
        bool(UNKNOWN)
    assert pickle.loads(pickle.dumps(UNKNOWN)) is UNKNOWN


def test_has_alarm_on_is_true_unknown_or_false() -> None:
    watched = Observability(alarms=[AlarmRef("a", "Errors", "AWS/Lambda")])
    assert watched.has_alarm_on("errors") is True
    maybe = Observability(possible_alarms=[AlarmRef("b", "5xx", "AWS/ApiGateway")])
    assert maybe.has_alarm_on("5xx") is UNKNOWN
    assert maybe.has_alarm_on("Errors") is False


def test_kinds() -> None:
    assert kind_of("AWS::SQS::Queue") == "queue"
    assert kind_of("AWS::Foo::Bar") == "other"
    assert kind_of_word("Lambda functions") == "function"
    assert "alias" in UNTAGGABLE_KINDS  # AWS::Lambda::Alias has no Tags property
