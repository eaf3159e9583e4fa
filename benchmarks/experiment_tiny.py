"""Experiment: where the tiny op's time goes, and what reaching 3x numpy would take.

    python benchmarks/experiment_tiny.py [--quick]

`(a*b + c).sum()` forward + backward on 4x4 float32 (bench_tiny.py), split into parts that are timed
interleaved with the hand-written numpy step in one process:
- the whole step, ours and numpy's;
- the forward alone (three nodes), ours and numpy's;
- a 0-d leaf's backward(): what every backward() call costs whatever the graph (the checks, the graph
  lock, the pass mark, the thread-local grad mode, the staged commit), with one node to walk;
- then, in a second round, the whole step again with the engine's check of each delivered gradient's
  shape and dtype switched off (`Tensor._fits_exactly = True`, as Value has it; set once for the round,
  since changing a class attribute on every call would slow every attribute lookup). This is not shipped:
  without the check a vjp that returns a wrong shape or dtype goes unnoticed. It shows what that
  guarantee costs here.
The budget printed last is 3x numpy's step, set against the costs that do not depend on numpy at all.
"""
import sys

import numpy as np

import autograd
from autograd.tensor import Tensor
from bench_tiny import _arrays, numpy_step, ours_step
from common import compare, timing_table


def forward_ours():
    a, b, c = (autograd.Tensor(x, requires_grad=True) for x in _arrays())
    return lambda: (a * b + c).sum()


def forward_numpy():
    a, b, c = _arrays()
    return lambda: (a * b + c).sum()


def leaf_backward():
    x = autograd.Tensor(np.float32(1.0), requires_grad=True)

    def step():
        x.grad = None
        x.backward()
    return step


def main(quick=False):
    repeats, budget = (3, 0.05) if quick else (9, 0.2)
    cases = {"numpy step": numpy_step(), "ours step": ours_step(), "numpy forward": forward_numpy(),
             "ours forward": forward_ours(), "ours 0-d leaf backward()": leaf_backward()}
    stats = compare(cases, repeats=repeats, budget=budget)
    print("\n## Tiny op, part by part: (a*b + c).sum() forward+backward, 4x4 float32")
    timing_table(stats, "numpy step")
    Tensor._fits_exactly = True                 # second round: no shape/dtype check of delivered gradients
    try:
        unchecked = compare({"numpy step": numpy_step(), "ours step, gradient checks off": ours_step()},
                            repeats=repeats, budget=budget)
    finally:
        Tensor._fits_exactly = False
    print("\nsecond round, the engine's gradient checks off (not shipped):")
    timing_table(unchecked, "numpy step")
    us = {k: s.median * 1e6 for k, s in stats.items()}
    off = unchecked["ours step, gradient checks off"].median / unchecked["numpy step"].median
    budget_us, ours = 3 * us["numpy step"], us["ours step"]
    print(f"\n3x numpy's step: {budget_us:.2f} us; ours: {ours:.2f} us ({ours - budget_us:+.2f} us)")
    print(f"fixed per backward() call (0-d leaf): {us['ours 0-d leaf backward()']:.2f} us; forward, three nodes: "
          f"{us['ours forward']:.2f} us against numpy's {us['numpy forward']:.2f} us")
    print(f"with the gradient checks off: {off:.2f}x numpy (with them: {us['ours step'] / us['numpy step']:.2f}x)")
    return stats


if __name__ == "__main__":
    main("--quick" in sys.argv)
