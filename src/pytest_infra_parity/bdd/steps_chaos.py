"""Steps of the chaos room: parallel build races, state locks, deployments killed mid-way.

``Given the Lambda functions in "<dir>"``: each sub-folder of ``<dir>`` is a function. The path is
relative to the project root (pytest's rootdir), which is also the builds' working directory. For the
functions of a design write ``"<design>:<folder>"`` (e.g. ``"dashborion:handlers"``): the folder is
inside the design's folder, and the builds run there (so a design's own ``scripts/build.sh`` works).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pytest_bdd import given, parsers, then, when

from pytest_infra_parity.fixtures import require_destructive
from pytest_infra_parity.report.from_chaos import LockEvidence, locks_section
from pytest_infra_parity.report.recorder import note_design, record
from pytest_infra_parity.session_plugin import RUNTIME_KEY

if TYPE_CHECKING:
    from pytest_infra_parity.chaos.build_report import RaceReport
    from pytest_infra_parity.chaos.kill import KillOutcome
    from pytest_infra_parity.deploy.stack import Stack
    from pytest_infra_parity.fixtures.chaos import LockChecker

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@dataclass
class ChaosScenario:
    """What the chaos steps of one scenario share."""

    functions: dict[str, Path] = field(default_factory=dict)
    functions_dir: Path | None = None
    workspace: Path | None = None
    signatures: list[str] = field(default_factory=list)
    report: RaceReport | None = None
    kill_design: str | None = None
    kill_parameters: dict[str, str] = field(default_factory=dict)
    outcome: KillOutcome | None = None
    tables: set[str] = field(default_factory=set)
    buckets: set[str] = field(default_factory=set)
    cleanups: list[Callable[[], None]] = field(default_factory=list)
    """Run at the end of the scenario (lock stores the lock steps created)."""
    locks: LockEvidence = field(default_factory=LockEvidence)
    """What the lock steps found, released and left: the scenario's one ``locks`` section."""


@pytest.fixture
def infra_chaos_scenario() -> Iterator[ChaosScenario]:
    """The chaos steps' shared state for one scenario."""
    scenario = ChaosScenario()
    yield scenario
    for cleanup in reversed(scenario.cleanups):
        cleanup()


def _age(text: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(second|minute|hour|day)s?\s*", text)
    if match is None:
        pytest.fail(f"cannot read the duration {text!r}: write e.g. 30 minutes or 2 hours", pytrace=False)
    return float(match[1]) * _UNITS[match[2]]


def _resolve_functions(text: str, config: pytest.Config) -> tuple[Path, Path]:
    """``(functions folder, working directory)`` for ``"<dir>"`` or ``"<design>:<dir>"``."""
    root = Path(str(config.rootpath))
    design_name, sep, inner = text.partition(":")
    if sep and not (root / text).is_dir():
        from pytest_infra_parity.designs import resolve_design
        from pytest_infra_parity.errors import DesignError

        try:
            design = resolve_design(design_name, config.stash[RUNTIME_KEY].settings.design_paths, base=root)
        except DesignError as exc:
            problem = exc.describe()
        else:
            return design.folder / inner, design.folder
        pytest.fail(f'Given the Lambda functions in "{text}": {problem}', pytrace=False)
    return root / text, root


@given(parsers.parse('the Lambda functions in "{folder}"'))
def lambda_functions_in(folder: str, infra_chaos_scenario: ChaosScenario, pytestconfig: pytest.Config,
                        request: pytest.FixtureRequest) -> None:
    """Each sub-folder of the folder is a function (``{function}`` is its name, ``{src}`` its path)."""
    path, workspace = _resolve_functions(folder, pytestconfig)
    design, sep, _ = folder.partition(":")
    if sep and workspace != Path(str(pytestconfig.rootpath)):  # "<design>:<folder>": the functions of a design
        note_design(request, design)
    if not path.is_dir():
        pytest.fail(f'Given the Lambda functions in "{folder}": {path} is not a folder', pytrace=False)
    found = {p.name: p.resolve() for p in sorted(path.iterdir()) if p.is_dir() and not p.name.startswith((".", "__"))}
    if not found:
        pytest.fail(f"{path} has no sub-folder: each function is a sub-folder", pytrace=False)
    infra_chaos_scenario.functions, infra_chaos_scenario.functions_dir = found, path
    infra_chaos_scenario.workspace = workspace.resolve()


@given(parsers.parse('a build crashes when it prints "{pattern}"'))
def build_crash_signature(pattern: str, infra_chaos_scenario: ChaosScenario) -> None:
    """Add a crash signature (a regular expression) to the defaults."""
    infra_chaos_scenario.signatures.append(pattern)


KILL_CHECKS = 4
"""Kill checks after the rounds: one on the build's first file, three spread over its reference duration."""


@when(parsers.parse('the functions are built {rounds:d} times with {parallel:d} builds in parallel using '
                    '"{command}"'))
def functions_are_built(rounds: int, parallel: int, command: str, infra_chaos_scenario: ChaosScenario,
                        infra_build_race: Callable[..., RaceReport]) -> None:
    """Reference builds, ``rounds`` rounds of ``parallel`` builds at once, then four builds killed mid-way
    (on the build's first file, then at points spread over its reference duration)."""
    from pytest_infra_parity.chaos.signatures import DEFAULT_SIGNATURES

    scenario = infra_chaos_scenario
    if not scenario.functions:
        pytest.fail('no functions to build: start with Given the Lambda functions in "<dir>"', pytrace=False)
    if rounds < 1:
        pytest.fail(f"the functions are built {rounds} times: build at least once (1 or more times)", pytrace=False)
    if parallel < 1:
        pytest.fail(f"{parallel} builds in parallel: run at least 1 build at a time", pytrace=False)
    try:
        scenario.report = infra_build_race(scenario.functions, command, rounds=rounds, parallel=parallel,
                                           kills=KILL_CHECKS, workspace=scenario.workspace,
                                           functions_dir=scenario.functions_dir,
                                           signatures=(*DEFAULT_SIGNATURES, *scenario.signatures))
    except ValueError as exc:
        problem = str(exc)
    else:
        return
    pytest.fail(f'When the functions are built ... using "{command}": {problem}', pytrace=False)


def _check(scenario: ChaosScenario, check: str) -> None:
    if scenario.report is None:
        pytest.fail("no build ran: use When the functions are built <n> times with <k> builds in parallel "
                    'using "<command>"', pytrace=False)
    if not scenario.report.check_ok(check):
        pytest.fail(scenario.report.describe(check), pytrace=False)


@then("every build succeeds")
def every_build_succeeds(infra_chaos_scenario: ChaosScenario) -> None:
    """Exit 0, no crash signature printed, an artifact written (also the build after the kill)."""
    _check(infra_chaos_scenario, "succeeds")


@then("every build of a function produces identical bytes")
def identical_bytes(infra_chaos_scenario: ChaosScenario) -> None:
    """Every artifact equals its function's serial reference; none holds another function's files."""
    _check(infra_chaos_scenario, "identical")


@then("no lock or temporary file is left behind")
def nothing_left_behind(infra_chaos_scenario: ChaosScenario) -> None:
    """Nothing new in the workspace, in the builds' TMPDIR, or next to the artifacts (after a kill too)."""
    _check(infra_chaos_scenario, "leftovers")


@given(parsers.parse('a deployment of the "{design}" design'))
def a_deployment_of(design: str, infra_chaos_scenario: ChaosScenario, request: pytest.FixtureRequest) -> None:
    """The design the next ``When the deployment is killed mid-way`` deploys (and kills)."""
    note_design(request, design)
    infra_chaos_scenario.kill_design = design


@when("the deployment is killed mid-way")
def deployment_killed(infra_chaos_scenario: ChaosScenario, infra_kill_deployment: Callable[..., KillOutcome],
                      request: pytest.FixtureRequest) -> None:
    """Deploy the design (of ``a deployment of``, else of the deployed ``infra_stack``) and SIGKILL it."""
    require_destructive(request.config, request.getfixturevalue("infra_target"), "killing a deployment")
    scenario = infra_chaos_scenario
    design = scenario.kill_design
    if design is None:
        stack: Stack | None = request.getfixturevalue("infra_stack") if "infra_stack" in request.fixturenames \
            else None
        if stack is None or stack.design is None:
            pytest.fail('no deployment to kill: start with Given a deployment of the "<design>" design',
                        pytrace=False)
        design = stack.design
    note_design(request, design)
    scenario.outcome = infra_kill_deployment(design, **scenario.kill_parameters)
    if not scenario.outcome.killed:
        pytest.fail(f"the deployment ended before it could be killed:\n{scenario.outcome.output}", pytrace=False)
    scenario.tables.update(scenario.outcome.scope.get("tables", []))
    scenario.buckets.update(scenario.outcome.scope.get("buckets", []))


@then("no state lock is left behind")
def no_state_lock(infra_chaos_scenario: ChaosScenario, infra_locks: LockChecker,
                  request: pytest.FixtureRequest) -> None:
    """No Terraform/OpenTofu lock item or lock file, and no SST lock, on the target (or in the scenario's
    lock stores)."""
    scenario = infra_chaos_scenario
    tables = sorted(scenario.tables) if scenario.tables or scenario.buckets else None
    buckets = sorted(scenario.buckets) if scenario.tables or scenario.buckets else None
    left = infra_locks.find(tables=tables, buckets=buckets)
    scenario.locks.left = left
    _record_locks(request, scenario, (tables or []) + (buckets or []))
    if left:
        title = scenario.outcome.what if scenario.outcome else "the target"
        pytest.fail("\n".join([f"{title}: {len(left)} state lock(s) left behind", *(f"  {lock.describe()}"
                                                                                    for lock in left)]),
                    pytrace=False)


@then("no resource is left behind after cleanup")
def no_resource_left(infra_chaos_scenario: ChaosScenario) -> None:
    """The killed run's sweep deleted everything: nothing tagged, nothing new and untagged remains."""
    outcome = infra_chaos_scenario.outcome
    if outcome is None:
        pytest.fail("no deployment was killed: use When the deployment is killed mid-way", pytrace=False)
    if outcome.stray or outcome.orphans or outcome.sweep_failed:
        pytest.fail(outcome.resource_report(), pytrace=False)


def _now_minus(age: str) -> datetime:
    return datetime.now(UTC) - timedelta(seconds=_age(age))


@given(parsers.parse('a Terraform state lock on "{state}" in the table "{table}" taken {age} ago by "{who}"'))
def terraform_table_lock(state: str, table: str, age: str, who: str, infra_chaos_scenario: ChaosScenario,
                         infra_target: Any, pytestconfig: pytest.Config) -> None:
    """Write the lock item exactly as Terraform's S3 backend does (``state`` is ``<bucket>/<key>``)."""
    from pytest_infra_parity.chaos.lock_writers import write_terraform_table_lock

    require_destructive(pytestconfig, infra_target, "writing a state lock")

    bucket, _, key = state.partition("/")
    infra_chaos_scenario.cleanups.append(
        write_terraform_table_lock(infra_target.client, table, bucket, key, who=who, created=_now_minus(age)))
    infra_chaos_scenario.tables.add(table)


@given(parsers.parse('an OpenTofu lock file on "{state}" taken {age} ago by "{who}"'))
def tflock_object(state: str, age: str, who: str, infra_chaos_scenario: ChaosScenario, infra_target: Any,
                  pytestconfig: pytest.Config) -> None:
    """Write ``<key>.tflock`` as Terraform/OpenTofu do with ``use_lockfile = true``."""
    from pytest_infra_parity.chaos.lock_writers import write_terraform_lockfile

    require_destructive(pytestconfig, infra_target, "writing a state lock")

    bucket, _, key = state.partition("/")
    infra_chaos_scenario.cleanups.append(
        write_terraform_lockfile(infra_target.client, bucket, key, who=who, created=_now_minus(age)))
    infra_chaos_scenario.buckets.add(bucket)


@given(parsers.parse('an SST lock for the app "{app}" stage "{stage}" taken {age} ago'))
def sst_lock(app: str, stage: str, age: str, infra_chaos_scenario: ChaosScenario, infra_target: Any,
             pytestconfig: pytest.Config) -> None:
    """Write SST's ``lock/<app>/<stage>.json`` in its state bucket (bootstrapped if missing)."""
    from pytest_infra_parity.chaos.lock_writers import write_sst_lock

    require_destructive(pytestconfig, infra_target, "writing a state lock")

    bucket, cleanup = write_sst_lock(infra_target.client, app, stage, created=_now_minus(age))
    infra_chaos_scenario.cleanups.append(cleanup)
    infra_chaos_scenario.buckets.add(bucket)


@then(parsers.parse("the state locks held longer than {age} are reported with who and when"))
def stale_locks_reported(age: str, infra_chaos_scenario: ChaosScenario, infra_locks: LockChecker,
                         request: pytest.FixtureRequest) -> None:
    """Every lock of the scenario's stores is found, older than ``age``, with its holder and time."""
    scenario = infra_chaos_scenario
    stale = infra_locks.stale(_age(age), tables=sorted(scenario.tables), buckets=sorted(scenario.buckets))
    scenario.locks.stale, scenario.locks.older_than = stale, _age(age)
    _record_locks(request, scenario, sorted(scenario.tables | scenario.buckets))
    incomplete = [lock.describe() for lock in stale if not lock.who or lock.created is None]
    if not stale or incomplete:
        pytest.fail(f"expected stale locks with who and when, found {len(stale)}: {incomplete}", pytrace=False)


@when(parsers.parse("the state locks held longer than {age} are released"))
def release_stale(age: str, infra_chaos_scenario: ChaosScenario, infra_locks: LockChecker,
                  request: pytest.FixtureRequest) -> None:
    """What ``infra-parity unlock --yes`` does for each stale lock."""
    require_destructive(request.config, request.getfixturevalue("infra_target"), "releasing state locks")
    scenario = infra_chaos_scenario
    released = []
    for lock in infra_locks.stale(_age(age), tables=sorted(scenario.tables), buckets=sorted(scenario.buckets)):
        infra_locks.release(lock)
        released.append(lock)
    scenario.locks.released = released
    if scenario.locks.older_than is None:
        scenario.locks.older_than = _age(age)
    _record_locks(request, scenario, sorted(scenario.tables | scenario.buckets))


def _record_locks(request: pytest.FixtureRequest, scenario: ChaosScenario, scope: list[str]) -> None:
    """Record the scenario's one ``locks`` section again with what its lock steps found (before the check)."""
    scenario.locks.where = tuple(dict.fromkeys([*scenario.locks.where, *scope]))
    record(request, locks_section(scenario.locks), key="locks")
