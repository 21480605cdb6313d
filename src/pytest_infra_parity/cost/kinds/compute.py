"""Lambda functions and ECS services on Fargate.

Lambda (AWS Lambda pricing page): requests, plus duration in GB-seconds (configured memory in GB x
billed seconds) at the x86 or ARM rate of the function's architecture; with provisioned concurrency,
the configured concurrency x memory x every second of the month, and the invocations' duration at the
provisioned-duration rate. X-Ray (AWS X-Ray pricing page) bills the traces of functions with active
tracing; Lambda's default sampling rule records the first request of each second and 5% of the others
(X-Ray Developer Guide, "Sampling rules": reservoir 1/s, fixed rate 5%). A function without a log group
of its own logs to the group Lambda creates, ``/aws/lambda/<name>``, which never expires (Lambda Developer
Guide, "Sending Lambda function logs to CloudWatch Logs").

Fargate (AWS Fargate pricing page): the task's vCPU and GB at the x86 or ARM rate, for every task-hour
(per second, one-minute minimum, from image download to stop); a task with ``AssignPublicIp: ENABLED``
also holds a public IPv4 address while it runs (Amazon VPC pricing, public IPv4 $0.005/h).
"""

from __future__ import annotations

from pytest_infra_parity.cost.context import PricingContext, number
from pytest_infra_parity.cost.kinds import pricer
from pytest_infra_parity.cost.kinds.api_traffic import api_invocations
from pytest_infra_parity.cost.kinds.observability import charge_logs
from pytest_infra_parity.cost.usage import DAYS_PER_MONTH, scale_to_zero_task_hours
from pytest_infra_parity.inventory.model import Resource

SAMPLED_PER_SECOND = 1.0
SAMPLED_FRACTION = 0.05


def invocations(ctx: PricingContext, resource: Resource) -> tuple[float, str]:
    """Invocations a month of a function, with how they were counted: its own figures, else the requests of
    the HTTP APIs integrating it (:mod:`.api_traffic`), else none (an assumption says so)."""
    use = ctx.use(resource)
    if use.invocations_per_month is not None:
        return use.invocations_per_month, f"{use.invocations_per_month:g} invocations/month"
    if use.invocations_per_day is not None:
        count = use.invocations_per_day * DAYS_PER_MONTH
        return count, f"{use.invocations_per_day:g}/day x {DAYS_PER_MONTH:.4f} days"
    if use.per_request is not None and ctx.usage.requests_per_day is not None:
        count = use.per_request * ctx.usage.requests_per_day * DAYS_PER_MONTH
        return count, (f"{use.per_request:g} per request x {ctx.usage.requests_per_day:g} requests/day x "
                       f"{DAYS_PER_MONTH:.4f} days")
    from_apis = api_invocations(ctx, resource)
    if from_apis is not None:
        return from_apis
    ctx.assume(f"{resource.name}: no invocations in the usage profile (cost.resources.{resource.name}."
               "invocations_per_day or per_request) and no HTTP API request reaches it: its requests and "
               "duration are 0")
    return 0.0, "no invocations given"


def _architecture(ctx: PricingContext, resource: Resource) -> str:
    architectures = ctx.setting(resource, "architectures") or ["x86_64"]
    return "arm" if "arm64" in architectures else "x86"


@pricer("function")
def function(ctx: PricingContext, resource: Resource) -> None:
    count, how = invocations(ctx, resource)
    memory_gb = (number(ctx.setting(resource, "memory")) or 128.0) / 1024.0
    use = ctx.use(resource)
    ctx.charge(resource, "lambda-request", count, how)
    duration_ms = use.average_duration_ms if use.average_duration_ms is not None else ctx.usage.average_duration_ms
    if duration_ms is None:
        if count > 0:
            ctx.unpriced(resource, "Lambda duration", "no average duration in the usage profile "
                                                       f"(usage.average_duration_ms or cost.resources.{resource.name}"
                                                       ".average_duration_ms)")
        duration_ms = 0.0
    gb_seconds = count * duration_ms / 1000.0 * memory_gb
    duration_how = f"{count:,.0f} invocations x {duration_ms:g} ms x {memory_gb * 1024:g} MB / 1024"
    concurrency = use.provisioned_concurrency or 0.0
    if concurrency:
        configured = concurrency * memory_gb * ctx.hours * 3600.0
        ctx.charge(resource, "lambda-provisioned-gb-second", configured,
                   f"{concurrency:g} x {memory_gb * 1024:g} MB / 1024 x {ctx.hours:g} h x 3600 s")
        ctx.charge(resource, "lambda-provisioned-duration-gb-second", gb_seconds, duration_how)
        ctx.assume(f"{resource.name}: every invocation is served by provisioned concurrency (x86 rates)")
    else:
        ctx.charge(resource, f"lambda-gb-second-{_architecture(ctx, resource)}", gb_seconds, duration_how)
    _traces(ctx, resource, count)
    if resource.observability.log_group is None:
        charge_logs(ctx, resource, None)


def _traces(ctx: PricingContext, resource: Resource, count: float) -> None:
    tracing = resource.observability.tracing
    if tracing is not True:
        return
    use = ctx.use(resource)
    if use.traces_per_month is not None:
        ctx.charge(resource, "xray-trace-recorded", use.traces_per_month, "traces given in the usage profile")
        return
    seconds = ctx.hours * 3600.0
    reservoir = SAMPLED_PER_SECOND * seconds
    if count <= reservoir:
        traces, how = count, "every invocation sampled (at most 1 request a second on average)"
    else:
        traces = reservoir + SAMPLED_FRACTION * (count - reservoir)
        how = f"1/s x {seconds:,.0f} s + 5% of the other {count - reservoir:,.0f} invocations"
    ctx.assume("X-Ray: Lambda's default sampling rule (first request each second, 5% of the rest), requests "
               "spread evenly over the month")
    ctx.charge(resource, "xray-trace-recorded", traces, how)


def _task_size(ctx: PricingContext, resource: Resource) -> tuple[float, float, str, str] | None:
    """vCPU, GB, architecture and where they come from, for the tasks of a service."""
    task = ctx.linked(resource, "TaskDefinition") or ctx.only("task definition")
    if task is not None:
        cpu, memory = number(ctx.setting(task, "cpu")), number(ctx.setting(task, "memory"))
        if cpu and memory:
            arch = str(ctx.prop(task, "RuntimePlatform", "CpuArchitecture") or "X86_64").upper()
            return cpu / 1024.0, memory / 1024.0, "arm" if arch == "ARM64" else "x86", f"task definition {task.name}"
    usage = ctx.usage
    if usage.task_cpu_vcpu and usage.task_memory_gb:
        ctx.assume(f"{resource.name}: task size from the usage profile (task_cpu_vcpu, task_memory_gb), x86")
        return usage.task_cpu_vcpu, usage.task_memory_gb, "x86", "usage profile"
    return None


def _scalable_minimum(ctx: PricingContext, resource: Resource) -> float | None:
    for target in ctx.of_kind("scalable target"):
        if ctx.setting(target, "service_namespace") == "ecs" and len(ctx.of_kind("scalable target")) == 1:
            return number(ctx.setting(target, "min_capacity"))
        if resource.name in str(ctx.setting(target, "resource_id") or ""):
            return number(ctx.setting(target, "min_capacity"))
    return None


def task_hours(ctx: PricingContext, resource: Resource) -> tuple[float, str]:
    """Task-hours a month of a service: measured or given, else scale-to-zero hours, else desired count."""
    use = ctx.use(resource)
    if use.task_hours_per_month is not None:
        return use.task_hours_per_month, "task-hours given (scaling emulation or usage profile)"
    tasks = use.tasks_while_active or 1.0
    if _scalable_minimum(ctx, resource) == 0:
        derived = scale_to_zero_task_hours(ctx.usage, tasks)
        if derived is not None:
            ctx.assume(f"{resource.name}: scale-to-zero task-hours derived from the design's active hours "
                       "(no emulation measurement given)")
            return derived[0], derived[1]
    desired = number(ctx.setting(resource, "desired_count"))
    desired = 1.0 if desired is None else desired
    return desired * ctx.hours, f"desired count {desired:g} x {ctx.hours:g} h"


@pricer("service")
def service(ctx: PricingContext, resource: Resource) -> None:
    launch = str(ctx.setting(resource, "launch_type") or "FARGATE").upper()
    if launch != "FARGATE":
        ctx.unpriced(resource, f"ECS tasks on {launch}", "only the Fargate launch type is priced")
        return
    size = _task_size(ctx, resource)
    if size is None:
        ctx.unpriced(resource, "Fargate tasks", "task size unknown: no linked task definition with Cpu/Memory")
        return
    vcpu, gb, arch, origin = size
    hours, how = task_hours(ctx, resource)
    ctx.charge(resource, f"fargate-vcpu-hour-{arch}", vcpu * hours, f"{vcpu:g} vCPU x {how} ({origin})")
    ctx.charge(resource, f"fargate-gb-hour-{arch}", gb * hours, f"{gb:g} GB x {how}")
    storage = number(ctx.prop(ctx.linked(resource, "TaskDefinition") or resource, "EphemeralStorage", "SizeInGiB"))
    if storage and storage > 20:
        ctx.charge(resource, "fargate-storage-gb-hour", (storage - 20) * hours, f"({storage:g} - 20) GB x {how}")
    public = ctx.prop(resource, "NetworkConfiguration", "AwsvpcConfiguration", "AssignPublicIp")
    if public == "ENABLED":
        ctx.charge(resource, "public-ipv4-hour", hours, f"one public IPv4 address per running task: {how}")
    elif public is None:
        ctx.assume(f"{resource.name}: tasks have no public IPv4 address (AssignPublicIp not known)")
