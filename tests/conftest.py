"""Hypothesis profiles: HYPOTHESIS_PROFILE=dev (fast, default locally), ci (default on CI), thorough.

`autograd.testing.check_op` follows the active profile's max_examples, so one variable scales the whole
suite. Random graphs are built while drawing (each op is evaluated to keep the graph in a safe domain),
so data generation can be slow on a loaded machine: no profile fails for that (too_slow).
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                          derandomize=True, print_blob=True)
settings.register_profile("thorough", max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
