"""What a drawing can point out: local derivatives, dead or saturated units, gradient magnitudes."""
import math
import warnings

import numpy as np

from ..engine import _freed


def _scalar(x):
    if type(x) is float:
        return x
    a = np.asarray(x, dtype=np.float64)
    return float(a.reshape(-1)[0]) if a.size == 1 else None


def local_derivatives(node):
    """d node / d parent for each parent of a one-number node; None if it cannot be told.

    Each is the node's own vjp asked with a seed of 1, so a label is exactly the factor backward()
    multiplies by (a Value keeps its vjp for drawings after backward, see engine.py)."""
    vjp = node._vjp
    if vjp is _freed:                   # a released Tensor node
        vjp = None
    parents = node._parents
    if vjp is None or not parents or _scalar(node.data) is None or None in [_scalar(p.data) for p in parents]:
        return None
    seed = 1.0 if isinstance(node.data, float) else np.ones_like(node.data)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        grads = vjp(seed, node.data, *[p.data for p in parents])
    return [math.nan if g is None else _scalar(g) for g in grads]


_PEAK_SLOPE = {"tanh": 1.0, "sigmoid": 0.25}


def unit_status(node, saturation=0.05):
    """(kind, bad unit indices, units, batch) for a relu/tanh/sigmoid output, else None.

    Units are the last axis, the batch every axis before it (a 1-d output is one example).
    'dead': a ReLU unit that is 0 on every example, so no gradient flows through it.
    'saturated': a tanh/sigmoid unit whose slope is below `saturation` x its peak on every example.
    """
    op = node._op
    if op not in ("relu", "tanh", "sigmoid"):
        return None
    y = np.asarray(node.data, dtype=np.float64)
    if y.size == 0:
        return None
    y = y.reshape(-1, y.shape[-1]) if y.ndim >= 2 else y.reshape(1, -1)
    if op == "relu":
        bad = (y <= 0).all(axis=0)
        kind = "dead"
    else:
        slope = 1 - y * y if op == "tanh" else y * (1 - y)
        bad = (slope < saturation * _PEAK_SLOPE[op]).all(axis=0)
        kind = "saturated"
    return kind, np.flatnonzero(bad), y.shape[1], y.shape[0]


def grad_magnitude(node):
    """|grad| of a scalar, the root-mean-square of a tensor's grad; None when there is no gradient to show."""
    g = node.grad
    if g is None or not node.requires_grad:
        return None
    g = np.asarray(g, dtype=np.float64)
    if g.size == 0:
        return None
    return float(np.sqrt(np.mean(g * g)))
