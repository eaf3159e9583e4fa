"""A deep chain: 100,000 alternating ops (y * 1.00001, y + 1e-6) from one scalar, forward then backward:
graphgrad's Value and Tensor (0-d) engines vs a PyTorch 0-d float64 tensor.

Each engine runs alone in a fresh process (which has imported autograd first), so peak memory is its own:
the resident set size gained by the time the first chain's graph is complete (before backward
frees it). Time is the best of three
chains. Targets ("keep" in the speed issue), judged on the Value chain: time <= 0.5x PyTorch's, memory <= 1/3.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import autograd  # noqa: E402,F401  (first: its process-wide settings apply to every engine here)
from procs import child_args, run_child  # noqa: E402

DEPTH = 100_000


def _rss_mb():
    """The resident set size now, in MB (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def _chain(lib, depth):
    """`depth` alternating ops from x, then backward; returns (seconds, dy/dx)."""
    import time
    if lib == "torch":
        import torch
        torch.set_num_threads(1)
        x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    else:
        import autograd as ag
        x = ag.Value(0.5) if lib == "graphgrad Value" else ag.tensor(0.5, requires_grad=True)
    t = time.perf_counter()
    y = x
    for i in range(depth):
        y = y * 1.00001 if i % 2 else y + 1e-6
    graph_mb = _rss_mb()            # the whole graph is alive here, before backward frees it
    y.backward()
    seconds = time.perf_counter() - t
    return seconds, float(x.grad), graph_mb


def child(args):
    lib, depth = args["lib"], args["depth"]
    if lib == "torch":
        import torch  # noqa: F401  (imported before the baseline, as the chain itself needs it)
    base = _rss_mb()
    runs = [_chain(lib, depth) for _ in range(3)]
    return {"seconds": min(r[0] for r in runs), "grad": runs[0][1], "peak_mb": runs[0][2] - base}


def main(quick=False):
    from common import optional, table, verdict
    depth = DEPTH // 10 if quick else DEPTH
    print(f"\n## A deep chain: {depth:,} scalar ops, forward + backward (each engine in its own process)")
    libs = ["graphgrad Value", "graphgrad Tensor"] + (["torch"] if optional("torch") else [])
    res = {lib: run_child("bench_chain.py", {"lib": lib, "depth": depth}) for lib in libs}
    table(["engine", "time", "graph memory", "dy/dx"],
          [[k, f"{r['seconds']:.3f} s", f"+{r['peak_mb']:.0f} MB", f"{r['grad']:.9f}"] for k, r in res.items()])
    if "torch" not in res:
        print("torch: not installed")
        return
    t = res["torch"]
    assert all(abs(r["grad"] - t["grad"]) < 1e-9 * abs(t["grad"]) for r in res.values()), "the engines disagree"
    v = res["graphgrad Value"]
    verdict("deep chain time, Value / torch", v["seconds"] / t["seconds"], 0.5)
    verdict("deep chain peak memory, Value / torch", v["peak_mb"] / max(t["peak_mb"], 1e-9), 1 / 3)
    ts = res["graphgrad Tensor"]
    print(f"  (Tensor chain: {ts['seconds'] / t['seconds']:.2f}x torch's time, "
          f"{ts['peak_mb'] / max(t['peak_mb'], 1e-9):.2f}x its memory)")


if __name__ == "__main__":
    a = child_args(sys.argv)
    if a is not None:
        import json
        print("RESULT " + json.dumps(child(a)))
    else:
        main("--quick" in sys.argv)
