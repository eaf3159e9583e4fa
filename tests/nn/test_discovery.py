"""Discovery's rules (nn/discovery.py): errors for what it cannot name, from every entry point; underscore names."""
import pytest

import nn


class Hidden(nn.Module):
    """A Linear in a set: discovery cannot name it."""

    def __init__(self):
        self.lin = nn.Linear(2, 2)
        self.bag = {nn.Linear(2, 1)}


@pytest.mark.parametrize("call", [
    lambda m: m.parameters(), lambda m: m.named_parameters(), lambda m: m.state_dict(), lambda m: m.modules(),
    lambda m: m.named_modules(), lambda m: m.zero_grad(), lambda m: m.train(), lambda m: m.eval(),
    lambda m: m.num_parameters(), lambda m: m.load_state_dict({}), lambda m: nn.summary(m),
    lambda m: nn.optim.Adam(m.parameters()),
])
def test_every_discovery_entry_point_raises_for_a_hidden_module(call):
    with pytest.raises(TypeError, match=r"Hidden.bag is a set holding a Linear module .* would never be trained "
                                        r"or saved\. A set is unordered.* use a list, a tuple or nn.ModuleList"):
        call(Hidden())


def test_save_refuses_a_model_with_a_hidden_module_and_writes_nothing(tmp_path):
    with pytest.raises(TypeError, match="Hidden.bag is a set"):
        nn.save(Hidden(), tmp_path / "m.npz")
    assert list(tmp_path.iterdir()) == []


def test_repr_still_shows_a_model_with_a_hidden_module():
    assert repr(Hidden()).splitlines()[1] == "  (lin): Linear(in_features=2, out_features=2, bias=True)"


def test_underscore_attributes_are_discovered_as_in_pytorch():
    torch = pytest.importorskip("torch")

    def build(lib):
        class Net(nn.Module if lib is nn else torch.nn.Module):
            def __init__(self):
                super().__init__()
                self._head = lib.Linear(2, 1)
                self.__secret = lib.Linear(1, 1)        # name-mangled to _Net__secret, by Python, for both
        return Net()

    rename = {"weight": "W", "bias": "b"}
    theirs = [".".join(rename.get(p, p) for p in n.split(".")) for n, _ in build(torch.nn).named_parameters()]
    assert [n for n, _ in build(nn).named_parameters()] == theirs == ["_head.W", "_head.b", "_Net__secret.W",
                                                                      "_Net__secret.b"]


def test_scalar_layer_neurons_are_views_of_its_parameters_not_state():
    layer = nn.scalar.Layer(3, 2, activation="tanh", rng=0)
    assert [n for n, _ in layer.named_modules()] == [""] and list(layer.state_dict()) == ["W", "b"]
    x = [0.5, -1.0, 2.0]
    assert [n(x).data for n in layer.neurons] == [v.data for v in layer(x)]
    layer.W[0, 1].data = 7.0                             # the neurons see the layer's own Values
    assert layer.neurons[1].W[0] is layer.W[0, 1] and layer.neurons[1](x).data == layer(x)[1].data
