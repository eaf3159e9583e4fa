"""The process-wide glibc setting applied at import: on by the documented rule, off on request."""
import platform
import subprocess
import sys

import pytest

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
PROBE = ("import autograd, numpy as np, resource\n"
         "f = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
         "def step():\n"                                       # a step's temporaries: 240-720 KB, then freed
         "    xs = [np.ones(n) for n in (30000, 60000, 90000)]\n"
         "step()\n"
         "before = f()\n"
         "for _ in range(100):\n    step()\n"
         "print(autograd.memory.malloc_tuned(), f() - before)")


def run(env_extra):
    import os
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "GRAPHGRAD_MALLOC"))}
    out = subprocess.run([sys.executable, "-c", PROBE], env={**env, **env_extra}, capture_output=True, text=True,
                         check=True).stdout.split()
    return out[0] == "True", int(out[1])


@pytest.mark.skipif(not GLIBC, reason="the setting is for glibc only")
def test_applied_at_import_and_freed_blocks_no_longer_fault_in_again():
    tuned, faults = run({})
    untuned, faults_off = run({"GRAPHGRAD_MALLOC": "0"})
    assert tuned and not untuned
    assert faults < 20 < faults_off                            # glibc's defaults: ~2-3 per step here


@pytest.mark.skipif(not GLIBC, reason="the setting is for glibc only")
def test_a_user_tuned_glibc_is_left_alone():
    tuned, _ = run({"MALLOC_TRIM_THRESHOLD_": "1000000"})
    assert not tuned
