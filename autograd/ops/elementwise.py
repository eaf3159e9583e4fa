"""Elementwise primitives: arithmetic with broadcasting, and the activation functions.

Each vjp gets (g, out, *inputs): ndarrays in the fast pass, Tensors under create_graph=True,
so every formula uses only operators and methods both provide. Local derivatives that are
piecewise constant (relu, abs, clip, max) are computed from raw data: their own derivative is 0.
The engine sums each gradient back over broadcast dimensions, so no vjp here does.
"""
import numpy as np

from .. import vjps
from ..tensor import Tensor, _raw
from .common import tensor_arg

_make, _lift = Tensor._make, Tensor._lift


def _pair(a, b):
    if type(a) is not Tensor:
        a = _lift(a, b if type(b) is Tensor else None)
    if type(b) is not Tensor:
        b = _lift(b, a)
    return a, b


def _binary(fn, a, b, vjp, op):
    if type(a) is not Tensor or type(b) is not Tensor:
        a, b = _pair(a, b)
    try:
        out = fn(a.data, b.data)
    except ValueError:
        raise _mismatch(op, a, b) from None
    return _make(out, (a, b), vjp, op)


def _mismatch(op, a, b):
    return ValueError(f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together: each trailing "
                      "dimension must be equal or 1. Reshape one operand (e.g. x.unsqueeze(-1)).")


def _exp(x):
    return x.exp() if type(x) is Tensor else np.exp(x)


def _log(x):
    return x.log() if type(x) is Tensor else np.log(x)


# --- arithmetic ---------------------------------------------------------------------------------
def add(a, b):
    """a + b with broadcasting."""
    return _binary(np.add, a, b, vjps.add, "add")


def sub(a, b):
    """a - b with broadcasting."""
    return _binary(np.subtract, a, b, vjps.sub, "sub")


def mul(a, b):
    """a * b with broadcasting."""
    return _binary(np.multiply, a, b, vjps.mul, "mul")


def div(a, b):
    """a / b with broadcasting."""
    a, b = _pair(a, b)
    na, nb = a.requires_grad, b.requires_grad

    def vjp(g, out, x, y):
        ga = g / y
        return ga if na else None, -ga * out if nb else None     # d(x/y)/dy = -(x/y)/y
    return _binary(np.divide, a, b, vjp, "div")


def power(a, b):
    """a ** b with broadcasting; a constant number exponent makes a one-input node.

    Values are numpy's (a negative base to a non-integer power is nan); gradients at the edges are
    PyTorch's: 0 for the base where b == 0, and for the exponent where a == 0 and b >= 0."""
    if type(a) is Tensor and type(b) in (int, float):     # constant exponent: d/dx x^k = k x^(k-1)
        k = b
        vjp = (lambda g, out, x: (g * k * x ** (k - 1),)) if k else (lambda g, out, x: (g * 0,))   # x^0 = 1
        return _make(a.data ** k, (a,), vjp, f"**{k:g}")
    a, b = _pair(a, b)
    na, nb = a.requires_grad, b.requires_grad

    def vjp(g, out, x, y):                           # d x^y = y x^(y-1) dx + x^y ln(x) dy
        # 1 stands in for x where a formula would give 0 * inf = nan but x^y is flat in that input
        # (PyTorch's values): x^0 = 1 also at x = 0 or nan; 0^y = 0 (y > 0) or 1 (y = 0), and for
        # y < 0, 0^y = inf with slope -inf in y
        xr, yr = _raw(x), _raw(y)
        ga = g * y * _fill(x, (yr == 0) & ((xr == 0) | np.isnan(xr)), 1) ** (y - 1) if na else None
        gb = g * out * _log(_fill(x, (xr == 0) & (yr >= 0), 1)) if nb else None
        return ga, gb
    return _binary(np.power, a, b, vjp, "pow")


def _fill(x, cond, value):
    """x with `value` where cond holds (as a recorded `where` under create_graph, so slopes there are 0)."""
    if not np.any(cond):
        return x
    if type(x) is Tensor:
        return where(cond, value, x)
    return np.where(cond, value, x).astype(x.dtype, copy=False)


def neg(x):
    """-x."""
    return _unary(x, np.negative, vjps.neg, "neg")


# --- functions of one input ---------------------------------------------------------------------
def _unary(x, forward, vjp, op):
    """The node forward(x) (x: a Tensor, or an array-like made a constant)."""
    if type(x) is not Tensor:
        x = _lift(x)
    return _make(forward(x.data), (x,), vjp, op)


def _relu(x):
    return np.maximum(x, 0)


def _sigmoid(x):
    # e^-|x| never overflows; pick the form that divides by something >= 1
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def exp(x):
    """e ** x, elementwise."""
    return _unary(x, np.exp, vjps.exp, "exp")


def log(x):
    """Natural log, elementwise (log 0 = -inf, numpy warns)."""
    return _unary(x, np.log, vjps.log, "log")


def sqrt(x):
    """Square root, elementwise."""
    return _unary(x, np.sqrt, lambda g, out, x: (g / (2 * out),), "sqrt")


def tanh(x):
    """Hyperbolic tangent, elementwise."""
    return _unary(x, np.tanh, vjps.tanh, "tanh")


def sigmoid(x):
    """Logistic sigmoid 1 / (1 + e^-x), elementwise, without overflow."""
    return _unary(x, _sigmoid, vjps.sigmoid, "sigmoid")


def relu(x):
    """max(x, 0), elementwise; gradient 0 at 0."""
    return _unary(x, _relu, _relu_vjp, "relu")


def _relu_vjp(g, out, x):
    """g where the output is positive, else 0. In the fast pass the mask is made g's dtype and multiplied by g
    in place: numpy's float-times-bool loop casts in chunks and is slower (300x100: 27 -> 21 us)."""
    positive = _raw(out) > 0
    if type(g) is Tensor:
        return (g * positive,)
    mask = positive.astype(g.dtype)
    mask *= g
    return (mask,)


def absolute(x):
    """|x|, elementwise; gradient 0 at 0."""
    return _unary(x, np.abs, lambda g, out, x: (g * np.sign(_raw(x)),), "abs")


def leaky_relu(t, negative_slope=0.01):
    """x where x > 0, negative_slope * x elsewhere."""
    s, t = negative_slope, tensor_arg(t)
    x = t.data

    def vjp(g, out, x):                      # slope 1 or s: built only if backward runs
        x = _raw(x)
        return (g * np.where(x > 0, 1, s).astype(x.dtype, copy=False),)
    return _make(np.where(x > 0, x, s * x), (t,), vjp, "leaky_relu")


def clip(t, lo=None, hi=None, *, min=None, max=None):
    """min(max(t, lo), hi): bounds are numbers, Tensors or arrays (broadcast), or None for no bound.

    PyTorch's `clamp`, with its min=/max= spellings. The gradient goes to t where lo <= t <= hi (ties
    too), to lo where t < lo, and to hi where hi < max(t, lo); so when lo > hi (the result is hi, in
    numpy and PyTorch) only hi gets it, and a nan in t sends none to the bounds (all as torch.clamp)."""
    lo, hi, t = _bound(lo, min, "lo", "min"), _bound(hi, max, "hi", "max"), tensor_arg(t)
    if _is_number(lo) and _is_number(hi):
        return _clip_numbers(t, lo, hi)
    lo, hi = (None if b is None else _lift(b, t) for b in (lo, hi))
    has_lo, has_hi = lo is not None, hi is not None

    def vjp(g, out, x, *bounds):             # masks of raw data, made only if backward runs
        b = [_raw(v) for v in bounds]
        lo_, hi_ = (b[0] if has_lo else None), (b[-1] if has_hi else None)
        return tuple(g * m for m in _clip_masks(_raw(x), lo_, hi_))
    try:
        out = np.clip(t.data, _raw(lo), _raw(hi))
    except ValueError:
        shapes = ", ".join(f"{name} {b.shape}" for name, b in (("input", t), ("lo", lo), ("hi", hi)) if b is not None)
        raise ValueError(f"clip: shapes {shapes} cannot be broadcast together: each trailing dimension must be "
                         "equal or 1") from None
    return _make(out, tuple(b for b in (t, lo, hi) if b is not None), vjp, "clip")


def _bound(value, torch_value, name, torch_name):
    """A clip bound from numpy's spelling or PyTorch's, not both at once."""
    if torch_value is None:
        return value
    if value is not None:
        raise TypeError(f"clip: got both {name}={value!r} and {torch_name}={torch_value!r}; they are the same "
                        "bound, pass one")
    return torch_value


def _is_number(b):
    return b is None or isinstance(b, (int, float, np.integer, np.floating))


def _clip_masks(x, lo, hi):
    """Where the gradient of min(max(x, lo), hi) goes: [to x, to lo (if given), to hi (if given)]."""
    m = x if lo is None else np.maximum(x, lo)
    passed = True if hi is None else m <= hi           # the outer min passes m on (ties: m)
    masks = [passed if lo is None else (x >= lo) & passed]   # the inner max passes x on (ties: x)
    if lo is not None:
        masks.append((x < lo) & passed)
    if hi is not None:
        masks.append(m > hi)
    return masks


def _clip_numbers(t, lo, hi):
    """clip with number bounds: a one-input node, gradient 1 inside [lo, hi] (bounds included), 0 outside."""
    def vjp(g, out, x):                      # the mask is made only if backward runs
        x = _raw(x)
        inside = np.ones(x.shape, bool)
        if lo is not None:
            inside &= x >= lo
        if hi is not None:
            inside &= x <= hi
        return (g * inside,)
    return _make(np.clip(t.data, lo, hi), (t,), vjp, "clip")


def maximum(a, b):
    """Elementwise max of a and b; at ties the gradient is split evenly."""
    return _select(a, b, np.maximum, np.greater, "maximum")


def minimum(a, b):
    """Elementwise min of a and b; at ties the gradient is split evenly."""
    return _select(a, b, np.minimum, np.less, "minimum")


def _select(a, b, pick, wins, op):
    a, b = _pair(a, b)

    def vjp(g, out, x, y):                   # a's share of g: 1 where it won, 1/2 at ties
        x, y = _raw(x), _raw(y)
        wa = np.where(wins(x, y), 1, np.where(x == y, 0.5, 0)).astype(_raw(out).dtype)
        return g * wa, g * (1 - wa)
    return _binary(pick, a, b, vjp, op)


def where(cond, a, b):
    """Elementwise `a` where cond is true, else `b` (cond: bool array or Tensor, not differentiated)."""
    cond = np.array(_raw(cond), dtype=bool)          # a copy: editing the caller's mask must not change backward
    a, b = _pair(a, b)

    def vjp(g, out, x, y):
        return g * cond, g * ~cond
    try:
        out = np.where(cond, a.data, b.data)
    except ValueError:
        raise ValueError(f"where: shapes {cond.shape}, {a.shape} and {b.shape} cannot be broadcast together") from None
    return _make(out, (a, b), vjp, "where")


def astype(t, dtype):
    """A copy cast to `dtype`; the gradient is cast back to the input's dtype.

    Casting to an integer or bool dtype cuts the graph (like PyTorch): the result is a constant,
    since a gradient through a rounding step would be silently truncated."""
    t = tensor_arg(t)
    src = t.data.dtype
    out = t.data.astype(dtype)
    if out.dtype.kind != "f":
        return _lift(out)
    return _make(out, (t,), lambda g, out, x: (g.astype(src),), "astype")
