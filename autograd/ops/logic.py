"""Comparisons, logic and float tests: boolean Tensors, never recorded (a step has no useful gradient).

Operands are Tensors or numeric array-likes, broadcast as numpy does; a Python number compares in
the tensor's dtype (numpy's rule: float32 `t == 0.1` compares with float32(0.1)).
The Tensor operators (==, !=, <, &, ...) go through `operator`: for an operand that is not numeric
(None, a string, any object) they return NotImplemented, so Python falls back to identity and
`t == None` is False. Tensors hash by identity, as in PyTorch: `{t: 1}` and `set([t])` work, and
`t in a_list` finds t itself first, then compares by value, which needs one-element tensors
(a bigger tensor's truth value is ambiguous: ValueError, where PyTorch raises RuntimeError).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from ..tensor import Tensor

if TYPE_CHECKING:
    from ..hints import TensorLike

_lift = Tensor._lift
_NUMERIC = "biuf"


def is_operand(x: object) -> bool:
    """True if x can be an operand of a comparison: a Tensor, a number, or a numeric array-like."""
    if isinstance(x, Tensor):
        return True
    if type(x) in (int, float, bool):
        return True
    try:
        return np.asarray(x).dtype.kind in _NUMERIC
    except (TypeError, ValueError):             # ragged nested lists
        return False


def operator(fn: Callable[..., Tensor], a: TensorLike, b: object) -> Tensor:
    """The Tensor operator for fn(a, b): NotImplemented for a non-numeric b (None, a string, an object),
    so Python falls back to identity (`t == None` is False, `t in [None, t]` finds t), as in PyTorch."""
    return fn(a, b) if is_operand(b) else NotImplemented


def _data(x, op):
    """The array behind x (a Python number stays a number, so it takes the other operand's dtype)."""
    if isinstance(x, Tensor):
        return x.data
    if not is_operand(x):
        raise TypeError(f"{op}: cannot use {type(x).__name__} {x!r:.40} as an operand; pass a Tensor, "
                        "a number or a numeric array")
    return x if type(x) in (int, float, bool) else np.asarray(x)


def _binary(fn, a, b, op):
    x, y = _data(a, op), _data(b, op)
    try:
        out = fn(x, y)
    except ValueError:
        raise ValueError(f"{op}: shapes {np.shape(x)} and {np.shape(y)} cannot be broadcast together: each "
                         "trailing dimension must be equal or 1. Reshape one operand (e.g. x.unsqueeze(-1)).") from None
    return _lift(out)


def _unary(fn, x, op):
    return _lift(fn(_data(x, op)))


# --- comparisons (PyTorch's names; numpy's are equal, less, ...) ----------------------------------
def eq(a: TensorLike, b: TensorLike) -> Tensor:
    """a == b elementwise, as a bool Tensor."""
    return _binary(np.equal, a, b, "eq")


def ne(a: TensorLike, b: TensorLike) -> Tensor:
    """a != b elementwise, as a bool Tensor."""
    return _binary(np.not_equal, a, b, "ne")


def lt(a: TensorLike, b: TensorLike) -> Tensor:
    """a < b elementwise, as a bool Tensor."""
    return _binary(np.less, a, b, "lt")


def le(a: TensorLike, b: TensorLike) -> Tensor:
    """a <= b elementwise, as a bool Tensor."""
    return _binary(np.less_equal, a, b, "le")


def gt(a: TensorLike, b: TensorLike) -> Tensor:
    """a > b elementwise, as a bool Tensor."""
    return _binary(np.greater, a, b, "gt")


def ge(a: TensorLike, b: TensorLike) -> Tensor:
    """a >= b elementwise, as a bool Tensor."""
    return _binary(np.greater_equal, a, b, "ge")


def contains(t: Tensor, x: object) -> bool:
    """`x in t`: True if any element of t equals x (a number or a Tensor broadcast against t), as PyTorch."""
    if not is_operand(x) or isinstance(x, (list, tuple)):
        raise TypeError(f"`in` on a Tensor needs a number or a Tensor, got {type(x).__name__}; "
                        "compare explicitly, e.g. (t == x).data.any()")
    return bool(np.any(_binary(np.equal, t, x, "in").data))


# --- logic: truth values (nonzero is true) ------------------------------------------------------
def logical_and(a: TensorLike, b: TensorLike) -> Tensor:
    """a and b elementwise on truth values (nonzero is true), as a bool Tensor."""
    return _binary(np.logical_and, a, b, "logical_and")


def logical_or(a: TensorLike, b: TensorLike) -> Tensor:
    """a or b elementwise on truth values, as a bool Tensor."""
    return _binary(np.logical_or, a, b, "logical_or")


def logical_xor(a: TensorLike, b: TensorLike) -> Tensor:
    """Exactly one of a, b true, elementwise, as a bool Tensor."""
    return _binary(np.logical_xor, a, b, "logical_xor")


def logical_not(x: TensorLike) -> Tensor:
    """not x elementwise on truth values, as a bool Tensor."""
    return _unary(np.logical_not, x, "logical_not")


# --- bitwise: the operators & | ^ ~ (logic on bool tensors, bits on integers, as numpy and PyTorch) ---------
def _bits(fn, op, *xs):
    try:
        return fn(*xs)
    except TypeError:
        kinds = ", ".join(str(x.dtype) if isinstance(x, Tensor) else type(x).__name__ for x in xs)
        raise TypeError(f"{op} needs bool or integer operands, got {kinds}; for masks compare first, "
                        "e.g. (x > 0) & (x < 1), or use logical_and/logical_or/logical_not") from None


def bitwise_and(a: TensorLike, b: TensorLike) -> Tensor:
    """a & b: elementwise and of bool tensors, bitwise and of integers."""
    return _bits(lambda a, b: _binary(np.bitwise_and, a, b, "&"), "&", a, b)


def bitwise_or(a: TensorLike, b: TensorLike) -> Tensor:
    """a | b: elementwise or of bool tensors, bitwise or of integers."""
    return _bits(lambda a, b: _binary(np.bitwise_or, a, b, "|"), "|", a, b)


def bitwise_xor(a: TensorLike, b: TensorLike) -> Tensor:
    """a ^ b: elementwise xor of bool tensors, bitwise xor of integers."""
    return _bits(lambda a, b: _binary(np.bitwise_xor, a, b, "^"), "^", a, b)


def bitwise_not(x: TensorLike) -> Tensor:
    """~x: elementwise not of a bool tensor, bitwise not of integers."""
    return _bits(lambda x: _unary(np.invert, x, "~"), "~", x)


# --- float tests --------------------------------------------------------------------------------
def isnan(x: TensorLike) -> Tensor:
    """True where x is nan, as a bool Tensor."""
    return _unary(np.isnan, x, "isnan")


def isinf(x: TensorLike) -> Tensor:
    """True where x is +inf or -inf, as a bool Tensor."""
    return _unary(np.isinf, x, "isinf")


def isfinite(x: TensorLike) -> Tensor:
    """True where x is neither nan nor infinite, as a bool Tensor."""
    return _unary(np.isfinite, x, "isfinite")
