"""Shape primitives (reshape, transpose, broadcast_to, indexing, concatenate) and their composites.

None of these changes a value, so each vjp only moves `g` back into the input's layout.
"""
from __future__ import annotations

import operator
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..tensor import Tensor, _NUMERIC
from .common import one_axis

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from ..hints import Axis, Shape, TensorLike

_lift = Tensor._lift


def _make(data, parents, vjp, op, view, writable=True):
    """Tensor._make for shape ops. A result that shares its input's memory shares its in-place version
    and remembers how to re-derive itself from the tensor owning that memory, `view(base)` (on an
    ndarray or a Tensor): an in-place change of the base re-derives it, and an in-place change through
    it (unless not `writable`, like a broadcast) is recorded on the base."""
    out = Tensor._make(data, parents, vjp, op)
    src = parents[0]
    if np.may_share_memory(data, src.data) or (data.size == 0 and data.base is not None):   # (empty: no bytes)
        out._shares_version_with(src)
        if src._alias or not writable:
            out._alias = True
        if not src._alias:
            base = src if src._view is None else src._view[0]
            out._view = (base, src._view, view)          # a link: (base, the source's link, this step)
            _remember(base, out)
    return out


def _remember(base, view):
    """Add `view` to base's list of weak references to its views (no callbacks: nothing runs when a view
    dies, so no signal can be lost in one), pruning the dead ones whenever the list has doubled."""
    views = base._views
    if views is None:
        views = base._views = [0]               # [size after the last pruning, refs...]
    views.append(weakref.ref(view))
    if len(views) > 2 * views[0] + 16:
        views[1:] = [r for r in views[1:] if r() is not None]
        views[0] = len(views) - 1


def views_of(base: Tensor) -> list[Tensor]:
    """The live tensors that view base's memory."""
    return [v for v in (r() for r in (base._views or [0])[1:]) if v is not None]


def _shape_args(shape):
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape


def _axis(axis, ndim, op, shape):
    """`axis` in [-ndim, ndim) as a non-negative int, or a ValueError naming the shape (numpy raises too)."""
    if not -ndim <= axis < ndim:
        raise ValueError(f"{op}: axis {axis} is out of range for a tensor of shape {shape} ({ndim} dimensions)")
    return axis % ndim


def reshape(self: Tensor, *shape: Shape) -> Tensor:
    """The same data in a new shape (one dimension may be -1)."""
    old = self.shape
    try:
        out = self.data.reshape(_shape_args(shape))
    except ValueError:
        raise ValueError(f"reshape: cannot reshape a tensor of shape {old} ({self.size} elements) "
                         f"into shape {_shape_args(shape)}") from None
    new = out.shape
    return _make(out, (self,), lambda g, out, x: (g.reshape(old),), "reshape", lambda a: a.reshape(new))


def permute(self: Tensor, *axes: Shape) -> Tensor:
    """Permute dimensions: axes lists them in their new order (none given: reversed; numpy's transpose)."""
    axes = _shape_args(axes) or tuple(range(self.ndim))[::-1]
    try:
        out = self.data.transpose(axes)
    except (ValueError, np.exceptions.AxisError):
        raise ValueError(f"transpose: axes {axes} are not a permutation of the {self.ndim} dimensions "
                         f"of a tensor of shape {self.shape}") from None
    inverse = tuple(np.argsort([a % self.ndim for a in axes]))     # negative axes name the same dims
    return _make(out, (self,), lambda g, out, x: (g.transpose(inverse),), "transpose", lambda a: a.transpose(axes))


def transpose(self: Tensor, *axes: Shape) -> Tensor:
    """numpy's transpose: `axes` a permutation (none: reversed). Two separate ints swap those two dims, as
    PyTorch's transpose(dim0, dim1), except transpose(0, 1) of a 2-D tensor: numpy reads it as "no change" and
    PyTorch as "swap", so it is refused (use .T or swapaxes to swap, permute(0, 1) or the tuple (0, 1) to keep)."""
    if len(axes) != 2 or not all(isinstance(a, (int, np.integer)) for a in axes):
        return permute(self, *axes)
    a, b = (_axis(d, self.ndim, "transpose", self.shape) for d in axes)
    if self.ndim == 2 and (a, b) == (0, 1):
        raise ValueError(f"transpose{tuple(axes)} of a 2-D tensor is ambiguous: numpy reads the permutation (0, 1), "
                         "no change; PyTorch swaps the two dims. Write x.T or x.swapaxes(0, 1) to swap, "
                         "x.transpose((0, 1)) or x.permute(0, 1) to keep the order")
    return swapaxes(self, a, b)                 # PyTorch's swap; for (1, 0) of a matrix numpy means the same


def swapaxes(self: Tensor, a: int, b: int) -> Tensor:
    """Exchange two dimensions (PyTorch's transpose(dim0, dim1))."""
    axes = list(range(self.ndim))
    a, b = _axis(a, self.ndim, "swapaxes", self.shape), _axis(b, self.ndim, "swapaxes", self.shape)
    axes[a], axes[b] = axes[b], axes[a]
    return permute(self, *axes)


def broadcast_to(self: Tensor, shape: Shape) -> Tensor:
    """A read-only broadcast view of shape `shape`; the engine sums the gradient back."""
    try:
        out = np.broadcast_to(self.data, shape)
    except ValueError:
        to = (shape,) if isinstance(shape, int) else tuple(shape)
        raise ValueError(f"broadcast_to: shape {self.shape} cannot be broadcast to {to}") from None
    return _make(out, (self,), lambda g, out, x: (g,), "broadcast_to", lambda a: _broadcast(a, out.shape), False)


def _broadcast(a, shape):
    return a.broadcast_to(shape) if type(a) is Tensor else np.broadcast_to(a, shape)


def flatten(self: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions start_dim..end_dim into one."""
    n = self.ndim
    if n == 0:
        return self.reshape(1)
    s, e = _axis(start_dim, n, "flatten", self.shape), _axis(end_dim, n, "flatten", self.shape)
    merged = int(np.prod(self.shape[s:e + 1]))      # not -1: that is ambiguous for empty tensors
    return self.reshape(self.shape[:s] + (merged,) + self.shape[e + 1:])


def squeeze(self: Tensor, axis: Axis = None, dim: Axis = None) -> Tensor:
    """Drop size-1 dimensions (all of them, or those in `axis`, PyTorch's `dim`: each must have size 1;
    PyTorch's squeeze(dim) leaves a dimension of another size alone, numpy's and ours raise)."""
    axis = one_axis(axis, dim, "squeeze", None)
    if axis is None:
        keep = [n for n in self.shape if n != 1]
    else:
        axes = {_axis(a, self.ndim, "squeeze", self.shape) for a in ((axis,) if isinstance(axis, int) else axis)}
        bad = [a for a in axes if self.shape[a] != 1]
        if bad:
            raise ValueError(f"squeeze: dimension {bad[0]} of shape {self.shape} has size {self.shape[bad[0]]}, not 1")
        keep = [n for i, n in enumerate(self.shape) if i not in axes]
    return self.reshape(tuple(keep))


def unsqueeze(self: Tensor, axis: int | None = None, dim: int | None = None) -> Tensor:
    """Insert a size-1 dimension at `axis` (PyTorch's `dim`)."""
    axis = one_axis(axis, dim, "unsqueeze", None)
    if axis is None:
        raise TypeError("unsqueeze: needs the position of the new dimension, e.g. unsqueeze(0) or unsqueeze(dim=0)")
    axis = _axis(axis, self.ndim + 1, "unsqueeze", self.shape)
    return self.reshape(self.shape[:axis] + (1,) + self.shape[axis:])


def _own_index(index):
    """The index of a recorded read, and two facts about it, in one pass over its items.

    Tensors in it become their arrays and every array is copied (backward must scatter to where the forward
    gathered from). `view`: only ints, slices and None (numpy answers a full int index with a scalar, so
    getitem appends `...` to get a 0-d view). `basic`: each element is picked at most once (ints, slices, None,
    ..., bool masks), so the scatter can assign instead of accumulating."""
    whole = not isinstance(index, tuple)
    owned, view, basic = [], True, True
    for i in (index,) if whole else index:
        if isinstance(i, Tensor):
            i = i.data
        if isinstance(i, (np.ndarray, list)):
            i = np.array(i)
            view, basic = False, basic and i.dtype == bool
        elif isinstance(i, (int, np.integer)):
            view = view and not isinstance(i, bool)
        elif i is Ellipsis:
            view = False
        elif i is not None and not isinstance(i, slice):
            i = _as_int(i)              # an object with __index__ is an int to numpy: a view, as above
            if not isinstance(i, int):
                view = basic = False
        owned.append(i)
    return (owned[0] if whole else tuple(owned)), view, basic


def _as_int(i):
    """`i` as an int when numpy indexes with it as one (it defines __index__; not np.bool_), else `i`."""
    try:
        return operator.index(i)
    except TypeError:
        return i


def _scatter(g, shape, index, basic):
    """Zeros of `shape` with g added at `index` (repeated indices accumulate)."""
    if type(g) is Tensor:
        return _index_add(g, shape, index, basic)
    z = np.zeros(shape, g.dtype)
    if basic:
        z[index] = g
    else:
        np.add.at(z, index, g)
    return z


def _index_add(g, shape, index, basic):
    """Differentiable scatter (used when backward itself is recorded): the adjoint of indexing."""
    return Tensor._make(_scatter(g.data, shape, index, basic), (g,), lambda gg, out, x: (gg[index],), "index_add")


def getitem(self: Tensor, index: Any) -> Tensor:
    index, view, basic = _own_index(index)
    if view:                                            # t[0] of a vector: a 0-d view (as in PyTorch),
        index = (index if isinstance(index, tuple) else (index,)) + (Ellipsis,)   # not a copied scalar
    try:
        out = self.data[index]
    except IndexError as e:
        raise IndexError(f"index {index!r} into a tensor of shape {self.shape}: {e}") from None
    shape = self.shape
    vjp = lambda g, out, x: (_scatter(g, shape, index, basic),)   # noqa: E731
    if not basic:                                       # an array index: numpy copied, so no view to keep
        return Tensor._make(out, (self,), vjp, "getitem")
    return _make(out, (self,), vjp, "getitem", lambda a: a[index])


def _axis_or_dim(axis, dim, op):
    """numpy's `axis` (default 0) or PyTorch's `dim`, not both."""
    if dim is None:
        return axis
    if axis != 0:
        raise TypeError(f"{op}: got both axis={axis!r} and dim={dim!r}; they are the same argument, pass one")
    return dim


def concatenate(tensors: Sequence[TensorLike], axis: int | None = 0, *, dim: int | None = None) -> Tensor:
    """Join tensors along an existing `axis` (PyTorch's cat(tensors, dim)); axis=None joins them flattened."""
    ts = [_lift(t) for t in tensors]
    if not ts:
        raise ValueError("concatenate: needs at least one tensor")
    axis = _axis_or_dim(axis, dim, "concatenate")
    if axis is None:
        ts, axis = [t.reshape(-1) for t in ts], 0
    try:
        out = np.concatenate([t.data for t in ts], axis=axis)
    except (ValueError, np.exceptions.AxisError) as e:
        raise ValueError(f"concatenate: shapes {[t.shape for t in ts]} along axis {axis}: {e}") from None
    ax = axis % out.ndim
    ends = np.cumsum([t.shape[ax] for t in ts])
    cuts = [(slice(None),) * ax + (slice(e - t.shape[ax], e),) for t, e in zip(ts, ends)]
    return Tensor._make(out, tuple(ts), lambda g, out, *xs: tuple(g[c] for c in cuts), "concatenate")


def stack(tensors: Sequence[TensorLike], axis: int | None = 0, *, dim: int | None = None) -> Tensor:
    """Join same-shape tensors along a new `axis` (PyTorch's `dim`)."""
    axis = _axis_or_dim(axis, dim, "stack")
    ts = [_lift(t) for t in tensors]
    if not ts:
        raise ValueError("stack: needs at least one tensor")
    shapes = {t.shape for t in ts}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors must have one shape, got {[t.shape for t in ts]}")
    return concatenate([t.unsqueeze(axis) for t in ts], axis=axis)


# --- PyTorch spellings that need more than a new name ---------------------------------------------------
def view(self: Tensor, *shape: Shape) -> Tensor:
    """PyTorch's view: reshape that never copies, so the result always shares this tensor's memory; where
    the layout would need a copy (after a transpose, say) it raises, as PyTorch does: use reshape there."""
    out = reshape(self, *shape)
    if self.data.size and not np.may_share_memory(out.data, self.data):
        raise ValueError(f"view: a tensor of shape {self.shape} with strides {self.data.strides} cannot be viewed "
                         f"as shape {out.shape} without copying its memory; use reshape(), which copies when it must")
    return out


def expand(self: Tensor, *sizes: Shape) -> Tensor:
    """PyTorch's expand: broadcast_to(sizes), where -1 keeps that dimension's size (a read-only view)."""
    sizes = _shape_args(sizes)
    lead = len(sizes) - self.ndim                   # new leading dimensions
    if lead < 0 or -1 in sizes[:lead]:
        raise ValueError(f"expand: sizes {sizes} for a tensor of shape {self.shape}: give one size per dimension "
                         "(new ones first), with -1 (keep the size) only for existing dimensions")
    shape = sizes[:lead] + tuple(n if s == -1 else s for s, n in zip(sizes[lead:], self.shape))
    return broadcast_to(self, shape)


def clone(self: Tensor) -> Tensor:
    """A copy recorded in the graph (PyTorch's clone): its own memory, not a view; the gradient passes unchanged."""
    return Tensor._make(self.data.copy(), (self,), lambda g, out, x: (g,), "clone")


def to(self: Tensor, *args: Any, dtype: DTypeLike | None = None, device: str | None = None) -> Tensor:
    """PyTorch's .to(dtype) / .to("cpu"): a numpy dtype or its name casts like astype; "cpu" is the only
    device; self is returned when nothing changes. float() is to(float32), double() to(float64)."""
    for a in args:                                  # each a dtype, a device name, or a tensor (its dtype)
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif _is_dtype(a):
            dtype = a
        else:
            device = a
    if device not in (None, "cpu"):
        raise ValueError(f"to: {device!r} is neither a numpy dtype nor the device 'cpu': graphgrad computes with "
                         "numpy, on the CPU only")
    if dtype is not None and not _is_dtype(dtype):
        raise TypeError(f"to: dtype {dtype!r} is not a numeric numpy dtype; use e.g. np.float32 or 'float64'")
    return self if dtype is None or np.dtype(dtype) == self.dtype else self.astype(dtype)


def _is_dtype(d):
    """True for a numeric numpy dtype or its name ('float32', np.float64, ...)."""
    try:
        return np.dtype(d).kind in _NUMERIC
    except (TypeError, ValueError):
        return False
