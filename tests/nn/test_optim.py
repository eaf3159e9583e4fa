"""Optimizers against update rules written out independently in numpy, on Tensors and on Values;
schedules; in-place and version semantics; argument checks."""
import numpy as np
import pytest

from autograd import Tensor, Value, no_grad
from nn import optim

RNG = np.random.default_rng(1)
X0 = RNG.standard_normal((3, 4))
GRADS = [RNG.standard_normal((3, 4)) for _ in range(4)]     # the gradient fed at each of 4 steps


def _reference(rule, **h):
    """The parameter after each step, from the textbook (PyTorch) formulas, one plain numpy line each."""
    x, out, mem = X0.copy(), [], {}
    for k, g in enumerate(GRADS, start=1):
        g = g + h.get("weight_decay", 0) * x
        if rule == "sgd":
            mu = h.get("momentum", 0)
            if mu:
                mem["v"] = g if k == 1 else mu * mem["v"] + g
                g = g + mu * mem["v"] if h.get("nesterov") else mem["v"]
            x = x - h["lr"] * g
        elif rule == "adam":
            b1, b2 = h.get("betas", (0.9, 0.999))
            mem["m"] = b1 * mem.get("m", 0) + (1 - b1) * g
            mem["v"] = b2 * mem.get("v", 0) + (1 - b2) * g * g
            m_hat, v_hat = mem["m"] / (1 - b1 ** k), mem["v"] / (1 - b2 ** k)
            x = x - h.get("lr", 1e-3) * m_hat / (np.sqrt(v_hat) + h.get("eps", 1e-8))
        else:
            a = h.get("alpha", 0.99)
            mem["s"] = a * mem.get("s", 0) + (1 - a) * g * g
            x = x - h.get("lr", 1e-2) * g / (np.sqrt(mem["s"]) + h.get("eps", 1e-8))
        out.append(x)
    return out


RULES = [
    ("sgd", optim.SGD, {"lr": 0.1}),
    ("sgd", optim.SGD, {"lr": 0.1, "weight_decay": 0.3}),
    ("sgd", optim.SGD, {"lr": 0.1, "momentum": 0.9}),
    ("sgd", optim.SGD, {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.1}),
    ("adam", optim.Adam, {}),
    ("adam", optim.Adam, {"lr": 0.01, "betas": (0.8, 0.9), "eps": 1e-3, "weight_decay": 0.2}),
    ("rmsprop", optim.RMSprop, {}),
    ("rmsprop", optim.RMSprop, {"lr": 0.001, "alpha": 0.5, "eps": 1e-4, "weight_decay": 0.05}),
]
IDS = [f"{r}-{'-'.join(f'{k}={v}' for k, v in h.items())}" for r, _, h in RULES]


@pytest.mark.parametrize("rule, cls, hyper", RULES, ids=IDS)
def test_tensor_updates_match_hand_computed_steps(rule, cls, hyper):
    W = Tensor(X0, requires_grad=True)
    data = W.data
    opt = cls([W], **hyper)
    for g, want in zip(GRADS, _reference(rule, **hyper)):
        W.grad = g.copy()
        opt.step()
        np.testing.assert_allclose(W.data, want, rtol=1e-13, atol=1e-15)
    assert W.data is data                  # updated in place: the array a model holds is the same one


@pytest.mark.parametrize("rule, cls, hyper", RULES, ids=IDS)
def test_value_updates_match_hand_computed_steps(rule, cls, hyper):
    vs = [Value(x) for x in X0.flat]
    opt = cls(vs, **hyper)
    for g, want in zip(GRADS, _reference(rule, **hyper)):
        for v, gi in zip(vs, g.flat):
            v.grad = gi
        opt.step()
        np.testing.assert_allclose([v.data for v in vs], want.ravel(), rtol=1e-13, atol=1e-15)


def test_first_steps_by_hand():
    # numbers small enough to check on paper
    w = Tensor([1.0, -2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.5, momentum=0.5)
    w.grad = np.array([2.0, 2.0])
    opt.step()                               # v = g = [2, 2]; w = [1, -2] - 0.5 * [2, 2]
    assert w.data.tolist() == [0.0, -3.0]
    opt.step()                               # v = 0.5 * 2 + 2 = 3; w -= 1.5
    assert w.data.tolist() == [-1.5, -4.5]
    a = Tensor([1.0], requires_grad=True)
    adam = optim.Adam([a], lr=0.1)
    a.grad = np.array([123.0])
    adam.step()                              # Adam's first step is lr * sign(g) (up to eps)
    assert a.data[0] == pytest.approx(0.9, abs=1e-9)


def test_float32_parameters_stay_float32():
    for cls in (optim.SGD, optim.Adam, optim.RMSprop):
        W = Tensor(np.ones((2, 3), np.float32), requires_grad=True)
        opt = cls([W], lr=0.1, weight_decay=0.1)
        W.grad = np.full((2, 3), 0.5, np.float32)
        opt.step()
        assert W.dtype == np.float32 and (W.data < 1).all()


def test_parameters_without_grad_are_skipped_and_zero_grad():
    a, b = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    v = Value(3.0)
    opt = optim.Adam([a, b, v], lr=0.1)
    a.grad, v.grad = np.array([1.0]), 1.0
    opt.step()
    assert b.data[0] == 2.0 and a.data[0] < 1.0 and v.data < 3.0
    opt.zero_grad()
    assert a.grad is None and b.grad is None and v.grad == 0.0


def test_step_bumps_the_version_so_stale_graphs_are_refused():
    W = Tensor(np.ones(3), requires_grad=True)
    y = (W * W).sum()                        # saved W for backward
    W.grad = np.ones(3)
    optim.SGD([W], lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


def test_shared_parameter_is_updated_once():
    W = Tensor([1.0], requires_grad=True)
    opt = optim.SGD([W, W], lr=1.0)
    W.grad = np.array([1.0])
    opt.step()
    assert W.data[0] == 0.0


def test_schedules():
    opt = optim.SGD([Tensor([0.0], requires_grad=True)], lr=1.0)
    sched = optim.StepLR(opt, step_size=2, gamma=0.5)
    seen = []
    for _ in range(5):
        sched.step()
        seen.append(opt.lr)
    assert seen == [1.0, 0.5, 0.5, 0.25, 0.25] and sched.get_last_lr() == 0.25
    opt.lr = 0.1
    exp = optim.ExponentialLR(opt, gamma=0.9)
    exp.step()
    exp.step()
    assert opt.lr == pytest.approx(0.1 * 0.81)


def test_a_training_loop_descends():
    W = Tensor(np.array([3.0, -2.0]), requires_grad=True)
    for cls, lr in ((optim.SGD, 0.1), (optim.Adam, 0.1), (optim.RMSprop, 0.05)):
        with no_grad():
            W.copy_([3.0, -2.0])
        opt = cls([W], lr=lr)
        for _ in range(200):
            opt.zero_grad()
            ((W * W).sum()).backward()
            opt.step()
        assert np.abs(W.data).max() < 0.1, cls.__name__


P = [Tensor([1.0], requires_grad=True)]


@pytest.mark.parametrize("call, match", [
    (lambda: optim.SGD(P, lr=-0.1), "SGD: lr must be a finite number >= 0, got -0.1"),
    (lambda: optim.SGD(P, lr=float("nan")), "lr must be a finite number"),
    (lambda: optim.SGD(P, lr=0.1, momentum=-1), "momentum must be"),
    (lambda: optim.SGD(P, lr=0.1, nesterov=True), "nesterov=True needs momentum > 0"),
    (lambda: optim.SGD(P, lr=0.1, weight_decay=-1e-4), "weight_decay must be"),
    (lambda: optim.Adam(P, betas=(0.9, 1.0)), r"betas\[1\] must be in \[0, 1\)"),
    (lambda: optim.Adam(P, eps=-1), "eps must be"),
    (lambda: optim.RMSprop(P, alpha=1.5), r"alpha must be in \[0, 1\)"),
    (lambda: optim.SGD([], lr=0.1), "empty parameter list"),
    (lambda: optim.SGD(P[0], lr=0.1), "iterable of parameters"),
    (lambda: optim.SGD([np.ones(2)], lr=0.1), "parameter 0 is a ndarray"),
    (lambda: optim.SGD([P[0] * 2], lr=0.1), "must be a float leaf"),
    (lambda: optim.StepLR(optim.SGD(P, lr=1), step_size=0), "step_size must be a positive int"),
    (lambda: optim.ExponentialLR(optim.SGD(P, lr=1), gamma=-0.5), "gamma must be"),
])
def test_bad_arguments(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_setting_a_negative_lr_later_is_refused():
    opt = optim.SGD(P, lr=0.1)
    with pytest.raises(ValueError, match="lr must be"):
        opt.lr = -1
    assert "SGD(1 parameters, lr=0.1" in repr(opt)
