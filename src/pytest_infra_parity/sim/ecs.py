"""An ECS service on Fargate on the virtual clock: desired, pending and running tasks.

Semantics (Amazon ECS developer guide):

- "Service scheduler concepts": the scheduler keeps ``desiredCount`` tasks; when it rises, new tasks go
  ``PROVISIONING -> PENDING -> RUNNING`` ("Task lifecycle"); ``pendingCount`` here counts every task
  not yet RUNNING (PROVISIONING included).
- "Use load balancing to distribute Amazon ECS service traffic": a RUNNING task is registered with the
  service's target group; on scale-in the scheduler first deregisters the task and waits for the target
  group's deregistration delay (connection draining), then stops it - the task is RUNNING (and counted in
  ``runningCount``) until it stops.
- ``healthCheckGracePeriodSeconds``: "the period of time [...] that the Amazon ECS service scheduler
  ignores unhealthy Elastic Load Balancing target health checks after a task has first started"; an
  unhealthy target outside that period is stopped and replaced.
- Fargate start latency (PROVISIONING to RUNNING: capacity, ENI attachment, image pull, container start)
  is not published by AWS; :class:`StartLatency` is a triangular distribution whose presets come from
  public measurements (see their ``source``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pytest_infra_parity.sim.alb import UNHEALTHY, LoadBalancer
from pytest_infra_parity.sim.clock import VirtualClock
from pytest_infra_parity.sim.scaling_metrics import MetricStore

__all__ = ["ECR_IN_REGION", "PUBLIC_REGISTRY", "EcsService", "StartLatency", "Task", "TaskTimings"]

PROVISIONING, RUNNING, STOPPING, STOPPED = "PROVISIONING", "RUNNING", "STOPPING", "STOPPED"


@dataclass(frozen=True)
class StartLatency:
    """Seconds from a task's creation to RUNNING: triangular(low, mode, high), seeded."""

    low: float
    mode: float
    high: float
    source: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.low <= self.mode <= self.high:
            raise ValueError(f"start latency needs 0 <= low <= mode <= high, got {self.low}, {self.mode}, {self.high}")

    def sample(self, rng: Callable[[float, float, float], float]) -> float:
        """One draw; ``rng`` is ``random.Random.triangular``."""
        return self.low if self.low == self.high else rng(self.low, self.high, self.mode)

    @classmethod
    def for_images(cls, images: Sequence[str]) -> StartLatency:
        """The preset for where the task's images come from: ECR in the region, or a public registry."""
        in_ecr = bool(images) and all(".dkr.ecr." in image and ".amazonaws.com" in image for image in images)
        return ECR_IN_REGION if in_ecr else PUBLIC_REGISTRY


ECR_IN_REGION = StartLatency(
    20.0, 30.0, 40.0,
    "images in ECR: 20-40 s from creation to RUNNING (aws/containers-roadmap issue #358, 2019-12-13: "
    "\"20-40 seconds when pulling images from within a VPC\"); ECS on Fargate starts answering a "
    "scale-out after about 30 s (Vlad Ionescu, \"Scaling containers on AWS in 2022\")",
)
PUBLIC_REGISTRY = StartLatency(
    35.0, 60.0, 90.0,
    "images from a public registry (docker.io, ghcr.io): \"1+ minute\" (aws/containers-roadmap issue #358, "
    "2019-12-13); a 258 MB image measured at about 25 s of ECS provisioning and 64 s to the first "
    "response of a cold start (serverless-openclaw issue #7, 2026-02-15)",
)


@dataclass(frozen=True)
class TaskTimings:
    """The service's timings besides the Fargate start (seconds)."""

    scheduler: float = 2.0
    """From a desiredCount change to the task's creation (assumption: AWS publishes no figure)."""
    app_ready: float = 5.0
    """From RUNNING to the application answering its health check path (application specific)."""
    stop: float = 2.0
    """From the stop request (after draining) to STOPPED: SIGTERM and container exit."""
    grace_period: float = 0.0
    """``healthCheckGracePeriodSeconds`` of the service."""


@dataclass
class Task:
    task_id: str
    created_at: float
    state: str = PROVISIONING
    running_at: float | None = None
    stopped_at: float | None = None


class EcsService:
    """The service's tasks, driven by ``desiredCount``, registered with its load balancer."""

    def __init__(self, clock: VirtualClock, name: str, *, start_latency: StartLatency, timings: TaskTimings,
                 load_balancer: LoadBalancer | None, metrics: MetricStore) -> None:
        self.clock, self.name, self.latency, self.timings = clock, name, start_latency, timings
        self.lb, self.metrics = load_balancer, metrics
        self.desired = 0
        self.tasks: dict[str, Task] = {}
        self.on_change: list[Callable[[], None]] = []
        self._ids = itertools.count(1)
        if load_balancer is not None:
            load_balancer.on_unhealthy.append(self._unhealthy)

    @property
    def running(self) -> int:
        return sum(1 for t in self.tasks.values() if t.state in (RUNNING, STOPPING))

    @property
    def pending(self) -> int:
        return sum(1 for t in self.tasks.values() if t.state == PROVISIONING)

    def start_warm(self, count: int) -> None:
        """``count`` tasks already RUNNING and healthy, as in a service in steady state."""
        self.desired = count
        for _ in range(count):
            task = self._new_task()
            task.state, task.running_at = RUNNING, self.clock.now - self.timings.grace_period
            if self.lb is not None:
                self.lb.register_healthy(task.task_id)
        self._record("warm start")

    def set_desired(self, count: int, cause: str = "") -> None:
        """UpdateService ``desiredCount``; the scheduler reconciles shortly after."""
        if count == self.desired:
            return
        self.desired = count
        self._record(cause or "desired count changed")
        self.clock.after(self.timings.scheduler, self._reconcile, label=f"{self.name} scheduler")

    def _reconcile(self) -> None:
        active = [t for t in self.tasks.values() if t.state in (PROVISIONING, RUNNING)]
        for _ in range(self.desired - len(active)):
            self._launch()
        surplus = len(active) - self.desired
        if surplus > 0:
            # Not-yet-running tasks go first, then the newest running ones.
            ordered = sorted(active, key=lambda t: (t.state == RUNNING, -t.created_at))
            for task in ordered[:surplus]:
                self._stop(task, "scale-in")

    def _new_task(self) -> Task:
        task = Task(f"{self.name}-task-{next(self._ids)}", self.clock.now)
        self.tasks[task.task_id] = task
        return task

    def _launch(self) -> None:
        task = self._new_task()
        delay = self.latency.sample(self.clock.random.triangular)
        self.clock.record("task", task.task_id, state=PROVISIONING, start_seconds=round(delay, 1))
        self._changed()
        self.clock.after(delay, lambda: self._running(task), label=f"{task.task_id} running")

    def _running(self, task: Task) -> None:
        if task.state != PROVISIONING:
            return
        task.state, task.running_at = RUNNING, self.clock.now
        self.clock.record("task", task.task_id, state=RUNNING)
        if self.lb is not None:
            self.lb.register(task.task_id, ready_at=self.clock.now + self.timings.app_ready)
        self._changed()

    def _stop(self, task: Task, reason: str) -> None:
        if task.state == PROVISIONING:
            self._stopped(task, reason)
            return
        task.state = STOPPING
        self.clock.record("task", task.task_id, state="DEACTIVATING", reason=reason)

        def after_drain() -> None:
            self.clock.after(self.timings.stop, lambda: self._stopped(task, reason), label=f"{task.task_id} stop")

        if self.lb is not None:
            self.lb.deregister(task.task_id, after_drain)
        else:
            after_drain()

    def _stopped(self, task: Task, reason: str) -> None:
        task.state, task.stopped_at = STOPPED, self.clock.now
        del self.tasks[task.task_id]
        self.clock.record("task", task.task_id, state=STOPPED, reason=reason)
        self._changed()

    def _unhealthy(self, target_id: str) -> None:
        task = self.tasks.get(target_id)
        if task is None or task.state != RUNNING or task.running_at is None:
            return
        target = self.lb.targets.get(target_id) if self.lb is not None else None
        if target is None or target.state != UNHEALTHY:
            return
        ends = task.running_at + self.timings.grace_period
        if self.clock.now < ends:
            # The grace period hides the failing health checks from the scheduler until it ends.
            self.clock.schedule(ends, lambda: self._unhealthy(target_id), label=f"{target_id} grace period")
            return
        self._stop(task, "unhealthy in the target group")
        self.clock.after(self.timings.scheduler, self._reconcile, label=f"{self.name} replace")

    def _record(self, cause: str) -> None:
        self.clock.record("service", self.name, desired=self.desired, running=self.running, pending=self.pending,
                          cause=cause)
        self._changed()

    def _changed(self) -> None:
        for hook in self.on_change:
            hook()
