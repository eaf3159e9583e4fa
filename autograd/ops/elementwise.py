"""Elementwise primitives: arithmetic with broadcasting, and the activation functions.

Each vjp gets (g, out, *inputs): ndarrays in the fast pass, Tensors under create_graph=True,
so every formula uses only operators and methods both provide. Local derivatives that are
piecewise constant (relu, abs, clip, max) are computed from raw data: their own derivative is 0.
The engine sums each gradient back over broadcast dimensions, so no vjp here does.
"""
import numpy as np

from .. import vjps
from ..tensor import Tensor, tensor_method, _raw

_make, _lift = Tensor._make, Tensor._lift


def _pair(a, b):
    if type(a) is not Tensor:
        a = _lift(a, b if type(b) is Tensor else None)
    if type(b) is not Tensor:
        b = _lift(b, a)
    return a, b


def _binary(fn, a, b, vjp, op):
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
def _arithmetic(name, ufunc, vjp):
    """The operator `name` with broadcasting (numbers lifted weakly, as numpy does) and its reflected twin."""
    def method(self, other):
        if type(other) is not Tensor:
            other = _lift(other, self)
        try:
            out = ufunc(self.data, other.data)
        except ValueError:
            raise _mismatch(name, self, other) from None
        return _make(out, (self, other), vjp, name)
    method.__name__ = f"__{name}__"
    setattr(Tensor, method.__name__, method)
    setattr(Tensor, f"__r{name}__", lambda self, other: method(_lift(other, self), self))
    return method


__add__ = _arithmetic("add", np.add, vjps.add)
__sub__ = _arithmetic("sub", np.subtract, vjps.sub)
__mul__ = _arithmetic("mul", np.multiply, vjps.mul)


@tensor_method
def __truediv__(self, other):
    a, b = _pair(self, other)
    na, nb = a.requires_grad, b.requires_grad

    def vjp(g, out, x, y):
        ga = g / y
        return ga if na else None, -ga * out if nb else None     # d(x/y)/dy = -(x/y)/y
    return _binary(np.divide, a, b, vjp, "div")


@tensor_method
def __rtruediv__(self, other):
    return __truediv__(_lift(other, self), self)


@tensor_method
def __pow__(self, other):
    if type(other) in (int, float):                 # constant exponent: d/dx x^k = k x^(k-1)
        k = other
        vjp = (lambda g, out, x: (g * k * x ** (k - 1),)) if k else (lambda g, out, x: (g * 0,))   # x^0 = 1
        return _make(self.data ** k, (self,), vjp, f"**{k:g}")
    a, b = _pair(self, other)
    na, nb = a.requires_grad, b.requires_grad

    def vjp(g, out, x, y):                           # d x^y = y x^(y-1) dx + x^y ln(x) dy
        ga = _mask(g * y * x ** (y - 1), (_raw(y) == 0) & (_raw(x) == 0)) if na else None   # 0 * 0^-1
        gb = _mask(g * out * _log(x), (_raw(x) == 0) & (_raw(y) >= 0)) if nb else None   # 0^y = 0 (y > 0) or 1:
        return ga, gb                                # flat in y; for y < 0, 0^y = inf and the slope is -inf (PyTorch)
    return _binary(np.power, a, b, vjp, "pow")


def _mask(g, zero):
    """g with 0 where `zero` holds (where the formula's 0 * inf would give nan)."""
    if not np.any(zero):
        return g
    if type(g) is Tensor:
        return where(zero, 0.0, g)
    with np.errstate(invalid="ignore"):
        return np.where(zero, 0, g).astype(g.dtype, copy=False)


@tensor_method
def __rpow__(self, other):
    return __pow__(_lift(other, self), self)


@tensor_method
def __neg__(self):
    return _make(-self.data, (self,), vjps.neg, "neg")


@tensor_method
def __pos__(self):
    return self


# --- functions of one input ---------------------------------------------------------------------
def _unary(name, forward, vjp):
    def op(self):
        return _make(forward(self.data), (self,), vjp, name)
    op.__name__ = name
    return op


def _sigmoid(x):
    # e^-|x| never overflows; pick the form that divides by something >= 1
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


exp = tensor_method(_unary("exp", np.exp, vjps.exp))
log = tensor_method(_unary("log", np.log, vjps.log))
sqrt = tensor_method(_unary("sqrt", np.sqrt, lambda g, out, x: (g / (2 * out),)))
tanh = tensor_method(_unary("tanh", np.tanh, vjps.tanh))
sigmoid = tensor_method(_unary("sigmoid", _sigmoid, vjps.sigmoid))
relu = tensor_method(_unary("relu", lambda x: np.maximum(x, 0), lambda g, out, x: (g * (_raw(out) > 0),)))
abs = tensor_method(_unary("abs", np.abs, lambda g, out, x: (g * np.sign(_raw(x)),)))
Tensor.__abs__ = abs
exp.__doc__ = "e ** x, elementwise."
log.__doc__ = "Natural log, elementwise (log 0 = -inf, numpy warns)."
sqrt.__doc__ = "Square root, elementwise."
tanh.__doc__ = "Hyperbolic tangent, elementwise."
sigmoid.__doc__ = "Logistic sigmoid 1 / (1 + e^-x), elementwise, without overflow."
relu.__doc__ = "max(x, 0), elementwise; gradient 0 at 0."
abs.__doc__ = "|x|, elementwise; gradient 0 at 0."


@tensor_method
def leaky_relu(self, negative_slope=0.01):
    """x where x > 0, negative_slope * x elsewhere."""
    s = negative_slope
    x = self.data

    def vjp(g, out, x):                      # slope 1 or s: built only if backward runs
        x = _raw(x)
        return (g * np.where(x > 0, 1, s).astype(x.dtype, copy=False),)
    return _make(np.where(x > 0, x, s * x), (self,), vjp, "leaky_relu")


@tensor_method
def clip(self, lo=None, hi=None):
    """Values limited to [lo, hi]; gradient 1 inside (bounds included), 0 outside."""
    def vjp(g, out, x):                      # the mask is made only if backward runs
        x = _raw(x)
        inside = np.ones(x.shape, bool)
        if lo is not None:
            inside &= x >= lo
        if hi is not None:
            inside &= x <= hi
        return (g * inside,)
    return _make(np.clip(self.data, lo, hi), (self,), vjp, "clip")


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


@tensor_method
def astype(self, dtype):
    """A copy cast to `dtype`; the gradient is cast back to this tensor's dtype.

    Casting to an integer or bool dtype cuts the graph (like PyTorch): the result is a constant,
    since a gradient through a rounding step would be silently truncated."""
    src = self.data.dtype
    out = self.data.astype(dtype)
    if out.dtype.kind != "f":
        return _lift(out)
    return _make(out, (self,), lambda g, out, x: (g.astype(src),), "astype")
