"""AppConfig, EventBridge rules and Cognito user pools.

AppConfig (AWS Systems Manager pricing, AppConfig): configuration requests via API calls
(StartConfigurationSession, GetLatestConfiguration) and configurations received; applications,
environments, profiles and strategies have no charge of their own, so the requests of a design are
billed on its application. EventBridge (pricing page): scheduled rules and events published by AWS
services are free; custom events published to a bus are billed per event. Cognito (pricing page):
Essentials tier, per monthly active user beyond the free 10,000.
"""

from __future__ import annotations

from pytest_infra_parity.cost.context import PricingContext
from pytest_infra_parity.cost.kinds import pricer
from pytest_infra_parity.cost.usage import DAYS_PER_MONTH
from pytest_infra_parity.inventory.model import Resource


@pricer("appconfig application")
def appconfig_application(ctx: PricingContext, resource: Resource) -> None:
    use = ctx.use(resource)
    applications = ctx.of_kind("appconfig application")
    per_day = use.polls_per_day
    if per_day is None and ctx.usage.appconfig_polls_per_day is not None and resource is applications[0]:
        per_day = ctx.usage.appconfig_polls_per_day
        if len(applications) > 1:
            ctx.assume(f"usage.appconfig_polls_per_day billed on the first AppConfig application, {resource.name}")
    requests = (per_day or 0.0) * DAYS_PER_MONTH
    ctx.charge(resource, "appconfig-request", requests,
               f"{per_day or 0:g} configuration requests/day x {DAYS_PER_MONTH:.4f} days")
    received = use.configurations_received_per_month
    if received is None:
        ctx.assume(f"{resource.name}: no configurations received given (a poll that returns new data): 0")
        received = 0.0
    ctx.charge(resource, "appconfig-configuration-received", received, f"{received:g} configurations received")


@pricer("event rule")
def event_rule(ctx: PricingContext, resource: Resource) -> None:
    if ctx.prop(resource, "ScheduleExpression") or ctx.usage.custom_events_per_month is None:
        ctx.no_charge(resource, "scheduled rules and rules matching AWS service events have no charge "
                                "(EventBridge pricing: AWS service events are free)")
        return
    events = ctx.usage.custom_events_per_month
    ctx.charge(resource, "eventbridge-custom-event", events, f"{events:,.0f} custom events published")


@pricer("user pool")
def user_pool(ctx: PricingContext, resource: Resource) -> None:
    users = ctx.use(resource).monthly_active_users
    if users is None:
        users = ctx.usage.monthly_active_users
    if users is None:
        ctx.assume(f"{resource.name}: no monthly active users given (usage.monthly_active_users): 0")
    ctx.charge(resource, "cognito-essentials-mau", users or 0.0, f"{users or 0:g} monthly active users")
