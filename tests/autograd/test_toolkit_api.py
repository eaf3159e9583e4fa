"""The toolkit's own contract: gradcheck's report, its side effects, and strategies that keep their promises."""
import re
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Tensor, Value, gradcheck, gradgradcheck, primitive
from autograd.testing import (DOMAINS, arrays, axes, broadcast_targets, broadcastable_shapes, check_forward,
                              check_op, check_rewrite, concat_shapes, expressions, indices, matmul_shapes,
                              reshape_targets, shapes)


def test_gradcheck_and_the_properties_do_not_import_hypothesis():
    code = ("import sys, autograd, autograd.testing as T; T.check_all; T.assert_engines_agree; T.gradgradcheck; "
            "assert 'hypothesis' not in sys.modules, 'hypothesis imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def poke(index):
    """A mul whose gradient for `a` is off by 1 at one element only."""
    def vjp(g, out, a, b):
        ga = np.array(g * b)
        ga[index] += 1.0
        return ga, g * a
    return primitive(np.multiply, vjp=vjp)


def test_gradcheck_report_names_the_input_the_worst_element_and_both_values():
    a = Tensor(np.full((2, 3), 0.5), requires_grad=True)
    W = Tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True, label="W")
    with pytest.raises(AssertionError) as err:
        gradcheck(lambda w, x: poke((1, 2))(w, x), W, a)
    msg = str(err.value)
    assert msg.startswith("gradcheck failed for input 0 ('W') of shape (2, 3): at index (1, 2) backward gives ")
    ana, num = (float(s.split()[0]) for s in msg.split("gives ")[1].split("derivative is "))
    assert abs(ana - num) == pytest.approx(1.0, rel=1e-6) and "1 of 6 elements differ" in msg


TOLERANCE = re.compile(r"error (\S+) > tolerance (\S+) = rtol\*\|grad\| (\S+) \+ noise (\S+)"
                       r"(?: \+ truncation (\S+))?(?: \+ atol (\S+))?;")


@pytest.mark.parametrize("fast", [False, True])
def test_gradcheck_report_says_how_the_tolerance_was_made_up(fast):
    twice = primitive(lambda x: 1e-7 * np.sin(x), vjp=lambda g, out, x: (2e-7 * g * np.cos(x),))
    with pytest.raises(AssertionError) as err:
        gradcheck(twice, Tensor(np.linspace(-1, 1, 4), requires_grad=True), atol=1e-20, fast=fast)
    msg = str(err.value)
    ana, num = (float(s.split()[0]) for s in msg.split("gives ")[1].split("derivative is "))
    error, tol, by_rtol, noise, extra, atol = (float(p or 0) for p in TOLERANCE.search(msg).groups())
    assert error == pytest.approx(abs(ana - num), rel=1e-2) and atol == 1e-20
    assert by_rtol == pytest.approx(1e-5 * max(abs(ana), abs(num)), rel=1e-2)
    assert tol == pytest.approx(by_rtol + noise + extra + atol, rel=1e-2)
    assert 0 < noise < 1e-15 and tol < 1e-4 * error              # scaled to gradients of 1e-7, not a fixed 1e-5


def test_rtol_and_atol_keep_their_meaning_relative_and_absolute_slack():
    x = Tensor(np.linspace(-1, 1, 4), requires_grad=True)
    off = primitive(lambda x: 1e-7 * np.sin(x), vjp=lambda g, out, x: (1.001e-7 * g * np.cos(x),))
    for kw in ({"rtol": 1e-2}, {"atol": 1e-9}):                  # 0.1% of 1e-7 is 1e-10
        assert gradcheck(off, x, **kw) and gradcheck(off, x, fast=True, **kw) and check_op(off, max_examples=5, **kw)
    with pytest.raises(AssertionError):
        gradcheck(off, x)


def test_fast_gradcheck_compares_one_projection_and_catches_a_wrong_gradient():
    x = Tensor(np.linspace(-1, 1, 50), requires_grad=True)
    assert gradcheck(lambda t: t.tanh() * t, x, fast=True)
    with pytest.raises(AssertionError, match=r"fast: v\.J\.u"):
        gradcheck(lambda t: poke((7,))(t, t), x, fast=True)


def test_gradcheck_leaves_inputs_and_their_grads_as_it_found_them():
    x = Tensor([0.5, 2.0], requires_grad=True)
    x.grad = np.array([7.0, 8.0])
    data = x.data
    v = Value(0.3)
    v.grad = 5.0
    gradcheck(lambda t: (t * t).sum(), x)
    gradcheck(lambda s: s * s, v)
    assert x.data is data and x.grad.tolist() == [7.0, 8.0] and v.grad == 5.0 and v.data == 0.3


def test_gradcheck_warns_on_float32_and_refuses_inputs_without_grad():
    with pytest.warns(RuntimeWarning, match="float32"):
        gradcheck(lambda t: t * 2, Tensor(np.ones(2, np.float32), requires_grad=True), atol=1e-2)
    with pytest.raises(ValueError, match="no input requires grad"):
        gradcheck(lambda t: t * 2, Tensor(np.ones(2)))


def test_gradgradcheck_passes_smooth_ops_and_refuses_mixed_kinds():
    assert gradgradcheck(lambda a, b: (a * b).tanh() / b, Tensor([0.3, 1.0], requires_grad=True),
                         Tensor([2.0, -1.5], requires_grad=True))
    with pytest.raises(TypeError, match="mix Value and Tensor"):
        gradgradcheck(lambda t, v: t * 2, Tensor([1.0], requires_grad=True), Value(1.0))


def test_check_rewrite_reports_different_values():
    with pytest.raises(AssertionError, match="different values"):
        check_rewrite(lambda x: x * 2, lambda x: x * 3, Tensor([1.0], requires_grad=True))


def test_check_forward_catches_a_forward_that_differs_from_the_reference():
    with pytest.raises(AssertionError, match="forward"):
        check_forward(lambda x: x * 2, lambda x: x + x + 1e-6, shrink=False)


def test_check_op_rejects_bad_arguments():
    with pytest.raises(ValueError, match="2 domains given for an op of arity 1"):
        check_op(lambda x: x, domain=("positive", "nonzero", "real")[:2])
    with pytest.raises(ValueError, match="kind must be one of"):
        check_op(lambda x: x, kind="scalar")


# --- strategies keep their promises ----------------------------------------------------------------
@pytest.mark.parametrize("domain", sorted(DOMAINS))
@given(data=st.data())
def test_arrays_stay_in_their_domain(domain, data):
    x = data.draw(arrays(domain=domain))
    lo, hi = DOMAINS[domain]
    values = np.abs(x) if domain == "nonzero" else x
    assert x.dtype == np.float64 and np.all((lo <= values) & (values <= hi))


@given(x=arrays(shape=shapes(max_side=4), domain="away_from_kinks"))
def test_away_from_kinks_gives_distinct_elements_far_from_every_multiple_of_the_step(x):
    steps = x / 0.05
    assert np.all(np.abs(steps - np.round(steps)) >= 0.5 - 1e-9) and len(np.unique(x)) == x.size


@given(n=st.integers(1, 4), data=st.data())
def test_broadcastable_shapes_broadcast(n, data):
    shps = data.draw(broadcastable_shapes(n))
    assert len(shps) == n
    np.broadcast_shapes(*shps)


@given(pair=matmul_shapes())
def test_matmul_shapes_multiply(pair):
    np.matmul(np.zeros(pair[0]), np.zeros(pair[1]))


@given(shape=shapes(min_side=0), data=st.data())
def test_shape_dependent_strategies_give_valid_arguments(shape, data):
    x = np.zeros(shape)
    np.sum(x, axis=data.draw(axes(x.ndim)))
    x.reshape(data.draw(reshape_targets(shape)))
    np.broadcast_to(x, data.draw(broadcast_targets(shape)))
    x[data.draw(indices(shape, "basic"))]
    x[data.draw(indices(shape, "mask"))]


@given(shps=concat_shapes(3))
def test_concat_shapes_concatenate(shps):
    diff = [a for a in range(len(shps[0])) if len({s[a] for s in shps}) > 1]
    np.concatenate([np.zeros(s) for s in shps], axis=diff[0] if diff else 0)


@given(expr=expressions())
def test_expressions_print_as_programs_and_reuse_leaves(expr):
    f, xs = expr
    text = repr(f)
    assert text.startswith("Graph(") and all(f"x{i}" in text for i in range(len(xs)))


def test_the_custom_op_example_runs_and_catches_its_bug(capsys):
    runpy.run_path(str(Path(__file__).parents[2] / "examples" / "custom_op.py"), run_name="__main__")
    printed = capsys.readouterr().out
    assert "check_op(softplus): passed" in printed and "caught: gradcheck failed" in printed
