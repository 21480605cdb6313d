"""S3 provisioners on the moto server: buckets with every sub-configuration, bucket policies."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from pytest_infra_parity.deploy.provisioners.s3_shapes import lifecycle_rule

from ._support import Build, Clients, assert_deleted, create, new_key, new_queue_arn, provisioner_for, raises

LIFECYCLE: dict[str, Any] = {
    "Rules": [
        {
            "Id": "logs",
            "Status": "Enabled",
            "Prefix": "logs/",
            "ExpirationInDays": 30,
            "Transitions": [{"StorageClass": "STANDARD_IA", "TransitionInDays": "10"}],
            "NoncurrentVersionExpiration": {"NoncurrentDays": 5},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2},
        },
        {
            "Id": "tagged",
            "Status": "Enabled",
            "Prefix": "tmp/",
            "TagFilters": [{"Key": "kind", "Value": "tmp"}],
            "ExpirationInDays": 1,
        },
        {
            "Status": "Enabled",
            "NoncurrentVersionTransitions": [{"StorageClass": "GLACIER", "TransitionInDays": 30}],
        },
    ]
}


def _exists(s3: Any, bucket: str) -> bool:
    return not raises(ClientError, s3.head_bucket, Bucket=bucket)


def test_lifecycle_rule_translation() -> None:
    api = lifecycle_rule(LIFECYCLE["Rules"][0])
    assert api == {
        "ID": "logs",
        "Status": "Enabled",
        "Filter": {"Prefix": "logs/"},
        "Expiration": {"Days": 30},
        "Transitions": [{"StorageClass": "STANDARD_IA", "Days": 10}],
        "NoncurrentVersionExpiration": {"NoncurrentDays": 5},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2},
    }
    assert lifecycle_rule(LIFECYCLE["Rules"][1])["Filter"] == {
        "And": {"Prefix": "tmp/", "Tags": [{"Key": "kind", "Value": "tmp"}]}
    }
    assert lifecycle_rule(
        {
            "Status": "Enabled",
            "TagFilters": [{"Key": "a", "Value": "b"}],
            "ExpirationDate": "2030-01-01T00:00:00.000Z",
        }
    ) == {
        "Status": "Enabled",
        "Filter": {"Tag": {"Key": "a", "Value": "b"}},
        "Expiration": {"Date": "2030-01-01"},
    }


def test_bucket_lifecycle(make_request: Build, clients: Clients) -> None:
    s3, kms = clients("s3"), clients("kms")
    key_arn = new_key(kms, "alias/c1-bucket")["Arn"]
    props = {
        "BucketEncryption": {
            "ServerSideEncryptionConfiguration": [
                {
                    "ServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": "alias/c1-bucket",
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        },
        "LifecycleConfiguration": LIFECYCLE,
        "PublicAccessBlockConfiguration": {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": "true",
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        },
        "VersioningConfiguration": {"Status": "Enabled"},
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        "CorsConfiguration": {
            "CorsRules": [
                {
                    "Id": "web",
                    "AllowedMethods": ["GET", "HEAD"],
                    "AllowedOrigins": ["*"],
                    "AllowedHeaders": ["*"],
                    "ExposedHeaders": ["ETag"],
                    "MaxAge": 300,
                }
            ]
        },
        "Tags": [{"Key": "team", "Value": "data"}],
    }
    prov, req, result = create(make_request, "DataBucket", "AWS::S3::Bucket", props)
    name = result.physical_id
    assert name == name.lower() and len(name) <= 63 and "databucket" in name
    assert result.attributes["Arn"] == f"arn:aws:s3:::{name}"
    assert result.attributes["RegionalDomainName"] == f"{name}.s3.us-east-1.amazonaws.com"
    assert result.attributes["WebsiteURL"] == f"http://{name}.s3-website-us-east-1.amazonaws.com"
    assert prov.verify(req, result) == []

    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    rules = s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
    assert {r.get("ID") for r in rules} >= {"logs", "tagged"}
    assert next(r for r in rules if r.get("ID") == "logs")["Expiration"] == {"Days": 30}
    sse = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert sse["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"

    # break it out of band: every change must be reported
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": key_arn,
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    assert prov.verify(req, result) == []  # same key, other form
    s3.put_bucket_lifecycle_configuration(
        Bucket=name,
        LifecycleConfiguration={
            "Rules": [{**lifecycle_rule(LIFECYCLE["Rules"][0]), "Expiration": {"Days": 90}}]
        },
    )
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": False,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Suspended"})
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "team", "Value": "other"}]})
    problems = prov.verify(req, result)
    assert any("LifecycleConfiguration rule 'logs'" in p for p in problems)
    assert any("LifecycleConfiguration has 1 rules, declared 3" in p for p in problems)
    assert any("PublicAccessBlockConfiguration is" in p and "BlockPublicAcls" in p for p in problems)
    assert any(p.startswith("VersioningConfiguration") for p in problems)
    assert any("tag 'team' is 'other'" in p for p in problems)
    s3.delete_bucket_encryption(Bucket=name)
    assert any("SSEAlgorithm" in p for p in prov.verify(req, result))

    # versioned objects and delete markers do not stop the deletion
    s3.put_object(Bucket=name, Key="a.txt", Body=b"1")
    s3.put_object(Bucket=name, Key="a.txt", Body=b"2")
    s3.delete_object(Bucket=name, Key="a.txt")
    assert_deleted(prov, req, result, gone=lambda: not _exists(s3, name))
    kms.delete_alias(AliasName="alias/c1-bucket")


def test_website_logging_notifications_and_acl(make_request: Build, clients: Clients) -> None:
    s3 = clients("s3")
    prov, logs_req, logs = create(
        make_request,
        "LogBucket",
        "AWS::S3::Bucket",
        {
            "BucketName": "c1-access-logs",
            "AccessControl": "LogDeliveryWrite",
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "ObjectWriter"}]},
        },
    )
    assert prov.verify(logs_req, logs) == []
    queue_arn = new_queue_arn(clients, "c1-uploads")
    site = {
        "IndexDocument": "index.html",
        "ErrorDocument": "error.html",
        "RoutingRules": [
            {
                "RedirectRule": {"ReplaceKeyPrefixWith": "docs/", "HttpRedirectCode": "301"},
                "RoutingRuleCondition": {"KeyPrefixEquals": "documents/"},
            }
        ],
    }
    req = make_request(
        "Site",
        "AWS::S3::Bucket",
        {
            "BucketName": "c1-site",
            "WebsiteConfiguration": site,
            "LoggingConfiguration": {"DestinationBucketName": "c1-access-logs", "LogFilePrefix": "site/"},
            "NotificationConfiguration": {
                "QueueConfigurations": [
                    {
                        "Event": "s3:ObjectCreated:*",
                        "Queue": queue_arn,
                        "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "uploads/"}]}},
                    }
                ]
            },
        },
    )
    result = prov.create(req)
    assert prov.verify(req, result) == []
    assert s3.get_bucket_website(Bucket="c1-site")["IndexDocument"] == {"Suffix": "index.html"}
    assert s3.get_bucket_logging(Bucket="c1-site")["LoggingEnabled"]["TargetPrefix"] == "site/"
    queues = s3.get_bucket_notification_configuration(Bucket="c1-site")["QueueConfigurations"]
    assert [(q["QueueArn"], q["Events"]) for q in queues] == [(queue_arn, ["s3:ObjectCreated:*"])]

    s3.put_bucket_website(Bucket="c1-site", WebsiteConfiguration={"IndexDocument": {"Suffix": "home.html"}})
    s3.put_bucket_logging(Bucket="c1-site", BucketLoggingStatus={})
    s3.put_bucket_notification_configuration(Bucket="c1-site", NotificationConfiguration={})
    problems = prov.verify(req, result)
    assert any(p.startswith("WebsiteConfiguration is") for p in problems)
    assert any(p.startswith("LoggingConfiguration is") for p in problems)
    assert any(p.startswith("NotificationConfiguration.QueueConfigurations is []") for p in problems)
    s3.put_bucket_acl(Bucket="c1-access-logs", ACL="private")
    assert any("AccessControl LogDeliveryWrite: no grant" in p for p in prov.verify(logs_req, logs))
    for bucket_req, bucket in ((req, result), (logs_req, logs)):
        prov.delete(bucket_req, bucket)
        assert not _exists(s3, bucket.physical_id)


def test_bucket_policy(make_request: Build, clients: Clients) -> None:
    s3 = clients("s3")
    bucket_prov, prov = provisioner_for("AWS::S3::Bucket"), provisioner_for("AWS::S3::BucketPolicy")
    bucket_req = make_request("Assets", "AWS::S3::Bucket", {})
    bucket = bucket_prov.create(bucket_req)
    name = bucket.physical_id
    policy: dict[str, Any] = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "cdn",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": ["s3:GetObject"],
                "Resource": f"arn:aws:s3:::{name}/*",
            }
        ],
    }
    req = make_request("AssetsPolicy", "AWS::S3::BucketPolicy", {"Bucket": name, "PolicyDocument": policy})
    result = prov.create(req)
    assert result.physical_id == name
    assert prov.verify(req, result) == []
    assert json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])["Statement"][0]["Sid"] == "cdn"

    changed = {**policy, "Statement": [{**policy["Statement"][0], "Action": "s3:*"}]}
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(changed))
    assert any(p.startswith("PolicyDocument is") for p in prov.verify(req, result))

    assert_deleted(prov, req, result)
    bucket_prov.delete(bucket_req, bucket)
    prov.delete(req, result)  # the bucket itself is gone: still a no-op
