"""Value: operators in both directions and IEEE-safe arithmetic."""
import math

import numpy as np
import pytest

from autograd import Value


def test_operators_with_numbers_in_both_directions():
    v, w = Value(2.0), Value(3.0)
    assert (2 * v).data == 4.0 and (v * 2).data == 4.0
    assert (1 / v).data == 0.5 and (v / 4).data == 0.5
    assert (v ** 3).data == 8.0 and (2 ** v).data == 4.0 and (v ** w).data == 8.0
    assert (1 - v).data == -1.0 and (v - 1).data == 1.0 and (-v).data == -2.0
    assert (5 + v).data == 7.0 and (np.float64(2.0) * v).data == 4.0


def test_mixed_expression_gradients_by_hand():
    x, y = Value(2.0), Value(3.0)
    z = x * y + x ** 2 + 2 ** x - y / x
    z.backward()
    assert x.grad == pytest.approx(y.data + 2 * 2.0 + 4 * math.log(2) + 3.0 / 4.0)
    assert y.grad == pytest.approx(2.0 - 0.5)


def test_power_with_value_exponent():
    a, b = Value(1.5), Value(2.5)
    (a ** b).backward()
    assert a.grad == pytest.approx(2.5 * 1.5 ** 1.5)
    assert b.grad == pytest.approx(1.5 ** 2.5 * math.log(1.5))


def test_no_overflow_error_anywhere():
    assert Value(-1000).sigmoid().data == 0.0
    assert Value(1000).sigmoid().data == 1.0
    assert Value(1000).exp().data == math.inf
    assert Value(-1000).exp().data == 0.0
    assert (Value(10.0) ** 1000).data == math.inf
    s = Value(-1000).sigmoid()
    s.backward()


def test_log_zero_is_minus_inf_with_warning():
    with pytest.warns(RuntimeWarning, match="log"):
        assert Value(0.0).log().data == -math.inf
    with pytest.warns(RuntimeWarning):
        assert math.isnan(Value(-1.0).log().data)


def test_division_by_zero_follows_ieee_with_warning():
    with pytest.warns(RuntimeWarning):
        assert (Value(1.0) / 0.0).data == math.inf
    with pytest.warns(RuntimeWarning):
        assert (Value(-1.0) / 0.0).data == -math.inf
    with pytest.warns(RuntimeWarning):
        assert math.isnan((Value(-8.0) ** (1 / 3)).data)        # not a complex number


@pytest.mark.parametrize("op, expect", [("relu", 0.0), ("abs", 0.0)])
def test_kinks_have_zero_gradient(op, expect):
    v = Value(0.0)
    getattr(v, op)().backward()
    assert v.grad == expect


def test_leaky_relu_slope():
    v = Value(-2.0)
    out = v.leaky_relu(0.1)
    out.backward()
    assert out.data == pytest.approx(-0.2) and v.grad == pytest.approx(0.1)


def test_constants_are_not_graph_inputs():
    v = Value(2.0)
    out = v * 3
    const = out._parents[1]
    assert not const.requires_grad and const.data == 3.0


def test_bad_data_is_refused():
    with pytest.raises(TypeError, match="real number"):
        Value("x")
    with pytest.raises(TypeError):
        Value(1.0) + "x"


def test_repr_and_label():
    assert "label='w'" in repr(Value(1.0, label="w"))


@pytest.mark.parametrize("f, value, grad", [
    (lambda x: x.log(), -math.inf, math.inf),
    (lambda x: 2.0 / x, math.inf, -math.inf),
    (lambda x: x ** -1, math.inf, -math.inf),
])
def test_backward_at_zero_follows_ieee_too(f, value, grad):
    """Not only the forward: a gradient of 1/0 is inf with a warning, never a ZeroDivisionError."""
    x = Value(0.0)
    with pytest.warns(RuntimeWarning):
        y = f(x)
        y.backward()
    assert y.data == value and x.grad == grad
