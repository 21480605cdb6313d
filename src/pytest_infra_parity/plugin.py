"""pytest entry point (``pytest11``): options, ini keys, markers and hook registration only.

Heavy libraries (boto3, moto, cfn-lint, locust) are never imported here; the runtime object, the
fixtures and the step library are registered in ``pytest_configure``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pytest_infra_parity.settings import Settings
    from pytest_infra_parity.targets.protocol import Target

FIXTURE_MODULES = (
    "pytest_infra_parity.fixtures",
    "pytest_infra_parity.fixtures.inventory",
    "pytest_infra_parity.fixtures.sim",
    "pytest_infra_parity.fixtures.scaling",
    "pytest_infra_parity.fixtures.chaos",
    "pytest_infra_parity.fixtures.cost",
    "pytest_infra_parity.fixtures.compliance",
    "pytest_infra_parity.fixtures.load",
)
"""Modules of public fixtures, registered as plugins in ``pytest_configure`` (one per room)."""

STEP_MODULES = (
    "pytest_infra_parity.bdd.steps_deploy",
    "pytest_infra_parity.bdd.steps_inventory",
    "pytest_infra_parity.bdd.steps_parity",
    "pytest_infra_parity.bdd.steps_canary",
    "pytest_infra_parity.bdd.steps_scaling",
    "pytest_infra_parity.bdd.steps_chaos",
    "pytest_infra_parity.bdd.steps_cost",
    "pytest_infra_parity.bdd.steps_load",
)
"""The step library: every step of these modules is available to every feature file."""

# Help-text style: start with a capital letter, no trailing period, say what the default is.


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from pytest_infra_parity import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("infra-parity", "infrastructure designs: acceptance and chaos tests")
    group.addoption("--infra-target", dest="infra_target", metavar="NAME",
                    help="Where designs are deployed: moto (embedded, default), localstack, aws, or a target "
                         "a plugin provides through pytest_infra_parity_make_target")
    group.addoption("--infra-region", dest="infra_region", metavar="REGION",
                    help="AWS region (default: the environment's or profile's region, else us-east-1)")
    group.addoption("--infra-profile", dest="infra_profile", metavar="PROFILE",
                    help="Named AWS profile for the aws target (default: AWS_PROFILE or the default chain)")
    group.addoption("--infra-endpoint", dest="infra_endpoint", metavar="URL",
                    help="LocalStack endpoint (default: LOCALSTACK_ENDPOINT or http://localhost:4566)")
    group.addoption("--infra-localstack", dest="infra_localstack", metavar="MODE",
                    help="existing: use a running LocalStack (default); start: start one (an existing endpoint, else "
                         "Docker, else localstack-core on this host)")
    group.addoption("--infra-fallback", dest="infra_fallback", metavar="TARGET",
                    help="moto: serve what LocalStack cannot (501, failed download) on the embedded moto server; "
                         "none (default): skip steps that need it")
    group.addoption("--infra-allowed-account", dest="infra_allowed_account", action="append", default=[],
                    metavar="ACCOUNT_ID", help="AWS account the run may touch (repeatable; required with aws)")
    group.addoption("--infra-design-path", dest="infra_design_path", action="append", default=[],
                    metavar="DIR", help="Folder holding user designs (repeatable)")
    group.addoption("--infra-keep-stacks", dest="infra_keep_stacks", action="store_true", default=False,
                    help="Leave deployed stacks in place at the end of the session (for debugging)")
    group.addoption("--infra-prices", dest="infra_prices", metavar="MODE",
                    help="Prices of cost estimates: offline (the dated catalog, default) or live (AWS Price List "
                         "API, aws target only)")
    group.addoption("--infra-cost-rate", dest="infra_cost_rate", action="append", default=[], metavar="CODE=USD",
                    help="Exchange rate for cost estimates, e.g. EUR=1.17 (1 EUR = 1.17 USD; repeatable; default: "
                         "the catalog's dated rate)")
    group.addoption("--infra-allow-destructive", dest="infra_allow_destructive", action="store_true", default=False,
                    help="On a target that is read-only by default (aws): deploy designs, seed and release locks, "
                         "kill deployments (default: skip those steps with the reason)")
    group.addoption("--infra-report", dest="infra_report", action="append", default=[], metavar="PATH",
                    help="Write the run's report: PATH.html (self-contained, with charts) or PATH.json (repeatable)")
    parser.addini("infra_target", "Default for --infra-target", default="")
    parser.addini("infra_region", "Default for --infra-region", default="")
    parser.addini("infra_profile", "Default for --infra-profile", default="")
    parser.addini("infra_endpoint", "Default for --infra-endpoint", default="")
    parser.addini("infra_localstack", "Default for --infra-localstack", default="")
    parser.addini("infra_fallback", "Default for --infra-fallback", default="")
    parser.addini("infra_allowed_account", "Accounts the run may touch", type="linelist", default=[])
    parser.addini("infra_design_path", "Folders holding user designs", type="linelist", default=[])
    parser.addini("infra_prices", "Default for --infra-prices", default="")
    parser.addini("infra_cost_rates", "Exchange rates for cost estimates (CODE=USD lines)", type="linelist",
                  default=[])
    parser.addini("infra_allow_destructive", "Default for --infra-allow-destructive", type="bool", default=False)
    parser.addini("infra_report", "Default for --infra-report (report files, .html or .json)", type="linelist",
                  default=[])
    parser.addini("infra_collect_features", "Collect *.feature files as tests (default true)",
                  type="bool", default=True)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "infra_target(*names): run only on these targets, skip elsewhere")
    config.addinivalue_line("markers", "infra_capability(*names): skip unless the target has these capabilities")
    from pytest_infra_parity.session_plugin import InfraRuntime

    runtime = InfraRuntime.from_config(config)
    config.pluginmanager.register(runtime, "infra-parity-runtime")
    from pytest_infra_parity.report.hooks import ReportPlugin

    config.pluginmanager.register(ReportPlugin(config, runtime.settings), "infra-parity-report")
    import importlib

    for module in (*FIXTURE_MODULES, *STEP_MODULES):
        config.pluginmanager.register(importlib.import_module(module), f"infra-parity:{module}")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix == ".feature" and parent.config.getini("infra_collect_features"):
        from pytest_infra_parity.bdd.collect import FeatureFile

        return FeatureFile.from_parent(parent, path=file_path)
    return None


@pytest.hookimpl(trylast=True)
def pytest_infra_parity_make_target(settings: Settings, config: pytest.Config) -> Target | None:
    from pytest_infra_parity.targets import make_builtin_target

    return make_builtin_target(settings)
