"""cfn-lint through its Python API: findings with rule, level, line and logical id; check() and its cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_infra_parity.deploy import validate
from pytest_infra_parity.deploy.validate import LintFinding, check, lint
from pytest_infra_parity.errors import TemplateError

TEMPLATES = Path(__file__).parent / "templates"


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    validate.clear_cache()
    yield
    validate.clear_cache()


def test_good_template_has_no_findings() -> None:
    assert lint(TEMPLATES / "lint_good.yaml") == []
    assert check(TEMPLATES / "lint_good.yaml") == []


def test_bad_template_findings() -> None:
    path = TEMPLATES / "lint_bad.yaml"
    findings = lint(path)
    by_rule = {f.rule_id: f for f in findings}
    assert set(by_rule) == {"E3002", "E1020"}
    typo = by_rule["E3002"]
    assert (typo.level, typo.line, typo.logical_id, typo.path) == ("error", 6, "Bucket", path)
    assert "'BucketNam' was unexpected" in typo.message
    assert (by_rule["E1020"].line, by_rule["E1020"].logical_id) == (10, "Queue")
    assert "'Missing' is not one of" in by_rule["E1020"].message


def test_check_raises_listing_every_error() -> None:
    path = TEMPLATES / "lint_bad.yaml"
    with pytest.raises(TemplateError) as info:
        check(path)
    err = info.value
    assert err.path == path
    assert err.line == 6
    assert err.message.startswith("cfn-lint found 2 error(s) in the template:")
    assert f"{path}:6: E3002 " in err.message
    assert f"{path}:10: E1020 " in err.message


def test_check_returns_warnings() -> None:
    warnings = check(TEMPLATES / "basic.yaml")
    assert {(w.rule_id, w.level, w.logical_id) for w in warnings} == {
        ("W8001", "warning", "NotProd"),
        ("W2001", "warning", "Size"),
    }


def test_ignored_rules() -> None:
    assert check(TEMPLATES / "lint_bad.yaml", ignore=["E3002", "E1020"]) == []


def test_malformed_template_is_a_parse_error() -> None:
    (finding,) = lint(TEMPLATES / "malformed.yaml")
    assert (finding.rule_id, finding.level, finding.line) == ("E0000", "error", 6)
    with pytest.raises(TemplateError, match="E0000"):
        check(TEMPLATES / "malformed.yaml")


def test_sam_template_is_linted_after_its_transform() -> None:
    # cfn-lint's findings on this template change with its release (a circular dependency through
    # Globals in some, the nodejs20.x deprecation in all): each must point back at a SAM function.
    findings = lint(TEMPLATES / "sam_seed004" / "template.yaml")
    assert findings
    located = [f for f in findings if f.logical_id in {"MockReadFn", "PrismaReadFn", "CleanupFn"}]
    assert located and all(f.line for f in located)


def test_missing_file() -> None:
    with pytest.raises(TemplateError, match="cannot lint the template"):
        lint(TEMPLATES / "nope.yaml")


def test_results_are_cached_per_file_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")
    calls: list[Path] = []
    real_run = validate._run

    def counting_run(p: Path, regions: list[str], ignore: list[str]) -> list[LintFinding]:
        calls.append(p)
        return real_run(p, regions, ignore)

    monkeypatch.setattr(validate, "_run", counting_run)
    assert lint(path) == []
    assert lint(path) == []
    assert len(calls) == 1
    path.write_text(path.read_text() + "    Properties: {Bogus: 1}\n")
    assert [f.rule_id for f in lint(path)] == ["E3002"]
    assert len(calls) == 2
    lint(path, regions=["eu-west-1"])
    assert len(calls) == 3


def test_describe() -> None:
    finding = LintFinding("W1", "warning", "msg", Path("t.yaml"), 3, "A")
    assert finding.describe() == "t.yaml:3: W1 msg"
    assert LintFinding("E1", "error", "m", Path("t.yaml"), None, None).describe() == "t.yaml: E1 m"
