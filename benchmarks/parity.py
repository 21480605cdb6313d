"""Time of a parity diff of two synthetic inventories of 10,000 matching resources each.

Side A is spelled like a CloudFormation template (CamelCase logical ids, physical names
``<project>-<stage>-<name>``, keys referenced as ``Key.Arn``); side B like Terraform in another stage
(``module.<m>.aws_<type>.<name>`` addresses, ``<project>-prod-<name>`` names, keys referenced as
``module.kms.aws_kms_key.this.arn`` or by alias). About 3% of the pairs differ (a tag value, an
encryption key, an alarm, a log retention). Target: compare() under 1 s.
Run: ``python benchmarks/parity.py [N]``.
"""

from __future__ import annotations

import json
import random
import sys
import time

from pytest_infra_parity.inventory.model import AlarmRef, Encryption, Inventory, Observability, Resource
from pytest_infra_parity.parity.diff import compare

TARGET_SECONDS = 1.0
KINDS = (
    ("bucket", "AWS::S3::Bucket", "aws_s3_bucket", "Bucket"),
    ("table", "AWS::DynamoDB::Table", "aws_dynamodb_table", "Table"),
    ("queue", "AWS::SQS::Queue", "aws_sqs_queue", "Queue"),
    ("topic", "AWS::SNS::Topic", "aws_sns_topic", "Topic"),
    ("log group", "AWS::Logs::LogGroup", "aws_cloudwatch_log_group", "LogGroup"),
    ("function", "AWS::Lambda::Function", "aws_lambda_function", "Function"),
)
WORDS = ("image", "thumb", "upload", "job", "batch", "device", "token", "media", "notify", "audit", "report", "export")


def _tags(stage: str, index: int) -> dict[str, str]:
    return {"Project": "photoeditor", "Env": stage, "Owner": "platform", "CostCenter": f"cc{index % 7}"}


def _keys() -> tuple[list[Resource], list[Resource]]:
    tags = _tags("dev", 0)
    a = [Resource("key", "AWS::KMS::Key", "Key", "template", tags=tags),
         Resource("key", "AWS::KMS::Key", "LogsKey", "template", tags=tags)]
    b = [Resource("key", "AWS::KMS::Key", "module.kms.aws_kms_key.this", "terraform-hcl", tags=tags),
         Resource("key", "AWS::KMS::Key", "module.logs_kms.aws_kms_key.this", "terraform-hcl", tags=tags),
         Resource("key alias", "AWS::KMS::Alias", "module.kms.aws_kms_alias.this", "terraform-hcl",
                  physical_id="alias/photoeditor-prod", taggable=False,
                  settings={"target_key": "aws_kms_key.this.key_id"})]
    a.append(Resource("key alias", "AWS::KMS::Alias", "KeyAlias", "template", physical_id="alias/photoeditor-dev",
                      taggable=False, settings={"target_key": "Key"}))
    return a, b


def _pair(i: int, rng: random.Random) -> tuple[Resource, Resource]:
    kind, cfn_type, tf_type, suffix = KINDS[i % len(KINDS)]
    stem = f"{WORDS[i % len(WORDS)]}-{WORDS[(i // 12) % len(WORDS)]}-{i}"
    logical = "".join(w.capitalize() for w in stem.split("-")) + suffix
    physical = f"/aws/lambda/photoeditor-{{}}-{stem}" if kind == "log group" else f"photoeditor-{{}}-{stem}"
    differs = rng.random() < 0.03
    encrypted = kind != "function"
    obs_a = Observability(alarms=[AlarmRef(f"{logical}Errors", "Errors")] if kind == "function" else [],
                          log_retention_days=14 if kind == "log group" else None)
    obs_b = Observability(alarms=[] if differs and kind == "function" else list(obs_a.alarms),
                          log_retention_days=(30 if differs else 14) if kind == "log group" else None)
    a = Resource(kind, cfn_type, logical, "template", physical_id=physical.format("dev"), tags=_tags("dev", i),
                 encryption=Encryption("customer-managed", "Key.Arn") if encrypted else None, observability=obs_a)
    tags_b = _tags("prod", i)
    if differs and kind in ("bucket", "queue"):
        tags_b["CostCenter"] = "other"
    key_b = "module.logs_kms.aws_kms_key.this.arn" if differs and kind == "table" else "alias/photoeditor-prod"
    b = Resource(kind, cfn_type, f"module.{kind.replace(' ', '_')}.{tf_type}.{stem.replace('-', '_')}",
                 "terraform-hcl", physical_id=physical.format("prod"), tags=tags_b,
                 encryption=Encryption("customer-managed", key_b) if encrypted else None, observability=obs_b)
    return a, b


def build(n: int, seed: int = 7) -> tuple[Inventory, Inventory]:
    rng = random.Random(seed)
    keys_a, keys_b = _keys()
    pairs = [_pair(i, rng) for i in range(n)]
    a = Inventory("synthetic template (dev)", keys_a + [p[0] for p in pairs])
    b = Inventory("synthetic terraform (prod)", keys_b + [p[1] for p in pairs])
    return a, b


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 10_000
    a, b = build(n)
    start, cpu = time.perf_counter(), time.process_time()
    report = compare(a, b, ignore_tags=("Env",))
    cold, cold_cpu = time.perf_counter() - start, time.process_time() - cpu
    warm = []
    for _ in range(3):
        start = time.perf_counter()
        compare(a, b, ignore_tags=("Env",))
        warm.append(time.perf_counter() - start)
    start = time.perf_counter()
    table = report.format_table()
    tabled = time.perf_counter() - start
    start = time.perf_counter()
    text = json.dumps(report.as_json())
    jsoned = time.perf_counter() - start
    print(f"resources: A {len(a)}, B {len(b)}; pairs {len(report.pairs)}, only A {len(report.only_a)}, "
          f"only B {len(report.only_b)}, differences {len(report.differences)}, unknowns {len(report.unknowns)}")
    print(f"compare() first {cold:6.3f} s   (CPU {cold_cpu:.3f} s; target {TARGET_SECONDS:.1f} s: "
          f"{cold / TARGET_SECONDS:.2f} of it)")
    print(f"compare() again {min(warm):6.3f} s   (best of 3; name normalization cached)")
    print(f"format_table()  {tabled:6.3f} s   ({len(table.splitlines())} lines)")
    print(f"as_json() dumps {jsoned:6.3f} s   ({len(text) // 1024} KiB)")
    complete = not report.only_a and not report.only_b
    return 0 if cold < TARGET_SECONDS and complete else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
