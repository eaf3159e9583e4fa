"""Elementwise math beyond the activations: trigonometric, hyperbolic, logs and exponentials in other
bases, powers of one input, and the piecewise-constant rounding family.

Forward values follow numpy (dtype rules, nan and inf, and a RuntimeWarning outside an op's domain,
e.g. arcsin(2) = nan). Each vjp gets (g, out, x): ndarrays in an ordinary backward, Tensors under
`backward(create_graph=True)`, so formulas use operators, `** k` and `_via` (numpy on arrays, the
recorded op on Tensors). Constants are Python floats, so float32 inputs keep float32 gradients.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..tensor import Tensor
from .common import tensor_arg

if TYPE_CHECKING:
    from ..hints import TensorLike

_make = Tensor._make
_LN2, _LN10 = math.log(2.0), math.log(10.0)


def _unary(x, forward, vjp, op):
    """The node forward(x) (x: a Tensor, or an array-like made a constant)."""
    x = tensor_arg(x)
    return _make(forward(x.data), (x,), vjp, op)


def _via(op, ufunc, x):
    """op(x) on a Tensor (recorded, for create_graph) or ufunc(x) on a raw array (ordinary backward)."""
    return op(x) if type(x) is Tensor else ufunc(x)


def _zero(g, out, x):
    """vjp of a piecewise-constant op: zeros (not g * 0, which is nan where g is inf or nan; as PyTorch)."""
    z = np.zeros(g.shape, g.dtype)
    return (Tensor._lift(z) if type(g) is Tensor else z,)


# --- trigonometric ------------------------------------------------------------------------------
def sin(x: TensorLike) -> Tensor:
    """Sine, elementwise."""
    return _unary(x, np.sin, lambda g, out, x: (g * _via(cos, np.cos, x),), "sin")          # d sin = cos


def cos(x: TensorLike) -> Tensor:
    """Cosine, elementwise."""
    return _unary(x, np.cos, lambda g, out, x: (-g * _via(sin, np.sin, x),), "cos")         # d cos = -sin


def tan(x: TensorLike) -> Tensor:
    """Tangent, elementwise."""
    return _unary(x, np.tan, lambda g, out, x: (g * (1 + out * out),), "tan")              # d tan = 1 + tan^2


def arcsin(x: TensorLike) -> Tensor:
    """Inverse sine, elementwise (nan outside [-1, 1]); PyTorch's `asin`."""
    return _unary(x, np.arcsin, lambda g, out, x: (g * _via(rsqrt, _rsqrt, 1 - x * x),), "arcsin")  # (1-x^2)^-1/2


def arccos(x: TensorLike) -> Tensor:
    """Inverse cosine, elementwise (nan outside [-1, 1]); PyTorch's `acos`."""
    return _unary(x, np.arccos, lambda g, out, x: (-g * _via(rsqrt, _rsqrt, 1 - x * x),), "arccos")  # -arcsin'


def arctan(x: TensorLike) -> Tensor:
    """Inverse tangent, elementwise; PyTorch's `atan`."""
    return _unary(x, np.arctan, lambda g, out, x: (g / (1 + x * x),), "arctan")            # 1 / (1 + x^2)


# --- hyperbolic ---------------------------------------------------------------------------------
def sinh(x: TensorLike) -> Tensor:
    """Hyperbolic sine, elementwise."""
    return _unary(x, np.sinh, lambda g, out, x: (g * _via(cosh, np.cosh, x),), "sinh")      # d sinh = cosh


def cosh(x: TensorLike) -> Tensor:
    """Hyperbolic cosine, elementwise."""
    return _unary(x, np.cosh, lambda g, out, x: (g * _via(sinh, np.sinh, x),), "cosh")      # d cosh = sinh


# --- logarithms and exponentials ----------------------------------------------------------------
def log2(x: TensorLike) -> Tensor:
    """Base-2 logarithm, elementwise (log2 0 = -inf, numpy warns)."""
    return _unary(x, np.log2, lambda g, out, x: (g / (x * _LN2),), "log2")                 # 1 / (x ln 2)


def log10(x: TensorLike) -> Tensor:
    """Base-10 logarithm, elementwise (log10 0 = -inf, numpy warns)."""
    return _unary(x, np.log10, lambda g, out, x: (g / (x * _LN10),), "log10")              # 1 / (x ln 10)


def log1p(x: TensorLike) -> Tensor:
    """log(1 + x), elementwise, accurate for small x."""
    return _unary(x, np.log1p, lambda g, out, x: (g / (1 + x),), "log1p")


def exp2(x: TensorLike) -> Tensor:
    """2 ** x, elementwise."""
    return _unary(x, np.exp2, lambda g, out, x: (g * out * _LN2,), "exp2")                 # d 2^x = 2^x ln 2


def expm1(x: TensorLike) -> Tensor:
    """e ** x - 1, elementwise, accurate for small x."""
    return _unary(x, np.expm1, lambda g, out, x: (g * (out + 1),), "expm1")                # d = e^x = out + 1


# --- powers of one input ------------------------------------------------------------------------
def reciprocal(x: TensorLike) -> Tensor:
    """1 / x, elementwise (1/0 = inf, numpy warns)."""
    return _unary(x, np.reciprocal, lambda g, out, x: (-g * (out * out),), "reciprocal")   # d 1/x = -1/x^2


def rsqrt(x: TensorLike) -> Tensor:
    """1 / sqrt(x), elementwise (inf at 0, nan below; numpy warns)."""
    return _unary(x, _rsqrt, lambda g, out, x: (g * -0.5 * (out * out * out),), "rsqrt")   # -x^(-3/2) / 2


def _rsqrt(x):
    return 1 / np.sqrt(x)                       # numpy has no rsqrt ufunc


def square(x: TensorLike) -> Tensor:
    """x * x, elementwise."""
    return _unary(x, np.square, lambda g, out, x: (g * 2 * x,), "square")


# --- piecewise constant: gradient 0 -------------------------------------------------------------
def sign(x: TensorLike) -> Tensor:
    """-1, 0 or 1 by the sign of x; sign(nan) = nan as numpy (PyTorch gives 0). Gradient 0."""
    return _unary(x, np.sign, _zero, "sign")


def floor(x: TensorLike) -> Tensor:
    """Largest integer <= x, elementwise. Gradient 0."""
    return _unary(x, np.floor, _zero, "floor")


def ceil(x: TensorLike) -> Tensor:
    """Smallest integer >= x, elementwise. Gradient 0."""
    return _unary(x, np.ceil, _zero, "ceil")


def trunc(x: TensorLike) -> Tensor:
    """x rounded toward zero, elementwise. Gradient 0."""
    return _unary(x, np.trunc, _zero, "trunc")


def round(x: TensorLike, decimals: int = 0) -> Tensor:
    """x rounded to `decimals` places, halves to even (numpy's and torch.round's rule). Gradient 0."""
    if not isinstance(decimals, (int, np.integer)) or isinstance(decimals, bool):
        raise TypeError(f"round: decimals must be an int, got {decimals!r}")
    return _unary(x, lambda a: np.round(a, int(decimals)), _zero, "round")
