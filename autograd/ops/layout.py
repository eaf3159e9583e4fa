"""Layout ops: pad, tile, repeat / repeat_interleave, flip, roll, split, chunk, triu / tril, diagonal.

None changes a value. Most are indexing in disguise: reflect and replicate padding, repeat and roll read
x at an index grid (getitem's vjp scatters g back and adds up repeats); flip and split are basic slices,
so views, as in numpy. The primitives: constant padding (vjp: g's interior), tile (vjp: the copies of g
summed), triu / tril (vjp: g masked) and diagonal, a writable view like PyTorch's (numpy's is read-only):
changes through it are recorded on its base by ops/shape.py's view rules.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..tensor import Tensor, _raw
from .common import one_axis, tensor_arg
from .shape import _axis, _make as _view, getitem

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from ..hints import Axis, Shape, TensorLike

_make = Tensor._make
_MODES: dict[str, Any] = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "edge": "edge"}


def _ints(values, op, what):
    """`values` (an int or a sequence) as an int array, or a TypeError naming op."""
    arr = np.asarray(values)
    if arr.size == 0:
        return arr.astype(np.intp)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{op}: {what} must be integers, got {values!r}")
    return arr


def _either(a, b, na, nb, op):
    """numpy's argument `a` or PyTorch's `b`, not both."""
    if a is not None and b is not None:
        raise TypeError(f"{op}: got both {na}={a!r} and {nb}={b!r}; they are the same argument, pass one")
    return a if b is None else b


# --- padding ------------------------------------------------------------------------------------
def pad(x: TensorLike, pad_width: int | Sequence[Any] | None = None, mode: str = "constant",
        constant_values: ArrayLike = 0, *, pad: Sequence[int] | None = None, value: float | None = None) -> Tensor:
    """x padded on each side; pad_width as numpy's (n, (before, after), or one pair per axis) or pad= as PyTorch's
    flat (before, after) pairs from the last axis. mode: "constant" (constant_values=, value=), "reflect" (no edge
    repeat) or "replicate" ("edge"). A flat list of 4 or more is PyTorch's spelling (numpy cannot mean it); a flat
    pair on 2 or more axes is ambiguous (numpy pads every axis, PyTorch the last) and refused."""
    x = tensor_arg(x)
    if mode not in _MODES:
        raise ValueError(f"pad: mode {mode!r} is not one of {sorted(_MODES)}")
    widths = _widths(x.shape, pad_width, pad)
    if _MODES[mode] == "constant" or x.ndim == 0:
        return _pad_constant(x, widths, _either(constant_values or None, value, "constant_values", "value", "pad")
                             if value is not None else constant_values)
    maps = []                                # out[i, j, ..] = x[map0[i], map1[j], ..]
    for d, (n, w) in enumerate(zip(x.shape, widths)):
        if n == 0 and sum(w):
            raise ValueError(f"pad: cannot {mode}-pad axis {d} of size 0 (shape {x.shape}); only constant padding "
                             "extends an empty axis")
        maps.append(np.pad(np.arange(n), w, _MODES[mode]))
    return getitem(x, np.ix_(*maps))


def _widths(shape, pad_width, flat):
    """[(before, after)] per axis, from numpy's pad_width or PyTorch's flat `pad`."""
    if (pad_width is None) == (flat is None):
        raise TypeError("pad: give pad_width (numpy's spelling) or pad= (PyTorch's flat pairs), exactly one")
    w, nd = _ints(pad_width if flat is None else flat, "pad", "pad widths"), len(shape)
    if np.any(w < 0):
        raise ValueError(f"pad: pad widths must be >= 0, got {w.tolist()}; crop with slicing (x[1:-1]) instead")
    if flat is not None or (w.ndim == 1 and w.size > 2):
        if w.ndim != 1 or w.size % 2 or w.size > 2 * nd:
            raise ValueError(f"pad: PyTorch-style pad {w.tolist()} needs an even number of entries, at most 2 per "
                             f"axis of the tensor's shape {shape}")
        pairs = [tuple(p) for p in w.reshape(-1, 2).tolist()][::-1]          # listed from the last axis
        return [(0, 0)] * (nd - len(pairs)) + pairs
    if w.shape == (2,) and nd > 1:
        raise ValueError(f"pad: pad_width {w.tolist()} on a tensor of shape {shape} is ambiguous: numpy pads every "
                         f"axis by it, PyTorch only the last. Write (({w[0]}, {w[1]}),) for numpy's meaning or "
                         f"pad={tuple(w.tolist())} for PyTorch's")
    try:
        return [tuple(p) for p in np.broadcast_to(w.reshape(-1, 2) if w.size == 0 else w, (nd, 2)).tolist()]
    except ValueError:
        raise ValueError(f"pad: pad_width {w.tolist()} does not fit a tensor of shape {shape}: give an int, "
                         f"(before, after), or one (before, after) pair per axis ({nd} of them)") from None


def _pad_constant(x, widths, fill):
    if isinstance(fill, Tensor) or np.ndim(fill) != 0:
        raise TypeError(f"pad: the constant must be a number, got {fill!r}; to pad with a learned value use "
                        "concatenate")
    data = x.data.astype(np.result_type(x.data, fill), copy=False)   # an int tensor padded with 0.5 becomes float
    out = np.pad(data, widths, constant_values=fill) if x.ndim else np.array(data)     # (np.pad fails on 0-d)
    inner = tuple(slice(b, b + n) for (b, _), n in zip(widths, x.shape))
    return _make(out, (x,), lambda g, out, x: (g[inner],), "pad")


# --- copies: tile and repeat ----------------------------------------------------------------------
def tile(x: TensorLike, *reps: Shape) -> Tensor:
    """x repeated whole reps[i] times along each axis (numpy's tile; PyTorch's tile and Tensor.repeat)."""
    x = tensor_arg(x)
    given = reps[0] if len(reps) == 1 and np.ndim(reps[0]) == 1 else reps
    counts = tuple(_ints(given, "tile", "reps").reshape(-1).tolist())
    if any(r < 0 for r in counts):
        raise ValueError(f"tile: reps must be >= 0, got {counts}")
    d = max(len(counts), x.ndim)
    counts, shape, old = (1,) * (d - len(counts)) + counts, (1,) * (d - x.ndim) + x.shape, x.shape
    split = tuple(v for r, n in zip(counts, shape) for v in (r, n))        # (r0, n0, r1, n1, ...)
    copies = tuple(range(0, 2 * d, 2))

    def vjp(g, out, x):                      # each input element was copied to every r-position: sum them
        return (g.reshape(split).sum(axis=copies).reshape(old),)
    return _make(np.tile(x.data, counts), (x,), vjp, "tile")


def repeat(x: TensorLike, repeats: ArrayLike, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """numpy's repeat: each element (each slice along `axis`; None: of flat x) repeated `repeats` times
    (an int or one count per slice): [a, b] -> [a, a, b, b]. PyTorch calls this repeat_interleave;
    PyTorch's Tensor.repeat (whole copies, [a, b, a, b]) is `tile` here."""
    x, axis = tensor_arg(x), one_axis(axis, dim, "repeat", None)
    if axis is None:
        x, axis = x.reshape(x.size), 0
    if x.ndim == 0 or not -x.ndim <= axis < x.ndim:
        raise ValueError(f"repeat: axis {axis} is out of range for a tensor of shape {x.shape}; repeat is numpy's "
                         "(element by element); for PyTorch's Tensor.repeat(*sizes) use tile(*sizes)")
    axis, counts = axis % x.ndim, _ints(_raw(repeats), "repeat", "repeats")
    n = x.shape[axis]
    if np.any(counts < 0) or counts.ndim > 1 or counts.size not in (1, n):
        raise ValueError(f"repeat: repeats {counts.tolist()} must be an int >= 0 or one per slice ({n}) along "
                         f"axis {axis} of shape {x.shape}")
    return getitem(x, (slice(None),) * axis + (np.repeat(np.arange(n), np.broadcast_to(counts.reshape(-1), n)),))


def repeat_interleave(x: TensorLike, repeats: ArrayLike, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """PyTorch's name for numpy's `repeat`: each element repeated `repeats` times along `axis` (dim)."""
    return repeat(x, repeats, axis, dim=dim)


# --- reordering: flip and roll ----------------------------------------------------------------------
def _axes_of(axis, x, op):
    """`axis` (None: all, an int or a sequence) as a set of non-negative ints; a repeat is an error."""
    axes = range(x.ndim) if axis is None else [axis] if np.ndim(axis) == 0 else list(axis)
    norm = [_axis(int(a), x.ndim, op, x.shape) for a in axes]
    if len(set(norm)) != len(norm):
        raise ValueError(f"{op}: axis {axis!r} repeats an axis")
    return set(norm)


def flip(x: TensorLike, axis: Axis = None, *, dims: Axis = None) -> Tensor:
    """x reversed along `axis` (None: every axis; PyTorch's dims=); a view, as numpy's flip."""
    x = tensor_arg(x)
    axes = _axes_of(_either(axis, dims, "axis", "dims", "flip"), x, "flip")
    return getitem(x, tuple(slice(None, None, -1) if d in axes else slice(None) for d in range(x.ndim)))


def roll(x: TensorLike, shift: Shape | None = None, axis: Axis = None, *, shifts: Shape | None = None,
         dims: Axis = None) -> Tensor:
    """x shifted cyclically by `shift` along `axis` (ints or matching sequences; None: over flat x); a copy."""
    x = tensor_arg(x)
    shift, axis = _either(shift, shifts, "shift", "shifts", "roll"), _either(axis, dims, "axis", "dims", "roll")
    steps = _ints(shift, "roll", "shifts")
    if axis is None:
        return roll(x.reshape(x.size), int(steps.sum()), 0).reshape(x.shape)
    try:
        pairs = np.broadcast(steps, _ints(axis, "roll", "axes"))
    except ValueError:
        raise ValueError(f"roll: {steps.size} shifts for axes {axis!r}: give one shift per axis") from None
    total: dict[int, int] = {}               # numpy's rule: shifts along one axis add up
    for s, a in pairs:
        a = _axis(int(a), x.ndim, "roll", x.shape)
        total[a] = total.get(a, 0) + int(s)
    maps = [(np.arange(n) - total.get(d, 0)) % max(n, 1) for d, n in enumerate(x.shape)]   # out[i] = x[i - s]
    return getitem(x, np.ix_(*maps))


# --- splitting: views of consecutive parts ------------------------------------------------------
def _parts(x, axis, bounds):
    return [getitem(x, (slice(None),) * axis + (slice(a, b),)) for a, b in bounds]


def split(x: TensorLike, indices_or_sections: Shape | None = None, axis: int | None = None, *, dim: int | None = None,
          split_size_or_sections: Shape | None = None) -> list[Tensor]:
    """Views of consecutive parts along `axis` (default 0). numpy's meaning: an int N gives N equal parts (it must
    divide the axis), a list the split points. PyTorch's meaning only by keyword, split_size_or_sections=: an int is
    the part size (the last may be shorter), a list the part sizes (summing to the axis length)."""
    x = tensor_arg(x)
    axis = _axis(one_axis(axis, dim, "split", 0), x.ndim, "split", x.shape)
    n = x.shape[axis]
    if (indices_or_sections is None) == (split_size_or_sections is None):
        raise TypeError("split: give indices_or_sections (numpy's meaning) or split_size_or_sections= (PyTorch's)")
    if split_size_or_sections is not None:
        return _parts(x, axis, _sized(split_size_or_sections, n, "split"))
    ios = _ints(indices_or_sections, "split", "indices_or_sections")
    if ios.ndim == 0:
        k = int(ios)
        if k <= 0 or n % k:
            raise ValueError(f"split: axis {axis} of size {n} does not split into {k} equal parts; give split points "
                             "(a list), or use chunk or split_size_or_sections= for unequal parts")
        return _parts(x, axis, [(i * (n // k), (i + 1) * (n // k)) for i in range(k)])
    edges = [0] + ios.reshape(-1).tolist() + [n]          # numpy's rule: parts x[a:b], slicing semantics
    return _parts(x, axis, zip(edges, edges[1:]))


def _sized(sizes, n, op):
    """PyTorch's split bounds: an int is the part size (last shorter), a list the sizes."""
    s = _ints(sizes, op, "split sizes")
    if s.ndim == 0:
        if s <= 0 and n:
            raise ValueError(f"{op}: the part size must be > 0, got {int(s)}")
        return [(a, min(a + int(s), n)) for a in range(0, n, int(s))] or [(0, 0)]
    if np.any(s < 0) or s.sum() != n:
        raise ValueError(f"{op}: part sizes {s.tolist()} must be >= 0 and add up to the axis length {n}")
    ends = np.cumsum(s).tolist()
    return list(zip([0] + ends[:-1], ends))


def chunk(x: TensorLike, chunks: int, axis: int | None = None, *, dim: int | None = None) -> list[Tensor]:
    """PyTorch's chunk: views of at most `chunks` parts of size ceil(n / chunks) along `axis` (default 0)."""
    x = tensor_arg(x)
    axis = _axis(one_axis(axis, dim, "chunk", 0), x.ndim, "chunk", x.shape)
    if isinstance(chunks, bool) or not isinstance(chunks, (int, np.integer)) or chunks <= 0:
        raise ValueError(f"chunk: chunks must be an int > 0, got {chunks!r}")
    n = x.shape[axis]
    if n == 0:
        return _parts(x, axis, [(0, 0)] * chunks)         # PyTorch: `chunks` empty parts
    return _parts(x, axis, _sized(-(-n // chunks), n, "chunk"))


# --- triangles and diagonals --------------------------------------------------------------------
def _triangle(x, k, keep, op):
    x = tensor_arg(x)
    if x.ndim < 2:
        raise ValueError(f"{op}: needs a matrix (the last two axes), got shape {x.shape}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"{op}: the diagonal offset k must be an int, got {k!r}")
    mask = keep(np.ones(x.shape[-2:], bool), k)
    return _make(np.where(mask, x.data, np.zeros((), x.dtype)), (x,), lambda g, out, x: (g * mask,), op)


def triu(x: TensorLike, k: int = 0, *, diagonal: int | None = None) -> Tensor:
    """The upper triangle of the last two axes: x[.., i, j] where j - i >= k (PyTorch's diagonal=), zero elsewhere."""
    return _triangle(x, _either(k or None, diagonal, "k", "diagonal", "triu") or 0, np.triu, "triu")


def tril(x: TensorLike, k: int = 0, *, diagonal: int | None = None) -> Tensor:
    """The lower triangle of the last two axes: x[.., i, j] where j - i <= k (PyTorch's diagonal=), zero elsewhere."""
    return _triangle(x, _either(k or None, diagonal, "k", "diagonal", "tril") or 0, np.tril, "tril")


def diagonal(x: TensorLike, offset: int = 0, axis1: int | None = None, axis2: int | None = None, *,
             dim1: int | None = None, dim2: int | None = None) -> Tensor:
    """The diagonals of the (axis1, axis2) planes (default 0, 1; PyTorch's dim1, dim2), offset above (> 0) or below,
    as the last axis. A view, writable like PyTorch's (numpy's is read-only): changing it in place changes x."""
    x = tensor_arg(x)
    if x.ndim < 2:
        raise ValueError(f"diagonal: needs at least 2 dimensions, got shape {x.shape}")
    a1 = _axis(one_axis(axis1, dim1, "diagonal", 0), x.ndim, "diagonal", x.shape)
    a2 = _axis(one_axis(axis2, dim2, "diagonal", 1), x.ndim, "diagonal", x.shape)
    if a1 == a2 or isinstance(offset, bool) or not isinstance(offset, (int, np.integer)):
        raise ValueError(f"diagonal: needs two different axes and an int offset, got axes {a1}, {a2}, "
                         f"offset {offset!r}")
    shape, where = x.shape, (int(offset), a1, a2)
    return _view(_diag(x.data, *where), (x,), lambda g, out, x: (_embed(g, shape, where),), "diagonal",
                 lambda a: _diagonal_of(a, where))


def _diag(a, offset, a1, a2):
    """numpy's diagonal view, writable when `a` is (its elements are distinct: a write cannot land twice)."""
    d = np.diagonal(a, offset, a1, a2)
    if a.flags.writeable:
        d.setflags(write=True)
    return d


def _diagonal_of(a, where):
    return diagonal(a, *where) if type(a) is Tensor else np.diagonal(a, *where)


def _embed(g, shape, where):
    """Zeros of `shape` with g on the diagonal: diagonal's adjoint (differentiable when g is a Tensor)."""
    if type(g) is Tensor:
        return _make(_embed(g.data, shape, where), (g,), lambda gg, out, g: (_diagonal_of(gg, where),), "diag_embed")
    z = np.zeros(shape, g.dtype)
    _diag(z, *where)[...] = g
    return z
