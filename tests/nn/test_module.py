"""nn.Module: parameter discovery and naming, train/eval, zero_grad, state_dict, repr and summary."""
import numpy as np
import pytest

import nn
from autograd import Tensor, Value


class Pair(nn.Module):
    """Two linear maps in a tuple, a frozen tensor, an underscore-named tensor and a nested block."""

    def __init__(self):
        self.scale = Tensor([2.0], requires_grad=True)
        self.frozen = Tensor([1.0])                       # no grad: not a parameter
        self._hidden = Tensor([3.0], requires_grad=True)  # underscore names are discovered, as in PyTorch
        self.maps = (nn.Linear(2, 3, rng=0), nn.Linear(3, 1, rng=1))
        self.block = nn.Sequential(nn.Linear(1, 1, rng=2), nn.Tanh())
        self.note = "not a parameter"

    def forward(self, x):
        return self.block(self.maps[1](self.maps[0](x) * self.scale))


def test_named_parameters_names_and_order():
    names = [n for n, _ in Pair().named_parameters()]
    assert names == ["scale", "_hidden", "maps.0.W", "maps.0.b", "maps.1.W", "maps.1.b", "block.0.W", "block.0.b"]
    assert [n for n, _ in Pair().named_state()][:3] == ["scale", "frozen", "_hidden"]


def test_mlp_names_and_shapes():
    shapes = {n: p.shape for n, p in nn.MLP(3, [4, 4, 1]).named_parameters()}
    assert shapes == {"layers.0.W": (3, 4), "layers.0.b": (4,), "layers.1.W": (4, 4), "layers.1.b": (4,),
                      "layers.2.W": (4, 1), "layers.2.b": (1,)}


def test_parameters_are_the_same_objects_as_attributes():
    m = nn.MLP(2, [3, 1])
    assert m.parameters()[0] is m.layers[0].W and m.parameters()[3] is m.layers[1].b


def test_shared_module_counted_once():
    lin = nn.Linear(2, 2)
    m = nn.Sequential(lin, nn.ReLU(), lin)
    assert [n for n, _ in m.named_parameters()] == ["0.W", "0.b"]
    assert m.num_parameters() == 6


@pytest.mark.parametrize("nin, sizes, count", [(3, [4, 2], 26), (3, [4, 4, 1], 41)])
def test_num_parameters_matches_the_notes(nin, sizes, count):
    assert nn.MLP(nin, sizes).num_parameters() == count
    assert nn.scalar.MLP(nin, sizes).num_parameters() == count
    assert len(nn.scalar.MLP(nin, sizes).parameters()) == count


def test_call_runs_forward_and_base_forward_is_required():
    assert Pair()(np.ones((5, 2))).shape == (5, 1)
    with pytest.raises(NotImplementedError, match="Empty must define forward"):
        type("Empty", (nn.Module,), {})()(1)


def test_zero_grad_sets_tensor_grads_to_none():
    m = nn.MLP(2, [3, 1], rng=0)
    m(np.ones((4, 2))).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_train_eval_recursive():
    m = nn.Sequential(nn.Linear(2, 2), nn.MLP(2, [2, 2], dropout=0.5))
    assert m.eval() is m
    assert not any(x.training for x in m.modules())
    m.train()
    assert all(x.training for x in m.modules())
    assert [n for n, _ in m.named_modules()] == ["", "0", "1", "1.layers.0", "1.layers.1", "1.acts.0", "1.dropout"]


def test_state_dict_is_a_copy_and_round_trips():
    a, b = nn.MLP(3, [4, 2], rng=0), nn.MLP(3, [4, 2], rng=1)
    sd = a.state_dict()
    sd["layers.0.W"][...] = 0.0                        # editing the copy leaves the model alone
    assert not np.all(a.layers[0].W.data == 0)
    W = b.layers[0].W
    b.load_state_dict(a.state_dict())
    assert b.layers[0].W is W                           # loaded in place: optimizers keep their references
    for (n1, p1), (n2, p2) in zip(a.named_parameters(), b.named_parameters()):
        assert n1 == n2 and np.array_equal(p1.data, p2.data)


def test_load_after_forward_is_allowed_and_detected_by_backward():
    m = nn.Linear(2, 1, rng=0)
    out = m(np.ones((1, 2))).sum()
    m.load_state_dict(nn.Linear(2, 1, rng=1).state_dict())
    with pytest.raises(RuntimeError, match="modified in place"):
        out.backward()


def test_missing_and_unexpected_keys_are_named():
    m = nn.MLP(3, [4, 2])
    sd = m.state_dict()
    del sd["layers.1.b"]
    sd["layers.9.W"] = np.zeros((1, 1))
    with pytest.raises(KeyError, match=r"missing keys \['layers.1.b'\] and unexpected keys \['layers.9.W'\]"):
        m.load_state_dict(sd)
    result = m.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["layers.1.b"] and result.unexpected_keys == ["layers.9.W"]


def test_wrong_shape_or_dtype_is_named_and_nothing_changes():
    m = nn.MLP(3, [4, 2], rng=0)
    before = m.state_dict()
    sd = nn.MLP(3, [4, 2], rng=1).state_dict()
    sd["layers.1.W"] = np.zeros((2, 4))
    with pytest.raises(ValueError, match=r"'layers.1.W' has shape \(2, 4\) .* parameter has shape \(4, 2\)"):
        m.load_state_dict(sd)
    sd["layers.1.W"] = np.zeros((4, 2), np.float32)
    with pytest.raises(ValueError, match=r"'layers.1.W' has dtype float32 .* dtype float64"):
        m.load_state_dict(sd)
    after = m.state_dict()                              # the valid layer 0 was not loaded either
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_repr_is_a_tree():
    text = repr(nn.Sequential(nn.Linear(2, 3), nn.LeakyReLU(0.2), nn.MLP(3, [2])))
    assert text.splitlines() == [
        "Sequential(",
        "  (0): Linear(in_features=2, out_features=3, bias=True)",
        "  (1): LeakyReLU(negative_slope=0.2)",
        "  (2): MLP(",
        "    (layers.0): Linear(in_features=3, out_features=2, bias=True)",
        "  )",
        ")",
    ]


def test_value_attributes_are_parameters_and_zero_grad_sets_zero():
    class Affine(nn.Module):
        def __init__(self):
            self.w, self.c = Value(2.0), Value(1.0)

        def forward(self, x):
            return self.w * x + self.c

    m = Affine()
    m(3.0).backward()
    assert m.w.grad == 3.0
    m.zero_grad()
    assert m.w.grad == 0.0 and m.c.grad == 0.0
    assert m.state_dict() == {"w": np.array(2.0), "c": np.array(1.0)}


@pytest.mark.parametrize("make", [lambda: nn.MLP(3, [4, 2]), lambda: nn.scalar.MLP(3, [4, 2])])
def test_summary_counts_26(make):
    text = nn.summary(make())
    assert text.splitlines()[-1] == "Total learnable parameters: 26"
    assert "layers.0" in text and "16" in text and "10" in text
    assert repr(text) == str(text)                      # shows as a table at a prompt


@pytest.mark.parametrize("make", [lambda: nn.MLP(3, [4, 4, 1]), lambda: nn.scalar.MLP(3, [4, 4, 1])])
def test_summary_counts_41(make):
    assert nn.summary(make()).splitlines()[-1] == "Total learnable parameters: 41"


def test_summary_rows_shapes_and_no_rng_draw():
    m = nn.MLP(3, [4, 2], dropout=0.5, rng=0)
    state = m.dropout.rng.bit_generator.state
    rows = nn.summary(m, input_shape=(7, 3)).splitlines()[3:-2]
    assert [r.split()[:4] for r in rows] == [
        ["layers.0", "(Linear)", "(7,", "4)"], ["acts.0", "(ReLU)", "(7,", "4)"],
        ["dropout", "(Dropout)", "(7,", "4)"], ["layers.1", "(Linear)", "(7,", "2)"]]
    assert m.training and m.dropout.training                 # modes restored
    assert m.dropout.rng.bit_generator.state == state        # the trace ran in eval mode
    assert "(N, 4)" in nn.summary(m)


def test_summary_of_scalar_mlp_shows_list_lengths():
    rows = nn.summary(nn.scalar.MLP(2, [3, 1])).splitlines()[3:-2]
    assert [r.split() for r in rows] == [["layers.0", "(Layer)", "(3,)", "9"], ["layers.1", "(Layer)", "(1,)", "4"]]


# --- discovery in dicts, lists and tuples, and in the containers ----------------------------------
class Heads(nn.Module):
    """A trunk and heads in every kind of container discovery walks, with a dropout in each dict."""

    def __init__(self, rng=0):
        rng = np.random.default_rng(rng)
        self.trunk = nn.ModuleList([nn.Linear(3, 4, rng=rng), nn.ReLU()])
        self.heads = {"reg": nn.Linear(4, 1, rng=rng), "cls": [nn.Linear(4, 2, rng=rng), nn.Dropout(0.5)]}
        self.extra = nn.ModuleDict({"aux": nn.Linear(4, 1, rng=rng), "drop": nn.Dropout(0.5)})
        self.pairs = ({2: nn.Linear(4, 1, rng=rng)}, (nn.Linear(4, 1, rng=rng),))

    def forward(self, x):
        h = self.trunk[1](self.trunk[0](x))
        cls, drop = self.heads["cls"]
        return [self.heads["reg"](h), cls(drop(h)), self.extra["aux"](self.extra["drop"](h)),
                self.pairs[0][2](h), self.pairs[1][0](h)]


HEADS_NAMES = ["trunk.0.W", "trunk.0.b", "heads.reg.W", "heads.reg.b", "heads.cls.0.W", "heads.cls.0.b",
               "extra.aux.W", "extra.aux.b", "pairs.0.2.W", "pairs.0.2.b", "pairs.1.0.W", "pairs.1.0.b"]


def test_dicts_lists_and_tuples_nest_in_any_order_and_keep_insertion_order():
    m = Heads()
    assert [n for n, _ in m.named_parameters()] == HEADS_NAMES
    assert [n for n, _ in m.named_modules()] == [
        "", "trunk", "trunk.0", "trunk.1", "heads.reg", "heads.cls.0", "heads.cls.1", "extra", "extra.aux",
        "extra.drop", "pairs.0.2", "pairs.1.0"]
    assert m.parameters()[2] is m.heads["reg"].W and m.num_parameters() == 16 + 5 + 10 + 5 + 5 + 5


def test_names_and_order_match_pytorch():
    torch = pytest.importorskip("torch")
    tnn = torch.nn

    class TorchHeads(tnn.Module):                       # Heads with PyTorch's containers for the plain ones
        def __init__(self):
            super().__init__()
            self.trunk = tnn.ModuleList([tnn.Linear(3, 4), tnn.ReLU()])
            self.heads = tnn.ModuleDict({"reg": tnn.Linear(4, 1), "cls": tnn.ModuleList([tnn.Linear(4, 2),
                                                                                          tnn.Dropout(0.5)])})
            self.extra = tnn.ModuleDict({"aux": tnn.Linear(4, 1), "drop": tnn.Dropout(0.5)})
            self.pairs = tnn.ModuleList([tnn.ModuleDict({"2": tnn.Linear(4, 1)}), tnn.ModuleList([tnn.Linear(4, 1)])])

    rename = {"weight": "W", "bias": "b"}
    theirs = [".".join(rename.get(p, p) for p in n.split(".")) for n, _ in TorchHeads().named_parameters()]
    assert [n for n, _ in Heads().named_parameters()] == theirs
    ours = dict(Heads().named_modules())
    assert [n for n, _ in TorchHeads().named_modules() if n in ours] == list(ours)   # plain dicts add no node


def test_repr_shows_container_contents_like_pytorch():
    torch = pytest.importorskip("torch")

    def build(lib):
        class Net(nn.Module if lib is nn else torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = lib.ModuleList([lib.Linear(2, 3), lib.ReLU(), lib.Linear(3, 1)])
                self._head = lib.ModuleDict({"out": lib.Linear(1, 1)})
        return Net()

    assert repr(build(nn)).splitlines() == repr(build(torch.nn)).splitlines()
    assert repr(Heads()).splitlines()[5:8] == [
        "  (heads.reg): Linear(in_features=4, out_features=1, bias=True)",   # a plain dict: one line per module
        "  (heads.cls.0): Linear(in_features=4, out_features=2, bias=True)", "  (heads.cls.1): Dropout(p=0.5)"]


def test_eval_reaches_dropouts_in_dicts_lists_and_module_dicts():
    m = Heads()
    drops = [m.heads["cls"][1], m.extra["drop"]]
    x = np.ones((1, 4))
    m.eval()
    assert not any(d.training for d in drops)
    assert all(d(x) is x for d in drops)                # eval dropout is the identity
    m.train()
    assert all(d.training for d in drops) and not np.array_equal(drops[0](x).data, x)


def test_zero_grad_and_optimizer_reach_every_head():
    m = Heads()
    sum(out.sum() for out in m.eval()(np.ones((2, 3)))).backward()
    before = {n: p.data.copy() for n, p in m.named_parameters()}
    grads = {n: p.grad.copy() for n, p in m.named_parameters()}
    nn.optim.SGD(m.parameters(), lr=0.1).step()
    for n, p in m.named_parameters():                   # every parameter moved by -lr * its gradient
        np.testing.assert_allclose(p.data, before[n] - 0.1 * grads[n], rtol=0, atol=1e-15)
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_state_dict_save_and_load_round_trip_containers_exactly(tmp_path):
    a, b = Heads(rng=0), Heads(rng=1)
    assert list(a.state_dict()) == HEADS_NAMES
    a.save(tmp_path / "heads.npz")
    nn.load(tmp_path / "heads.npz", b)
    for (na, pa), (nb, pb) in zip(a.named_parameters(), b.named_parameters()):
        assert na == nb and np.array_equal(pa.data, pb.data)
    x = np.random.default_rng(2).standard_normal((3, 3))
    assert all(np.array_equal(u.data, v.data) for u, v in zip(a.eval()(x), b.eval()(x)))


def test_summary_lists_layers_held_in_containers():
    text = nn.summary(Heads(), input_shape=(2, 3))
    rows = [r.split()[0] for r in text.splitlines()[3:-2]]
    assert rows == ["trunk.0", "trunk.1", "heads.reg", "heads.cls.1", "heads.cls.0", "extra.drop", "extra.aux",
                    "pairs.0.2", "pairs.1.0"]                          # in call order
    assert text.splitlines()[-1] == "Total learnable parameters: 46"


# --- public hooks: recording calls, a training-mode block, is_scalar ----------------------------------
def test_record_calls_sees_every_module_call_and_nests():
    model = nn.MLP(2, [3, 1], rng=0)
    x = Tensor(np.ones((4, 2)))
    with nn.Module.record_calls() as outer:
        model(x)
        assert [type(m).__name__ for m, _ in outer] == ["Linear", "ReLU", "Linear", "MLP"]   # inner calls first
        with nn.Module.record_calls() as inner:
            model.layers[0](x)
    assert len(inner) == 1 and inner[0][0] is model.layers[0] and inner[0][1].shape == (4, 3)
    assert outer[-1] == inner[0]                             # both blocks saw the inner call
    model(x)
    assert len(outer) == 5                                   # the blocks are over: nothing more recorded


def test_record_calls_is_per_thread():
    import threading
    model, seen = nn.Linear(2, 2, rng=0), []
    with nn.Module.record_calls() as calls:
        t = threading.Thread(target=lambda: seen.append(model(Tensor(np.ones((1, 2))))))
        t.start()
        t.join()
    assert seen and calls == []


def test_training_mode_restores_each_modules_own_flag_even_after_an_error():
    model = nn.MLP(2, [3, 1], dropout=0.5, rng=0)
    model.dropout.eval()                                     # a mixed state: only the dropout in eval
    with pytest.raises(ZeroDivisionError), model.training_mode(False):
        assert not any(m.training for m in model.modules())
        _ = 1 / 0
    assert model.training and not model.dropout.training


def test_is_scalar_tells_the_engine_of_a_model():
    assert nn.scalar.MLP(2, [2, 1], rng=0).is_scalar
    assert not nn.MLP(2, [2, 1], rng=0).is_scalar
    assert not nn.Sequential().is_scalar                     # no parameters: not a scalar model
