"""CloudWatch alarms and log groups, and the alarms Application Auto Scaling creates.

Alarms (CloudWatch pricing): a standard-resolution alarm is billed per alarm metric a month, an alarm on
a metric math expression once per metric it reads; periods under 60 s are high-resolution alarms (not in
the catalog). A target tracking scaling policy makes Application Auto Scaling create and manage two
CloudWatch alarms, AlarmHigh and AlarmLow (Application Auto Scaling User Guide, "Target tracking scaling
policies"), billed like any alarm.

Logs: ingestion per GB, storage per GB-month; the stored volume at steady state is a month's ingestion
times the retention in months (uncompressed size: CloudWatch bills the compressed size, so this errs
high); logs kept forever are counted as twelve months' worth.
"""

from __future__ import annotations

from pytest_infra_parity.cost.context import PricingContext, number
from pytest_infra_parity.cost.kinds import pricer
from pytest_infra_parity.cost.usage import DAYS_PER_MONTH
from pytest_infra_parity.inventory.model import Resource, is_unknown

NEVER_EXPIRE_MONTHS = 12.0


def alarm_metrics(ctx: PricingContext, resource: Resource) -> int:
    """Alarm metrics of an alarm: the metrics a math alarm reads, else 1."""
    entries = ctx.setting(resource, "metrics")
    if isinstance(entries, list) and entries:
        return max(1, sum(1 for entry in entries if isinstance(entry, dict) and entry.get("metric")))
    return 1


@pricer("alarm")
def alarm(ctx: PricingContext, resource: Resource) -> None:
    period = number(ctx.setting(resource, "period"))
    entries = ctx.setting(resource, "metrics")
    if isinstance(entries, list):
        periods = [number(ctx.prop(resource, "Metrics", i, "MetricStat", "Period")) for i in range(len(entries))]
        period = min((p for p in periods if p), default=period)
    if period is not None and period < 60:
        ctx.unpriced(resource, "high-resolution alarm", "alarms with periods under 60 s are not in the catalog")
        return
    count = alarm_metrics(ctx, resource)
    ctx.charge(resource, "cw-alarm-metric-month", float(count),
               f"{count} alarm metric{'s' if count > 1 else ''} (standard resolution)")


@pricer("AWS::ApplicationAutoScaling::ScalingPolicy", "scaling policy")
def scaling_policy(ctx: PricingContext, resource: Resource) -> None:
    if ctx.prop(resource, "PolicyType") == "TargetTrackingScaling":
        ctx.charge(resource, "cw-alarm-metric-month", 2.0,
                   "2 alarms Application Auto Scaling creates for target tracking (AlarmHigh, AlarmLow)")
        return
    ctx.no_charge(resource, "step scaling policies have no charge (their alarms are resources of their own)")


def log_sinks(ctx: PricingContext) -> list[Resource]:
    """Where logs land: the log groups, and the functions without one (Lambda's implicit /aws/lambda/<name>)."""
    implicit = [f for f in ctx.of_kind("function") if f.observability.log_group is None]
    return [*ctx.of_kind("log group"), *implicit]


def ingested_gb(ctx: PricingContext, resource: Resource) -> float:
    """GB a month a log group (or a function's implicit group) ingests: its own figure, else a share."""
    use = ctx.use(resource)
    own = use.ingested_gb_per_month if use.ingested_gb_per_month is not None else use.log_gb_per_month
    if own is not None:
        return own
    if ctx.usage.log_gb_per_month is None:
        ctx.assume(f"{resource.name}: no log volume given (usage.log_gb_per_month): 0 GB ingested")
        return 0.0
    sinks = len(log_sinks(ctx)) or 1
    if sinks > 1:
        ctx.assume(f"usage.log_gb_per_month split evenly across the {sinks} log groups (implicit Lambda ones included)")
    return ctx.usage.log_gb_per_month / sinks


def charge_logs(ctx: PricingContext, resource: Resource, retention: object) -> None:
    """Ingestion and steady-state storage of one log group."""
    ingested = ingested_gb(ctx, resource)
    ctx.charge(resource, "cw-logs-ingestion-gb", ingested, f"{ingested:g} GB ingested")
    if retention is None or is_unknown(retention):
        months, how = NEVER_EXPIRE_MONTHS, "never expire: 12 months' worth kept"
    else:
        days = float(str(retention))
        months, how = days / DAYS_PER_MONTH, f"{days:g} days retention"
    ctx.charge(resource, "cw-logs-storage-gb-month", ingested * months,
               f"{ingested:g} GB x {months:.3f} months ({how})")


@pricer("log group")
def log_group(ctx: PricingContext, resource: Resource) -> None:
    charge_logs(ctx, resource, resource.observability.log_retention_days)
