"""The ``infra_inventory`` fixture, used from a test module on the moto target."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_infra_inventory_reads_every_kind_of_selector(pytester: pytest.Pytester, small_design: Path) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture(scope="module")
        def stack(infra_deploy):
            return infra_deploy("small")

        def test_stack_object(stack, infra_inventory):
            inventory = infra_inventory(stack)
            queue = inventory.by_name("Queue")
            assert queue.tags == {"Project": "small", "Env": "dev"}
            assert queue.encryption.mode == "customer-managed"
            assert queue.encryption.key == stack.physical_id("Key")
            assert inventory.by_name("Key").settings["rotation"] is True
            assert inventory.warnings == []

        def test_stack_by_name_tags_and_arns(stack, infra_inventory):
            by_name = infra_inventory("stack:" + stack.name)
            assert {r.name for r in by_name} == {"Key", "Queue"}
            tagged = infra_inventory("tags:Project=small,Env=dev")
            assert [r.kind for r in tagged] == ["queue"]
            key_arn = stack.outputs["KeyArn"]
            assert [r.kind for r in infra_inventory([key_arn])] == ["key"]

        def test_design_and_template_sources(infra_inventory):
            declared = infra_inventory("small")
            assert declared.by_name("Queue").encryption.mode == "customer-managed"
            assert declared.by_name("Queue").tags == {"Project": "small", "Env": "dev"}
            assert infra_inventory("designs/small/template.yaml").by_name("Key").settings["rotation"] is True

        def test_snapshot_round_trip(stack, infra_inventory, tmp_path):
            from pytest_infra_parity.inventory.snapshot import save
            path = save(infra_inventory(stack), tmp_path / "snap.json")
            assert infra_inventory(str(path)).by_name("Queue").tags["Env"] == "dev"

        def test_bad_selector(infra_inventory):
            infra_inventory("tags:Project")
        """
    )
    result = pytester.runpytest_subprocess("--infra-design-path=designs", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["*infra-parity: tags:Project: 'Project' is not Key=Value*"])
    result.stdout.no_fnmatch_line("*Traceback*")
