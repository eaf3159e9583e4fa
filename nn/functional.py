"""Losses and weight penalties, composed from engine ops: no gradient code lives here.

A loss takes model outputs (a Tensor, or a list, or nested list, of Values) and targets (array-like, same
shape; class indices, or for cross_entropy class probabilities, for the multiclass losses) and reduces with
`reduction="mean"` (default), `"sum"` or `"none"`, the third positional argument; the PyTorch options
(weight, ignore_index, label_smoothing, pos_weight) are keyword-only. Bad targets raise ValueError naming
what was expected, because a loss that silently broadcasts (n, 1) against (n,) trains on garbage.
The loss modules (nn.CrossEntropyLoss, ...) are in nn/losses.py; shared checks in nn/lossbase.py.
"""
from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

import autograd
from autograd import Tensor, Value

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from autograd.hints import Node, Output

# the activations, so that nn.F has what torch.nn.functional users reach for
from .activations import (relu, sigmoid, tanh, leaky_relu, softmax, log_softmax, gelu, silu, softplus,  # noqa: F401
                          mish, logsigmoid, softsign, elu, selu, celu, hardtanh, relu6, hardsigmoid, hardswish)

from . import lossbase as lb


# --- elementwise losses -------------------------------------------------------------------------
def mse_loss(pred: Output, target: ArrayLike, reduction: str = "mean", half: bool = False) -> Node:
    """Squared error (pred - target)^2, times 1/2 when `half` (the convention whose gradient is pred - target)."""
    def f(x, t):
        d = x - t
        return d * d * 0.5 if half else d * d
    return lb.elementwise("mse_loss", f, pred, target, reduction)


def l1_loss(pred: Output, target: ArrayLike, reduction: str = "mean") -> Node:
    """Absolute error |pred - target|."""
    return lb.elementwise("l1_loss", lambda x, t: (x - t).abs(), pred, target, reduction)


def hinge_loss(scores: Output, targets: ArrayLike, reduction: str = "mean") -> Node:
    """Binary SVM loss max(0, 1 - y * score) for labels y in {-1, +1}."""
    lb.check_labels("hinge_loss", targets, (-1, 1), "-1 or +1", "for 0/1 labels pass 2 * y - 1")
    return lb.elementwise("hinge_loss", lambda s, y: (1 - y * s).relu(), scores, targets, reduction)


def binary_cross_entropy_with_logits(logits: Output, targets: ArrayLike, reduction: str = "mean", *,
                                     weight: ArrayLike | None = None, pos_weight: ArrayLike | None = None) -> Node:
    """Logistic loss -[p y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))] for y in {0, 1}, stable for any x;
    `pos_weight` p (default 1) weighs the positives, broadcast along the last axis; `weight` rescales each
    element (the mean still divides by the element count, as PyTorch)."""
    where = "binary_cross_entropy_with_logits"
    lb.check_labels(where, targets, (0, 1), "0 or 1", "for -1/+1 labels pass (y + 1) / 2")
    shape = logits.shape if isinstance(logits, Tensor) else lb.value_array(where, logits).shape
    consts = [lb.broadcast_weight(where, name, v, shape) for name, v in (("pos_weight", pos_weight),
                                                                          ("weight", weight)) if v is not None]

    def f(x, y, *c):
        ax = x.abs()
        # softplus(x) = log(1 + e^x) = max(x, 0) + log(1 + e^-|x|); max(x, 0) is written (x + |x|) / 2 so that
        # at x = 0 its subgradient 1/2 pairs with |x|'s 0 to give the true derivative sigmoid(0) - y.
        sp = (x + ax) * 0.5 + (1 + (-ax).exp()).log()
        if pos_weight is None:
            loss = sp - x * y                              # = y softplus(-x) + (1 - y) softplus(x)
        else:
            py = c[0] * y                                  # p y softplus(-x) + (1 - y) softplus(x),
            loss = sp * (1 - y + py) - x * py              # with softplus(-x) = sp - x
        return loss * c[-1] if weight is not None else loss
    return lb.elementwise(where, f, logits, targets, reduction, consts)


# --- losses over class scores (batch, classes) --------------------------------------------------
def cross_entropy(logits: Output, targets: ArrayLike, reduction: str = "mean", *, weight: ArrayLike | None = None,
                  ignore_index: int = -100, label_smoothing: float = 0.0) -> Node:
    """Softmax cross-entropy -sum_c t_c log softmax(logits)_c per row, against class indices (n,) or class
    probabilities (float (n, classes), rows summing to 1, which PyTorch does not check), as PyTorch's.

    weight[c] weighs class c; targets equal to ignore_index count for nothing; label_smoothing e mixes the
    targets with the uniform distribution, (1 - e) t + e / classes. With class indices the mean divides by
    the summed weights of the targets not ignored (nan if that is 0, as PyTorch), with probabilities by the rows."""
    where = "cross_entropy"
    logits, n, c = lb.check_scores(where, logits, reduction)
    w = lb.class_weight(where, weight, c)
    eps = _smoothing(where, label_smoothing)
    raw = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
    if raw.ndim == 2 and raw.dtype.kind == "f":
        return _soft_cross_entropy(where, logits, targets, w, eps, ignore_index, reduction)
    y, kept = lb.class_indices(where, targets, n, c, _ignore(where, ignore_index))
    if w is None and not eps and kept is None:             # the plain case
        if isinstance(logits, Tensor):
            return autograd.softmax_cross_entropy(logits, y, reduction)    # one fused, stable primitive
        return lb.reduce(_per_row(_value_nll, logits, y), reduction)
    return _nll(lb.log_softmax_rows(logits), y, kept, w, eps, reduction)


def nll_loss(log_probs: Output, targets: ArrayLike, reduction: str = "mean", *, weight: ArrayLike | None = None,
             ignore_index: int = -100) -> Node:
    """Negative log-likelihood -weight[t] log_probs[t] per row of (batch, classes) log-probabilities (e.g.
    log_softmax), as PyTorch's: the mean divides by the summed weights of the targets not ignored."""
    logp, n, c = lb.check_scores("nll_loss", log_probs, reduction)
    w = lb.class_weight("nll_loss", weight, c)
    y, kept = lb.class_indices("nll_loss", targets, n, c, _ignore("nll_loss", ignore_index))
    return _nll(logp, y, kept, w, 0.0, reduction)


def _nll(logp, y, kept, w, eps, reduction):
    """Weighted, smoothed negative log-likelihood of class indices y, given log-probabilities (n, c)."""
    n, c = logp.shape
    dtype = logp.dtype if isinstance(logp, Tensor) else np.float64
    kept = np.ones(n) if kept is None else kept            # (n,) 0 for an ignored row
    y0 = np.where(kept > 0, y, 0)                          # an ignored row picks class 0, then weighs 0
    wn = (w[y0] if w is not None else np.ones(n)) * kept   # (n,) each row's weight
    loss = -(logp[np.arange(n), y0] * wn.astype(dtype))
    if eps:                                                # smoothing: eps / c times every class's term
        spread = (logp * w.astype(dtype) if w is not None else logp).sum(axis=1) * kept.astype(dtype)
        loss = loss * (1 - eps) - spread * (eps / c)
    return lb.reduce(loss, reduction, denom=wn.sum())


def _soft_cross_entropy(where, logits, targets, w, eps, ignore_index, reduction):
    """-sum_c weight_c t_c log softmax(logits)_c per row for class probabilities t; the mean is over rows."""
    n, c = logits.shape
    if ignore_index != -100:
        raise ValueError(f"{where}: ignore_index is for class-index targets, not probabilities; leave it at -100")
    t = _probabilities(where, targets, n, c)
    if isinstance(t, Tensor) and not isinstance(logits, Tensor):
        raise TypeError(f"{where}: Value logits take probability targets as numbers (an array), not a Tensor")
    if eps:
        t = t * (1 - eps) + eps / c
    if w is not None:
        t = t * w.astype(t.dtype)
    dtype = logits.dtype if isinstance(logits, Tensor) else np.float64
    loss = -(lb.log_softmax_rows(logits) * (t if isinstance(t, Tensor) else t.astype(dtype))).sum(axis=1)
    return lb.reduce(loss, reduction, denom=n)


def _probabilities(where, targets, n, c):
    """Targets as (n, c) class probabilities (a Tensor keeps its graph): finite, >= 0, rows summing to 1."""
    raw = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
    if raw.shape != (n, c):
        raise ValueError(f"{where}: class-probability targets must have the scores' shape ({n}, {c}), got {raw.shape}")
    sums = raw.sum(axis=1)
    tol = np.sqrt(np.finfo(raw.dtype).eps)
    if not (np.isfinite(raw).all() and (raw >= 0).all() and np.allclose(sums, 1, rtol=0, atol=tol)):
        bad = np.flatnonzero(~np.isclose(sums, 1, rtol=0, atol=tol) | (raw < 0).any(axis=1) | ~np.isfinite(sums))
        raise ValueError(f"{where}: float targets of shape ({n}, {c}) are class probabilities: each row must be "
                         f">= 0 and sum to 1, but rows {bad[:5].tolist()} do not (sums {sums[bad[:5]].tolist()}); "
                         "for scores apply softmax first, for class indices pass integers")
    return targets if isinstance(targets, Tensor) else raw


def multiclass_hinge_loss(scores: Output, targets: ArrayLike, margin: float = 1.0, reduction: str = "mean") -> Node:
    """Multiclass SVM loss (CS231n): sum over wrong classes j of max(0, s_j - s_target + margin), per row."""
    scores, n, c = lb.check_scores("multiclass_hinge_loss", scores, reduction)
    y, _ = lb.class_indices("multiclass_hinge_loss", targets, n, c)
    if not (lb.is_real(margin) and 0 <= margin < np.inf):
        raise ValueError(f"multiclass_hinge_loss: margin must be a finite number >= 0, got {margin!r}")
    if not isinstance(scores, Tensor):
        return lb.reduce(_per_row(lambda row, t: _value_svm(row, t, margin), scores, y), reduction)
    return lb.reduce(_margins(scores, y, margin).sum(axis=1), reduction)


def multi_margin_loss(scores: Output, targets: ArrayLike, p: int = 1, margin: float = 1.0,
                      weight: ArrayLike | None = None, reduction: str = "mean") -> Node:
    """PyTorch's multi_margin_loss: sum over j != t of weight[t] max(0, margin - s_t + s_j)^p, divided by the
    number of classes (unlike multiclass_hinge_loss), per row; p is 1 or 2."""
    where = "multi_margin_loss"
    scores, n, c = lb.check_scores(where, scores, reduction)
    y, _ = lb.class_indices(where, targets, n, c)
    if p not in (1, 2) or isinstance(p, bool):
        raise ValueError(f"{where}: p must be 1 or 2 (as PyTorch), got {p!r}")
    if not (lb.is_real(margin) and np.isfinite(margin)):
        raise ValueError(f"{where}: margin must be a finite number, got {margin!r}")
    w = lb.class_weight(where, weight, c)
    m = _margins(scores, y, margin)                        # (n, c)
    rows = (m * m if p == 2 else m).sum(axis=1)
    scale = (w[y] if w is not None else np.ones(n)) / c
    return lb.reduce(rows * (scale.astype(scores.dtype) if isinstance(scores, Tensor) else scale), reduction)


def _margins(scores, y, margin):
    """max(0, s_j - s_target + margin) for every (row, class j), 0 at the target class: (n, c)."""
    n, c = scores.shape
    rows = np.arange(n)
    wrong = np.ones((n, c), scores.dtype if isinstance(scores, Tensor) else np.float64)
    wrong[rows, y] = 0                                     # the target class is not a margin violation
    correct = scores[rows, y].reshape(n, 1)                # (n, 1)
    return lb.each(scores - correct + margin, "relu") * wrong


def _value_nll(row, t):
    """-log softmax(row)[t] on Values: log sum e^v = m + log sum e^(v - m), with m = max v a constant."""
    m = max(v.data for v in row)
    return lb.total("cross_entropy", [(v - m).exp() for v in row]).log() + m - row[t]


def _value_svm(row, t, margin):
    """sum over j != t of max(0, s_j - s_t + margin) on Values (0 * s_t when there is no other class)."""
    return lb.total("multiclass_hinge_loss", [(s - row[t] + margin).relu() for j, s in enumerate(row) if j != t]
                    or [row[t] * 0])


def _per_row(f, rows, y):
    out = np.empty(len(y), dtype=object)
    for i, (row, t) in enumerate(zip(rows, y.tolist())):
        out[i] = f(list(row), t)
    return out


def _smoothing(where, eps):
    if not (lb.is_real(eps) and 0 <= eps <= 1):
        raise ValueError(f"{where}: label_smoothing must be a number in [0, 1], got {eps!r}")
    return float(eps)


def _ignore(where, ignore_index):
    if not isinstance(ignore_index, numbers.Integral) or isinstance(ignore_index, bool):
        raise ValueError(f"{where}: ignore_index must be an int (a class index to skip), got {ignore_index!r}")
    return int(ignore_index)


# --- penalties ----------------------------------------------------------------------------------
def l2_penalty(params: Iterable[Node]) -> Node:
    """Sum of squares of all parameters; add `lam * l2_penalty(ps)` (the notes' 0.5*lam*w^2 is `0.5 * lam * ...`)."""
    return lb.total("l2_penalty", [(p * p).sum() if isinstance(p, Tensor) else p * p for p in _nodes(params)])


def l1_penalty(params: Iterable[Node]) -> Node:
    """Sum of absolute values of all parameters; add `lam * l1_penalty(ps)`."""
    return lb.total("l1_penalty", [p.abs().sum() if isinstance(p, Tensor) else p.abs() for p in _nodes(params)])


def _nodes(params):
    params = list(params)
    for i, p in enumerate(params):
        if not isinstance(p, (Tensor, Value)):
            raise TypeError(f"penalty: parameter {i} is a {type(p).__name__}, expected a Tensor or Value "
                            "(pass model.parameters())")
    if len({type(p) for p in params}) > 1:
        raise TypeError("penalty: parameters mix Tensors and Values; the two engines' graphs cannot be summed "
                        "together, so penalize each model's parameters separately")
    return params
