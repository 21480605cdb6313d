"""Locust profile: invoke a Lambda function (through an alias) with Lambda's Invoke API.

For designs without an API in front of their functions (huntaze-skeleton: "the functions are invoked
directly, through the live alias"). It POSTs to ``/2015-03-31/functions/<function>/invocations`` with
``?Qualifier=<alias>``; an answer with ``X-Amz-Function-Error`` (the function failed) or a non-200 status
(429 throttled) is a failure. Settings come from the environment the plugin sets:

- ``INFRA_PARITY_FUNCTION``: the function name; ``INFRA_PARITY_QUALIFIER``: the alias or version (optional)
- ``INFRA_PARITY_USERS``: how many distinct user ids the events carry (``{"userId": "user-<n>"}``, default 20)

On AWS, point ``--host`` at ``https://lambda.<region>.amazonaws.com`` only through a signing proxy: the
Invoke API needs SigV4; the plugin's local runtime does not check signatures.
"""

from __future__ import annotations

import json
import os
import random

from locust import FastHttpUser, constant, task

FUNCTION = os.environ.get("INFRA_PARITY_FUNCTION", "")
QUALIFIER = os.environ.get("INFRA_PARITY_QUALIFIER", "")
USERS = int(os.environ.get("INFRA_PARITY_USERS", "20"))


class InvokeUser(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.rng = random.Random()

    @task
    def invoke(self) -> None:
        user = f"user-{self.rng.randint(1, USERS)}"
        query = f"?Qualifier={QUALIFIER}" if QUALIFIER else ""
        with self.client.post(f"/2015-03-31/functions/{FUNCTION}/invocations{query}", name="invoke",
                              data=json.dumps({"userId": user}), catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif response.headers.get("X-Amz-Function-Error"):
                response.failure(f"function error: {(response.text or '')[:120]}")
