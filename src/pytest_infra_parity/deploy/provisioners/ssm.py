"""SSM Parameter Store parameters."""

from __future__ import annotations

import string
from typing import Any, ClassVar

from pytest_infra_parity.deploy.provisioners import register
from pytest_infra_parity.deploy.provisioners._common import ignore_missing, read_or_missing
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionRequest,
    ProvisionResult,
    differs,
    random_suffix,
    tag_differences,
    tag_list,
    tag_map,
)

_NAME_CHARS = string.ascii_letters + string.digits + "_.-"
_DESCRIBED = ("Description", "Tier", "AllowedPattern", "DataType")


def _default_parameter_name(request: ProvisionRequest) -> str:
    """CloudFormation's generated parameter name, ``CFN-<LogicalId>-<suffix>``."""
    logical = "".join(c for c in request.logical_id if c in _NAME_CHARS)
    return f"CFN-{logical[:1000]}-{random_suffix(request)}"


@register
class ParameterProvisioner:
    """``AWS::SSM::Parameter``: primary identifier ``Name``; ``Ref`` returns the parameter name.

    ``Fn::GetAtt``: ``Type``, ``Value``. ``Tags`` is a mapping, as CloudFormation declares it.
    """

    resource_type: ClassVar[str] = "AWS::SSM::Parameter"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"Name", "Type", "Value", "Description", "Tier", "AllowedPattern", "DataType", "Policies", "Tags"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        name = str(request.prop("Name") or _default_parameter_name(request))
        params: dict[str, Any] = {
            "Name": name,
            "Value": str(request.prop("Value")),
            "Type": request.prop("Type", "String"),
            "Tags": tag_list(request),
        }
        for key in (*_DESCRIBED, "Policies"):
            if request.prop(key) is not None:
                params[key] = str(request.prop(key))
        request.client("ssm").put_parameter(**params)
        return ProvisionResult(
            physical_id=name, attributes={"Type": params["Type"], "Value": params["Value"]}
        )

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        ssm = request.client("ssm")
        name = result.physical_id
        what = f"SSM parameter {name} ({request.logical_id})"
        parameter = read_or_missing(what, ssm.get_parameter, Name=name)["Parameter"]
        problems = differs("Value", str(request.prop("Value")), parameter.get("Value"))
        problems += differs("Type", request.prop("Type", "String"), parameter.get("Type"))
        described = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])[
            "Parameters"
        ]
        metadata = described[0] if described else {}
        for key in _DESCRIBED:
            if request.prop(key) is not None:
                problems += differs(key, str(request.prop(key)), metadata.get(key))
        live_tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name).get("TagList", [])
        problems += tag_differences(tag_map(request), {t["Key"]: t["Value"] for t in live_tags})
        return problems

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        ignore_missing(request.client("ssm").delete_parameter, Name=result.physical_id)
