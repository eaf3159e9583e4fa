"""What every loss in nn.functional shares: argument checks, reductions, and the Value (scalar engine) forms.

Model outputs are a Tensor, or a (nested) list of Values held here as a numpy object array: numpy's
elementwise arithmetic and `sum(axis=...)` on such an array call the Values' own operators, so most loss
formulas are written once for both engines.
"""
import numbers

import numpy as np

from autograd import Tensor, Value

REDUCTIONS = ("mean", "sum", "none")


# --- reductions ----------------------------------------------------------------------------------------
def reduce(loss, reduction, denom=None):
    """A Tensor or object array of per-element losses: as is ('none'), summed, or summed / denom ('mean';
    denom defaults to the element count). A zero denom gives nan and no gradient, as PyTorch."""
    values = not isinstance(loss, Tensor)
    if reduction == "none":
        return (loss.tolist() if loss.ndim else loss.item()) if values else loss
    if reduction == "mean" and denom is None:
        return total("loss", list(loss.flat)) * (1.0 / loss.size) if values else loss.mean()
    s = total("loss", list(loss.flat)) if values else loss.sum()
    if reduction == "sum":
        return s
    return s * 0.0 + float("nan") if denom == 0 else s / float(denom)


def total(where, terms):
    """Sum of scalar nodes, left to right."""
    if not terms:
        raise ValueError(f"{where}: nothing to sum (empty input); pass at least one element or parameter")
    out = terms[0]
    for term in terms[1:]:
        out = out + term
    return out


def each(x, method):
    """x.method() elementwise: one Tensor op, or a call per Value of an object array."""
    if isinstance(x, Tensor):
        return getattr(x, method)()
    out = np.empty(x.shape, dtype=object)
    for i, v in enumerate(x.flat):
        out.flat[i] = getattr(v, method)()
    return out


def elementwise(where, f, pred, target, reduction, consts=()):
    """f(pred, target, *consts) elementwise on a Tensor or on a nested list of Values, then reduced.

    `consts` are float arrays of pred's shape (per-element weights)."""
    check_reduction(where, reduction)
    if isinstance(pred, Tensor):
        t = target if isinstance(target, Tensor) else np.asarray(target)
        check_shape(where, pred.shape, t.shape)
        dtype = pred.dtype if pred.dtype.kind == "f" else np.float64
        if not isinstance(t, Tensor) and t.dtype != pred.dtype:
            t = t.astype(dtype)
        return reduce(f(pred, t, *(c.astype(dtype) for c in consts)), reduction)
    xs = value_array(where, pred)
    t = np.asarray(target, dtype=object)
    check_shape(where, xs.shape, t.shape)
    out = np.empty(xs.shape, dtype=object)
    for i, (x, ti) in enumerate(zip(xs.flat, t.flat)):
        out.flat[i] = f(x, ti if isinstance(ti, Value) else float(ti), *(float(c.flat[i]) for c in consts))
    return reduce(out, reduction)


def log_softmax_rows(scores):
    """log softmax along each row of a (batch, classes) Tensor or object array of Values (stable)."""
    if isinstance(scores, Tensor):
        return scores.log_softmax(axis=1)
    out = np.empty(scores.shape, dtype=object)
    for i, row in enumerate(scores):
        m = max(v.data for v in row)                     # a constant shift: log sum e^v = m + log sum e^(v - m)
        lse = total("log_softmax", [(v - m).exp() for v in row]).log() + m
        out[i] = [v - lse for v in row]
    return out


# --- checks --------------------------------------------------------------------------------------------
def check_reduction(where, reduction):
    if isinstance(reduction, str) and reduction in REDUCTIONS:
        return
    got = repr(reduction) if reduction is None or isinstance(reduction, str) else (
        f"a {type(reduction).__name__}: the third argument is the reduction here; weights, where a loss has "
        f"them, are keyword-only ({where}(x, y, weight=w))")
    raise ValueError(f"{where}: reduction must be one of {REDUCTIONS}, got {got}")


def check_shape(where, shape, target_shape):
    if tuple(shape) != tuple(target_shape):
        hint = ""
        if len(shape) == len(target_shape) + 1 and shape[-1] == 1:
            hint = "; for a single output column pass targets.reshape(-1, 1) or predictions.reshape(-1)"
        raise ValueError(f"{where}: predictions have shape {tuple(shape)} but targets have shape "
                         f"{tuple(target_shape)}; they must match exactly (no broadcasting){hint}")


def value_array(where, pred):
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


def check_labels(where, targets, allowed, names, fix):
    raw = np.asarray(targets.data if isinstance(targets, Tensor) else targets)
    if raw.dtype == object:                              # targets given as Values
        raw = np.array([x.data if isinstance(x, Value) else x for x in raw.flat])
    if raw.dtype.kind not in "biuf":
        raise ValueError(f"{where}: targets must be {names}, got dtype {raw.dtype}")
    bad = raw[~np.isin(raw, allowed)]
    if bad.size:
        raise ValueError(f"{where}: targets must be {names}, but {bad.size} of {raw.size} are not, e.g. "
                         f"{np.unique(bad)[:5].tolist()}; {fix}")


def check_scores(where, scores, reduction):
    """(scores, n, c) for a (batch, classes) Tensor or nested list of Values, or an error saying what is wrong."""
    check_reduction(where, reduction)
    if not isinstance(scores, Tensor):
        scores = value_array(where, scores)
    if scores.ndim != 2:
        raise ValueError(f"{where}: scores must have shape (batch, classes), got {scores.shape}; "
                         "for one example use scores.reshape(1, -1) (or [row] for Values)")
    return (scores, *scores.shape)


def class_indices(where, targets, n, c, ignore_index=None):
    """(targets as an int array (n,), a 0/1 float mask of the rows not equal to ignore_index or None when every
    row counts), or ValueError."""
    y = np.asarray(targets.data if isinstance(targets, Tensor) else targets)
    if y.dtype.kind not in "iu":
        raise ValueError(f"{where}: targets must be integer class indices, got dtype {y.dtype}"
                         + (" (convert with y.astype(int))" if y.dtype.kind in "fb" and y.ndim == 1 else ""))
    if y.shape != (n,):
        hint = ("; for one-hot targets pass y.argmax(axis=1)" + (", or y.astype(float) to use them as class "
                "probabilities" if where == "cross_entropy" else "")) if y.shape == (n, c) else ""
        raise ValueError(f"{where}: targets must have shape ({n},), one class index per row of scores "
                         f"({n}, {c}); got shape {y.shape}{hint}")
    if y.size == 0 or (y.min() >= 0 and y.max() < c):     # every target is a class (the common case, cheaply)
        ignored = y == ignore_index if ignore_index is not None and 0 <= ignore_index < c else None
    else:
        ignored = y == ignore_index if ignore_index is not None else np.zeros(n, bool)
        bad = ~ignored & ((y < 0) | (y >= c))
        if bad.any():
            also = f" (or ignore_index={ignore_index})" if ignore_index is not None else ""
            raise ValueError(f"{where}: class indices must be in [0, {c - 1}] for {c} classes{also}; got "
                             f"{np.unique(y[bad])[:5].tolist()} at rows {np.flatnonzero(bad)[:5].tolist()}")
    if ignored is None or not ignored.any():
        return y, None
    return y, (~ignored).astype(np.float64)


def class_weight(where, weight, c):
    """A weight per class as a float64 array (c,), or None; finite and >= 0."""
    if weight is None:
        return None
    w = constant(where, "weight", weight)
    if w.shape != (c,) or w.dtype.kind not in "iuf" or not (np.isfinite(w).all() and (w >= 0).all()):
        raise ValueError(f"{where}: weight must hold one finite number >= 0 per class, shape ({c},); got shape "
                         f"{w.shape}, dtype {w.dtype}")
    return w.astype(np.float64)


def broadcast_weight(where, name, weight, shape):
    """A per-element weight broadcast to the predictions' shape (float64), or ValueError."""
    w = constant(where, name, weight)
    try:
        out = np.broadcast_to(w, shape)
    except ValueError:
        out = None
    if out is None or w.dtype.kind not in "iuf" or not np.isfinite(w).all():
        raise ValueError(f"{where}: {name} of shape {w.shape} (dtype {w.dtype}) must hold finite numbers and "
                         f"broadcast to the predictions' shape {tuple(shape)}")
    return out.astype(np.float64)


def constant(where, name, x):
    """An option array (weights) as numpy; a Tensor that requires grad is refused: no gradient reaches it."""
    if isinstance(x, Tensor) and x.requires_grad:
        raise TypeError(f"{where}: {name} is a constant here (no gradient flows to it, as in PyTorch); pass "
                        f"{name}.detach() or a numpy array")
    return np.asarray(x.data if isinstance(x, Tensor) else x)


def is_real(x):
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))
