"""The local Lambda runtime: workers, concurrency, timeouts, errors, environment, aliases, metrics."""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def test_cold_start_is_measured_then_the_worker_is_reused(runtime: Any) -> None:
    first = runtime.invoke("rt-plain", {})
    second = runtime.invoke("rt-plain", {})
    assert first.status == second.status == 200
    assert first.record.cold and first.record.cold_wait_ms > 0 and first.record.init_ms > 0
    assert not second.record.cold and second.record.cold_wait_ms == 0
    assert (first.json()["calls"], second.json()["calls"]) == (1, 2)  # the same process: module state survives
    assert "Init Duration" in first.log and "Init Duration" not in second.log


def test_idle_workers_are_reaped(runtime: Any) -> None:
    runtime.invoke("rt-plain", {})
    assert runtime.pool.idle_count() == 1
    assert runtime.pool.reap(time.monotonic() + runtime.pool.idle_seconds + 1) == 1
    again = runtime.invoke("rt-plain", {})
    assert again.record.cold and again.json()["calls"] == 1


def test_reserved_concurrency_throttles_the_excess(runtime: Any) -> None:
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: runtime.invoke("rt-plain", {"sleep": 0.3}), range(6)))
    throttled = [r for r in results if r.status == 429]
    assert len(throttled) == 4 and sum(r.status == 200 for r in results) == 2
    assert throttled[0].json() == {"Reason": "ReservedFunctionConcurrentInvocationLimitExceeded", "Type": "User",
                                   "message": "Rate Exceeded."}
    assert throttled[0].error_code == "TooManyRequestsException" and throttled[0].record.throttled


def test_timeout_kills_the_worker_and_answers_as_lambda(runtime: Any) -> None:
    result = runtime.invoke("rt-plain", {"sleep": 3})
    body = result.json()
    assert result.function_error == "Unhandled"
    assert body["errorType"] == "Sandbox.Timedout"
    assert body["errorMessage"] == f"RequestId: {result.record.request_id} Error: Task timed out after 1.00 seconds"
    assert "Task timed out after 1.00 seconds" in result.log
    assert runtime.invoke("rt-plain", {}).record.cold  # the timed-out environment was not reused


def test_handler_errors_have_lambdas_shape(runtime: Any) -> None:
    result = runtime.invoke("rt-plain", {"fail": 7})
    body = result.json()
    assert result.status == 200 and result.function_error == "Unhandled"
    assert body["errorType"] == "ValueError" and body["errorMessage"] == "boom 7"
    assert body["requestId"] == result.record.request_id
    assert any("app.py" in frame and "raise ValueError" in frame for frame in body["stackTrace"])
    assert not any("bootstrap" in frame or "faults_wrapper" in frame for frame in body["stackTrace"])
    marshal = runtime.invoke("rt-plain", {"unserializable": True}).json()
    assert marshal["errorType"] == "Runtime.MarshalError"


def test_environment_and_context(runtime: Any) -> None:
    body = runtime.invoke("rt-plain", {}).json()
    assert body["greeting"] == "hello" and body["region"] == "us-east-1" and body["version"] == "$LATEST"
    assert 0 < body["remaining"] <= 1000
    runtime.set_env_overrides({"rt-plain": {"REDIS_HOST": "localhost"}})
    assert runtime.invoke("rt-plain", {}).json()["redis"] == "localhost"


def test_alias_weights_route_to_versions(runtime: Any) -> None:
    versions = [runtime.invoke("rt-alias", {}, "live").executed_version for _ in range(200)]
    share = versions.count("2") / len(versions)
    assert set(versions) == {"1", "2"} and 0.2 < share < 0.4
    runtime.set_routing("rt-alias", "live", "2", {})
    assert {runtime.invoke("rt-alias:live", {}).executed_version for _ in range(5)} == {"2"}


def test_metrics_are_published_in_batches_and_read_back(runtime: Any, clients: Any) -> None:
    seen: list[Any] = []
    runtime.add_listener(seen.append)
    for _ in range(5):
        runtime.invoke("rt-alias", {}, "live")
    runtime.invoke("rt-alias", {"fail": 1}, "live")
    calls_before = runtime.sink.calls
    runtime.sink.flush()
    assert runtime.sink.calls - calls_before == 1  # one PutMetricData for every datum of the batch
    assert len(seen) == 6 and seen[-1].failed
    now = dt.datetime.now(dt.UTC)

    def total(metric: str, dims: list[dict[str, str]]) -> float:
        got = clients("cloudwatch").get_metric_statistics(
            Namespace="AWS/Lambda", MetricName=metric, Dimensions=dims, StartTime=now - dt.timedelta(minutes=5),
            EndTime=now + dt.timedelta(minutes=1), Period=60, Statistics=["Sum"])
        return sum(p["Sum"] for p in got["Datapoints"])

    resource = [{"Name": "FunctionName", "Value": "rt-alias"}, {"Name": "Resource", "Value": "rt-alias:live"}]
    assert total("Invocations", resource) >= 6 and total("Errors", resource) >= 1
    mine = [r for r in seen if r.via_alias]
    by_version = {v: total("Invocations", [*resource, {"Name": "ExecutedVersion", "Value": v}]) for v in "12"}
    # moto: GetMetricStatistics matches every datum whose dimensions include the query's (CloudWatch matches the
    # exact set), so the version counts are compared with this test's own invocations as lower bounds.
    for version in "12":
        assert by_version[version] >= sum(1 for r in mine if r.executed_version == version)


def test_faults_fail_the_selected_version_deterministically(runtime: Any) -> None:
    runtime.faults.set("rt-alias", "2", error_rate=0.5)
    runtime.set_routing("rt-alias", "live", "2", {})
    first = [runtime.invoke("rt-alias", {}, "live").function_error for _ in range(40)]
    assert 8 < first.count("Unhandled") < 32
    runtime.set_routing("rt-alias", "live", "1", {})
    assert all(runtime.invoke("rt-alias", {}, "live").function_error is None for _ in range(10))


def test_the_same_seed_fails_the_same_requests(clients: Any, lambdas: Any, code_dir: Any, moto_endpoint: str) -> None:
    from pytest_infra_parity.runtime.lambda_runtime import LambdaRuntime

    outcomes = []
    for _ in range(2):
        rt = LambdaRuntime(clients, region="us-east-1", endpoint_url=moto_endpoint, seed=11, publish_metrics=False)
        rt.code.register("rt-plain", code_dir)
        rt.faults.set("rt-plain", error_rate=0.3, latency_ms=1)
        outcomes.append([rt.invoke("rt-plain", {}).function_error for _ in range(20)])
        rt.close()
    assert outcomes[0] == outcomes[1] and "Unhandled" in outcomes[0] and None in outcomes[0]
