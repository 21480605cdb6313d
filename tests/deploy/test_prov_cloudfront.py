"""CloudFront provisioners on the moto server."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from pytest_infra_parity.deploy.provisioners import ProvisionError, ResourceMissing
from pytest_infra_parity.deploy.provisioners._emulated import parameter_name

from ._support import Build, Clients, assert_deleted, create, error_code, provisioner_for

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


def _gone(call: Callable[..., Any], **params: Any) -> bool:
    return error_code(call, **params) in ("NoSuchDistribution", "NoSuchOriginAccessControl")


def _oac(make_request: Build) -> Any:
    prov, req, result = create(make_request, "SiteOac", "AWS::CloudFront::OriginAccessControl", {
        "OriginAccessControlConfig": {"Name": "site-oac", "OriginAccessControlOriginType": "s3",
                                      "SigningBehavior": "always", "SigningProtocol": "sigv4",
                                      "Description": "site bucket"},
    })  # fmt: skip
    return req, prov, result


def _distribution_config(oac_id: str) -> dict[str, Any]:
    return {
        "Enabled": True, "Comment": "static site", "DefaultRootObject": "index.html",
        "PriceClass": "PriceClass_100", "HttpVersion": "http2", "IPV6Enabled": True,
        "WebACLId": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/w/1",
        "Origins": [
            {"Id": "site", "DomainName": "site-bucket.s3.us-east-1.amazonaws.com", "S3OriginConfig": {},
             "OriginAccessControlId": oac_id},
            {"Id": "api", "DomainName": "abc123.execute-api.us-east-1.amazonaws.com", "OriginPath": "/prod",
             "CustomOriginConfig": {"OriginProtocolPolicy": "https-only", "OriginSSLProtocols": ["TLSv1.2"]}},
        ],
        "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https",
                                 "CachePolicyId": CACHING_OPTIMIZED, "Compress": True,
                                 "AllowedMethods": ["GET", "HEAD"]},
        "CacheBehaviors": [{"PathPattern": "/api/*", "TargetOriginId": "api",
                            "ViewerProtocolPolicy": "https-only", "CachePolicyId": CACHING_DISABLED,
                            "AllowedMethods": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]}],
        "CustomErrorResponses": [{"ErrorCode": 404, "ResponseCode": 200, "ResponsePagePath": "/index.html",
                                  "ErrorCachingMinTTL": 10}],
        "Logging": {"Bucket": "logs-bucket.s3.amazonaws.com", "Prefix": "cdn/"},
        "ViewerCertificate": {"CloudFrontDefaultCertificate": True},
    }  # fmt: skip


def test_origin_access_control(make_request: Build, clients: Clients) -> None:
    cf = clients("cloudfront")
    req, prov, result = _oac(make_request)
    assert result.attributes == {"Id": result.physical_id}
    live = cf.get_origin_access_control(Id=result.physical_id)
    assert live["OriginAccessControl"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    assert prov.verify(req, result) == []

    config = dict(live["OriginAccessControl"]["OriginAccessControlConfig"], SigningBehavior="no-override")
    etag = live["ETag"]
    cf.update_origin_access_control(Id=result.physical_id, IfMatch=etag, OriginAccessControlConfig=config)
    assert prov.verify(req, result) == [
        "OriginAccessControlConfig.SigningBehavior is 'no-override', declared 'always'"
    ]

    assert_deleted(prov, req, result, gone=lambda: _gone(cf.get_origin_access_control, Id=result.physical_id))


def test_distribution(make_request: Build, clients: Clients) -> None:
    cf, ssm = clients("cloudfront"), clients("ssm")
    oac_req, oac_prov, oac = _oac(make_request)
    prov, req, result = create(make_request, "Cdn", "AWS::CloudFront::Distribution", {
        "DistributionConfig": _distribution_config(oac.physical_id),
        "Tags": [{"Key": "site", "Value": "www"}],
    })  # fmt: skip
    dist_id = result.physical_id
    assert result.attributes["Id"] == dist_id
    assert result.attributes["DomainName"].endswith(".cloudfront.net")
    assert prov.verify(req, result) == []

    live = cf.get_distribution(Id=dist_id)["Distribution"]
    config = live["DistributionConfig"]
    assert config["CallerReference"].startswith(f"{req.stack_name}-Cdn-")
    assert config["DefaultRootObject"] == "index.html" and config["IsIPV6Enabled"] is True
    assert [o["Id"] for o in config["Origins"]["Items"]] == ["site", "api"]
    assert config["Origins"]["Items"][1]["CustomOriginConfig"]["OriginSslProtocols"]["Items"] == ["TLSv1.2"]
    assert config["CacheBehaviors"]["Items"][0]["PathPattern"] == "/api/*"
    assert config["CustomErrorResponses"]["Items"][0]["ResponseCode"] == "200"
    logs = "logs-bucket.s3.amazonaws.com"
    assert config["Logging"] == {"Enabled": True, "IncludeCookies": False, "Bucket": logs, "Prefix": "cdn/"}
    tags = {t["Key"]: t["Value"] for t in cf.list_tags_for_resource(Resource=live["ARN"])["Tags"]["Items"]}
    assert tags["site"] == "www" and tags["infra-parity:stack"] == req.stack_name
    # moto drops the S3 origin's OAC: it is kept in the companion document and verified from there.
    name = parameter_name(req.stack_name, "Cdn")
    document = json.loads(ssm.get_parameter(Name=name)["Parameter"]["Value"])
    assert document["attributes"]["Dropped"]["Origins"]["site"]["OriginAccessControlId"] == oac.physical_id

    got = cf.get_distribution_config(Id=dist_id)
    changed = dict(got["DistributionConfig"], Comment="edited", DefaultRootObject="home.html")
    cf.update_distribution(Id=dist_id, IfMatch=got["ETag"], DistributionConfig=changed)
    problems = prov.verify(req, result)
    assert "DistributionConfig.Comment is 'edited', declared 'static site'" in problems
    assert "DistributionConfig.DefaultRootObject is 'home.html', declared 'index.html'" in problems
    other = dict(req.properties, DistributionConfig=_distribution_config("E0THEROAC"))
    other_req = make_request("Cdn", req.resource_type, other)
    assert any("OriginAccessControlId" in p for p in prov.verify(other_req, result))

    prov.delete(req, result)
    assert _gone(cf.get_distribution, Id=dist_id)
    assert not ssm.get_parameters(Names=[name])["Parameters"]
    with pytest.raises(ResourceMissing):
        prov.verify(req, result)
    prov.delete(req, result)
    oac_prov.delete(oac_req, oac)


def test_unconverted_distribution_keys_are_refused(make_request: Build) -> None:
    prov = provisioner_for("AWS::CloudFront::Distribution")
    config = {**_distribution_config("X"), "CNAMEs": ["www.example.com"]}
    with pytest.raises(ProvisionError, match="CNAMEs"):
        prov.create(make_request("Cdn", "AWS::CloudFront::Distribution", {"DistributionConfig": config}))
