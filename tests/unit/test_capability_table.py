"""The capability table (docs/capabilities.md) covers every capability and says what the code does."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_infra_parity.catalogue import CATALOGUES
from pytest_infra_parity.targets import BUILTIN, capability_table
from pytest_infra_parity.targets.capability_table import (
    PACKAGE_ROOT,
    ROWS,
    TARGET_NOTES,
    builtin_target_classes,
    capability_docs,
    cell,
    cited_modules,
    missing_rows,
    render,
)
from pytest_infra_parity.targets.protocol import (
    ALL_CAPABILITIES,
    EVALUATES_ALARMS,
    EXECUTES_LAMBDA,
    PERSISTENT,
    REAL_CLOUDFORMATION,
    RUNS_APPCONFIG_DEPLOYMENTS,
    RUNS_CODEDEPLOY,
    RUNS_CONTAINERS,
    SERVES_HTTP_API,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_capability_has_exactly_one_row() -> None:
    assert missing_rows() == []
    assert set(ROWS) == set(ALL_CAPABILITIES)


def test_a_capability_without_a_row_stops_the_generator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(capability_table, "ROWS", {k: v for k, v in ROWS.items() if k != RUNS_CONTAINERS})
    assert missing_rows() == [RUNS_CONTAINERS]
    with pytest.raises(ValueError, match=r"capabilities without a row in capability_table\.ROWS: runs_containers"):
        render()


@pytest.mark.parametrize("module", cited_modules())
def test_every_cited_module_exists(module: str) -> None:
    assert (PACKAGE_ROOT / module).is_file(), module


def test_every_cited_page_exists() -> None:
    pages = {d for row in ROWS.values() for b in (row.absent, row.present) for d in b.docs}
    assert pages
    assert [p for p in pages if not (DOCS / p).is_file()] == []


def test_notes_name_built_in_targets_and_known_capabilities() -> None:
    assert {t for t, _ in TARGET_NOTES} <= set(BUILTIN)
    assert {c for _, c in TARGET_NOTES} <= set(ALL_CAPABILITIES)


def test_the_built_in_classes_are_the_built_in_targets() -> None:
    classes = builtin_target_classes()
    assert set(classes) == set(BUILTIN)
    assert all(cls.name == name for name, cls in classes.items())


def test_each_capability_is_explained_by_its_docstring_in_the_protocol() -> None:
    docs = capability_docs()
    assert set(docs) == set(ALL_CAPABILITIES)
    assert docs[PERSISTENT] == ("Resources outlive the test session (a killed run leaves them behind: see "
                                "`infra-parity sweep`).")


def test_cells_follow_what_each_class_declares() -> None:
    for name, cls in builtin_target_classes().items():
        for capability in ALL_CAPABILITIES:
            row = ROWS[capability]
            expected = row.present.verdict if capability in cls.capabilities else row.absent.verdict
            assert cell(name, cls.capabilities, capability).startswith(f"**{expected}**")
    assert cell("moto", frozenset(), EXECUTES_LAMBDA) == \
        "**local runtime** (moto runs Lambda code only with Docker)"
    assert cell("aws", frozenset(ALL_CAPABILITIES), REAL_CLOUDFORMATION) == "**real**"


class _PluginTarget:
    """A target a plugin adds: one real capability, read-only, partial."""

    name = "lab"
    capabilities = frozenset({EXECUTES_LAMBDA})
    read_only_by_default = True

    def serves(self, service: str) -> object:
        return service


def test_a_plugin_target_gets_a_column_and_its_notes() -> None:
    text = render({"lab": _PluginTarget})
    lambda_row = next(line for line in text.splitlines() if line.startswith("| `executes_lambda`"))
    alarms_row = next(line for line in text.splitlines() if line.startswith("| `evaluates_alarms`"))
    assert lambda_row.endswith("| **real** |")
    assert alarms_row.endswith("| **emulated** |")
    notes = next(line for line in text.splitlines() if line.startswith("- **`lab`**"))
    assert "declares `executes_lambda`" in notes
    assert "read-only by default" in notes and "`--infra-allow-destructive`" in notes
    assert "serves only some services" in notes


def test_localstack_lists_the_services_it_probes() -> None:
    from pytest_infra_parity.targets.localstack_capabilities import DEFAULT_SERVICES

    text = render()
    notes = next(line for line in text.splitlines() if line.startswith("- **`localstack`**"))
    assert all(f"`{service}`" in notes for service in DEFAULT_SERVICES)
    assert "--infra-fallback=moto" in notes


def test_the_generated_page_is_a_catalogue() -> None:
    assert CATALOGUES["capabilities.md"] is not None
    assert (DOCS / "capabilities.md").read_text(encoding="utf-8") == CATALOGUES["capabilities.md"]()


EVIDENCE: dict[str, list[tuple[str, str]]] = {
    EVALUATES_ALARMS: [("sim/canary_target.py", "set_alarm_state"), ("sim/scaling_target.py", "SetAlarmState"),
                       ("sim/alarms.py", "def evaluate")],
    RUNS_CODEDEPLOY: [("bdd/steps_canary.py", "if RUNS_CODEDEPLOY in target.capabilities"),
                      ("load/canary_run_step.py", "if RUNS_CODEDEPLOY in target.capabilities"),
                      ("sim/canary_target.py", "update_alias")],
    RUNS_APPCONFIG_DEPLOYMENTS: [("sim/canary_flags.py", "nothing is written to the target"),
                                 ("deploy/provisioners/_emulated.py", '"/infra-parity/emulated"')],
    EXECUTES_LAMBDA: [("fixtures/load.py", "EXECUTES_LAMBDA not in target.capabilities"),
                      ("fixtures/load.py", 'pytest.skip("the target runs Lambda functions itself'),
                      ("bdd/steps_load.py", "pytest.skip(\"stand-ins replace resources"),
                      ("runtime/worker.py", "Node.js handlers need the `node`")],
    SERVES_HTTP_API: [("load/scenario.py", "if self.serving is not None:"),
                      ("bdd/steps_load.py", 'pytest.skip("the status counts come from the local gateway")')],
    RUNS_CONTAINERS: [("fixtures/scaling.py", 'if infra_target.name == "aws":'),
                      ("sim/scaling_target.py", "desiredCount=count")],
    REAL_CLOUDFORMATION: [("deploy/session.py", "if REAL_CLOUDFORMATION in target.capabilities:"),
                          ("fixtures/chaos.py", "your own deployment command there")],
    PERSISTENT: [("session_plugin.py", "PERSISTENT in self._target.capabilities"),
                 ("deploy/sweep.py", "def plan_stacks")],
}
"""For each row, code that makes its sentences true: a change there must revisit the table."""


@pytest.mark.parametrize("capability", ALL_CAPABILITIES)
def test_the_rows_claims_are_in_the_code(capability: str) -> None:
    for module, text in EVIDENCE[capability]:
        assert text in (PACKAGE_ROOT / module).read_text(encoding="utf-8"), f"{module} no longer has {text!r}"
