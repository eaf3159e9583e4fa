"""Indexing along an axis (ops/indexing.py): the op table, then PyTorch float64 comparisons and the refusals.

References are written out element by element (loops over np.ndindex), so they share no code with the ops.
"""
import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd.testing import shapes
from optable import row, table_tests

MAX = 3


def _idx(shape, n, distinct_axis=None):
    """Integer arrays of `shape` in [-n, n) (negatives count from the end); distinct along `distinct_axis`."""
    if distinct_axis is None:
        return hnp.arrays(np.int64, shape, elements=st.integers(-n, n - 1) if n else st.just(0))
    keys = hnp.arrays(np.float64, shape[:distinct_axis] + (n,) + shape[distinct_axis + 1:],
                      elements=st.floats(0, 1), unique=True)
    flips = hnp.arrays(np.bool_, shape)
    k = shape[distinct_axis]
    return st.tuples(keys, flips).map(lambda kf: np.where(                       # a permutation's prefix,
        kf[1], -n, 0) + np.take(np.argsort(kf[0], axis=distinct_axis), np.arange(k), distinct_axis))   # some negative


@st.composite
def along(draw, shps, torch_rule=False, distinct=False, min_side=1):
    """{"axis", "indices"} for x of shps[0]: numpy's rule (index dims 1 or x's, x's 1 may grow) or PyTorch's
    (<= x's)."""
    shape = shps[0]
    nd = len(shape)
    ax = draw(st.integers(-nd, nd - 1))
    a, n = ax % nd, shape[ax % nd]
    ishape = []
    for d, m in enumerate(shape):
        if d == a:
            ishape.append(draw(st.integers(min_side, n if distinct else MAX)) if n else 0)
        elif torch_rule:
            ishape.append(draw(st.integers(min(m, min_side), m)))
        else:
            ishape.append(draw(st.integers(1, MAX) if m == 1 and not distinct else st.sampled_from([1, m])))
    return {"indices": draw(_idx(tuple(ishape), n, a if distinct else None)), "axis": ax}


def _dest(pos, axis, i):
    return pos[:axis] + (i,) + pos[axis + 1:]


def gather_ref(x, indices, axis):
    """PyTorch's gather, element by element: out[pos] = x[pos with indices[pos] at axis]."""
    out = np.empty(indices.shape)
    for pos in np.ndindex(indices.shape):
        out[pos] = x[_dest(pos, axis % x.ndim, indices[pos])]
    return out


def scatter_ref(add):
    """PyTorch's scatter / scatter_add, element by element, from src's leading block."""
    def ref(x, src, indices, axis):
        out = np.array(x)
        for pos in np.ndindex(indices.shape):
            dest = _dest(pos, axis % x.ndim, indices[pos])
            out[dest] = out[dest] + src[pos] if add else src[pos]
        return out
    return ref


def put_ref(x, values, indices, axis):
    out = np.array(x)
    np.put_along_axis(out, indices, values, axis)
    return out


@st.composite
def put_shapes(draw, min_side=1):
    """(x, values) shapes for put_along_axis: values' dims 1 or x's (the index's axis length is picked to fit)."""
    x = draw(shapes(min_dims=1, min_side=min_side))
    return x, tuple(draw(st.sampled_from([1, n])) for n in x)


@st.composite
def put_params(draw, shps):
    x, v = shps
    nd = len(x)
    ax = draw(st.integers(-nd, nd - 1))
    a = ax % nd
    k = v[a] if v[a] != 1 else draw(st.integers(1, x[a])) if x[a] else 0
    idx = draw(_idx(x[:a] + (min(k, x[a]),) + x[a + 1:], x[a], a))
    if nd > 1 and draw(st.booleans()):                        # a size-1 index dim broadcasts over x's
        idx = idx[(slice(None),) * draw(st.sampled_from([d for d in range(nd) if d != a])) + (slice(0, 1),)]
    return {"indices": idx, "axis": ax}


@st.composite
def scatter_shapes(draw, min_side=1):
    x = draw(shapes(min_dims=1, min_side=min_side))
    return x, tuple(n + draw(st.integers(0, 1)) for n in x)          # src may be larger than the index


def scatter_params(distinct):
    @st.composite
    def params(draw, shps):
        x, src = shps
        p = draw(along((x,), torch_rule=True, distinct=distinct))
        p["indices"] = p["indices"][tuple(slice(0, n) for n in src)]          # index <= src everywhere
        return p
    return params


@st.composite
def masked(draw, shps, value=True):
    """A bool mask broadcasting to x's shape (trailing dims, each 1 or x's), and a number."""
    shape = shps[0]
    mshape = tuple(draw(st.sampled_from([1, n])) for n in shape[draw(st.integers(0, len(shape))):])
    p = {"mask": draw(hnp.arrays(np.bool_, mshape))}
    if value:
        p["value"] = draw(st.floats(-2, 2))
    return p


one = shapes(min_dims=1).map(lambda s: (s,))
one_empty = shapes(min_dims=1, min_side=0).map(lambda s: (s,))

ROWS = [
    row("take_along_axis", lambda x, **p: x.take_along_axis(**p), lambda x, **p: np.take_along_axis(x, **p),
        shapes=one, params=along, empty=one_empty),
    row("gather", lambda x, indices, axis: x.gather(axis, indices), gather_ref, shapes=one,
        params=lambda s: along(s, torch_rule=True), empty=one_empty),
    row("index_select", lambda x, index, axis: ag.index_select(x, dim=axis, index=index),
        lambda x, index, axis: np.take(x, index, axis), shapes=one, empty=one_empty,
        params=lambda s: st.integers(-len(s[0]), len(s[0]) - 1).flatmap(lambda ax: st.fixed_dictionaries(
            {"axis": st.just(ax), "index": _idx((4 if s[0][ax] else 0,), s[0][ax])}))),
    row("masked_fill", lambda x, mask, value: x.masked_fill(mask, value),
        lambda x, mask, value: np.where(mask, value, x), params=masked),
    row("masked_fill_tensor_value", lambda x, v, mask: ag.masked_fill(x, mask, v),
        lambda x, v, mask: np.where(mask, v, x), 2, shapes=shapes().map(lambda s: (s, ())),
        params=lambda shps: masked(shps, value=False), empty=shapes(min_side=0).map(lambda s: (s, ()))),
    row("put_along_axis", lambda x, v, **p: ag.put_along_axis(x, values=v, **p),
        put_ref, 2, shapes=put_shapes(),
        params=put_params, empty=put_shapes(min_side=0)),
    row("scatter", lambda x, src, indices, axis: x.scatter(axis, indices, src), scatter_ref(False), 2,
        shapes=scatter_shapes(), params=scatter_params(True), empty=scatter_shapes(min_side=0)),
    row("scatter_add", lambda x, src, indices, axis: ag.scatter_add(x, dim=axis, index=indices, src=src),
        scatter_ref(True), 2, shapes=scatter_shapes(), params=scatter_params(False), empty=scatter_shapes(0)),
]

test_grad, test_second_derivatives, test_forward_with_empty_arrays = table_tests(ROWS)


# --- against PyTorch (float64): values and gradients, repeats, negative indices, edge values, empty -----------
try:
    import torch
except ImportError:                         # the op table above still runs
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
X = np.array([[0.0, -1.5, np.inf, 2.0], [np.nan, 3.0, -0.0, -np.inf], [1.0, 1.0, 1.0, -2.5]])    # ties, inf, nan


def against_torch(ours, theirs, *arrays):
    """ours on graphgrad tensors and theirs on torch float64 tensors agree in value and in the gradient of every
    input for a random cotangent (nan where torch has nan)."""
    xs = [ag.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out, ref = ours(*xs), theirs(*ts)
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    v = np.random.default_rng(0).standard_normal(out.shape)
    out.backward(v)
    ref.backward(torch.tensor(v))
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12, atol=0)


def T(a):
    return torch.tensor(np.asarray(a) % 4 if np.ndim(a) else a)        # PyTorch takes no negative index


IDX = np.array([[0, 0, -1], [3, -4, 3], [2, 2, 2]])                   # repeats and negatives, along axis 1
CASES = {
    "gather": (lambda x: x.gather(1, IDX), lambda t: t.gather(1, T(IDX))),
    "gather_block": (lambda x: ag.gather(x, 0, IDX[:1, :2]), lambda t: t.gather(0, T(IDX[:1, :2]) % 3)),
    "take_along_axis": (lambda x: ag.take_along_axis(x, IDX, 1), lambda t: t.gather(1, T(IDX))),
    "take_along_axis_broadcast": (lambda x: ag.take_along_axis(x, IDX[:1], -1),
                                  lambda t: t.gather(1, T(IDX[:1]).expand(3, 3))),
    "take_along_axis_empty": (lambda x: x.take_along_axis(np.zeros((3, 0), int), 1),
                              lambda t: t.gather(1, torch.zeros((3, 0), dtype=torch.long))),
    "index_select": (lambda x: x.index_select(1, [3, -1, 0, 0]), lambda t: t.index_select(1, T([3, -1, 0, 0]))),
    "index_select_empty": (lambda x: x.index_select(0, []), lambda t: t.index_select(0, torch.zeros(0).long())),
    "masked_fill": (lambda x: x.masked_fill(np.array([True, False, False, True]), -7.0),
                    lambda t: t.masked_fill(torch.tensor([True, False, False, True]), -7.0)),
    "scatter_value": (lambda x: x.scatter(1, IDX, 5.0), lambda t: t.scatter(1, T(IDX), 5.0)),
    "scatter_add_repeats": (lambda x: x.scatter_add(1, IDX, ag.tensor(np.ones((3, 3)))),
                            lambda t: t.scatter_add(1, T(IDX), torch.ones(3, 3, dtype=torch.float64))),
}


@needs_torch
@pytest.mark.parametrize("case", CASES, ids=str)
def test_indexing_matches_torch(case):
    ours, theirs = CASES[case]
    with np.errstate(invalid="ignore"):
        against_torch(ours, theirs, X)


@needs_torch
def test_scatter_and_scatter_add_gradients_for_both_inputs_match_torch():
    idx = np.array([[3, 0], [-1, 1]])
    src = np.arange(9.0).reshape(3, 3) - 4          # a src larger than the index: the table (torch's backward fails)
    against_torch(lambda x, s: x.scatter(1, idx, s), lambda x, s: x.scatter(1, T(idx), s), X[:2], src[:2, :2])
    rep = np.array([[0, 0, 0], [1, 1, -3]])                            # repeats add up
    against_torch(lambda x, s: ag.scatter_add(x, 1, rep, s), lambda x, s: x.scatter_add(1, T(rep), s), X[:2],
                  src[:2])


@needs_torch
def test_masked_fill_with_a_0d_tensor_value_gets_its_gradient():
    mask = np.array([[True], [False], [True]])
    against_torch(lambda x, v: x.masked_fill(mask, v), lambda x, v: x.masked_fill(torch.tensor(mask), v),
                  X, np.array(0.5))


# --- refusals: a clear error instead of an undefined or silently wrong result ------------------------
def test_repeated_writes_are_refused_only_when_the_values_need_a_gradient():
    x, v = ag.tensor(np.zeros((2, 3)), requires_grad=True), ag.tensor(np.ones((2, 2)), requires_grad=True)
    rep = np.array([[1, -2], [0, 2]])                                  # 1 and -2 are one element
    for write in (lambda: x.scatter(1, rep, v), lambda: ag.put_along_axis(x, rep, v, 1)):
        with pytest.raises(ValueError, match="writes one element twice.*scatter_add"):
            write()
    out = ag.put_along_axis(x, rep, np.array([[1.0, 2.0], [3.0, 4.0]]), 1)     # constant values: numpy's rule
    expected = np.zeros((2, 3))
    np.put_along_axis(expected, rep, np.array([[1.0, 2.0], [3.0, 4.0]]), 1)
    np.testing.assert_array_equal(out.data, expected)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [[1, 0, 1], [0, 1, 0]])     # written places get nothing
    with ag.no_grad():
        assert x.scatter(1, rep, v).shape == (2, 3)                     # nothing recorded: allowed


@pytest.mark.parametrize("call, error, match", [
    (lambda x: x.gather(1, [[4]]), IndexError, r"gather: index 4 is out of bounds for axis 1 of size 4"),
    (lambda x: x.gather(1, [[-5]]), IndexError, r"\[-4, 4\)"),
    (lambda x: x.gather(1, [0, 1]), ValueError, "same number of dimensions"),
    (lambda x: x.gather(1, np.zeros((4, 1), int)), ValueError, r"larger than the tensor of shape \(3, 4\)"),
    (lambda x: x.gather(2, [[0]]), ValueError, "axis 2 is out of range"),
    (lambda x: x.gather(1, [[0.5]]), TypeError, "must hold integers"),
    (lambda x: x.take_along_axis(np.zeros((2, 1), int), 1), ValueError, "do not broadcast"),
    (lambda x: x.index_select(0, [[0]]), ValueError, "must be 1-d"),
    (lambda x: x.masked_fill(np.ones(4), 0.0), TypeError, "mask must be bool"),
    (lambda x: x.masked_fill(np.ones((2, 3, 4), bool), 0.0), ValueError, "does not broadcast"),
    (lambda x: x.masked_fill(np.ones(4, bool), np.ones(4)), ValueError, "0-d tensor"),
    (lambda x: x.scatter(1, [[0, 1]], np.ones((1, 1))), ValueError, "larger than src"),
    (lambda x: x.scatter(1, [[0]]), TypeError, "needs an index and a source"),
    (lambda x: x.gather(axis=1, dim=1, index=[[0]]), TypeError, "pass one"),
])
def test_errors_name_the_op_and_the_shapes(call, error, match):
    with pytest.raises(error, match=match):
        call(ag.tensor(np.zeros((3, 4))))
