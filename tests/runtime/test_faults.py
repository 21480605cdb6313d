"""Fault plans: environment variable round trip, dependency redirection, the wrapper's seeded draws."""

from __future__ import annotations

import json
import os
import socket
import types
from pathlib import Path

import pytest

from pytest_infra_parity.chaos import faults_wrapper
from pytest_infra_parity.chaos.faults import FaultPlan, dependency_env, plan_from_env
from pytest_infra_parity.errors import ConfigError


def test_plan_round_trips_through_the_environment_variable() -> None:
    plan = FaultPlan(seed=3)
    plan.set("fn", "2", error_rate=0.05)
    plan.set("fn", latency_ms=20, timeout=True)
    again = plan_from_env(plan.to_env())
    assert again.seed == 3 and again.specs == plan.specs
    assert json.loads(plan.to_env())["faults"]["fn:2"] == {"error_rate": 0.05}
    assert FaultPlan().to_env() == ""
    with pytest.raises(ConfigError, match="INFRA_PARITY_FAULTS must be JSON"):
        plan_from_env("{not json")


def test_dependency_variables_are_pointed_at_a_refusing_port() -> None:
    env = {"REDIS_HOST": "x.cache.amazonaws.com", "REDIS_PORT": "6379", "DB_NAME": "lego",
           "DATABASE_URL": "postgresql://u:p@db.internal:5432/app?sslmode=require", "DB_PROXY_ENDPOINT": "proxy"}
    plan = FaultPlan()
    redis = plan.make_unavailable("Redis", env, "fn")
    port = int(redis["REDIS_PORT"])
    assert redis == {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(port)}
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1)
    database = dependency_env("PostgreSQL", env, 9)
    assert database == {"DATABASE_URL": "postgresql://u:p@127.0.0.1:9/app?sslmode=require",
                        "DB_PROXY_ENDPOINT": "127.0.0.1"}
    with pytest.raises(ConfigError, match="no environment variable locates 'Kafka'"):
        dependency_env("Kafka", env, 9)
    plan.close()


def test_wrapper_selects_the_most_specific_fault_and_draws_from_the_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    config = {"seed": 5, "faults": {"fn:2": {"error_rate": 1.0}, "fn": {"env": {"DEP": "down"}}, "*": {}}}
    monkeypatch.setenv(faults_wrapper.FAULTS_ENV, json.dumps(config))
    monkeypatch.setenv("DEP", "up")
    seen: list[str] = []
    wrapped = faults_wrapper.wrap(lambda event, context: seen.append(os.environ["DEP"]) or "ok")
    v1 = types.SimpleNamespace(function_name="fn", function_version="1", aws_request_id="r1")
    v2 = types.SimpleNamespace(function_name="fn", function_version="2", aws_request_id="r1")
    assert wrapped({}, v1) == "ok" and seen == ["down"] and os.environ["DEP"] == "up"
    with pytest.raises(faults_wrapper.InjectedFault):
        wrapped({}, v2)
    draws = [faults_wrapper.draw(5, "fn:2", f"r{i}") for i in range(1000)]
    assert draws == [faults_wrapper.draw(5, "fn:2", f"r{i}") for i in range(1000)]
    assert 0.45 < sum(d < 0.5 for d in draws) / 1000 < 0.55


def test_wrapper_handler_loads_the_real_handler(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "real_fn.py").write_text("def go(event, context):\n    return {'got': event}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv(faults_wrapper.HANDLER_ENV, "real_fn.go")
    monkeypatch.delenv(faults_wrapper.FAULTS_ENV, raising=False)
    assert faults_wrapper.handler([1], None) == {"got": [1]}
