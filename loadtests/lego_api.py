"""Locust profile for the lego-api HTTP API: the public health check and the authenticated data routes.

Tokens for the JWT authorizer come from ``INFRA_PARITY_TOKENS`` (a JSON list the plugin mints with its
local test keys, one per simulated user); ``INFRA_PARITY_LEGO_ROUTES`` picks the tasks: ``health``,
``wishlist`` (list, create), ``profile`` (comma-separated, default ``health,wishlist``). A 5xx answer,
a 429 and a connection error are failures; a 4xx from validation is not expected and fails too.
"""

from __future__ import annotations

import json
import os
import random

from locust import FastHttpUser, between, task

TOKENS = json.loads(os.environ.get("INFRA_PARITY_TOKENS") or "[]")
ROUTES = set((os.environ.get("INFRA_PARITY_LEGO_ROUTES") or "health,wishlist").split(","))
WAIT = float(os.environ.get("INFRA_PARITY_WAIT", "0.05"))


class LegoUser(FastHttpUser):
    wait_time = between(0, WAIT)

    def on_start(self) -> None:
        self.token = random.choice(TOKENS) if TOKENS else ""
        self.headers = {"Authorization": f"Bearer {self.token}", "content-type": "application/json"}

    @task(3)
    def health(self) -> None:
        if "health" in ROUTES:
            self.client.get("/health", name="GET /health")

    @task(4)
    def wishlist(self) -> None:
        if "wishlist" in ROUTES:
            self.client.get("/api/wishlist", name="GET /api/wishlist", headers=self.headers)

    @task(1)
    def add_to_wishlist(self) -> None:
        if "wishlist" in ROUTES:
            body = {"setNumber": str(random.randint(10000, 99999)), "name": "MOC", "priority": random.randint(0, 5)}
            self.client.post("/api/wishlist", name="POST /api/wishlist", headers=self.headers, data=json.dumps(body))

    @task(2)
    def profile(self) -> None:
        if "profile" in ROUTES:
            self.client.get("/api/profile", name="GET /api/profile", headers=self.headers)
