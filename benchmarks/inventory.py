"""Time a tag-selected live inventory of 1,000 resources on the embedded moto target.

Creates, directly through boto3 on a moto server, 1,000 resources tagged ``Project=bench`` (buckets,
queues half of which redrive to a DLQ, tables, topics, log groups, functions with a tiny zip, alarms
on the functions' errors), plus 50 resources tagged for another project, then times
``collect(..., selection=Selection.of_tags({"Project": "bench"}))``: the tagging API, every reader,
and the linking. The issue's target is under 10 s.
Run: ``python benchmarks/inventory.py [count [threads]]`` (defaults: 1000 resources, 16 threads).
"""

from __future__ import annotations

import io
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pytest_infra_parity.inventory.live import Selection, collect
from pytest_infra_parity.targets.moto import MotoTarget

TARGET_SECONDS = 10.0
ACCOUNT = "222233334444"
REGION = "us-east-1"
KINDS = ("bucket", "queue", "table", "topic", "log group", "function", "alarm")


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return {}\n")
    return buffer.getvalue()


Creator = Callable[[str, dict[str, str]], None]


def creators(client: Callable[[str], Any], role_arn: str, code: bytes) -> dict[str, Creator]:
    """One function per kind: create the resource named ``name`` with ``tags``."""

    def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
        return [{"Key": k, "Value": v} for k, v in tags.items()]

    def bucket(name: str, tags: dict[str, str]) -> None:
        client("s3").create_bucket(Bucket=name)
        client("s3").put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_list(tags)})

    def queue(name: str, tags: dict[str, str]) -> None:
        dlq = client("sqs").create_queue(QueueName=f"{name}-dlq", tags=tags)["QueueUrl"]
        arn = client("sqs").get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        client("sqs").create_queue(QueueName=name, tags=tags, Attributes={
            "RedrivePolicy": f'{{"deadLetterTargetArn": "{arn}", "maxReceiveCount": "3"}}'})

    def table(name: str, tags: dict[str, str]) -> None:
        client("dynamodb").create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST", Tags=tag_list(tags),
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])

    def topic(name: str, tags: dict[str, str]) -> None:
        client("sns").create_topic(Name=name, Tags=tag_list(tags))

    def log_group(name: str, tags: dict[str, str]) -> None:
        client("logs").create_log_group(logGroupName=f"/bench/{name}", tags=tags)
        client("logs").put_retention_policy(logGroupName=f"/bench/{name}", retentionInDays=14)

    def function(name: str, tags: dict[str, str]) -> None:
        client("lambda").create_function(FunctionName=name, Runtime="python3.12", Role=role_arn, Handler="app.handler",
                                         Code={"ZipFile": code}, Tags=tags)

    def alarm(name: str, tags: dict[str, str]) -> None:
        client("cloudwatch").put_metric_alarm(
            AlarmName=name, Namespace="AWS/Lambda", MetricName="Errors", Statistic="Sum", Period=60,
            EvaluationPeriods=1, Threshold=0, ComparisonOperator="GreaterThanThreshold", Tags=tag_list(tags),
            Dimensions=[{"Name": "FunctionName", "Value": name.replace("alarm", "function")}])

    return {"bucket": bucket, "queue": queue, "table": table, "topic": topic, "log group": log_group,
            "function": function, "alarm": alarm}


def plan(count: int) -> list[tuple[str, str]]:
    """``(kind, name)`` of ``count`` resources: queues count with their DLQ (two resources)."""
    weights = {"bucket": 3, "queue": 3, "table": 3, "topic": 3, "log group": 3, "function": 2, "alarm": 2}
    per_unit = count / sum(weights[k] * (2 if k == "queue" else 1) for k in KINDS)
    wanted = {k: int(per_unit * weights[k]) for k in KINDS}
    total = sum(n * (2 if k == "queue" else 1) for k, n in wanted.items())
    wanted["bucket"] += count - total
    return [(kind, f"bench-{kind.replace(' ', '')}-{i}") for kind in KINDS for i in range(wanted[kind])]


def resource_count(planned: list[tuple[str, str]]) -> int:
    """Resources a plan creates: a queue entry creates the queue and its DLQ."""
    return sum(2 if kind == "queue" else 1 for kind, _ in planned)


def created_line(tagged: list[tuple[str, str]], other: list[tuple[str, str]], seconds: float) -> str:
    """What was created, counted resource by resource (DLQs included), per project."""
    kinds = Counter(kind for kind, _ in tagged)
    parts = [f"{kinds['queue']} queues + {kinds['queue']} DLQs" if kind == "queue" else f"{kinds[kind]} {kind}s"
             for kind in KINDS if kinds[kind]]
    total = resource_count(tagged) + resource_count(other)
    return (f"created {total:,} resources in {seconds:.1f} s: {resource_count(tagged):,} tagged Project=bench "
            f"({', '.join(parts)}) and {resource_count(other):,} tagged Project=other")


def main(count: int, workers: int) -> int:
    target = MotoTarget(REGION, account_id=ACCOUNT)
    target.start()
    role_arn = target.client("iam").create_role(RoleName="bench", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    create = creators(target.client, role_arn, _zip())
    for service in ("s3", "sqs", "dynamodb", "sns", "logs", "lambda", "cloudwatch"):
        target.client(service)
    tagged, other = plan(count), plan(50)
    work = [(kind, name, {"Project": "bench", "Env": "perf"}) for kind, name in tagged]
    work += [(kind, f"other-{name}", {"Project": "other"}) for kind, name in other]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda job: create[job[0]](job[1], job[2]), work))
    print(created_line(tagged, other, time.perf_counter() - start))
    start = time.perf_counter()
    selection = Selection.of_tags({"Project": "bench"})
    inventory = collect(target.client, region=REGION, account=ACCOUNT, selection=selection, max_workers=workers)
    elapsed = time.perf_counter() - start
    kinds = Counter(r.kind for r in inventory)
    linked = sum(1 for r in inventory.of_kind("function") if r.observability.alarms)
    print(f"inventory of {len(inventory)} resources by tags in {elapsed:.2f} s "
          f"(target {TARGET_SECONDS:.0f} s: {'OK' if elapsed < TARGET_SECONDS else 'TOO SLOW'})")
    print("  " + ", ".join(f"{kind}: {n}" for kind, n in sorted(kinds.items())))
    print(f"  functions with a linked Errors alarm: {linked}; DLQs marked: "
          f"{sum(1 for q in inventory.of_kind('queue') if q.settings.get('is_dlq') is True)}; "
          f"warnings: {len(inventory.warnings)}")
    target.stop()
    return 0 if len(inventory) == count and elapsed < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000, int(sys.argv[2]) if len(sys.argv) > 2 else 16))
