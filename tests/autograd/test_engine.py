"""The backward walk itself: order, accumulation, release, depth, and its refusals."""
import gc
import math
import threading

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor, Value


def leaf(*shape, seed=0, dtype=np.float64):
    return Tensor(np.random.default_rng(seed).standard_normal(shape).astype(dtype), requires_grad=True)


# --- accumulation -------------------------------------------------------------------------------
def test_reused_node_accumulates():
    x = leaf(3)
    (x * x).sum().backward()                       # d/dx x^2 = 2x, both uses must add
    np.testing.assert_allclose(x.grad, 2 * x.data)


def test_fan_out_through_intermediate_accumulates():
    a = Value(3.0)
    b = a + a                                      # db/da = 2
    c = b * b + b                                  # dc/db = 2b + 1 = 13
    c.backward()
    assert a.grad == pytest.approx(26.0)
    assert b.grad == pytest.approx(13.0)


def test_leaf_grad_accumulates_across_backward_calls():
    x = leaf(2)
    (x * 3).sum().backward()
    (x * 4).sum().backward()
    np.testing.assert_allclose(x.grad, [7.0, 7.0])


def test_gradients_never_share_memory():
    a, b = leaf(3), leaf(3, seed=1)
    c = a + b                                      # add hands the same g to both inputs
    (c.reshape(3, 1) * 1).sum().backward()
    assert not np.shares_memory(a.grad, b.grad)
    a.grad += 1                                    # an optimizer mutating one must not touch the other
    np.testing.assert_allclose(b.grad, np.ones(3))


def test_seed_is_not_aliased_or_mutated():
    x = leaf(3)
    seed = np.array([1.0, 2.0, 3.0])
    (x + 0).backward(gradient=seed)
    assert not np.shares_memory(x.grad, seed)
    x.grad *= 10
    np.testing.assert_array_equal(seed, [1.0, 2.0, 3.0])


# --- non-leaf gradients -------------------------------------------------------------------------
def test_non_leaf_grad_is_none_unless_retained():
    x = leaf(3)
    h = x * 2
    k = x * 3
    k.retain_grad()
    (h * k).sum().backward()
    assert h.grad is None and not h.is_leaf
    np.testing.assert_allclose(k.grad, h.data)


# --- graph release -----------------------------------------------------------------------------
def test_second_backward_through_freed_graph_raises_naming_op():
    x = leaf(3)
    y = x.exp().sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"'sum' a second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = leaf(3)
    y = x.tanh().sum()
    y.backward(retain_graph=True)
    first = x.grad.copy()
    y.backward()
    np.testing.assert_allclose(x.grad, 2 * first)


def test_value_graph_keeps_structure_after_backward_but_refuses_second_pass():
    a = Value(2.0)
    out = (a * a).tanh()
    out.backward()
    assert out._parents and out._parents[0]._parents == (a, a)     # still drawable
    with pytest.raises(RuntimeError, match="a second time"):
        out.backward()


def test_tensor_graph_releases_intermediates_after_backward():
    x = leaf(1000)
    h = x * 2
    y = h.exp().sum()
    y.backward()
    assert y._parents == () and h._parents == ()


def test_graph_is_freed_by_reference_counting_alone():
    """No node is reachable from its own closure, so the cyclic GC has nothing to collect."""
    gc.collect()
    gc.disable()
    try:
        for kind in ("value", "tensor"):
            if kind == "value":
                xs = [Value(float(i)) for i in range(50)]
                out = xs[0]
                for x in xs[1:]:
                    out = (out * x + 1.0).tanh()
            else:
                W = leaf(8, 8)
                out = W
                for _ in range(20):
                    out = (out @ W).relu() * 0.5 + out.sigmoid()
                out = out.sum()
            out.backward()
            del out
            assert gc.collect() == 0, f"{kind} graph left reference cycles"
            # and unreleased graphs (no backward) are acyclic too
            y = (leaf(4) * 2).exp().sum()
            del y
            assert gc.collect() == 0
    finally:
        gc.enable()


# --- depth: no recursion anywhere ----------------------------------------------------------------
def test_million_op_value_chain_backward():
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y + 1e-6
    y.backward()
    assert x.grad == 1.0


def test_hundred_thousand_op_tensor_chain_backward():
    x = leaf(2)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])


# --- refusals with clear messages ---------------------------------------------------------------
def test_backward_on_non_scalar_needs_gradient():
    with pytest.raises(RuntimeError, match=r"non-scalar output of shape \(2, 3\).*gradient"):
        (leaf(2, 3) * 2).backward()


def test_backward_gradient_of_wrong_shape():
    with pytest.raises(ValueError, match=r"gradient has shape \(3,\).*shape \(2, 3\)"):
        (leaf(2, 3) * 2).backward(gradient=np.ones(3))


def test_backward_on_tensor_without_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0, 2.0]).sum().backward()
    with ag.no_grad():
        y = leaf(2).sum()
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_broadcast_mismatch_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"add: shapes \(3,\) and \(4,\) cannot be broadcast"):
        leaf(3) + leaf(4)
    with pytest.raises(ValueError, match=r"mul: shapes \(2, 3\) and \(2,\)"):
        leaf(2, 3) * leaf(2)


def test_matmul_inner_dimension_mismatch():
    with pytest.raises(ValueError,
                       match=r"matmul: shapes \(3, 4\) and \(5, 2\) cannot be multiplied: inner dimensions 4 != 5"):
        leaf(3, 4) @ leaf(5, 2)
    with pytest.raises(ValueError, match="batch dimensions"):
        leaf(2, 3, 4) @ leaf(3, 4, 5)


def test_vjp_returning_wrong_shape_is_an_error_not_a_silent_gradient():
    x = leaf(3)
    bad = Tensor._make(x.data * 2, (x,), lambda g, out, a: (np.ones(4),), "bad_op")
    with pytest.raises(RuntimeError,
                       match=r"vjp of 'bad_op' returned a gradient of shape \(4,\) for its input 0 of shape \(3,\)"):
        bad.sum().backward()


# --- grad mode ---------------------------------------------------------------------------------
def test_no_grad_and_enable_grad_nest_and_restore():
    x = leaf(2)
    with ag.no_grad():
        assert not (x * 2).requires_grad
        with ag.enable_grad():
            assert (x * 2).requires_grad
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled() and (x * 2).requires_grad


def test_no_grad_as_decorator_restores_after_exception():
    @ag.no_grad()
    def boom():
        raise KeyError("x")
    with pytest.raises(KeyError):
        boom()
    assert ag.is_grad_enabled()

    @ag.no_grad()
    def f(t):
        return t * 2
    assert not f(leaf(2)).requires_grad


def test_grad_mode_is_thread_local():
    seen = []
    with ag.no_grad():
        t = threading.Thread(target=lambda: seen.append(ag.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


def test_value_ops_under_no_grad_are_not_recorded():
    a = Value(1.0)
    with ag.no_grad():
        b = a * 2
    assert not b.requires_grad and b._parents == ()


# --- higher order ------------------------------------------------------------------------------
def test_second_derivative_of_cube_tensor_and_value():
    for x in (Tensor(1.7, requires_grad=True), Value(1.7)):
        y = x ** 3
        y.backward(create_graph=True)
        g = x.grad
        assert float(g.data) == pytest.approx(3 * 1.7 ** 2)
        if isinstance(x, Tensor):
            x.grad = None
        else:
            x.grad = 0.0
        g.backward()
        assert float(np.asarray(x.grad)) == pytest.approx(6 * 1.7)


def test_hessian_vector_product_of_mlp_loss_matches_finite_differences():
    rng = np.random.default_rng(3)
    X = Tensor(rng.standard_normal((5, 3)))
    y = np.array([0, 1, 2, 1, 0])
    w0 = rng.standard_normal((3, 4)) * 0.5
    W2 = Tensor(rng.standard_normal((4, 3)) * 0.5)
    v = rng.standard_normal((3, 4))

    def loss_grad(w, create_graph):
        W = Tensor(w, requires_grad=True)
        loss = -(X @ W).tanh().__matmul__(W2).log_softmax(-1)[np.arange(5), y].mean()
        loss.backward(create_graph=create_graph)
        return W, W.grad

    W, g = loss_grad(w0, True)
    W.grad = None
    (g * Tensor(v)).sum().backward()              # d/dW <grad, v> = H v
    hv = W.grad.data if isinstance(W.grad, Tensor) else W.grad
    eps = 1e-5
    fd = (loss_grad(w0 + eps * v, False)[1] - loss_grad(w0 - eps * v, False)[1]) / (2 * eps)
    np.testing.assert_allclose(hv, fd, rtol=1e-5, atol=1e-8)


# --- threads and errors ------------------------------------------------------------------------
def _deep_loss(W, x):
    h = Tensor(x)
    for _ in range(15):
        h = (h @ W).tanh()
    return h.sum()


def test_concurrent_backward_over_a_shared_leaf_sums_exactly():
    import sys
    xs = [np.random.default_rng(i).standard_normal((4, 8)) for i in range(4)]
    W = Tensor(np.eye(8) * 0.9, requires_grad=True)
    errors = []

    def work(x):
        try:
            for _ in range(10):
                _deep_loss(W, x).backward()
        except Exception as e:                     # pragma: no cover - reported below
            errors.append(e)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)                    # switch threads as often as possible
    try:
        threads = [threading.Thread(target=work, args=(x,)) for x in xs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    ref = Tensor(np.eye(8) * 0.9, requires_grad=True)
    for x in xs:
        for _ in range(10):
            _deep_loss(ref, x).backward()
    assert not errors
    np.testing.assert_allclose(W.grad, ref.grad, rtol=1e-12)


def test_an_error_inside_a_vjp_leaves_every_grad_unchanged():
    from autograd import primitive

    @primitive
    def fails(x):
        return x * 1.0

    @fails.defvjp
    def fails_vjp(g, out, x):
        raise KeyboardInterrupt                    # e.g. Ctrl-C in the middle of backward
    w1, w2 = leaf(3), leaf(3, seed=1)
    w1.grad = np.ones(3)
    loss = (w1 * 2).sum() + fails(w2).sum()        # w1's gradient completes before the failing vjp
    with pytest.raises(KeyboardInterrupt):
        loss.backward()
    np.testing.assert_array_equal(w1.grad, np.ones(3))
    assert w2.grad is None


def test_pow_gradients_at_zero_base_match_pytorch():
    x = Tensor(np.zeros(4), requires_grad=True)
    y = Tensor(np.array([-2.0, 0.0, 2.0, 0.5]), requires_grad=True)
    with np.errstate(all="ignore"):
        (x ** y).sum().backward()
    np.testing.assert_array_equal(x.grad, [-np.inf, 0, 0, np.inf])     # torch.float64 gives the same
    np.testing.assert_array_equal(y.grad, [-np.inf, 0, 0, 0])
    a, b = ag.Value(0.0), ag.Value(-2.0)
    with pytest.warns(RuntimeWarning):
        (a ** b).backward()
    assert a.grad == -math.inf and b.grad == -math.inf


@pytest.mark.parametrize("data, expected", [([1.0, 2.0], np.inf), ([3.0, 3.0], np.nan), ([[1.0, 2.0]], np.inf)])
def test_var_without_degrees_of_freedom_matches_numpy(data, expected):
    for ddof in (2, 3):
        with np.errstate(all="ignore"), pytest.warns(RuntimeWarning, match="Degrees of freedom"):
            v = Tensor(data).var(ddof=ddof)
            ref = np.var(np.array(data), ddof=ddof)
        np.testing.assert_array_equal(v.data, ref)
        np.testing.assert_array_equal(v.data, expected)


def test_repeated_inputs_each_get_the_gradient():
    assert ag.grad(lambda x, y: x * y, argnums=(0, 0))(3.0, 2.0) == (2.0, 2.0)
    outer = ag.grad(lambda x: sum(ag.grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(x, x)).sum())
    np.testing.assert_allclose(outer(np.array([1.0, 2.0])), [2.0, 2.0])   # d/dx (x + x) = 2


def test_backward_inside_a_vjp_is_refused_not_corrupting():
    x = leaf(2)

    def inner_vjp(g, out, a):
        with ag.enable_grad():
            (Tensor(a) * 2).sum()                 # building is fine ...
            (x * x).sum().backward()              # ... running a second pass inside the first is not
        return (g,)
    inner = ag.primitive(lambda a: a * 1.0, vjp=inner_vjp, name="inner")
    y = (inner(x) * 3).sum()
    with pytest.raises(RuntimeError, match="another backward"):
        y.backward()
    x.grad = None
    (x * 5).sum().backward()                       # the engine is usable again afterwards
    np.testing.assert_array_equal(x.grad, [5.0, 5.0])


def test_a_seed_that_requires_grad_stays_in_the_graph():
    x, v = leaf(2), leaf(2, seed=3)
    (x * x).backward(gradient=v, create_graph=True)
    gx = x.grad                                    # 2 x v
    gx.sum().backward()
    np.testing.assert_allclose(v.grad, 2 * x.data)


# --- record_backward: the engine's own pass, reported step by step (drawings use it) ---------------------
def test_record_backward_reports_each_vjp_in_order_and_writes_no_grad():
    from autograd.viz import forward_order
    x, b = leaf(2, 2), leaf(2, seed=1)
    loss = ((x * b + b).tanh() ** 2).sum()
    nodes, steps = forward_order(loss), []
    grads = ag.engine.record_backward(loss, np.array(1.0), nodes, lambda n, g, gs: steps.append((n, g, gs)))
    assert x.grad is None and b.grad is None                        # nothing written
    assert [n._op for n, _, _ in steps] == ["sum", "**2", "tanh", "add", "mul"]
    mul = steps[-1]
    np.testing.assert_allclose(mul[2][1], mul[1] * x.data)         # the raw vjp result, before unbroadcasting
    loss.backward()
    at = {id(n): i for i, n in enumerate(nodes)}          # by identity: list.index compares tensors with ==
    np.testing.assert_allclose(grads[at[id(x)]], x.grad)
    np.testing.assert_allclose(grads[at[id(b)]], b.grad)


def test_record_backward_runs_a_released_value_graph_and_restores_it():
    a = Value(2.0)
    c = a * a + a
    c.backward()                                                   # Value graphs keep their structure
    from autograd.viz import forward_order
    seen = []
    grads = ag.engine.record_backward(c, 1.0, forward_order(c), lambda n, g, gs: seen.append(gs))
    assert seen == [(1.0, 1.0), (2.0, 2.0)] and grads[forward_order(c).index(a)] == 5.0 == a.grad
    with pytest.raises(RuntimeError, match="second time"):
        c.backward()                                               # still released, as before the recording
