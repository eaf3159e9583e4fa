"""nn's activations: the registry every part of nn reads, the modules (PyTorch's constructors), nn.F's functions,
and the layer shapes both MLPs build from."""
import inspect

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, Value, gradcheck
from nn import activations, cli
from nn import init as initializers
from nn.layers import layer_shapes

REGISTRY = activations.REGISTRY
NEW = {  # module class -> (its function with the same arguments, constructor keyword arguments to try)
    nn.GELU: (autograd.gelu, {"approximate": "tanh"}),
    nn.SiLU: (autograd.silu, {}),
    nn.Softplus: (autograd.softplus, {"beta": 2.0, "threshold": 1.0}),
    nn.ELU: (autograd.elu, {"alpha": 0.5}),
    nn.SELU: (autograd.selu, {}),
    nn.CELU: (autograd.celu, {"alpha": 2.0}),
    nn.Mish: (autograd.mish, {}),
    nn.Hardtanh: (autograd.hardtanh, {"min_val": -0.5, "max_val": 2.0}),
    nn.Hardsigmoid: (autograd.hardsigmoid, {}),
    nn.Hardswish: (autograd.hardswish, {}),
    nn.ReLU6: (autograd.relu6, {}),
    nn.LogSigmoid: (autograd.logsigmoid, {}),
    nn.Softsign: (autograd.softsign, {}),
}
Z = np.linspace(-7, 7, 29).reshape(1, -1)        # crosses every kink: 0, +-1, +-3, 6


# --- the registry ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_registered_name_builds_an_mlp_that_gradchecks(name):
    m = nn.MLP(3, [4, 2], activation=name, rng=1)
    entry = REGISTRY[name]
    assert m.activation == name and type(m.acts[0]) is entry.module
    x = Tensor(np.random.default_rng(2).standard_normal((5, 3)) * 2, requires_grad=True)
    assert gradcheck(lambda x, *ps: m(x), x, *m.parameters())


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_registry_entry_is_consistent(name):
    entry = REGISTRY[name]
    assert entry.init in initializers.INITIALIZERS
    assert initializers.for_activation(name) == entry.init == initializers.DEFAULT_FOR[name]
    if entry.function is not None and entry.module not in (nn.LeakyReLU,):
        z = Tensor(Z)
        np.testing.assert_array_equal(entry.function(z).data, entry.module()(z).data)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_scalar_flag_says_whether_the_scalar_mlp_takes_it(name):
    if REGISTRY[name].scalar:
        s = nn.scalar.MLP(2, [3, 2], activation=name, rng=0)
        t = s.to_tensor()
        x = [0.7, -1.3]
        np.testing.assert_allclose([v.data for v in s(x)], t(np.array([x])).data[0], rtol=1e-12)
        assert isinstance(REGISTRY[name].function(Value(0.5)), Value)
    else:
        with pytest.raises(ValueError, match=f"scalar layers support the activations .* got '{name}' "
                                             f"\\(Value has no {name}"):
            nn.scalar.MLP(2, [3, 2], activation=name)


def test_names_lists_and_the_cli_come_from_the_registry():
    assert activations.NAMES == sorted(REGISTRY) and cli.ACTIVATIONS == tuple(REGISTRY)
    assert activations.SCALAR_NAMES == ["identity", "leaky_relu", "relu", "sigmoid", "tanh"]
    assert isinstance(cli.build_model(cli.parse_args(["--activation", "gelu"]), 2, 3).acts[0], nn.GELU)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        activations.module("swish")


def test_module_builder_passes_slope_and_dtype():
    assert activations.module("leaky_relu", negative_slope=0.3).negative_slope == 0.3
    assert activations.module("prelu", dtype=np.float32).alpha.dtype == np.float32
    assert type(activations.module("maxout")) is nn.Identity and type(activations.module(None)) is nn.Identity


def test_selu_mlp_starts_with_lecun_normal_weights():
    std = nn.MLP(400, [400, 1], activation="selu", rng=0).layers[0].W.data.std()
    assert abs(std - np.sqrt(1 / 400)) < 0.02 * np.sqrt(1 / 400)


# --- the modules -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", NEW, ids=lambda c: c.__name__)
def test_module_equals_its_function_with_the_same_arguments(cls):
    fn, kwargs = NEW[cls]
    z = Tensor(Z)
    np.testing.assert_array_equal(cls()(z).data, fn(z).data)
    np.testing.assert_array_equal(cls(**kwargs)(z).data, fn(z, *kwargs.values()).data)
    assert getattr(nn, cls.__name__) is cls


@pytest.mark.parametrize("cls", NEW, ids=lambda c: c.__name__)
def test_module_takes_pytorchs_constructor_arguments(cls):
    torch = pytest.importorskip("torch")
    theirs = inspect.signature(getattr(torch.nn, cls.__name__).__init__).parameters
    ours = inspect.signature(cls.__init__).parameters
    aside = {"min_value", "max_value", "args", "kwargs"}              # Hardtanh's old names; object's *args
    assert [n for n in theirs if n not in aside] == [n for n in ours if n not in aside]
    assert all(ours[n].default == theirs[n].default for n in ours if n not in aside | {"self"})
    _, kwargs = NEW[cls]
    x = torch.tensor(Z, dtype=torch.float64)
    np.testing.assert_allclose(cls(**kwargs)(Tensor(Z)).data, getattr(torch.nn, cls.__name__)(**kwargs)(x).numpy(),
                               rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("make, message", [
    (lambda: nn.SiLU(inplace=True), "nn.SiLU: inplace=True is not supported"),
    (lambda: nn.ELU(inplace=True), "nn.ELU: inplace=True is not supported"),
    (lambda: nn.Hardtanh(inplace=True), "nn.Hardtanh: inplace=True is not supported"),
    (lambda: nn.GELU("erf"), "nn.GELU: approximate must be 'none' or 'tanh', got 'erf'"),
    (lambda: nn.Softplus(beta=0), "nn.Softplus: beta must be nonzero"),
    (lambda: nn.CELU(0.0), "nn.CELU: alpha must be nonzero"),
    (lambda: nn.Hardtanh(1.0, -1.0), "nn.Hardtanh: min_val 1.0 must not be greater than max_val -1.0"),
])
def test_bad_module_arguments_are_refused_at_construction(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_module_reprs_show_their_arguments():
    assert repr(nn.ELU(0.5)) == "ELU(alpha=0.5)" and repr(nn.GELU()) == "GELU(approximate='none')"
    assert repr(nn.Hardtanh(0, 6)) == "Hardtanh(min_val=0, max_val=6)" and repr(nn.SiLU()) == "SiLU()"
    assert nn.SiLU().parameters() == [] and nn.Softplus().num_parameters() == 0


# --- nn.F --------------------------------------------------------------------------------------------------
F_NAMES = ["relu", "sigmoid", "tanh", "leaky_relu", "softmax", "log_softmax", "gelu", "silu", "softplus", "mish",
           "logsigmoid", "softsign", "elu", "selu", "celu", "hardtanh", "relu6", "hardsigmoid", "hardswish"]


@pytest.mark.parametrize("name", F_NAMES)
def test_nn_F_has_torchs_activation_functions(name):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((3, 4)) * 3
    extra = {"dim": -1} if "softmax" in name else {}
    ours = getattr(nn.F, name)(Tensor(x), **extra).data
    theirs = getattr(torch.nn.functional, name)(torch.tensor(x), **extra).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-15)


def test_softmax_axis_and_dim_are_one_argument():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(nn.F.softmax(x, dim=0).data, nn.softmax(x, 0).data)
    np.testing.assert_allclose(nn.F.log_softmax(x).data, np.log(nn.F.softmax(x).data), rtol=1e-14)
    with pytest.raises(TypeError, match="got both axis=0 and dim=1"):
        nn.F.softmax(x, 0, dim=1)


# --- one layer-shape builder for both MLPs -----------------------------------------------------------------
@pytest.mark.parametrize("nin, sizes, shapes", [
    (3, [2], [(3, 2, False)]),
    (3, 2, [(3, 2, False)]),
    (2, [4, 5, 1], [(2, 4, True), (4, 5, True), (5, 1, False)]),
    (np.int64(2), (3, np.int32(1)), [(2, 3, True), (3, 1, False)]),
])
def test_layer_shapes(nin, sizes, shapes):
    assert layer_shapes(nin, sizes) == shapes
    weights = [(n_in, n_out) for n_in, n_out, _ in shapes]
    assert [lay.W.shape for lay in nn.MLP(nin, sizes).layers] == weights
    assert [lay.W.shape for lay in nn.scalar.MLP(nin, sizes).layers] == weights


@pytest.mark.parametrize("nin, sizes, message", [
    (3, [], "MLP: sizes must list at least the output size"),
    (0, [2], "MLP: nin must be a positive int, got 0"),
    (2.5, [2], "MLP: nin must be a positive int, got 2.5"),
    (3, [4, True], r"MLP: sizes\[1\] must be a positive int, got True"),
])
def test_layer_shapes_refuses_bad_sizes(nin, sizes, message):
    for build in (layer_shapes, nn.MLP, nn.scalar.MLP):
        with pytest.raises(ValueError, match=message):
            build(nin, sizes)
