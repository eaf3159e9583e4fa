"""nn.export_onnx: the file passes onnx's checker and onnxruntime computes what the engine computes, any batch."""
import math
import os
import sys

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from nn.activations import NAMES

TOL = {np.float64: {"rtol": 1e-12, "atol": 1e-13}, np.float32: {"rtol": 1e-5, "atol": 1e-5}}


@pytest.fixture
def tools():
    """(onnx, onnxruntime), or a skip where they are not installed (the import-error test needs neither)."""
    return pytest.importorskip("onnx"), pytest.importorskip("onnxruntime")


needs_onnx = pytest.mark.usefixtures("tools")


def session(path):
    import onnxruntime
    return onnxruntime.InferenceSession(os.fspath(path), providers=["CPUExecutionProvider"])


def agree(model, path, inputs, dtype):
    """Run the exported file on each input; its outputs must be the engine's (eval mode) within TOL[dtype]."""
    import onnx
    onnx.checker.check_model(onnx.load(os.fspath(path)), full_check=True)
    run = session(path)
    for x in inputs:
        x = np.asarray(x, dtype)
        with model.training_mode(False):
            want = model(Tensor(x)).data
        (got,) = run.run(None, {"input": x})
        assert got.dtype == dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, **TOL[dtype], err_msg=f"batch of {len(x)}")


def batches(width, sizes=(1, 4, 9), scale=3.0):
    return [np.random.default_rng(n).standard_normal((n, width)) * scale for n in sizes]


class Fn(nn.Module):
    """A model whose forward is a function of its input (for ops that have no module)."""

    def __init__(self, fn, **params):
        self.fn = fn
        for k, v in params.items():
            setattr(self, k, v)

    def forward(self, x):
        return self.fn(self, x)


@needs_onnx
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", NAMES)
def test_every_activation_runs_in_onnxruntime_as_in_the_engine(name, dtype, tmp_path):
    model = nn.MLP(3, [5, 4, 2], activation=name, dropout=0.25, rng=0, dtype=dtype)     # in training mode
    path = nn.export_onnx(model, tmp_path / "m.onnx", batches(3, [4])[0].astype(dtype))
    assert model.training and model.dropout.training                                # export used eval, then put it back
    agree(model, path, batches(3), dtype)                                            # batch sizes 1, 4, 9: dynamic


@needs_onnx
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_file_declares_a_dynamic_batch_and_keeps_parameter_names(dtype, tmp_path, tools):
    onnx = tools[0]
    model = nn.MLP(3, [4, 2], rng=1, dtype=dtype)
    nn.export_onnx(model, tmp_path / "m.onnx", np.zeros((2, 3), dtype))
    proto = onnx.load(tmp_path / "m.onnx")
    elem = onnx.TensorProto.DOUBLE if dtype == np.float64 else onnx.TensorProto.FLOAT
    for value, width in ((proto.graph.input[0], 3), (proto.graph.output[0], 2)):
        dims = value.type.tensor_type.shape.dim
        assert value.type.tensor_type.elem_type == elem
        assert [d.dim_param or d.dim_value for d in dims] == ["batch", width]
    inits = {t.name: onnx.numpy_helper.to_array(t) for t in proto.graph.initializer}
    for name, p in model.named_parameters():
        np.testing.assert_array_equal(inits[name], p.data)                           # W stays (in, out): x @ W + b
    assert proto.opset_import[0].version == 17


ACTIVATION_MODULES = [nn.LeakyReLU(0.3), nn.Softplus(2.0, 1.0), nn.ELU(0.5), nn.CELU(2.0), nn.Hardtanh(-0.5, 2.0),
                      nn.GELU("tanh"), nn.GELU(), nn.SELU(), nn.Softmax(), nn.Softmax(axis=0), nn.Hardswish(),
                      nn.Hardsigmoid(), nn.ReLU6(), nn.Mish(), nn.LogSigmoid(), nn.Softsign(), nn.SiLU(), nn.Identity()]


@needs_onnx
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("module", ACTIVATION_MODULES, ids=repr)
def test_activation_arguments_and_kinks_are_exported(module, dtype, tmp_path):
    z = np.linspace(-7, 7, 36).reshape(9, 4)                   # crosses 0, +-0.5, +-1, +-2, +-3 and 6
    path = nn.export_onnx(module, tmp_path / "m.onnx", z[:3].astype(dtype))
    agree(module, path, [z, z[:1], -z, z * 5], dtype)


@needs_onnx
def test_gelu_float64_erf_holds_over_the_whole_range(tmp_path):
    z = np.linspace(-12, 12, 4801).reshape(-1, 1)              # the table's every centre, and past its end at 6 sqrt 2
    path = nn.export_onnx(nn.GELU(), tmp_path / "g.onnx", z)
    agree(nn.GELU(), path, [z], np.float64)
    (got,) = session(path).run(None, {"input": z})
    exact = np.array([v * math.erfc(-v / math.sqrt(2)) / 2 for v in z[:, 0]])     # x Phi(x)
    np.testing.assert_array_less(np.abs(got[:, 0] - exact), 1e-15 * np.maximum(np.abs(z[:, 0]), 1))


FUNCTIONS = {
    "log_softmax": lambda m, x: x.log_softmax(axis=1),
    "transpose and matmul": lambda m, x: x.T @ x @ m.P,
    "reshape, swapaxes, sum": lambda m, x: x.reshape(-1, 2, 2).swapaxes(1, 2).reshape(len(x), 4).sum(axis=1),
    "mean over features": lambda m, x: x.mean(axis=1, keepdims=True) - x,
    "max, min": lambda m, x: x.max(axis=1) - x.min(axis=-1) + x.reshape(-1, 2, 2).max(axis=(1, 2)),
    "pow, abs, sqrt, exp, log": lambda m, x: (abs(x) ** 1.5 + abs(x).sqrt()).exp().log() - x ** 2,
    "clip by numbers and tensors": lambda m, x: x.clip(-1, None) + x.clip(x * 0.5, m.hi),
    "maximum, minimum, div, neg": lambda m, x: -autograd.maximum(x, m.hi) / (2 + autograd.minimum(x, 0) ** 2),
    "flatten everything": lambda m, x: x.reshape(-1),
    "prelu per unit": lambda m, x: m.act(x),
}


@needs_onnx
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", FUNCTIONS)
def test_ops_outside_modules_are_exported(name, dtype, tmp_path):
    model = Fn(FUNCTIONS[name], P=Tensor(np.arange(16.0).reshape(4, 4) / 8 - 1, dtype=dtype, requires_grad=True),
               hi=Tensor([1.0, -0.5, 0.0, 2.0], dtype=dtype), act=nn.PReLU(4, dtype=dtype))
    model.act.load_state_dict({"alpha": np.array([0.1, -0.5, 2.0, 0.3], dtype)})
    path = nn.export_onnx(model, tmp_path / "m.onnx", batches(4, [3])[0].astype(dtype))
    agree(model, path, batches(4, scale=1.5), dtype)


@needs_onnx
@pytest.mark.parametrize("opset", [13, 16, 18, 21, None])
def test_opsets_from_13_on(opset, tmp_path, tools):
    model = nn.MLP(3, [4, 3, 2], activation="maxout", rng=2)      # ReduceMax: axes an attribute until 17, then an input
    path = nn.export_onnx(model, tmp_path / "m.onnx", np.ones((2, 3)), opset=opset)
    assert tools[0].load(path).opset_import[0].version == (opset or 17)
    agree(model, path, batches(3), np.float64)


@needs_onnx
@pytest.mark.parametrize("opset", [12, 10_000, "17", True, 17.0])
def test_a_bad_opset_is_refused(opset, tmp_path):
    with pytest.raises(ValueError, match="opset must be an int from 13 to"):
        nn.export_onnx(nn.MLP(2, [2]), tmp_path / "m.onnx", np.ones((1, 2)), opset=opset)
    assert not (tmp_path / "m.onnx").exists()


@needs_onnx
def test_a_scalar_mlp_exports_through_its_tensor_twin(tmp_path):
    model = nn.scalar.MLP(3, [4, 2], activation="tanh", rng=3)
    x = batches(3, [5])[0]
    (got,) = session(nn.export_onnx(model, tmp_path / "m.onnx", x)).run(None, {"input": x})
    want = [[v.data for v in model([autograd.Value(float(a)) for a in row])] for row in x]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)


class Branchy(nn.Module):
    def forward(self, x):
        return x.relu() if len(x) < 5 else x.tanh()


def _impostor():
    fake_tanh = autograd.primitive(np.sin, vjp=lambda g, out, x: (g * np.cos(x),), name="tanh")
    return Fn(lambda m, x: fake_tanh(x))


@needs_onnx
@pytest.mark.parametrize("model, example, error, match", [
    (Fn(lambda m, x: x.sin()), np.ones((2, 3)), ValueError, r"op 'sin' \(output shape \(2, 3\)\) has no ONNX transl"),
    (_impostor(), np.ones((2, 3)), ValueError, r"op 'tanh' .* is not autograd's 'tanh'"),
    (Branchy(), np.ones((4, 3)), ValueError, "different graphs for a batch of 4 and one of 5"),
    (Fn(lambda m, x: x * Tensor(x.data.mean())), np.ones((2, 3)) * np.arange(3), ValueError,
     r"constant of shape \(\) used by op 'mul' changes with the input"),
    (Fn(lambda m, x: x.mean()), np.ones((2, 3)), ValueError, "batch size outside the graph"),
    (Fn(lambda m, x: x.reshape(2, -1)), np.ones((2, 3)), ValueError, "fails on one of 3 rows"),
    (Fn(lambda m, x: (x @ x.T).reshape(len(x), len(x), 1)), np.ones((2, 3)), ValueError, "Reshape infers one only"),
    (Fn(lambda m, x: Tensor(x.data * 2)), np.ones((2, 3)), ValueError, "does not depend on its input"),
    (Fn(lambda m, x: (x, x)), np.ones((2, 3)), TypeError, "returned a tuple"),
    (nn.MLP(3, [2]), np.ones((2, 3), np.float32), TypeError, r"parameter 'layers.0.W' is float64 but example_input"),
    (nn.MLP(3, [2]), np.ones((2, 3), int), TypeError, "example_input has dtype int64"),
    (nn.MLP(3, [2]), np.ones(3), ValueError, r"no batch axis; pass a batch.*\(1, 3\)"),
    (nn.scalar.Layer(3, 2), np.ones((2, 3)), TypeError, "only nn.scalar.MLP exports"),
    ("not a model", np.ones((2, 3)), TypeError, "expects an nn.Module"),
])
def test_what_cannot_be_exported_is_a_clear_error_and_no_file(model, example, error, match, tmp_path):
    with pytest.raises(error, match=match):
        nn.export_onnx(model, tmp_path / "m.onnx", example)
    assert os.listdir(tmp_path) == []


@needs_onnx
def test_an_existing_file_is_kept_unless_overwrite(tmp_path):
    path = tmp_path / "m.onnx"
    path.write_bytes(b"mine")
    model, x = nn.MLP(3, [2], rng=0), np.ones((1, 3))
    with pytest.raises(FileExistsError, match="overwrite=True"):
        nn.export_onnx(model, path, x)
    assert path.read_bytes() == b"mine" and os.listdir(tmp_path) == ["m.onnx"]
    assert nn.export_onnx(model, path, x, overwrite=True) == os.fspath(path)
    agree(model, path, [x], np.float64)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        nn.export_onnx(model, tmp_path / "missing" / "m.onnx", x)


def test_without_onnx_the_error_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "onnx", None)                  # import onnx now raises ImportError
    for name in ("nn.export.onnx", "nn.export.onnx_ops"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    with pytest.raises(ImportError, match=r"pip install 'graphgrad\[onnx\]'"):
        nn.export_onnx(nn.MLP(2, [2]), tmp_path / "m.onnx", np.ones((1, 2)))
