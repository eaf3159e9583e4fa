"""Factories for leaf Tensors (PyTorch names: tensor, zeros, ones, randn, from_numpy ...)."""
import numpy as np

from .tensor import Tensor, _init_leaf, _raw, _NUMERIC

_new = object.__new__


def tensor(data, requires_grad=False, dtype=None, label=""):
    """A new leaf Tensor holding a copy of `data`."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, label=label)


def from_numpy(array, requires_grad=False):
    """A leaf Tensor that shares `array`'s memory (no copy).

    Writes into `array` change the tensor too and, like writes into `.data`, are not seen by autograd:
    do not write into it while a graph that used the tensor may still be differentiated."""
    array = np.asarray(array)
    if array.dtype.kind not in _NUMERIC or (requires_grad and array.dtype.kind != "f"):
        raise TypeError(f"from_numpy needs a numeric array (a float one for requires_grad), got {array.dtype}")
    t = _new(Tensor)
    _init_leaf(t, array, bool(requires_grad), "")
    return t


def zeros(*shape, dtype=np.float64, requires_grad=False):
    """A leaf of zeros."""
    return Tensor(np.zeros(_shape_arg(shape), dtype), requires_grad=requires_grad)


def ones(*shape, dtype=np.float64, requires_grad=False):
    """A leaf of ones."""
    return Tensor(np.ones(_shape_arg(shape), dtype), requires_grad=requires_grad)


def zeros_like(t, requires_grad=False):
    """Zeros with `t`'s shape and dtype."""
    return Tensor(np.zeros_like(_raw(t)), requires_grad=requires_grad)


def ones_like(t, requires_grad=False):
    """Ones with `t`'s shape and dtype."""
    return Tensor(np.ones_like(_raw(t)), requires_grad=requires_grad)


def randn(*shape, dtype=np.float64, requires_grad=False, rng=None):
    """Standard-normal samples (from `rng`, a seed or a Generator)."""
    data = np.random.default_rng(rng).standard_normal(_shape_arg(shape)).astype(dtype, copy=False)
    return Tensor(data, requires_grad=requires_grad)


def _shape_arg(shape):
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
