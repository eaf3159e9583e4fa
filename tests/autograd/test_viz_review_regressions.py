"""Regressions for problems a review of the graph view found: labels must be what backward multiplies by."""
import math
import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor, Value, draw_graph
from autograd.viz import diagnose


def _same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("make", [
    lambda: (Value(-2.0), Value(2.0), lambda a, b: a ** b),     # log of a negative base
    lambda: (Value(0.0), Value(2.0), lambda a, b: a ** b),      # 0 ** b: flat in b
    lambda: (Value(0.0), None, lambda a, b: a ** 0),
    lambda: (Value(0.0), None, lambda a, b: a ** -1),
    lambda: (Value(0.0), None, lambda a, b: a ** 0.5),
    lambda: (Value(-2.0), None, lambda a, b: a ** 0.5),         # used to crash: a complex power
    lambda: (Value(3.0), None, lambda a, b: a ** (1 / 3)),      # exact exponent, not its printed form
    lambda: (Value(0.0), None, lambda a, b: a.leaky_relu(0.2)),
    lambda: (Value(-1e-320), None, lambda a, b: a.leaky_relu(0.01)),
])
def test_edge_labels_after_backward_equal_the_gradients_backward_sent(make):
    a, b, f = make()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                     # IEEE edge values warn, by design
        out = f(a, b)
        out.backward()
    labels = diagnose.local_derivatives(out)                # after backward: the kept vjp
    grads = [p.grad for p in out._parents]
    assert all(_same(x, y) for x, y in zip(labels, grads)), (labels, grads)
    draw_graph(out, show_backward=True)                     # and drawing never crashes


def test_a_frozen_scalar_layer_shows_no_nan_gradient():
    sm = nn.scalar.MLP(2, [3, 1], rng=0)
    for v in sm.layers[0].W.flat:
        v.requires_grad = False
    out = sm([0.5, -1.0])[0]
    out.backward()
    src = draw_graph(out, model=sm, collapse_modules=True, grad_heat=True).source
    assert "grad rms nan" not in src


def test_highlighting_an_empty_relu_output_does_not_crash():
    src = draw_graph(Tensor(np.zeros((3, 0)), requires_grad=True).relu(), highlight_units=True).source
    assert "relu" in src
