"""Per-op overhead: forward+backward of (a*b + c).sum() on 4x4 float32 tensors.

Ours against a hand-written numpy forward+backward of the same expression, and PyTorch when installed.
Targets (the speed issue): ours <= 3x numpy, ours <= 0.5x PyTorch.
"""
import sys

import numpy as np

import autograd
from common import compare, optional, timing_table, verdict

SHAPE = (4, 4)


def _arrays():
    rng = np.random.default_rng(0)
    return [rng.standard_normal(SHAPE).astype(np.float32) for _ in range(3)]


def numpy_step():
    """Hand-written forward and backward; fresh gradient arrays each call, as the engines make them."""
    a, b, c = _arrays()

    def step():
        out = (a * b + c).sum()
        g = np.ones_like(a)                  # d out / d(a*b + c), the broadcast of d out / d out = 1
        return out, g * b, g * a, g          # grads of a, b, c
    return step


def ours_step():
    a, b, c = (autograd.Tensor(x, requires_grad=True) for x in _arrays())

    def step():
        a.grad = b.grad = c.grad = None
        (a * b + c).sum().backward()
    return step


def torch_step(torch):
    a, b, c = (torch.tensor(x, requires_grad=True) for x in _arrays())

    def step():
        a.grad = b.grad = c.grad = None
        (a * b + c).sum().backward()
    return step


def check():
    """Our gradients equal the hand-written ones, in float32 (a wrong benchmark is worse than none)."""
    a, b, c = _arrays()
    _, ga, gb, gc = numpy_step()()
    t = [autograd.Tensor(x, requires_grad=True) for x in (a, b, c)]
    (t[0] * t[1] + t[2]).sum().backward()
    for x, ref in zip(t, (b, a, np.ones_like(a))):
        assert x.grad.dtype == np.float32 and np.allclose(x.grad, ref)


def main(quick=False):
    torch = optional("torch")
    check()
    cases = {"numpy (hand-written)": numpy_step(), "graphgrad Tensor": ours_step()}
    if torch:
        cases["torch"] = torch_step(torch)
    stats = compare(cases, repeats=3 if quick else 9, budget=0.05 if quick else 0.2)
    print("\n## Tiny-op overhead: (a*b + c).sum() forward+backward, 4x4 float32")
    timing_table(stats, "numpy (hand-written)")
    ours = stats["graphgrad Tensor"].median
    verdict("tiny ours / numpy", ours / stats["numpy (hand-written)"].median, 3)
    if torch:
        verdict("tiny ours / torch", ours / stats["torch"].median, 0.5)
    else:
        print("torch: not installed")
    return stats


if __name__ == "__main__":
    main("--quick" in sys.argv)
