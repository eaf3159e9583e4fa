"""Properties over random graphs and networks, each checked with the public toolkit.

Composites (mean, var, sub, ...) have no table row: these graphs exercise them, with leaves
reused so that gradients must accumulate, in both engines.
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Tensor, Value, grad, gradcheck, gradgradcheck, graph, primitive
from autograd.engine import unbroadcast
from autograd.testing import (REWRITES, arrays, assert_engines_agree, axes, broadcastable_shapes, check_all,
                              check_batch_gradient, check_grad_shapes, check_no_shared_grads, check_rewrite,
                              expressions, graphs)


# --- random graphs: every gradient property at once ---------------------------------------------
@given(graphs())
def test_random_tensor_graphs_have_every_gradient_property(graph):
    f, xs = graph
    check_all(f, *xs)


def cancellation_floor(f, xs):
    """An absolute tolerance for expressions that cancel exactly: x*exp(x) + exp(x)*(-x) is 0 at every x, so
    gradcheck's noise (which scales with f's value) is 0, yet the gradient sums terms the size of the
    intermediates and keeps their rounding (1e-16 at x = 0.0078: found by hypothesis). 2^-40 of the largest
    intermediate is far above that rounding and far below any gradient a wrong vjp gives."""
    scale = max(float(np.max(np.abs(node.data))) for node in graph.forward_order(f(*xs)))
    return 2.0 ** -40 * (1.0 + scale)


@given(expressions())
def test_random_scalar_expressions_have_every_gradient_property_and_both_engines_agree(expr):
    f, xs = expr
    check_all(f, *xs, atol=cancellation_floor(f, xs))
    assert_engines_agree(f, *xs)


def test_cancellation_floor_admits_rounding_only():
    x = Value(0.0078125)
    f = lambda x: x.exp() * (-x) + x * x.exp()      # noqa: E731  (0 everywhere; its gradient rounds to 1e-16)
    atol = cancellation_floor(f, [x])
    assert check_all(f, x, atol=atol)
    slope_doubled = primitive(lambda x: 1e-9 * x, vjp=lambda g, out, x: (2e-9 * g,))   # off by 1e-9
    with pytest.raises(AssertionError, match="gradcheck failed"):   # the floor (2^-40 ~ 1e-12) still sees it
        gradcheck(lambda x: f(x) + slope_doubled(x), x, atol=atol)


@given(expressions(kind="tensor", points=5))
def test_tensor_engine_on_arrays_agrees_with_value_engine_point_by_point(expr):
    f, xs = expr
    assert_engines_agree(f, *xs)


@pytest.mark.parametrize("f", [lambda x: x.relu(), lambda x: abs(x), lambda x: x.leaky_relu(0.1),
                               lambda x: (x * x).relu() + x], ids=["relu", "abs", "leaky_relu", "relu_of_square"])
def test_engines_agree_exactly_at_kinks(f):
    assert assert_engines_agree(f, np.array([0.0, -0.0, 1e-300, -1e-300, 1.0]), rtol=0, atol=0)


@given(graphs(), st.data())
def test_gradients_keep_each_leafs_dtype_when_dtypes_mix(graph, data):
    f, xs = graph
    dtypes = [data.draw(st.sampled_from([np.float32, np.float64])) for _ in xs]
    assert check_grad_shapes(f, *[Tensor(x.data.astype(d), requires_grad=True) for x, d in zip(xs, dtypes)])


@pytest.mark.parametrize("f", [lambda a, b: a + b, lambda a, b: (a + b).reshape(-1),
                               lambda a, b: a.broadcast_to(b.shape) * b, lambda a, b: a[0] + b[0],
                               lambda a, b: a.T + b.T],
                         ids=["add", "add-reshape", "broadcast_to", "getitem", "transpose"])
def test_gradients_of_ops_that_pass_g_through_never_share_memory(f):
    a = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    b = Tensor(np.ones((2, 3)), requires_grad=True)
    assert check_no_shared_grads(f, a, b)


# --- unbroadcast: a gradient of a broadcast result summed back to the input's shape --------------------------
@st.composite
def stretched(draw):
    """(g's shape, an input shape broadcasting makes it): leading dims added, 1s stretched (to 0 too)."""
    gshape = tuple(draw(st.lists(st.integers(0, 4), max_size=4)))
    tail = gshape[len(gshape) - draw(st.integers(0, len(gshape))):]
    return gshape, tuple(draw(st.sampled_from([n, 1])) for n in tail)


@given(shapes=stretched(), dtype=st.sampled_from([np.float16, np.float32, np.float64]), as_node=st.booleans())
def test_unbroadcast_sums_the_stretched_and_leading_axes(shapes, dtype, as_node):
    gshape, shape = shapes
    g = np.random.default_rng(len(gshape)).standard_normal(gshape).astype(dtype)
    before = g.copy()
    lead = len(gshape) - len(shape)
    ref = g.astype(np.float64).sum(axis=tuple(range(lead)))          # the reference: numpy's sums, in float64
    ref = ref.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True)
    out = unbroadcast(Tensor(g, requires_grad=True) if as_node else g, shape)
    data = out.data if as_node else out
    assert data.shape == shape and data.dtype == dtype and isinstance(out, Tensor) == as_node
    np.testing.assert_allclose(data, ref, rtol=0, atol=np.finfo(dtype).eps * (g.size + 1) * (np.abs(ref).max(
        initial=0) + np.abs(g).max(initial=0) * 4))
    np.testing.assert_array_equal(g, before)


# --- rewrite invariance ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", [n for n, (f, _) in REWRITES.items() if f.__code__.co_argcount == 1])
@given(x=arrays())
def test_unary_rewrites_agree(name, x):
    f, g = REWRITES[name]
    check_rewrite(f, g, Tensor(x, requires_grad=True))
    if name != "mean == sum/n":
        check_rewrite(f, g, Value(float(x.flat[0])))


@pytest.mark.parametrize("name", [n for n, (f, _) in REWRITES.items() if f.__code__.co_argcount == 2])
@given(shapes=broadcastable_shapes(2), data=st.data())
def test_binary_rewrites_agree(name, shapes, data):
    f, g = REWRITES[name]
    a, b = data.draw(arrays(shapes[0])), data.draw(arrays(shapes[1], domain="nonzero"))
    check_rewrite(f, g, Tensor(a, requires_grad=True), Tensor(b, requires_grad=True))
    check_rewrite(f, g, Value(float(a.flat[0])), Value(float(b.flat[0])))


@given(x=arrays(), data=st.data())
def test_mean_over_axes_is_sum_over_n(x, data):
    ax, keep = data.draw(axes(x.ndim)), data.draw(st.booleans())
    n = x.size // max(np.sum(x, axis=ax, keepdims=keep).size, 1)
    check_rewrite(lambda t: t.mean(ax, keep), lambda t: t.sum(ax, keep) / n, Tensor(x, requires_grad=True))


# --- a small network: batch additivity, second derivatives ----------------------------------------
def mlp_params(rng, sizes=(3, 5, 4)):
    return [Tensor(rng.standard_normal(s) * 0.7, requires_grad=True)
            for a, b in zip(sizes, sizes[1:]) for s in ((a, b), (b,))]


def mlp(params, X):
    W1, b1, W2, b2 = params
    return (Tensor(X) @ W1 + b1).tanh() @ W2 + b2                      # (batch, classes)


def cross_entropy_sum(params, X, y):
    logp = mlp(params, X).log_softmax(-1)
    return -logp[np.arange(len(y)), y].sum()


@given(seed=st.integers(0, 2 ** 32 - 1), n=st.integers(1, 6))
def test_batch_gradient_is_the_sum_of_per_example_gradients(seed, n):
    rng = np.random.default_rng(seed)
    params = mlp_params(rng)
    X, y = rng.standard_normal((n, 3)), rng.integers(0, 4, n)
    assert check_batch_gradient(lambda xb, yb: cross_entropy_sum(params, xb, yb), params, X, y)


@pytest.mark.parametrize("f, domain", [
    (lambda x: x.tanh(), "real"), (lambda x: x.sigmoid(), "real"), (lambda x: x.exp(), "real"),
    (lambda x: x.log(), "positive"), (lambda x: x.sqrt(), "positive"), (lambda x: (x ** 3) / (x * x + 1), "real"),
    (lambda x: x.softmax(-1), "real"), (lambda x: x.log_softmax(-1), "real"), (lambda x: x.logsumexp(0), "real"),
    (lambda x: x.var(0), "real"), (lambda x: (x @ x.T).sum(1) * x[[0, 0, 1]].sum(), "real"),
    (lambda x: x.max(1) * x.mean(), "away_from_kinks"), (lambda x: 2 ** x + x ** x.T, "positive"),
], ids=["tanh", "sigmoid", "exp", "log", "sqrt", "rational", "softmax", "log_softmax", "logsumexp", "var",
        "matmul-getitem", "max-mean", "rpow-pow"])
@given(data=st.data())
def test_second_derivatives_of_ops(f, domain, data):
    x = data.draw(arrays((3, 3), domain=domain))
    assert gradgradcheck(f, Tensor(x, requires_grad=True))


@given(expr=expressions(n_inputs=2, max_ops=5))
def test_second_derivatives_of_random_scalar_expressions(expr):
    f, xs = expr
    assert gradgradcheck(f, *xs)


@given(expr=expressions(n_inputs=1, max_ops=6))
def test_nested_functional_grad_matches_finite_differences_of_grad(expr):
    f, (x,) = expr
    eps, df = 1e-5, grad(f)
    numerical = (df(x.data + eps) - df(x.data - eps)) / (2 * eps)
    assert np.isclose(grad(grad(f))(x.data), numerical, rtol=1e-4, atol=1e-6)
    assert np.isclose(grad(lambda t: f(t).sum())(np.array([x.data]))[0], df(x.data), rtol=1e-12)   # Tensor path


def test_hessian_vector_product_of_an_mlp_loss_matches_finite_differences_of_the_gradient():
    rng = np.random.default_rng(0)
    params = mlp_params(rng)
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 4, 6)
    vs = [rng.standard_normal(p.shape) for p in params]

    def gradient(ps):
        for p in ps:
            p.grad = None
        cross_entropy_sum(ps, X, y).backward()
        return [p.grad.copy() for p in ps]

    loss = cross_entropy_sum(params, X, y)                          # Hv = d/dw <grad L(w), v>
    loss.backward(create_graph=True)
    gv = sum((p.grad * v).sum() for p, v in zip(params, vs))
    for p in params:
        p.grad = None
    gv.backward()
    hv = [np.array(p.grad) for p in params]

    eps = 1e-5                                                     # (grad L(w + eps v) - grad L(w - eps v)) / 2 eps
    shifted = [[Tensor(p.data + s * eps * v, requires_grad=True) for p, v in zip(params, vs)] for s in (1, -1)]
    plus, minus = gradient(shifted[0]), gradient(shifted[1])
    for k, (h, gp, gm) in enumerate(zip(hv, plus, minus)):
        np.testing.assert_allclose(h, (gp - gm) / (2 * eps), rtol=1e-5, atol=1e-7, err_msg=f"Hv for parameter {k}")


def test_gradcheck_handles_value_tensor_and_mixed_inputs():
    w = Tensor([[0.5, -1.0], [2.0, 0.3]], requires_grad=True)
    c = Value(0.7)
    assert gradcheck(lambda v: (v * v).exp(), c) and gradcheck(lambda t: t.tanh(), w)
    assert gradcheck(lambda t, v: t.tanh(), w, c)                       # v unused: zero both ways
    with pytest.raises(AssertionError, match="input 1"):
        gradcheck(lambda t, v: (t * v.data).tanh(), w, c)             # v.data escapes the graph: caught
