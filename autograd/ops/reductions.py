"""Reductions over `axis` (int, tuple or None) with `keepdims`, and the softmax family.

A reduction's vjp restores the reduced axes as size-1 dimensions and broadcasts `g` back over them.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..engine import fold
from ..tensor import Tensor, _raw
from .common import axis_args, one_axis, tensor_arg
from .elementwise import _exp

if TYPE_CHECKING:
    from ..hints import Axis, TensorLike

_make = Tensor._make


def _axes(axis, ndim, op):
    """`axis` as a sorted tuple of non-negative ints."""
    if axis is None:
        return tuple(range(ndim))
    if type(axis) is int and -ndim <= axis < ndim:      # one axis in range: the common case, checked at once
        return (axis % ndim,)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    try:
        norm = tuple(sorted(int(a) + ndim if a < 0 else int(a) for a in axes))
    except TypeError:
        raise TypeError(f"{op}: axis must be an int, a tuple of ints or None, got {axis!r}") from None
    if any(not 0 <= a < ndim for a in norm) or len(set(norm)) != len(norm):
        raise ValueError(f"{op}: axis {axis!r} is out of range (or repeated) for a tensor with {ndim} dimensions")
    return norm


def _kept(shape, axes):
    """`shape` with the reduced axes kept as 1s."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


# Up to this many elements, a reduction's gradient is spread into a new array rather than a 0-stride view:
# numpy's ufuncs take a slow path on such views (g * x on 4x4: 0.8 us vs 0.3 us), and filling costs about as
# much as making the view. Beyond it the view saves the memory and its per-element speed is the same.
_FILL_MAX = 4096


def _full_view(g, shape):
    """A 0-d upstream g broadcast to `shape` (a view: no copy)."""
    if type(g) is Tensor:
        return g.broadcast_to(shape)
    view = np.ndarray(shape, g.dtype, np.ascontiguousarray(g), 0, (0,) * len(shape))
    view.setflags(False)                # write=False
    return view


def _filled(g, shape):
    """Upstream g of a reduction broadcast into a new array of (small) `shape`."""
    if type(g) is Tensor:
        return g.broadcast_to(shape)
    out = np.empty(shape, g.dtype)
    out[...] = g
    return out


def _expand(shape, g, axes, keepdims):
    """Upstream g of a reduction, broadcast back to the input's `shape` (a view if large: no copy)."""
    if not keepdims:
        g = g.reshape(_kept(shape, axes))
    if type(g) is Tensor:
        return g.broadcast_to(shape)
    if math.prod(shape) <= _FILL_MAX:
        return _filled(g, shape)
    return _broadcast_view(g, shape)


def _broadcast_view(g, shape):
    """np.broadcast_to for a g whose size-1 dims stretch, at a tenth of its Python overhead."""
    if not g.flags.c_contiguous:
        return np.broadcast_to(g, shape)
    strides = tuple(0 if n == 1 else s for n, s in zip(g.shape, g.strides))
    view = np.ndarray(shape, g.dtype, g, 0, strides)
    view.setflags(False)                # write=False
    return view


def reduce_sum(t: TensorLike, axis: Axis = None, keepdims: bool = False, *, dim: Axis = None,
               keepdim: bool | None = None) -> Tensor:
    """Sum over `axis` (all axes by default)."""
    if type(t) is not Tensor:
        t = tensor_arg(t)
    x = t.data
    if axis is None and dim is None and not keepdims and not keepdim:     # the common loss reduction, kept lean
        shape, spread = x.shape, _filled if x.size <= _FILL_MAX else _full_view
        return _make(np.add.reduce(x, None), (t,), lambda g, out, x: (spread(g, shape),), "sum")
    axis, keepdims = axis_args(axis, keepdims, dim, keepdim, "sum")
    axes = _axes(axis, x.ndim, "sum")
    out = fold(np.add, x, axes, keepdims)
    return _make(out, (t,), lambda g, out, x: (_expand(x.shape, g, axes, keepdims),), "sum")


def mean(t: TensorLike, axis: Axis = None, keepdims: bool = False, *, dim: Axis = None,
         keepdim: bool | None = None) -> Tensor:
    """Arithmetic mean over `axis` (a sum times 1/n)."""
    t, (axis, keepdims) = tensor_arg(t), axis_args(axis, keepdims, dim, keepdim, "mean")
    axes = _axes(axis, t.ndim, "mean")
    n = int(np.prod([t.shape[a] for a in axes]))
    return reduce_sum(t, axes, keepdims) * (1.0 / n if n else float("nan"))


def var(t: TensorLike, axis: Axis = None, keepdims: bool = False, ddof: int = 0, *, dim: Axis = None,
        keepdim: bool | None = None, correction: int | None = None) -> Tensor:
    """Variance over `axis` (ddof=0: divide by n; ddof=1: by n - 1; PyTorch's `correction` is ddof).

    With ddof >= n the divisor is 0, so the result is inf (nan for constant data), as in numpy and PyTorch."""
    t, (axis, keepdims) = tensor_arg(t), axis_args(axis, keepdims, dim, keepdim, "var")
    ddof = ddof if correction is None else correction
    axes = _axes(axis, t.ndim, "var")
    n = int(np.prod([t.shape[a] for a in axes]))
    d = t - mean(t, axes, keepdims=True)
    ss = reduce_sum(d * d, axes, keepdims)
    if n > ddof:
        return ss * (1.0 / (n - ddof))
    with np.errstate(divide="ignore", invalid="ignore"):
        return ss / 0.0


def _extreme(t, axis, keepdims, fn, op):
    shape, axes = t.shape, _axes(axis, t.ndim, op)
    if t.size == 0:
        raise ValueError(f"{op}() of an empty tensor of shape {shape}: there is no identity to return")
    out = fold(fn, t.data, axes, keepdims)

    def vjp(g, out, x):
        hit = _raw(x) == _raw(out).reshape(_kept(shape, axes))       # where the extreme was attained
        share = (hit / hit.sum(axis=axes, keepdims=True)).astype(g.dtype)   # ties split evenly
        return (g.reshape(_kept(shape, axes)) * share,)
    return _make(out, (t,), vjp, op)


def reduce_max(t: TensorLike, axis: Axis = None, keepdims: bool = False, *, dim: Axis = None,
               keepdim: bool | None = None) -> Tensor:
    """Maximum over `axis`; the gradient goes to the maximal entries (split evenly at ties)."""
    t, (axis, keepdims) = tensor_arg(t), axis_args(axis, keepdims, dim, keepdim, "max")
    return _extreme(t, axis, keepdims, np.maximum, "max")


def reduce_min(t: TensorLike, axis: Axis = None, keepdims: bool = False, *, dim: Axis = None,
               keepdim: bool | None = None) -> Tensor:
    """Minimum over `axis`; the gradient goes to the minimal entries (split evenly at ties)."""
    t, (axis, keepdims) = tensor_arg(t), axis_args(axis, keepdims, dim, keepdim, "min")
    return _extreme(t, axis, keepdims, np.minimum, "min")


def _lse(x, axes):
    """log(sum(exp(x))) over axes, kept as size-1 dims, shifted by the max so nothing overflows."""
    if x.size == 0:                          # nothing to shift by: log(sum of no terms) = -inf
        with np.errstate(divide="ignore"):
            return np.log(np.exp(x).sum(axis=axes, keepdims=True))
    m = fold(np.maximum, x, axes, True)
    m = np.where(np.isfinite(m), m, 0)
    return m + np.log(fold(np.add, np.exp(x - m), axes, True))


def logsumexp(t: TensorLike, axis: Axis = None, keepdims: bool = False, *, dim: Axis = None,
              keepdim: bool | None = None) -> Tensor:
    """log(sum(exp(x))) over `axis`, stable for large inputs."""
    t, (axis, keepdims) = tensor_arg(t), axis_args(axis, keepdims, dim, keepdim, "logsumexp")
    shape, axes = t.shape, _axes(axis, t.ndim, "logsumexp")
    out = _lse(t.data, axes)
    if not keepdims:
        out = out.reshape([n for i, n in enumerate(shape) if i not in axes])

    def vjp(g, out, x):                    # d lse / dx = softmax(x)
        k = _kept(shape, axes)
        return (g.reshape(k) * _exp(x - out.reshape(k)),)
    return _make(out, (t,), vjp, "logsumexp")


def softmax(t: TensorLike, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis` (default -1), stable for large inputs."""
    t, axis = tensor_arg(t), one_axis(axis, dim, "softmax")
    (ax,) = _axes(axis, t.ndim, "softmax")
    e = np.exp(t.data - _lse(t.data, (ax,)))

    def vjp(g, out, x):                    # J^T g = s * (g - <g, s>)
        return (out * (g - _sum_along(g * out, ax)),)
    return _make(e, (t,), vjp, "softmax")


def log_softmax(t: TensorLike, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """x - logsumexp(x) along `axis` (default -1), stable for large inputs."""
    t, axis = tensor_arg(t), one_axis(axis, dim, "log_softmax")
    (ax,) = _axes(axis, t.ndim, "log_softmax")
    out = t.data - _lse(t.data, (ax,))

    def vjp(g, out, x):                    # J^T g = g - softmax * sum(g)
        return (g - _exp(out) * _sum_along(g, ax),)
    return _make(out, (t,), vjp, "log_softmax")


def _sum_along(a, ax):
    """a summed over axis `ax`, kept as size 1 (an ndarray, or a Tensor under create_graph)."""
    return a.sum(axis=ax, keepdims=True) if type(a) is Tensor else fold(np.add, a, (ax % a.ndim,), True)
