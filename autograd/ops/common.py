"""Argument handling every op shares: array-likes as Tensors, and PyTorch's spellings of numpy's arguments."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..tensor import Tensor

if TYPE_CHECKING:
    from ..hints import TensorLike

_lift = Tensor._lift


def tensor_arg(x: TensorLike) -> Tensor:
    """`x` as a Tensor (a number, list or array becomes a constant; arrays are copied when recorded)."""
    return x if type(x) is Tensor else _lift(x)


def axis_args(axis, keepdims, dim, keepdim, op):
    """(axis, keepdims) from numpy's spelling or PyTorch's (`dim`, `keepdim`), not both at once."""
    if dim is not None:
        if axis is not None:
            raise TypeError(f"{op}: got both axis={axis!r} and dim={dim!r}; they are the same argument, pass one")
        axis = dim
    if keepdim is not None:
        if keepdims:
            raise TypeError(f"{op}: got both keepdims and keepdim; they are the same argument, pass one")
        keepdims = keepdim
    return axis, bool(keepdims)


def one_axis(axis, dim, op, default=-1):
    """A single `axis` from numpy's spelling or PyTorch's `dim` (softmax-style ops)."""
    if dim is not None and axis is not None:
        raise TypeError(f"{op}: got both axis={axis!r} and dim={dim!r}; they are the same argument, pass one")
    return dim if dim is not None else default if axis is None else axis
