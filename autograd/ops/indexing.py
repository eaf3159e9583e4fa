"""Indexing with integer arrays along one axis (gather / take_along_axis, scatter / put_along_axis,
index_select) and masked_fill.

Reading is indexing with an open grid, `x[grid]`: getitem's vjp scatters g back and adds up repeated
indices. Writing is one primitive, `_put_along`, out of place: g flows to the source's untouched
elements (all of them for scatter_add) and, gathered at the written places, to the values.
Indices follow numpy: a negative index counts from the end (PyTorch refuses those); out of range is
an IndexError naming the op.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..grad_mode import _state
from ..tensor import Tensor, _raw
from .common import one_axis, tensor_arg
from .elementwise import where
from .shape import getitem

if TYPE_CHECKING:
    from ..hints import TensorLike

_lift = Tensor._lift


def _index(index, op):
    """The integer index array (a copy: backward must use what the forward used)."""
    idx = np.array(_raw(index))
    if idx.dtype.kind not in "iu":
        if idx.size == 0:                       # np.array([]) is float64
            return idx.astype(np.intp)
        raise TypeError(f"{op}: the index must hold integers, got dtype {idx.dtype}; "
                        "convert it with .astype(int) (a bool mask is for masked_fill or x[mask])")
    return idx


def _the_axis(axis, dim, x, op, default=None):
    """One axis of x, from numpy's `axis` or PyTorch's `dim`, as a non-negative int."""
    axis = one_axis(axis, dim, op, default)
    if axis is None:
        raise TypeError(f"{op}: needs an axis (dim=)")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op}: axis must be an int, got {axis!r}")
    if x.ndim == 0 or not -x.ndim <= axis < x.ndim:
        raise ValueError(f"{op}: axis {axis} is out of range for a tensor of shape {x.shape} ({x.ndim} dimensions)")
    return int(axis) % x.ndim


def _in_bounds(idx, n, op, shape, axis):
    """Refuse indices outside [-n, n) along `axis` of `shape`."""
    bad = idx[(idx < -n) | (idx >= n)]
    if bad.size:
        raise IndexError(f"{op}: index {bad.flat[0]} is out of bounds for axis {axis} of size {n} "
                         f"(tensor of shape {shape}); indices must lie in [-{n}, {n})")


def _grid(idx, axis):
    """The fancy index reaching x[i0, .., idx[i0, .., ik], .., ik] for every position of idx."""
    nd = idx.ndim
    return tuple(idx if d == axis else np.arange(n).reshape((n,) + (1,) * (nd - d - 1))
                 for d, n in enumerate(idx.shape))


def _same_ndim(idx, x, op, what="index", of="the tensor"):
    if idx.ndim != x.ndim:
        raise ValueError(f"{op}: the {what} has shape {idx.shape} but {of} has shape {x.shape}; they need "
                         "the same number of dimensions (add size-1 dims with [..., None] or reshape)")


def _fits_inside(idx, x, axis, op, of="the tensor"):
    """PyTorch's rule: index.shape[d] <= x.shape[d] off `axis` (the grid then reads a leading block)."""
    _same_ndim(idx, x, op, "index", of)
    if any(i > n for d, (i, n) in enumerate(zip(idx.shape, x.shape)) if d != axis):
        where_ = "in some dimension" if axis is None else f"outside dimension {axis}"
        raise ValueError(f"{op}: the index of shape {idx.shape} is larger than {of} of shape {x.shape} {where_}")


def _with(shape, axis, n):
    """`shape` with its `axis` entry replaced by n."""
    return shape[:axis] + (n,) + shape[axis + 1:]


# --- reading along an axis ----------------------------------------------------------------------
def take_along_axis(x: TensorLike, indices: TensorLike, axis: int | None = -1, *, dim: int | None = None) -> Tensor:
    """x[..., indices[...], ...] along `axis` (numpy's rule: indices broadcast against x off `axis`; None: flat)."""
    x, idx = tensor_arg(x), _index(indices, "take_along_axis")
    if axis is None and dim is None:
        if idx.ndim != 1:
            raise ValueError(f"take_along_axis: with axis=None the indices must be 1-d, got shape {idx.shape}")
        x, axis = x.reshape(x.size), 0
    axis = _the_axis(axis, dim, x, "take_along_axis")
    _same_ndim(idx, x, "take_along_axis", "indices")
    try:
        common = np.broadcast_shapes(_with(x.shape, axis, 1), _with(idx.shape, axis, 1))
    except ValueError:
        raise ValueError(f"take_along_axis: indices of shape {idx.shape} do not broadcast against the tensor of "
                         f"shape {x.shape} outside axis {axis}") from None
    _in_bounds(idx, x.shape[axis], "take_along_axis", x.shape, axis)
    if x.shape != _with(common, axis, x.shape[axis]):
        x = x.broadcast_to(_with(common, axis, x.shape[axis]))       # the engine sums g back
    return getitem(x, _grid(np.broadcast_to(idx, _with(common, axis, idx.shape[axis])), axis))


def gather(x: TensorLike, axis: int | None = None, index: TensorLike | None = None, *,
           dim: int | None = None) -> Tensor:
    """PyTorch's gather: out[i][j] = x[i][index[i][j]] along `axis` (dim); index.shape[d] <= x.shape[d] off it."""
    x = tensor_arg(x)
    axis = _the_axis(axis, dim, x, "gather")
    if index is None:
        raise TypeError("gather: needs an index tensor: x.gather(dim, index)")
    idx = _index(index, "gather")
    _fits_inside(idx, x, axis, "gather")
    _in_bounds(idx, x.shape[axis], "gather", x.shape, axis)
    return getitem(x, _grid(idx, axis))


def index_select(x: TensorLike, axis: int | None = None, index: TensorLike | None = None, *,
                 dim: int | None = None) -> Tensor:
    """The slices of x at `index` (1-d, or 0-d as one) along `axis` (dim), in index order, repeats allowed."""
    x = tensor_arg(x)
    axis = _the_axis(axis, dim, x, "index_select")
    idx = _index(index, "index_select")
    if idx.ndim > 1:
        raise ValueError(f"index_select: the index must be 1-d, got shape {idx.shape}; use take_along_axis or x[idx]")
    _in_bounds(idx, x.shape[axis], "index_select", x.shape, axis)
    return getitem(x, (slice(None),) * axis + (idx.reshape(-1),))


def masked_fill(x: TensorLike, mask: TensorLike, value: TensorLike) -> Tensor:
    """x with `value` (a number or a 0-d tensor) where the bool `mask` (broadcast to x's shape) is true."""
    x, m = tensor_arg(x), np.array(_raw(mask))
    if m.dtype != bool:
        raise TypeError(f"masked_fill: the mask must be bool, got dtype {m.dtype}; compare first (mask = x > 0)")
    if np.ndim(_raw(value)) != 0:
        raise ValueError(f"masked_fill: value must be a number or a 0-d tensor, got shape {np.shape(_raw(value))}; "
                         "for a tensor of values use autograd.where(mask, values, x)")
    try:
        fits = np.broadcast_shapes(m.shape, x.shape) == x.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"masked_fill: a mask of shape {m.shape} does not broadcast to the tensor's shape {x.shape}")
    return where(m, value, x)


# --- writing along an axis (out of place) -------------------------------------------------------
def _put_along(x, idx, values, axis, add, op):
    """A copy of x with `values` (broadcast to idx's shape) written (add=False) or added at x[_grid(idx, axis)]."""
    grid = _grid(idx, axis)
    v = _lift(values, x)
    try:
        vb = np.broadcast_to(v.data, idx.shape)
    except ValueError:
        raise ValueError(f"{op}: values of shape {v.shape} do not broadcast to the index's shape {idx.shape}") from None
    if not add and v.requires_grad and _state.enabled:
        flat = np.ravel_multi_index(np.broadcast_arrays(*grid), x.shape, mode="wrap").reshape(-1)
        if np.unique(flat).size != flat.size:
            raise ValueError(f"{op}: the index writes one element twice, so which value lands there (and gets the "
                             "gradient) is undefined; use an index without repeats, or scatter_add to add them up")
    out = np.array(x.data, dtype=np.result_type(x.data, v.data))
    if add:
        np.add.at(out, grid, vb)
    else:
        out[grid] = vb
    need_x = x.requires_grad

    def vjp(g, out, x, v):                   # written places: g to the value; untouched: g to x
        if not need_x:
            gx = None
        elif add:
            gx = g
        else:
            keep = np.ones(out.shape, bool)
            keep[grid] = False
            gx = g * keep
        return gx, g[grid]
    return Tensor._make(out, (x, v), vjp, op)


def _torch_put(x, axis, index, src, dim, add, op):
    x = tensor_arg(x)
    if index is None or src is None:
        raise TypeError(f"{op}: needs an index and a source: x.{op}(dim, index, src)")
    axis = _the_axis(axis, dim, x, op)
    idx = _index(index, op)
    _fits_inside(idx, x, axis, op)
    _in_bounds(idx, x.shape[axis], op, x.shape, axis)
    if np.ndim(_raw(src)) != 0:              # PyTorch reads src's leading block of the index's shape
        src = tensor_arg(src)
        _fits_inside(idx, src, None, op, "src")
        src = src[tuple(slice(0, n) for n in idx.shape)]
    return _put_along(x, idx, src, axis, add, op)


def scatter(x: TensorLike, axis: int | None = None, index: TensorLike | None = None, src: TensorLike | None = None, *,
            dim: int | None = None, value: TensorLike | None = None) -> Tensor:
    """PyTorch's scatter, out of place: a copy of x with x[i][index[i][j]] = src[i][j] along `axis` (dim).

    `src` is a tensor (its leading block of index's shape is used) or a number (also as value=). An index
    that writes one element twice is refused when a gradient would flow to src (which write wins is undefined)."""
    if src is not None and value is not None:
        raise TypeError("scatter: got both src and value; they are the same argument, pass one")
    return _torch_put(x, axis, index, value if src is None else src, dim, False, "scatter")


def scatter_add(x: TensorLike, axis: int | None = None, index: TensorLike | None = None,
                src: TensorLike | None = None, *, dim: int | None = None) -> Tensor:
    """PyTorch's scatter_add, out of place: a copy of x with src[i][j] added at x[i][index[i][j]] (repeats add up)."""
    return _torch_put(x, axis, index, src, dim, True, "scatter_add")


def put_along_axis(x: TensorLike, indices: TensorLike, values: TensorLike, axis: int | None, *,
                   dim: int | None = None) -> Tensor:
    """numpy's put_along_axis, out of place: a copy of x with values written at take_along_axis's places.

    Indices broadcast against x off `axis` and values against the indices (axis=None: x flattened).
    An index that writes one element twice is refused when a gradient would flow to the values."""
    x, idx = tensor_arg(x), _index(indices, "put_along_axis")
    if axis is None and dim is None:
        if idx.ndim != 1:
            raise ValueError(f"put_along_axis: with axis=None the indices must be 1-d, got shape {idx.shape}")
        return put_along_axis(x.reshape(x.size), idx, values, 0).reshape(x.shape)
    axis = _the_axis(axis, dim, x, "put_along_axis")
    _same_ndim(idx, x, "put_along_axis", "indices")
    try:
        idx = np.broadcast_to(idx, _with(x.shape, axis, idx.shape[axis]))
    except ValueError:
        raise ValueError(f"put_along_axis: indices of shape {idx.shape} do not broadcast against the tensor of shape "
                         f"{x.shape} outside axis {axis}") from None
    _in_bounds(idx, x.shape[axis], "put_along_axis", x.shape, axis)
    return _put_along(x, idx, values, axis, False, "put_along_axis")
