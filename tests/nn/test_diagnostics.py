"""nn.diagnostics on networks whose dead / saturated units and update sizes are known by construction."""
import numpy as np
import pytest

import nn
from autograd import Tensor, no_grad
from nn import diagnostics as D, optim

X = np.abs(np.random.default_rng(0).standard_normal((50, 2))) + 0.1     # positive inputs


def _linear(W, b):
    layer = nn.Linear(*np.shape(W))
    with no_grad():
        layer.W.copy_(W)
        layer.b.copy_(b)
    return layer


def test_dead_relu_fraction_counts_units_never_active():
    # on positive inputs, unit 0 is always on, unit 1 always off, unit 2 on for some rows only, unit 3 off
    W = np.array([[1.0, -1.0, 1.0, 0.0], [1.0, -1.0, -1.0, 0.0]])
    model = nn.Sequential(_linear(W, [0.0, 0.0, 0.0, -0.5]), nn.ReLU(), _linear(np.ones((4, 2)), [-100.0, 1.0]),
                          nn.ReLU())
    assert D.dead_relu_fraction(model, X) == pytest.approx(3 / 6)
    assert D.dead_relu_fraction(model, X, per_layer=True) == {"0": 0.5, "2": 0.5}


def test_dead_fraction_scalar_and_tensor_twins_agree():
    t = nn.MLP(2, [12, 12, 1], rng=3)
    with no_grad():
        t.layers[0].b.copy_(np.linspace(-3, 1, 12))   # push some units below zero everywhere
    s = nn.scalar.MLP.from_tensor(t)
    got = D.dead_relu_fraction(s, X[:20], per_layer=True)
    assert got == D.dead_relu_fraction(t, X[:20], per_layer=True) and set(got) == {"layers.0", "layers.1"}
    assert got["layers.0"] > 0


def test_saturation_fraction():
    W = np.array([[10.0, 0.01], [10.0, 0.01]])
    tanh = nn.Sequential(_linear(W, [0.0, 0.0]), nn.Tanh())
    assert D.saturation_fraction(tanh, X) == pytest.approx(np.mean(np.tanh(X @ W) ** 2 > 0.99 ** 2))
    assert D.saturation_fraction(tanh, X, per_layer=True)["0"] == pytest.approx(0.5, abs=0.05)
    sig = nn.Sequential(_linear(-W, [0.0, 0.0]), nn.Sigmoid())
    assert D.saturation_fraction(sig, X, threshold=0.9) == pytest.approx(np.mean(
        np.abs(2 / (1 + np.exp(X @ W)) - 1) > 0.9))
    s = nn.scalar.MLP(2, [4, 1], activation="tanh", rng=0)
    assert D.saturation_fraction(s, X * 100) > 0.5 > D.saturation_fraction(s, X * 1e-3)


def test_update_ratios_of_a_known_step():
    W = Tensor([[3.0, 4.0]], requires_grad=True)      # ||W|| = 5
    before = {"W": W.data.copy()}
    W.grad = np.array([[0.6, 0.8]])                   # ||g|| = 1
    optim.SGD([W], lr=0.005).step()                   # ||update|| = 0.005 -> ratio 1e-3
    assert D.update_ratios(before, {"W": W.data})["W"] == pytest.approx(1e-3)
    assert D.update_ratios([np.zeros(2), np.ones(2)], [np.zeros(2), np.ones(2)]) == [0.0, 0.0]
    assert D.update_ratios([np.zeros(2)], [np.ones(2)]) == [float("inf")]


def test_update_ratios_from_state_dicts_of_a_model():
    model = nn.MLP(2, [5, 2], rng=0)
    out = model(Tensor(X)).sum()
    out.backward()
    before = model.state_dict()
    optim.SGD(model.parameters(), lr=1e-3).step()
    ratios = D.update_ratios(before, model.state_dict())
    W = before["layers.0.W"]
    assert ratios["layers.0.W"] == pytest.approx(1e-3 * np.linalg.norm(model.layers[0].W.grad) / np.linalg.norm(W))
    assert ratios["layers.0.b"] == float("inf")       # zero-initialised bias: any step is infinitely large


def test_grad_norms():
    model = nn.MLP(2, [5, 2], rng=0)
    assert set(D.grad_norms(model).values()) == {0.0}
    model(Tensor(X)).sum().backward()
    norms = D.grad_norms(model)
    assert norms["layers.1.W"] == pytest.approx(np.linalg.norm(model.layers[1].W.grad))
    s = nn.scalar.MLP.from_tensor(model)
    s.zero_grad()
    for row in X.tolist():
        sum(s(row)).backward()
    for k, v in D.grad_norms(s).items():
        assert v == pytest.approx(norms[k], rel=1e-12)


@pytest.mark.parametrize("call, match", [
    (lambda: D.dead_relu_fraction(nn.MLP(2, [3, 1], activation="tanh"), X), "found no relu units in MLP"),
    (lambda: D.saturation_fraction(nn.MLP(2, [3, 1]), X), "found no sigmoid/tanh units"),
    (lambda: D.saturation_fraction(nn.MLP(2, [3, 1], activation="tanh"), X, threshold=1.0), r"threshold .* \(0, 1\)"),
    (lambda: D.update_ratios({"a": 1.0}, {"b": 1.0}), r"name different parameters: \['a', 'b'\]"),
    (lambda: D.update_ratios([np.ones(2)], []), "got 1 and 0 entries"),
    (lambda: D.update_ratios([np.ones(2)], [np.ones(3)]), r"\(2,\) before and \(3,\) after"),
])
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_diagnostics_need_a_batch():
    m = nn.MLP(4, [3, 2], rng=0)
    with pytest.raises(ValueError, match="2-D batch"):
        nn.diagnostics.dead_relu_fraction(m, np.ones(4))
