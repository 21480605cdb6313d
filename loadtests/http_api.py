"""Locust profile for an HTTP API of the built-in designs: health checks and reads."""

from __future__ import annotations

import os

from locust import HttpUser, between, task

PATHS = [p for p in os.environ.get("INFRA_PARITY_LOAD_PATHS", "/api/health").split(",") if p]


class ApiUser(HttpUser):
    wait_time = between(0.05, 0.2)

    @task(3)
    def health(self) -> None:
        self.client.get(PATHS[0], name="health")

    @task(1)
    def reads(self) -> None:
        for path in PATHS[1:]:
            self.client.get(path, name=path)
