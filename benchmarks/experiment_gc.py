"""Experiment: process-wide GC settings a library could apply at import, and what they do to the moons step
of each engine (and so to the speedup over micrograd), in a fresh and a busy heap.

    python benchmarks/experiment_gc.py [--quick]

A setting applied by `import autograd` holds for every engine in the process, micrograd included (the
issue's rule for taking ratios), so it only helps the ratio if it helps ours more than theirs. Each
(setting, engine, heap) runs alone in a fresh process, as in bench_moons.py.
"""
import sys

from bench_moons import ENGINES, HEAPS, engine_class, summary
from common import fmt_time, table
from procs import run_child

SETTINGS = {
    "default (700, 10, 10)": {},
    "threshold (10000, 10, 10)": {"threshold": [10_000, 10, 10]},
    "threshold (100000, 10, 10)": {"threshold": [100_000, 10, 10]},
    "gc.freeze() at import": {"freeze": True},
}


def main(quick=False):
    print("\n## GC settings applied process-wide at import: moons step per engine, fresh process each, gc on")
    rows = []
    for name, setting in SETTINGS.items():
        for heap in HEAPS:
            got = {}
            for engine in ENGINES:
                if engine_class(engine) is None:
                    continue
                steps = (2 if quick else 6) if engine == "micrograd" else (5 if quick else 20)
                got[engine] = summary(run_child("bench_moons.py", [engine, heap, steps, setting]))
            ours, theirs = got[ENGINES[0]], got.get(ENGINES[1])
            row = [name, heap, fmt_time(ours["mean"]), fmt_time(ours["gc_s"])]
            if theirs:
                row += [fmt_time(theirs["mean"]), fmt_time(theirs["gc_s"]), f"{theirs['mean'] / ours['mean']:.2f}x",
                        f"{theirs['median'] / ours['median']:.2f}x"]
            rows.append(row + ([] if theirs else ["not installed", "", "", ""]))
    table(["GC setting", "heap", "ours: mean step", "ours: GC per step", "micrograd: mean step",
           "micrograd: GC per step", "speedup (means)", "(medians)"], rows)


if __name__ == "__main__":
    main("--quick" in sys.argv)
