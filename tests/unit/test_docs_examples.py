"""The how-to guides and the sample CI files cannot rot: their code runs, their command lines parse.

Code blocks marked ``<!-- tested: NAME -->`` in ``docs/how-to/*.md`` are written into a pytester project
and run: the design of "Add a design" with the feature of "Write a feature" on moto, the policy pack of
"Add a policy" installed as a distribution (its ``pyproject.toml`` entry point becomes the
``entry_points.txt`` pip would write) and reporting violations, the target of "Add a target" chosen with
``--infra-target=lab``. Every ``pytest``/``infra-parity`` command line of the guides' shell blocks and of
``docs/examples/*.yml`` is parsed by the real parsers: pytest's (with every plugin loaded) and the
``infra-parity`` CLI's argparse.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HOW_TO = ROOT / "docs" / "how-to"
EXAMPLES = ROOT / "docs" / "examples"

TESTED = {
    "write-a-feature.md": {"reviewer-feature"},
    "add-a-design.md": {"design-template", "design-yaml", "design-terraform", "design-parity-scenario"},
    "add-a-policy.md": {"policy-module", "policy-pyproject", "policy-feature", "policy-python"},
    "add-a-target.md": {"target-conftest"},
}
"""Every marked block of each guide, and the test below that runs it."""

_MARKER = re.compile(r"<!--\s*tested:\s*([\w-]+)\s*-->\s*\n```(\w*)\n(.*?)\n```", re.S)


@dataclass(frozen=True)
class Block:
    language: str
    text: str


def marked_blocks(name: str) -> dict[str, Block]:
    """The fenced blocks of a guide marked ``<!-- tested: NAME -->`` on the line before the fence."""
    text = (HOW_TO / name).read_text(encoding="utf-8")
    return {m.group(1): Block(m.group(2), m.group(3) + "\n") for m in _MARKER.finditer(text)}


def block(guide: str, name: str) -> str:
    return marked_blocks(guide)[name].text


def test_every_marked_block_is_run_here() -> None:
    found = {path.name: set(marked_blocks(path.name)) for path in HOW_TO.glob("*.md")}
    assert {name: names for name, names in found.items() if names} == TESTED
    languages = {n: b.language for guide in TESTED for n, b in marked_blocks(guide).items()}
    assert languages["policy-module"] == languages["target-conftest"] == "python"
    assert languages["policy-pyproject"] == "toml"


# ---- the designs, features and policy pack of the guides, in one moto session -----------------------

LEGACY = """\
Resources:
  Inbox:
    Type: AWS::SQS::Queue
    Properties:
      Tags: [{Key: DataClass, Value: secret}]
  Outbox:
    Type: AWS::SQS::Queue
  Audit:
    Type: AWS::SQS::Queue
    Properties:
      Tags: [{Key: DataClass, Value: internal}]
"""
"""A design with a queue of the wrong class, one without the tag and one that complies."""


def write_orders_design(root: Path) -> None:
    """The ``orders`` design exactly as "Add a design" gives it."""
    folder = root / "designs" / "orders"
    (folder / "terraform").mkdir(parents=True)
    (folder / "template.yaml").write_text(block("add-a-design.md", "design-template"))
    (folder / "design.yaml").write_text(block("add-a-design.md", "design-yaml"))
    (folder / "terraform" / "main.tf").write_text(block("add-a-design.md", "design-terraform"))
    (root / "pytest.ini").write_text("[pytest]\ninfra_design_path = designs\n")


def install_policy_pack(site: Path) -> None:
    """What ``pip install ./acme-policies`` leaves in site-packages: the module and its dist-info."""
    project = tomllib.loads(block("add-a-policy.md", "policy-pyproject"))["project"]
    package = site / "acme_policies"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""ACME policies."""\n')
    (package / "sqs_data_class.py").write_text(block("add-a-policy.md", "policy-module"))
    info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n")
    groups = project["entry-points"]
    (info / "entry_points.txt").write_text("".join(
        f"[{group}]\n" + "".join(f"{name} = {value}\n" for name, value in entries.items())
        for group, entries in groups.items()))


@pytest.fixture
def acme_project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    write_orders_design(pytester.path)
    (pytester.path / "designs" / "legacy").mkdir()
    (pytester.path / "designs" / "legacy" / "template.yaml").write_text(LEGACY)
    install_policy_pack(pytester.path / "site")
    monkeypatch.setenv("PYTHONPATH", str(pytester.path / "site"))
    features = pytester.mkdir("features")
    (features / "orders.feature").write_text(block("write-a-feature.md", "reviewer-feature"))
    (features / "parity.feature").write_text("Feature: Parity\n" + block("add-a-design.md", "design-parity-scenario"))
    (features / "acme.feature").write_text(block("add-a-policy.md", "policy-feature"))
    return pytester


def test_the_guides_design_features_and_policy_pack_run_on_moto(acme_project: pytest.Pytester) -> None:
    result = acme_project.runpytest_subprocess("features", "-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=5, failed=1)
    result.stdout.fnmatch_lines([  # files run in name order
        "*acme.feature::test_every_queue_declares_its_data_class FAILED*",
        "*orders.feature::test_every_resource_of_the_template_exists PASSED*",
        "*parity.feature::test_the_terraform_modules_build_the_same_thing PASSED*",
    ])
    out = result.stdout.str()
    assert "2 failed, 0 unknown, 1 passed (3 resources checked)" in out
    assert re.search(r"queue Outbox .*\n\s+FAIL\s+ACME_SQS_001 \[medium\] expected a DataClass tag "
                     r"\(public, internal, confidential\), found none", out)
    assert re.search(r"queue Inbox .*\n\s+FAIL\s+ACME_SQS_001 .*found DataClass secret", out)
    assert not re.search(r"queue Audit .*\n\s+FAIL", out)


def test_the_policy_pack_answers_the_cli_and_python(acme_project: pytest.Pytester) -> None:
    cli = (sys.executable, "-m", "pytest_infra_parity.cli", "check")
    bad = acme_project.run(*cli, "legacy", "--design-path", "designs", "--policy", "ACME_SQS_001")
    assert bad.ret == 1
    bad.stdout.fnmatch_lines(["*2 failed, 0 unknown, 1 passed (3 resources checked)*", "*Outbox*",
                              "*FAIL*ACME_SQS_001*found none*"])
    good = acme_project.run(*cli, "orders", "--design-path", "designs", "--policy", "ACME_SQS_001")
    assert good.ret == 0, good.stdout.str()
    good.stdout.fnmatch_lines(["*0 failed, 0 unknown, 2 passed (2 resources checked)*"])
    script = acme_project.path / "check_orders.py"
    script.write_text(block("add-a-policy.md", "policy-python"))
    assert acme_project.run(sys.executable, str(script)).ret == 0
    script.write_text(block("add-a-policy.md", "policy-python").replace("orders/template", "legacy/template"))
    failed = acme_project.run(sys.executable, str(script))
    assert failed.ret == 1
    failed.stderr.fnmatch_lines(["*AssertionError*"])


# ---- the target of "Add a target" --------------------------------------------------------------------

LAB_FEATURE = """\
Feature: On the lab
  Scenario: The orders design runs on the lab
    Given the "orders" design is deployed
    Then every resource of the template exists
    And every queue has a dead-letter queue

  Scenario: A design the lab cannot serve is refused
    Given the "containers" design is deployed
"""


def test_the_guides_target_is_chosen_by_name(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                                             moto_endpoint: str) -> None:
    write_orders_design(pytester.path)
    containers = pytester.path / "designs" / "containers"
    containers.mkdir()
    (containers / "template.yaml").write_text("Resources:\n  Cluster:\n    Type: AWS::ECS::Cluster\n")
    pytester.makeconftest(block("add-a-target.md", "target-conftest"))
    pytester.makefile(".feature", lab=LAB_FEATURE)
    monkeypatch.setenv("LAB_ENDPOINT", moto_endpoint)
    result = pytester.runpytest_subprocess("--infra-target=lab", "-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        f"infra-parity: target lab (moto server at {moto_endpoint}), region *",
        "*test_the_orders_design_runs_on_the_lab PASSED*",
        "*lab cannot serve 1 service(s) design containers needs:*",
        "*ecs: the lab runs only cloudwatch, dynamodb, iam, kms, logs, s3, sns, sqs, ssm, sts*needed by Cluster*",
    ])
    monkeypatch.setenv("LAB_ENDPOINT", "http://127.0.0.1:9")
    down = pytester.runpytest_subprocess("--infra-target=lab", "-p", "no:cacheprovider")
    assert down.ret == pytest.ExitCode.USAGE_ERROR
    down.stderr.fnmatch_lines(["*the lab at http://127.0.0.1:9 does not answer*"])


# ---- command lines of the guides and of the sample CI files -----------------------------------------

_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
_ENV_ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")
_SEPARATORS = {"&&", "||", ";", "|", "&"}


def commands(script: str) -> Iterator[tuple[str, list[str]]]:
    """``("pytest" | "infra-parity", arguments)`` for each such command of a shell script."""
    script = _EXPRESSION.sub("X", script.replace("\\\n", " "))
    for line in script.splitlines():
        lexer = shlex.shlex(line.strip().removeprefix("$ "), posix=True, punctuation_chars=True)
        lexer.whitespace_split, lexer.commenters = True, "#"
        words: list[str] = []
        for token in [*lexer, ";"]:
            if token not in _SEPARATORS:
                words.append(token)
                continue
            while words and _ENV_ASSIGNMENT.match(words[0]):
                words.pop(0)
            if words[:3] == ["python", "-m", "pytest"]:
                words = ["pytest", *words[3:]]
            if words and words[0] in ("pytest", "infra-parity"):
                yield words[0], words[1:]
            words = []


def _shell_blocks(path: Path) -> str:
    return "\n".join(re.findall(r"```(?:bash|sh|console)\n(.*?)\n```", path.read_text(encoding="utf-8"), re.S))


def _run_steps(document: Any) -> Iterator[str]:
    """Every shell script of a GitHub workflow (``run``) or a GitLab pipeline (``script`` lists)."""
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "run" and isinstance(value, str):
                yield value
            elif key in ("script", "before_script", "after_script") and isinstance(value, list):
                yield from (str(item) for item in value)
            else:
                yield from _run_steps(value)
    elif isinstance(document, list):
        for item in document:
            yield from _run_steps(item)


def _example(name: str) -> Any:
    return yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))


def _variables(document: Any) -> dict[str, str]:
    """Every ``env`` (GitHub) and ``variables`` (GitLab) value of a CI file, for ``$NAME`` in commands."""
    found: dict[str, str] = {}
    if isinstance(document, dict):
        for key, value in document.items():
            if key in ("env", "variables") and isinstance(value, dict):
                found.update({str(k): str(v) for k, v in value.items()})
            found.update(_variables(value))
    elif isinstance(document, list):
        for item in document:
            found.update(_variables(item))
    return found


def _expand(script: str, variables: dict[str, str]) -> str:
    return re.sub(r"\$\{?([A-Za-z_]\w*)\}?", lambda m: variables.get(m.group(1), m.group(0)), script)


def _all_commands() -> list[tuple[str, str, list[str]]]:
    found = [(path.name, tool, args) for path in sorted(HOW_TO.glob("*.md")) for tool, args in
             commands(_shell_blocks(path))]
    for path in sorted(EXAMPLES.glob("*.yml")):
        document = _example(path.name)
        variables = _variables(document)
        found += [(path.name, tool, args) for script in _run_steps(document)
                  for tool, args in commands(_expand(script, variables))]
    return found


def pytest_usage_error(pytester: pytest.Pytester, args: list[str]) -> str | None:
    """The usage error pytest's own parser (every installed plugin loaded) gives these arguments, or None."""
    try:
        pytester.parseconfig(*args)
    except pytest.UsageError as exc:
        return str(exc)
    return None


def infra_parity_usage_error(args: list[str]) -> str | None:
    """The error of the ``infra-parity`` parser (core and room subcommands) for these arguments, or None."""
    from pytest_infra_parity import cli

    parser = cli._parser()
    cli._room_commands(parser)
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr):
            parser.parse_args(args)
    except SystemExit:
        return stderr.getvalue().strip().splitlines()[-1]
    return None


def test_the_checkers_refuse_an_unknown_option(pytester: pytest.Pytester) -> None:
    assert pytest_usage_error(pytester, ["features", "--infra-target=aws", "-n", "0"]) is None
    assert "--infra-bogus" in str(pytest_usage_error(pytester, ["features", "--infra-bogus=1"]))
    assert infra_parity_usage_error(["sweep", "--target", "aws", "--yes"]) is None
    assert "--bogus" in str(infra_parity_usage_error(["sweep", "--bogus"]))
    assert list(commands('A=1 pytest x -k "a and b" && infra-parity localstack stop --port "$P" || true')) == [
        ("pytest", ["x", "-k", "a and b"]), ("infra-parity", ["localstack", "stop", "--port", "$P"])]


def test_every_command_line_of_the_guides_and_samples_parses(pytester: pytest.Pytester) -> None:
    found = _all_commands()
    files = {name for name, _, _ in found}
    assert {"github-actions-ci.yml", "github-actions-nightly.yml", "gitlab-ci.yml", "ci-localstack.md",
            "nightly-aws.md", "write-a-feature.md"} <= files
    errors = []
    for name, tool, args in found:
        error = pytest_usage_error(pytester, args) if tool == "pytest" else infra_parity_usage_error(args)
        if error:
            errors.append(f"{name}: {tool} {shlex.join(args)}\n    {error}")
    assert not errors, "\n".join(errors)


# ---- what the sample CI files must do ----------------------------------------------------------------


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = job["steps"]
    return steps


def _pytest_lines(scripts: Iterator[str] | list[str]) -> list[list[str]]:
    return [args for script in scripts for tool, args in commands(script) if tool == "pytest"]


@pytest.mark.parametrize("name", ["github-actions-ci.yml", "github-actions-nightly.yml", "gitlab-ci.yml"])
def test_every_run_keeps_its_report_and_junit(name: str) -> None:
    runs = _pytest_lines(list(_run_steps(_example(name))))
    assert runs
    for args in runs:
        reports = [a.split("=", 1)[1] for a in args if a.startswith("--infra-report=")]
        assert {Path(r).suffix for r in reports} == {".html", ".json"}, args
        assert any(a.startswith("--junitxml=") for a in args), args
        target = next((a.split("=", 1)[1] for a in args if a.startswith("--infra-target=")), "moto")
        if target != "moto":  # one LocalStack or account for the whole job: no xdist workers
            assert "-n" in args and args[args.index("-n") + 1] == "0", args


def test_github_ci_starts_and_always_stops_localstack_and_uploads_reports() -> None:
    jobs = _example("github-actions-ci.yml")["jobs"]
    assert set(jobs) == {"moto", "localstack", "report"}
    steps = _steps(jobs["localstack"])
    runs = [s.get("run", "") for s in steps]
    start = next(i for i, r in enumerate(runs) if "localstack start" in r)
    stop = next(i for i, r in enumerate(runs) if "localstack stop" in r)
    test = next(i for i, r in enumerate(runs) if "--infra-target=localstack" in r)
    assert start < test < stop and steps[stop].get("if") == "always()"
    assert "--infra-fallback=moto" in runs[test]
    cache = next(s for s in steps if str(s.get("uses", "")).startswith("actions/cache"))
    assert "pytest-infra-parity/localstack/venv-" in cache["with"]["path"]
    for job in jobs.values():
        upload = [s for s in _steps(job) if str(s.get("uses", "")).startswith("actions/upload-artifact")]
        assert upload and all(s.get("if") == "always()" and s["with"]["path"] == "reports/" for s in upload)


def test_github_ci_merges_the_json_reports_the_legs_wrote() -> None:
    jobs = _example("github-actions-ci.yml")["jobs"]
    written = {Path(a.split("=", 1)[1]).name for job in ("moto", "localstack")
               for args in _pytest_lines([s.get("run", "") for s in _steps(jobs[job])])
               for a in args if a.startswith("--infra-report=") and a.endswith(".json")}
    merge = jobs["report"]
    assert set(merge["needs"]) == {"moto", "localstack"} and merge["if"] == "always()"
    merged = [args for s in _steps(merge) for tool, args in commands(s.get("run", "")) if tool == "infra-parity"]
    assert len(merged) == 1 and merged[0][0] == "report"
    assert {Path(a).name for a in merged[0][1:] if a.endswith(".json") and "legs/" in a} == written == {
        "moto.json", "localstack.json"}


def test_github_nightly_reads_staging_and_sweeps_the_sandbox() -> None:
    workflow = _example("github-actions-nightly.yml")
    assert workflow["permissions"]["id-token"] == "write"
    assert "schedule" in workflow[True]  # YAML 1.1 reads the key `on` as True
    staging, sandbox = workflow["jobs"]["staging-read-only"], workflow["jobs"]["sandbox-destructive"]
    for job in (staging, sandbox):
        credentials = next(s for s in _steps(job) if str(s.get("uses", "")).startswith(
            "aws-actions/configure-aws-credentials"))
        assert "role-to-assume" in credentials["with"]
        for args in _pytest_lines([s.get("run", "") for s in _steps(job)]):
            assert "--infra-target=aws" in args and any(a.startswith("--infra-allowed-account=") for a in args)
    assert not any("--infra-allow-destructive" in s.get("run", "") for s in _steps(staging))
    runs = [s.get("run", "") for s in _steps(sandbox)]
    test = next(i for i, r in enumerate(runs) if "--infra-allow-destructive" in r)
    sweep = next(i for i, r in enumerate(runs) if "infra-parity sweep" in r)
    assert test < sweep and _steps(sandbox)[sweep].get("if") == "always()" and "--yes" in runs[sweep]
    assert "if" in sandbox and sandbox["concurrency"]["cancel-in-progress"] is False


def test_gitlab_stops_localstack_after_the_script_and_keeps_artifacts_always() -> None:
    pipeline = _example("gitlab-ci.yml")
    job = pipeline["features-localstack"]
    assert any("localstack stop" in line for line in job["after_script"])
    assert any("localstack start" in line for line in job["script"])
    assert pipeline["variables"]["INFRA_PARITY_CACHE_DIR"].startswith("$CI_PROJECT_DIR/")
    assert any("venv-" in path for path in job["cache"]["paths"])
    for name in ("features-moto", "features-localstack"):
        artifacts = pipeline[name]["artifacts"]
        assert artifacts["when"] == "always" and artifacts["reports"]["junit"].endswith("-junit.xml")


def test_the_index_links_every_guide_and_no_link_is_dead() -> None:
    index = ROOT / "docs" / "how-to.md"
    text = index.read_text(encoding="utf-8")
    for guide in sorted(HOW_TO.glob("*.md")):
        assert f"(how-to/{guide.name})" in text, guide.name
    for page in [index, ROOT / "docs" / "capabilities.md", *sorted(HOW_TO.glob("*.md"))]:
        for link in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if not link.startswith(("http:", "https:")):
                assert (page.parent / link).exists(), f"{page.name}: {link}"
