"""Scans along one axis: cumsum, cumprod, cummax, cummin.

`axis=None` scans the flattened tensor (numpy's default); PyTorch's `dim=` is accepted. The vjps run on
ndarrays and, under create_graph=True, on Tensors: the helpers below dispatch on the type of what they get.
"""
from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING

import numpy as np

from ..tensor import Tensor, _raw
from .common import one_axis, tensor_arg
from .elementwise import where
from .shape import _scatter, concatenate

if TYPE_CHECKING:
    from ..hints import TensorLike

_make, _lift = Tensor._make, Tensor._lift

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])
ValuesIndices.__doc__ = "(values, indices) of cummax/cummin, as torch.cummax returns them (unpacks as a pair)."


def _scan_args(t: TensorLike, axis: int | None, dim: int | None, op: str) -> tuple[Tensor, int]:
    """(t, ax): the tensor (flattened for axis None) and the scanned axis as a non-negative int."""
    t, axis = tensor_arg(t), one_axis(axis, dim, op, default=None)
    if axis is None:
        return t.reshape(-1), 0
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{op}: axis must be one int or None (the flattened tensor), got {axis!r}")
    if t.ndim == 0 or not -t.ndim <= axis < t.ndim:
        raise ValueError(f"{op}: axis {axis} is out of range for a tensor of shape {t.shape}; "
                         f"{'a 0-d tensor has no axis: use axis=None' if t.ndim == 0 else 'pick one of its axes'}")
    return t, int(axis) % t.ndim


def _flip(v, ax):
    """v reversed along `ax` (a view for ndarrays, a recorded getitem for Tensors)."""
    return v[(slice(None),) * ax + (slice(None, None, -1),)]


def _moved(v, src, dst):
    """v with axis `src` moved to position `dst` (ndarray or Tensor)."""
    perm = [a for a in range(v.ndim) if a != src % v.ndim]
    perm.insert(dst % v.ndim, src % v.ndim)
    return v.transpose(tuple(perm))


def _cumsum(v, ax):
    return cumsum(v, ax) if type(v) is Tensor else np.cumsum(v, axis=ax)


def _cumprod(v, ax):
    return cumprod(v, ax) if type(v) is Tensor else np.cumprod(v, axis=ax)


def _rev_cumsum(v, ax):
    """sum_{k >= i} v_k along `ax`: the adjoint of cumsum."""
    return _flip(_cumsum(_flip(v, ax), ax), ax)


def cumsum(t: TensorLike, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """Running sum along `axis` (None: of the flattened tensor, as numpy)."""
    t, ax = _scan_args(t, axis, dim, "cumsum")
    return _make(np.cumsum(t.data, axis=ax), (t,), lambda g, out, x: (_rev_cumsum(g, ax),), "cumsum")


def cumprod(t: TensorLike, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """Running product along `axis` (None: flattened). Its gradient divides by the entries only where that is exact;
    with zeros, or running products that under/overflow, it sums products of the other entries instead (a loop
    over the axis), and under create_graph=True it always does (O(n^2) memory along the axis)."""
    t, ax = _scan_args(t, axis, dim, "cumprod")

    def vjp(g, out, x):                        # d y_k / d x_i = prod_{j <= k, j != i} x_j for k >= i
        if type(x) is Tensor:                  # recorded backward: dividing by a small x would cancel badly
            return (_moved(_cumprod_grad_polynomial(_moved(x, ax, -1), _moved(g, ax, -1)), -1, ax),)
        if np.all(np.isfinite(out)) and not np.any(np.abs(out) < np.finfo(out.dtype).tiny):   # (so no zero in x)
            return (_rev_cumsum(g * out, ax) / x,)             # = y_k / x_i, exact to rounding here
        return (np.moveaxis(_cumprod_grad_looped(np.moveaxis(x, ax, -1), np.moveaxis(g, ax, -1)), -1, ax),)
    return _make(np.cumprod(t.data, axis=ax), (t,), vjp, "cumprod")


def _exclusive(v):
    """prod_{j < i} v_j along the last axis (1 at i = 0), for an ndarray or a Tensor."""
    ones = np.ones(v.shape[:-1] + (1,), _raw(v).dtype)
    head = _cumprod(v[..., :-1], v.ndim - 1)
    return concatenate([ones, head], -1) if type(v) is Tensor else np.concatenate([ones, head], -1)


def _cumprod_grad_looped(x, g):
    """sum_{k >= i} g_k prod_{j <= k, j != i} x_j along the last axis, without division, in O(n): the products
    before i times s_i = g_i + x_{i+1} s_{i+1} (a loop over the axis: this path is for zeros and under/overflow).
    A zero ends every product through it, so the sum stops there and entries after a zero get 0 (as PyTorch),
    also where an overflowed inf would have made 0 * inf = nan."""
    s = np.empty(np.broadcast_shapes(x.shape, g.shape), np.result_type(x, g))
    acc = 0.0
    for i in range(x.shape[-1] - 1, -1, -1):
        after = x[..., i + 1] if i + 1 < x.shape[-1] else 0.0
        with np.errstate(invalid="ignore", over="ignore"):
            acc = g[..., i] + np.where(after == 0, 0.0, after * acc)
        s[..., i] = acc
    zero_before = (np.cumsum(x == 0, axis=-1) - (x == 0)) > 0
    with np.errstate(invalid="ignore", over="ignore"):
        return np.where(zero_before, 0.0, _exclusive(x) * s)


def _cumprod_grad_polynomial(x, g):
    """sum_{k >= i} g_k prod_{j <= k, j != i} x_j along the last axis, from running products of x with x_i
    set to 1 (O(n^2) memory): a polynomial in x, so differentiating it again is exact at zeros too."""
    n = x.shape[-1]
    ones_at_i = where(np.eye(n, dtype=bool), 1.0, x.unsqueeze(-2))        # (..., i, j)
    running = cumprod(ones_at_i, -1)                                       # (..., i, k)
    return (running * np.triu(np.ones((n, n), bool)) * g.unsqueeze(-2)).sum(-1)


def cummax(t: TensorLike, axis: int | None = None, *, dim: int | None = None) -> tuple[Tensor, Tensor]:
    """Running maximum along `axis` (None: flattened) as (values, indices), like torch.cummax: at ties and at nan
    the index is the latest such position, and the gradient goes to the entry each index names."""
    return _running_extreme(t, axis, dim, np.maximum, "cummax")


def cummin(t: TensorLike, axis: int | None = None, *, dim: int | None = None) -> tuple[Tensor, Tensor]:
    """Running minimum along `axis` (None: flattened) as (values, indices), like torch.cummin: at ties and at nan
    the index is the latest such position, and the gradient goes to the entry each index names."""
    return _running_extreme(t, axis, dim, np.minimum, "cummin")


def _running_extreme(t, axis, dim, ufunc, op):
    t, ax = _scan_args(t, axis, dim, op)
    x = t.data
    run = ufunc.accumulate(x, axis=ax)
    pos = np.arange(x.shape[ax]).reshape([-1 if i == ax else 1 for i in range(x.ndim)])
    hit = (x == run) | (x != x)                # the running extreme (re)attained here, or a nan (torch's rule)
    idx = np.maximum.accumulate(np.where(hit, pos, 0), axis=ax).astype(np.int64)
    index = tuple(idx if i == ax else np.arange(n).reshape([-1 if j == i else 1 for j in range(x.ndim)])
                  for i, n in enumerate(x.shape))
    shape = x.shape
    values = _make(x[index], (t,), lambda g, out, x: (_scatter(g, shape, index, False),), op)
    return ValuesIndices(values, _lift(idx))
