"""WAFv2 provisioners on moto: web ACLs and web ACL associations."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from pytest_infra_parity.deploy.provisioners import ProvisionError, ResourceMissing

from ._support import Build, assert_deleted, create, provisioner_for


def _visibility(metric: str) -> dict[str, Any]:
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": "true", "MetricName": metric}


def _acl_properties(name: str, scope: str = "REGIONAL") -> dict[str, Any]:
    return {
        "Name": name,
        "Scope": scope,
        "Description": "edge protection",
        "DefaultAction": {"Allow": {}},
        "VisibilityConfig": _visibility(name),
        "CustomResponseBodies": {
            "slowDown": {"ContentType": "APPLICATION_JSON", "Content": '{"error":"slow down"}'}
        },
        "Rules": [
            {
                "Name": "AWSCommon",
                "Priority": 0,
                "OverrideAction": {"None": {}},
                "VisibilityConfig": _visibility("c"),
                "Statement": {
                    "ManagedRuleGroupStatement": {
                        "VendorName": "AWS",
                        "Name": "AWSManagedRulesCommonRuleSet",
                        "ExcludedRules": [{"Name": "SizeRestrictions_BODY"}],
                    }
                },
            },
            {
                "Name": "RateLimit",
                "Priority": "1",
                "VisibilityConfig": _visibility("rate"),
                "Action": {
                    "Block": {"CustomResponse": {"ResponseCode": 429, "CustomResponseBodyKey": "slowDown"}}
                },
                "Statement": {"RateBasedStatement": {"Limit": "2000", "AggregateKeyType": "IP"}},
            },
            {
                "Name": "NoAdmin",
                "Priority": 2,
                "Action": {"Block": {}},
                "VisibilityConfig": _visibility("admin"),
                "Statement": {
                    "ByteMatchStatement": {
                        "SearchStringBase64": base64.b64encode(b"/admin").decode(),
                        "PositionalConstraint": "STARTS_WITH",
                        "FieldToMatch": {"UriPath": {}},
                        "TextTransformations": [{"Priority": 0, "Type": "LOWERCASE"}],
                    }
                },
            },
        ],
        "Tags": [{"Key": "team", "Value": "edge"}],
    }


def test_web_acl_lifecycle(make_request: Build, clients: Any) -> None:
    prov, request, result = create(
        make_request, "WebAcl", "AWS::WAFv2::WebACL", _acl_properties("api-protection")
    )
    name, acl_id, scope = result.physical_id.split("|")
    assert (name, scope) == ("api-protection", "REGIONAL") and acl_id == result.attributes["Id"]
    assert result.attributes["Arn"].endswith(f":regional/webacl/api-protection/{acl_id}")
    assert result.attributes["LabelNamespace"] == "awswaf:123456789012:webacl:api-protection:"
    assert result.attributes["Capacity"] > 0

    waf = clients("wafv2")
    live = waf.get_web_acl(Name=name, Scope=scope, Id=acl_id)
    acl = live["WebACL"]
    assert acl["DefaultAction"] == {"Allow": {}}
    assert [r["Name"] for r in acl["Rules"]] == ["AWSCommon", "RateLimit", "NoAdmin"]
    managed = acl["Rules"][0]["Statement"]["ManagedRuleGroupStatement"]
    assert managed["Name"] == "AWSManagedRulesCommonRuleSet" and acl["Rules"][0]["OverrideAction"] == {
        "None": {}
    }
    assert acl["Rules"][1]["Statement"]["RateBasedStatement"]["Limit"] == 2000
    assert acl["Rules"][2]["Statement"]["ByteMatchStatement"]["SearchString"] == b"/admin"
    tags = waf.list_tags_for_resource(ResourceARN=acl["ARN"])["TagInfoForResource"]["TagList"]
    assert {"Key": "team", "Value": "edge"} in tags
    assert prov.verify(request, result) == []

    waf.update_web_acl(
        Name=name,
        Scope=scope,
        Id=acl_id,
        LockToken=live["LockToken"],
        DefaultAction={"Block": {}},
        Rules=acl["Rules"][:2],
        VisibilityConfig=acl["VisibilityConfig"],
    )
    problems = prov.verify(request, result)
    assert "DefaultAction.Allow is missing (declared {})" in problems
    assert any(p.startswith("Rules (names)") for p in problems)

    prov.delete(request, result)
    with pytest.raises(waf.exceptions.WAFNonexistentItemException):
        waf.get_web_acl(Name=name, Scope=scope, Id=acl_id)
    with pytest.raises(ResourceMissing):
        prov.verify(request, result)
    prov.delete(request, result)


def test_association_with_rest_api_stage(make_request: Build, clients: Any) -> None:
    acl_prov, acl_request, acl = create(
        make_request, "Acl", "AWS::WAFv2::WebACL", _acl_properties("rest-protection")
    )
    apigw = clients("apigateway")
    api = apigw.create_rest_api(name="orders")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    apigw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    apigw.create_deployment(restApiId=api, stageName="prod")
    stage_arn = f"arn:aws:apigateway:us-east-1::/restapis/{api}/stages/prod"

    assoc_prov, request, result = create(
        make_request,
        "AclAssociation",
        "AWS::WAFv2::WebACLAssociation",
        {"ResourceArn": stage_arn, "WebACLArn": acl.attributes["Arn"]},
    )
    assert result.physical_id == f"{stage_arn}|{acl.attributes['Arn']}"
    waf = clients("wafv2")
    assert waf.get_web_acl_for_resource(ResourceArn=stage_arn)["WebACL"]["ARN"] == acl.attributes["Arn"]
    assert apigw.get_stage(restApiId=api, stageName="prod")["webAclArn"] == acl.attributes["Arn"]
    assert assoc_prov.verify(request, result) == []

    waf.disassociate_web_acl(ResourceArn=stage_arn)  # broken out of band
    with pytest.raises(ResourceMissing):
        assoc_prov.verify(request, result)
    assoc_prov.create(request)

    def unassociated() -> bool:
        return waf.get_web_acl_for_resource(ResourceArn=stage_arn).get("WebACL") is None

    assert_deleted(assoc_prov, request, result, gone=unassociated)
    acl_prov.delete(acl_request, acl)


def test_association_refuses_http_api_and_cloudfront(make_request: Build, clients: Any) -> None:
    assoc_prov = provisioner_for("AWS::WAFv2::WebACLAssociation")
    acl_prov, acl_request, acl = create(
        make_request, "Acl", "AWS::WAFv2::WebACL", _acl_properties("http-api-protection")
    )
    http_api = clients("apigatewayv2").create_api(Name="orders-http", ProtocolType="HTTP")["ApiId"]
    http_arn = f"arn:aws:apigateway:us-east-1::/apis/{http_api}/stages/$default"
    request = make_request(
        "Bad", "AWS::WAFv2::WebACLAssociation", {"ResourceArn": http_arn, "WebACLArn": acl.attributes["Arn"]}
    )
    with pytest.raises(ProvisionError, match="cannot be associated with an API Gateway HTTP API"):
        assoc_prov.create(request)
    assert clients("wafv2").get_web_acl_for_resource(ResourceArn=http_arn).get("WebACL") is None

    global_request = make_request("Global", "AWS::WAFv2::WebACL", _acl_properties("cdn", scope="CLOUDFRONT"))
    global_acl = acl_prov.create(global_request)
    assert ":global/webacl/cdn/" in global_acl.attributes["Arn"]
    assert global_acl.physical_id.endswith("|CLOUDFRONT")
    assert acl_prov.verify(global_request, global_acl) == []
    alb = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
    cdn_request = make_request(
        "Cdn",
        "AWS::WAFv2::WebACLAssociation",
        {"ResourceArn": alb, "WebACLArn": global_acl.attributes["Arn"]},
    )
    with pytest.raises(ProvisionError, match="WebACLId"):
        assoc_prov.create(cdn_request)
    acl_prov.delete(global_request, global_acl)
    acl_prov.delete(acl_request, acl)
