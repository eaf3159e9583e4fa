"""micrograd's moons demo step (demo.ipynb): 2-16-16-1 scalar MLP, 100 points, SVM hinge loss + L2, SGD.

Both engines run the same code (micrograd's nn.py structure, the Value class passed in) on the same
weights, so their losses agree step for step. Each engine runs alone in a fresh Python process that
imports autograd first (so whatever graphgrad sets process-wide holds for micrograd too), with the
cyclic GC on as users run it, in two heaps: fresh, and busy (the process first makes and keeps
1,000,000 other live GC-tracked objects, as a long notebook session holds). micrograd's closures hold
their own output, so every node sits in a reference cycle and only the cyclic GC frees a graph; ours
frees by reference counting, but every node is still a tracked object that collections traverse.
Per step: median and mean time, and the GC's collections per generation and seconds (gc.callbacks).
Target: ours >= 10x faster than micrograd, in both heaps, judged on the mean step: full collections
come every few steps, so a median of a few steps can miss them all (or land on one).
"""
import gc
import random
import sys
import time

import autograd
from common import fmt_time, optional, table, verdict
from nn.data import moons
from procs import GcMeter, busy_heap, child_args, report, run_child

TARGET = 10
ENGINES = ("graphgrad Value", "micrograd")
HEAPS = ("fresh", "busy")


class Neuron:
    def __init__(self, Value, nin, nonlin=True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class MLP:
    """micrograd.nn.MLP for any Value class: ReLU hidden layers, linear output."""

    def __init__(self, Value, nin, nouts):
        sz = [nin] + nouts
        self.layers = [[Neuron(Value, sz[i], nonlin=i != len(nouts) - 1) for _ in range(sz[i + 1])]
                       for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            out = [n(x) for n in layer]
            x = out[0] if len(out) == 1 else out
        return x

    def parameters(self):
        return [p for layer in self.layers for n in layer for p in n.parameters()]


class Trainer:
    """One demo training step per call (forward, hinge + L2 loss, backward, SGD); the phases apart for
    profiling: forward() -> (total, scores), backward(total), update()."""

    def __init__(self, Value):
        X, y = moons(100, noise=0.1, seed=1337)
        self.X, self.y = X, y * 2 - 1                   # labels in {-1, +1}, numpy ints as in the demo
        self.Value = Value
        random.seed(1337)
        self.model = MLP(Value, 2, [16, 16, 1])
        self.params = self.model.parameters()
        self.k = 0

    def forward(self):
        Value, y = self.Value, self.y
        inputs = [list(map(Value, xrow)) for xrow in self.X]
        scores = list(map(self.model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum((p * p for p in self.params))
        return data_loss + reg_loss, scores

    def backward(self, total):
        for p in self.params:
            p.grad = 0
        total.backward()

    def update(self):
        lr = 1.0 - 0.9 * (self.k % 100) / 100
        for p in self.params:
            p.data -= lr * p.grad
        self.k += 1

    def __call__(self):
        total, scores = self.forward()
        acc = sum((yi > 0) == (si.data > 0) for yi, si in zip(self.y, scores)) / len(self.y)
        self.backward(total)
        self.update()
        return float(total.data), acc


def trainer(Value):
    """A callable doing one demo training step per call; returns (loss, accuracy)."""
    return Trainer(Value)


def engine_class(name):
    """The Value class of engine `name`, or None when it is not installed."""
    if name == "graphgrad Value":
        return autograd.Value
    mg = optional("micrograd.engine")
    return mg.Value if mg else None


def apply_gc_setting(setting):
    """A process-wide GC setting a library could apply at import: {"threshold": [g0, g1, g2]} or {"freeze": true}."""
    if "threshold" in setting:
        gc.set_threshold(*setting["threshold"])
    if setting.get("freeze"):
        gc.freeze()                                     # everything alive now: out of every future collection


def child(engine, heap, steps, gc_setting=None):
    """(In a fresh process.) Time `steps` consecutive steps of one engine, gc on, each with its GC meter.
    `gc_setting` (experiment_gc.py) is applied first, as if autograd's import had applied it."""
    apply_gc_setting(gc_setting or {})
    held = busy_heap() if heap == "busy" else None      # noqa: F841 (kept alive: that is the point)
    step = trainer(engine_class(engine))
    first = step()                                      # warm-up; its loss is compared across engines
    times, gcs = [], []
    for _ in range(steps):
        with GcMeter() as m:
            t = time.perf_counter()
            step()
            times.append(time.perf_counter() - t)
        gcs.append({"count": m.count, "seconds": m.total_seconds, "collected": m.collected})
    report({"first_loss": first[0], "final": step(), "times": times, "gc": gcs})


def summary(r):
    """Per-step median, mean, and GC averages of one child's result."""
    times, gcs, n = sorted(r["times"]), r["gc"], len(r["times"])
    counts = [sum(g["count"][i] for g in gcs) / n for i in range(3)]
    return {"median": times[n // 2], "mean": sum(times) / n, "gc_s": sum(g["seconds"] for g in gcs) / n,
            "counts": counts, "collected": sum(g["collected"] for g in gcs) / n}


def main(quick=False):
    print("\n## moons demo training step: 2-16-16-1 MLP, 100 points, hinge + L2 (one step), "
          "each engine alone in a fresh process, gc on")
    runs = {}
    for heap in HEAPS:
        for engine in ENGINES:
            if engine_class(engine) is None:
                continue
            steps = (3 if quick else 6) if engine == "micrograd" else (6 if quick else 20)
            runs[engine, heap] = r = run_child("bench_moons.py", [engine, heap, steps])
            if (ENGINES[0], heap) in runs and engine != ENGINES[0]:
                a, b = runs[ENGINES[0], heap]["first_loss"], r["first_loss"]
                assert abs(a - b) < 1e-9 * abs(b), f"losses differ: {a} vs {b}"
    s = {key: summary(r) for key, r in runs.items()}
    table(["engine", "heap", "step median", "step mean", "GC per step", "GC share",
           "collections gen0/1/2 per step", "freed by GC per step"],
          [[e, h, fmt_time(v["median"]), fmt_time(v["mean"]), fmt_time(v["gc_s"]), f"{v['gc_s'] / v['mean']:.0%}",
            "/".join(f"{c:.1f}" for c in v["counts"]), f"{v['collected']:,.0f}"] for (e, h), v in s.items()])
    loss, acc = runs[ENGINES[0], HEAPS[0]]["final"]
    print(f"graphgrad after training: loss {loss:.4f}, accuracy {acc:.0%}")
    if (ENGINES[1], HEAPS[0]) not in s:
        print("micrograd: not installed")
        return s
    for heap in HEAPS:
        ours, theirs = s[ENGINES[0], heap], s[ENGINES[1], heap]
        verdict(f"moons speedup over micrograd, {heap} heap (mean step: every collection counted)",
                theirs["mean"] / ours["mean"], TARGET, lower_is_better=False)
        print(f"  (medians: {theirs['median'] / ours['median']:.2f}x; a median can skip the rare full collections)")
    return s


if __name__ == "__main__":
    args = child_args(sys.argv)
    if args:
        child(*args)
    else:
        main("--quick" in sys.argv)
