"""cross_entropy's PyTorch options (weight, ignore_index, label_smoothing, class-probability targets), nll_loss
and multi_margin_loss: values against loop-by-loop numpy references, gradients against central differences
(float64), the scalar engine against the tensor engine, torch float64 when installed, and the errors."""
import numpy as np
import pytest

import autograd
from autograd import Tensor, Value
from nn import F

RNG = np.random.default_rng(11)
N, C = 6, 4
X = RNG.standard_normal((N, C)) * 2
Y = np.array([0, 3, 1, 1, 2, 3])
Y_IGN = np.array([0, -100, 1, -100, 2, 3])
W = np.array([1.0, 2.0, 0.5, 3.0])
P = np.exp(RNG.standard_normal((N, C)))
P /= P.sum(axis=1, keepdims=True)                    # class probabilities, rows summing to 1
X_SPACED = 0.3 * RNG.integers(-4, 5, (N, C)) + 0.01 * RNG.standard_normal((N, C))   # margins away from kinks


def _logp(x):
    z = x - x.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def _reduce(rows, reduction, denom):
    return {"none": rows, "sum": rows.sum(), "mean": rows.sum() / denom}[reduction]


def _ce_ref(x, y, reduction, weight=None, ignore_index=-100, label_smoothing=0.0, log_probs=False):
    """PyTorch's documented cross-entropy, one row at a time."""
    logp, (n, c) = (x if log_probs else _logp(x)), x.shape
    w, eps = np.ones(c) if weight is None else weight, label_smoothing
    if y.ndim == 2:                                   # probabilities: the mean is over rows
        t = y * (1 - eps) + eps / c
        return _reduce(np.array([-(w * t[i] * logp[i]).sum() for i in range(n)]), reduction, n)
    rows, wsum = np.zeros(n), 0.0
    for i in range(n):
        if y[i] != ignore_index:
            rows[i] = (1 - eps) * -w[y[i]] * logp[i, y[i]] + eps / c * -(w * logp[i]).sum()
            wsum += w[y[i]]
    return _reduce(rows, reduction, wsum)


def _margin_ref(x, y, reduction, p=1, margin=1.0, weight=None):
    n, c = x.shape
    w = np.ones(c) if weight is None else weight
    rows = np.array([sum(w[y[i]] * max(0.0, margin - x[i, y[i]] + x[i, j]) ** p for j in range(c) if j != y[i]) / c
                     for i in range(n)])
    return _reduce(rows, reduction, n)


CASES = {   # name: (loss(x, reduction), numpy reference(x, reduction), input)
    "ce weight": (lambda x, r: F.cross_entropy(x, Y, r, weight=W), lambda x, r: _ce_ref(x, Y, r, W), X),
    "ce ignore": (lambda x, r: F.cross_entropy(x, Y_IGN, r), lambda x, r: _ce_ref(x, Y_IGN, r), X),
    "ce ignore 1": (lambda x, r: F.cross_entropy(x, Y, r, ignore_index=1),
                    lambda x, r: _ce_ref(x, Y, r, ignore_index=1), X),
    "ce smoothing": (lambda x, r: F.cross_entropy(x, Y, r, label_smoothing=0.2),
                     lambda x, r: _ce_ref(x, Y, r, label_smoothing=0.2), X),
    "ce all three": (lambda x, r: F.cross_entropy(x, Y_IGN, r, weight=W, label_smoothing=0.1),
                     lambda x, r: _ce_ref(x, Y_IGN, r, W, label_smoothing=0.1), X),
    "ce probabilities": (lambda x, r: F.cross_entropy(x, P, r), lambda x, r: _ce_ref(x, P, r), X),
    "ce probabilities weight smoothing": (lambda x, r: F.cross_entropy(x, P, r, weight=W, label_smoothing=0.3),
                                          lambda x, r: _ce_ref(x, P, r, W, label_smoothing=0.3), X),
    "nll": (lambda x, r: F.nll_loss(x, Y, r), lambda x, r: _ce_ref(x, Y, r, log_probs=True), X),
    "nll weight ignore": (lambda x, r: F.nll_loss(x, Y_IGN, r, weight=W),
                          lambda x, r: _ce_ref(x, Y_IGN, r, W, log_probs=True), X),
    "margin": (lambda x, r: F.multi_margin_loss(x, Y, reduction=r), lambda x, r: _margin_ref(x, Y, r), X_SPACED),
    "margin p2 weight": (lambda x, r: F.multi_margin_loss(x, Y, p=2, margin=0.5, weight=W, reduction=r),
                         lambda x, r: _margin_ref(x, Y, r, 2, 0.5, W), X_SPACED),
}
REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("loss, ref, x", CASES.values(), ids=list(CASES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_value_matches_reference(loss, ref, x, reduction):
    np.testing.assert_allclose(loss(Tensor(x), reduction).data, ref(x, reduction), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("loss, ref, x", CASES.values(), ids=list(CASES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gradcheck(loss, ref, x, reduction):
    assert autograd.gradcheck(lambda t: loss(t, reduction), Tensor(x, requires_grad=True))


@pytest.mark.parametrize("loss, ref, x", CASES.values(), ids=list(CASES))
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_values_agree_with_tensor(loss, ref, x, reduction):
    rows = [[Value(v) for v in r] for r in x.tolist()]
    lv = loss(rows, reduction)
    lv.backward()
    t = Tensor(x, requires_grad=True)
    lt = loss(t, reduction)
    lt.backward()
    assert lv.data == pytest.approx(lt.item(), rel=1e-12)
    np.testing.assert_allclose([[v.grad for v in r] for r in rows], t.grad, rtol=1e-10, atol=1e-14)


def test_value_gradcheck_with_options():
    flat = [Value(v) for v in X.flat]
    assert autograd.gradcheck(lambda *ps: F.cross_entropy([list(ps[i:i + C]) for i in range(0, N * C, C)], Y_IGN,
                                                          weight=W, label_smoothing=0.1), *flat)


TORCH_CASES = {
    "ce weight": lambda f, x, r: f.cross_entropy(x, Y, weight=W, reduction=r),
    "ce ignore": lambda f, x, r: f.cross_entropy(x, Y_IGN, reduction=r),
    "ce all three": lambda f, x, r: f.cross_entropy(x, Y_IGN, weight=W, label_smoothing=0.1, reduction=r),
    "ce probabilities": lambda f, x, r: f.cross_entropy(x, P, weight=W, label_smoothing=0.3, reduction=r),
    "nll weight ignore": lambda f, x, r: f.nll_loss(x, Y_IGN, weight=W, ignore_index=-100, reduction=r),
    "margin p2 weight": lambda f, x, r: f.multi_margin_loss(x, Y, p=2, margin=0.5, weight=W, reduction=r),
    "margin": lambda f, x, r: f.multi_margin_loss(x, Y, reduction=r),
}


@pytest.mark.parametrize("call", TORCH_CASES.values(), ids=list(TORCH_CASES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_matches_torch(call, reduction):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional

    class TorchF:                                     # the same call, its arrays as torch tensors
        def __getattr__(self, name):
            f = getattr(tf, name)
            return lambda *a, **k: f(*[_t(torch, v) for v in a], **{n: _t(torch, v) for n, v in k.items()})
    x = X_SPACED
    t = Tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    ours, theirs = call(F, t, reduction), call(TorchF(), xt, reduction)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-14)
    g = RNG.standard_normal(ours.shape)
    ours.backward(g)
    theirs.backward(torch.tensor(g))
    np.testing.assert_allclose(t.grad, xt.grad.numpy(), rtol=1e-11, atol=1e-14)


def _t(torch, v):
    return torch.tensor(v) if isinstance(v, np.ndarray) else v


def test_probability_targets_as_a_tensor_get_gradients_as_in_torch():
    torch = pytest.importorskip("torch")
    x, t = Tensor(X, requires_grad=True), Tensor(P, requires_grad=True)
    xt, tt = torch.tensor(X, requires_grad=True), torch.tensor(P, requires_grad=True)
    F.cross_entropy(x, t, label_smoothing=0.2).backward()
    torch.nn.functional.cross_entropy(xt, tt, label_smoothing=0.2).backward()
    np.testing.assert_allclose(t.grad, tt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12)


def test_all_targets_ignored_gives_nan_and_no_gradient():
    for weight in (None, W):
        x = Tensor(X, requires_grad=True)
        loss = F.cross_entropy(x, np.full(N, -100), weight=weight, label_smoothing=0.1)
        loss.backward()
        assert np.isnan(loss.item()) and (x.grad == 0).all()          # as torch: nan, zero gradients
    assert np.isnan(F.cross_entropy(Tensor(np.zeros((0, C))), np.zeros(0, int), weight=W).item())


def test_plain_case_uses_the_fused_primitive():
    x = Tensor(X, requires_grad=True)
    assert F.cross_entropy(x, Y)._op == "softmax_cross_entropy"
    assert F.cross_entropy(x, Y, ignore_index=2 + C)._op == "softmax_cross_entropy"   # nothing to ignore
    assert F.cross_entropy(x, Y_IGN)._op != "softmax_cross_entropy"


def test_float32_stays_float32_with_options():
    x = Tensor(X.astype(np.float32), requires_grad=True)
    for loss in (F.cross_entropy(x, Y_IGN, weight=W, label_smoothing=0.1), F.cross_entropy(x, P),
                 F.multi_margin_loss(x, Y, weight=W)):
        x.grad = None
        loss.backward()
        assert loss.dtype == np.float32 and x.grad.dtype == np.float32


@pytest.mark.parametrize("call, match", [
    (lambda: F.cross_entropy(Tensor(X), Y, W), "got a ndarray: the third argument is the reduction here; weights"),
    (lambda: F.cross_entropy(Tensor(X), Y, weight=W[:3]), r"one finite number >= 0 per class, shape \(4,\)"),
    (lambda: F.cross_entropy(Tensor(X), Y, weight=-W), "per class"),
    (lambda: F.cross_entropy(Tensor(X), Y, weight=Tensor(W, requires_grad=True)), "weight is a constant here"),
    (lambda: F.cross_entropy([[Value(0.0)] * C] * N, Tensor(P)), "Value logits take probability targets as num"),
    (lambda: F.cross_entropy(Tensor(X), Y, label_smoothing=1.5), r"label_smoothing must be a number in \[0, 1\]"),
    (lambda: F.cross_entropy(Tensor(X), Y, ignore_index=1.0), "ignore_index must be an int"),
    (lambda: F.cross_entropy(Tensor(X), P * 2), r"rows \[0, 1, 2, 3, 4\] do not \(sums \[2.0"),
    (lambda: F.cross_entropy(Tensor(X), P[:, :3] / P[:, :3].sum(1, keepdims=True)), r"scores' shape \(6, 4\)"),
    (lambda: F.cross_entropy(Tensor(X), P, ignore_index=0), "ignore_index is for class-index targets"),
    (lambda: F.cross_entropy(Tensor(X), np.eye(C, dtype=int)[Y]), "or y.astype.float. to use them as class prob"),
    (lambda: F.nll_loss(Tensor(X), Y + 1), r"got \[4\] at rows \[1, 5\]"),
    (lambda: F.multi_margin_loss(Tensor(X), Y, p=3), "p must be 1 or 2"),
    (lambda: F.multi_margin_loss(Tensor(X), Y, margin=np.inf), "margin must be a finite number"),
])
def test_bad_arguments(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
