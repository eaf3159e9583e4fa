"""Scalar engine: forward+backward cost per op against micrograd, and a deep chain.

The same workload code runs on both engines (only the Value class differs): a sum of N terms,
relu(x_i * w_i) (3 ops per term, all operands nodes) or relu(x_i * 0.5 + w_i) (4 ops, one a Python
constant); an op is one operator as written. Target: ours at least 2x cheaper per op than micrograd.
micrograd's recursive topological sort hits Python's recursion limit on a deep chain; ours walks
with explicit stacks, so a 1,000,000-op chain must backward.
"""
import random
import sys
import time

import autograd
from common import compare, fmt_time, optional, table, verdict

N_TERMS = 200
WORKLOADS = {                        # name: (term, ops per term including the add into the sum)
    "relu(x*w)": (lambda x, w: (x * w).relu(), 3),
    "relu(x*0.5 + w)": (lambda x, w: (x * 0.5 + w).relu(), 4),
}


def sum_step(Value, term):
    """One forward+backward of sum_i term(x_i, w_i) on persistent leaves (grads reset each call)."""
    rng = random.Random(0)
    xs = [Value(rng.uniform(-1, 1)) for _ in range(N_TERMS)]
    ws = [Value(rng.uniform(-1, 1)) for _ in range(N_TERMS)]
    leaves = xs + ws

    def step():
        for v in leaves:
            v.grad = 0.0
        acc = Value(0.0)
        for x, w in zip(xs, ws):
            acc = acc + term(x, w)
        acc.backward()
        return acc
    return step


def chain(Value, depth, step):
    """x, y with y = step applied `depth` times to x."""
    x = Value(1.0)
    y = x
    for _ in range(depth):
        y = step(y)
    return x, y


def max_depth(Value, step):
    """Largest chain length whose backward() does not raise RecursionError (bisection)."""
    lo, hi = 0, 5000
    while lo < hi:
        mid = (lo + hi + 1) // 2
        try:
            chain(Value, mid, step)[1].backward()
            lo = mid
        except RecursionError:
            hi = mid - 1
    return lo


def deep_chain(quick):
    """Our engine on a 1,000,000-op chain (100,000 with --quick): forward, backward, free, gradient."""
    n = 100_000 if quick else 1_000_000
    t0 = time.perf_counter()
    x, y = chain(autograd.Value, n, lambda v: v * 1.0)
    t1 = time.perf_counter()
    y.backward()
    t2 = time.perf_counter()
    del y                            # frees the chain by reference counting
    t3 = time.perf_counter()
    ok = x.grad == 1.0
    print(f"graphgrad: {n:,}-op chain y = x*1.0*...*1.0: forward {fmt_time(t1 - t0)}, backward {fmt_time(t2 - t1)}, "
          f"free {fmt_time(t3 - t2)}; dy/dx = {x.grad} ({'ok' if ok else 'WRONG'}), no RecursionError")
    return ok


def main(quick=False):
    mg = optional("micrograd.engine")
    print(f"\n## Scalar engine: forward+backward per op (sum of {N_TERMS} terms)")
    print("gc on is what users get; gc off isolates the Python work "
          "(garbage is collected, untimed, before every block)")
    rows, speedups = [], {}
    for name, (term, k) in WORKLOADS.items():
        for gc_off in (False, True):
            cases = {"graphgrad Value": sum_step(autograd.Value, term)}
            if mg:
                a, b = cases["graphgrad Value"](), sum_step(mg.Value, term)()
                assert abs(a.data - b.data) < 1e-12, "engines disagree on the workload"
                cases["micrograd"] = sum_step(mg.Value, term)
            stats = compare(cases, repeats=3 if quick else 9, budget=0.05 if quick else 0.3, gc_off=gc_off)
            ops = k * N_TERMS
            rows += [[name, "off" if gc_off else "on", case, fmt_time(st.median / ops), fmt_time(st.min / ops),
                      fmt_time(st.median)] for case, st in stats.items()]
            if mg:
                speedups[name, gc_off] = stats["micrograd"].median / stats["graphgrad Value"].median
    table(["workload", "gc", "case", "per op (median)", "per op (min)", "per step (median)"], rows)
    for (name, gc_off), s in speedups.items():
        if gc_off:
            print(f"(info) speedup over micrograd per op, {name}, gc off: {s:.2f}x")
        else:
            verdict(f"Value speedup over micrograd per op, {name} (gc on)", s, 2, lower_is_better=False)
    if not mg:
        print("micrograd: not installed (its design costs about 4.3 us per op here)")

    print("\n## Deep chain")
    print(f"Python recursion limit: {sys.getrecursionlimit()}")
    if mg:
        d1 = max_depth(mg.Value, lambda v: v * 1.0)
        d2 = max_depth(mg.Value, lambda v: 1 - v)     # micrograd builds neg (v * -1) then add: 2 nodes per step
        print(f"micrograd: backward() raises RecursionError beyond a chain of {d1} steps of `v * 1.0`, "
              f"and beyond {d2} steps of `1 - v` (two nodes each)")
    else:
        print("micrograd: not installed")
    return deep_chain(quick)


if __name__ == "__main__":
    main("--quick" in sys.argv)
