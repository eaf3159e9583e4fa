"""Tensor layers and activations: forward math against numpy, gradients against gradcheck, dropout statistics."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd import Tensor, gradcheck

rng = np.random.default_rng(0)


def x_(*shape, seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


# ---------------------------------------------------------------- Linear

def test_linear_is_x_at_W_plus_b():
    lin = nn.Linear(3, 2, rng=0)
    lin.b.data[:] = [0.5, -1.0]
    x = rng.standard_normal((4, 3))
    assert lin.W.shape == (3, 2) and lin.b.shape == (2,)
    np.testing.assert_allclose(lin(x).data, x @ lin.W.data + lin.b.data, rtol=1e-15)


def test_linear_without_bias_and_float32():
    lin = nn.Linear(3, 2, bias=False, dtype=np.float32)
    assert lin.b is None and [n for n, _ in lin.named_parameters()] == ["W"]
    out = lin(np.ones((2, 3)))                         # numpy input takes the layer's dtype
    assert out.dtype == np.float32 and lin.W.dtype == np.float32


def test_linear_names_the_bad_input_shape():
    with pytest.raises(ValueError, match=r"Linear\(in_features=3.*shape \(4, 2\) must have 3 features"):
        nn.Linear(3, 2)(np.ones((4, 2)))
    with pytest.raises(ValueError, match="in_features must be a positive int, got 0"):
        nn.Linear(0, 2)


def test_linear_gradcheck():
    lin = nn.Linear(3, 2, rng=1)
    assert gradcheck(lambda x, W, b: lin(x).tanh(), x_(4, 3), lin.W, lin.b)


def test_gradcheck_catches_a_wrong_weight_gradient():
    lin = nn.Linear(3, 2, rng=1)
    x = x_(4, 3)

    def f(x, W, b):                                    # forward uses W, but backward only sees a detached copy
        return x @ W.detach() + b + 0.0 * W.sum()
    with pytest.raises(AssertionError, match="input 1"):
        gradcheck(f, x, lin.W, lin.b)


# ---------------------------------------------------------------- MLP

def test_mlp_forward_has_no_output_activation():
    m = nn.MLP(3, [5, 2], rng=2)
    x = rng.standard_normal((50, 3))
    W0, b0, W1, b1 = (p.data for p in m.parameters())
    np.testing.assert_allclose(m(x).data, np.maximum(x @ W0 + b0, 0) @ W1 + b1, rtol=1e-12)
    assert (m(x).data < 0).any()                       # a ReLU at the output could never be negative


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "prelu", "maxout", "identity"])
def test_mlp_gradcheck_each_activation(activation):
    m = nn.MLP(3, [4, 2], activation=activation, rng=3)
    params = m.parameters()
    assert gradcheck(lambda x, *ps: m(x), x_(5, 3), *params)


def test_mlp_activation_names():
    assert isinstance(nn.MLP(2, [3, 1], activation="TANH").acts[0], nn.Tanh)
    assert nn.MLP(2, [3, 1], activation="leaky_relu", negative_slope=0.2).acts[0].negative_slope == 0.2
    assert isinstance(nn.MLP(2, [3, 1], activation="maxout").layers[0], nn.Maxout)
    assert isinstance(nn.MLP(2, [3, 1], activation="maxout").layers[1], nn.Linear)
    with pytest.raises(ValueError, match=r"unknown activation 'swish'; use one of "
                                         r"\['celu', 'elu', 'gelu', .*'identity', 'leaky_relu'"):
        nn.MLP(2, [3, 1], activation="swish")
    with pytest.raises(ValueError, match=r"sizes\[1\] must be a positive int, got 0"):
        nn.MLP(2, [3, 0])


def test_mlp_same_seed_same_weights_and_dtype():
    a, b = nn.MLP(4, [8, 3], rng=7), nn.MLP(4, [8, 3], rng=np.random.default_rng(7))
    assert all(np.array_equal(p.data, q.data) for p, q in zip(a.parameters(), b.parameters()))
    assert all(p.dtype == np.float32 for p in nn.MLP(4, [8, 3], dtype=np.float32).parameters())


def test_mlp_dropout_only_between_hidden_layers():
    m = nn.MLP(4, [50, 3], dropout=0.5, rng=0)
    x = np.ones((2, 4))
    assert not np.allclose(m(x).data, m(x).data)       # a fresh mask every call in training
    m.eval()
    np.testing.assert_array_equal(m(x).data, m(x).data)


# ---------------------------------------------------------------- Dropout

def test_dropout_statistics_and_scaling():
    d = nn.Dropout(0.3, rng=0)
    out = d(Tensor(np.ones((400, 500)))).data
    kept = out != 0
    assert abs(1 - kept.mean() - 0.3) < 0.005           # ~ 5 sigma for 200k Bernoulli draws
    np.testing.assert_allclose(out[kept], 1 / 0.7)
    assert abs(out.mean() - 1.0) < 0.01                 # inverted dropout keeps the expectation


def test_dropout_eval_is_identity_and_rng_reproducible():
    x = Tensor(rng.standard_normal((20, 10)))
    d = nn.Dropout(0.5, rng=4)
    assert d.eval()(x) is x
    a, b = nn.Dropout(0.5, rng=4)(x).data, nn.Dropout(0.5, rng=4)(x).data
    np.testing.assert_array_equal(a, b)
    assert nn.Dropout(0.0)(x) is x
    with pytest.raises(ValueError, match=r"must be in \[0, 1\), got 1.0"):
        nn.Dropout(1.0)


def test_dropout_gradient_is_the_mask():
    x = x_(6, 7)
    out = nn.Dropout(0.5, rng=1)(x)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, out.data / x.data)


# ---------------------------------------------------------------- Sequential

def test_sequential_indexing_and_names():
    s = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(s) == 3 and isinstance(s[1], nn.ReLU) and isinstance(s[-1], nn.Linear)
    assert [n for n, _ in s.named_parameters()] == ["0.W", "0.b", "2.W", "2.b"]
    assert [type(m) for m in s[:2]] == [nn.Linear, nn.ReLU]
    x = rng.standard_normal((4, 2))
    np.testing.assert_allclose(s(x).data, s[2](s[1](s[0](x))).data)
    with pytest.raises(TypeError, match="item 1 is a function, not a Module"):
        nn.Sequential(nn.Linear(2, 2), nn.relu)


# ---------------------------------------------------------------- activations

FORMULAS = [
    (nn.Sigmoid(), nn.sigmoid, lambda z: 1 / (1 + np.exp(-z))),
    (nn.Tanh(), nn.tanh, np.tanh),
    (nn.ReLU(), nn.relu, lambda z: np.maximum(z, 0)),
    (nn.LeakyReLU(0.1), lambda t: nn.leaky_relu(t, 0.1), lambda z: np.where(z > 0, z, 0.1 * z)),
    (nn.Identity(), nn.identity, lambda z: z),
    (nn.Softmax(axis=-1), nn.softmax, lambda z: np.exp(z) / np.exp(z).sum(-1, keepdims=True)),
]


@pytest.mark.parametrize("module, fn, ref", FORMULAS, ids=lambda v: type(v).__name__)
def test_activation_module_function_and_formula_agree(module, fn, ref):
    z = rng.standard_normal((3, 4))
    np.testing.assert_allclose(module(Tensor(z)).data, ref(z), rtol=1e-12)
    np.testing.assert_allclose(fn(Tensor(z)).data, ref(z), rtol=1e-12)


def test_prelu_learns_its_slope_shared_and_per_channel():
    shared, per = nn.PReLU(), nn.PReLU(4, init=0.1)
    assert shared.alpha.shape == (1,) and per.alpha.shape == (4,)
    z = rng.standard_normal((5, 4))
    np.testing.assert_allclose(per(Tensor(z)).data, np.where(z > 0, z, 0.1 * z))
    assert gradcheck(lambda x, a: per(x), x_(5, 4), per.alpha)
    assert gradcheck(lambda x, a: shared(x), x_(5, 4), shared.alpha)
    with pytest.raises(ValueError, match=r"PReLU\(4\): input of shape \(5, 3\) must have 4 channels"):
        per(Tensor(np.ones((5, 3))))


def test_maxout_is_max_over_pieces():
    m = nn.Maxout(3, 2, pieces=3, rng=0)
    m.b.data[:] = rng.standard_normal(6)
    assert m.W.shape == (3, 6) and m.num_parameters() == 24
    x = rng.standard_normal((4, 3))
    z = x @ m.W.data + m.b.data
    expect = np.stack([z[:, 0:3].max(1), z[:, 3:6].max(1)], axis=1)
    np.testing.assert_allclose(m(x).data, expect, rtol=1e-15)
    assert gradcheck(lambda x, W, b: m(x), x_(4, 3), m.W, m.b)


def test_default_init_follows_the_activation():
    relu = nn.MLP(400, [400, 1], rng=0).layers[0].W.data.std()
    tanh = nn.MLP(400, [400, 1], activation="tanh", rng=0).layers[0].W.data.std()
    assert abs(relu - np.sqrt(2 / 400)) < 0.02 * np.sqrt(2 / 400)      # He
    assert abs(tanh - np.sqrt(2 / 800)) < 0.02 * np.sqrt(2 / 800)      # Xavier


# ---------------------------------------------------------------- properties

@settings(max_examples=15, deadline=None)
@given(st.integers(1, 5), st.integers(1, 4), st.sampled_from(["relu", "tanh", "maxout"]), st.integers(0, 99))
def test_batch_gradient_is_the_sum_of_per_example_gradients(batch, width, activation, seed):
    m = nn.MLP(3, [width, 2], activation=activation, rng=seed)
    X = np.random.default_rng(seed).standard_normal((batch, 3))
    m(X).sum().backward()
    whole = [p.grad.copy() for p in m.parameters()]
    total = [np.zeros_like(g) for g in whole]
    for row in X:
        m.zero_grad()
        m(row[None]).sum().backward()
        total = [t + p.grad for t, p in zip(total, m.parameters())]
    for g, t in zip(whole, total):
        np.testing.assert_allclose(g, t, rtol=1e-10, atol=1e-12)


def test_prelu_slopes_take_the_mlp_dtype():
    m = nn.MLP(3, [4, 2], activation="prelu", dtype=np.float32)
    assert {p.dtype for p in m.parameters()} == {np.dtype(np.float32)}
    assert m(np.ones((2, 3))).dtype == np.float32
