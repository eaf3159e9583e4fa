"""Losses and penalties: values against numpy formulas, gradients against central differences (float64),
the scalar engine against the tensor engine, and the errors for bad targets."""
import numpy as np
import pytest

import autograd
from autograd import Tensor, Value
from nn import functional as F

RNG = np.random.default_rng(0)


def _away_from(x, kinks, gap=0.05):
    """x nudged so no entry lies within `gap` of a kink (central differences straddle kinks otherwise)."""
    for k in kinks:
        near = np.abs(x - k) < gap
        x = np.where(near, k + np.where(x >= k, gap, -gap) * 2, x)
    return x


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


# name, loss call, pred (n, 3) data, target, numpy reference of the per-element/per-row loss
X = RNG.standard_normal((6, 3))
Y_REAL = RNG.standard_normal((6, 3))
Y_PM = RNG.choice([-1.0, 1.0], size=(6, 3))
Y_01 = RNG.choice([0.0, 1.0], size=(6, 3))
Y_CLS = np.array([0, 2, 1, 1, 0, 2])
BW = RNG.uniform(0.5, 2.0, (6, 1))                 # a weight per row, broadcast along the columns
PW = np.array([0.5, 1.0, 3.0])                     # a positive weight per column (class)
XH = _away_from(X * 2, [-1, 1])                    # hinge kinks at y * s = 1
XM = _away_from(X, [0])


def _svm_rows(s, y, margin=1.0):
    m = np.maximum(0, s - s[np.arange(len(y)), y][:, None] + margin)
    m[np.arange(len(y)), y] = 0
    return m.sum(axis=1)


def _ce_rows(s, y):
    z = s - s.max(axis=1, keepdims=True)
    return -(z - np.log(np.exp(z).sum(axis=1, keepdims=True)))[np.arange(len(y)), y]


CASES = [
    ("mse", lambda p, r: F.mse_loss(p, Y_REAL, reduction=r), X, lambda s: (s - Y_REAL) ** 2),
    ("mse_half", lambda p, r: F.mse_loss(p, Y_REAL, reduction=r, half=True), X, lambda s: 0.5 * (s - Y_REAL) ** 2),
    ("l1", lambda p, r: F.l1_loss(p, Y_REAL + 0.3, reduction=r), XM, lambda s: np.abs(s - Y_REAL - 0.3)),
    ("hinge", lambda p, r: F.hinge_loss(p, Y_PM, reduction=r), XH, lambda s: np.maximum(0, 1 - Y_PM * s)),
    ("bce", lambda p, r: F.binary_cross_entropy_with_logits(p, Y_01, reduction=r), X * 3,
     lambda s: -(Y_01 * np.log(_sigmoid(s)) + (1 - Y_01) * np.log(1 - _sigmoid(s)))),
    ("bce_weights", lambda p, r: F.binary_cross_entropy_with_logits(p, Y_01, r, weight=BW, pos_weight=PW), X * 3,
     lambda s: -BW * (PW * Y_01 * np.log(_sigmoid(s)) + (1 - Y_01) * np.log(1 - _sigmoid(s)))),
    ("cross_entropy", lambda p, r: F.cross_entropy(p, Y_CLS, reduction=r), X * 3, lambda s: _ce_rows(s, Y_CLS)),
    ("multiclass_hinge", lambda p, r: F.multiclass_hinge_loss(p, Y_CLS, reduction=r), X, lambda s: _svm_rows(s, Y_CLS)),
    ("multiclass_hinge_m0.5", lambda p, r: F.multiclass_hinge_loss(p, Y_CLS, margin=0.5, reduction=r), X,
     lambda s: _svm_rows(s, Y_CLS, 0.5)),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("name, loss, x, ref", CASES, ids=IDS)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_value_matches_numpy(name, loss, x, ref, reduction):
    out = loss(Tensor(x), reduction).data
    want = {"mean": np.mean, "sum": np.sum, "none": lambda a: a}[reduction](ref(x))
    np.testing.assert_allclose(out, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name, loss, x, ref", CASES, ids=IDS)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_gradcheck(name, loss, x, ref, reduction):
    assert autograd.gradcheck(lambda p: loss(p, reduction), Tensor(x, requires_grad=True))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_weights_match_torch(reduction):
    torch = pytest.importorskip("torch")
    x, xt = Tensor(X * 3, requires_grad=True), torch.tensor(X * 3, requires_grad=True)
    ours = F.binary_cross_entropy_with_logits(x, Y_01, reduction, weight=BW, pos_weight=PW)
    theirs = torch.nn.functional.binary_cross_entropy_with_logits(
        xt, torch.tensor(Y_01), weight=torch.tensor(BW), pos_weight=torch.tensor(PW), reduction=reduction)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)
    g = RNG.standard_normal(ours.shape)
    ours.backward(g)
    theirs.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_bce_gradient_exact_at_zero_logit():
    # zero-initialised logistic regression starts at logit 0: the gradient there must be sigmoid(0) - y
    x = Tensor(np.zeros(4), requires_grad=True)
    y = np.array([0.0, 1.0, 1.0, 0.0])
    F.binary_cross_entropy_with_logits(x, y, reduction="sum").backward()
    np.testing.assert_array_equal(x.grad, 0.5 - y)
    x0 = Tensor(np.zeros(4), requires_grad=True)
    assert autograd.gradcheck(lambda p: F.binary_cross_entropy_with_logits(p, y), x0)


def test_gradcheck_catches_the_naive_relu_form_at_zero():
    # proof the check above can fail: max(x, 0) as relu() has subgradient 0 at 0, giving -y instead of 0.5 - y
    y = np.array([0.0, 1.0])

    def naive(x):
        return (x.relu() - x * y + (1 + (-x.abs()).exp()).log()).sum()
    with pytest.raises(AssertionError, match="gradcheck failed"):
        autograd.gradcheck(naive, Tensor(np.zeros(2), requires_grad=True))


def test_bce_and_cross_entropy_stable_for_huge_logits():
    x = Tensor(np.array([1000.0, -1000.0, 800.0]), requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, [1, 0, 0], reduction="none")
    np.testing.assert_allclose(loss.data, [0.0, 0.0, 800.0])
    loss.sum().backward()
    np.testing.assert_allclose(x.grad, [0.0, 0.0, 1.0])
    z = Tensor(np.array([[1000.0, 0.0, -1000.0]]), requires_grad=True)
    ce = F.cross_entropy(z, [1])
    ce.backward()
    assert ce.item() == pytest.approx(1000.0) and np.isfinite(z.grad).all()


def test_cross_entropy_of_uniform_logits_is_log_classes():
    assert F.cross_entropy(Tensor(np.zeros((4, 10))), np.arange(4)).item() == pytest.approx(np.log(10))


def test_cross_entropy_keeps_float32():
    x = Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    loss = F.cross_entropy(x, [0, 1])
    loss.backward()
    assert loss.dtype == np.float32 and x.grad.dtype == np.float32


# --- the scalar engine ---------------------------------------------------------------------------
VALUE_CASES = [
    ("mse", lambda p, y, r: F.mse_loss(p, y, reduction=r), Y_REAL[:, 0], X[:, 0]),
    ("l1", lambda p, y, r: F.l1_loss(p, y, reduction=r), Y_REAL[:, 0], XM[:, 0] + 0.01),
    ("hinge", lambda p, y, r: F.hinge_loss(p, y, reduction=r), Y_PM[:, 0], XH[:, 0]),
    ("bce", lambda p, y, r: F.binary_cross_entropy_with_logits(p, y, reduction=r), Y_01[:, 0], X[:, 0] * 3),
    ("bce_weights", lambda p, y, r: F.binary_cross_entropy_with_logits(p, y, r, weight=BW[:, 0], pos_weight=2.5),
     Y_01[:, 0], X[:, 0] * 3),
]


@pytest.mark.parametrize("name, loss, y, x", VALUE_CASES, ids=[c[0] for c in VALUE_CASES])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_values_agree_with_tensor(name, loss, y, x, reduction):
    vs = [Value(float(v)) for v in x]
    lv = loss(vs, y, reduction)
    lv.backward()
    t = Tensor(x, requires_grad=True)
    lt = loss(t, y, reduction)
    lt.backward()
    assert lv.data == pytest.approx(lt.item(), rel=1e-12)
    np.testing.assert_allclose([v.grad for v in vs], t.grad, rtol=1e-12, atol=1e-15)
    assert autograd.gradcheck(lambda *ps: loss(list(ps), y, reduction), *[Value(float(v)) for v in x])


@pytest.mark.parametrize("loss", [F.cross_entropy, F.multiclass_hinge_loss,
                                  lambda s, y, reduction: F.multiclass_hinge_loss(s, y, 0.3, reduction)])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_multiclass_losses_on_rows_of_values_agree_with_tensor(loss, reduction):
    x = XM * 3
    rows = [[Value(v) for v in r] for r in x.tolist()]
    lv = loss(rows, Y_CLS, reduction=reduction)
    t = Tensor(x, requires_grad=True)
    lt = loss(t, Y_CLS, reduction=reduction)
    if reduction == "none":
        np.testing.assert_allclose([v.data for v in lv], lt.data, rtol=1e-12)
        return
    lv.backward()
    lt.backward()
    assert lv.data == pytest.approx(lt.item(), rel=1e-12)
    np.testing.assert_allclose([[v.grad for v in r] for r in rows], t.grad, rtol=1e-10, atol=1e-14)
    flat = [Value(v) for v in x.flat]
    assert autograd.gradcheck(lambda *ps: loss([list(ps[i:i + 3]) for i in range(0, 18, 3)], Y_CLS,
                                               reduction=reduction), *flat)


def test_value_cross_entropy_is_stable():
    row = [Value(1000.0), Value(0.0), Value(-1000.0)]
    loss = F.cross_entropy([row], [1])
    loss.backward()
    assert loss.data == pytest.approx(1000.0) and [v.grad for v in row] == pytest.approx([1.0, -1.0, 0.0])


def test_values_nested_and_none_reduction_keep_shape():
    # a scalar MLP with one output still returns a list per example: [[s0], [s1]]
    out = F.hinge_loss([[Value(0.5)], [Value(-3.0)]], [[1], [-1]], reduction="none")
    assert [[v.data for v in row] for row in out] == [[0.5], [0.0]]


def test_values_with_value_targets():
    a, b = Value(1.0), Value(3.0)
    loss = F.mse_loss([a], [b], reduction="sum")
    loss.backward()
    assert (loss.data, a.grad, b.grad) == (4.0, -4.0, 4.0)


# --- penalties -----------------------------------------------------------------------------------
def test_penalties_tensor_and_value():
    W, b = Tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True), Tensor([-1.0, 0.0], requires_grad=True)
    l2 = F.l2_penalty([W, b])
    l2.backward()
    assert l2.item() == pytest.approx(1 + 4 + 9 + 0.25 + 1)
    np.testing.assert_allclose(W.grad, 2 * W.data)
    assert F.l1_penalty([W, b]).item() == pytest.approx(7.5)
    vs = [Value(2.0), Value(-3.0)]
    assert F.l2_penalty(iter(vs)).data == 13.0 and F.l1_penalty(vs).data == 5.0
    assert autograd.gradcheck(lambda w: F.l2_penalty([w]) + F.l1_penalty([w]),
                              Tensor(_away_from(X, [0]), requires_grad=True))


@pytest.mark.parametrize("call, match", [
    (lambda: F.l2_penalty([]), "nothing to sum"),
    (lambda: F.l2_penalty([np.ones(3)]), "ndarray, expected a Tensor or Value"),
    (lambda: F.l1_penalty([Tensor([1.0]), Value(1.0)]), "mix Tensors and Values"),
])
def test_penalty_errors(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


# --- errors --------------------------------------------------------------------------------------
S = Tensor(np.zeros((3, 4)))


@pytest.mark.parametrize("call, match", [
    (lambda: F.cross_entropy(S, [0.0, 1.0, 2.0]), r"integer class indices, got dtype float64 \(convert"),
    (lambda: F.cross_entropy(S, [0, 4, -1]),
     r"in \[0, 3\] for 4 classes \(or ignore_index=-100\); got \[-1, 4\] at rows \[1, 2\]"),
    (lambda: F.cross_entropy(S, [0, 1]), r"shape \(3,\).*got shape \(2,\)"),
    (lambda: F.cross_entropy(S, np.eye(4, dtype=int)[:3]), "one-hot targets pass y.argmax"),
    (lambda: F.cross_entropy(Tensor(np.zeros(4)), [1]), r"shape \(batch, classes\), got \(4,\)"),
    (lambda: F.cross_entropy([Value(0.0)], [0]), r"shape \(batch, classes\), got \(1,\)"),
    (lambda: F.cross_entropy(S, [0, 1, 2], reduction="avg"), "reduction must be one of"),
    (lambda: F.multiclass_hinge_loss([[Value(0.0)]], [0], reduction=None), "reduction must be one of"),
    (lambda: F.multiclass_hinge_loss(S, [0, 1, 9]), r"got \[9\] at rows \[2\]"),
    (lambda: F.multiclass_hinge_loss(S, [0, 1, 2], margin=-1), "margin must be a finite number >= 0"),
    (lambda: F.hinge_loss(Tensor(np.zeros(3)), [0, 1, 1]), r"-1 or \+1, but 1 of 3 are not, e.g. \[0\]; for 0/1"),
    (lambda: F.binary_cross_entropy_with_logits(Tensor(np.zeros(3)), [-1, 1, 1]), r"0 or 1.*\[-1\]; for -1/\+1"),
    (lambda: F.binary_cross_entropy_with_logits([Value(0.0)], [2]), r"0 or 1.*\[2\]"),
    (lambda: F.mse_loss(Tensor(np.zeros((3, 1))), np.zeros(3)), r"\(3, 1\) but targets have shape \(3,\).*reshape"),
    (lambda: F.hinge_loss([Value(1.0)], [1, -1]), r"\(1,\) but targets have shape \(2,\)"),
    (lambda: F.mse_loss(Tensor(np.zeros(3)), np.zeros(3), reduction="avg"), "one of .'mean', 'sum', 'none'."),
    (lambda: F.binary_cross_entropy_with_logits(Tensor(np.zeros((3, 2))), np.zeros((3, 2)), pos_weight=[1, 2, 3]),
     r"pos_weight of shape \(3,\) .* broadcast to the predictions' shape \(3, 2\)"),
    (lambda: F.mse_loss(np.zeros(3), np.zeros(3)), "must be a Tensor or a .nested. list of Values, got ndarray"),
    (lambda: F.l1_loss([[Value(1.0)], [Value(2.0), Value(3.0)]], [1, 2]), "ragged"),
])
def test_bad_targets_raise_clearly(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
