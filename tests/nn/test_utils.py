"""nn.utils gradient clipping: by hand, against torch.nn.utils in float64, on Tensors and Values, in place."""
import numpy as np
import pytest

import nn
from autograd import Tensor, Value
from nn.utils import clip_grad_norm_, clip_grad_value_

RNG = np.random.default_rng(7)
SHAPES = [(3, 4), (4,), (2, 2, 2)]


def _tensors(scale=1.0):
    ps = [Tensor(np.zeros(s), requires_grad=True) for s in SHAPES]
    for p in ps:
        p.grad = RNG.standard_normal(p.shape) * scale
    return ps


def test_norm_by_hand_on_tensors_and_values():
    t, v = Tensor([0.0], requires_grad=True), Value(0.0)
    t.grad, v.grad = np.array([3.0]), 4.0
    grad = t.grad
    total = clip_grad_norm_([t, v], max_norm=1.0)
    assert total == 5.0 and total.item() == 5.0
    assert t.grad is grad                                   # in place
    np.testing.assert_allclose([t.grad[0], v.grad], [0.6, 0.8], rtol=1e-6)
    t.grad, v.grad = np.array([3.0]), -4.0
    assert clip_grad_norm_([t, v], 1.0, norm_type="inf") == 4.0
    np.testing.assert_allclose([t.grad[0], v.grad], [0.75, -1.0], rtol=1e-6)
    t.grad, v.grad = np.array([3.0]), -4.0
    assert clip_grad_norm_([t, v], 100.0, norm_type=1) == 7.0
    assert (t.grad[0], v.grad) == (3.0, -4.0)               # under max_norm: untouched, bit for bit


def test_skips_missing_grads_and_scales_a_shared_array_once():
    a, b, c = (Tensor([0.0, 0.0], requires_grad=True) for _ in range(3))
    a.grad = b.grad = np.array([6.0, 8.0])                  # one array held by two parameters
    assert clip_grad_norm_([a, b, c, a], 5.0) == pytest.approx(np.sqrt(200.0))
    np.testing.assert_allclose(a.grad, np.array([6.0, 8.0]) * 5.0 / (np.sqrt(200.0) + 1e-6))
    assert c.grad is None
    assert clip_grad_norm_([c], 1.0) == 0.0                 # nothing to clip: norm 0, as PyTorch


def test_nonfinite_norm():
    a = Tensor([0.0, 0.0], requires_grad=True)
    a.grad = np.array([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="total norm of order 2.0 of the gradients is inf"):
        clip_grad_norm_([a], 1.0, error_if_nonfinite=True)
    assert a.grad[1] == 1.0                                 # the error came first
    assert clip_grad_norm_([a], 1.0) == np.inf
    assert np.isnan(a.grad[0]) and a.grad[1] == 0.0        # inf * 0 and 1 * 0, as PyTorch


def test_scalar_twin_clips_like_the_tensor_model():
    mlp = nn.MLP(3, [4, 2], activation="tanh", rng=0)
    twin = nn.scalar.MLP.from_tensor(mlp)
    x, y = RNG.standard_normal((5, 3)), RNG.standard_normal((5, 2))
    nn.F.mse_loss(mlp(Tensor(x)), y).backward()
    nn.F.mse_loss([twin(list(r)) for r in x], y).backward()
    norms = [clip_grad_norm_(m.parameters(), 0.1) for m in (mlp, twin)]
    assert norms[0] == pytest.approx(norms[1], rel=1e-12) and norms[0] > 0.1
    for (name, p), (_, q) in zip(mlp.named_parameters(), twin.named_parameters()):
        np.testing.assert_allclose(np.vectorize(lambda v: v.grad)(q), p.grad, rtol=1e-10, err_msg=name)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_norm_matches_torch(norm_type, max_norm):
    torch = pytest.importorskip("torch")
    ps = _tensors()
    ts = [torch.zeros(p.shape, dtype=torch.float64, requires_grad=True) for p in ps]
    for p, t in zip(ps, ts):
        t.grad = torch.tensor(p.grad)
    ours = clip_grad_norm_(ps, max_norm, norm_type)
    theirs = torch.nn.utils.clip_grad_norm_(ts, max_norm, norm_type)
    assert ours == pytest.approx(theirs.item(), rel=1e-12)
    for p, t in zip(ps, ts):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-12)


def test_value_clipping_by_hand_and_against_torch():
    t, v, w = Tensor([0.0, 0.0, 0.0], requires_grad=True), Value(0.0), Value(0.0)
    t.grad, v.grad, w.grad = np.array([-3.0, 0.5, np.nan]), 2.0, float("nan")
    clip_grad_value_([t, v, w], 1.0)
    assert t.grad[:2].tolist() == [-1.0, 0.5] and np.isnan(t.grad[2]) and v.grad == 1.0 and np.isnan(w.grad)
    torch = pytest.importorskip("torch")
    ps = _tensors(scale=2.0)
    ts = [torch.zeros(p.shape, dtype=torch.float64, requires_grad=True) for p in ps]
    for p, q in zip(ps, ts):
        q.grad = torch.tensor(p.grad)
    clip_grad_value_(ps, 0.7)
    torch.nn.utils.clip_grad_value_(ts, 0.7)
    for p, q in zip(ps, ts):
        np.testing.assert_array_equal(p.grad, q.grad.numpy())


def test_create_graph_grads_are_refused():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward(create_graph=True)
    with pytest.raises(TypeError, match=r"\.grad is a Tensor \(from backward\(create_graph=True\)\)"):
        clip_grad_norm_([x], 1.0)


@pytest.mark.parametrize("call, match", [
    (lambda: clip_grad_norm_([Value(1.0)], -1.0), "max_norm must be a number >= 0"),
    (lambda: clip_grad_norm_([Value(1.0)], float("nan")), "max_norm must be"),
    (lambda: clip_grad_norm_([Value(1.0)], 1.0, norm_type=0), "norm_type must be a number > 0 or inf"),
    (lambda: clip_grad_norm_([np.ones(2)], 1.0), "parameter 0 is a ndarray, expected a Tensor or Value"),
    (lambda: clip_grad_value_([Value(1.0)], -0.5), "clip_value must be a number >= 0"),
])
def test_bad_arguments(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
