"""Optimizers against update rules written out independently in numpy (and against torch.optim in float64 when
torch is installed), on Tensors and on Values; parameter groups; in-place and version semantics; argument checks.
The state_dict round trips are in test_optim_state.py, the schedulers in test_schedulers.py."""
import numpy as np
import pytest

import nn
from autograd import Tensor, Value, no_grad
from nn import optim

RNG = np.random.default_rng(1)
X0 = RNG.standard_normal((3, 4))
GRADS = [RNG.standard_normal((3, 4)) for _ in range(4)]     # the gradient fed at each of 4 steps


def _reference(rule, **h):
    """The parameter after each step, from the textbook (PyTorch) formulas, one plain numpy line each."""
    x, out, mem = X0.copy(), [], {}
    wd = h.get("weight_decay", 1e-2 if rule == "adamw" else 0)
    for k, g in enumerate(GRADS, start=1):
        g = g + wd * x if rule != "adamw" else g
        if rule == "sgd":
            mu, damp = h.get("momentum", 0), h.get("dampening", 0)
            if mu:
                mem["v"] = g if k == 1 else mu * mem["v"] + (1 - damp) * g
                g = g + mu * mem["v"] if h.get("nesterov") else mem["v"]
            x = x - h["lr"] * g
        elif rule in ("adam", "adamw"):
            b1, b2 = h.get("betas", (0.9, 0.999))
            lr = h.get("lr", 1e-3)
            mem["m"] = b1 * mem.get("m", 0) + (1 - b1) * g
            mem["v"] = b2 * mem.get("v", 0) + (1 - b2) * g * g
            mem["vmax"] = np.maximum(mem.get("vmax", 0), mem["v"]) if h.get("amsgrad") else mem["v"]
            m_hat, v_hat = mem["m"] / (1 - b1 ** k), mem["vmax"] / (1 - b2 ** k)
            x = x * (1 - lr * wd if rule == "adamw" else 1) - lr * m_hat / (np.sqrt(v_hat) + h.get("eps", 1e-8))
        else:
            a, mu = h.get("alpha", 0.99), h.get("momentum", 0)
            mem["s"] = a * mem.get("s", 0) + (1 - a) * g * g
            mem["g"] = a * mem.get("g", 0) + (1 - a) * g
            avg = np.sqrt(mem["s"] - mem["g"] ** 2 if h.get("centered") else mem["s"]) + h.get("eps", 1e-8)
            mem["b"] = mu * mem.get("b", 0) + g / avg
            x = x - h.get("lr", 1e-2) * (mem["b"] if mu else g / avg)
        out.append(x)
    return out


RULES = [
    ("sgd", optim.SGD, {"lr": 0.1}),
    ("sgd", optim.SGD, {"lr": 0.1, "weight_decay": 0.3}),
    ("sgd", optim.SGD, {"lr": 0.1, "momentum": 0.9}),
    ("sgd", optim.SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}),
    ("sgd", optim.SGD, {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.1}),
    ("adam", optim.Adam, {}),
    ("adam", optim.Adam, {"lr": 0.01, "betas": (0.8, 0.9), "eps": 1e-3, "weight_decay": 0.2}),
    ("adam", optim.Adam, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
    ("adamw", optim.AdamW, {}),
    ("adamw", optim.AdamW, {"lr": 0.05, "betas": (0.5, 0.7), "weight_decay": 0.3, "amsgrad": True}),
    ("rmsprop", optim.RMSprop, {}),
    ("rmsprop", optim.RMSprop, {"lr": 0.001, "alpha": 0.5, "eps": 1e-4, "weight_decay": 0.05}),
    ("rmsprop", optim.RMSprop, {"lr": 0.01, "momentum": 0.9, "centered": True, "weight_decay": 0.1}),
    ("rmsprop", optim.RMSprop, {"lr": 0.01, "momentum": 0.5}),
]
IDS = [f"{cls.__name__}-{'-'.join(f'{k}={v}' for k, v in h.items())}" for _, cls, h in RULES]


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


@pytest.mark.parametrize("rule, cls, hyper", RULES, ids=IDS)
def test_updates_and_buffers_match_torch(rule, cls, hyper):
    torch = pytest.importorskip("torch")
    W, Wt = Tensor(X0, requires_grad=True), torch.tensor(X0, requires_grad=True)
    opt, ref = cls([W], **hyper), getattr(torch.optim, cls.__name__)([Wt], **hyper)
    for g in GRADS:
        W.grad, Wt.grad = g.copy(), torch.tensor(g)
        opt.step()
        ref.step()
        np.testing.assert_allclose(W.data, Wt.detach().numpy(), rtol=1e-12, atol=1e-15)
    ours, theirs = opt.state_dict()["state"].get(0, {}), ref.state_dict()["state"].get(0, {})
    assert sorted(ours) == sorted(theirs)                  # the same buffer names as torch
    for key, value in theirs.items():
        np.testing.assert_allclose(ours[key], value.numpy(), rtol=1e-12, atol=1e-15, err_msg=key)


def test_param_groups_match_torch_per_group():
    torch = pytest.importorskip("torch")
    A, B = Tensor(X0, requires_grad=True), Tensor(X0[0], requires_grad=True)
    At, Bt = torch.tensor(X0, requires_grad=True), torch.tensor(X0[0], requires_grad=True)
    spec = lambda a, b: [{"params": [a], "lr": 0.1, "betas": (0.5, 0.6)}, {"params": b, "weight_decay": 0.0}]
    opt = optim.AdamW(spec(A, B), lr=0.01, weight_decay=0.2)
    ref = torch.optim.AdamW(spec(At, Bt), lr=0.01, weight_decay=0.2)
    for g in GRADS:
        A.grad, B.grad, At.grad, Bt.grad = g, g[1], torch.tensor(g), torch.tensor(g[1])
        opt.step()
        ref.step()
    np.testing.assert_allclose(A.data, At.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(B.data, Bt.detach().numpy(), rtol=1e-12)
    for ours, theirs in zip(opt.param_groups, ref.param_groups):
        assert all(ours[k] == theirs[k] for k in ours if k != "params")


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
    b = Tensor([2.0], requires_grad=True)
    adamw = optim.AdamW([b], lr=0.1, weight_decay=0.5)
    b.grad = np.array([0.0])
    adamw.step()                             # no gradient: only the decoupled decay, b (1 - 0.1 * 0.5)
    assert b.data[0] == pytest.approx(1.9, abs=1e-12)


# --- parameter groups ------------------------------------------------------------------------------------
def _two_layer():
    return nn.MLP(3, [4, 2], rng=0)


def test_groups_take_defaults_and_own_values():
    model = _two_layer()
    first, second = model.layers[0].parameters(), model.layers[1].parameters()
    opt = optim.SGD([{"params": first, "lr": 0.1}, {"params": second, "weight_decay": 0}], lr=0.01, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.01]
    assert [g["momentum"] for g in opt.param_groups] == [0.9, 0.9]
    assert all(a is b for a, b in zip(opt.param_groups[0]["params"], first))
    before = [p.data.copy() for p in first + second]
    for p in first + second:
        p.grad = np.ones(p.shape)
    opt.step()                               # first step of momentum: v = g, so x -= lr * 1
    steps = [b - p.data for b, p in zip(before, first + second)]
    np.testing.assert_allclose(steps[0], 0.1)
    np.testing.assert_allclose(steps[-1], 0.01)


def test_editing_a_group_changes_the_next_step_and_is_checked():
    W = Tensor([1.0], requires_grad=True)
    opt = optim.SGD([W], lr=0.1)
    for g in opt.param_groups:
        g["lr"] = 0.5
    W.grad = np.array([1.0])
    opt.step()
    assert W.data[0] == 0.5 and opt.lr == 0.5
    opt.param_groups[0]["lr"] = -1.0
    with pytest.raises(ValueError, match=r"SGD: param group 0: lr must be a finite number >= 0, got -1.0"):
        opt.step()
    assert W.data[0] == 0.5                  # refused before any update
    opt.param_groups[0].update(lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="nesterov=True needs momentum > 0"):
        opt.step()
    opt.param_groups[0]["nesterov"] = False
    V = Tensor([1.0], requires_grad=True)
    opt.add_param_group({"params": [V]})
    opt.param_groups[1]["momentum"] = float("inf")
    with pytest.raises(ValueError, match="param group 1: momentum must be a finite number"):
        opt.step()
    assert W.data[0] == 0.5                  # group 0 did not move either: all groups are checked first


def test_add_param_group():
    a, b = Tensor([1.0], requires_grad=True), Tensor([1.0], requires_grad=True)
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": b, "lr": 0.5})
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5] and opt.param_groups[1]["betas"] == (0.9, 0.999)
    with pytest.raises(ValueError, match="parameter 0 is already in param group 0"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(ValueError, match=r"unknown hyperparameter\(s\) \['momentum'\]"):
        opt.add_param_group({"params": [Tensor([1.0], requires_grad=True)], "momentum": 0.9})
    assert len(opt.param_groups) == 2


def test_lr_attribute_with_several_groups():
    a, b = Tensor([1.0], requires_grad=True), Tensor([1.0], requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1, momentum=0.9)
    assert opt.lr == 0.1 and opt.momentum == 0.9   # shared by every group
    opt.param_groups[1]["lr"] = 0.2
    with pytest.raises(ValueError, match=r"different lrs \[0.1, 0.2\]; read each one as optimizer.param_groups"):
        _ = opt.lr
    opt.lr = 0.3                                   # setting it sets every group's
    assert [g["lr"] for g in opt.param_groups] == [0.3, 0.3]
    assert "2 param groups" in repr(opt)


def test_step_with_closure_returns_its_loss():
    W = Tensor([3.0], requires_grad=True)
    opt = optim.SGD([W], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (W * W).sum()
        loss.backward()
        return loss
    loss = opt.step(closure)
    assert loss.item() == 9.0 and W.data[0] == 1.5     # grad 6, step 0.25 * 6


# --- semantics kept from before groups -------------------------------------------------------------------
def test_float32_parameters_stay_float32():
    for cls in (optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop):
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


def test_a_training_loop_descends():
    W = Tensor(np.array([3.0, -2.0]), requires_grad=True)
    for cls, lr in ((optim.SGD, 0.1), (optim.Adam, 0.1), (optim.AdamW, 0.1), (optim.RMSprop, 0.05)):
        with no_grad():
            W.copy_([3.0, -2.0])
        opt = cls([W], lr=lr)
        for _ in range(200):
            opt.zero_grad()
            ((W * W).sum()).backward()
            opt.step()
        assert np.abs(W.data).max() < 0.1, cls.__name__


def test_fit_refuses_an_optimizer_of_another_model():
    model, other = _two_layer(), _two_layer()
    with pytest.raises(ValueError, match="holds none of this model's parameters"):
        nn.fit(model, np.zeros((4, 3)), np.zeros(4, int), optimizer=optim.SGD(other.parameters(), lr=0.1),
               epochs=1, progress=False)


P = [Tensor([1.0], requires_grad=True)]


@pytest.mark.parametrize("call, match", [
    (lambda: optim.SGD(P, lr=-0.1), "SGD: lr must be a finite number >= 0, got -0.1"),
    (lambda: optim.SGD(P, lr=float("nan")), "lr must be a finite number"),
    (lambda: optim.SGD(P, lr=0.1, momentum=-1), "momentum must be"),
    (lambda: optim.SGD(P, lr=0.1, nesterov=True), "nesterov=True needs momentum > 0"),
    (lambda: optim.SGD(P, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "and dampening = 0"),
    (lambda: optim.SGD(P, lr=0.1, nesterov=1), "nesterov must be True or False, got 1"),
    (lambda: optim.SGD(P, lr=0.1, weight_decay=-1e-4), "weight_decay must be"),
    (lambda: optim.Adam(P, betas=(0.9, 1.0)), r"betas\[1\] must be in \[0, 1\)"),
    (lambda: optim.Adam(P, betas=0.9), r"betas must be a pair"),
    (lambda: optim.Adam(P, eps=-1), "eps must be"),
    (lambda: optim.AdamW(P, amsgrad="yes"), "amsgrad must be True or False"),
    (lambda: optim.RMSprop(P, alpha=1.5), r"alpha must be in \[0, 1\)"),
    (lambda: optim.SGD([], lr=0.1), "empty parameter list"),
    (lambda: optim.SGD(P[0], lr=0.1), "iterable of parameters"),
    (lambda: optim.SGD({"params": P}, lr=0.1), "params is a dict; pass a list of param groups"),
    (lambda: optim.SGD([{"params": P}, P[0]], lr=0.1), "mixes param group dicts and parameters"),
    (lambda: optim.SGD([{"lr": 0.1}], lr=0.1), "must be a dict with a 'params' entry"),
    (lambda: optim.SGD([{"params": P, "lr": 0.1, "weight_decy": 0.1}], lr=0.1), r"unknown hyperparameter.*decy"),
    (lambda: optim.SGD([np.ones(2)], lr=0.1), "parameter 0 is a ndarray"),
    (lambda: optim.SGD([P[0] * 2], lr=0.1), "must be a float leaf"),
])
def test_bad_arguments(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_setting_a_negative_lr_later_is_refused():
    opt = optim.SGD(P, lr=0.1)
    with pytest.raises(ValueError, match="lr must be"):
        opt.lr = -1
    assert opt.lr == 0.1 and "SGD(1 parameters, lr=0.1" in repr(opt)
