"""nn.fit / evaluate / predict: the same steps as the hand-written loop, history, progress bar, modes, errors."""
import numpy as np
import pytest

import nn
from autograd import Tensor
from nn import functional as F, optim
from nn import evaluate, fit, predict

X, Y = nn.data.blobs(60, centers=3, std=0.5, seed=0)
X = (X - X.mean(0)) / X.std(0)


def _hand_loop(model, X, y, opt, epochs, batch_size, rng, loss=F.cross_entropy, reg=0.0):
    """The README's loop, written out."""
    rng = np.random.default_rng(rng)
    for _ in range(epochs):
        for Xb, yb in nn.data.batches(X, y, batch_size, rng=rng):
            out = loss(model(Tensor(Xb)), yb) + reg * F.l2_penalty(model.parameters())
            opt.zero_grad()
            out.backward()
            opt.step()


def test_fit_takes_the_same_steps_as_the_hand_written_loop():
    a, b = nn.MLP(2, [8, 3], rng=1), nn.MLP(2, [8, 3], rng=1)
    fit(a, X, Y, optimizer=optim.SGD(a.parameters(), lr=0.1, momentum=0.9), epochs=3, batch_size=16, rng=5,
        reg=1e-3, progress=False)
    _hand_loop(b, X, Y, optim.SGD(b.parameters(), lr=0.1, momentum=0.9), 3, 16, 5, reg=1e-3)
    for (name, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(p.data, q.data, err_msg=name)


def test_history_per_epoch_and_validation():
    model = nn.MLP(2, [3], rng=0)                      # softmax regression: blobs are separable
    h = fit(model, X, Y, optimizer=optim.Adam(model.parameters(), lr=0.1), epochs=15, batch_size=20,
            val=(X[:30], Y[:30]), progress=False, rng=0)
    assert set(h) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 15 for v in h.values())
    assert h["loss"][-1] < h["loss"][0] and h["accuracy"][-1] > 0.9
    final = evaluate(model, X[:30], Y[:30])
    assert final == pytest.approx({"loss": h["val_loss"][-1], "accuracy": h["val_accuracy"][-1]})
    assert predict(model, X, batch_size=7).shape == (60, 3)


def test_progress_bar_can_be_turned_off(capsys):
    model = nn.MLP(2, [3], rng=0)
    fit(model, X, Y, optimizer=optim.SGD(model.parameters(), lr=0.1), epochs=2, progress=False)
    assert capsys.readouterr().err == ""
    fit(model, X, Y, optimizer=optim.SGD(model.parameters(), lr=0.1), epochs=2, progress=True)
    err = capsys.readouterr().err
    assert "2/2" in err and "loss=" in err and "accuracy=" in err


def test_binary_single_output_and_regression():
    Xb, yb = nn.data.moons(80, noise=0.1, seed=0)
    model = nn.MLP(2, [16, 1], rng=0)
    h = fit(model, Xb, yb, loss=F.binary_cross_entropy_with_logits, epochs=30, batch_size=16, progress=False,
            optimizer=optim.Adam(model.parameters(), lr=0.02), rng=0)
    assert h["accuracy"][-1] > 0.8                    # (n, 1) outputs against (n,) labels: reshaped by fit
    scores = predict(model, Xb)[:, 0]
    assert evaluate(model, Xb, yb, loss=F.binary_cross_entropy_with_logits)["accuracy"] == np.mean((scores > 0) == yb)
    reg = nn.MLP(2, [1], rng=0)
    t = Xb @ np.array([1.5, -2.0]) + 0.5
    h = fit(reg, Xb, t, loss=F.mse_loss, epochs=40, batch_size=10, progress=False,
            optimizer=optim.SGD(reg.parameters(), lr=0.05), rng=0)
    assert set(h) == {"loss"} and h["loss"][-1] < 1e-3


@pytest.mark.parametrize("loss, nout", [(F.hinge_loss, 1), (F.cross_entropy, 3), (F.multiclass_hinge_loss, 3)])
def test_scalar_model_trains_like_its_tensor_twin(loss, nout):
    idx = np.r_[0:7, 20:27, 40:46]                     # 20 rows of the three blobs
    Xs, ys = X[idx], (2 * (Y[idx] > 0) - 1 if nout == 1 else Y[idx])
    s = nn.scalar.MLP(2, [6, nout], rng=0)
    t = s.to_tensor()
    kw = dict(loss=loss, epochs=3, batch_size=8, progress=False, rng=3, reg=1e-4)
    hs = fit(s, Xs, ys, optimizer=optim.SGD(s.parameters(), lr=0.1), **kw)
    ht = fit(t, Xs, ys, optimizer=optim.SGD(t.parameters(), lr=0.1), **kw)
    np.testing.assert_allclose(hs["loss"], ht["loss"], rtol=1e-12)
    assert hs["accuracy"] == ht["accuracy"]
    np.testing.assert_allclose(predict(s, Xs), predict(t, Xs), rtol=1e-12)


def test_evaluate_restores_training_modes_and_records_no_graph():
    model = nn.MLP(2, [8, 3], dropout=0.5, rng=0)
    model.eval()
    model.layers[0].train()                            # a deliberately mixed state survives
    modes = [m.training for m in model.modules()]
    evaluate(model, X, Y)
    assert [m.training for m in model.modules()] == modes and True in modes and False in modes
    assert all(p.grad is None for p in model.parameters())


@pytest.mark.parametrize("kwargs, match", [
    (dict(epochs=-1), "epochs must be an int >= 0"),
    (dict(val=X), "val must be a pair"),
    (dict(y=Y[:10]), "X has 60 rows but y has 10"),
    (dict(X=np.zeros(5), y=np.zeros(5, int)), r"shape \(examples, features\)"),
])
def test_bad_arguments(kwargs, match):
    model = nn.MLP(2, [3], rng=0)
    args = dict(X=X, y=Y, optimizer=optim.SGD(model.parameters(), lr=0.1), progress=False) | kwargs
    with pytest.raises(ValueError, match=match):
        fit(model, **args)


@pytest.mark.parametrize("reg", [float("nan"), -5.0, float("inf"), True])
def test_fit_refuses_a_bad_regularization_strength(reg):
    X, y = nn.data.spiral(10, 3, seed=0)
    m = nn.MLP(2, [4, 3], rng=0)
    with pytest.raises(ValueError, match="reg"):
        nn.fit(m, X, y, optimizer=nn.optim.SGD(m.parameters(), 0.1), reg=reg, epochs=1, progress=False)


def test_fit_refuses_an_optimizer_of_another_model_and_restores_modes():
    X, y = nn.data.spiral(10, 3, seed=0)
    m, other = nn.MLP(2, [4, 3], dropout=0.5, rng=0), nn.MLP(2, [4, 3], rng=1)
    with pytest.raises(ValueError, match="none of this model's parameters"):
        nn.fit(m, X, y, optimizer=nn.optim.SGD(other.parameters(), 0.1), epochs=1, progress=False)
    m.eval()
    nn.fit(m, X, y, optimizer=nn.optim.SGD(m.parameters(), 0.1), epochs=1, progress=False)
    assert not m.training and not m.dropout.training
