"""IPP_APIGW_001: every HTTP or REST API has an alarm on its server-side errors.

API Gateway publishes ``5xx`` for HTTP APIs ("Monitor CloudWatch metrics for HTTP APIs in API
Gateway") and ``5XXError`` for REST APIs ("Amazon API Gateway dimensions and metrics"), both in
``AWS/ApiGateway``; each API type is checked for its own name. WebSocket APIs publish neither
(their errors are ``IntegrationError``/``ExecutionError``) and are not checked.
"""

from __future__ import annotations

from pytest_infra_parity.inventory.model import Resource
from pytest_infra_parity.policies import checks
from pytest_infra_parity.policies.base import Finding, PolicyContext
from pytest_infra_parity.policies.declarative import AlarmOn, combine
from pytest_infra_parity.policies.registry import register_policy


@register_policy
class Api5xxAlarm(AlarmOn):
    policy_id = "IPP_APIGW_001"
    title = "APIs have an alarm on 5XX errors"
    kinds = ("http api", "rest api")
    namespace = "AWS/ApiGateway"
    passes = ("an alarm watches 5xx (HTTP API) or 5XXError (REST API) "
              "(PolicyOptions.alarm_metrics['http api'] / ['rest api'])")
    fails = "no alarm watches the API's own 5XX metric (an alarm on the other API type's name does not count)"
    unknown_when = "an alarm on the API watches a metric known only after apply"
    reference = "API Gateway Developer Guide, \"Monitor CloudWatch metrics for HTTP APIs in API Gateway\""

    def applies_to(self, resource: Resource, context: PolicyContext) -> bool:
        if resource.setting("protocol") == "WEBSOCKET" or resource.kind not in self.kinds:
            return False
        return bool(context.options.metrics_for(resource.kind))

    def evaluate(self, resource: Resource, context: PolicyContext) -> Finding:
        return combine(resource, [checks.has_alarm_on(resource, metric, self.namespace)
                                  for metric in context.options.metrics_for(resource.kind)])
