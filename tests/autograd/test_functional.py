"""Functional API: grad and value_and_grad, nestable."""
import math

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor, Value


def test_grad_of_float_returns_float():
    g = ag.grad(lambda x: x.exp() * x)(1.5)
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


# --- nesting: an inner function may close over the outer variable (no perturbation confusion) ----
def _fd(f, x, eps=1e-5):
    return (float(f(x + eps)) - float(f(x - eps))) / (2 * eps)


NESTED = {   # name: (outer function of x, its derivative written by hand)
    "closure": (lambda x: ag.grad(lambda y: x * y)(2.0), lambda x: 1.0),
    "closure_and_argument": (lambda x: x * ag.grad(lambda y: x * y ** 2)(x), lambda x: 6 * x ** 2),
    "three_deep": (lambda x: ag.grad(lambda y: ag.grad(lambda z: x * y * z * z)(1.5))(2.0), lambda x: 3.0),
    "inner_uses_exp_of_outer": (lambda x: ag.grad(lambda y: (x * y).exp())(0.5),
                                lambda x: (1 + 0.5 * x) * math.exp(0.5 * x)),
    "value_and_grad_inside": (lambda x: ag.value_and_grad(lambda y: (x - y) ** 2)(1.0)[1] * x, lambda x: 2 - 4 * x),
    "array_argument": (lambda x: ag.grad(lambda y: (y * x).tanh().sum())(np.array([0.3, -0.2])).sum(),
                       lambda x: sum(1 - math.tanh(c * x) ** 2
                                     - 2 * c * x * math.tanh(c * x) * (1 - math.tanh(c * x) ** 2)
                                     for c in (0.3, -0.2))),
}


@pytest.mark.parametrize("name", NESTED)
def test_nested_grad_matches_the_derivative_and_finite_differences(name):
    f, df = NESTED[name]
    for x in (0.7, -1.3, 2.0):
        g = ag.grad(f)(x)
        assert g == pytest.approx(df(x), rel=1e-9, abs=1e-12)
        assert g == pytest.approx(_fd(f, x), rel=1e-5, abs=1e-8)


def test_nested_grad_over_values():
    g = ag.grad(lambda x: ag.grad(lambda y: x * y * y)(Value(3.0)))(Value(2.0))
    assert g == pytest.approx(6.0)


def test_backward_inside_a_differentiated_function_is_refused():
    def f(x):
        w = Tensor(2.0, requires_grad=True)
        (w * x).backward()                     # w.grad would be a constant to the outer grad
        return w.grad * x
    with pytest.raises(RuntimeError, match="inside a function that autograd.grad is differentiating"):
        ag.grad(f)(3.0)

    def f2(x):
        w = Tensor(2.0, requires_grad=True)
        (w * x).backward(create_graph=True)    # recorded: the outer grad sees through it
        return w.grad * x
    assert ag.grad(f2)(3.0) == pytest.approx(6.0)
