"""One row per Tensor primitive: its gradient property-tested with `check_op`, its forward against numpy.

Each row: the op as `fn(*inputs, **params)`, its numpy reference, arity, input domain, shapes and
shape-dependent params (axis, index, ...). `test_grad` runs the whole toolkit (finite differences
in float64 plus the gradient properties) over hypothesis-drawn shapes including 0-d, size-1 and
broadcasting ones; `test_forward_with_empty_arrays` checks the forward against numpy on shapes
that may have zero-size dimensions, and that backward returns gradients of the inputs' shapes;
`test_second_derivatives` runs `gradgradcheck` through each vjp on a few drawn inputs.
"""
import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st

from autograd import Tensor, concatenate, gradcheck, linear, maximum, minimum, softmax_cross_entropy, stack, where
from autograd.testing import (arrays, axes, axis, broadcast_targets, broadcastable_shapes, check_forward, check_op,
                              concat_shapes, indices, matmul_shapes, reshape_targets, shapes)


def row(name, fn, ref, arity=1, domain="real", shapes=None, params=None, empty=True, smooth=True, **tol):
    """A table row; `empty`: True (default shapes with zero sides), a shapes strategy, or False (no empty check);
    `smooth`: False where the first derivative jumps at points the domain can draw (no second-order check)."""
    return pytest.param(dict(fn=fn, ref=ref, arity=arity, domain=domain, shapes=shapes, params=params,
                             empty=empty, smooth=smooth, tol=tol), id=name)


def given_shape(make):
    """params for a unary op, drawn from the input's shape."""
    return lambda shps: make(shps[0])


def reduce_params(shape):
    return st.fixed_dictionaries({"axis": axes(len(shape)), "keepdims": st.booleans()})


@st.composite
def var_params(draw, shps):
    shape = shps[0]
    ax = draw(axes(len(shape)))
    norm = range(len(shape)) if ax is None else [ax] if isinstance(ax, int) else ax
    n = int(np.prod([shape[a] for a in norm]))
    return {"axis": ax, "keepdims": draw(st.booleans()), "ddof": draw(st.sampled_from([0, 1] if n > 1 else [0]))}


def axis_params(shape):
    return st.fixed_dictionaries({"axis": axis(len(shape))})


@st.composite
def flatten_params(draw, shps):
    n = len(shps[0])
    start = draw(st.integers(0, n - 1))
    end = draw(st.integers(start, n - 1))
    return {"start_dim": start - n if draw(st.booleans()) else start,
            "end_dim": end - n if draw(st.booleans()) else end}


@st.composite
def squeeze_params(draw, shps):
    ones = [i for i, n in enumerate(shps[0]) if n == 1]
    return {"axis": draw(st.one_of(st.none(), st.sampled_from(ones) if ones else st.none()))}


def concat_axis(shps):
    nd = len(shps[0])
    ok = [a for a in range(nd) if all(s[:a] + s[a + 1:] == shps[0][:a] + shps[0][a + 1:] for s in shps)]
    return st.fixed_dictionaries({"axis": st.sampled_from(ok + [a - nd for a in ok])})


def mask_params(shps):
    return st.fixed_dictionaries({"cond": arrays(np.broadcast_shapes(*shps), np.bool_, st.booleans())})


@st.composite
def linear_shapes(draw, bias=True, min_side=1, min_features=1):
    """x (..., in), W (in, out) and b (out,) for `linear` (min_side for the batch dims)."""
    n_in, n_out = draw(st.integers(min_features, 3)), draw(st.integers(min_features, 3))
    batch = draw(shapes(min_dims=0, max_dims=2, min_side=min_side))
    return (batch + (n_in,), (n_in, n_out)) + (((n_out,),) if bias else ())


@st.composite
def cross_entropy_params(draw, shps):
    n, c = shps[0]
    targets = draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)) if c else [0] * n
    return {"targets": np.array(targets, dtype=np.int64), "reduction": draw(st.sampled_from(["mean", "sum", "none"]))}


def cross_entropy_ref(x, targets, reduction):
    losses = np.log(np.exp(x).sum(1)) - x[np.arange(len(targets)), targets]
    return {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction](losses)


def sided(min_side):
    return shapes(min_dims=1, min_side=min_side)


def same_shapes(n, min_side=1):
    return shapes(min_side=min_side).map(lambda s: (s,) * n)


ROWS = [
    # --- elementwise arithmetic, broadcasting ----------------------------------------------
    row("add", lambda a, b: a + b, np.add, 2),
    row("sub", lambda a, b: a - b, np.subtract, 2),
    row("mul", lambda a, b: a * b, np.multiply, 2),
    row("div", lambda a, b: a / b, np.divide, 2, ("real", "nonzero")),
    row("pow", lambda a, b: a ** b, np.power, 2, ("positive", "real")),
    row("pow_const", lambda x, k: x ** k, lambda x, k: x ** k, 1, "positive",
        params={"k": st.sampled_from([2, 3, 0.5, -1, -1.5, 1, 0])}),
    row("pow_int_const_negative_base", lambda x, k: x ** k, lambda x, k: x ** k, 1, "nonzero",
        params={"k": st.sampled_from([2, 3, -1, -2])}),
    row("rpow", lambda x, c: c ** x, lambda x, c: np.power(c, x), params={"c": st.sampled_from([0.5, 2.0, 3])}),
    row("add_const", lambda x, c: c + x, lambda x, c: c + x, params={"c": st.floats(-2, 2)}),
    row("rsub_const", lambda x, c: c - x, lambda x, c: c - x, params={"c": st.floats(-2, 2)}),
    row("rdiv_const", lambda x, c: c / x, lambda x, c: c / x, 1, "nonzero", params={"c": st.floats(-2, 2)}),
    row("neg", lambda x: -x, np.negative),
    # --- elementwise functions ----------------------------------------------------------------
    row("exp", lambda x: x.exp(), np.exp),
    row("log", lambda x: x.log(), np.log, 1, "positive"),
    row("sqrt", lambda x: x.sqrt(), np.sqrt, 1, "positive"),
    row("abs", lambda x: abs(x), np.abs, 1, "away_from_kinks"),
    row("tanh", lambda x: x.tanh(), np.tanh),
    row("sigmoid", lambda x: x.sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    row("relu", lambda x: x.relu(), lambda x: np.maximum(x, 0), 1, "away_from_kinks"),
    row("leaky_relu", lambda x, s: x.leaky_relu(s), lambda x, s: np.where(x > 0, x, s * x), 1, "away_from_kinks",
        params={"s": st.sampled_from([0.01, 0.2])}),
    row("clip", lambda x, lo, hi: x.clip(lo, hi), lambda x, lo, hi: np.clip(x, lo, hi), 1, "away_from_kinks",
        params=st.sampled_from([(-1.0, 1.0), (None, 0.5), (-0.5, None)]).map(lambda b: {"lo": b[0], "hi": b[1]})),
    row("maximum", maximum, np.maximum, 2, "away_from_kinks", smooth=False),     # a and b may tie
    row("minimum", minimum, np.minimum, 2, "away_from_kinks", smooth=False),
    row("where", lambda a, b, cond: where(cond, a, b), lambda a, b, cond: np.where(cond, a, b), 2, params=mask_params),
    row("astype_float32", lambda x: x.astype(np.float32), lambda x: x.astype(np.float32), eps=1e-2, atol=1e-4,
        rtol=1e-3),
    # --- reductions and the softmax family ----------------------------------------------------
    row("sum", lambda x, axis, keepdims: x.sum(axis, keepdims), lambda x, **p: np.sum(x, **p),
        params=given_shape(reduce_params)),
    row("mean", lambda x, axis, keepdims: x.mean(axis, keepdims), lambda x, **p: np.mean(x, **p),
        params=given_shape(reduce_params), empty=False),
    row("var", lambda x, **p: x.var(**p), lambda x, **p: np.var(x, **p), params=var_params, empty=False),
    row("max", lambda x, axis, keepdims: x.max(axis, keepdims), lambda x, **p: np.max(x, **p), 1, "away_from_kinks",
        params=given_shape(reduce_params), empty=False),
    row("min", lambda x, axis, keepdims: x.min(axis, keepdims), lambda x, **p: np.min(x, **p), 1, "away_from_kinks",
        params=given_shape(reduce_params), empty=False),
    row("logsumexp", lambda x, axis, keepdims: x.logsumexp(axis, keepdims),
        lambda x, **p: np.log(np.sum(np.exp(x), **p)), params=given_shape(reduce_params), empty=False),
    row("softmax", lambda x, axis: x.softmax(axis), lambda x, axis: np.exp(x) / np.exp(x).sum(axis, keepdims=True),
        shapes=sided(1).map(lambda s: (s,)), params=given_shape(axis_params), empty=sided(0).map(lambda s: (s,))),
    row("log_softmax", lambda x, axis: x.log_softmax(axis),
        lambda x, axis: x - np.log(np.exp(x).sum(axis, keepdims=True)),
        shapes=sided(1).map(lambda s: (s,)), params=given_shape(axis_params), empty=sided(0).map(lambda s: (s,))),
    # --- shape ops ------------------------------------------------------------------------------
    row("reshape", lambda x, s: x.reshape(s), lambda x, s: x.reshape(s),
        params=given_shape(lambda sh: st.fixed_dictionaries({"s": reshape_targets(sh)}))),
    row("transpose", lambda x, p: x.transpose(*p), lambda x, p: x.transpose(p),
        params=given_shape(lambda sh: st.fixed_dictionaries({"p": st.permutations(range(len(sh))).map(tuple)}))),
    row("T", lambda x: x.T, lambda x: x.T),
    row("swapaxes", lambda x, a, b: x.swapaxes(a, b), lambda x, a, b: np.swapaxes(x, a, b),
        shapes=sided(1).map(lambda s: (s,)), empty=sided(0).map(lambda s: (s,)),
        params=given_shape(lambda sh: st.fixed_dictionaries({"a": axis(len(sh)), "b": axis(len(sh))}))),
    row("broadcast_to", lambda x, s: x.broadcast_to(s), lambda x, s: np.broadcast_to(x, s),
        params=given_shape(lambda sh: st.fixed_dictionaries({"s": broadcast_targets(sh)}))),
    row("flatten", lambda x, **p: x.flatten(**p), lambda x, start_dim, end_dim: x.reshape(
        x.shape[:start_dim % x.ndim] + (int(np.prod(x.shape[start_dim % x.ndim:end_dim % x.ndim + 1])),)
        + x.shape[end_dim % x.ndim + 1:]),
        shapes=sided(1).map(lambda s: (s,)), params=flatten_params, empty=sided(0).map(lambda s: (s,))),
    row("flatten_0d", lambda x: x.flatten(), lambda x: x.reshape(1), shapes=[()], empty=False),
    row("squeeze", lambda x, axis: x.squeeze(axis), lambda x, axis: np.squeeze(x, axis), params=squeeze_params),
    row("unsqueeze", lambda x, axis: x.unsqueeze(axis), lambda x, axis: np.expand_dims(x, axis),
        params=given_shape(lambda sh: st.fixed_dictionaries({"axis": st.integers(-len(sh) - 1, len(sh))}))),
    row("getitem_basic", lambda x, i: x[i], lambda x, i: x[i],
        params=given_shape(lambda sh: st.fixed_dictionaries({"i": indices(sh, "basic")}))),
    row("getitem_int_arrays", lambda x, i: x[i], lambda x, i: x[i], shapes=sided(1).map(lambda s: (s,)),
        params=given_shape(lambda sh: st.fixed_dictionaries({"i": indices(sh, "integer")})), empty=False),
    row("getitem_repeated_ints", lambda x, i: x[i], lambda x, i: x[i], shapes=sided(1).map(lambda s: (s,)),
        params=given_shape(lambda sh: st.fixed_dictionaries({"i": st.lists(
            st.integers(-sh[0], sh[0] - 1), min_size=1, max_size=3).map(lambda i: np.array(i + i))})), empty=False),
    row("getitem_mask", lambda x, i: x[i], lambda x, i: x[i],
        params=given_shape(lambda sh: st.fixed_dictionaries({"i": indices(sh, "mask")}))),
    row("concatenate", lambda *xs, axis: concatenate(xs, axis), lambda *xs, axis: np.concatenate(xs, axis), 3,
        shapes=concat_shapes(3), params=concat_axis, empty=concat_shapes(3, min_side=0)),
    row("stack", lambda *xs, axis: stack(xs, axis), lambda *xs, axis: np.stack(xs, axis), 2, shapes=same_shapes(2),
        params=lambda shps: st.fixed_dictionaries({"axis": st.integers(-len(shps[0]) - 1, len(shps[0]))}),
        empty=same_shapes(2, min_side=0)),
    # --- linear algebra ---------------------------------------------------------------------------
    row("matmul", lambda a, b: a @ b, np.matmul, 2, shapes=matmul_shapes(), empty=matmul_shapes(min_side=0)),
    # --- fused layer primitives -------------------------------------------------------------------
    row("linear", linear, lambda x, W, b: x @ W + b, 3, shapes=linear_shapes(),
        empty=linear_shapes(min_side=0, min_features=0)),
    row("linear_no_bias", linear, np.matmul, 2, shapes=linear_shapes(bias=False),
        empty=linear_shapes(bias=False, min_side=0, min_features=0)),
    row("softmax_cross_entropy", softmax_cross_entropy, cross_entropy_ref,
        shapes=shapes(min_dims=2, max_dims=2).map(lambda s: (s,)), params=cross_entropy_params,
        empty=shapes(min_dims=2, max_dims=2, min_side=0).filter(lambda s: s[1] > 0).map(lambda s: (s,))),
]


@pytest.mark.parametrize("r", ROWS)
@pytest.mark.filterwarnings("ignore:divide by zero encountered in log")     # references on empty axes: -inf
def test_grad(r):
    check_op(r["fn"], r["arity"], r["domain"], shapes=r["shapes"], params=r["params"], reference=r["ref"], **r["tol"])


@pytest.mark.parametrize("r", [p for p in ROWS if p.values[0]["smooth"]])
def test_second_derivatives(r):
    """Every vjp is written with engine ops, so backward(create_graph=True) must differentiate it correctly."""
    check_op(r["fn"], r["arity"], r["domain"], shapes=r["shapes"], params=r["params"], properties=False,
             second_order=True, max_examples=max(5, settings.default.max_examples // 6), **r["tol"])


@pytest.mark.parametrize("r", [p for p in ROWS if p.values[0]["empty"] is not False])
@pytest.mark.filterwarnings("ignore:divide by zero encountered in log")     # references on empty axes: -inf
@pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:invalid value encountered",  # mean of none: nan
                            "ignore:divide by zero encountered in divide")
def test_forward_with_empty_arrays(r):
    empty = r["empty"]
    if empty is True:
        empty = broadcastable_shapes(r["arity"], min_side=0) if r["shapes"] is None else None
    check_forward(r["fn"], r["ref"], r["arity"], r["domain"], shapes=empty, params=r["params"])


# --- regressions: engine bugs the toolkit found (fixed in 3c4df0a, 404679c) --------------------------
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_pow_gradient_wrt_the_exponent_at_a_zero_base():
    x = Tensor([0.0, 0.5])
    assert gradcheck(lambda y: x ** y, Tensor([2.0, 1.5], requires_grad=True))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_pow_by_constant_zero_at_zero():
    assert gradcheck(lambda x: x ** 0, Tensor([0.0, 1.5], requires_grad=True))


def test_linear_with_zero_out_features():
    x, W = Tensor(np.ones((2, 3)), requires_grad=True), Tensor(np.ones((3, 0)), requires_grad=True)
    linear(x, W).sum().backward()
    assert x.grad.shape == (2, 3) and W.grad.shape == (3, 0)
