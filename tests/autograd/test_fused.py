"""Fused primitives: equal to their composite forms in value and gradient, to second order."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd as ag
from autograd import Tensor


def leaves(rng, *shapes):
    return [Tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]


@given(batch=st.sampled_from([(), (1,), (5,), (2, 3)]), n_in=st.integers(1, 4), n_out=st.integers(1, 4),
       bias=st.booleans(), seed=st.integers(0, 2**16))
def test_linear_matches_matmul_plus_bias(batch, n_in, n_out, bias, seed):
    rng = np.random.default_rng(seed)
    x, W, b = leaves(rng, batch + (n_in,), (n_in, n_out), (n_out,))
    args = (x, W, b) if bias else (x, W)
    f = (lambda x, W, b: ag.linear(x, W, b)) if bias else (lambda x, W: ag.linear(x, W))
    composite = (lambda x, W, b: x @ W + b) if bias else (lambda x, W: x @ W)
    np.testing.assert_allclose(f(*args).data, composite(*args).data, rtol=1e-12, atol=1e-12)
    assert ag.gradcheck(f, *args)


def test_linear_second_order_and_frozen_input():
    rng = np.random.default_rng(0)
    x, W, b = leaves(rng, (4, 3), (3, 2), (2,))
    assert ag.gradgradcheck(lambda x, W, b: ag.linear(x, W, b).tanh().sum(), x, W, b)
    X = Tensor(x.data)                               # input without grad: its product is skipped
    ag.linear(X, W, b).sum().backward()
    assert X.grad is None and W.grad.shape == (3, 2)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_softmax_cross_entropy_matches_log_softmax_gather(reduction):
    rng = np.random.default_rng(1)
    (L,) = leaves(rng, (6, 4))
    t = rng.integers(0, 4, 6)
    fused = lambda L: ag.softmax_cross_entropy(L, t, reduction)

    def composite(L):
        nll = -L.log_softmax(axis=1)[np.arange(6), t]
        return nll.mean() if reduction == "mean" else nll.sum() if reduction == "sum" else nll
    np.testing.assert_allclose(fused(L).data, composite(L).data, rtol=1e-12)
    assert ag.gradcheck(fused, L) and ag.gradgradcheck(fused, L)


def test_softmax_cross_entropy_is_stable_and_keeps_float32():
    L = Tensor(np.array([[1e4, 0.0, -1e4]], np.float32), requires_grad=True)
    with np.errstate(over="raise", invalid="raise"):
        loss = ag.softmax_cross_entropy(L, [0])
        loss.backward()
    assert loss.dtype == np.float32 and L.grad.dtype == np.float32 and loss.item() == 0.0


@pytest.mark.parametrize("call, match", [
    (lambda: ag.linear(Tensor(np.ones((2, 3))), Tensor(np.ones((4, 2)))), r"\(2, 3\).*\(4, 2\)"),
    (lambda: ag.linear(Tensor(np.ones((2, 3))), Tensor(np.ones((3, 2))), Tensor(np.ones(3))), r"bias of shape \(3,\)"),
    (lambda: ag.softmax_cross_entropy(Tensor(np.ones((2, 3))), [0, 3]), r"in \[0, 3\)"),
    (lambda: ag.softmax_cross_entropy(Tensor(np.ones((2, 3))), [0.0, 1.0]), "integer targets"),
    (lambda: ag.softmax_cross_entropy(Tensor(np.ones((2, 3))), [0, 1], "avg"), "reduction"),
])
def test_bad_arguments_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_linear_promotes_like_its_composite_and_skips_unneeded_gradients():
    x = Tensor(np.ones((2, 3), np.float32))
    W = Tensor(np.ones((3, 2), np.float32), requires_grad=True)
    b = Tensor(np.ones(2, np.float64))
    out = ag.linear(x, W, b)
    assert out.dtype == (x @ W + b).dtype == np.float64
    out.sum().backward()
    assert W.grad.dtype == np.float32 and x.grad is None and b.grad is None
