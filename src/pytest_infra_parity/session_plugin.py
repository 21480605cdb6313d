"""The plugin object of one pytest session: settings, the target, the session's deployments."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_infra_parity.errors import ConfigError, InfraParityError, TargetError
from pytest_infra_parity.settings import BUILTIN_TARGETS, Settings, build_settings
from pytest_infra_parity.targets.protocol import ALL_CAPABILITIES, PERSISTENT

if TYPE_CHECKING:
    from pytest_infra_parity.deploy.session import Deployments
    from pytest_infra_parity.targets.protocol import Target

RUNTIME_KEY = pytest.StashKey["InfraRuntime"]()


def new_run_id() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    suffix = f"-{worker}" if worker else ""
    return f"{time.strftime('%Y%m%d%H%M%S', time.gmtime())}-{secrets.token_hex(2)}{suffix}"


class InfraRuntime:
    """Holds the target (created lazily through the hook) and the deployments of the session."""

    def __init__(self, config: pytest.Config, settings: Settings) -> None:
        self.config = config
        self.settings = settings
        self._target: Target | None = None
        self._deployments: Deployments | None = None
        self.teardown_errors: list[str] = []

    @classmethod
    def from_config(cls, config: pytest.Config) -> InfraRuntime:
        try:
            settings = build_settings(config.getoption, config.getini, Path(str(config.rootpath)),
                                      run_id=new_run_id())
        except ConfigError as exc:
            raise pytest.UsageError(exc.describe()) from None
        runtime = cls(config, settings)
        config.stash[RUNTIME_KEY] = runtime
        return runtime

    @property
    def target(self) -> Target:
        if self._target is None:
            target = self.config.hook.pytest_infra_parity_make_target(settings=self.settings, config=self.config)
            if target is None:
                raise ConfigError(
                    f"unknown target {self.settings.target!r}; built-in targets: {', '.join(BUILTIN_TARGETS)} "
                    "(a plugin can add one through pytest_infra_parity_make_target)"
                )
            self._target = target
        return self._target

    @property
    def deployments(self) -> Deployments:
        if self._deployments is None:
            from pytest_infra_parity.deploy.session import Deployments

            def created(stack: str, logical_id: str, rtype: str, physical_id: str, attrs: dict[str, Any]) -> None:
                self.config.hook.pytest_infra_parity_resource_created(
                    stack_name=stack, logical_id=logical_id, resource_type=rtype, physical_id=physical_id,
                    attributes=attrs)

            self._deployments = Deployments(self.target, self.settings.run_id, on_created=created)
        return self._deployments

    # ---- hooks ------------------------------------------------------------------------------

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Check the target before anything runs: unknown name, unreachable endpoint, account not allowed."""
        if getattr(self.config.option, "help", False) or self.config.option.collectonly:
            return
        try:
            target = self.target
            if target.name != "moto":  # the embedded server starts on first use
                target.start()
        except InfraParityError as exc:
            raise pytest.UsageError(f"infra-parity: {exc.describe()}") from None

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        try:
            described = self.target.describe()
        except InfraParityError as exc:
            described = f"{self.settings.target} ({exc.describe()})"
        lines = [f"infra-parity: target {described} (region from {self.settings.region_source}), "
                 f"run {self.settings.run_id}"]
        if getattr(self._target, "read_only_by_default", False):
            lines.append("infra-parity: destructive steps allowed (--infra-allow-destructive)"
                         if self.settings.allow_destructive else
                         "infra-parity: read-only: deployments and chaos are skipped (--infra-allow-destructive "
                         "allows them)")
        routes = getattr(self._target, "header_lines", None)  # LocalStack: which service went where
        return lines + (list(routes()) if callable(routes) else [])

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        known_targets = {*BUILTIN_TARGETS, self.settings.target}
        for marker in item.iter_markers("infra_target"):
            unknown = [name for name in marker.args if name not in known_targets]
            if unknown:  # a typo would skip the test on every target, for ever
                pytest.fail(f"{item.nodeid}: infra_target marker names unknown target(s) {', '.join(unknown)}; "
                            f"known: {', '.join(sorted(known_targets))}", pytrace=False)
            if marker.args and self.settings.target not in marker.args:
                pytest.skip(f"runs only on target(s) {', '.join(marker.args)}; this run uses {self.settings.target}")
        for marker in item.iter_markers("infra_capability"):
            unknown = [name for name in marker.args if name not in ALL_CAPABILITIES]
            if unknown:
                pytest.fail(f"{item.nodeid}: infra_capability marker names unknown capability(ies) "
                            f"{', '.join(unknown)}; known: {', '.join(ALL_CAPABILITIES)}", pytrace=False)
            missing = [c for c in marker.args if c not in self.target.capabilities]
            if missing:
                pytest.skip(f"target {self.settings.target} lacks capability {', '.join(missing)}")

    def teardown(self) -> None:
        if self._deployments is None or self.settings.keep_stacks or not self._deployments.has_anything_to_remove:
            return
        errors = self._deployments.teardown_all()
        self.teardown_errors.extend(errors)
        self.config.hook.pytest_infra_parity_teardown_finished(target=self.target, errors=errors)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self.teardown()
        if self._target is not None:
            try:
                self._target.stop()
            except TargetError as exc:
                self.teardown_errors.append(exc.describe())

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.teardown_errors:
            terminalreporter.section("infra-parity teardown", sep="-", red=True)
            for line in self.teardown_errors:
                terminalreporter.write_line(line)
            if self._target is not None and PERSISTENT in self._target.capabilities:
                terminalreporter.write_line("Remove what is left with: infra-parity sweep --target "
                                            f"{self.settings.target} --run {self.settings.run_id}")
        elif self.settings.keep_stacks and self._deployments is not None:
            for stack in self._deployments.stacks:
                terminalreporter.write_line(f"infra-parity: kept stack {stack.name} (--infra-keep-stacks)")
