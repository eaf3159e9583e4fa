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
