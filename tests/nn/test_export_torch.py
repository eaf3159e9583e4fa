"""nn.to_torch / nn.from_torch: the same function, gradients, dtype, mode and frozen flags on both sides."""
import subprocess
import sys

import numpy as np
import pytest

import nn
from autograd import Tensor, Value
from nn.activations import NAMES

# the import-error tests below need no torch; everything else does
needs_torch = pytest.mark.usefixtures("torch")


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def batch(n=7, width=4, dtype=np.float64, seed=1):
    return np.random.default_rng(seed).standard_normal((n, width)).astype(dtype)


def both_ways(model, tmodel, x, targets, torch):
    """(outputs, input gradients, {parameter name: gradient}) of a cross-entropy on each side; torch's Linear
    weight gradients come back transposed to graphgrad's (in, out)."""
    xt = Tensor(x, requires_grad=True)
    out = model(xt)
    nn.F.cross_entropy(out, targets).backward()
    ours = (out.data, xt.grad, {n: p.grad for n, p in model.named_parameters()})
    xs = torch.from_numpy(x).requires_grad_()
    tout = tmodel(xs)
    torch.nn.functional.cross_entropy(tout, torch.from_numpy(targets)).backward()
    grads = [p.grad.numpy() for p in tmodel.parameters()]
    theirs = (tout.detach().numpy(), xs.grad.numpy(), dict(zip(torch_order(model), [g.T if g.ndim == 2 else g
                                                                                   for g in grads])))
    return ours, theirs


def torch_order(mlp):
    """An nn.MLP's parameter names in the order its torch twin, Sequential(layer, act, ..., layer), lists them."""
    names = []
    for i, layer in enumerate(mlp.layers):
        names += [f"layers.{i}.{p}" for p, _ in layer.named_parameters()]
        if i < len(mlp.acts):
            names += [f"acts.{i}.{p}" for p, _ in mlp.acts[i].named_parameters()]
    return names


@needs_torch
@pytest.mark.parametrize("name", NAMES)
def test_every_activation_gives_the_same_outputs_and_batch_gradients(name, torch):
    model = nn.MLP(4, [4, 4, 3], activation=name, rng=2)       # square hidden layers: a missed transpose shows
    tmodel = nn.to_torch(model)
    x = batch() * 2
    ours, theirs = both_ways(model, tmodel, x, np.array([0, 1, 2, 0, 1, 2, 1]), torch)
    rtol = 1e-7 if name == "hardsigmoid" else 1e-11       # torch's hardsigmoid slope is float32's 1/6 in float64
    np.testing.assert_allclose(theirs[0], ours[0], rtol=1e-12, atol=1e-13)     # outputs
    np.testing.assert_allclose(theirs[1], ours[1], rtol=rtol, atol=1e-13)      # d loss / d input
    assert sorted(theirs[2]) == sorted(ours[2])
    for key, g in ours[2].items():
        np.testing.assert_allclose(theirs[2][key], g, rtol=rtol, atol=1e-13, err_msg=key)


@needs_torch
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dropout", [0.0, 0.25])
def test_round_trip_is_exact(name, dropout):
    model = nn.MLP(3, [5, 4, 2], activation=name, dropout=dropout, rng=3, negative_slope=0.2, pieces=3).eval()
    back = nn.from_torch(nn.to_torch(model))
    assert type(back) is nn.MLP
    assert (back.nin, back.sizes, back.activation, back.bias) == (model.nin, model.sizes, model.activation, model.bias)
    assert repr(back) == repr(model)                             # LeakyReLU's repr shows the slope
    want, got = model.state_dict(), back.state_dict()
    assert list(got) == list(want) and all(np.array_equal(got[k], want[k]) for k in want)
    x = Tensor(batch(width=3))
    assert np.array_equal(back(x).data, model(x).data)


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_both_ways(dtype, torch):
    model = nn.MLP(3, [4, 2], activation="prelu", dtype=dtype, rng=0)
    tmodel = nn.to_torch(model)
    assert {p.dtype for p in tmodel.parameters()} == {torch.float32 if dtype == np.float32 else torch.float64}
    back = nn.from_torch(tmodel)
    assert {p.dtype for p in back.parameters()} == {np.dtype(dtype)}
    x = batch(width=3, dtype=dtype)
    tol = 1e-6 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(tmodel(torch.from_numpy(x)).detach().numpy(), model(Tensor(x)).data, rtol=tol, atol=tol)


@needs_torch
def test_train_and_eval_mode_and_frozen_parameters_are_kept():
    model = nn.MLP(3, [4, 2], dropout=0.5, rng=0)
    model.layers[0].W.requires_grad_(False)
    assert nn.to_torch(model).training
    model.eval()
    model.dropout.train()                                          # a mixed mode survives too
    tmodel = nn.to_torch(model)
    assert not tmodel.training and [m.training for m in tmodel] == [False, False, True, False]
    assert [p.requires_grad for p in tmodel.parameters()] == [False, True, True, True]
    back = nn.from_torch(tmodel)
    assert not back.training and back.dropout.training and not back.layers[0].training
    assert not back.layers[0].W.requires_grad and back.layers[0].b.requires_grad


@needs_torch
def test_a_handwritten_torch_sequential_converts(torch):
    tnn = torch.nn
    tmodel = tnn.Sequential(tnn.Linear(3, 6), tnn.ELU(alpha=0.5), tnn.Sequential(tnn.Linear(6, 5), tnn.Softplus(2.0)),
                            tnn.Dropout(0.1), tnn.Linear(5, 4, bias=False), tnn.PReLU(4), tnn.Softmax(dim=-1)).double()
    tmodel.eval()
    model = nn.from_torch(tmodel)
    assert type(model) is nn.Sequential and len(model) == 8            # ELU(0.5) is no nn.MLP activation
    assert [type(m).__name__ for m in model] == ["Linear", "ELU", "Linear", "Softplus", "Dropout", "Linear", "PReLU",
                                                 "Softmax"]
    assert model[1].alpha == 0.5 and model[3].beta == 2.0 and model[5].b is None
    x = batch(width=3)
    want = tmodel(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(model(Tensor(x)).data, want, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(nn.to_torch(model)(torch.from_numpy(x)).detach().numpy(), want, rtol=1e-13, atol=1e-15)


@needs_torch
def test_a_module_whose_children_run_in_order_converts_and_one_that_does_not_is_refused(torch):
    class Chain(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.act, self.fc2 = torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x)))

    class Residual(Chain):
        def forward(self, x):
            h = self.act(self.fc1(x))
            return self.fc2(h + h.mean())

    model = nn.from_torch(Chain().double())
    assert type(model) is nn.MLP and model.activation == "tanh" and model.sizes == [4, 2]
    with pytest.raises(ValueError, match="Residual's forward is not its children applied in order"):
        nn.from_torch(Residual().double())


@needs_torch
@pytest.mark.parametrize("build, match", [
    (lambda t: t.nn.Sequential(t.nn.Linear(3, 4), t.nn.Conv1d(1, 1, 1)), r"unsupported module 1 \(torch.nn.*Conv1d\)"),
    (lambda t: t.nn.Sequential(t.nn.Linear(3, 4), t.nn.LogSoftmax(dim=1)), r"unsupported module 1 .*LogSoftmax"),
    (lambda t: t.nn.Sequential(t.nn.Linear(3, 4), t.nn.Softmax()), r"Softmax\(dim=None\).*give it a dim"),
    (lambda t: t.nn.Sequential(t.nn.Linear(3, 4).half()), r"0 has torch.float16 weights"),
    (lambda t: t.nn.Sequential(t.nn.Sequential(t.nn.Linear(3, 4)), _WithOwn(t)), r"holds tensors of its own \(scale\)"),
    (lambda t: "not a module", "expects a torch.nn.Module"),
])
def test_from_torch_refuses_what_it_cannot_convert_by_name(build, match, torch):
    with pytest.raises((TypeError, ValueError), match=match):
        nn.from_torch(build(torch))


def _WithOwn(torch):
    class WithOwn(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = torch.nn.Parameter(torch.ones(4))
            self.act = torch.nn.ReLU()

        def forward(self, x):
            return self.act(x) * self.scale
    return WithOwn()


@needs_torch
def test_to_torch_refuses_a_custom_module_by_name():
    class Twice(nn.Module):
        def forward(self, x):
            return x * 2

    with pytest.raises(TypeError, match=r"cannot convert 1 \(Twice\).*convert it by hand"):
        nn.to_torch(nn.Sequential(nn.Linear(2, 2), Twice()))
    with pytest.raises(TypeError, match="scalar module; only nn.scalar.MLP converts"):
        nn.to_torch(nn.scalar.Layer(2, 3))


@needs_torch
def test_a_scalar_mlp_converts_through_its_tensor_twin(torch):
    model = nn.scalar.MLP(3, [4, 2], activation="leaky_relu", negative_slope=0.1, rng=4)
    tmodel = nn.to_torch(model)
    x = batch(3, 3)
    want = np.array([[v.data for v in model([Value(float(a)) for a in row])] for row in x])
    np.testing.assert_allclose(tmodel(torch.from_numpy(x)).detach().numpy(), want, rtol=1e-13, atol=1e-15)


@needs_torch
@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,)])
def test_prelu_with_a_slope_per_unit_uses_the_last_axis_as_graphgrad_does(shape, torch):
    prelu = nn.PReLU(4)
    prelu.load_state_dict({"alpha": np.array([0.1, -0.5, 2.0, 0.3])})
    x = np.random.default_rng(0).standard_normal(shape)
    tprelu = nn.to_torch(prelu)
    np.testing.assert_array_equal(tprelu(torch.from_numpy(x)).detach().numpy(), prelu(Tensor(x)).data)
    assert np.array_equal(nn.from_torch(tprelu).alpha.data, prelu.alpha.data)


def test_without_torch_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)                 # import torch now raises ImportError
    monkeypatch.delitem(sys.modules, "nn.export.torch", raising=False)
    for convert, arg in ((nn.to_torch, nn.MLP(2, [2])), (nn.from_torch, object())):
        with pytest.raises(ImportError, match=r"pip install 'graphgrad\[torch\]'"):
            convert(arg)


def test_importing_nn_imports_neither_torch_nor_onnx():
    code = "import sys, nn; print(sorted({'torch', 'onnx', 'onnxruntime'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
