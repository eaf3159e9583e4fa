"""Shared benchmark helpers: optional peers, interleaved timing, tables, machine description, profiling."""
import cProfile
import ctypes
import gc
import importlib
import os
import platform
import pstats
import statistics
import time

import numpy as np


def optional(name):
    """The module `name`, or None when it is not installed (every peer is optional)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


# --- timing -------------------------------------------------------------------------------------
class Stat:
    """Seconds per call over the repeats: median and min."""

    def __init__(self, samples):
        self.samples = samples
        self.median = statistics.median(samples)
        self.min = min(samples)


def _calibrate(fn, budget):
    """How many calls make one timed block last about `budget` seconds."""
    t = time.perf_counter()
    fn()
    once = time.perf_counter() - t
    return max(1, int(budget / max(once, 1e-7)))


def compare(cases, repeats=7, budget=0.2, warmup=2, gc_off=False):
    """Time each callable of `cases` (name -> fn), rotating the order every round so drift hits all.

    Each round times one block of calls per case (block size calibrated to `budget` seconds).
    Garbage is collected (untimed) before each block, so a case pays only for the collections its own
    allocations trigger. `gc_off`: cyclic GC disabled during each block.
    Returns name -> Stat of seconds per call.
    """
    for fn in cases.values():
        for _ in range(warmup):
            fn()
    numbers = {name: _calibrate(fn, budget) for name, fn in cases.items()}
    samples = {name: [] for name in cases}
    names = list(cases)
    for r in range(repeats):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            fn, n = cases[name], numbers[name]
            fn()                                    # re-warm caches after the other cases ran
            gc.collect()                            # no case pays for another's garbage
            if gc_off:
                gc.disable()
            t = time.perf_counter()
            for _ in range(n):
                fn()
            samples[name].append((time.perf_counter() - t) / n)
            gc.enable()
    return {name: Stat(s) for name, s in samples.items()}


def fmt_time(s):
    """Seconds in a readable unit."""
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6)):
        if s >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s * 1e9:.3g} ns"


def table(header, rows):
    """Print rows (lists of cells) under `header`, columns aligned."""
    rows = [[str(c) for c in row] for row in [header] + rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for j, row in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if j == 0:
            print("  ".join("-" * w for w in widths))


def timing_table(stats, base, extra=None):
    """Print median/min per case and the median ratio against case `base`; `extra` adds a column."""
    rows = []
    for name, st in stats.items():
        ratio = f"{st.median / stats[base].median:.2f}x" if base in stats else "-"
        row = [name, fmt_time(st.median), fmt_time(st.min), ratio]
        rows.append(row + ([extra(name, st)] if extra else []))
    header = ["case", "median", "min", f"vs {base}"] + (["note"] if extra else [])
    table(header, rows)


def verdict(what, ratio, target, lower_is_better=True):
    """One line saying whether a ratio meets its target."""
    ok = ratio <= target if lower_is_better else ratio >= target
    sign = "<=" if lower_is_better else ">="
    print(f"TARGET {what}: {ratio:.2f}x (target {sign} {target}x) -> {'met' if ok else 'NOT met'}")
    return ok


# --- machine ------------------------------------------------------------------------------------
def _openblas():
    """ctypes handles of the OpenBLAS libraries loaded in this process (numpy's)."""
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "openblas" in line.lower()}
    return [ctypes.CDLL(p) for p in sorted(paths)]


def blas_threads():
    """Threads numpy's OpenBLAS uses (read from the loaded library), or None if unknown."""
    for lib in _openblas():
        for sym in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_", "openblas_get_num_threads"):
            if hasattr(lib, sym):
                return getattr(lib, sym)()
    return None


def set_blas_threads(n):
    """Make numpy's OpenBLAS use n threads; False if no known setter was found."""
    for lib in _openblas():
        for sym in ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_", "openblas_set_num_threads"):
            if hasattr(lib, sym):
                getattr(lib, sym)(ctypes.c_int(n))
                return True
    return False


def threads_arg(argv):
    """N from a `--threads=N` argument, or None."""
    for a in argv:
        if a.startswith("--threads="):
            return int(a.split("=", 1)[1])
    return None


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def describe_machine():
    """Print CPU, cores, Python, numpy + BLAS, threads and the optional peers' versions."""
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    print(f"CPU:      {cpu_model()}, {os.cpu_count()} logical cores "
          f"(affinity: {len(os.sched_getaffinity(0))})")
    print(f"Python:   {platform.python_version()} ({platform.python_implementation()}), {platform.platform()}")
    print(f"numpy:    {np.__version__}, BLAS {blas.get('name')} {blas.get('version')} "
          f"[{blas.get('openblas configuration', '').strip()}]")
    print(f"threads:  BLAS {blas_threads()} (OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}); torch is set to the same in bench_mlp")
    print(f"peers:    torch {_version('torch')}, micrograd {_version('micrograd')}, "
          f"threadpoolctl {_version('threadpoolctl')} (experiment_threads.py only)")
    print(f"graphgrad: {_git('rev-parse', '--short', 'HEAD')}"
          f"{' + uncommitted changes in autograd/ or nn/' if _git('status', '--porcelain', 'autograd', 'nn') else ''}")
    print("load:     %.2f %.2f %.2f (1, 5, 15 min averages; other processes on the machine skew timings)"
          % os.getloadavg())
    if os.getloadavg()[0] > 0.5 * os.cpu_count():
        print("WARNING:  the machine is busy: with 2 BLAS threads competing for cores, matmul medians can be "
              "10-50x off (benchmarks/experiment_threads.py); rerun on a quiet machine before trusting ratios")


def _git(*args):
    import subprocess
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def _version(dist):
    from importlib.metadata import version, PackageNotFoundError
    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


# --- profiling ----------------------------------------------------------------------------------
def gc_share(fn, calls):
    """Fraction of fn's time spent in Python's cyclic GC: 1 - time(gc off) / time(gc on), min of 3 each."""
    def best(gc_on):
        times = []
        for _ in range(3):
            gc.collect()
            if not gc_on:
                gc.disable()
            t = time.perf_counter()
            for _ in range(calls):
                fn()
            times.append(time.perf_counter() - t)
            gc.enable()
        return min(times)
    return max(0.0, 1 - best(False) / best(True))


def profile(fn, calls, top=12):
    """Run fn `calls` times under cProfile with gc off (GC time would land on whichever function allocates);
    print the top functions by own time with file:line and share."""
    prof = cProfile.Profile()
    gc.collect()
    gc.disable()
    prof.enable()
    for _ in range(calls):
        fn()
    prof.disable()
    gc.enable()
    st = pstats.Stats(prof)
    total = st.total_tt
    rows = []
    for (path, line, func), (_, nc, tt, ct, _) in sorted(st.stats.items(), key=lambda kv: -kv[1][2])[:top]:
        where = func if path == "~" else f"{_short(path)}:{line} {func}"
        rows.append([where, nc // calls, f"{100 * tt / total:.1f}%", f"{100 * ct / total:.1f}%"])
    print(f"profile: {fmt_time(total / calls)} per call under cProfile (overhead inflates it)")
    table(["function (file:line)", "calls/iter", "own", "cumulative"], rows)


def _short(path):
    for root in ("/autograd/", "/benchmarks/", "/site-packages/", "/nn/"):
        i = path.rfind(root)
        if i >= 0:
            return path[i + 1:] if root != "/site-packages/" else path[i + len(root):]
    return os.path.basename(path)
