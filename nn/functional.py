"""Losses and weight penalties, composed from engine ops: no gradient code lives here.

A loss takes model outputs (a Tensor; the elementwise losses also a list, or nested list, of Values)
and targets (array-like, same shape; class indices for the multiclass losses) and reduces with
`reduction="mean"` (default), `"sum"` or `"none"`. Bad targets raise ValueError naming what was
expected, because a loss that silently broadcasts (n, 1) against (n,) trains on garbage.
"""
import numbers

import numpy as np

import autograd
from autograd import Tensor, Value

# the activations, so that nn.F has what torch.nn.functional users reach for
from .activations import (relu, sigmoid, tanh, leaky_relu, softmax, log_softmax, gelu, silu, softplus,  # noqa: F401
                          mish, logsigmoid, softsign, elu, selu, celu, hardtanh, relu6, hardsigmoid, hardswish)

_REDUCTIONS = ("mean", "sum", "none")


# --- losses -------------------------------------------------------------------------------------
def mse_loss(pred, target, reduction="mean", half=False):
    """Squared error (pred - target)^2, times 1/2 when `half` (the convention whose gradient is pred - target)."""
    def f(x, t):
        d = x - t
        return d * d * 0.5 if half else d * d
    return _elementwise("mse_loss", f, pred, target, reduction)


def l1_loss(pred, target, reduction="mean"):
    """Absolute error |pred - target|."""
    return _elementwise("l1_loss", lambda x, t: (x - t).abs(), pred, target, reduction)


def hinge_loss(scores, targets, reduction="mean"):
    """Binary SVM loss max(0, 1 - y * score) for labels y in {-1, +1}."""
    _check_labels("hinge_loss", targets, (-1, 1), "-1 or +1", "for 0/1 labels pass 2 * y - 1")
    return _elementwise("hinge_loss", lambda s, y: (1 - y * s).relu(), scores, targets, reduction)


def binary_cross_entropy_with_logits(logits, targets, reduction="mean"):
    """Logistic loss -[y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))] for y in {0, 1}, stable for any x."""
    _check_labels("binary_cross_entropy_with_logits", targets, (0, 1), "0 or 1", "for -1/+1 labels pass (y + 1) / 2")

    def f(x, y):
        ax = x.abs()
        # = max(x, 0) - x y + log(1 + e^-|x|). max(x, 0) is written (x + |x|) / 2 so that at x = 0 its
        # subgradient 1/2 pairs with |x|'s 0 to give the true derivative sigmoid(0) - y.
        return (x + ax) * 0.5 - x * y + (1 + (-ax).exp()).log()
    return _elementwise("binary_cross_entropy_with_logits", f, logits, targets, reduction)


def cross_entropy(logits, targets, reduction="mean"):
    """Softmax cross-entropy: -log softmax(logits)[target] per row, from (batch, classes) logits and class indices."""
    logits, n, c = _check_scores("cross_entropy", logits, reduction)
    y = _class_indices("cross_entropy", targets, n, c)
    if not isinstance(logits, Tensor):
        return _reduce_values(_per_row(_value_nll, logits, y), reduction)
    return autograd.softmax_cross_entropy(logits, y, reduction)    # one fused, stable primitive


def multiclass_hinge_loss(scores, targets, margin=1.0, reduction="mean"):
    """Multiclass SVM loss: sum over wrong classes j of max(0, s_j - s_target + margin), per row."""
    scores, n, c = _check_scores("multiclass_hinge_loss", scores, reduction)
    y = _class_indices("multiclass_hinge_loss", targets, n, c)
    if not (_is_real(margin) and 0 <= margin < np.inf):
        raise ValueError(f"multiclass_hinge_loss: margin must be a finite number >= 0, got {margin!r}")
    if not isinstance(scores, Tensor):
        return _reduce_values(_per_row(lambda row, t: _value_svm(row, t, margin), scores, y), reduction)
    rows = np.arange(n)
    wrong = np.ones((n, c), scores.dtype)
    wrong[rows, y] = 0                                   # the target class is not a margin violation
    correct = scores[rows, y].reshape(n, 1)              # (n, 1)
    margins = (scores - correct + margin).relu() * wrong  # (n, c)
    return _reduce(margins.sum(axis=1), reduction)


def _value_nll(row, t):
    """-log softmax(row)[t] on Values: log sum e^v = m + log sum e^(v - m), with m = max v a constant."""
    m = max(v.data for v in row)
    return _total("cross_entropy", [(v - m).exp() for v in row]).log() + m - row[t]


def _value_svm(row, t, margin):
    """sum over j != t of max(0, s_j - s_t + margin) on Values (0 * s_t when there is no other class)."""
    return _total("multiclass_hinge_loss", [(s - row[t] + margin).relu() for j, s in enumerate(row) if j != t]
                  or [row[t] * 0])


def _per_row(f, rows, y):
    out = np.empty(len(y), dtype=object)
    for i, (row, t) in enumerate(zip(rows, y.tolist())):
        out[i] = f(list(row), t)
    return out


# --- penalties ----------------------------------------------------------------------------------
def l2_penalty(params):
    """Sum of squares of all parameters; add `lam * l2_penalty(ps)` (the notes' 0.5*lam*w^2 is `0.5 * lam * ...`)."""
    return _total("l2_penalty", [(p * p).sum() if isinstance(p, Tensor) else p * p for p in _nodes(params)])


def l1_penalty(params):
    """Sum of absolute values of all parameters; add `lam * l1_penalty(ps)`."""
    return _total("l1_penalty", [p.abs().sum() if isinstance(p, Tensor) else p.abs() for p in _nodes(params)])


# --- helpers ------------------------------------------------------------------------------------
def _elementwise(where, f, pred, target, reduction):
    """f(pred, target) elementwise on a Tensor or on a nested list of Values, then reduced."""
    _check_reduction(where, reduction)
    if isinstance(pred, Tensor):
        t = target if isinstance(target, Tensor) else np.asarray(target)
        _check_shape(where, pred.shape, t.shape)
        if not isinstance(t, Tensor) and t.dtype != pred.dtype:
            t = t.astype(pred.dtype if pred.dtype.kind == "f" else np.float64)
        return _reduce(f(pred, t), reduction)
    xs = _value_array(where, pred)
    t = np.asarray(target, dtype=object)
    _check_shape(where, xs.shape, t.shape)
    out = np.empty(xs.shape, dtype=object)
    for i, (x, ti) in enumerate(zip(xs.flat, t.flat)):
        out.flat[i] = f(x, ti if isinstance(ti, Value) else float(ti))
    return _reduce_values(out, reduction)


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _reduce_values(out, reduction):
    if reduction == "none":
        return out.tolist() if out.ndim else out.item()
    total = _total("loss", list(out.flat))
    return total * (1.0 / out.size) if reduction == "mean" else total


def _total(where, terms):
    """Sum of scalar nodes, left to right."""
    if not terms:
        raise ValueError(f"{where}: nothing to sum (empty input); pass at least one element or parameter")
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


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


def _value_array(where, pred):
    """A nested list of Values as an object array, or TypeError saying what a loss accepts."""
    try:
        xs = np.asarray(pred, dtype=object)
    except ValueError:                                   # ragged nesting
        xs = None
    if xs is None or not all(isinstance(x, Value) for x in xs.flat):
        raise TypeError(f"{where}: predictions must be a Tensor or a (nested) list of Values, got "
                        f"{type(pred).__name__} (ragged, or holding other things); wrap arrays with "
                        "autograd.tensor(...)")
    return xs


def _check_reduction(where, reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{where}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _check_shape(where, shape, target_shape):
    if tuple(shape) != tuple(target_shape):
        hint = ""
        if len(shape) == len(target_shape) + 1 and shape[-1] == 1:
            hint = "; for a single output column pass targets.reshape(-1, 1) or predictions.reshape(-1)"
        raise ValueError(f"{where}: predictions have shape {tuple(shape)} but targets have shape "
                         f"{tuple(target_shape)}; they must match exactly (no broadcasting){hint}")


def _check_labels(where, targets, allowed, names, fix):
    raw = np.asarray(targets.data if isinstance(targets, Tensor) else targets)
    if raw.dtype == object:                              # targets given as Values
        raw = np.array([x.data if isinstance(x, Value) else x for x in raw.flat])
    if raw.dtype.kind not in "biuf":
        raise ValueError(f"{where}: targets must be {names}, got dtype {raw.dtype}")
    bad = raw[~np.isin(raw, allowed)]
    if bad.size:
        raise ValueError(f"{where}: targets must be {names}, but {bad.size} of {raw.size} are not, e.g. "
                         f"{np.unique(bad)[:5].tolist()}; {fix}")


def _check_scores(where, scores, reduction):
    """(scores, n, c) for a (batch, classes) Tensor or nested list of Values, or an error saying what is wrong."""
    _check_reduction(where, reduction)
    if not isinstance(scores, Tensor):
        scores = _value_array(where, scores)
    if scores.ndim != 2:
        raise ValueError(f"{where}: scores must have shape (batch, classes), got {scores.shape}; "
                         "for one example use scores.reshape(1, -1) (or [row] for Values)")
    return (scores, *scores.shape)


def _class_indices(where, targets, n, c):
    """Targets as an int array of shape (n,) with values in [0, c), or ValueError saying what is wrong."""
    y = np.asarray(targets.data if isinstance(targets, Tensor) else targets)
    if y.dtype.kind not in "iu":
        raise ValueError(f"{where}: targets must be integer class indices, got dtype {y.dtype}"
                         + (" (convert with y.astype(int))" if y.dtype.kind in "fb" else ""))
    if y.shape != (n,):
        hint = "; for one-hot targets pass y.argmax(axis=1)" if y.shape == (n, c) else ""
        raise ValueError(f"{where}: targets must have shape ({n},), one class index per row of scores "
                         f"({n}, {c}); got shape {y.shape}{hint}")
    bad = (y < 0) | (y >= c)
    if bad.any():
        raise ValueError(f"{where}: class indices must be in [0, {c - 1}] for {c} classes; got "
                         f"{np.unique(y[bad])[:5].tolist()} at rows {np.flatnonzero(bad)[:5].tolist()}")
    return y


def _is_real(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool)
