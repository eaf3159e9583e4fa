"""Trying to sneak a wrong gradient past `gradcheck`: scales from 1e-300 to 1e300, inputs too large for the step,
mixed scales in one tensor, zero against 1e-12, nan and inf, kinks, a step chosen too large, errors that cancel.

Each wrong op is `primitive(forward, vjp=...)` with one deliberate bug; each right op passes, so a test here
fails if the checker either lets a bug through or cries wolf. What finite differences cannot see is shown too.
"""
import numpy as np
import pytest

from autograd import Tensor, Value, gradcheck, gradgradcheck, primitive
from autograd.testing import check_adjoint


def scaled_tanh(c, factor=1.0):
    """c * tanh(x) whose vjp is `factor` times the right one."""
    return primitive(lambda x: c * np.tanh(x), vjp=lambda g, out, x: (g * c * (1 - np.tanh(x) ** 2) * factor,))


def x5(low=-1.4, high=1.3):
    return Tensor(np.linspace(low, high, 5), requires_grad=True)


# --- scales ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("c", [1e-300, 1e-30, 1e-7, 1e7, 1e30, 1e300])
@pytest.mark.parametrize("fast", [False, True])
def test_a_vjp_off_by_a_thousandth_is_caught_at_any_scale_and_the_right_one_passes(c, fast):
    assert gradcheck(scaled_tanh(c), x5(), fast=fast)
    with pytest.raises(AssertionError, match="failed for input 0"):
        gradcheck(scaled_tanh(c, 1.001), x5(), fast=fast)
    with pytest.raises(AssertionError, match="failed for input 0"):
        gradcheck(scaled_tanh(c, 0.999), x5(), fast=fast)


@pytest.mark.parametrize("c", [1e-7, 1e7])
def test_a_value_input_at_an_extreme_scale_is_checked_as_closely(c):
    assert gradcheck(scaled_tanh(c), Value(0.3))
    with pytest.raises(AssertionError, match="failed for input 0"):
        gradcheck(scaled_tanh(c, 1.001), Value(0.3))


def test_a_large_input_is_stepped_exactly_as_rounded_and_a_step_that_rounds_away_is_refused():
    far = Tensor(np.linspace(1e8, 1e8 + 4, 5), requires_grad=True)       # eps = 1e-6 is ~67 ulps of 1e8
    shifted = primitive(lambda x: np.sin(x - 1e8), vjp=lambda g, out, x: (g * np.cos(x - 1e8),))
    assert gradcheck(shifted, far)
    with pytest.raises(AssertionError, match="failed for input 0"):
        gradcheck(primitive(shifted.forward, vjp=lambda g, out, x: (1.001 * g * np.cos(x - 1e8),)), far)
    refused = r"cannot step input 0 at index \(0,\) by eps=1e-06.*use eps of at least 0\.01$"
    with pytest.raises(ValueError, match=refused):
        gradcheck(shifted, Tensor(np.full(3, 1e12), requires_grad=True))      # x +- 1e-6 rounds back to x
    with pytest.warns(RuntimeWarning, match="float32"), pytest.raises(ValueError, match="or float64 inputs"):
        gradcheck(lambda t: t * 2, Tensor(np.full(2, 300.0, np.float32), requires_grad=True))


# --- mixed scales in one tensor ------------------------------------------------------------------------
def weighted_sine(c, bug_at=None, factor=1.0):
    """c * sin(x) elementwise; the vjp is `factor` times right at index `bug_at`."""
    c = np.asarray(c)

    def vjp(g, out, x):
        grad = g * c * np.cos(x)
        if bug_at is not None:
            grad[bug_at] *= factor
        return (grad,)
    return primitive(lambda x: c * np.sin(x), vjp=vjp)


@pytest.mark.parametrize("bug_at, factor", [(0, 2.0), (2, 1.001), (1, -1.0)], ids=["2x-small", "0.1%-large", "sign"])
def test_mixed_scales_within_one_tensor_do_not_hide_a_wrong_element(bug_at, factor):
    c, x = [1e-3, 1.0, 1e3], Tensor([0.4, -0.7, 1.1], requires_grad=True)
    assert gradcheck(weighted_sine(c), x)
    with pytest.raises(AssertionError, match=rf"at index \({bug_at},\)"):
        gradcheck(weighted_sine(c, bug_at, factor), x)


def test_an_error_below_the_rounding_noise_of_f_is_invisible_until_the_small_output_is_checked_alone():
    """The limit, stated: elements are compared through <v, f(x)>, whose rounding noise over a step eps is set by its
    largest terms. A 1e-7 output next to a 1e7 one, or a slope of 1e-12 on an output of size 1, moves f by less than
    that noise, so a wrong vjp there passes; checking the small output alone resolves it."""
    c, x = [1e-7, 1e7], Tensor([0.4, -0.7], requires_grad=True)
    bad = weighted_sine(c, 0, 2.0)
    assert gradcheck(bad, x)                                     # 2x wrong, but 1e-7 is below the noise of 1e7
    with pytest.raises(AssertionError, match="failed for input 0"):
        gradcheck(lambda t: bad(t)[0], x)
    claims_a_slope = primitive(lambda x: 1.0 + 0.0 * x, vjp=lambda g, out, x: (1e-12 * g,))
    assert gradcheck(claims_a_slope, x5())      # 1 + 1e-12 eps is 1 in float64 (on f = 0 * x it is caught, below)


# --- exactly zero against tiny ----------------------------------------------------------------------------
@pytest.mark.parametrize("forward, vjp", [
    (lambda x: 0.0 * x, lambda g, out, x: (g * 0.0 + 1e-12 * g,)),           # true 0, vjp says 1e-12
    (lambda x: 1e-12 * x, lambda g, out, x: (g * 0.0,)),                      # true 1e-12, vjp says 0
    (lambda x: 1e-12 * x * x, lambda g, out, x: (g * 4e-12 * x,)),              # 2x on slopes of 1e-12
], ids=["zero-vs-1e-12", "1e-12-vs-zero", "2x-at-1e-12"])
def test_zero_and_tiny_gradients_are_told_apart(forward, vjp):
    with pytest.raises(AssertionError, match="failed for input 0"):
        gradcheck(primitive(forward, vjp=vjp), x5(0.5, 1.5))


def test_true_zero_gradients_of_noisy_functions_pass():
    equal = Tensor(np.full(4, 1.5), requires_grad=True)           # var is flat here; its differences are rounding
    assert gradcheck(lambda t: t.var(), equal) and gradgradcheck(lambda t: t.var(), equal)
    assert gradcheck(lambda t: (t - t.mean()).sum() + 1e6, equal)


# --- nan and inf ---------------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("f, x, match", [
    (lambda t: t.sqrt(), [-1.0, 2.0], "f returned nan at output index"),           # nan at x
    (lambda t: t.log(), [0.0, 2.0], "f returned -inf at output index"),           # inf at x
    (lambda t: t.sqrt(), [0.0, 2.0], "f is not finite at x"),                     # nan at x - eps only
    (primitive(np.sin, vjp=lambda g, out, x: (g * np.cos(x) / (x - x),)), [0.5, 2.0], "gradient .* not finite"),
    (primitive(np.sin, vjp=lambda g, out, x: (g * np.where(x > 1, np.inf, np.cos(x)),)), [0.5, 2.0], "not finite"),
], ids=["nan-at-x", "inf-at-x", "nan-at-x-minus-eps", "nan-gradient", "inf-gradient"])
def test_nan_or_inf_anywhere_fails_loudly(f, x, match):
    for check in (gradcheck, lambda *a: gradcheck(*a, fast=True), check_adjoint):
        with pytest.raises(AssertionError, match=match):
            check(f, Tensor(x, requires_grad=True))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_gradgradcheck_fails_loudly_on_nan_too():
    with pytest.raises(AssertionError, match="nan"):
        gradgradcheck(lambda t: t.sqrt(), Tensor([-1.0, 2.0], requires_grad=True))
    with pytest.raises(AssertionError, match="not finite"):
        gradgradcheck(lambda t: t.sqrt(), Tensor([1e-13, 2.0], requires_grad=True))   # sqrt' at x - eps: nan


# --- kinks, steps and projections ---------------------------------------------------------------------
def test_at_a_kink_the_vjp_is_compared_with_the_average_slope_and_near_one_the_failure_says_so():
    at_zero = Tensor([0.0, 1.0], requires_grad=True)
    assert gradcheck(lambda t: abs(t).sum(), at_zero)            # sign(0) = 0 = the average of -1 and 1
    with pytest.raises(AssertionError, match=r"backward gives 0 but the numerical derivative is 0.(5|49999)"):
        gradcheck(lambda t: t.relu().sum(), at_zero)             # relu'(0) = 0, the average is 0.5
    with pytest.raises(AssertionError, match="do not settle"):
        gradcheck(lambda t: t.relu().sum(), Tensor([5e-7, 1.0], requires_grad=True))   # kink within eps


@pytest.mark.parametrize("power", [3, 5, 9])
def test_at_a_flat_point_higher_order_truncation_is_allowed_but_a_wrong_slope_is_not(power):
    at_zero = Tensor([0.0, 0.5], requires_grad=True)              # x^9 at 0: the differences are t^8, not t^2
    assert gradcheck(lambda t: (t ** power).sum(), at_zero) and gradgradcheck(lambda t: t ** power, at_zero)
    tilted = primitive(lambda x: x ** power, vjp=lambda g, out, x: (g * (power * x ** (power - 1) + 1e-9),))
    with pytest.raises(AssertionError, match=r"at index \(0,\)"):
        gradcheck(lambda t: tilted(t).sum(), at_zero)


@pytest.mark.parametrize("eps", [1e-3, 1e-2, 1e-1])
def test_a_large_step_is_no_escape_hatch(eps):
    x = Tensor(np.linspace(-1.4, 1.3, 5) * 3, requires_grad=True)                # exp: strong curvature
    exp = primitive(np.exp, vjp=lambda g, out, x: (g * out,))
    assert gradcheck(exp, x, eps=eps)                           # truncation removed by extrapolation
    with pytest.raises(AssertionError, match="failed for input 0"):
        gradcheck(primitive(np.exp, vjp=lambda g, out, x: (g * out * 1.001,)), x, eps=eps)


def test_errors_that_cancel_in_a_sum_or_depend_on_the_cotangent_are_caught():
    def cancelling(g, out, x):                   # +1% on element 0, -1% on element 1: the gradient's sum is right
        grad = g * np.cos(x)
        return (grad + 0.01 * np.abs(grad[0]) * np.array([1.0, -1.0, 0, 0, 0]),)
    with pytest.raises(AssertionError):
        gradcheck(primitive(np.sin, vjp=cancelling), x5(), fast=True)
    ones_only = primitive(np.sin, vjp=lambda g, out, x: (np.mean(g) * np.cos(x),))      # right for g = ones only
    with pytest.raises(AssertionError):
        gradcheck(ones_only, x5())
