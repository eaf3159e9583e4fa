"""Shape primitives (reshape, transpose, broadcast_to, indexing, concatenate) and their composites.

None of these changes a value, so each vjp only moves `g` back into the input's layout.
"""
import numpy as np

from ..tensor import Tensor, tensor_method, _index_data

_lift = Tensor._lift


def _make(data, parents, vjp, op):
    """Tensor._make for shape ops: a result that views its input's memory shares its in-place version."""
    out = Tensor._make(data, parents, vjp, op)
    if data.base is not None and len(parents) == 1:
        out._shares_version_with(parents[0])
    return out


def _shape_args(shape):
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape


def _axis(axis, ndim, op, shape):
    """`axis` in [-ndim, ndim) as a non-negative int, or a ValueError naming the shape (numpy raises too)."""
    if not -ndim <= axis < ndim:
        raise ValueError(f"{op}: axis {axis} is out of range for a tensor of shape {shape} ({ndim} dimensions)")
    return axis % ndim


@tensor_method
def reshape(self, *shape):
    """The same data in a new shape (one dimension may be -1)."""
    old = self.shape
    try:
        out = self.data.reshape(_shape_args(shape))
    except ValueError:
        raise ValueError(f"reshape: cannot reshape a tensor of shape {old} ({self.size} elements) "
                         f"into shape {_shape_args(shape)}") from None
    return _make(out, (self,), lambda g, out, x: (g.reshape(old),), "reshape")


@tensor_method
def transpose(self, *axes):
    """Permute dimensions (reverse them when no axes are given)."""
    axes = _shape_args(axes) or tuple(range(self.ndim))[::-1]
    try:
        out = self.data.transpose(axes)
    except (ValueError, np.exceptions.AxisError):
        raise ValueError(f"transpose: axes {axes} are not a permutation of the {self.ndim} dimensions "
                         f"of a tensor of shape {self.shape}") from None
    inverse = tuple(np.argsort([a % self.ndim for a in axes]))     # negative axes name the same dims
    return _make(out, (self,), lambda g, out, x: (g.transpose(inverse),), "transpose")


Tensor.T = property(lambda self: self.transpose(), doc="The tensor with its dimensions reversed.")


@tensor_method
def swapaxes(self, a, b):
    """Exchange two dimensions."""
    axes = list(range(self.ndim))
    axes[a], axes[b] = axes[b], axes[a]
    return self.transpose(*axes)


@tensor_method
def broadcast_to(self, shape):
    """A read-only broadcast view of shape `shape`; the engine sums the gradient back."""
    try:
        out = np.broadcast_to(self.data, shape)
    except ValueError:
        raise ValueError(f"broadcast_to: shape {self.shape} cannot be broadcast to {tuple(shape)}") from None
    return _make(out, (self,), lambda g, out, x: (g,), "broadcast_to")


@tensor_method
def flatten(self, start_dim=0, end_dim=-1):
    """Merge dimensions start_dim..end_dim into one."""
    n = self.ndim
    if n == 0:
        return self.reshape(1)
    s, e = _axis(start_dim, n, "flatten", self.shape), _axis(end_dim, n, "flatten", self.shape)
    merged = int(np.prod(self.shape[s:e + 1]))      # not -1: that is ambiguous for empty tensors
    return self.reshape(self.shape[:s] + (merged,) + self.shape[e + 1:])


@tensor_method
def squeeze(self, axis=None):
    """Drop size-1 dimensions (all of them, or those in `axis`)."""
    if axis is None:
        keep = [n for n in self.shape if n != 1]
    else:
        axes = {_axis(a, self.ndim, "squeeze", self.shape) for a in ((axis,) if isinstance(axis, int) else axis)}
        bad = [a for a in axes if self.shape[a] != 1]
        if bad:
            raise ValueError(f"squeeze: dimension {bad[0]} of shape {self.shape} has size {self.shape[bad[0]]}, not 1")
        keep = [n for i, n in enumerate(self.shape) if i not in axes]
    return self.reshape(tuple(keep))


@tensor_method
def unsqueeze(self, axis):
    """Insert a size-1 dimension at `axis`."""
    axis = _axis(axis, self.ndim + 1, "unsqueeze", self.shape)
    return self.reshape(self.shape[:axis] + (1,) + self.shape[axis:])


Tensor.expand_dims = unsqueeze


def _own_index(index):
    """The index with its arrays copied: backward must scatter to where the forward gathered from."""
    if isinstance(index, list):
        return np.array(index)
    if isinstance(index, np.ndarray):
        return index.copy()
    if isinstance(index, tuple) and any(isinstance(i, (np.ndarray, list)) for i in index):
        return tuple(np.array(i) if isinstance(i, (np.ndarray, list)) else i for i in index)
    return index


def _is_basic(index):
    """True when indexing can only pick each element once (ints, slices, None, ..., bool masks)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, np.integer, slice))
               or (isinstance(i, np.ndarray) and i.dtype == bool) for i in items)


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
    return _make(_scatter(g.data, shape, index, basic), (g,), lambda gg, out, x: (gg[index],), "index_add")


@tensor_method
def __getitem__(self, index):
    index = _own_index(_index_data(index))
    try:
        out = self.data[index]
    except IndexError as e:
        raise IndexError(f"index {index!r} into a tensor of shape {self.shape}: {e}") from None
    shape, basic = self.shape, _is_basic(index)          # (_make turns a picked scalar into a 0-d array)
    return _make(out, (self,), lambda g, out, x: (_scatter(g, shape, index, basic),), "getitem")


def concatenate(tensors, axis=0):
    """Join tensors along an existing `axis`."""
    ts = [_lift(t) for t in tensors]
    if not ts:
        raise ValueError("concatenate: needs at least one tensor")
    try:
        out = np.concatenate([t.data for t in ts], axis=axis)
    except (ValueError, np.exceptions.AxisError) as e:
        raise ValueError(f"concatenate: shapes {[t.shape for t in ts]} along axis {axis}: {e}") from None
    ax = axis % out.ndim
    ends = np.cumsum([t.shape[ax] for t in ts])
    cuts = [(slice(None),) * ax + (slice(e - t.shape[ax], e),) for t, e in zip(ts, ends)]
    return _make(out, tuple(ts), lambda g, out, *xs: tuple(g[c] for c in cuts), "concatenate")


def stack(tensors, axis=0):
    """Join same-shape tensors along a new `axis`."""
    ts = [_lift(t) for t in tensors]
    if not ts:
        raise ValueError("stack: needs at least one tensor")
    shapes = {t.shape for t in ts}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors must have one shape, got {[t.shape for t in ts]}")
    return concatenate([t.unsqueeze(axis) for t in ts], axis=axis)
