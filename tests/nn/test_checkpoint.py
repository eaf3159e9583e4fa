"""Checkpoints: a run interrupted, saved, rebuilt from scratch (also in a new process) and resumed goes on bit for bit
like one never interrupted, with dropout and shuffling on; extras round-trip exactly; nothing is overwritten unasked;
a checkpoint that does not fit changes nothing."""
import copy
import os
import subprocess
import sys

import numpy as np
import pytest

import autograd as ag
import nn
from nn import F, optim

X, Y = nn.data.spiral(16, classes=3, seed=0)             # 48 examples: 5 batches of 10, the last one short


@pytest.fixture(autouse=True)
def _keep_global_rng():
    state = ag.get_rng_state()
    yield
    ag.set_rng_state(state)


# --- a training run: tensor or scalar MLP with dropout, an optimizer, a scheduler, a shuffling DataLoader ---------
CONFIGS = {
    # everything random draws from the global generator (dropout, shuffling)
    "sgd-global": {"engine": "tensor", "own_rng": False, "opt": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9,
                                                                               nesterov=True, weight_decay=1e-3),
                       "sched": lambda o: optim.StepLR(o, step_size=2, gamma=0.5), "per_batch": False},
    # dropout and loader with generators of their own; OneCycleLR steps per batch and cycles Adam's beta1
    "adam-own": {"engine": "tensor", "own_rng": True, "opt": lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True),
                     "sched": lambda o: optim.OneCycleLR(o, max_lr=0.05, total_steps=40), "per_batch": True},
    "scalar-global": {"engine": "scalar", "own_rng": False, "opt": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.8),
                          "sched": lambda o: optim.ExponentialLR(o, gamma=0.9), "per_batch": False},
    "scalar-own": {"engine": "scalar", "own_rng": True, "opt": lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5),
                       "sched": lambda o: optim.CosineAnnealingLR(o, T_max=5), "per_batch": False},
}


def build(name, seed):
    """Fresh model, optimizer, scheduler and loader; `seed` sets every initial weight and generator."""
    cfg = CONFIGS[name]
    ag.manual_seed(seed)
    if cfg["engine"] == "tensor":
        model = nn.MLP(2, [16, 16, 3], dropout=0.3, rng=seed + 1 if cfg["own_rng"] else None)
        data = nn.data.TensorDataset(X, Y)
    else:                                              # a smaller run: the scalar engine is slow
        model = nn.scalar.MLP(2, [4, 3], dropout=0.3, rng=seed + 1 if cfg["own_rng"] else None)
        data = nn.data.TensorDataset(X[::4], Y[::4])
    opt = cfg["opt"](model.parameters())
    loader = nn.data.DataLoader(data, batch_size=10 if cfg["engine"] == "tensor" else 4, shuffle=True,
                                rng=seed + 2 if cfg["own_rng"] else None)
    return model, opt, cfg["sched"](opt), loader


def train(name, run, epochs, stop_after=None, on_stop=None):
    """Train `epochs` epochs; the losses of every step. stop_after=(epoch, batch): once that batch is done, call
    on_stop() (inside the loop, while the epoch is in progress, as a checkpoint every n steps would) and stop."""
    model, opt, sched, loader = run
    losses = []
    for epoch in range(epochs):
        for batch, (Xb, yb) in enumerate(loader):
            out = model(Xb) if isinstance(model, nn.MLP) else [model(row) for row in Xb.tolist()]
            loss = F.cross_entropy(out, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.data))
            if CONFIGS[name]["per_batch"]:
                sched.step()
            if stop_after == (epoch, batch):
                on_stop()
                return losses
        if not CONFIGS[name]["per_batch"]:
            sched.step()
    return losses


def weights(model):
    return [np.array(v) for v in model.state_dict().values()]


def same(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def save(path, name, run, **extra):
    model, opt, sched, loader = run
    nn.save_checkpoint(path, model=model, optimizer=opt, scheduler=sched, loader=loader, **extra)


def resume(path, name, seed=1234):
    """Everything built afresh from another seed, then loaded from the checkpoint."""
    run = build(name, seed)
    extra = nn.load_checkpoint(path, *run)
    return run, extra


EPOCHS, K = 4, 2


@pytest.mark.parametrize("name", CONFIGS)
def test_an_interrupted_run_resumes_bit_for_bit(tmp_path, name):
    straight = build(name, 0)
    want = train(name, straight, EPOCHS)
    interrupted = build(name, 0)
    first = train(name, interrupted, K)
    save(tmp_path / "ckpt.npz", name, interrupted, epoch=K)
    del interrupted
    run, extra = resume(tmp_path / "ckpt.npz", name)
    assert extra == {"epoch": K}
    rest = train(name, run, EPOCHS - K)
    assert np.array_equal(first + rest, want)                       # every step's loss, bit for bit
    assert same(weights(run[0]), weights(straight[0]))
    assert run[1].state_dict()["param_groups"] == straight[1].state_dict()["param_groups"]
    assert run[2].state_dict() == straight[2].state_dict()
    assert run[3].state_dict()["rng"] == straight[3].state_dict()["rng"]       # None for the global generator
    if run[0].dropout.rng is not None:
        assert run[0].dropout.rng.bit_generator.state == straight[0].dropout.rng.bit_generator.state


@pytest.mark.parametrize("name", ["sgd-global", "adam-own"])
def test_without_the_checkpoint_the_resumed_run_differs(tmp_path, name):
    """The comparison above can fail: resuming the weights and optimizer alone, with generators not restored,
    gives other losses (dropout masks and shuffles differ)."""
    straight = build(name, 0)
    want = train(name, straight, EPOCHS)
    interrupted = build(name, 0)
    first = train(name, interrupted, K)
    save(tmp_path / "ckpt.npz", name, interrupted)
    model, opt, sched, loader = build(name, 1234)
    nn.load_checkpoint(tmp_path / "ckpt.npz", model, opt, sched, strict=False)     # the loader's state left out
    ag.manual_seed(1234)                                                          # the global state lost
    rest = train(name, (model, opt, sched, loader), EPOCHS - K)
    assert len(first + rest) == len(want) and not np.array_equal(first + rest, want)


@pytest.mark.parametrize("name", ["sgd-global", "adam-own", "scalar-own"])
def test_a_run_saved_mid_epoch_resumes_bit_for_bit(tmp_path, name):
    straight = build(name, 0)
    want = train(name, straight, EPOCHS)
    interrupted = build(name, 0)
    first = train(name, interrupted, EPOCHS, stop_after=(1, 2),       # inside epoch 1, after its batch 2
                  on_stop=lambda: save(tmp_path / "ckpt.npz", name, interrupted, epoch=1, batch=2))
    run, extra = resume(tmp_path / "ckpt.npz", name)
    assert extra == {"epoch": 1, "batch": 2}
    rest = train(name, run, EPOCHS - 1)                              # the first pass finishes epoch 1
    assert np.array_equal(first + rest, want)
    assert same(weights(run[0]), weights(straight[0]))


CHILD = """
import sys, numpy as np
sys.path.insert(0, {tests!r})
import test_checkpoint as t
run, extra = t.resume({ckpt!r}, {name!r}, seed=777)
losses = t.train({name!r}, run, t.EPOCHS - extra["epoch"])
np.savez({out!r}, losses=np.array(losses), *t.weights(run[0]))
"""


@pytest.mark.parametrize("name", ["adam-own", "scalar-global"])
def test_a_run_resumed_in_a_new_process_goes_on_bit_for_bit(tmp_path, name):
    straight = build(name, 0)
    want = train(name, straight, EPOCHS)
    interrupted = build(name, 0)
    first = train(name, interrupted, K)
    save(tmp_path / "ckpt.npz", name, interrupted, epoch=K)
    root = os.path.dirname(os.path.dirname(os.path.abspath(nn.__file__)))
    script = CHILD.format(tests=os.path.dirname(os.path.abspath(__file__)), ckpt=str(tmp_path / "ckpt.npz"),
                          name=name, out=str(tmp_path / "out.npz"))
    env = {**os.environ, "PYTHONPATH": root}
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    with np.load(tmp_path / "out.npz") as out:
        assert np.array_equal(first + list(out["losses"]), want)
        assert same([out[f"arr_{i}"] for i in range(len(out.files) - 1)], weights(straight[0]))


# --- what a checkpoint holds ------------------------------------------------------------------------------------
def test_the_weights_are_an_nn_save_file_and_strict_false_loads_part(tmp_path):
    run = build("adam-own", 0)
    train("adam-own", run, 1)
    save(tmp_path / "c.npz", "adam-own", run)
    twin = nn.MLP(2, [16, 16, 3], rng=5)
    nn.load(tmp_path / "c.npz", twin, strict=False)                  # the weights, by name
    assert same(weights(twin), weights(run[0]))
    with pytest.raises(ValueError, match="holds a Adam's state; pass optimizer= to restore it, or strict=False"):
        nn.load_checkpoint(tmp_path / "c.npz", nn.MLP(2, [16, 16, 3], dropout=0.3, rng=1))
    fresh = nn.MLP(2, [16, 16, 3], dropout=0.3, rng=1)
    assert nn.load_checkpoint(tmp_path / "c.npz", fresh, strict=False) == {}
    assert same(weights(fresh), weights(run[0]))
    assert fresh.dropout.rng.bit_generator.state == run[0].dropout.rng.bit_generator.state


# --- a checkpoint that does not fit changes nothing ------------------------------------------------------------
def _snapshot(run):
    model, opt, sched, loader = run
    return (weights(model), copy.deepcopy(opt.state_dict()), sched.state_dict(), loader.state_dict(),
            ag.get_rng_state(), model.dropout.rng.bit_generator.state if model.dropout.rng else None)


def _unchanged(before, after):
    w0, o0, s0, l0, r0, d0 = before
    w1, o1, s1, l1, r1, d1 = after
    same_opt = o0["param_groups"] == o1["param_groups"] and o0["state"].keys() == o1["state"].keys() and all(
        same(list(o0["state"][k].values()), list(o1["state"][k].values())) for k in o0["state"])
    return same(w0, w1) and same_opt and s0 == s1 and str(l0) == str(l1) and r0 == r1 and d0 == d1


MISFITS = {   # (what to build instead, the error)
    "wider model": (lambda: _swap(model=nn.MLP(2, [17, 16, 3], dropout=0.3, rng=1)),
                    r"'layers.0.W' has shape \(2, 16\) in the file but the parameter has shape \(2, 17\)"),
    "other optimizer": (lambda: _swap(opt=lambda ps: optim.SGD(ps, lr=0.1)),
                        r"holds a Adam's state but optimizer is a SGD"),
    "optimizer over part": (lambda: _swap(opt=lambda ps: optim.Adam(ps[:2], lr=0.01)),
                            r"belongs to no parameter of this Adam \(2 parameters in 1 param groups\)"),
    "other scheduler": (lambda: _swap(sched=lambda o: optim.StepLR(o, 2)),
                        r"holds a OneCycleLR's state but scheduler is a StepLR"),
    "scheduler args": (lambda: _swap(sched=lambda o: optim.OneCycleLR(o, max_lr=0.05, total_steps=40,
                                                                       three_phase=True)), None),
    "loader batch size": (lambda: _swap(loader={"batch_size": 7}),
                          r"the saved loader has batch_size=10 but this one has 7"),
    "loader on the global generator": (lambda: _swap(loader={"rng": None}),
                                       r"has a generator of its own but this one draws from the global"),
    "dropout on the global generator": (lambda: _swap(model=nn.MLP(2, [16, 16, 3], dropout=0.3)),
                                        r"generators of modules \['dropout'\] but this MLP has its own in \[\]"),
}


def _swap(model=None, opt=None, sched=None, loader=None):
    """The adam-own run's objects built afresh, one of them replaced by something that does not fit."""
    m, o, s, d = build("adam-own", 99)
    m = model or m
    o = opt(m.parameters()) if opt else optim.Adam(m.parameters(), lr=0.01, amsgrad=True)
    s = sched(o) if sched else optim.OneCycleLR(o, max_lr=0.05, total_steps=40)
    if loader is not None:
        d = nn.data.DataLoader(d.dataset, **{"batch_size": 10, "shuffle": True, "rng": 3, **loader})
    return m, o, s, d


@pytest.mark.parametrize("make, error", MISFITS.values(), ids=MISFITS.keys())
def test_a_checkpoint_that_does_not_fit_changes_nothing(tmp_path, make, error):
    run = build("adam-own", 0)
    train("adam-own", run, 1)
    save(tmp_path / "c.npz", "adam-own", run)
    target = make()
    train("adam-own", target, 1)                                     # state of its own, to see it kept
    ag.manual_seed(5)
    before = _snapshot(target)
    if error is None:                                                # same classes, other arguments: loads
        nn.load_checkpoint(tmp_path / "c.npz", *target)
        assert target[2].three_phase is False
        return
    with pytest.raises((ValueError, KeyError), match=error) as e:
        nn.load_checkpoint(tmp_path / "c.npz", *target)
    assert str(tmp_path / "c.npz") in str(e.value)
    assert _unchanged(before, _snapshot(target))


def test_a_refusal_after_the_optimizer_loaded_puts_its_state_back(tmp_path, monkeypatch):
    run = build("adam-own", 0)
    train("adam-own", run, 1)
    save(tmp_path / "c.npz", "adam-own", run)
    target = build("adam-own", 99)
    train("adam-own", target, 1)
    before = _snapshot(target)
    real = type(target[2]).load_state_dict
    calls = []

    def refuse(self, sd):                           # the scheduler refuses after the optimizer has loaded
        calls.append(sd)
        if len(calls) == 1:
            raise ValueError("refused for the test")
        return real(self, sd)
    monkeypatch.setattr(type(target[2]), "load_state_dict", refuse)
    with pytest.raises(ValueError, match="refused for the test"):
        nn.load_checkpoint(tmp_path / "c.npz", *target)
    assert _unchanged(before, _snapshot(target))
