"""The AWS target: a boto3 session from the profile, its identity from STS, and the account allowlist.

A wrong inherited profile was one of the seeds' real problems, so the resolved profile, account and
region are printed in the pytest header, and the run refuses to start against an account that is not
listed with ``--infra-allowed-account``.
"""

from __future__ import annotations

import os
from typing import Any

from pytest_infra_parity.errors import TargetError
from pytest_infra_parity.targets._clients import ClientCache
from pytest_infra_parity.targets.protocol import (
    ALL_CAPABILITIES,
    Identity,
)


class AwsTarget:
    """A real AWS account (``AWS_ENDPOINT_URL``, honoured by boto3, lets tests put moto in its place)."""

    name = "aws"
    capabilities: frozenset[str] = frozenset(ALL_CAPABILITIES)
    read_only_by_default = True
    """A shared account: deployments and chaos need ``--infra-allow-destructive`` (see ``is_read_only``)."""

    def __init__(self, region: str, profile: str | None, allowed_accounts: tuple[str, ...]) -> None:
        self.region = region
        self.profile = profile
        self.allowed_accounts = allowed_accounts
        self._clients = ClientCache(endpoint_url=None, default_region=region, profile=profile)
        self._identity: Identity | None = None

    @property
    def endpoint_url(self) -> str | None:
        return os.environ.get("AWS_ENDPOINT_URL")

    def start(self) -> None:
        if self._identity is not None:
            return
        if not self.allowed_accounts:
            raise TargetError(
                "--infra-target=aws needs --infra-allowed-account ACCOUNT_ID (repeatable, or the ini key "
                "infra_allowed_account): the accounts this run may create and delete resources in"
            )
        identity = self._fetch_identity()
        if identity.account_id not in self.allowed_accounts:
            raise TargetError(
                f"refusing to run against account {identity.account_id} ({identity.arn}, profile "
                f"{self.profile or 'default chain'}): it is not in --infra-allowed-account "
                f"({', '.join(self.allowed_accounts)})"
            )
        self._identity = identity

    def _fetch_identity(self) -> Identity:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            who = self._clients.client("sts").get_caller_identity()
        except (BotoCoreError, ClientError) as exc:
            raise TargetError(
                f"cannot identify the AWS caller with profile {self.profile or 'default chain'} "
                f"in {self.region}: {exc}"
            ) from exc
        return Identity(account_id=str(who["Account"]), arn=str(who["Arn"]), profile=self.profile)

    def stop(self) -> None:
        self._identity = None

    def client(self, service: str, region: str | None = None) -> Any:
        if service != "sts":  # every other client is handed out only once the account is allowed
            self.start()
        return self._clients.client(service, region)

    def identity(self) -> Identity:
        self.start()
        assert self._identity is not None
        return self._identity

    def describe(self) -> str:
        who = self.identity()
        override = f", endpoint override {self.endpoint_url}" if self.endpoint_url else ""
        return (
            f"aws account {who.account_id} ({who.arn}), profile {self.profile or 'default chain'}, "
            f"region {self.region}{override}"
        )
