"""One row per `Value` op: its gradient property-tested with `check_op(kind="value")`, its forward against numpy,
and its second derivatives through `backward(create_graph=True)` on a few drawn inputs.

Python-number operands are drawn as params, so both operand orders (v + 2, 2 + v) are exercised.
"""
import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st

from autograd import Value, gradcheck
from autograd.testing import check_op

NUMBERS = st.floats(-2.5, 2.5)
NONZERO_NUMBERS = st.sampled_from([-2.0, -0.5, 0.25, 1.5, 3.0])


def row(name, fn, ref, arity=1, domain="real", params=None):
    return pytest.param(fn, ref, arity, domain, params, id=name)


ROWS = [
    row("add", lambda a, b: a + b, np.add, 2),
    row("add_number", lambda a, c: a + c, lambda a, c: a + c, params={"c": NUMBERS}),
    row("radd_number", lambda a, c: c + a, lambda a, c: c + a, params={"c": NUMBERS}),
    row("sub", lambda a, b: a - b, np.subtract, 2),
    row("sub_number", lambda a, c: a - c, lambda a, c: a - c, params={"c": NUMBERS}),
    row("rsub_number", lambda a, c: c - a, lambda a, c: c - a, params={"c": NUMBERS}),
    row("mul", lambda a, b: a * b, np.multiply, 2),
    row("mul_self", lambda a: a * a, np.square),
    row("mul_number", lambda a, c: a * c, lambda a, c: a * c, params={"c": NUMBERS}),
    row("rmul_number", lambda a, c: c * a, lambda a, c: c * a, params={"c": NUMBERS}),
    row("div", lambda a, b: a / b, np.divide, 2, ("real", "nonzero")),
    row("div_number", lambda a, c: a / c, lambda a, c: a / c, params={"c": NONZERO_NUMBERS}),
    row("rdiv_number", lambda a, c: c / a, lambda a, c: c / a, 1, "nonzero", params={"c": NUMBERS}),
    row("pow_value", lambda a, b: a ** b, np.power, 2, ("positive", "real")),
    row("pow_number", lambda a, k: a ** k, lambda a, k: np.power(a, k), 1, "positive",
        params={"k": st.sampled_from([2, 3, 0.5, -1, -1.5, 1, 0])}),
    row("pow_int_negative_base", lambda a, k: a ** k, lambda a, k: np.power(a, float(k)), 1, "nonzero",
        params={"k": st.sampled_from([2, 3, -1, -2])}),
    row("rpow_number", lambda a, c: c ** a, lambda a, c: np.power(c, a), params={"c": st.sampled_from([0.5, 2, 3.0])}),
    row("neg", lambda a: -a, np.negative),
    row("exp", lambda a: a.exp(), np.exp),
    row("log", lambda a: a.log(), np.log, 1, "positive"),
    row("tanh", lambda a: a.tanh(), np.tanh),
    row("sigmoid", lambda a: a.sigmoid(), lambda a: 1 / (1 + np.exp(-a))),
    row("sigmoid_wide", lambda a: a.sigmoid(), lambda a: 1 / (1 + np.exp(-a)), 1, (-30.0, 30.0)),
    row("relu", lambda a: a.relu(), lambda a: np.maximum(a, 0), 1, "away_from_kinks"),
    row("leaky_relu", lambda a, s: a.leaky_relu(s), lambda a, s: np.where(a > 0, a, s * a), 1, "away_from_kinks",
        params={"s": st.sampled_from([0.01, 0.3])}),
    row("abs", lambda a: abs(a), np.abs, 1, "away_from_kinks"),
]


@pytest.mark.parametrize("fn, ref, arity, domain, params", ROWS)
def test_value_op(fn, ref, arity, domain, params):
    check_op(fn, arity, domain, kind="value", params=params, reference=ref)


@pytest.mark.parametrize("fn, ref, arity, domain, params", ROWS)
def test_value_op_second_derivatives(fn, ref, arity, domain, params):
    check_op(fn, arity, domain, kind="value", params=params, properties=False, second_order=True,
             max_examples=max(5, settings.default.max_examples // 6))


# --- regressions: engine bugs the toolkit found (fixed in 404679c) ---------------------------------
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_pow_gradient_wrt_the_exponent_at_a_zero_base():
    assert gradcheck(lambda b: Value(0.0) ** b, Value(2.0))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_pow_by_constant_zero_at_zero():
    assert gradcheck(lambda a: a ** 0, Value(0.0))
