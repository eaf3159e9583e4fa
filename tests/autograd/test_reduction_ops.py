"""The op table of std, prod, norm and the scans (cumsum, cumprod, cummax, cummin), and the constant reductions
(argmax/argmin, any/all, count_nonzero): gradients against numpy references, then values and gradients against
PyTorch float64 at the edges (zeros, ties, nan/inf, empty tensors, keepdim, negative dims).
"""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
from autograd import Tensor
from autograd.testing import arrays, axes, axis, shapes
from optable import given_shape, reduce_params, row, table_tests, var_params

inf, nan = np.inf, np.nan
WITH_ZEROS = st.one_of(st.just(0.0), st.floats(-2.0, 2.0))           # about half the entries are 0
TIES_AND_NAN = st.sampled_from([0.0, 1.0, -1.0, 2.0, nan])


def std_ref(x, **p):
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)               # numpy: mean of empty, ddof >= n
        return np.std(x, **p)


def norm_ref(x, p, axis, keepdims):
    """The entrywise p-norm from its definition."""
    a, p = np.abs(x), 2 if p == "fro" else p
    if p in (inf, -inf):
        return (np.max if p == inf else np.min)(a, axis=axis, keepdims=keepdims)
    if p == 0:
        return np.sum(a != 0, axis=axis, keepdims=keepdims).astype(float)
    return np.sum(a ** p, axis=axis, keepdims=keepdims) ** (1 / p)


def norm_params(orders):
    return lambda shps: st.fixed_dictionaries({"p": st.sampled_from(orders), "axis": axes(len(shps[0])),
                                               "keepdims": st.booleans()})


def scan_params(shps):
    return st.fixed_dictionaries({"axis": st.one_of(st.none(), axis(len(shps[0]))) if shps[0] else st.none()})


def scan_ref(fn):
    """fn (a ufunc's accumulate) along `axis`, of the flattened array for None (numpy's cumsum rule)."""
    return lambda x, axis: fn(x.reshape(-1) if axis is None else x, axis=0 if axis is None else axis)


def reduce_with(method):
    return lambda x, **p: getattr(x, method)(**p)


ROWS = [
    row("std", reduce_with("std"), std_ref, 1, "away_from_kinks", params=var_params),   # distinct: std > 0
    row("prod", reduce_with("prod"), lambda x, **p: np.prod(x, **p), params=given_shape(reduce_params)),
    row("prod_with_zeros", reduce_with("prod"), lambda x, **p: np.prod(x, **p), 1, WITH_ZEROS,
        params=given_shape(reduce_params)),
    row("norm", reduce_with("norm"), norm_ref, 1, "nonzero", params=norm_params([2, "fro", 1, 0, 0.5, 1.5, 3])),
    row("norm_inf", lambda x, **p: (x + 3).norm(**p), lambda x, **p: norm_ref(x + 3, **p), 1, "away_from_kinks",
        params=norm_params([inf, -inf]), empty=False),                # x + 3 > 0 and distinct: no ties of |x|
    row("cumsum", lambda x, axis: x.cumsum(axis), scan_ref(np.cumsum), params=scan_params),
    row("cumprod", lambda x, axis: x.cumprod(axis), scan_ref(np.cumprod), params=scan_params),
    row("cumprod_with_zeros", lambda x, axis: x.cumprod(axis), scan_ref(np.cumprod), 1, WITH_ZEROS,
        params=scan_params),
    row("cummax", lambda x, axis: x.cummax(axis).values, scan_ref(np.maximum.accumulate), 1, "away_from_kinks",
        params=scan_params),
    row("cummin", lambda x, axis: x.cummin(axis)[0], scan_ref(np.minimum.accumulate), 1, "away_from_kinks",
        params=scan_params),
]

test_grad, test_second_derivatives, test_forward_with_empty_arrays = table_tests(ROWS)


# --- the constant reductions against numpy ---------------------------------------------------------
@pytest.mark.parametrize("name", ["any", "all", "count_nonzero"])
@given(data=st.data())
@settings(deadline=None)
def test_truth_and_count_reductions_match_numpy(name, data):
    x = data.draw(arrays(shapes(min_side=0), domain=TIES_AND_NAN))
    p = data.draw(reduce_params(x.shape))
    ours = getattr(Tensor(x, requires_grad=True), name)(**p)
    expected = np.asarray({"any": np.any, "all": np.all, "count_nonzero": np.count_nonzero}[name](x, **p))
    assert ours.dtype == (np.int64 if name == "count_nonzero" else bool) and not ours.requires_grad
    np.testing.assert_array_equal(ours.data, expected, strict=True)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@given(data=st.data())
@settings(deadline=None)
def test_argmax_argmin_give_numpys_first_index(name, data):
    x = data.draw(arrays(shapes(min_side=1), domain=TIES_AND_NAN))
    p = {"axis": data.draw(st.one_of(st.none(), axis(x.ndim)) if x.ndim else st.none()),
         "keepdims": data.draw(st.booleans())}
    ours = getattr(Tensor(x, requires_grad=True), name)(**p)
    assert ours.dtype == np.int64 and not ours.requires_grad
    np.testing.assert_array_equal(ours.data, np.asarray(getattr(np, name)(x, **p), dtype=np.int64), strict=True)


# --- edge cases and deliberate choices -----------------------------------------------------------------
@pytest.mark.parametrize("call, error, words", [
    (lambda: Tensor(np.zeros((2, 0))).argmax(axis=1), ValueError, ["argmax", "(2, 0)", "empty"]),
    (lambda: Tensor(np.zeros((2, 0))).argmin(), ValueError, ["argmin", "(2, 0)"]),
    (lambda: Tensor(np.ones((2, 3))).argmax(axis=(0, 1)), TypeError, ["argmax", "one int"]),
    (lambda: Tensor(np.zeros((0, 3))).norm(inf, axis=0), ValueError, ["norm", "(0, 3)", "finite p"]),
    (lambda: Tensor(np.ones(3)).norm("nuc"), ValueError, ["norm", "'nuc'"]),
    (lambda: Tensor(np.ones(3)).norm(-1), ValueError, ["norm", "-1"]),
    (lambda: Tensor(2.0).cumsum(0), ValueError, ["cumsum", "0-d", "axis=None"]),
    (lambda: Tensor(np.ones((2, 3))).cumprod(axis=(0, 1)), TypeError, ["cumprod", "one int"]),
    (lambda: Tensor(np.ones((2, 3))).cummax(axis=2), ValueError, ["cummax", "(2, 3)"]),
    (lambda: Tensor(np.ones((2, 3))).std(axis=0, dim=1), TypeError, ["std", "dim"]),
    (lambda: Tensor(np.ones((2, 3))).prod(axis=3), ValueError, ["prod", "out of range"]),
])
def test_errors_name_the_op_and_the_shapes(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert all(w in str(info.value) for w in words), str(info.value)


def test_norm_over_two_axes_is_entrywise_like_torch_not_numpys_matrix_norm():
    x = np.array([[1.0, -2.0], [3.0, 4.0]])
    assert ag.norm(x, 1, axis=(0, 1)).item() == 10.0                  # numpy.linalg.norm: max column sum, 6
    assert ag.norm(x, inf, axis=(0, 1)).item() == 4.0                 # numpy.linalg.norm: max row sum, 7
    assert np.isclose(ag.norm(x, 2, axis=(0, 1)).item(), np.sqrt(30))   # numpy.linalg.norm: spectral norm


@pytest.mark.parametrize("p", [1, 2, 3, 0.5, inf])
def test_norm_gradient_at_nan_is_nan(p):
    """A nan entry makes the norm nan and its own gradient nan, as abs does here (PyTorch: 0 for p = 1 and inf)."""
    x = Tensor([1.0, nan, -2.0], requires_grad=True)
    x.norm(p).backward()
    assert np.isnan(x.norm(p).item()) and np.isnan(x.grad[1])


@pytest.mark.filterwarnings("ignore:overflow encountered")
@pytest.mark.parametrize("op, x, grad", [
    ("prod", [2.0, -inf], [-inf, 2.0]),                               # torch: [-inf, nan]
    ("prod", [1e200, 1e200, 0.5], [5e199, 5e199, inf]),               # torch: [inf, inf, inf]
    ("cumprod", [-inf, 5.0, 1.0, 2.0], [21.0, -inf, -inf, -inf]),      # torch: [nan, -inf, -inf, -inf]
    ("cumprod", [1e-287, 1e-287, 0.0, 2.0], [1.0, 1e-287, 0.0, 0.0]),  # torch: [1, 0, 0, 0]
    ("cumprod", [2.0, 0.0, 1e308, 10.0], [1.0, inf, 0.0, 0.0]),        # as torch: a zero ends the products
])
def test_gradient_multiplies_the_other_entries_where_torch_divides(op, x, grad):
    """PyTorch divides the (running) product by the entry, which is inf / inf = nan, or inf or 0 where only the
    product overflows or underflows; multiplying the other entries is exact (a deliberate difference)."""
    t = Tensor(x, requires_grad=True)
    getattr(t, op)().sum().backward()
    np.testing.assert_array_equal(t.grad, grad)


def test_std_default_is_numpys_ddof_0_and_torch_spelling_works():
    x = np.array([[1.0, 2.0, 4.0], [0.0, 3.0, 3.0]])
    np.testing.assert_allclose(Tensor(x).std(axis=1).data, np.std(x, axis=1), rtol=1e-14)
    np.testing.assert_allclose(Tensor(x).std(dim=1, correction=1, keepdim=True).data,
                               np.std(x, axis=1, ddof=1, keepdims=True), rtol=1e-14)


def test_cummax_returns_values_and_int64_indices_that_unpack_as_a_pair():
    values, indices = ag.cummax(np.array([1.0, 3.0, 2.0, 3.0]))
    np.testing.assert_array_equal(values.data, [1.0, 3.0, 3.0, 3.0])
    np.testing.assert_array_equal(indices.data, [0, 1, 1, 3])          # a tie takes the latest index (torch)
    assert indices.dtype == np.int64 and not indices.requires_grad


# --- against PyTorch float64 -----------------------------------------------------------------------------
ZEROS = np.array([[1.5, -2.0, 3.0, 0.5], [1.5, 0.0, 3.0, -4.0], [0.0, 2.0, 0.0, 4.0], [0.0, 0.0, 0.0, 4.0]])
TIES = np.array([[1.0, 3.0, 3.0, 2.0], [5.0, 5.0, 5.0, 5.0], [-1.0, -3.0, 3.0, 0.0]])
NANS = np.array([[1.0, nan, 3.0, nan], [inf, 2.0, -inf, 0.0], [-inf, 5.0, 1.0, 2.0]])
ZERO_ROW = np.array([[0.0, 0.0, 0.0], [0.0, 3.0, -4.0]])
SMOOTH = np.array([[1.5, -2.0, 3.0, 0.5], [0.25, 1.0, -3.0, 2.0]])
EMPTY0, EMPTY1 = np.zeros((0, 3)), np.zeros((2, 0))
NAMED = [("zeros", ZEROS), ("ties", TIES), ("nans", NANS), ("empty (0, 3)", EMPTY0), ("empty (2, 0)", EMPTY1)]

NORM_CASES = [(f"norm p={p} {d} {name}", lambda t, p=p, d=d: t.norm(p, **d), x, second)
              for p in [2, "fro", 1, inf, -inf, 0, 0.5, 1.5, 3]
              for d in [{}, {"dim": 1}, {"dim": (0, 1), "keepdim": True}, {"dim": -2}]
              for name, x, second in [("zero row", ZERO_ROW, False), ("ties", TIES, False),
                                      ("smooth", SMOOTH, p not in (inf, -inf, 0))]]
CASES = NORM_CASES + [
    ("std all", lambda t: t.std(correction=1), ZEROS, True),
    ("std dim=1 keepdim", lambda t: t.std(dim=1, keepdim=True, correction=0), TIES, False),  # a constant row
    ("std rounding-constant rows", lambda t: t.std(dim=1, correction=1), np.array([[0.1] * 3, [0.3] * 3]), False),
    ("std dim=(0, 1)", lambda t: t.std(dim=(0, 1), correction=1), SMOOTH, True),
    ("std dim=-1 n=1", lambda t: t.std(dim=-1, correction=1), np.ones((3, 1)), False),           # nan
    ("std empty", lambda t: t.std(dim=0, correction=0), EMPTY0, False),
    ("norm nan inf", lambda t: t.norm(2, dim=1), NANS, False),
    ("norm empty", lambda t: t.norm(2, dim=0), EMPTY0, False),
    *[(f"prod dim={d}", lambda t, d=d: t.prod(dim=d), ZEROS, True) for d in (0, 1, -1, -2)],
    ("prod keepdim", lambda t: t.prod(dim=1, keepdim=True), ZEROS, True),
    ("prod all, two zeros", lambda t: t.prod(), np.array([[1.5, 0.0], [0.0, 3.0]]), True),
    ("prod all, one zero", lambda t: t.prod(), np.array([[1.5, 2.0], [0.0, 3.0]]), True),
    ("prod all, no zero", lambda t: t.prod(), SMOOTH, True),
    ("prod nan", lambda t: t.prod(dim=1), NANS[:2], False),
    ("prod empty", lambda t: t.prod(dim=1), EMPTY1, False),
    *[(f"{op} dim={d} {name}", lambda t, op=op, d=d: getattr(t, op)(dim=d), x, True)
      for op in ("cumsum", "cumprod", "cummax", "cummin") for d in (0, 1, -1) for name, x in NAMED[:2]],
    *[(f"{op} nan", lambda t, op=op: getattr(t, op)(dim=1), NANS, False) for op in ("cumsum", "cummax", "cummin")],
    ("cumprod nan, inf", lambda t: t.cumprod(dim=1), np.array([[1.0, nan, 3.0, nan], [0.0, inf, 2.0, 3.0]]), False),
    *[(f"{op} {name}", lambda t, op=op: getattr(t, op)(dim=0), x, False)
      for op in ("cumsum", "cumprod", "cummax", "cummin") for name, x in NAMED[3:]],
    *[(f"{op} {d} {name}", lambda t, op=op, d=d: getattr(t, op)(**d), x, False) for op in ("argmax", "argmin")
      for d in [{}, {"dim": 1}, {"dim": 0, "keepdim": True}, {"dim": -1}, {"keepdim": True}]
      for name, x in NAMED[1:3]],
    *[(f"{op} {d} {name}", lambda t, op=op, d=d: getattr(t, op)(**d), x, False) for op in ("any", "all")
      for d in [{}, {"dim": 1}, {"dim": 0, "keepdim": True}] for name, x in NAMED[::2][:3]],
    *[(f"count_nonzero {d} {name}", lambda t, d=d: t.count_nonzero(**d), x, False)
      for d in [{}, {"dim": 1}, {"dim": (0, -1)}] for name, x in NAMED[::2][:3]],
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore:std\\(\\)")
@pytest.mark.parametrize("f, x, second", [pytest.param(f, x, s, id=name) for name, f, x, s in CASES])
def test_matches_torch(f, x, second):
    agree_with_torch(f, x, second)


@pytest.mark.parametrize("op", ["prod", "cumprod", "cummax", "cummin", "argmax", "argmin"])
@given(data=st.data())
@settings(deadline=None)
def test_matches_torch_with_zeros_and_ties(op, data):
    """Random 2-d arrays drawn from a few values (many zeros and ties), along a drawn dim."""
    pytest.importorskip("torch")
    x = data.draw(arrays(shapes(min_dims=2, max_dims=2, max_side=4), domain=st.sampled_from([0.0, 1.0, -2.0, 0.5])))
    d = data.draw(axis(2))
    agree_with_torch(lambda t: getattr(t, op)(dim=d), x, second=op in ("prod", "cumprod"))


def agree_with_torch(f, x, second):
    """One spelling for both libraries (t.norm(p, dim=..., keepdim=...)): values, dtypes, gradients, and the
    gradient of <gradient, w> where `second`."""
    torch = pytest.importorskip("torch")
    t, tt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    outs, touts = f(t), f(tt)
    for o, to in zip(*(r if isinstance(r, tuple) else (r,) for r in (outs, touts))):
        assert o.shape == tuple(to.shape) and o.dtype == to.detach().numpy().dtype, (o.dtype, to.dtype)
        np.testing.assert_allclose(o.data, to.detach().numpy(), rtol=1e-12, atol=1e-14, equal_nan=True)
    out, tout = (outs[0], touts[0]) if isinstance(outs, tuple) else (outs, touts)
    if not tout.requires_grad:
        assert not out.requires_grad
        return
    rng = np.random.default_rng(0)
    v, w = rng.standard_normal(out.shape), rng.standard_normal(x.shape)
    out.backward(v, create_graph=second)
    (tg,) = torch.autograd.grad(tout, tt, torch.tensor(v), create_graph=second, allow_unused=True)
    tg = torch.zeros_like(tt) if tg is None else tg                   # torch's p=0 norm: no gradient at all
    np.testing.assert_allclose(np.asarray(t.grad.data if second else t.grad), tg.detach().numpy(), rtol=1e-10,
                               atol=1e-12, equal_nan=True)
    if second:                                                        # a linear op's gradient is a constant
        g, t.grad = t.grad, None
        if g.requires_grad:
            (g * w).sum().backward()
        (tgg,) = torch.autograd.grad((tg * torch.tensor(w)).sum(), tt, allow_unused=True) \
            if tg.requires_grad else (None,)
        expected = np.zeros(x.shape) if tgg is None else tgg.numpy(force=True)   # (torch's ZeroTensor)
        np.testing.assert_allclose(np.zeros(x.shape) if t.grad is None else t.grad, expected, rtol=1e-10,
                                   atol=1e-12, equal_nan=True)
