"""The op table of the core primitives: arithmetic, elementwise functions, reductions, shape, linalg, fused.

One row per Tensor primitive (see optable.py): its gradient property-tested with `check_op`, its forward
against numpy, first and second derivatives, and empty shapes.
"""
import numpy as np
import pytest
from hypothesis import strategies as st

from autograd import (Tensor, concatenate, gradcheck, linear, maximum, minimum, primitive, softmax_cross_entropy,
                      stack, where)
from autograd.testing import (axis, broadcast_targets, concat_shapes, indices, matmul_shapes,
                              reshape_targets, shapes)
from optable import (axis_params, concat_axis, cross_entropy_params, cross_entropy_ref, flatten_params, given_shape,
                     linear_shapes, mask_params, reduce_params, row, same_shapes, sided, squeeze_params, table_tests,
                     var_params)


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
    row("transpose", lambda x, p: x.transpose(p), lambda x, p: x.transpose(p),
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


test_grad, test_second_derivatives, test_forward_with_empty_arrays = table_tests(ROWS)


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


# --- relu's vjp works in its own mask (711be3c): g itself is never written, whatever its layout -------------
def _read_only(a):
    a.setflags(write=False)
    return a


RELU_X = np.array([[-1.0, 0.0, -0.0, 2.0], [np.inf, -np.inf, 1e-310, -1e-310], [3.0, -2.0, 5e-324, 0.5]])
RELU_G = {
    "plain": lambda dt: np.arange(12.0).reshape(3, 4).astype(dt) - 5,
    "transposed": lambda dt: np.ascontiguousarray(np.arange(12.0).reshape(4, 3).astype(dt) - 5).T,
    "broadcast": lambda dt: np.broadcast_to(np.array([1.5, -2, 3, 4], dt), (3, 4)),      # 0 strides, read-only
    "read-only": lambda dt: _read_only(np.arange(12.0).reshape(3, 4).astype(dt)),
}


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("make_g", RELU_G.values(), ids=RELU_G.keys())
def test_relu_gradient_is_g_where_positive_and_leaves_g_untouched(make_g, dtype):
    g = make_g(dtype)
    before = g.copy()
    hand_g = primitive(lambda a: a * 1, vjp=lambda _, out, a: (g,))        # relu's vjp receives exactly this g
    x = Tensor(RELU_X.astype(dtype), requires_grad=True)
    hand_g(x.relu()).sum().backward()
    np.testing.assert_array_equal(g, before)
    assert x.grad.dtype == dtype and x.grad.shape == (3, 4)
    np.testing.assert_array_equal(x.grad, np.where(RELU_X.astype(dtype) > 0, g, 0))


def test_relu_leaves_an_upstream_gradient_it_shares_with_another_input_whole():
    x, w = Tensor(RELU_X, requires_grad=True), Tensor(np.zeros((3, 4)), requires_grad=True)
    g = np.arange(12.0).reshape(3, 4) - 5
    (x.relu() + w).backward(g)                          # add hands one array to relu and to w
    np.testing.assert_array_equal(w.grad, g)
    np.testing.assert_array_equal(x.grad, np.where(RELU_X > 0, g, 0))


@pytest.mark.parametrize("v, expected", [(-1.0, 0.0), (0.0, 0.0), (-0.0, 0.0), (2.0, 3.0), (np.inf, 3.0)])
def test_relu_gradient_of_a_0d_tensor_is_a_writable_0d_array(v, expected):
    x = Tensor(v, requires_grad=True)
    (x.relu() * 3.0).backward()                         # mul's vjp hands relu a numpy scalar (0-d times 0-d)
    assert type(x.grad) is np.ndarray and x.grad.shape == () and x.grad.flags.writeable
    assert x.grad == expected
