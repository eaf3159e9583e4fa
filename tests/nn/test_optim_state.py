"""Optimizer state_dict / load_state_dict: PyTorch's layout, an exact resume on Tensor and Value models (also
through JSON + .npz, no pickle), and loads that refuse before changing anything."""
import io
import json

import numpy as np
import pytest

import nn
from autograd import Tensor, Value
from nn import F, optim

RNG = np.random.default_rng(3)
XS = [RNG.standard_normal((5, 3)) for _ in range(8)]       # one batch per step
YS = [RNG.standard_normal((5, 2)) for _ in range(8)]

CONFIGS = {
    "sgd momentum": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.01),
    "sgd nesterov": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.8, nesterov=True),
    "adam amsgrad": lambda ps: optim.Adam(ps, lr=0.02, amsgrad=True, weight_decay=0.1),
    "adamw": lambda ps: optim.AdamW(ps, lr=0.02, betas=(0.8, 0.95)),
    "rmsprop centered momentum": lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
}


def _model(engine, seed=0):
    mlp = nn.MLP(3, [4, 2], activation="tanh", rng=seed)
    return mlp if engine == "tensor" else nn.scalar.MLP.from_tensor(mlp)


def _groups(model):
    """Two groups: the first layer at its own lr, the rest at the optimizer's defaults."""
    first = model.layers[0].parameters()
    rest = [p for p in model.parameters() if all(p is not q for q in first)]
    return [{"params": first, "lr": 0.03}, {"params": rest}]


def _train(model, opt, steps):
    for k in steps:
        out = model(Tensor(XS[k])) if isinstance(model, nn.MLP) else [model(list(x)) for x in XS[k]]
        opt.zero_grad()
        F.mse_loss(out, YS[k]).backward()
        opt.step()


def _weights(model):
    return {k: np.asarray(v, dtype=np.float64) for k, v in model.state_dict().items()}


def _through_json_and_npz(sd):
    """What a checkpoint without pickle does: arrays to an .npz, everything else to JSON."""
    arrays = {}

    def plain(x, path):
        if isinstance(x, np.ndarray):
            arrays[path] = x
            return {"__array__": path}
        if isinstance(x, dict):
            return {str(k): plain(v, f"{path}/{k}") for k, v in x.items()}
        if isinstance(x, list):
            return [plain(v, f"{path}/{i}") for i, v in enumerate(x)]
        assert isinstance(x, (int, float, str, bool)), type(x)        # nothing JSON cannot hold
        return x
    text = json.dumps(plain(sd, "sd"))
    buf = io.BytesIO()
    np.savez(buf, **{k.replace("/", "|"): v for k, v in arrays.items()})
    buf.seek(0)
    with np.load(buf, allow_pickle=False) as npz:
        loaded = {k.replace("|", "/"): npz[k] for k in npz.files}

    def back(x):
        if isinstance(x, dict) and set(x) == {"__array__"}:
            return loaded[x["__array__"]]
        if isinstance(x, dict):
            return {k: back(v) for k, v in x.items()}
        return [back(v) for v in x] if isinstance(x, list) else x
    return back(json.loads(text))


@pytest.mark.parametrize("make", CONFIGS.values(), ids=list(CONFIGS))
@pytest.mark.parametrize("engine", ["tensor", "scalar"])
@pytest.mark.parametrize("route", ["dict", "json+npz"])
def test_resume_equals_an_uninterrupted_run_bit_for_bit(make, engine, route):
    whole = _model(engine)
    opt = make(_groups(whole))
    _train(whole, opt, range(6))

    first = _model(engine)
    opt1 = make(_groups(first))
    _train(first, opt1, range(3))
    saved_model, saved_opt = first.state_dict(), opt1.state_dict()
    if route == "json+npz":
        saved_opt = _through_json_and_npz(saved_opt)
    resumed = _model(engine, seed=1)                      # other weights and a fresh optimizer: all must load
    resumed.load_state_dict(saved_model)
    opt2 = make(_groups(resumed))
    opt2.load_state_dict(saved_opt)
    _train(resumed, opt2, range(3, 6))

    for name, w in _weights(whole).items():
        np.testing.assert_array_equal(_weights(resumed)[name], w, err_msg=name)
    a, b = opt.state_dict(), opt2.state_dict()
    assert a["param_groups"] == b["param_groups"] and a["state"].keys() == b["state"].keys()
    for i, buffers in a["state"].items():
        for key, value in buffers.items():
            np.testing.assert_array_equal(b["state"][i][key], value, err_msg=f"{i} {key}")


def test_layout_is_pytorchs():
    model = _model("tensor")
    opt = optim.Adam(_groups(model), lr=0.01)
    _train(model, opt, range(2))
    sd = opt.state_dict()
    n0 = len(model.layers[0].parameters())
    assert [g["params"] for g in sd["param_groups"]] == [list(range(n0)), list(range(n0, 4))]
    assert sd["param_groups"][0] == {"lr": 0.03, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0,
                                     "amsgrad": False, "decoupled_weight_decay": False, "params": [0, 1]}
    assert sorted(sd["state"]) == [0, 1, 2, 3]
    W = model.layers[0].W
    assert sd["state"][0]["step"] == 2 and sd["state"][0]["exp_avg"].shape == W.shape
    assert sd["state"][0]["exp_avg"] is not opt.state[W]["exp_avg"]       # a copy: later steps leave it alone


def test_value_state_is_one_entry_per_value():
    vs = [Value(1.0), Value(-2.0)]
    opt = optim.SGD(vs, lr=0.1, momentum=0.9)
    vs[0].grad, vs[1].grad = 3.0, 4.0
    opt.step()
    sd = opt.state_dict()["state"]
    assert list(sd) == [0, 1] and sd[1]["momentum_buffer"].shape == () and sd[1]["momentum_buffer"] == 4.0


def test_a_fresh_optimizer_has_no_state_and_loads_an_empty_one():
    model = _model("tensor")
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sd = opt.state_dict()
    assert sd["state"] == {}
    opt.load_state_dict(sd)


def test_loading_restores_hyperparameters():
    a = optim.SGD(_model("tensor").parameters(), lr=0.1, momentum=0.9)
    b = optim.SGD(_model("tensor").parameters(), lr=0.5)
    b.load_state_dict(a.state_dict())
    assert b.lr == 0.1 and b.momentum == 0.9


def _saved():
    model = _model("tensor")
    opt = optim.Adam(model.parameters(), lr=0.01)
    _train(model, opt, range(1))
    return opt.state_dict()


def _edit(f):
    def make():
        sd = _saved()
        f(sd)
        return sd
    return make


BAD = {
    "not a state_dict": (lambda: {"state": {}}, r"keys 'state' and 'param_groups'"),
    "group count": (_edit(lambda sd: sd["param_groups"].append(dict(sd["param_groups"][0]))), "has 2 param groups"),
    "parameter count": (_edit(lambda sd: sd["param_groups"][0]["params"].pop()), "has 3 parameters but"),
    "missing hyperparameter": (_edit(lambda sd: sd["param_groups"][0].pop("eps")), r"missing \['eps'\]"),
    "unknown hyperparameter": (_edit(lambda sd: sd["param_groups"][0].update(momentum=0.9)), "unknown"),
    "bad hyperparameter": (_edit(lambda sd: sd["param_groups"][0].update(lr=-1)), "lr must be a finite"),
    "index twice": (_edit(lambda sd: sd["param_groups"][0].update(params=[0, 0, 1, 2])), "appears twice"),
    "state of no parameter": (_edit(lambda sd: sd["state"].update({9: {}})), r"state for parameter 9"),
    "unknown buffer": (_edit(lambda sd: sd["state"][0].update(momentum_buffer=sd["state"][0]["exp_avg"])),
                       r"unknown buffers \['momentum_buffer'\]"),
    "missing buffer": (_edit(lambda sd: sd["state"][1].pop("exp_avg_sq")), r"no \['exp_avg_sq'\]"),
    "shape": (_edit(lambda sd: sd["state"][0].update(exp_avg=np.zeros(7))), r"shape \(7,\).*shape \(3, 4\)"),
    "dtype": (_edit(lambda sd: sd["state"][0].update(exp_avg=sd["state"][0]["exp_avg"].astype(np.float32))),
              "dtype float32"),
    "step": (_edit(lambda sd: sd["state"][0].update(step=-1)), r"state\[0\]\['step'\] must be an int >= 0"),
}


@pytest.mark.parametrize("make_bad, match", BAD.values(), ids=list(BAD))
def test_bad_loads_change_nothing(make_bad, match):
    model = _model("tensor")
    opt = optim.Adam(model.parameters(), lr=0.05)
    _train(model, opt, range(2))
    before = opt.state_dict()
    with pytest.raises(ValueError, match=match):
        opt.load_state_dict(make_bad())
    after = opt.state_dict()
    assert after["param_groups"] == before["param_groups"]
    for i, buffers in before["state"].items():
        assert all(np.array_equal(after["state"][i][k], v) for k, v in buffers.items())


def test_values_of_a_group_must_agree():
    vs = [Value(1.0), Value(2.0)]
    opt = optim.Adam(vs)
    for v in vs:
        v.grad = 1.0
    opt.step()
    sd = opt.state_dict()
    sd["state"][1]["step"] = 5
    with pytest.raises(ValueError, match="Values of param group 0 have different saved buffers"):
        optim.Adam([Value(0.0), Value(0.0)]).load_state_dict(sd)
