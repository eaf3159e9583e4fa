"""The activation ops (autograd/ops/activations.py) and erf/erfc (ops/special.py): the op table, erf against
math.erf, and values, first and second derivatives against torch.nn.functional in float64."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import strategies as st

import autograd
from autograd import Tensor
from autograd.ops.special import erf, erf_array, erfc, erfc_array
from optable import row, table_tests

_erf = np.vectorize(math.erf, otypes=[float])
_erfc = np.vectorize(math.erfc, otypes=[float])
# [-8, 8] at least 0.05 from every multiple of 1/2: from the kinks 0, +-1, +-3, 6 and the softplus thresholds below
WIDE = st.floats(-8, 8).filter(lambda v: abs(v - round(v * 2) / 2) >= 0.05)


def _params(**choices):
    """A strategy of keyword dicts, one of the given tuples of values per draw."""
    keys = list(choices)
    return st.sampled_from(list(zip(*choices.values()))).map(lambda vals: dict(zip(keys, vals)))


def _elu_ref(x, alpha, scale=1.0, input_scale=1.0):
    return np.where(x > 0, scale * x, scale * alpha * (np.exp(x * input_scale) - 1))


SELU = (1.6732632423543772848170429916717, 1.0507009873554804934193349852946)

ROWS = [
    row("erf", erf, _erf, 1, (-6.0, 6.0)),
    row("erfc", erfc, _erfc, 1, (-6.0, 6.0)),
    row("gelu", lambda x: x.gelu(), lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2)))),
    row("gelu_tanh", lambda x: x.gelu("tanh"),
        lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))), 1, WIDE),
    row("silu", lambda x: x.silu(), lambda x: x / (1 + np.exp(-x)), 1, WIDE),
    row("softplus", lambda x, **p: x.softplus(**p),
        lambda x, beta, threshold: np.where(beta * x > threshold, x, np.log1p(np.exp(beta * x)) / beta), 1, WIDE,
        params=_params(beta=(1.0, 2.0, -0.5), threshold=(20.0, 3.0, 1.0))),      # linear from 8, 1.5 and -2
    row("mish", lambda x: x.mish(), lambda x: x * np.tanh(np.log1p(np.exp(x))), 1, WIDE),
    row("logsigmoid", lambda x: x.logsigmoid(), lambda x: -np.log1p(np.exp(-x)), 1, WIDE),
    row("softsign", lambda x: x.softsign(), lambda x: x / (1 + np.abs(x)), 1, WIDE),
    row("elu", lambda x, alpha: x.elu(alpha), _elu_ref, 1, "away_from_kinks",
        params=st.fixed_dictionaries({"alpha": st.sampled_from([1.0, 0.5, -1.0])})),
    row("selu", lambda x: x.selu(), lambda x: _elu_ref(x, *SELU), 1, "away_from_kinks"),
    row("celu", lambda x, alpha: x.celu(alpha), lambda x, alpha: _elu_ref(x, alpha, 1.0, 1 / alpha), 1,
        "away_from_kinks", params=st.fixed_dictionaries({"alpha": st.sampled_from([1.0, 2.0, 0.5])})),
    row("hardtanh", lambda x, **p: x.hardtanh(**p), lambda x, min_val, max_val: np.clip(x, min_val, max_val), 1, WIDE,
        params=_params(min_val=(-1.0, -2.0, 0.5), max_val=(1.0, 0.5, 0.5))),
    row("relu6", lambda x: x.relu6(), lambda x: np.clip(x, 0, 6), 1, WIDE),
    row("hardsigmoid", lambda x: x.hardsigmoid(), lambda x: np.clip(x / 6 + 0.5, 0, 1), 1, WIDE),
    row("hardswish", lambda x: x.hardswish(), lambda x: x * np.clip(x + 3, 0, 6) / 6, 1, WIDE),
]

test_grad, test_second_derivatives, test_forward_with_empty_arrays = table_tests(ROWS)


# --- erf and erfc: within 1e-15 of math.erf / math.erfc over the float64 range ------------------------------
def _erf_points():
    rng = np.random.default_rng(0)
    edges = np.array([1 / 64, 0.5, 4.0, 27.4, 6.0])                 # where the kernel changes method or table
    edges = np.concatenate([edges + k / 16 for k in range(-8, 8)] + [np.arange(65) / 16 + 1 / 32])
    edges = np.concatenate([edges, np.nextafter(edges, 0), np.nextafter(edges, 30)])
    x = np.concatenate([np.linspace(0, 30, 300_001), rng.standard_normal(50_000) * 4, edges,
                        np.logspace(-307, 308, 20_000), [0.0, 2.2250738585072014e-308, np.finfo(float).max]])
    return np.concatenate([x, -x])


def test_erf_matches_math_erf_to_1e15_relative():
    x = _erf_points()
    got, want = erf_array(x), _erf(x)
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)
    assert np.array_equal(np.signbit(got), np.signbit(want))       # erf(-0.0) = -0.0


def test_erfc_matches_math_erfc_relative_to_itself_into_the_tail():
    x = _erf_points()
    got, want = erfc_array(x), _erfc(x)
    normal = want >= np.finfo(float).tiny                             # subnormal results keep fewer bits
    np.testing.assert_allclose(got[normal], want[normal], rtol=1e-15, atol=0)
    np.testing.assert_allclose(got[~normal], want[~normal], rtol=0, atol=3e-323)
    assert erfc_array(np.array(26.5)) > 0 and erfc_array(np.array(27.4)) == 0


def test_erf_of_subnormal_inputs_and_special_values():
    tiny = np.array([5e-324, 1e-320, 2e-310])
    np.testing.assert_allclose(erf_array(tiny), _erf(tiny), rtol=0, atol=1e-323)
    special = np.array([np.inf, -np.inf, np.nan])
    np.testing.assert_array_equal(erf_array(special), [1.0, -1.0, np.nan])
    np.testing.assert_array_equal(erfc_array(special), [0.0, 2.0, np.nan])


def test_erf_keeps_shape_and_float_dtype():
    assert erf_array(np.zeros((2, 0, 3))).shape == (2, 0, 3) and erf_array(np.float64(0.5)).shape == ()
    assert erf_array(np.ones(3, np.float32)).dtype == np.float32 and erfc_array([1, 2]).dtype == np.float64


# --- gelu's tail: exact where torch's 1 + erf cancels --------------------------------------------------------
@pytest.mark.parametrize("x", [-37.0, -20.0, -10.0, -5.0, -1.0, 0.5, 3.0])
def test_gelu_and_its_gradient_against_math_erfc(x):
    t = Tensor([x], requires_grad=True)
    out = t.gelu()
    out.backward(np.ones(1))
    cdf = 0.5 * math.erfc(-x / math.sqrt(2))
    rel = 1e-15 * max(1.0, x * x)        # erfc's condition number ~ x^2 magnifies the rounding of x / sqrt 2
    assert out.item() == pytest.approx(x * cdf, rel=rel, abs=0)
    slope = cdf + x * math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    assert t.grad[0] == pytest.approx(slope, rel=rel, abs=0)


# --- against torch.nn.functional, float64 ----------------------------------------------------------------------
COMMON = [-1e3, -50.0, -20.5, -6.0, -2.5, -1.0, -0.5, -0.0, 0.0, 1e-300, 0.5, 1.0, 2.5, 6.5, 20.5, 50.0, 1e3]
OPS = [  # (name, ours, torch's (name, kwargs), kinks and thresholds of this op)
    ("gelu", lambda x: x.gelu(), ("gelu", {}), []),
    ("gelu_tanh", lambda x: x.gelu(approximate="tanh"), ("gelu", {"approximate": "tanh"}), []),
    ("silu", lambda x: x.silu(), ("silu", {}), []),
    ("softplus", lambda x: x.softplus(), ("softplus", {}), [20.0]),
    ("softplus_b2_t3", lambda x: x.softplus(2.0, 3.0), ("softplus", {"beta": 2.0, "threshold": 3.0}), [1.5]),
    ("mish", lambda x: x.mish(), ("mish", {}), []),
    ("logsigmoid", lambda x: x.logsigmoid(), ("logsigmoid", {}), []),
    ("softsign", lambda x: x.softsign(), ("softsign", {}), []),
    ("elu", lambda x: x.elu(), ("elu", {}), [0.0]),
    ("elu_half", lambda x: x.elu(0.5), ("elu", {"alpha": 0.5}), [0.0]),
    ("selu", lambda x: x.selu(), ("selu", {}), [0.0]),
    ("celu_2", lambda x: x.celu(2.0), ("celu", {"alpha": 2.0}), [0.0]),
    ("hardtanh", lambda x: x.hardtanh(), ("hardtanh", {}), [-1.0, 1.0]),
    ("hardtanh_0_3", lambda x: x.hardtanh(0.0, 3.0), ("hardtanh", {"min_val": 0.0, "max_val": 3.0}), [0.0, 3.0]),
    ("relu6", lambda x: x.relu6(), ("relu6", {}), [0.0, 6.0]),
    ("hardsigmoid", lambda x: x.hardsigmoid(), ("hardsigmoid", {}), [-3.0, 3.0]),
    ("hardswish", lambda x: x.hardswish(), ("hardswish", {}), [-3.0, 3.0]),
]


def _torch_grads(name, kwargs, points):
    """torch's (value, first derivative, second derivative or None) at `points`, float64."""
    torch = pytest.importorskip("torch")
    x = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    y = getattr(torch.nn.functional, name)(x, **kwargs)
    (g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    try:
        gg = torch.autograd.grad(g.sum(), x)[0].numpy() if g.requires_grad else np.zeros(len(points))
    except RuntimeError:                         # "derivative for aten::hardsigmoid_backward is not implemented"
        gg = None
    return y.detach().numpy(), g.detach().numpy(), gg


def _ours(fn, points):
    x = Tensor(points, requires_grad=True)
    y = fn(x)
    y.sum().backward(create_graph=True)
    g, x.grad = x.grad, None
    if not g.requires_grad:                      # piecewise linear: the slope is a constant
        return y.data, g.data, np.zeros(len(points))
    g.sum().backward()
    return y.data, g.data, x.grad.data


@pytest.mark.parametrize("name, fn, torch_op, kinks", OPS, ids=[o[0] for o in OPS])
def test_values_and_gradients_match_torch(name, fn, torch_op, kinks):
    points = COMMON + kinks + [np.nextafter(k, -np.inf) for k in kinks] + [np.nextafter(k, np.inf) for k in kinks]
    y, g, _ = _ours(fn, points)
    ty, tg, _ = _torch_grads(*torch_op, points)
    np.testing.assert_allclose(y, ty, rtol=1e-13, atol=1e-15)
    if name == "hardsigmoid":                    # torch's slope is float32's 1/6, even in float64
        np.testing.assert_allclose(tg, g, rtol=1e-7)
        assert set(g.tolist()) == {0.0, 1 / 6}
    else:
        np.testing.assert_allclose(g, tg, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name, fn, torch_op, kinks", OPS, ids=[o[0] for o in OPS])
def test_second_derivatives_match_torch_away_from_kinks(name, fn, torch_op, kinks):
    points = [p for p in [-20.5, -6.0, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 6.5, 20.5] if p not in kinks]
    _, _, gg = _ours(fn, points)
    _, _, tgg = _torch_grads(*torch_op, points)
    if tgg is None:                              # torch has no second derivative here: ours is 0 (piecewise linear)
        tgg = np.zeros(len(points))
    np.testing.assert_allclose(gg, tgg, rtol=1e-6, atol=1e-14)     # sigmoid's s (1 - s) rounds near s = 1


@pytest.mark.parametrize("name, fn, torch_op, kinks", OPS, ids=[o[0] for o in OPS])
def test_infinities_and_nan_as_torch(name, fn, torch_op, kinks):
    points = [-np.inf, np.inf, np.nan]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)                 # inf * 0 makes torch's nan too
        y, g, _ = _ours(fn, points)
    ty, tg, _ = _torch_grads(*torch_op, points)
    np.testing.assert_array_equal(y, ty)
    if name == "softsign":                       # the slope 1 / (1 + |x|)^2 tends to 0; torch's quotient rule: nan
        tg = np.array([0.0, 0.0, np.nan])
    np.testing.assert_array_equal(g, tg)


def test_large_inputs_are_exact_and_quiet():
    x = Tensor([-1e3, 1e3], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for op, value, slope in [("logsigmoid", [-1e3, 0.0], [1.0, 0.0]), ("softplus", [0.0, 1e3], [0.0, 1.0]),
                                 ("silu", [0.0, 1e3], [0.0, 1.0]), ("mish", [0.0, 1e3], [0.0, 1.0]),
                                 ("gelu", [0.0, 1e3], [0.0, 1.0]), ("elu", [-1.0, 1e3], [0.0, 1.0])]:
            x.grad = None
            out = getattr(x, op)()
            out.backward(np.ones(2))
            assert out.data.tolist() == value and x.grad.tolist() == slope, op


# --- API: methods, functions, dtypes, errors ---------------------------------------------------------------
NAMES = ["gelu", "silu", "softplus", "mish", "logsigmoid", "softsign", "elu", "selu", "celu", "hardtanh", "relu6",
         "hardsigmoid", "hardswish"]


@pytest.mark.parametrize("name", NAMES)
def test_function_method_and_dtype(name):
    x = np.array([-4.0, -0.7, 0.3, 2.0, 7.0], np.float32)
    t = Tensor(x, requires_grad=True)
    out = getattr(t, name)()
    assert np.array_equal(out.data, getattr(autograd, name)(x).data)          # array-likes as constants
    assert out.dtype == np.float32 and getattr(Tensor, name).__doc__ == getattr(autograd, name).__doc__
    out.sum().backward()
    assert t.grad.dtype == np.float32
    np.testing.assert_allclose(out.data, getattr(autograd, name)(x.astype(np.float64)).data, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("call, message", [
    (lambda x: x.gelu(approximate="erf"), "gelu: approximate must be 'none' .* or 'tanh', got 'erf'"),
    (lambda x: x.softplus(beta=0), "softplus: beta must be nonzero"),
    (lambda x: x.celu(0.0), "celu: alpha must be nonzero"),
    (lambda x: x.hardtanh(1.0, -1.0), "hardtanh: min_val 1.0 must not be greater than max_val -1.0"),
])
def test_bad_arguments_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call(Tensor([0.5]))
