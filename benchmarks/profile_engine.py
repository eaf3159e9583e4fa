"""Where our engine's time goes, per workload: cProfile top functions (file:line), the GC's share, and
for the scalar moons step a breakdown into forward / backward / update / freeing the graph / GC.

    python benchmarks/profile_engine.py [--quick] [casestudy moons tiny value mlp]   (default: all)

cProfile adds a fixed cost per Python call, so shares of many tiny functions are inflated; read the
ranking, not the absolute times. Profiles run with gc disabled; the GC's share is measured apart.
BLAS runs on one thread here, so matmul time is not inflated by other processes competing for the
cores; cProfile books the time of `@` (an operator, not a call) to the function that uses it.
"""
import cProfile
import os
import pstats
import sys
import time

import autograd
import bench_casestudy
import bench_mlp
import bench_moons
import bench_tiny
import bench_value
from common import compare, fmt_time, gc_share, profile, set_blas_threads, table
from procs import GcMeter, faults_per_call


def workloads(group, quick):
    """{name: (callable, calls)} of one group, running only our engine. Made only when profiled: glibc
    adapts its mmap threshold to the largest block freed so far, so the MLP's set-up (3 MiB float64
    draws) would hide the case study's page faults if it came first."""
    k = 0.2 if quick else 1
    if group == "casestudy":
        X, y, params = bench_casestudy.problem()
        return {"case study, Tensor port": (bench_casestudy.tensor_trainer(X, y, params), int(500 * k)),
                "case study, nn": (bench_casestudy.nn_trainer(X, y, params), int(500 * k))}
    if group == "moons":
        return {"moons step": (bench_moons.trainer(autograd.Value), max(1, int(3 * k)))}
    if group == "tiny":
        return {"tiny (a*b + c).sum() 4x4": (bench_tiny.ours_step(), int(20000 * k))}
    if group == "value":
        relu_xw, chain = bench_value.WORKLOADS["relu(x*w)"][0], bench_value.chain
        return {"Value sum of relu(x*w)": (bench_value.sum_step(autograd.Value, relu_xw), int(300 * k)),
                "Value 100k-op chain": (lambda: chain(autograd.Value, 100_000, lambda v: v * 1.0)[1].backward(), 1)}
    work = {}
    for sizes, batch, _ in bench_mlp.CONFIGS:
        step, _ = bench_mlp.ours_trainer(*bench_mlp.problem(sizes, batch))
        work[f"MLP {'-'.join(map(str, sizes))} batch {batch}"] = (step, max(2, int((20 if batch == 512 else 100) * k)))
    return work


GROUPS = ("casestudy", "moons", "tiny", "value", "mlp")


def graph_size(root):
    """Nodes and edges of the graph behind `root` (an explicit stack: no recursion)."""
    seen, stack, edges = {id(root)}, [root], 0
    while stack:
        for p in stack.pop()._parents:
            edges += 1
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return len(seen), edges


def _phases(step):
    """(seconds, GC seconds, full collections) of each phase of one moons step."""
    out = {}

    def timed(name, fn):
        with GcMeter() as m:
            t = time.perf_counter()
            r = fn()
            out[name] = (time.perf_counter() - t, m.total_seconds, m.count[2])
        return r
    held = [timed("forward (build graph, loss)", step.forward)]     # [(total, scores)]: the only reference
    timed("backward()", lambda: step.backward(held[0][0]))
    timed("SGD update", step.update)
    timed("free the graph (refcounts)", held.clear)
    return out


def moons_breakdown(steps):
    """Per phase of the scalar moons step: time with gc on, the GC's part of it, and time with gc off."""
    import gc
    step = bench_moons.trainer(autograd.Value)
    total, _ = step.forward()
    nodes, edges = graph_size(total)
    del total
    on, off = [], []
    for _ in range(steps):
        on.append(_phases(step))
        gc.disable()
        off.append(_phases(step))
        gc.enable()
    print(f"\n## moons step (scalar engine), by phase: a graph of {nodes:,} nodes and {edges:,} edges per step; "
          f"mean of {steps} steps, gc on as users run it (this process's heap: fresh)")
    rows = []
    for name in on[0]:
        t_on, t_gc, full = (sum(r[name][i] for r in on) / steps for i in range(3))
        t_off = sum(r[name][0] for r in off) / steps
        rows.append([name, fmt_time(t_on), fmt_time(t_gc), f"{full:.1f}", fmt_time(t_off)])
    table(["phase", "gc on", "of which GC", "full collections", "gc off"], rows)
    print(f"per node: {fmt_time(sum(r['forward (build graph, loss)'][0] for r in off) / steps / nodes)} to build, "
          f"{fmt_time(sum(r['backward()'][0] for r in off) / steps / nodes)} backward (gc off)")


def casestudy_breakdown(quick):
    """The case study per iteration at the notes' size and at 1 point per class: the small size leaves the
    fixed cost (Python, dispatch, graph), the difference is the arrays' work; and page faults per iteration."""
    rows = []
    for n in (1, bench_casestudy.N):
        X, y, params = bench_casestudy.problem(n=n)
        cases = {"numpy (the notes)": bench_casestudy.numpy_trainer(X, y, params),
                 "graphgrad Tensor": bench_casestudy.tensor_trainer(X, y, params),
                 "graphgrad nn": bench_casestudy.nn_trainer(X, y, params)}
        stats = compare(cases, repeats=3 if quick else 7, budget=0.05 if quick else 0.2)
        faults = {name: faults_per_call(fn, 50) for name, fn in cases.items()}
        rows += [[f"{3 * n} points", name, fmt_time(st.median), f"{faults[name]:,.0f}"] for name, st in stats.items()]
    X, y, params = bench_casestudy.problem()
    tensor, nn_ = bench_casestudy.tensor_trainer(X, y, params), bench_casestudy.nn_trainer(X, y, params)
    print("\n## case study per iteration: fixed cost (3 points) vs the notes' size (300 points); "
          f"graph nodes per iteration: Tensor port {nodes_made(tensor)}, nn {nodes_made(nn_)}")
    table(["size", "case", "median", "minor page faults per iteration"], rows)


def nodes_made(step):
    """How many graph nodes one call of step makes: calls of Tensor._make, counted by cProfile (the ops
    bind _make at import, so a wrapper would miss them)."""
    prof = cProfile.Profile()
    prof.runcall(step)
    return sum(st[1] for (path, _, func), st in pstats.Stats(prof).stats.items()
               if func == "_make" and path.endswith(os.path.join("autograd", "tensor.py")))


def main(argv):
    quick = "--quick" in argv
    chosen = [a for a in argv if not a.startswith("--")]
    set_blas_threads(1)
    unknown = set(chosen) - set(GROUPS)
    if unknown:
        sys.exit(f"unknown workload group(s) {sorted(unknown)}; choose from {list(GROUPS)}")
    for group in chosen or GROUPS:
        if group == "moons":
            moons_breakdown(2 if quick else 5)
        if group == "casestudy":
            casestudy_breakdown(quick)
        for name, (fn, calls) in workloads(group, quick).items():
            print(f"\n## profile: {name} ({calls} calls)")
            fn()                                            # warm-up
            print(f"cyclic GC: {gc_share(fn, calls):.0%} of the time with gc enabled (timed apart, gc on vs off)")
            profile(fn, calls)


if __name__ == "__main__":
    main(sys.argv[1:])
