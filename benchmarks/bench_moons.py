"""micrograd's moons demo step (demo.ipynb): 2-16-16-1 scalar MLP, 100 points, SVM hinge loss + L2, SGD.

Both engines run the same code (micrograd's nn.py structure, the Value class passed in) on the same
weights, so their losses agree step for step. micrograd's closures hold their own output, so every
node sits in a reference cycle and only Python's cyclic GC frees a graph; ours frees by reference
counting. We time each engine with gc enabled and disabled (then collect outside the timing) and
count what gc.collect() finds after one step. Target: ours >= 5x faster than micrograd (gc enabled).
"""
import gc
import random
import sys
import time

import autograd
from common import fmt_time, optional, table, verdict
from nn.data import moons


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


def trainer(Value):
    """A closure doing one demo training step (forward, hinge + L2 loss, backward, SGD) per call."""
    X, y = moons(100, noise=0.1, seed=1337)
    y = y * 2 - 1                                         # labels in {-1, +1}, numpy ints as in the demo
    random.seed(1337)
    model = MLP(Value, 2, [16, 16, 1])
    params = model.parameters()
    k = 0

    def step():
        nonlocal k
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum((p * p for p in params))
        total = data_loss + reg_loss
        acc = sum((yi > 0) == (si.data > 0) for yi, si in zip(y, scores)) / len(y)
        for p in params:
            p.grad = 0
        total.backward()
        lr = 1.0 - 0.9 * (k % 100) / 100
        for p in params:
            p.data -= lr * p.grad
        k += 1
        return float(total.data), acc
    return step


def timed(step, gc_on, steps):
    """Per-step seconds over a block of `steps` steps, seconds of the gc.collect() after it, objects it found.

    gc on: the block's time includes that final collection (the garbage the block left behind), so an
    engine is charged for freeing all of its own graphs. gc off: the collection is reported, not added.
    """
    gc.collect()
    if not gc_on:
        gc.disable()
    try:
        t = time.perf_counter()
        for _ in range(steps):
            step()
        dt = time.perf_counter() - t
        t = time.perf_counter()
        found = gc.collect()
        dc = time.perf_counter() - t
    finally:
        gc.enable()
    return (dt + dc if gc_on else dt) / steps, dc / steps, found / steps


def main(quick=False):
    mg = optional("micrograd.engine")
    engines = {"graphgrad Value": autograd.Value}
    if mg:
        engines["micrograd"] = mg.Value
    steps = {name: trainer(V) for name, V in engines.items()}
    first = {name: step() for name, step in steps.items()}    # warm-up, and the engines must agree
    if mg:
        a, b = first["graphgrad Value"][0], first["micrograd"][0]
        assert abs(a - b) < 1e-9 * abs(b), f"losses differ: {a} vs {b}"
    cases = [(name, gc_on) for name in engines for gc_on in (True, False)]
    samples = {c: [] for c in cases}
    for r in range(2 if quick else 5):
        for case in cases[r % len(cases):] + cases[:r % len(cases)]:
            samples[case].append(timed(steps[case[0]], case[1], 2 if quick else 3))
    print("\n## moons demo training step: 2-16-16-1 MLP, 100 points, hinge + L2 (one step)")
    med = {}
    rows = []
    for (name, gc_on), s in samples.items():
        times = sorted(x[0] for x in s)
        med[name, gc_on] = times[len(times) // 2]
        rows.append([name, "on" if gc_on else "off", fmt_time(med[name, gc_on]), fmt_time(times[0]),
                     f"{s[-1][2]:,.0f} objects in {fmt_time(s[-1][1])}"])
    table(["engine", "gc", "step median", "step min", "gc.collect() per step"], rows)
    loss, acc = steps["graphgrad Value"]()
    print(f"graphgrad after training: loss {loss:.4f}, accuracy {acc:.0%}")
    if mg:
        share = 1 - med["micrograd", False] / med["micrograd", True]
        print(f"micrograd: gc takes {share:.0%} of its step (gc on vs off)")
        verdict("moons speedup over micrograd (gc on both)",
                med["micrograd", True] / med["graphgrad Value", True], 5, lower_is_better=False)
        print(f"  (vs micrograd with gc off: {med['micrograd', False] / med['graphgrad Value', True]:.2f}x)")
    else:
        print("micrograd: not installed")
    return med


if __name__ == "__main__":
    main("--quick" in sys.argv)
