"""Functional API: grad and value_and_grad, nestable."""
import math

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor, Value


def test_grad_of_float_returns_float():
    g = ag.grad(lambda x: (x * x).sin() if hasattr(x, "sin") else x.exp() * x)(1.5)
    assert isinstance(g, float) and g == pytest.approx(math.exp(1.5) * 2.5)


def test_grad_of_array_returns_array():
    x = np.array([1.0, 2.0, 3.0])
    g = ag.grad(lambda t: (t ** 2).sum())(x)
    assert isinstance(g, np.ndarray) and not isinstance(g, Tensor)
    np.testing.assert_allclose(g, 2 * x)


def test_value_and_grad_with_argnums_tuple():
    val, (ga, gb) = ag.value_and_grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(np.ones(2), np.array([2.0, 3.0]))
    assert val == 5.0
    np.testing.assert_allclose(ga, [2.0, 3.0])
    np.testing.assert_allclose(gb, [1.0, 1.0])


def test_nested_grad_gives_higher_derivatives():
    f = lambda x: x ** 3 + 2 * x
    assert ag.grad(f)(2.0) == pytest.approx(14.0)
    assert ag.grad(ag.grad(f))(2.0) == pytest.approx(12.0)
    assert ag.grad(ag.grad(ag.grad(f)))(2.0) == pytest.approx(6.0)


def test_nested_grad_on_values():
    d2 = ag.grad(ag.grad(lambda v: v.tanh()))(Value(0.3))
    t = math.tanh(0.3)
    assert d2 == pytest.approx(-2 * t * (1 - t * t))


def test_unused_argument_gets_zero_gradient():
    g = ag.grad(lambda a, b: (a * 2).sum(), argnums=1)(np.ones(2), np.ones(3))
    np.testing.assert_array_equal(g, np.zeros(3))


def test_grad_does_not_touch_dot_grad():
    w = Tensor(np.ones(2), requires_grad=True)
    ag.grad(lambda x: (x * w).sum())(np.ones(2))
    assert w.grad is None


def test_non_scalar_output_is_refused():
    with pytest.raises(TypeError, match="scalar"):
        ag.grad(lambda x: x * 2)(np.ones(3))
