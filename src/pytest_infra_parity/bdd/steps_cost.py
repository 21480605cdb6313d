"""Steps of the cost room: price a design with its usage profile and check it against a budget.

The *subject* of a cost scenario is the design a ``Given`` step named (its template, priced offline: no
target needed), else the stack the scenario deployed (``Given the "<design>" design is deployed``, priced
as deployed). Usage comes from the design's ``usage`` and ``cost`` sections, overridden by the steps;
task-hours of a scale-to-zero service come from the scaling emulation when a step runs it. A failing
``Then`` prints the whole breakdown: lines, per service, what could not be priced, the assumptions.

Other step modules can feed measured task-hours with :func:`record_task_hours`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from pytest_bdd import given, parsers, then, when

from pytest_infra_parity.errors import InfraParityError

if TYPE_CHECKING:
    from pytest_infra_parity.cost.model import Estimate
    from pytest_infra_parity.cost_live import PricedSource

AMOUNT = r"(?P<amount>\d[\d,]*(?:\.\d+)?) (?P<currency>[A-Za-z]{3}|€|\$)"


@dataclass
class CostScenario:
    """What the steps of one scenario set; priced when a ``Then`` step asks."""

    priced: PricedSource | None = None
    design: str | None = None
    """The design a ``Given`` step named (declared again if the region changes)."""
    usage: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, dict[str, float]] = field(default_factory=dict)
    region: str | None = None
    free_tier: bool | None = None
    notes: list[str] = field(default_factory=list)
    estimate: Estimate | None = None


@pytest.fixture
def infra_cost_scenario() -> CostScenario:
    """The cost settings the steps of a scenario accumulate."""
    return CostScenario()


def record_task_hours(scenario: CostScenario, service: str, hours: float, how: str) -> None:
    """Bill ``service`` for ``hours`` task-hours a month (what a scaling measurement produced)."""
    scenario.resources.setdefault(service, {})["task_hours_per_month"] = hours
    scenario.notes.append(f"{service}: {hours:.2f} task-hours a month, {how}")
    scenario.estimate = None


def _guard(action: Any) -> Any:
    __tracebackhide__ = True
    try:
        return action()
    except InfraParityError as exc:
        problem = exc.describe()
    except ValueError as exc:
        problem = str(exc)
    pytest.fail(f"infra-parity: {problem}", pytrace=False)


NOTHING_TO_PRICE = ('nothing to price: this scenario has no Given step naming what to price; add Given the '
                    '"<design>" design with its usage profile (priced offline) or Given the "<design>" design is '
                    'deployed (priced as deployed) before this Then step')


def _deployed_stack(request: pytest.FixtureRequest) -> Any:
    """The stack the scenario's deploy step put in ``infra_stack``, None when no step deployed one."""
    # the caller fails outside this except clause: a pytest.fail inside it would print the lookup error first
    try:
        return request.getfixturevalue("infra_stack")
    except pytest.FixtureLookupError:
        return None


def _subject(scenario: CostScenario, request: pytest.FixtureRequest) -> PricedSource:
    if scenario.priced is None:
        stack = _deployed_stack(request)
        if stack is None:
            pytest.fail(NOTHING_TO_PRICE, pytrace=False)
        from pytest_infra_parity.cost_live import stack_priced
        from pytest_infra_parity.session_plugin import RUNTIME_KEY

        runtime = request.config.stash[RUNTIME_KEY]
        scenario.priced = _guard(lambda: stack_priced(stack, runtime.settings.design_paths, request.config.rootpath))
    assert scenario.priced is not None
    return scenario.priced


def compute(scenario: CostScenario, request: pytest.FixtureRequest) -> Estimate:
    """The scenario's estimate (computed once, again after a step changes the scenario)."""
    if scenario.estimate is not None:
        return scenario.estimate
    from pytest_infra_parity.fixtures.cost import price, record_cost, usage_of

    priced = _subject(scenario, request)
    overrides: dict[str, Any] = {**scenario.usage, "resources": scenario.resources}
    profile, settings = _guard(lambda: usage_of(priced, overrides, request.config.rootpath))
    result: Estimate = _guard(lambda: price(request.config, priced, profile, settings,
                                             target=lambda: request.getfixturevalue("infra_target"),
                                             region=scenario.region, free_tier=scenario.free_tier))
    for note in scenario.notes:
        result.assume(note)
    scenario.estimate = result
    record_cost(request.config, result, settings)  # the scenario's cost evidence, before a Then step checks it
    return result


# ---- what is priced -------------------------------------------------------------------------------


@given(parsers.parse('the "{design}" design with its usage profile'))
def design_with_usage(design: str, infra_cost_scenario: CostScenario, request: pytest.FixtureRequest) -> None:
    """The design's template, priced offline with the design's ``usage``, ``cost`` and ``budget``."""
    from pytest_infra_parity.cost_live import open_priced
    from pytest_infra_parity.session_plugin import RUNTIME_KEY

    runtime = request.config.stash[RUNTIME_KEY]

    def load() -> PricedSource:
        from pytest_infra_parity.designs import resolve_design

        found = resolve_design(design, runtime.settings.design_paths, base=request.config.rootpath)
        return open_priced(str(found.folder), base=request.config.rootpath, region=infra_cost_scenario.region,
                           default_region=runtime.settings.region)

    from pytest_infra_parity.report.recorder import note_design

    note_design(request, design)
    infra_cost_scenario.priced = _guard(load)
    infra_cost_scenario.design = design
    infra_cost_scenario.estimate = None


@given(parsers.parse('the prices of the region "{region}"'))
def prices_of_region(region: str, infra_cost_scenario: CostScenario, request: pytest.FixtureRequest) -> None:
    """Price in ``region`` instead of the design's ``cost.region`` (or the session's region)."""
    infra_cost_scenario.region = region.strip()
    infra_cost_scenario.estimate = None
    if infra_cost_scenario.design is not None:  # what the template declares may depend on the region
        design_with_usage(infra_cost_scenario.design, infra_cost_scenario, request)


@given(parsers.re(r"a usage of (?P<count>\d[\d,]*(?:\.\d+)?) requests per day"))
def usage_of_requests(count: str, infra_cost_scenario: CostScenario) -> None:
    """The design's front-door traffic (``usage.requests_per_day``)."""
    infra_cost_scenario.usage["requests_per_day"] = float(count.replace(",", ""))
    infra_cost_scenario.estimate = None


@given(parsers.re(r'the service "(?P<name>[^"]+)" runs (?P<hours>\d[\d,]*(?:\.\d+)?) task-hours a month'))
def service_task_hours(name: str, hours: str, infra_cost_scenario: CostScenario) -> None:
    """Bill an ECS service for that many task-hours (e.g. measured elsewhere)."""
    record_task_hours(infra_cost_scenario, name, float(hours.replace(",", "")), "given by the scenario")


@given("the AWS free tier is applied")
def free_tier_applied(infra_cost_scenario: CostScenario) -> None:
    infra_cost_scenario.free_tier = True
    infra_cost_scenario.estimate = None


# ---- variants ------------------------------------------------------------------------------------


@given("a NAT gateway for the tasks' outbound traffic")
def nat_gateway_variant(infra_cost_scenario: CostScenario, request: pytest.FixtureRequest) -> None:
    """The common private-subnet variant: tasks lose their public IP and reach out through a NAT gateway
    (one ``AWS::EC2::NatGateway`` and its ``AWS::EC2::EIP`` added to what is priced)."""
    from pytest_infra_parity.cost.context import Declaration
    from pytest_infra_parity.inventory.model import Resource

    priced = _subject(infra_cost_scenario, request)
    region = priced.inventory.resources[0].region if priced.inventory.resources else None
    for kind, cfn_type, name in (("nat gateway", "AWS::EC2::NatGateway", "NatGateway"),
                                 ("elastic ip", "AWS::EC2::EIP", "NatGatewayEip")):
        priced.inventory.resources.append(Resource(kind=kind, cfn_type=cfn_type, name=name, source="scenario",
                                                   region=region, location="added by the scenario"))
    for service in priced.inventory.of_kind("service"):
        current = priced.declarations.get(service.name, Declaration())
        props = dict(current.properties)
        network = dict(props.get("NetworkConfiguration") or {})
        awsvpc = dict(network.get("AwsvpcConfiguration") or {})
        network["AwsvpcConfiguration"] = {**awsvpc, "AssignPublicIp": "DISABLED"}
        props["NetworkConfiguration"] = network
        priced.declarations[service.name] = Declaration(props, current.references)
    infra_cost_scenario.notes.append("variant: tasks in private subnets behind one NAT gateway (no task public IP)")
    infra_cost_scenario.estimate = None


@given("the load balancer has no public IPv4 address")
def load_balancer_without_ipv4(infra_cost_scenario: CostScenario, request: pytest.FixtureRequest) -> None:
    """Internet-facing load balancers with ``IpAddressType: dualstack-without-public-ipv4`` (IPv6 clients)."""
    from pytest_infra_parity.cost.context import Declaration

    priced = _subject(infra_cost_scenario, request)
    for balancer in priced.inventory.of_kind("load balancer"):
        current = priced.declarations.get(balancer.name, Declaration())
        props = {**dict(current.properties), "IpAddressType": "dualstack-without-public-ipv4"}
        priced.declarations[balancer.name] = Declaration(props, current.references)
    infra_cost_scenario.notes.append("variant: load balancers dual-stack without public IPv4 (IPv6 clients only)")
    infra_cost_scenario.estimate = None


@when("the scaling emulation runs a day of the design's usage")
def emulate_a_day(infra_cost_scenario: CostScenario, request: pytest.FixtureRequest) -> None:
    """Run the deployed service's control planes on the virtual clock for one day of the design's usage
    (requests for ``active_hours_per_day`` at ``requests_per_active_minute``, then none) and bill the
    task-hours the emulation measured, scaled to a month."""
    from pytest_infra_parity.cost_live import emulated_day

    priced = _subject(infra_cost_scenario, request)
    services = priced.inventory.of_kind("service")
    if len(services) != 1:
        pytest.fail(f"the emulation measures one ECS service; {priced.inventory.source} has {len(services)}",
                    pytrace=False)
    scaling = request.getfixturevalue("infra_scaling")
    usage = priced.design.usage if priced.design is not None else {}
    hours, how = _guard(lambda: emulated_day(scaling.config, usage))
    record_task_hours(infra_cost_scenario, services[0].name, hours, how)


# ---- checks ----------------------------------------------------------------------------------------


def _amount(text: str) -> float:
    return float(text.replace(",", ""))


def _rate(request: pytest.FixtureRequest, currency: str) -> Any:
    from pytest_infra_parity.fixtures.cost import rate_for

    return _guard(lambda: rate_for(request.config, currency))


def _fail(message: str, estimate: Estimate, rate: Any) -> None:
    from pytest_infra_parity.cost.render import table

    pytest.fail(f"{message}\n{table(estimate, rate)}", pytrace=False)


def _complete(estimate: Estimate, rate: Any, what: str) -> None:
    if not estimate.complete:
        _fail(f"cannot tell whether {what}: {len(estimate.unpriced)} item(s) could not be priced", estimate, rate)


@then(parsers.re(rf"the monthly cost is below {AMOUNT}"))
def cost_below(amount: str, currency: str, infra_cost_scenario: CostScenario, request: pytest.FixtureRequest) -> None:
    estimate, rate, limit = compute(infra_cost_scenario, request), _rate(request, currency), _amount(amount)
    _complete(estimate, rate, f"the monthly cost is below {limit:g} {rate.code}")
    if not estimate.total(rate) < limit:
        _fail(f"the monthly cost is {estimate.total(rate):,.2f} {rate.code}, not below {limit:g} {rate.code}",
              estimate, rate)


@then(parsers.re(rf"the monthly cost is above {AMOUNT}"))
def cost_above(amount: str, currency: str, infra_cost_scenario: CostScenario, request: pytest.FixtureRequest) -> None:
    estimate, rate, limit = compute(infra_cost_scenario, request), _rate(request, currency), _amount(amount)
    if not estimate.total(rate) > limit:
        _fail(f"the monthly cost is {estimate.total(rate):,.2f} {rate.code}, not above {limit:g} {rate.code}",
              estimate, rate)


def _service_total(service: str, estimate: Estimate, rate: Any) -> float:
    """The total of the services ``service`` names (name or alias); fails listing them when none does."""
    from pytest_infra_parity.cost.catalog import load_catalog, service_matches

    catalog = load_catalog()
    services = {*(line.service for line in estimate.lines), *(u.service for u in estimate.unpriced if u.service)}
    named = {s for s in services if service_matches(catalog, s, service)}
    if not named:
        known = sorted({*catalog.services, *(line.service for line in estimate.lines)})
        _fail(f"no service {service!r} in the breakdown; services: {', '.join(known)}", estimate, rate)
    # An unpriced item counts against the services it belongs to; one whose service the pricing could not
    # name counts against every service priced for the same kind of resource.
    kinds = {line.kind for line in estimate.lines if line.service in named}
    unpriced = [u for u in estimate.unpriced if u.service in named or (not u.service and u.kind in kinds)]
    if unpriced:
        _fail(f"cannot tell the monthly cost of {service!r}: {len(unpriced)} item(s) unpriced", estimate, rate)
    return float(rate.from_usd(sum(estimate.service_total(s) for s in named)))


@then(parsers.re(rf'the monthly cost of "(?P<service>[^"]+)" is below {AMOUNT}'))
def service_cost_below(service: str, amount: str, currency: str, infra_cost_scenario: CostScenario,
                       request: pytest.FixtureRequest) -> None:
    estimate, rate, limit = compute(infra_cost_scenario, request), _rate(request, currency), _amount(amount)
    total = _service_total(service, estimate, rate)
    if not total < limit:
        _fail(f"the monthly cost of {service!r} is {total:,.2f} {rate.code}, not below {limit:g} {rate.code}",
              estimate, rate)


@then(parsers.re(rf'the monthly cost of "(?P<service>[^"]+)" is above {AMOUNT}'))
def service_cost_above(service: str, amount: str, currency: str, infra_cost_scenario: CostScenario,
                       request: pytest.FixtureRequest) -> None:
    estimate, rate, limit = compute(infra_cost_scenario, request), _rate(request, currency), _amount(amount)
    total = _service_total(service, estimate, rate)
    if not total > limit:
        _fail(f"the monthly cost of {service!r} is {total:,.2f} {rate.code}, not above {limit:g} {rate.code}",
              estimate, rate)


def _budget(scenario: CostScenario, request: pytest.FixtureRequest) -> tuple[Estimate, Any, float]:
    from pytest_infra_parity.cost.design import of_design

    estimate = compute(scenario, request)
    design = scenario.priced.design if scenario.priced is not None else None
    budget = _guard(lambda: of_design(design).budget) if design is not None else None
    if budget is None:
        pytest.fail(f"{estimate.source}: the design has no budget (design.yaml budget: {{amount, currency}})",
                    pytrace=False)
    return estimate, _rate(request, budget.currency), budget.amount


@then("the monthly cost is within the design's budget")
def within_budget(infra_cost_scenario: CostScenario, request: pytest.FixtureRequest) -> None:
    estimate, rate, amount = _budget(infra_cost_scenario, request)
    _complete(estimate, rate, f"the design stays within its budget of {amount:g} {rate.code}")
    if not estimate.total(rate) <= amount:
        _fail(f"the monthly cost is {estimate.total(rate):,.2f} {rate.code}: over the design's budget of "
              f"{amount:g} {rate.code} by {estimate.total(rate) - amount:,.2f}", estimate, rate)


@then("the monthly cost exceeds the design's budget")
def exceeds_budget(infra_cost_scenario: CostScenario, request: pytest.FixtureRequest) -> None:
    estimate, rate, amount = _budget(infra_cost_scenario, request)
    if not estimate.total(rate) > amount:
        _fail(f"the monthly cost is {estimate.total(rate):,.2f} {rate.code}: within the design's budget of "
              f"{amount:g} {rate.code}", estimate, rate)


@then(parsers.parse('the breakdown shows "{text}"'))
def breakdown_shows(text: str, infra_cost_scenario: CostScenario, request: pytest.FixtureRequest) -> None:
    """A charge line (above zero) names ``text``: its resource, kind, service, description or arithmetic."""
    estimate = compute(infra_cost_scenario, request)
    wanted = text.lower()
    if not any(wanted in " ".join((line.resource, line.kind, line.service, line.description, line.detail)).lower()
               and line.usd > 0 for line in estimate.lines):
        _fail(f"no charge for {text!r} in the breakdown", estimate, estimate.rate)
