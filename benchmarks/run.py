"""Run every benchmark and print the machine, times, ratios and target verdicts.

    python benchmarks/run.py [--quick] [--profile] [--threads=N] [tiny value moons casestudy mlp]

--quick: fewer repeats and smaller workloads (a smoke run; ratios are rough).
--profile: also cProfile our engine on each workload (benchmarks/profile_engine.py).
--threads=N: BLAS threads for the MLP benchmark, numpy and torch alike (default: numpy's own choice).
Each benchmark runs in its own Python process, so one's heap (which sets the cost of the cyclic
GC), imports (torch) and BLAS/OpenMP worker threads do not leak into the next; inside a benchmark
the engines are interleaved, in one process that imported autograd first (the moons benchmark runs
each engine alone in a fresh process instead, see bench_moons.py). micrograd and torch are optional:
without them the output says "not installed". Experiments apart from this run (their own commands):
benchmarks/experiment_malloc.py (glibc malloc thresholds, page faults), benchmarks/experiment_threads.py
(BLAS threads 1 vs 2, idle and with the other core busy).
"""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from common import describe_machine  # noqa: E402

BENCHMARKS = {"tiny": "bench_tiny.py", "value": "bench_value.py", "moons": "bench_moons.py",
              "casestudy": "bench_casestudy.py", "mlp": "bench_mlp.py", "chain": "bench_chain.py"}


def main(argv):
    prof = "--profile" in argv
    chosen = [a for a in argv if not a.startswith("--")] or list(BENCHMARKS)
    unknown = set(chosen) - set(BENCHMARKS)
    if unknown:
        sys.exit(f"unknown benchmark(s) {sorted(unknown)}; choose from {list(BENCHMARKS)}")
    print(f"# graphgrad benchmarks: {' '.join(['python benchmarks/run.py'] + argv)}")
    describe_machine()
    scripts = [BENCHMARKS[name] for name in chosen] + (["profile_engine.py"] if prof else [])
    t = time.perf_counter()
    failed = []
    for script in scripts:
        sys.stdout.flush()
        flags = [a for a in argv if a == "--quick" or a.startswith("--threads=")]
        done = subprocess.run([sys.executable, os.path.join(HERE, script)] + flags)
        if done.returncode:
            failed.append(script)
    print(f"\ntotal {time.perf_counter() - t:.0f} s; load now %.2f %.2f %.2f" % os.getloadavg())
    if failed:
        sys.exit(f"failed: {failed}")


if __name__ == "__main__":
    main(sys.argv[1:])
