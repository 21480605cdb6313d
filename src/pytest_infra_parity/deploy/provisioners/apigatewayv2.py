"""API Gateway v2 (HTTP and WebSocket APIs): APIs, stages, integrations, routes, authorizers, deployments.

moto 5.2 has no deployment API (``CreateDeployment`` answers a bare 404): on such a target an
``AWS::ApiGatewayV2::Deployment`` is emulated, kept in the emulated store (:mod:`._emulated`) under a
generated deployment id, after checking that its API (and stage, when named) exist. moto also keeps
no ``DeploymentId`` on a stage, so ``Stage.DeploymentId`` is not supported. ``Body``/``BodyS3Location``
(OpenAPI import) and the quick-create properties are not supported either.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from botocore.exceptions import ClientError

from pytest_infra_parity.deploy.provisioners import _emulated, register
from pytest_infra_parity.deploy.provisioners._common import (
    emulated_differences,
    ignore_missing,
    read_or_missing,
    read_real,
    settle_delete,
)
from pytest_infra_parity.deploy.provisioners._emulated import target_lacks
from pytest_infra_parity.deploy.provisioners._shapes import (
    api_call,
    coerce,
    sorted_lists,
    subset_differences,
)
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionError,
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    default_name,
    differs,
    random_suffix,
    tag_differences,
    tag_map,
)


def declared_differences(client: Any, operation: str, declared: Mapping[str, Any], live: Any) -> list[str]:
    """Every declared parameter of ``operation`` the live document lacks or holds differently."""
    shape = client.meta.service_model.operation_model(operation).input_shape
    problems: list[str] = []
    for key, value in coerce(shape, dict(declared)).items():
        problems += subset_differences(key, sorted_lists(value), sorted_lists(live.get(key)))
    return problems


class _ApiChild:
    """An API's sub-resource: created, read and deleted by ``ApiId`` plus its own identifier."""

    resource_type: ClassVar[str]
    supported_properties: ClassVar[frozenset[str]]
    noun: ClassVar[str]
    """``Stage``, ``Integration``, ``Route`` or ``Authorizer``: the operations are ``Create<noun>``..."""
    id_key: ClassVar[str]
    tagged: ClassVar[bool] = False

    def _params(self, request: ProvisionRequest) -> dict[str, Any]:
        params = {key: request.prop(key) for key in self.supported_properties if key != "Tags"}
        return {key: value for key, value in params.items() if value is not None}

    def _ident(self, request: ProvisionRequest, result: ProvisionResult) -> dict[str, Any]:
        return {"ApiId": request.prop("ApiId"), self.id_key: result.physical_id}

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        params = self._params(request)
        if self.tagged:
            params["Tags"] = tag_map(request)
        created = api_call(request.client("apigatewayv2"), f"create_{self.noun.lower()}", **params)
        ident = str(created[self.id_key])
        return ProvisionResult(physical_id=ident, attributes={self.id_key: ident})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        client = request.client("apigatewayv2")
        ident = self._ident(request, result)
        what = f"{request.logical_id}: {self.noun.lower()} {result.physical_id} of API {ident['ApiId']}"
        live = read_or_missing(what, getattr(client, f"get_{self.noun.lower()}"), **ident)
        declared = {k: v for k, v in self._params(request).items() if k not in ident}
        problems = declared_differences(client, f"Create{self.noun}", declared, live)
        if self.tagged:
            problems += tag_differences(tag_map(request), live.get("Tags") or {})
        return problems

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        client = request.client("apigatewayv2")
        ignore_missing(getattr(client, f"delete_{self.noun.lower()}"), **self._ident(request, result))


@register
class ApiProvisioner:
    """``AWS::ApiGatewayV2::Api``: primary identifier ``ApiId``; ``Ref`` returns the API id.

    ``Fn::GetAtt``: ``ApiEndpoint``, ``ApiId``. ``ProtocolType`` is ``HTTP`` or ``WEBSOCKET``.
    """

    resource_type: ClassVar[str] = "AWS::ApiGatewayV2::Api"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {
            "Name", "ProtocolType", "Description", "CorsConfiguration", "DisableExecuteApiEndpoint",
            "RouteSelectionExpression", "ApiKeySelectionExpression", "Version", "Tags",
        }
    )

    def _params(self, request: ProvisionRequest) -> dict[str, Any]:
        params = {key: request.prop(key) for key in self.supported_properties if key != "Tags"}
        params["Name"] = request.prop("Name") or default_name(request, max_length=128)
        return {key: value for key, value in params.items() if value is not None}

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        client = request.client("apigatewayv2")
        api = api_call(client, "create_api", **self._params(request), Tags=tag_map(request))
        api_id = str(api["ApiId"])
        attributes = {"ApiId": api_id, "ApiEndpoint": api["ApiEndpoint"]}
        return ProvisionResult(physical_id=api_id, attributes=attributes)

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        client = request.client("apigatewayv2")
        what = f"{request.logical_id}: API {result.physical_id}"
        live = read_or_missing(what, client.get_api, ApiId=result.physical_id)
        problems = declared_differences(client, "CreateApi", self._params(request), live)
        return problems + tag_differences(tag_map(request), live.get("Tags") or {})

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        ignore_missing(request.client("apigatewayv2").delete_api, ApiId=result.physical_id)


@register
class StageProvisioner(_ApiChild):
    """``AWS::ApiGatewayV2::Stage``: primary identifier ``Id``; ``Ref`` returns the stage name.

    No ``Fn::GetAtt`` attributes besides the stage name (``StageName``).
    """

    resource_type: ClassVar[str] = "AWS::ApiGatewayV2::Stage"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {
            "ApiId", "StageName", "AutoDeploy", "AccessLogSettings", "DefaultRouteSettings", "RouteSettings",
            "StageVariables", "Description", "ClientCertificateId", "Tags",
        }
    )
    noun: ClassVar[str] = "Stage"
    id_key: ClassVar[str] = "StageName"
    tagged: ClassVar[bool] = True


@register
class IntegrationProvisioner(_ApiChild):
    """``AWS::ApiGatewayV2::Integration``: primary identifier ``ApiId`` + ``IntegrationId``.

    ``Ref`` returns the integration id; ``Fn::GetAtt``: ``IntegrationId``.
    """

    resource_type: ClassVar[str] = "AWS::ApiGatewayV2::Integration"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {
            "ApiId", "IntegrationType", "IntegrationUri", "IntegrationMethod", "IntegrationSubtype",
            "PayloadFormatVersion", "TimeoutInMillis", "ConnectionType", "ConnectionId", "CredentialsArn",
            "Description", "PassthroughBehavior", "RequestParameters", "RequestTemplates",
            "TemplateSelectionExpression",
        }
    )
    noun: ClassVar[str] = "Integration"
    id_key: ClassVar[str] = "IntegrationId"


@register
class RouteProvisioner(_ApiChild):
    """``AWS::ApiGatewayV2::Route``: primary identifier ``ApiId`` + ``RouteId``.

    ``Ref`` returns the route id; ``Fn::GetAtt``: ``RouteId``. ``Target`` is ``integrations/<id>``.
    """

    resource_type: ClassVar[str] = "AWS::ApiGatewayV2::Route"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {
            "ApiId", "RouteKey", "Target", "AuthorizationType", "AuthorizerId", "AuthorizationScopes",
            "OperationName", "ApiKeyRequired", "RouteResponseSelectionExpression",
        }
    )
    noun: ClassVar[str] = "Route"
    id_key: ClassVar[str] = "RouteId"


@register
class AuthorizerProvisioner(_ApiChild):
    """``AWS::ApiGatewayV2::Authorizer``: primary identifier ``ApiId`` + ``AuthorizerId``.

    ``Ref`` returns the authorizer id; ``Fn::GetAtt``: ``AuthorizerId``. ``AuthorizerType`` is ``JWT``
    (``JwtConfiguration``) or ``REQUEST`` (a Lambda ``AuthorizerUri``).
    """

    resource_type: ClassVar[str] = "AWS::ApiGatewayV2::Authorizer"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {
            "ApiId", "AuthorizerType", "Name", "IdentitySource", "JwtConfiguration", "AuthorizerUri",
            "AuthorizerPayloadFormatVersion", "EnableSimpleResponses", "AuthorizerResultTtlInSeconds",
            "AuthorizerCredentialsArn", "IdentityValidationExpression",
        }
    )
    noun: ClassVar[str] = "Authorizer"
    id_key: ClassVar[str] = "AuthorizerId"


@register
class DeploymentProvisioner:
    """``AWS::ApiGatewayV2::Deployment``: primary identifier ``ApiId`` + ``DeploymentId``.

    ``Ref`` returns the deployment id; ``Fn::GetAtt``: ``DeploymentId``. Emulated on a target without
    a deployment API (moto), as the module docstring says.
    """

    resource_type: ClassVar[str] = "AWS::ApiGatewayV2::Deployment"
    supported_properties: ClassVar[frozenset[str]] = frozenset({"ApiId", "StageName", "Description"})

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        client = request.client("apigatewayv2")
        params = {k: request.prop(k) for k in self.supported_properties if request.prop(k) is not None}
        try:
            ident = str(client.create_deployment(**params)["DeploymentId"])
        except ClientError as exc:
            if not target_lacks(exc):
                raise
            # moto: no deployment API (a bare 404): keep the deployment in the emulated store, once its
            # API and stage are known to exist, as API Gateway itself would check.
            self._check_parents(request)
            ident = random_suffix(request, 6).lower()
            reason = f"the target does not implement {self.resource_type} ({exc})"
            _emulated.put(request, ident, {"DeploymentId": ident}, reason)
        return ProvisionResult(physical_id=ident, attributes={"DeploymentId": ident})

    def _check_parents(self, request: ProvisionRequest) -> None:
        client = request.client("apigatewayv2")
        api_id, stage = str(request.prop("ApiId")), request.prop("StageName")
        try:
            read_or_missing(f"{request.logical_id}: API {api_id}", client.get_api, ApiId=api_id)
            if stage is not None:
                what = f"{request.logical_id}: stage {stage} of API {api_id}"
                read_or_missing(what, client.get_stage, ApiId=api_id, StageName=stage)
        except ResourceMissing as exc:
            raise ProvisionError(f"cannot create a deployment: {exc}") from exc

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        client = request.client("apigatewayv2")
        what = f"{request.logical_id}: deployment {result.physical_id}"
        ident = {"ApiId": request.prop("ApiId"), "DeploymentId": result.physical_id}
        live = read_real(what, client.get_deployment, **ident)
        if live is None:
            return emulated_differences(request, result.physical_id)
        if request.prop("Description") is None:
            return []
        return differs("Description", request.prop("Description"), live.get("Description"))

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        client = request.client("apigatewayv2")
        try:
            client.delete_deployment(ApiId=request.prop("ApiId"), DeploymentId=result.physical_id)
        except ClientError as exc:
            settle_delete(request, exc)
