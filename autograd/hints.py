"""Type aliases for the hints on the public API (PEP 484; checked by mypy, never at run time).

    from autograd.hints import TensorLike
    def scale(x: TensorLike, k: float) -> Tensor: ...
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Union

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

if TYPE_CHECKING:
    from .tensor import Tensor
    from .value import Value

# What an op accepts as an operand: a Tensor, or anything numpy makes an array of (made a constant).
TensorLike = Union["Tensor", ArrayLike, float]
# A Value, or a Python number (made a constant node).
ValueLike = Union["Value", float]
# A node of either kind: what a model of Tensors, or of Values (nn.scalar), computes.
Node = Union["Tensor", "Value"]
# A model's output: a Tensor, a Value, or a (nested) list of Values (a scalar model's batch).
Output = Union["Tensor", "Value", Sequence[Any]]
# The axes an op works along: one, several, or None for all of them.
Axis = Union[int, Sequence[int], None]
# A shape: a length, or one length per dimension.
Shape = Union[int, Sequence[int]]
# What `rng=` accepts: None (the global generator, autograd.random), a seed, or a Generator to draw from.
Seed = Union[None, int, np.random.SeedSequence, np.random.BitGenerator, np.random.Generator]
# A file path, as os.fspath takes it.
PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
# A Python number (bool and int are accepted where float is); a name that Tensor.float cannot shadow.
Number = float

__all__ = ["TensorLike", "ValueLike", "Node", "Output", "Axis", "Shape", "Seed", "PathLike", "Number", "ArrayLike",
           "DTypeLike", "NDArray"]
