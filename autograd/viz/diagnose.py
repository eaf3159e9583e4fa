"""What a drawing can point out: local derivatives, dead or saturated units, gradient magnitudes."""
import math

import numpy as np

_ALIASES = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}
_IDENTITY = {"sum", "reshape", "transpose", "broadcast_to", "astype", "getitem"}


def _scalar(x):
    if type(x) is float:
        return x
    a = np.asarray(x, dtype=np.float64)
    return float(a.reshape(-1)[0]) if a.size == 1 else None


def local_derivatives(node):
    """d node / d parent for each parent of a one-number node, from its op name and data; None if unknown."""
    xs = [_scalar(p.data) for p in node._parents]
    out = _scalar(node.data)
    if out is None or None in xs or not xs:
        return None
    op = _ALIASES.get(node._op, node._op)
    try:
        return _binary(op, out, *xs) if len(xs) == 2 else _unary(op, out, xs[0])
    except (ZeroDivisionError, OverflowError, ValueError):
        return [math.nan] * len(xs)                   # e.g. 1/b at b = 0


def _binary(op, out, a, b):
    if op == "+":
        return [1.0, 1.0]
    if op == "-":
        return [1.0, -1.0]
    if op in ("*", "matmul"):
        return [b, a]                                 # d(ab)/da = b, d(ab)/db = a
    if op == "/":
        return [1 / b, -out / b]                      # d(a/b)/db = -a/b^2
    if op == "**":
        return [b * a ** (b - 1), out * math.log(a)]  # d a^b/db = a^b ln a
    return None


def _unary(op, out, a):
    if op.startswith("**"):
        k = float(op[2:])                             # the exponent as the op name prints it (:g)
        return [k * a ** (k - 1)]
    if op in _IDENTITY:
        return [1.0]
    table = {
        "neg": lambda: -1.0,
        "exp": lambda: out,                           # d/dx e^x = e^x
        "log": lambda: 1 / a,
        "sqrt": lambda: 1 / (2 * out),
        "tanh": lambda: 1 - out * out,                # d/dx tanh = 1 - tanh^2
        "sigmoid": lambda: out * (1 - out),           # d/dx s = s (1 - s)
        "relu": lambda: float(a > 0),
        "abs": lambda: float((a > 0) - (a < 0)),
        "leaky_relu": lambda: 1.0 if a > 0 else out / a,   # the slope, read off the data
    }
    d = table.get(op)
    return None if d is None else [float(d())]


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
    y = y.reshape(-1, y.shape[-1]) if y.ndim >= 2 else y.reshape(1, -1)
    if y.size == 0:
        return None
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
