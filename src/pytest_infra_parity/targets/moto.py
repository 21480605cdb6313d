"""The embedded target: a moto server on 127.0.0.1, one per session (and per xdist worker).

Real HTTP on loopback, so boto3 behaves as it does against LocalStack or AWS (signing, retries,
pagination, error parsing). moto stores most attributes faithfully through its direct APIs, but it
evaluates no alarms, runs no deployments and executes no Lambda code without Docker: the target
declares none of those capabilities, and the plugin emulates them.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from pytest_infra_parity.targets._clients import ClientCache
from pytest_infra_parity.targets.protocol import Identity

MOTO_ACCOUNT = "123456789012"


class MotoTarget:
    """A moto server started on a free loopback port the first time a client is needed.

    moto keeps its state per process, so two targets in one process (the plugin's own tests do this)
    would share it: each target may act in its own account (moto's ``x-moto-account-id`` header),
    which isolates them as two AWS accounts are isolated.
    """

    name = "moto"
    capabilities: frozenset[str] = frozenset()

    def __init__(self, region: str, account_id: str = MOTO_ACCOUNT) -> None:
        self.region = region
        self.account_id = account_id
        self._server: Any = None
        self._lock = threading.Lock()
        self._endpoint: str | None = None
        self._clients: ClientCache | None = None

    @property
    def endpoint_url(self) -> str | None:
        return self._endpoint

    def start(self) -> None:
        with self._lock:  # two threads asking for a first client must not start two servers
            if self._server is None:
                self._start_server()

    def _start_server(self) -> None:
        # moto reads these when its backends are first imported; fake credentials keep boto3 from
        # looking for a real profile (and from ever signing with one).
        os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "false")
        # AWS managed policies (AWSLambdaBasicExecutionRole, AmazonECSTaskExecutionRolePolicy...) exist
        # in every account; moto only knows them when asked to load them.
        os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        # Loading moto's default AMIs costs about 5 s on the first EC2 call; no design launches
        # instances from a public AMI. Set MOTO_EC2_LOAD_DEFAULT_AMIS=true to get them back.
        os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        from moto.server import ThreadedMotoServer

        # werkzeug logs every request, and a traceback for each 500 moto answers; moto's Flask app
        # ("moto" logger) logs a traceback for every operation it does not implement, which the
        # provisioners probe on purpose and handle (emulated or marked resources).
        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
        logging.getLogger("moto").setLevel(logging.CRITICAL)

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        self._server = server
        self._endpoint = f"http://{host}:{port}"
        self._clients = ClientCache(
            endpoint_url=self._endpoint, default_region=self.region, credentials=("testing", "testing"),
            headers={"x-moto-account-id": self.account_id} if self.account_id != MOTO_ACCOUNT else None,
            # moto answers at once and deterministically: a 500 means "not implemented", which
            # retrying cannot change (botocore would retry it four times, with backoff).
            max_attempts=1,
        )

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
            self._clients = None

    def client(self, service: str, region: str | None = None) -> Any:
        self.start()
        assert self._clients is not None
        return self._clients.client(service, region)

    def identity(self) -> Identity:
        return Identity(account_id=self.account_id, arn=f"arn:aws:iam::{self.account_id}:user/moto")

    def describe(self) -> str:
        where = self._endpoint or "127.0.0.1, free port, started on first use"
        return f"moto (embedded server: {where}), region {self.region}, account {self.account_id}"
