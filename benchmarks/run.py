"""Run every benchmark and print the machine, times, ratios and target verdicts.

    python benchmarks/run.py [--quick] [--profile] [tiny value moons mlp]

--quick: fewer repeats and smaller workloads (a smoke run; ratios are rough).
--profile: also cProfile our engine on each workload (benchmarks/profile_engine.py).
micrograd and torch are optional peers: without them their columns say "not installed".
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_mlp    # noqa: E402
import bench_moons  # noqa: E402
import bench_tiny   # noqa: E402
import bench_value  # noqa: E402
import profile_engine  # noqa: E402
from common import describe_machine  # noqa: E402

BENCHMARKS = {"tiny": bench_tiny, "value": bench_value, "moons": bench_moons, "mlp": bench_mlp}


def main(argv):
    quick, prof = "--quick" in argv, "--profile" in argv
    chosen = [a for a in argv if not a.startswith("--")] or list(BENCHMARKS)
    unknown = set(chosen) - set(BENCHMARKS)
    if unknown:
        sys.exit(f"unknown benchmark(s) {sorted(unknown)}; choose from {list(BENCHMARKS)}")
    print(f"# graphgrad benchmarks{' (--quick)' if quick else ''}: {' '.join(['python benchmarks/run.py'] + argv)}")
    describe_machine()
    t = time.perf_counter()
    for name in chosen:
        BENCHMARKS[name].main(quick)
    if prof:
        profile_engine.main(quick)
    print(f"\ntotal {time.perf_counter() - t:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
