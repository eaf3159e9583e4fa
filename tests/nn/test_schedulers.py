"""Learning-rate schedulers: rates against hand-derived values, against torch.optim.lr_scheduler step by step
(two param groups, float64) when torch is installed, exact resume from state_dict, conflicts and bad arguments."""
import json
import math

import numpy as np
import pytest

from autograd import Tensor
from nn import optim
from nn.optim import lr_scheduler


def _params():
    return [Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)]


def _sgd(lrs=(0.1, 0.5), **kw):
    a, b = _params()
    return optim.SGD([{"params": [a], "lr": lrs[0]}, {"params": [b], "lr": lrs[1]}], lr=lrs[0], **kw)


def _rates(sched, steps, metrics=None):
    out = [sched.get_last_lr()]
    for k in range(steps):
        sched.step(*([metrics[k]] if metrics is not None else []))
        out.append(sched.get_last_lr())
    return out


# --- hand-derived rates -------------------------------------------------------------------------------
def test_step_and_exponential_by_hand():
    opt = optim.SGD(_params(), lr=1.0)
    assert _rates(optim.StepLR(opt, step_size=2, gamma=0.5), 5) == [[1.0], [1.0], [0.5], [0.5], [0.25], [0.25]]
    assert opt.lr == 0.25
    opt = optim.SGD(_params(), lr=0.1)
    assert _rates(optim.ExponentialLR(opt, gamma=0.5), 2) == [[0.1], [0.05], [0.025]]


def test_cosine_ends_at_eta_min_and_comes_back():
    opt = optim.SGD(_params(), lr=1.0)
    rates = [r[0] for r in _rates(optim.CosineAnnealingLR(opt, T_max=4, eta_min=0.2), 8)]
    assert rates[0] == 1.0 and rates[2] == pytest.approx(0.6) and rates[4] == pytest.approx(0.2)
    assert rates[8] == pytest.approx(1.0)          # a full period later, as PyTorch's recursive form


def test_lambda_per_group():
    opt = _sgd()
    sched = optim.LambdaLR(opt, [lambda e: 0.5 ** e, lambda e: 1 + e])
    assert _rates(sched, 2) == [[0.1, 0.5], [0.05, 1.0], [0.025, 1.5]]


def test_one_cycle_landmarks():
    opt = optim.SGD(_params(), lr=0.1, momentum=0.9)
    sched = optim.OneCycleLR(opt, max_lr=1.0, total_steps=10, pct_start=0.3, div_factor=10, final_div_factor=100)
    lrs, moms = [opt.lr], [opt.momentum]
    for _ in range(9):
        sched.step()
        lrs.append(opt.lr)
        moms.append(opt.momentum)
    assert lrs[0] == pytest.approx(0.1) and lrs[2] == pytest.approx(1.0) and lrs[9] == pytest.approx(1e-3)
    assert moms[0] == pytest.approx(0.95) and moms[2] == pytest.approx(0.85) and moms[9] == pytest.approx(0.95)
    assert all(a < b for a, b in zip(lrs[:2], lrs[1:3])) and all(a > b for a, b in zip(lrs[2:9], lrs[3:]))
    sched.step()                                    # total_steps calls after building are allowed, as PyTorch
    with pytest.raises(ValueError, match="step\\(\\) called 11 times but total_steps is 10"):
        sched.step()


def test_plateau_by_hand():
    opt = optim.SGD(_params(), lr=1.0)
    sched = optim.ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1, min_lr=0.2)
    # epoch 1 is the best so far; then bad epochs 1, 2, 3 -> halve (epoch 4); the next bad epoch falls in the
    # cooldown and does not count; 1, 2, 3 again -> halve (epoch 8); and again at epoch 12, to the floor 0.2
    rates = [r[0] for r in _rates(sched, 12, [1.0] * 12)]
    assert rates == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.2]
    opt.lr = 0.3                                    # plateau scales the current rate: edits are fine
    sched.step(0.5)                                 # an improvement
    assert opt.lr == 0.3


# --- against torch ------------------------------------------------------------------------------------
CASES = {
    "step": (lambda o: o.StepLR, {"step_size": 3, "gamma": 0.5}, 12),
    "exponential": (lambda o: o.ExponentialLR, {"gamma": 0.9}, 12),
    "cosine past T_max": (lambda o: o.CosineAnnealingLR, {"T_max": 7, "eta_min": 0.01}, 30),
    "lambda": (lambda o: o.LambdaLR, {"lr_lambda": lambda e: 1 / (1 + e) ** 0.5}, 10),
    "one cycle cos": (lambda o: o.OneCycleLR, {"max_lr": [1.0, 2.0], "total_steps": 25}, 25),
    "one cycle linear three phase": (lambda o: o.OneCycleLR, {"max_lr": 1.0, "epochs": 4, "steps_per_epoch": 6,
                                                              "anneal_strategy": "linear", "three_phase": True,
                                                              "pct_start": 0.25}, 24),
    "one cycle no momentum": (lambda o: o.OneCycleLR, {"max_lr": 0.3, "total_steps": 9, "cycle_momentum": False,
                                                       "div_factor": 3.0, "final_div_factor": 50.0}, 9),
}


def _torch_pair(torch, opt_name="SGD", **kw):
    ps = [torch.nn.Parameter(torch.ones(1, dtype=torch.float64)) for _ in range(2)]
    return getattr(torch.optim, opt_name)([{"params": [ps[0]], "lr": 0.1}, {"params": [ps[1]], "lr": 0.5}], **kw)


@pytest.mark.parametrize("opt_name, opt_kw", [("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adam", {"lr": 0.1})])
@pytest.mark.parametrize("pick, kw, steps", CASES.values(), ids=list(CASES))
def test_rates_match_torch(pick, kw, steps, opt_name, opt_kw):
    torch = pytest.importorskip("torch")
    theirs_opt = _torch_pair(torch, opt_name, **opt_kw)
    a, b = _params()
    ours_opt = getattr(optim, opt_name)([{"params": [a], "lr": 0.1}, {"params": [b], "lr": 0.5}], **opt_kw)
    ours, theirs = pick(lr_scheduler)(ours_opt, **kw), pick(torch.optim.lr_scheduler)(theirs_opt, **kw)
    key = "betas" if opt_name == "Adam" else "momentum"
    for k in range(steps + 1):
        if k == steps and isinstance(ours, optim.OneCycleLR):
            # at total_steps torch extrapolates past the last phase (its linear anneal goes negative); the rate
            # here stays at the last phase's end
            ends = [m / kw.get("div_factor", 25.0) / kw.get("final_div_factor", 1e4) for m in ours.max_lr]
            assert ours.get_last_lr() == pytest.approx(ends, rel=1e-12)
            break
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12, err_msg=f"step {k}")
        for g, h in zip(ours_opt.param_groups, theirs_opt.param_groups):
            np.testing.assert_allclose(g[key], h[key], rtol=1e-12, err_msg=f"{key} at step {k}")
        if k < steps:
            theirs_opt.step()
            ours.step()
            theirs.step()


PLATEAUS = {
    "min rel": {"patience": 1},
    "max abs cooldown": {"mode": "max", "threshold_mode": "abs", "threshold": 0.05, "cooldown": 2, "patience": 0},
    "min_lr per group": {"factor": 0.5, "patience": 0, "min_lr": [0.02, 0.3]},
    "eps skips tiny cuts": {"factor": 0.5, "patience": 0, "eps": 0.03},
}


@pytest.mark.parametrize("kw", PLATEAUS.values(), ids=list(PLATEAUS))
def test_plateau_matches_torch(kw):
    torch = pytest.importorskip("torch")
    metrics = [1.0, 0.9, 0.95, 0.9, 0.91, 0.2, 0.2, 0.25, 0.3, float("nan"), 0.1, 0.1, 0.3, 0.35, 0.2, 0.1]
    theirs_opt = _torch_pair(torch)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs_opt, **kw)
    ours = optim.ReduceLROnPlateau(_sgd(), **kw)
    for m in metrics:
        ours.step(m)
        theirs.step(m)
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)
        assert (ours.num_bad_epochs, ours.cooldown_counter) == (theirs.num_bad_epochs, theirs.cooldown_counter)


# --- state_dict ---------------------------------------------------------------------------------------
RESUMABLE = {
    "step": lambda o: optim.StepLR(o, 2, 0.5),
    "cosine": lambda o: optim.CosineAnnealingLR(o, 5, 0.01),
    "lambda": lambda o: optim.LambdaLR(o, lambda e: 0.9 ** e),
    "one cycle": lambda o: optim.OneCycleLR(o, [0.5, 1.0], total_steps=12, three_phase=True),
    "plateau": lambda o: optim.ReduceLROnPlateau(o, patience=0, factor=0.5, cooldown=1),
}


def _advance(sched, k):
    sched.step(*([1.0 / (1 + k % 3)] if isinstance(sched, optim.ReduceLROnPlateau) else []))


@pytest.mark.parametrize("make", RESUMABLE.values(), ids=list(RESUMABLE))
def test_resume_gives_the_same_rates(make):
    whole_opt = _sgd(momentum=0.9)
    whole = make(whole_opt)
    rates = []
    for k in range(10):
        _advance(whole, k)
        rates.append((whole.get_last_lr(), [g["momentum"] for g in whole_opt.param_groups]))
    first_opt = _sgd(momentum=0.9)
    first = make(first_opt)
    for k in range(4):
        _advance(first, k)
    saved = json.loads(json.dumps({"opt": first_opt.state_dict(), "sched": first.state_dict()}))
    opt = _sgd(lrs=(0.7, 0.7), momentum=0.2)                  # other rates: the state must restore them
    sched = make(opt)
    opt.load_state_dict(saved["opt"])
    sched.load_state_dict(saved["sched"])
    for k in range(4, 10):
        _advance(sched, k)
        assert (sched.get_last_lr(), [g["momentum"] for g in opt.param_groups]) == rates[k]


def test_loading_checks_before_changing():
    sched = optim.StepLR(_sgd(), 2)
    sd = sched.state_dict()
    assert sd == {"last_epoch": 0, "base_lrs": [0.1, 0.5], "last_lr": [0.1, 0.5], "step_size": 2, "gamma": 0.1}
    for bad, match in [({**sd, "gamma": -1}, "gamma must be"), ({**sd, "base_lrs": [0.1]}, "has 1 entries"),
                       ({**sd, "extra": 1}, "expected a dict with keys"), ({**sd, "last_epoch": 1.5}, "last_epoch")]:
        with pytest.raises(ValueError, match=match):
            sched.load_state_dict(bad)
        assert sched.state_dict() == sd


# --- conflicts and bad arguments ----------------------------------------------------------------------
def test_a_closed_form_refuses_to_undo_another_change():
    opt = optim.SGD(_params(), lr=1.0)
    a, b = optim.StepLR(opt, 1, 0.5), optim.ExponentialLR(opt, 0.9)
    a.step()
    with pytest.raises(RuntimeError, match="param group 0's lr is 0.5 but this scheduler set 1.0 last"):
        b.step()
    opt.lr = 0.01
    with pytest.raises(RuntimeError, match="combine schedules in one LambdaLR"):
        a.step()
    opt.add_param_group({"params": [Tensor([0.0], requires_grad=True)]})
    opt.lr = 0.5
    with pytest.raises(ValueError, match="has 2 param groups but this scheduler was built for 1"):
        a.step()


@pytest.mark.parametrize("call, match", [
    (lambda: optim.StepLR(optim.SGD(_params(), lr=1), step_size=0), "step_size must be a positive int"),
    (lambda: optim.ExponentialLR(optim.SGD(_params(), lr=1), gamma=-0.5), "gamma must be"),
    (lambda: optim.StepLR(object(), 1), "expected an optimizer from nn.optim"),
    (lambda: optim.LambdaLR(object(), lambda e: 1.0), "LambdaLR: expected an optimizer from nn.optim, got object"),
    (lambda: optim.CosineAnnealingLR(optim.SGD(_params(), lr=1), T_max=2.5), "T_max must be a positive int"),
    (lambda: optim.LambdaLR(_sgd(), [lambda e: 1.0]), "a list of 2"),
    (lambda: optim.LambdaLR(optim.SGD(_params(), lr=1), lambda e: -1.0), "the learning rate must be a finite"),
    (lambda: optim.LambdaLR(optim.SGD(_params(), lr=1), lambda e: math.nan), r"lr_lambda\(0\).*returned nan"),
    (lambda: optim.OneCycleLR(optim.SGD(_params(), lr=1), 1.0), "give total_steps, or epochs and steps_per_epoch"),
    (lambda: optim.OneCycleLR(optim.SGD(_params(), lr=1), [1.0, 2.0], total_steps=5), "has 2 entries but"),
    (lambda: optim.OneCycleLR(optim.SGD(_params(), lr=1), 1.0, 5, pct_start=1.5), r"pct_start must be .* \[0, 1\]"),
    (lambda: optim.OneCycleLR(optim.SGD(_params(), lr=1), 1.0, 5, anneal_strategy="exp"), "'cos' or 'linear'"),
    (lambda: optim.OneCycleLR(optim.SGD(_params(), lr=1), 1.0, 5, div_factor=0), "div_factor must be > 0"),
    (lambda: optim.OneCycleLR(optim.Adam(_params()), 1.0, 5, max_momentum=1.0), r"max_momentum must be in \[0, 1\)"),
    (lambda: optim.ReduceLROnPlateau(optim.SGD(_params(), lr=1), factor=1.0), "factor must be < 1"),
    (lambda: optim.ReduceLROnPlateau(optim.SGD(_params(), lr=1), mode="avg"), "mode must be 'min' or 'max'"),
    (lambda: optim.ReduceLROnPlateau(optim.SGD(_params(), lr=1)).step("low"), "metrics must be one number"),
])
def test_bad_arguments(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
