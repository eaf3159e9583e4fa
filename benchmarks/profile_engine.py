"""cProfile of our engine on each benchmark's workload: where the time goes, by function (file:line).

cProfile adds a fixed cost per Python call, so shares of many tiny functions are inflated; read the
ranking, not the absolute times. Profiles run with gc disabled; the GC's share is measured apart.
BLAS runs on one thread here, so matmul time is not inflated by other processes competing for the
cores; cProfile books the time of `@` (an operator, not a call) to the function that uses it. `python benchmarks/profile_engine.py [--quick]`
"""
import sys

import autograd
import bench_mlp
import bench_moons
import bench_tiny
import bench_value
from common import gc_share, profile, set_blas_threads


def workloads(quick):
    """name -> (callable, calls) running only our engine."""
    k = 0.2 if quick else 1
    work = {
        "tiny (a*b + c).sum() 4x4": (bench_tiny.ours_step(), int(20000 * k)),
        "Value sum of relu(x*w)": (bench_value.sum_step(autograd.Value, bench_value.WORKLOADS["relu(x*w)"][0]),
                                   int(300 * k)),
        "Value 100k-op chain": (lambda: bench_value.chain(autograd.Value, 100_000, lambda v: v * 1.0)[1].backward(), 1),
        "moons step": (bench_moons.trainer(autograd.Value), max(1, int(3 * k))),
    }
    for sizes, batch, _ in bench_mlp.CONFIGS:
        step, _ = bench_mlp.ours_trainer(*bench_mlp.problem(sizes, batch))
        work[f"MLP {'-'.join(map(str, sizes))} batch {batch}"] = (step, max(2, int((20 if batch == 512 else 100) * k)))
    return work


def main(quick=False):
    set_blas_threads(1)
    for name, (fn, calls) in workloads(quick).items():
        print(f"\n## profile: {name} ({calls} calls)")
        fn()                                            # warm-up
        print(f"cyclic GC: {gc_share(fn, calls):.0%} of the time with gc enabled (timed apart, gc on vs off)")
        profile(fn, calls)


if __name__ == "__main__":
    main("--quick" in sys.argv)
