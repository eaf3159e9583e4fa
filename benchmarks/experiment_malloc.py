"""Experiment: does glibc malloc's handling of large blocks slow numpy-sized temporaries, ours more than numpy's?

    python benchmarks/experiment_malloc.py [--quick] [--threads=N]   (BLAS threads, default 1)

glibc serves blocks above M_MMAP_THRESHOLD (128 KiB at start, then adapted up to the largest block freed)
with fresh mmap()s, and gives the heap's free top back to the kernel above M_TRIM_THRESHOLD; either way
the next array of that size touches new pages, one minor page fault per 4 KiB. The case study's arrays
(300 x 100 float64 = 234 KiB) and the MLP's are that size, and a graph makes more temporaries than the
hand-written numpy. Each setting runs in its own fresh process (autograd imported first, numpy with it):
- glibc defaults,
- MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ raised in the environment (from process start),
- the same thresholds set by mallopt() through ctypes after numpy is loaded (what a library could do at
  import), to confirm it takes effect that late.
Per case: median time, its ratio to numpy in the same process and setting, minor page faults per
iteration (getrusage), and the process's peak RSS (the price of keeping freed memory).
"""
import ctypes
import resource
import sys

import autograd  # noqa: F401  (first: whatever graphgrad sets process-wide is in force for every case)
import bench_casestudy
import bench_mlp
from common import blas_threads, compare, fmt_time, set_blas_threads, table, threads_arg
from procs import child_args, faults_per_call, report, run_child

MMAP_THRESHOLD = 32 * 2**20         # glibc's largest allowed value on 64-bit (HEAP_MAX_SIZE / 2)
TRIM_THRESHOLD = 128 * 2**20
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3     # mallopt parameter numbers (malloc.h)
TOP_PAD = 16 * 2**20
SETTINGS = {                        # name: environment (the mallopt row sets the two thresholds in-process)
    "glibc defaults": {},
    "env: both thresholds": {"MALLOC_MMAP_THRESHOLD_": str(MMAP_THRESHOLD),
                             "MALLOC_TRIM_THRESHOLD_": str(TRIM_THRESHOLD)},
    "mallopt after import": {},
    # one knob alone: setting any of them also switches off glibc's adaptive mmap threshold
    "env: mmap threshold only": {"MALLOC_MMAP_THRESHOLD_": str(MMAP_THRESHOLD)},
    "env: trim threshold only": {"MALLOC_TRIM_THRESHOLD_": str(TRIM_THRESHOLD)},
    "env: top pad 16 MiB only": {"MALLOC_TOP_PAD_": str(TOP_PAD)},
}
WORKLOADS = ("case study", "MLP 784-512-512-10 b64", "MLP 784-512-512-10 b512")
ONE_KNOB = ("env: mmap threshold only", "env: trim threshold only", "env: top pad 16 MiB only")
MALLOC_VARS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_ARENA_MAX")


def set_thresholds():
    """Raise both thresholds with mallopt(); True when glibc accepted both."""
    libc = ctypes.CDLL("libc.so.6")
    return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))


def workload(name):
    """{case: step} of one workload, numpy reference first. Made inside the measuring process: glibc
    adapts its mmap threshold to the largest block freed so far, so setting up another workload first
    (a 784 x 512 float64 draw is 3 MiB) would change what this one measures."""
    if name == "case study":
        X, y, params = bench_casestudy.problem()
        return {"numpy": bench_casestudy.numpy_trainer(X, y, params),
                "graphgrad Tensor": bench_casestudy.tensor_trainer(X, y, params),
                "graphgrad nn": bench_casestudy.nn_trainer(X, y, params)}
    problem = bench_mlp.problem((784, 512, 512, 10), int(name.rsplit("b", 1)[1]))
    return {"numpy": bench_mlp.numpy_trainer(*problem)[0], "graphgrad Tensor": bench_mlp.ours_trainer(*problem)[0],
            "graphgrad nn": bench_mlp.nn_trainer(*problem)[0]}


def child(setting, name, quick, threads):
    """(In a fresh process.) Time every case of one workload and count its page faults under one setting."""
    set_blas_threads(threads)
    accepted = set_thresholds() if setting == "mallopt after import" else None
    cases = workload(name)
    stats = compare(cases, repeats=3 if quick else 7, budget=0.05 if quick else 0.2)
    faults = {case: faults_per_call(fn, 20 if quick else 100) for case, fn in cases.items()}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024      # KiB -> MiB
    report({"results": {case: [stats[case].median, faults[case]] for case in cases},
            "mallopt": accepted, "peak_mib": peak, "blas": blas_threads()})


def main(quick=False, threads=None):
    threads = threads or 1
    print("\n## malloc thresholds: glibc defaults vs raised (environment, or mallopt() after import); "
          f"mmap threshold {MMAP_THRESHOLD >> 20} MiB, trim threshold {TRIM_THRESHOLD >> 20} MiB; "
          f"BLAS threads {threads} (--threads=N), so thread scheduling does not drown the allocator's effect")
    runs = {(name, setting): run_child("experiment_malloc.py", [setting, name, quick, threads], env=env,
                                       unset=MALLOC_VARS)
            for name in WORKLOADS for setting, env in SETTINGS.items()
            if name == WORKLOADS[0] or setting not in ONE_KNOB}
    rows = []
    for (name, setting), r in runs.items():
        res = r["results"]
        ref = res["numpy"][0]
        note = "" if r["mallopt"] is None else f"mallopt accepted: {r['mallopt']}"
        rows.append([name, setting, fmt_time(ref)] + [f"{res[c][0] / ref:.2f}x" for c in res if c != "numpy"]
                    + ["/".join(f"{res[c][1]:,.0f}" for c in res), f"{r['peak_mib']:.0f} MiB", note])
    table(["workload", "malloc setting", "numpy median", "Tensor / numpy", "nn / numpy",
           "page faults/iter numpy/Tensor/nn", "peak RSS", ""], rows)

if __name__ == "__main__":
    args = child_args(sys.argv)
    if args:
        child(*args)
    else:
        main("--quick" in sys.argv, threads_arg(sys.argv))
