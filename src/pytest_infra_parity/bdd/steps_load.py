"""Steps for real traffic: Locust runs, latency and failure budgets, faults, canaries under load.

Sentences (numbers accept decimals):

- ``Given local stand-ins serve "PostgreSQL" and "Redis"`` (the stack's functions reach local servers)
- ``Given the local database "<db>" is loaded with "<sql file>"``
- ``Given the load invokes the function "<function>" through "<alias>"`` (for stacks without an HTTP API)
- ``When Locust runs "<locustfile>" with <users> users for <seconds> seconds``
- ``Then the p95 latency is below <ms> ms`` (also p50, p90, p99)
- ``Then fewer than <p>% of requests fail`` / ``Then at least <n> requests per second are served``
- ``When version <v> is rolled out with "<deployment config>" under Locust load while it fails <p>% of
  requests`` (then ``Then the deployment is rolled back within <m> minutes`` / ``Then the deployment
  succeeds`` of the canary steps)
- ``When "<dependency>" is unavailable``
- ``Then no request waited for a cold start longer than <ms> ms``
- ``Then the API answered <status> to at least <p>% of requests`` / ``... to no request``
- ``Then the target's CloudWatch has at least <n> "<metric>" for the function "<function>"``
- ``Then every invocation of "<control>" was teed to "<candidate>"``
- ``Then "<function>" logged "<tag>" for <a>% to <b>% of its invocations``

On a target without Lambda execution (moto, LocalStack) the functions run in the plugin's local
runtime behind its local HTTP API; on ``aws`` Locust targets the stack's real endpoint.

For the run's report, the Locust step records the ``load`` section (percentiles over time, per-endpoint
statistics, the gateway's statuses, the runtime's invocations) and each checking step adds its check to
it before deciding; the rollout under load records the ``canary`` section and the Locust run behind it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

import pytest
from pytest_bdd import given, parsers, then, when

from pytest_infra_parity.fixtures.load import record_load

if TYPE_CHECKING:
    from pytest_infra_parity.deploy.stack import Stack
    from pytest_infra_parity.fixtures.sim import SimScenario
    from pytest_infra_parity.load.results import LoadResults
    from pytest_infra_parity.load.scenario import LoadScenario
    from pytest_infra_parity.sim.canary_controller import CanaryController
    from pytest_infra_parity.targets.protocol import Target

def _check(request: pytest.FixtureRequest, infra_load: LoadScenario, what: str, measured: str, criterion: str,
           passed: bool) -> None:
    """Add a step's check to the scenario's ``load`` section (before the step decides)."""
    from pytest_infra_parity.report.from_load import Check

    record_load(request, infra_load, check=Check(what, measured, criterion, passed))


def _fail(message: str) -> NoReturn:
    __tracebackhide__ = True
    pytest.fail(message, pytrace=False)


def _guard(action: Callable[[], Any]) -> Any:
    """Run ``action``; a user-facing error becomes a readable failure."""
    from pytest_infra_parity.errors import InfraParityError

    try:
        return action()
    except InfraParityError as exc:
        message = exc.describe()
    _fail(f"infra-parity: {message}")


def _skip_without_locust() -> None:
    from pytest_infra_parity.load.locust_run import locust_missing

    missing = locust_missing()
    if missing:
        pytest.skip(missing)


@given(parsers.re(r'local stand-ins serve (?P<names>"[^"]+"(?:(?:,| and) "[^"]+")*)'))
def standins_serve(names: str, infra_load: LoadScenario) -> None:
    """Start local PostgreSQL/Redis servers and point the stack's functions at them."""
    if infra_load.serving is None:
        pytest.skip("stand-ins replace resources of an emulated target; this target has the real ones")
    chosen = re.findall(r'"([^"]+)"', names)
    from pytest_infra_parity.runtime.standin_pg import postgres_missing

    missing = postgres_missing()
    if missing and any(n.lower() in ("postgresql", "postgres", "database", "rds") for n in chosen):
        pytest.skip(f"no PostgreSQL stand-in: {missing}")
    stack = infra_load.stack()
    serving = infra_load.serving
    _guard(lambda: serving.use_standins(stack, chosen))
    infra_load.notes.append(f"local stand-ins: {', '.join(chosen)}")


@given(parsers.re(r'the local database "(?P<database>[^"]+)" is loaded with "(?P<sql>[^"]+)"'))
def database_loaded(database: str, sql: str, infra_load: LoadScenario, pytestconfig: pytest.Config) -> None:
    """Run a SQL file in a database of the PostgreSQL stand-in."""
    from pathlib import Path

    serving = infra_load.serving
    if serving is None or serving.standins.postgres is None:
        _fail('infra-parity: no PostgreSQL stand-in: write Given local stand-ins serve "PostgreSQL" first')
    root = Path(str(pytestconfig.rootpath))
    path = next((p for p in (root / sql, root / "loadtests" / sql) if p.is_file()), None)
    if path is None:
        _fail(f"infra-parity: no SQL file {sql!r} (looked in {root} and {root / 'loadtests'})")
    postgres = serving.standins.postgres
    _guard(lambda: postgres.sql(path.read_text(), database))


@given(parsers.re(r'the load invokes the function "(?P<function>[^"]+)" through "(?P<alias>[^"]+)"'))
def load_invokes(function: str, alias: str, infra_load: LoadScenario) -> None:
    """Locust's Invoke profile calls ``function:alias`` (designs without an API in front of the function)."""
    infra_load.invoke_target = (_guard(lambda: infra_load.function_name(function)), alias)


def _host(infra_load: LoadScenario) -> tuple[str, dict[str, str]]:
    if infra_load.invoke_target is not None or not infra_load.has_http_api():
        host, env = _guard(infra_load.invoke_host)
        return str(host), dict(env)
    return str(_guard(infra_load.gateway).url), {}


def _statuses(infra_load: LoadScenario) -> Counter[int] | None:
    """The statuses the local gateway answered so far (None when the load does not go through it)."""
    if infra_load.invoke_target is not None or not infra_load.has_http_api():
        return None
    api = _guard(infra_load.gateway).api
    return None if api is None else Counter(api.statuses)


@when(parsers.re(r'Locust runs "(?P<locustfile>[^"]+)" with (?P<users>\d+) users? for '
                 r'(?P<seconds>\d+(?:\.\d+)?) seconds?'), target_fixture="load_results")
def locust_runs(locustfile: str, users: str, seconds: str, infra_load: LoadScenario,
                request: pytest.FixtureRequest) -> LoadResults:
    """Run Locust headless in its own process against the scenario's stack."""
    _skip_without_locust()
    host, env = _host(infra_load)
    before = _statuses(infra_load)
    results: LoadResults = _guard(lambda: infra_load.run_locust(locustfile, int(users), float(seconds), host=host,
                                                                env=env))
    after = _statuses(infra_load)
    record_load(request, infra_load, results=results,
                statuses=None if after is None or before is None else after - before)
    return results


@then(parsers.re(r"the p(?P<pct>50|90|95|99) latency is below (?P<ms>\d+(?:\.\d+)?) ms"))
def latency_below(pct: str, ms: str, load_results: LoadResults, infra_load: LoadScenario,
                  request: pytest.FixtureRequest) -> None:
    """The Locust run's latency percentile (all endpoints) is under ``ms``."""
    value = load_results.total.percentile(int(pct))
    _check(request, infra_load, f"p{pct} latency", f"{value:g} ms", f"below {ms} ms", value < float(ms))
    if value >= float(ms):
        _fail(f"p{pct} latency is {value:g} ms, not below {ms} ms\n{load_results.describe()}")


@then(parsers.re(r"fewer than (?P<percent>\d+(?:\.\d+)?)% of requests fail"))
def fewer_fail(percent: str, load_results: LoadResults, infra_load: LoadScenario,
               request: pytest.FixtureRequest) -> None:
    ratio = load_results.total.failure_ratio
    total = load_results.total
    _check(request, infra_load, "failed requests", f"{total.failures} of {total.requests} ({ratio:.2%})",
           f"fewer than {percent}%", bool(total.requests) and ratio * 100 < float(percent))
    if not load_results.total.requests:
        _fail(f"Locust sent no request\n{load_results.describe()}")
    if ratio * 100 >= float(percent):
        _fail(f"{ratio:.2%} of {load_results.total.requests} requests failed, not fewer than {percent}%\n"
              f"{load_results.describe()}")


@then(parsers.re(r"at least (?P<rps>\d+(?:\.\d+)?) requests per second are served"))
def rps_at_least(rps: str, load_results: LoadResults, infra_load: LoadScenario,
                 request: pytest.FixtureRequest) -> None:
    served = (load_results.total.requests - load_results.total.failures) / max(load_results.seconds, 1e-9)
    _check(request, infra_load, "requests per second", f"{load_results.total.rps:.1f}/s ({served:.1f} successful)",
           f"at least {rps}/s", load_results.total.rps >= float(rps))
    if load_results.total.rps < float(rps):
        _fail(f"{load_results.total.rps:.1f} requests/s ({served:.1f} successful), not at least {rps}\n"
              f"{load_results.describe()}")


@when(parsers.re(r'version (?P<version>\S+) is rolled out with "(?P<config>[^"]+)" under Locust load while it '
                 r'fails (?P<percent>\d+(?:\.\d+)?)% of requests'), target_fixture="canary_outcome")
def rolled_out_under_load(version: str, config: str, percent: str, infra_stack: Stack, infra_target: Target,
                          infra_canary: Callable[..., CanaryController], infra_sim: SimScenario,
                          infra_load: LoadScenario, pytestconfig: pytest.Config, request: pytest.FixtureRequest) -> Any:
    """A CodeDeploy rollout while Locust sends real requests (time-compressed on emulated targets)."""
    _skip_without_locust()
    from pytest_infra_parity.load.canary_run_step import rollout_under_load
    from pytest_infra_parity.report.from_canary import canary_section
    from pytest_infra_parity.report.recorder import record

    kept = len(infra_load.results)
    outcome = _guard(lambda: rollout_under_load(version, config, float(percent) / 100, infra_stack, infra_target,
                                                infra_canary, infra_sim, infra_load, pytestconfig))
    function = infra_canary(infra_stack).binding.function_logical_id
    record(request, canary_section(outcome, float(percent), function=function), key="canary")
    if len(infra_load.results) > kept:
        record_load(request, infra_load, results=infra_load.results[-1])
    return outcome


@given(parsers.re(r'"(?P<dependency>[^"]+)" is unavailable'))
@when(parsers.re(r'"(?P<dependency>[^"]+)" is unavailable'))
def dependency_unavailable(dependency: str, infra_load: LoadScenario) -> None:
    """Point the dependency's endpoint at a closed port (and stop its local stand-in, if one runs)."""
    applied = _guard(lambda: infra_load.faults.unavailable(dependency))
    infra_load.faults.apply()
    shown = "; ".join(f"{fn}: {', '.join(sorted(env))}" for fn, env in applied.items())
    infra_load.notes.append(f"{dependency} made unavailable ({shown})")


@then(parsers.re(r"no request waited for a cold start longer than (?P<ms>\d+(?:\.\d+)?) ms"))
def cold_start_bound(ms: str, infra_load: LoadScenario, request: pytest.FixtureRequest) -> None:
    colds = infra_load.cold_starts()
    worst = max((r.cold_wait_ms for r in colds), default=0.0)
    _check(request, infra_load, "cold start wait", f"longest {worst:.0f} ms over {len(colds)} cold start(s)",
           f"at most {ms} ms", worst <= float(ms))
    if worst > float(ms):
        slow = sorted(colds, key=lambda r: -r.cold_wait_ms)[:5]
        detail = ", ".join(f"{r.function} {r.cold_wait_ms:.0f} ms (init {r.init_ms:.0f} ms)" for r in slow)
        _fail(f"a request waited {worst:.0f} ms for a cold start (limit {ms} ms): {detail}")


@then(parsers.re(r"the API answered (?P<status>\d{3}) to (?:at least (?P<percent>\d+(?:\.\d+)?)% of requests|"
                 r"(?P<none>no request))"))
def api_answered(status: str, infra_load: LoadScenario, request: pytest.FixtureRequest, percent: str | None = None,
                 none: str | None = None) -> None:
    served = _guard(infra_load.gateway)
    if served.api is None:
        pytest.skip("the status counts come from the local gateway")
    from pytest_infra_parity.fixtures.load import LoadEvidence
    from pytest_infra_parity.fixtures.sim import evidence

    # The statuses of this scenario's Locust run; the gateway's own counter spans every scenario it served.
    run = evidence(request, "load", LoadEvidence).statuses
    counts = run if run is not None else served.api.statuses
    total = sum(counts.values())
    share = counts[int(status)] / total if total else 0.0
    wanted = "no request" if none else f"at least {percent}%"
    met = not counts[int(status)] if none else percent is None or share * 100 >= float(percent)
    _check(request, infra_load, f"API answered {status}", f"{counts[int(status)]} of {total} ({share:.2%})", wanted,
           met)
    if none and counts[int(status)]:
        _fail(f"the API answered {status} to {counts[int(status)]} of {total} requests: {dict(counts)}")
    if percent is not None and share * 100 < float(percent):
        _fail(f"the API answered {status} to {share:.2%} of {total} requests, not at least {percent}%: "
              f"{dict(counts)}")


@then(parsers.re(r'the target\'s CloudWatch has at least (?P<count>\d+) "(?P<metric>[^"]+)" for the function '
                 r'"(?P<function>[^"]+)"'))
def cloudwatch_has(count: str, metric: str, function: str, infra_load: LoadScenario, infra_target: Target,
                   request: pytest.FixtureRequest) -> None:
    """Lambda's metric (Sum over the last hour, dimension FunctionName), read back from the target."""
    from pytest_infra_parity.load.readback import lambda_metric_sum

    name = _guard(lambda: infra_load.function_name(function))
    if infra_load.runtime is not None:
        infra_load.runtime.sink.flush()
    total = lambda_metric_sum(infra_target.client("cloudwatch"), metric, name)
    _check(request, infra_load, f"target's CloudWatch {metric} of {name}", f"{total:g}", f"at least {count}",
           total >= float(count))
    if total < float(count):
        _fail(f"the target's CloudWatch has {total:g} {metric} for {name}, not at least {count}")


@then(parsers.re(r'every invocation of "(?P<control>[^"]+)" was teed to "(?P<candidate>[^"]+)"'))
def teed(control: str, candidate: str, infra_load: LoadScenario, request: pytest.FixtureRequest) -> None:
    control_name, candidate_name = infra_load.function_name(control), infra_load.function_name(candidate)
    ran = [r for r in infra_load.records if r.function == control_name and not r.throttled]
    teed_count = sum(1 for r in infra_load.records if r.function == candidate_name)
    _check(request, infra_load, f"{control_name} teed to {candidate_name}", f"{len(ran)} ran, {teed_count} teed",
           "every invocation", bool(ran) and teed_count >= len(ran))
    if not ran or teed_count < len(ran):
        _fail(f"{control_name} ran {len(ran)} times, {candidate_name} {teed_count} times: not every request was "
              "teed")


@then(parsers.re(r'"(?P<function>[^"]+)" logged "(?P<tag>[^"]+)" for (?P<low>\d+(?:\.\d+)?)% to '
                 r'(?P<high>\d+(?:\.\d+)?)% of its invocations'))
def logged_share(function: str, tag: str, low: str, high: str, infra_load: LoadScenario,
                 request: pytest.FixtureRequest) -> None:
    name = _guard(lambda: infra_load.function_name(function))
    ran = [r for r in infra_load.records if r.function == name and not r.throttled]
    tagged = sum(r.log.count(tag) for r in ran)
    share = tagged / len(ran) if ran else 0.0
    infra_load.notes.append(f"{name}: {tag} on {tagged} of {len(ran)} invocations ({share:.1%})")
    _check(request, infra_load, f"{name} logged {tag}", f"{tagged} of {len(ran)} invocations ({share:.1%})",
           f"{low}% to {high}%", float(low) <= share * 100 <= float(high))
    if not float(low) <= share * 100 <= float(high):
        _fail(f"{name} logged {tag} for {share:.2%} of its {len(ran)} invocations, not {low}% to {high}%")
