"""nn.scalar: micrograd-style layers on Value, and their agreement with the tensor MLP (values and gradients)."""
import numpy as np
import pytest

import nn
from autograd import Value

ACTS = ["relu", "tanh", "sigmoid", "leaky_relu", "identity"]


def grads(module):
    """{name: gradient array} for tensor or scalar modules alike."""
    out = {}
    for name, p in module.named_parameters():
        if isinstance(p, np.ndarray):                     # a grid of Values
            out[name] = np.array([v.grad for v in p.flat]).reshape(p.shape)
        else:
            out[name] = np.zeros(p.shape) if p.grad is None else np.asarray(p.grad)
    return out


def run_both(tensor_mlp, scalar_mlp, X, V):
    """Forward X through both, backprop sum(V * out), return (tensor out, scalar out)."""
    out_t = tensor_mlp(X)
    (out_t * V).sum().backward()
    rows = [scalar_mlp(x) for x in X]
    loss = sum(v * o for row, vrow in zip(rows, V) for o, v in zip(row, vrow.tolist()))
    loss.backward()
    return out_t.data, np.array([[o.data for o in row] for row in rows])


def test_neuron_is_act_of_weighted_sum():
    n = nn.scalar.Neuron(3, activation="tanh", rng=0)
    n.b.data = 0.3
    x = [0.5, -1.0, 2.0]
    w = [v.data for v in n.W]
    assert n(x).data == pytest.approx(np.tanh(np.dot(w, x) + 0.3), rel=1e-14)
    assert [v.label for v in n.W] == ["W[0]", "W[1]", "W[2]"]
    with pytest.raises(ValueError, match="input has 2 numbers, expected 3"):
        n([1.0, 2.0])


def test_layer_with_one_output_returns_a_list():
    out = nn.scalar.Layer(2, 1)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 1 and isinstance(out[0], Value)
    assert isinstance(nn.scalar.MLP(2, [3, 1])([1.0, 2.0]), list)


def test_layer_neurons_share_the_grid():
    layer = nn.scalar.Layer(3, 2, rng=0)
    assert layer.W.shape == (3, 2) and layer.b.shape == (2,)
    assert all(a is b for a, b in zip(layer.neurons[1].W, layer.W[:, 1]))
    assert layer.neurons[1].b is layer.b[1]
    assert [n for n, _ in layer.named_parameters()] == ["W", "b"]


def test_names_shapes_and_seeded_weights_match_the_tensor_mlp():
    t, s = nn.MLP(3, [4, 4, 1], rng=5), nn.scalar.MLP(3, [4, 4, 1], rng=5)
    assert [(n, p.shape) for n, p in t.named_parameters()] == [(n, p.shape) for n, p in s.named_parameters()]
    ts, ss = t.state_dict(), s.state_dict()
    assert all(np.array_equal(ts[k], ss[k]) for k in ts)


@pytest.mark.parametrize("activation", ACTS)
def test_scalar_and_tensor_give_the_same_outputs_and_gradients(activation):
    r = np.random.default_rng(1)
    t = nn.MLP(3, [5, 4, 2], activation=activation, rng=2)
    for layer in t.layers:
        layer.b.data[:] = r.standard_normal(layer.b.shape)   # nonzero biases so they are exercised too
    s = nn.scalar.MLP.from_tensor(t)
    X, V = r.standard_normal((6, 3)), r.standard_normal((6, 2))
    out_t, out_s = run_both(t, s, X, V)
    np.testing.assert_allclose(out_s, out_t, rtol=1e-12, atol=1e-14)
    gt, gs = grads(t), grads(s)
    assert list(gt) == list(gs)
    for k in gt:
        np.testing.assert_allclose(gs[k], gt[k], rtol=1e-12, atol=1e-14, err_msg=k)


def test_agreement_check_detects_a_tiny_weight_difference():
    r = np.random.default_rng(3)
    t = nn.MLP(3, [4, 2], activation="tanh", rng=4)
    s = nn.scalar.MLP.from_tensor(t)
    s.layers[1].W[2, 1].data += 1e-9
    X, V = r.standard_normal((3, 3)), r.standard_normal((3, 2))
    out_t, out_s = run_both(t, s, X, V)
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(out_s, out_t, rtol=1e-12, atol=1e-14)


def test_to_tensor_and_copy_weights_round_trip():
    s = nn.scalar.MLP(2, [3, 1], activation="leaky_relu", negative_slope=0.2, rng=0)
    t = s.to_tensor(dtype=np.float32)
    assert t.activation == "leaky_relu" and t.acts[0].negative_slope == 0.2
    assert t.layers[0].W.dtype == np.float32
    np.testing.assert_allclose(t.layers[0].W.data, s.state_dict()["layers.0.W"], rtol=1e-7)
    back = nn.scalar.copy_weights(t, nn.scalar.MLP(2, [3, 1], activation="leaky_relu", negative_slope=0.2))
    np.testing.assert_allclose(back.state_dict()["layers.0.W"], t.layers[0].W.data)
    with pytest.raises(KeyError, match=r"missing keys \['layers.2.W', 'layers.2.b'\]"):
        nn.scalar.copy_weights(t, nn.scalar.MLP(2, [3, 3, 1]))


def test_zero_grad_sets_value_grads_to_zero():
    s = nn.scalar.MLP(2, [3, 1], rng=0)
    s([1.0, -2.0])[0].backward()
    assert any(p.grad != 0.0 for p in s.parameters())
    s.zero_grad()
    assert all(p.grad == 0.0 for p in s.parameters())


def test_unsupported_activation_and_batch_input_are_refused():
    with pytest.raises(ValueError, match="scalar layers support the activations .* got 'maxout'"):
        nn.scalar.MLP(2, [3, 1], activation="maxout")
    with pytest.raises(ValueError, match=r"one sample of 2 numbers, got an array of shape \(4, 2\)"):
        nn.scalar.MLP(2, [3, 1])(np.ones((4, 2)))


def test_scalar_dropout_trains_and_evals():
    s = nn.scalar.MLP(2, [200, 1], dropout=0.5, rng=0)
    h = s.dropout([Value(1.0)] * 1000)
    kept = np.array([v.data for v in h]) != 0
    assert 0.45 < kept.mean() < 0.55 and all(v.data == 2.0 for v, k in zip(h, kept) if k)
    s.eval()
    x = [Value(1.0)] * 3
    assert s.dropout(x) is x
    assert nn.scalar.MLP.from_tensor(nn.MLP(2, [3, 1], dropout=0.25)).dropout.p == 0.25
