"""Deployment through real CloudFormation (the ``aws`` target).

Local code folders are zipped (deterministically) and uploaded to an artifact bucket, as
``aws cloudformation package`` does; the template the plugin resolved (SAM already transformed) is
sent with the plugin's tags at stack level, which CloudFormation propagates to every taggable
resource. Failures show the failed stack events; teardown waits for the stack deletion.
"""

from __future__ import annotations

import copy
import hashlib
import json
import time
from typing import Any

from pytest_infra_parity.deploy.applier import RUN_TAG, STACK_TAG
from pytest_infra_parity.deploy.provisioners._emulated import is_not_implemented
from pytest_infra_parity.deploy.provisioners.base import ClientFactory, error_code, is_not_found
from pytest_infra_parity.deploy.stack import Stack, StackResource
from pytest_infra_parity.deploy.template import Template
from pytest_infra_parity.errors import DeployError, InfraParityError

_BODY_LIMIT = 51_200
_CODE_KEYS = {"AWS::Lambda::Function": "Code", "AWS::Lambda::LayerVersion": "Content"}


class CloudFormationDeployer:
    """Creates and deletes real CloudFormation stacks, waiting for each."""

    name = "cloudformation"

    def __init__(self, clients: ClientFactory, region: str, account_id: str, run_id: str,
                 poll_seconds: float = 5.0, max_wait_seconds: float = 3600.0) -> None:
        self.clients = clients
        self.region = region
        self.account_id = account_id
        self.run_id = run_id
        self._delay = max(1, int(poll_seconds))
        self._attempts = max(1, int(max_wait_seconds / self._delay))

    @property
    def artifact_bucket(self) -> str:
        return f"infra-parity-artifacts-{self.account_id}-{self.region}"

    def _ensure_bucket(self) -> None:
        s3 = self.clients("s3")
        try:
            s3.head_bucket(Bucket=self.artifact_bucket)
            return
        except Exception as exc:
            if not (is_not_found(exc) or error_code(exc) in ("404", "NoSuchBucket")):
                raise
        kwargs: dict[str, Any] = {"Bucket": self.artifact_bucket}
        if self.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        s3.create_bucket(**kwargs)
        s3.put_bucket_tagging(Bucket=self.artifact_bucket,
                              Tagging={"TagSet": [{"Key": "infra-parity:artifacts", "Value": "true"}]})

    def package(self, body: dict[str, Any]) -> dict[str, Any]:
        """Replace every ``{"LocalPath": folder}`` code location by an uploaded S3 object."""
        from pytest_infra_parity.deploy.packaging import zip_folder

        packaged = copy.deepcopy(body)
        uploaded = False
        for resource in packaged.get("Resources", {}).values():
            key = _CODE_KEYS.get(resource.get("Type", ""))
            code = resource.get("Properties", {}).get(key) if key else None
            if isinstance(code, dict) and "LocalPath" in code:
                if not uploaded:
                    self._ensure_bucket()
                    uploaded = True
                data = zip_folder(code["LocalPath"])
                object_key = f"code/{hashlib.sha256(data).hexdigest()}.zip"
                self.clients("s3").put_object(Bucket=self.artifact_bucket, Key=object_key, Body=data)
                resource["Properties"][key] = {"S3Bucket": self.artifact_bucket, "S3Key": object_key}
        return packaged

    def deploy(self, template: Template, stack_name: str, parameters: dict[str, Any] | None = None,
               design: str | None = None) -> Stack:
        stack = Stack(name=stack_name, template=template, region=self.region, account_id=self.account_id,
                      run_id=self.run_id, deployer=self.name, design=design, parameters=dict(parameters or {}))
        try:
            kwargs = self._create_arguments(template, stack_name, parameters)
            self.clients("cloudformation").create_stack(**kwargs)
        except InfraParityError:
            raise
        except Exception as exc:  # botocore ClientError/BotoCoreError: one message naming the stack
            raise DeployError(f"stack {stack_name} could not be created: {exc}", path=template.path) from exc
        try:
            self.clients("cloudformation").get_waiter("stack_create_complete").wait(
                StackName=stack_name, WaiterConfig={"Delay": self._delay, "MaxAttempts": self._attempts})
        except BaseException as exc:  # a failure, a timeout or Ctrl-C: never leave the stack behind
            failures = self.failed_events(stack_name)
            leftovers = self.teardown(stack)
            if not isinstance(exc, Exception):
                raise
            details = "\n  ".join(failures + [f"rollback: {line}" for line in leftovers])
            raise DeployError(f"stack {stack_name} failed to create: {exc}\n  {details}",
                              path=template.path) from exc
        self._read_back(stack)
        return stack

    def _create_arguments(self, template: Template, stack_name: str,
                          parameters: dict[str, Any] | None) -> dict[str, Any]:
        body = json.dumps(self.package(template.body), default=str)
        kwargs: dict[str, Any] = {
            "StackName": stack_name,
            "Parameters": [{"ParameterKey": k, "ParameterValue": str(v)} for k, v in (parameters or {}).items()],
            "Capabilities": ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
            "Tags": [{"Key": STACK_TAG, "Value": stack_name}, {"Key": RUN_TAG, "Value": self.run_id}],
            "OnFailure": "DO_NOTHING",
        }
        if len(body) > _BODY_LIMIT:
            self._ensure_bucket()
            key = f"templates/{stack_name}.json"
            self.clients("s3").put_object(Bucket=self.artifact_bucket, Key=key, Body=body.encode())
            kwargs["TemplateURL"] = f"https://{self.artifact_bucket}.s3.{self.region}.amazonaws.com/{key}"
        else:
            kwargs["TemplateBody"] = body
        return kwargs

    def _read_back(self, stack: Stack) -> None:
        cfn = self.clients("cloudformation")
        described = cfn.describe_stacks(StackName=stack.name)["Stacks"][0]
        stack.outputs = {o["OutputKey"]: o.get("OutputValue") for o in described.get("Outputs", [])}
        paginator = cfn.get_paginator("list_stack_resources")
        for page in paginator.paginate(StackName=stack.name):
            for item in page["StackResourceSummaries"]:
                stack.resources[item["LogicalResourceId"]] = StackResource(
                    item["LogicalResourceId"], item["ResourceType"], item.get("PhysicalResourceId", ""))

    def failed_events(self, stack_name: str) -> list[str]:
        return failed_events(self.clients, stack_name)

    def verify(self, stack: Stack) -> dict[str, list[str]]:
        """Every template resource exists in the stack, and CloudFormation's drift detection agrees."""
        problems: dict[str, list[str]] = {}
        live = {r.logical_id for r in stack.resources.values()}
        for logical_id in stack.template.resources:
            if logical_id not in live:
                problems[logical_id] = ["is not in the stack"]
        cfn = self.clients("cloudformation")
        try:
            detection = cfn.detect_stack_drift(StackName=stack.name)["StackDriftDetectionId"]
        except Exception as exc:
            if is_not_implemented(exc):  # moto standing in for AWS has no drift detection
                return problems
            raise
        for _ in range(self._attempts):
            status = cfn.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
            if status["DetectionStatus"] != "DETECTION_IN_PROGRESS":
                break
            time.sleep(self._delay)
        drifts = cfn.describe_stack_resource_drifts(StackName=stack.name,
                                                    StackResourceDriftStatusFilters=["MODIFIED", "DELETED"])
        for drift in drifts.get("StackResourceDrifts", []):
            lines = [f"{d['PropertyPath']}: {d['DifferenceType']} (expected {d.get('ExpectedValue')!r}, "
                     f"actual {d.get('ActualValue')!r})" for d in drift.get("PropertyDifferences", [])]
            problems.setdefault(drift["LogicalResourceId"], []).extend(
                lines or [drift["StackResourceDriftStatus"]])
        return problems

    def teardown(self, stack: Stack) -> list[str]:
        errors = delete_stack(self.clients, stack.name, self._delay, self._attempts)
        if not errors:
            stack.resources.clear()
        return errors


def failed_events(clients: ClientFactory, stack_name: str) -> list[str]:
    """``LogicalId (Type): STATUS: reason`` for every failed event of the stack, oldest first."""
    try:
        events = clients("cloudformation").describe_stack_events(StackName=stack_name)["StackEvents"]
    except Exception as exc:  # the events are a courtesy: never hide the real failure behind them
        return [f"(stack events unavailable: {exc})"]
    return [
        f"{e['LogicalResourceId']} ({e.get('ResourceType', '?')}): {e['ResourceStatus']}: "
        f"{e.get('ResourceStatusReason', '')}"
        for e in reversed(events) if str(e.get("ResourceStatus", "")).endswith("FAILED")
    ]


def delete_stack(clients: ClientFactory, stack_name: str, delay: int = 5, attempts: int = 720) -> list[str]:
    """Delete a stack and wait for it; ``[]``, or the error and the stack's failed events."""
    cfn = clients("cloudformation")
    try:
        cfn.delete_stack(StackName=stack_name)
        cfn.get_waiter("stack_delete_complete").wait(
            StackName=stack_name, WaiterConfig={"Delay": delay, "MaxAttempts": attempts})
    except Exception as exc:
        if is_not_found(exc):
            return []
        return [f"stack {stack_name} could not be deleted: {exc}", *failed_events(clients, stack_name)]
    return []
