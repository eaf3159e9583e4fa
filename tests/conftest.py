"""Hypothesis profiles: HYPOTHESIS_PROFILE=dev (fast, default locally), ci (default on CI), thorough.

`autograd.testing.check_op` follows the active profile's max_examples, so one variable scales the whole
suite. Random graphs are built while drawing (each op is evaluated to keep the graph in a safe domain),
so data generation can be slow on a loaded machine: no profile fails for that (too_slow).
"""
import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                          derandomize=True, print_blob=True)
settings.register_profile("thorough", max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))



# CI sets GRAPHGRAD_REQUIRE_OPTIONAL=1 after installing every optional tool the tests use (.ci/run): there, a test
# skipped because one of them is missing fails instead, so a broken install cannot pass as green.
_OPTIONAL_TOOLS = ("torch", "selenium", "chromium", "chromedriver", "onnx", "onnxruntime")


def _required_but_missing(report):
    if not (report.skipped and os.environ.get("GRAPHGRAD_REQUIRE_OPTIONAL")):
        return False
    reason = str(report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr).lower()
    if any(tool in reason for tool in _OPTIONAL_TOOLS):
        report.outcome, report.longrepr = "failed", f"an optional tool CI installs is missing: {reason}"
    return True


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """(hook) A skip for a missing optional tool fails when GRAPHGRAD_REQUIRE_OPTIONAL is set."""
    outcome = yield
    _required_but_missing(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """(hook) The same for a whole module skipped at import (pytest.importorskip at the top)."""
    outcome = yield
    _required_but_missing(outcome.get_result())
