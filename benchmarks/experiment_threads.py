"""Experiment: one or two OpenBLAS threads for mid-size matmuls and a small training run, with the machine
as found and with the other core kept busy by a busy-loop process.

    python benchmarks/experiment_threads.py [--quick]

Threads are set with threadpoolctl when it is installed (a candidate dependency: it finds numpy's
OpenBLAS by itself and works after numpy is loaded), else with OPENBLAS_NUM_THREADS in a fresh
process. Each (load, threads) pair runs in its own process: the matmuls (median of interleaved
blocks) and `python -m nn --dataset digits --hidden 256 --epochs 5 --no-progress` (wall time of the
whole command, and the training time it prints). On a shared machine "as found" is not idle: the
load averages are printed with each row.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

import autograd  # noqa: F401  (first: whatever graphgrad sets process-wide is in force)
import numpy as np
from common import blas_threads, compare, fmt_time, optional, table
from procs import ROOT, child_args, report, run_child

CLI = ["--dataset", "digits", "--hidden", "256", "--epochs", "5", "--no-progress"]
THREADS = (1, 2)
LOADS = ("as found", "other core busy")


def matmuls():
    """name -> callable: the mid-size products of an MLP step and the case study's five."""
    rng = np.random.default_rng(0)
    a, b, c, d = (rng.standard_normal(s).astype(np.float32) for s in ((32, 64), (64, 256), (64, 784), (784, 512)))
    X, W, W2 = rng.standard_normal((300, 2)), rng.standard_normal((2, 100)), rng.standard_normal((100, 3))
    h, ds = np.maximum(0, X @ W), rng.standard_normal((300, 3))

    def case_study():                  # forward X@W, h@W2; backward h.T@dscores, dscores@W2.T, X.T@dhidden
        return X @ W, h @ W2, h.T @ ds, ds @ W2.T, X.T @ h
    return {"32x64 @ 64x256 f32": lambda: a @ b, "64x784 @ 784x512 f32": lambda: c @ d,
            "case study's 5 matmuls f64": case_study}


def limit_threads(n):
    """Limit numpy's BLAS to n threads in this process with threadpoolctl; False when it is missing."""
    tpc = optional("threadpoolctl")
    if tpc is None:
        return False
    tpc.threadpool_limits(limits=n, user_api="blas")
    return True


def child(threads, quick):
    """(In a fresh process.) Median time of each matmul with `threads` BLAS threads."""
    how = "threadpoolctl" if limit_threads(threads) else "OPENBLAS_NUM_THREADS"
    stats = compare(matmuls(), repeats=3 if quick else 7, budget=0.05 if quick else 0.2)
    report({"times": {k: s.median for k, s in stats.items()}, "how": how, "blas": blas_threads()})


def run_cli(threads, out):
    """Wall seconds of the nn command with `threads` BLAS threads, and the training seconds it prints."""
    code = ("import sys; from threadpoolctl import threadpool_limits; import numpy; "
            f"threadpool_limits(limits={threads}, user_api='blas'); from nn.cli import main; "
            f"sys.exit(main({CLI + ['--out', out, '--overwrite']!r}, prog='python -m nn'))")
    if optional("threadpoolctl"):
        cmd, env = [sys.executable, "-c", code], {}
    else:
        cmd = [sys.executable, "-m", "nn"] + CLI + ["--out", out, "--overwrite"]
        env = {"OPENBLAS_NUM_THREADS": str(threads)}
    env = dict(os.environ, PYTHONPATH=ROOT, **env)
    t = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, check=False)
    wall = time.perf_counter() - t
    if done.returncode:
        raise RuntimeError(f"python -m nn {' '.join(CLI)} failed:\n{done.stderr[-2000:]}")
    m = re.search(r"^training .*: ([\d.]+) s$", done.stdout, re.MULTILINE)
    return wall, float(m.group(1)) if m else None


def measure(load, quick, out):
    """Rows of one load condition: matmuls and the nn command, for 1 and 2 threads."""
    rows = []
    for n in THREADS:
        env = {} if optional("threadpoolctl") else {"OPENBLAS_NUM_THREADS": str(n)}
        r = run_child("experiment_threads.py", [n, quick], env=env, unset=("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"))
        wall, train = run_cli(n, out)
        la = "%.1f %.1f %.1f" % os.getloadavg()
        rows.append([load, f"{n} ({r['how']})"] + [fmt_time(t) for t in r["times"].values()]
                    + [f"{wall:.2f} s", f"{train:.2f} s" if train is not None else "?", la])
    return rows, list(r["times"])


def main(quick=False):
    print("\n## BLAS threads: 1 vs 2, with the machine as found and with the other core busy")
    rows = []
    with tempfile.TemporaryDirectory() as out:
        for load in LOADS:
            busy = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if load != LOADS[0] else None
            try:
                got, names = measure(load, quick, out)
                rows += got
            finally:
                if busy is not None:
                    busy.kill()          # only the process started above, by its handle
                    busy.wait()
    table(["load", "threads"] + names + ["nn digits command", "its training", "load avg after"], rows)


if __name__ == "__main__":
    args = child_args(sys.argv)
    if args:
        child(*args)
    else:
        main("--quick" in sys.argv)
