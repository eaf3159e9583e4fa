"""The op table of elementwise math (ops/math.py), tensor-tensor pow and clip with tensor bounds, and
comparisons with PyTorch in float64: values and gradients at edge values (0, -0, +-1, inf, nan, ties).

Where we deliberately differ from PyTorch the test says so: sign(nan) is nan (numpy's rule, torch gives 0).
"""
import warnings

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd import Tensor
from autograd.testing import arrays
from optable import row, table_tests

MATH = ["sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "log2", "log10", "log1p", "exp2", "expm1",
        "reciprocal", "rsqrt", "square", "sign", "floor", "ceil", "trunc", "round"]
ALIASES = {"asin": "arcsin", "acos": "arccos", "atan": "arctan"}


def method(name, **kw):
    return lambda x: getattr(x, name)(**kw)


def lattice(offset):
    """Elements on 0.05 k + offset: arrays drawn with different offsets never tie (clip's kinks)."""
    return st.integers(-60, 59).map(lambda k: 0.05 * k + offset)


X, LO, HI = lattice(0.01), lattice(0.0267), lattice(0.0433)


def int_exponents(shps):
    """An integer-valued exponent array whose shape broadcasts with the base's."""
    shape = hnp.broadcastable_shapes(shps[0], min_dims=0, max_dims=3, min_side=1, max_side=3)
    return st.fixed_dictionaries({"k": arrays(shape, np.float64, st.integers(-2, 3).map(float))})


ROWS = [
    # --- trigonometric and hyperbolic -------------------------------------------------------------
    row("sin", method("sin"), np.sin),
    row("cos", method("cos"), np.cos),
    row("tan", method("tan"), np.tan, 1, (-1.25, 1.25)),                 # away from the poles at +-pi/2
    row("arcsin", method("arcsin"), np.arcsin, 1, "unit"),
    row("arccos", method("arccos"), np.arccos, 1, "unit"),
    row("arctan", method("arctan"), np.arctan),
    row("sinh", method("sinh"), np.sinh),
    row("cosh", method("cosh"), np.cosh),
    # --- logs and exponentials in other bases ----------------------------------------------------
    row("log2", method("log2"), np.log2, 1, "positive"),
    row("log10", method("log10"), np.log10, 1, "positive"),
    row("log1p", method("log1p"), np.log1p, 1, (-0.75, 3.0)),
    row("exp2", method("exp2"), np.exp2),
    row("expm1", method("expm1"), np.expm1),
    # --- powers of one input ---------------------------------------------------------------------
    row("reciprocal", method("reciprocal"), np.reciprocal, 1, "nonzero"),
    row("rsqrt", method("rsqrt"), lambda x: 1 / np.sqrt(x), 1, "positive"),
    row("square", method("square"), np.square),
    # --- piecewise constant: gradient 0 away from the jumps --------------------------------------
    row("sign", method("sign"), np.sign, 1, "away_from_kinks"),
    row("floor", method("floor"), np.floor, 1, "away_from_kinks"),
    row("ceil", method("ceil"), np.ceil, 1, "away_from_kinks"),
    row("trunc", method("trunc"), np.trunc, 1, "away_from_kinks"),
    row("round", lambda x, d: x.round(d), lambda x, d: np.round(x, d), 1, "away_from_kinks",   # jumps at 0.05 (d=1)
        params={"d": st.sampled_from([0, 1, -1])}),
    # --- pow with a tensor exponent (both differentiable: test_ops_grad.py's "pow" row) ----------
    row("pow_int_tensor_exponent_negative_base", lambda x, k: x ** Tensor(k), lambda x, k: x ** k, 1, "nonzero",
        params=int_exponents),
    row("pow_zero_base_tensor_exponent", lambda y: Tensor(0.0) ** y, lambda y: np.power(0.0, y), 1, "positive"),
    # --- clip with tensor bounds (broadcasting, differentiable in the bounds) ---------------------
    row("clip_tensor_bounds", lambda x, lo, hi: x.clip(lo, hi), np.clip, 3, (X, LO, HI)),
    row("clamp_min_tensor", lambda x, lo: x.clamp(min=lo), np.maximum, 2, (X, LO)),
    row("clamp_max_tensor_min_number", lambda x, hi, lo: ag.clamp(x, lo, hi), lambda x, hi, lo: np.clip(x, lo, hi),
        2, (X, HI), params={"lo": st.sampled_from([-1.0, 0.0, 2.0])}),
]


test_grad, test_second_derivatives, test_forward_with_empty_arrays = table_tests(ROWS)


# --- the API: methods, functions and PyTorch's aliases are one op ------------------------------------
@pytest.mark.parametrize("name", MATH + list(ALIASES))
def test_method_and_function_agree(name):
    x = Tensor([0.3, 0.6, 0.9])
    np.testing.assert_array_equal(getattr(x, name)().data, getattr(ag, name)(x).data)
    np.testing.assert_array_equal(getattr(ag, name)([0.3, 0.6, 0.9]).data, getattr(ag, name)(x).data)
    assert getattr(ag, ALIASES.get(name, name)).__doc__ == getattr(Tensor, name).__doc__


@pytest.mark.parametrize("name", MATH)
def test_float32_stays_float32(name):
    x = Tensor(np.array([0.3, 0.6], np.float32), requires_grad=True)
    out = getattr(x, name)()
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32


def test_piecewise_constant_gradient_is_zero_even_for_an_inf_seed():
    x = Tensor([0.5, 1.5], requires_grad=True)
    for name in ("sign", "floor", "ceil", "trunc", "round"):
        x.grad = None
        getattr(x, name)().backward(np.array([np.inf, np.nan]))
        np.testing.assert_array_equal(x.grad, [0.0, 0.0])          # zeros, not g * 0 = nan


def test_round_refuses_a_non_integer_decimals():
    with pytest.raises(TypeError, match="round: decimals must be an int, got 1.5"):
        Tensor([1.0]).round(1.5)


# --- against PyTorch, float64 --------------------------------------------------------------------
EDGES = np.array([0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5, 2.0, -2.0, 0.999999, 1e-10, 800.0,
                  1e300, -1e300, np.inf, -np.inf, np.nan])


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def both(torch, fn, torch_fn, *arrays):
    """(ours, torch's): the value and each input's gradient for a seed of ones."""
    mine = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)            # numpy warns outside the domain; torch does not
        out = fn(*mine)
        out.backward(np.ones(out.shape))
    tout = torch_fn(*theirs)
    tout.backward(torch.ones_like(tout))
    return ([out.data] + [x.grad for x in mine],
            [tout.detach().numpy()] + [x.grad.numpy() for x in theirs])


def assert_same(mine, theirs, what):
    for k, (a, b) in enumerate(zip(mine, theirs)):
        np.testing.assert_array_equal(a, b, err_msg=f"{what}: {'value' if k == 0 else f'gradient {k - 1}'}")


@pytest.mark.parametrize("name", [n for n in MATH if n != "sign"] + list(ALIASES))
def test_math_matches_torch_at_edge_values(torch, name):
    mine, theirs = both(torch, getattr(ag, name), getattr(torch, name), EDGES)
    for k, (a, b) in enumerate(zip(mine, theirs)):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=0, equal_nan=True, err_msg=f"{name} {k}")


def test_sign_of_nan_is_nan_as_numpy_where_torch_gives_0(torch):
    (out, grad), (tout, tgrad) = both(torch, ag.sign, torch.sign, EDGES)
    nan = np.isnan(EDGES)
    np.testing.assert_array_equal(out[~nan], tout[~nan])
    assert np.isnan(out[nan]).all() and (tout[nan] == 0).all()
    np.testing.assert_array_equal(grad, tgrad)                     # zero everywhere


@pytest.mark.parametrize("decimals", [0, 1, 2, -1])
def test_round_halves_to_even_as_torch(torch, decimals):
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 0.25, 0.35, -0.25, 1.25, 15.0, 25.0, 1234.5, 0.125, np.nan, np.inf])
    np.testing.assert_array_equal(ag.round(x, decimals).data, torch.round(torch.tensor(x), decimals=decimals).numpy())


def test_pow_edge_cases_match_torch(torch):
    """0 ** y, negative bases with integer and fractional exponents, inf and nan, through the tensor-tensor path."""
    base = [0.0, -0.0, 2.0, -2.0, 0.5, -0.5, np.inf, -np.inf, np.nan]
    expo = [-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 2.5, 3.0, np.inf, -np.inf, np.nan]
    a, b = (np.array(v) for v in zip(*[(x, y) for x in base for y in expo]))
    mine, theirs = both(torch, lambda x, y: x ** y, lambda x, y: x ** y, a, b)
    for k, (m, t) in enumerate(zip(mine, theirs)):
        np.testing.assert_allclose(m, t, rtol=1e-14, equal_nan=True, err_msg=f"pow output/gradient {k}")


@pytest.mark.parametrize("k", [0, 1, 2, 3, -1, -2, 0.5, -0.5, 2.5])
def test_pow_by_a_number_matches_torch(torch, k):
    # -0.0 and -inf only with integer k: torch computes x ** +-0.5 as (r)sqrt, so (-0.0) ** -0.5 = -inf and
    # (-inf) ** 0.5 = nan there, where numpy (and C's pow) give inf; our values are numpy's
    x = np.array([0.0, 2.0, -2.0, 0.5, -0.5, np.inf, np.nan] + ([-0.0, -np.inf] if k == int(k) else []))
    mine, theirs = both(torch, lambda x: x ** k, lambda x: x ** k, x)
    for m, t in zip(mine, theirs):
        np.testing.assert_allclose(m, t, rtol=1e-14, equal_nan=True)


def test_pow_second_derivatives_at_a_zero_exponent():
    """x^0 is flat in x, but d/dy of its x-slope y x^(y-1) is 1/x there: the edge handling must keep it."""
    x, y = Tensor([2.0, 0.5], requires_grad=True), Tensor([0.0, 0.0], requires_grad=True)
    assert ag.gradgradcheck(lambda x, y: x ** y, x, y)
    (x ** y).backward(np.ones(2), create_graph=True)
    y.grad = None
    x.grad.sum().backward()                          # d/dy of sum(y x^(y-1)) = x^(y-1) (1 + y ln x) = 1/x
    np.testing.assert_allclose(y.grad.data, [0.5, 2.0])


def test_pow_broadcast_gradients_match_torch(torch):
    rng = np.random.default_rng(0)
    a, b = rng.uniform(0.5, 2, (3, 1)), rng.uniform(-2, 2, (4,))
    mine, theirs = both(torch, lambda x, y: x ** y, lambda x, y: x ** y, a, b)
    assert mine[1].shape == (3, 1) and mine[2].shape == (4,)
    for m, t in zip(mine, theirs):
        np.testing.assert_allclose(m, t, rtol=1e-13)


# --- clip with tensor bounds against torch.clamp -------------------------------------------------------
CLIP = dict(x=[0.0, 1.0, 2.0, 3.0, 0.5, np.nan, 1.5, 1.0, 0.7, -np.inf, np.inf],
            lo=[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 0.0, 0.0],     # ties at x == lo, x == hi, lo == hi,
            hi=[2.0, 2.0, 2.0, 2.0, 0.7, 2.0, 1.0, 1.0, 0.7, 1.0, 1.0])     # lo > hi, a nan, infinities


@pytest.mark.parametrize("bounds", ["both", "min", "max"])
def test_clip_tensor_bounds_match_torch_at_ties_and_crossed_bounds(torch, bounds):
    x, lo, hi = (np.array(CLIP[k]) for k in ("x", "lo", "hi"))
    if bounds == "both":
        mine, theirs = both(torch, ag.clip, torch.clamp, x, lo, hi)
    elif bounds == "min":
        mine, theirs = both(torch, lambda x, lo: x.clip(min=lo), lambda x, lo: x.clamp(min=lo), x, lo)
    else:
        mine, theirs = both(torch, lambda x, hi: x.clamp(max=hi), lambda x, hi: x.clamp(max=hi), x, hi)
    assert_same(mine, theirs, f"clip ({bounds})")


@pytest.mark.parametrize("lo, hi", [(1.0, 2.0), (2.0, 1.0), (None, 1.0), (1.0, None), (1.0, 1.0)])
def test_clip_number_bounds_match_torch(torch, lo, hi):
    x = np.array(CLIP["x"])
    mine, theirs = both(torch, lambda x: x.clamp(lo, hi), lambda x: x.clamp(lo, hi), x)
    assert_same(mine, theirs, f"clip({lo}, {hi})")


def test_clip_broadcasts_bounds_and_sums_their_gradients(torch):
    rng = np.random.default_rng(1)
    x, lo, hi = rng.normal(size=(2, 3)), rng.normal(size=(3,)) - 0.5, rng.normal(size=(2, 1)) + 0.5
    mine, theirs = both(torch, ag.clip, torch.clamp, x, lo, hi)
    assert [g.shape for g in mine[1:]] == [(2, 3), (3,), (2, 1)]
    assert_same(mine, theirs, "clip broadcast")


def test_clip_bound_that_is_a_list_or_array_is_a_constant():
    x = Tensor([0.0, 2.0], requires_grad=True)
    out = x.clip([0.5, 0.5], np.array(1.5))
    out.sum().backward()
    np.testing.assert_array_equal(out.data, [0.5, 1.5])
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])


def test_clip_errors_name_the_op():
    with pytest.raises(ValueError, match=r"clip: shapes input \(2,\), lo \(3,\) cannot be broadcast"):
        Tensor([1.0, 2.0]).clip(Tensor([0.0, 0.0, 0.0]))
    with pytest.raises(TypeError, match="clip: got both lo=0 and min=1"):
        Tensor([1.0]).clip(0, min=1)
