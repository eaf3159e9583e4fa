"""Type aliases for the hints on the public API (PEP 484; checked by mypy, never at run time).

    from autograd.hints import TensorLike
    def scale(x: TensorLike, k: float) -> Tensor: ...
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Union

from numpy.typing import ArrayLike, DTypeLike, NDArray

if TYPE_CHECKING:
    from .tensor import Tensor
    from .value import Value

# What an op accepts as an operand: a Tensor, or anything numpy makes an array of (made a constant).
TensorLike = Union["Tensor", ArrayLike, float]
# A Value, or a Python number (made a constant node).
ValueLike = Union["Value", float]
# The axes an op works along: one, several, or None for all of them.
Axis = Union[int, Sequence[int], None]
# A shape: a length, or one length per dimension.
Shape = Union[int, Sequence[int]]
# A Python number (bool and int are accepted where float is); a name that Tensor.float cannot shadow.
Number = float

__all__ = ["TensorLike", "ValueLike", "Axis", "Shape", "Number", "ArrayLike", "DTypeLike", "NDArray"]
