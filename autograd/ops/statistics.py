"""More reductions over `axis` (int, tuple or None) with `keepdims`: std, prod, norm; and the constant ones,
argmax/argmin, any/all, count_nonzero (int or bool results, no gradient).

Like ops/reductions.py, whose helpers these share, each vjp restores the reduced axes as size-1 dimensions.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..tensor import Tensor, _raw
from .common import axis_args, tensor_arg
from .reductions import _axes, _kept
from .scans import _exclusive, _flip

if TYPE_CHECKING:
    from ..hints import Axis, TensorLike

_make, _lift = Tensor._make, Tensor._lift


def _reduction(t: TensorLike, axis: Axis, keepdims: bool, dim: Axis, keepdim: bool | None,
               op: str) -> tuple[Tensor, tuple[int, ...], bool, int]:
    """(t, axes, keepdims, n): the tensor, the reduced axes as a sorted tuple and how many entries each slice has."""
    t, (axis, keepdims) = tensor_arg(t), axis_args(axis, keepdims, dim, keepdim, op)
    axes = _axes(axis, t.ndim, op)
    return t, axes, keepdims, int(np.prod([t.shape[a] for a in axes]))


# --- std -----------------------------------------------------------------------------------------
def std(t: TensorLike, axis: Axis = None, keepdims: bool = False, ddof: int = 0, *, dim: Axis = None,
        keepdim: bool | None = None, correction: int | None = None) -> Tensor:
    """Standard deviation sqrt(var) over `axis`, default ddof=0 as numpy (PyTorch's `correction` is ddof; its default
    is 1). Constant data give exactly 0 and a gradient of 0 there, as PyTorch (not sqrt's 0 * inf); tiny or huge
    spreads neither underflow nor overflow."""
    t, axes, keepdims, n = _reduction(t, axis, keepdims, dim, keepdim, "std")
    ddof = ddof if correction is None else correction
    divisor, shape = max(n - ddof, 0), t.shape          # ddof >= n: inf (nan for constant data), as var
    d = _deviations(t.data, axes, n)
    m = np.abs(d).max(axis=axes, keepdims=True, initial=0)
    m = np.where(np.isfinite(m) & (m > 0), m, 1)         # the scale of each slice's spread
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.sqrt(((d / m) ** 2).sum(axis=axes, keepdims=True) / divisor) * m
    out = out if keepdims else out.reshape([s for i, s in enumerate(shape) if i not in axes])

    def vjp(g, out, x):                    # d std / dx = (x - mean) / (divisor * std)
        k = _kept(shape, axes)
        safe = out.reshape(k) + (_raw(out) == 0).reshape(k)     # std = 0 only where x - mean = 0: gradient 0
        with np.errstate(divide="ignore", invalid="ignore"):
            return (_deviations(x, axes, n) * (g.reshape(k) / (safe * divisor)),)
    return _make(out.astype(d.dtype, copy=False), (t,), vjp, "std")


def _deviations(x, axes, n):
    """x - mean(x) over `axes` (ndarray or Tensor), taken after subtracting each slice's first entry (a constant):
    the same value, but exactly 0 for constant data and with less cancellation."""
    first = _raw(x)[tuple(slice(0, 1) if i in axes else slice(None) for i in range(x.ndim))]
    c = x - first
    return c - c.sum(axis=axes, keepdims=True) / max(n, 1)


# --- prod ----------------------------------------------------------------------------------------
def prod(t: TensorLike, axis: Axis = None, keepdims: bool = False, *, dim: Axis = None,
         keepdim: bool | None = None) -> Tensor:
    """Product over `axis` (1 over an empty axis). Its gradient, each entry's product of the others, is computed
    without dividing by the entry: exact with one or several zeros, and where the whole product over/underflows."""
    t, axes, keepdims, n = _reduction(t, axis, keepdims, dim, keepdim, "prod")
    shape = t.shape

    def vjp(g, out, x):
        g = g.reshape(_kept(shape, axes))
        if n == 0:                         # no entries, nothing to differentiate
            return (g * np.zeros(shape, _raw(x).dtype),)
        return (g * _others(x, axes, n),)
    return _make(np.prod(t.data, axis=axes, keepdims=keepdims), (t,), vjp, "prod")


def _others(x, axes, n):
    """prod_{j != i} x_j over each slice along `axes`: the running products before i times those after i."""
    perm = [a for a in range(x.ndim) if a not in axes] + list(axes)
    moved = x.transpose(tuple(perm))                           # reduced axes last
    flat = moved.reshape(moved.shape[:x.ndim - len(axes)] + (n,))
    last = flat.ndim - 1
    both = _exclusive(flat) * _flip(_exclusive(_flip(flat, last)), last)
    return both.reshape(moved.shape).transpose(tuple(int(a) for a in np.argsort(perm)))


# --- norm ----------------------------------------------------------------------------------------
def norm(t: TensorLike, p: float | str = "fro", axis: Axis = None, keepdims: bool = False, *, dim: Axis = None,
         keepdim: bool | None = None) -> Tensor:
    """p-norm of the entries over `axis` (None: all; an int; a pair), as torch.norm: p = 2 or "fro", 1, inf, -inf,
    0 (count of nonzeros) or any p > 0. Over two axes a number p gives the entrywise norm (PyTorch's rule), not
    numpy.linalg.norm's matrix norms. At a zero vector the gradient is 0, as in PyTorch; at ties of |x| (inf, -inf)
    it is split evenly; a nan entry gets a nan gradient, as abs gives it (PyTorch: 0 for p = 1, inf)."""
    t, axes, keepdims, n = _reduction(t, axis, keepdims, dim, keepdim, "norm")
    p, shape = _order(p), t.shape
    if np.isinf(p) and n == 0:
        raise ValueError(f"norm: p={p} over an empty axis of shape {shape} has no value (max/min of nothing); "
                         "use a finite p, or check the size first")
    x = t.data if t.dtype.kind == "f" else t.data.astype(np.float64)

    def vjp(g, out, x):
        k = _kept(shape, axes)
        return (g.reshape(k) * _slope(x, out.reshape(k), p, axes),)
    return _make(_norm(np.abs(x), p, axes, keepdims), (t,), vjp, "norm")


def _order(p):
    """p as a float: "fro" is 2; refuse what is not a vector norm order."""
    if isinstance(p, str):
        if p == "fro":
            return 2.0
        raise ValueError(f"norm: p={p!r} is not supported; use 'fro', a number >= 0, inf or -inf "
                         "(matrix norms such as 'nuc' are not provided)")
    p = float(p)
    if np.isnan(p) or (p < 0 and p != -np.inf):
        raise ValueError(f"norm: p={p} is not supported; use a number >= 0, inf or -inf")
    return p


def _norm(a, p, axes, keepdims):
    """The norm of |x| (`a`) over `axes`; a finite p other than 0 and 1 sums (|x| / max|x|)^p, so squares of tiny
    or huge entries neither underflow to 0 nor overflow to inf."""
    if p == np.inf:
        return a.max(axis=axes, keepdims=keepdims)
    if p == -np.inf:
        return a.min(axis=axes, keepdims=keepdims)
    if p == 0:
        return (a != 0).sum(axis=axes, keepdims=keepdims).astype(a.dtype)
    if p == 1 or a.size == 0:
        return a.sum(axis=axes, keepdims=keepdims)
    m = a.max(axis=axes, keepdims=True)
    m = np.where(np.isfinite(m) & (m > 0), m, 1).astype(a.dtype)    # 0, inf, nan: left as they are
    ratio = a / m
    total = np.sqrt((ratio * ratio).sum(axis=axes, keepdims=keepdims)) if p == 2 else \
        (ratio ** p).sum(axis=axes, keepdims=keepdims) ** (1 / p)
    return total * (m if keepdims else m.reshape(total.shape))


def _slope(x, out, p, axes):
    """d norm / dx (`out` with the reduced axes kept): sign(x) (|x| / norm)^(p - 1), and PyTorch's choices at 0."""
    xr = _raw(x)
    sign = np.sign(xr)
    if p == 0:                             # a count: flat
        return np.zeros(xr.shape, xr.dtype)
    if p == 1:
        return sign
    if np.isinf(p):                        # the entries attaining max/min |x| (or nan) share the gradient
        a = np.abs(xr)
        hit = (a == _raw(out)) | np.isnan(a)
        return sign * hit / hit.sum(axis=axes, keepdims=True)
    safe = out + (_raw(out) == 0)          # a zero norm means x = 0 in that slice: the slope is 0 there
    if p == 2:
        return x / safe
    return sign * (abs(x) / safe + (xr == 0)) ** (p - 1)     # the ratio is set to 1 where x = 0 (sign is 0)


# --- constant results: indices, truth values, counts ----------------------------------------------
def argmax(t: TensorLike, axis: Axis = None, keepdims: bool = False, *, dim: Axis = None,
           keepdim: bool | None = None) -> Tensor:
    """Index of the maximum along `axis` (None: into the flattened tensor), an int64 constant; the first one at
    ties, and the first nan if there is one (numpy's rule, which PyTorch shares)."""
    return _arg_extreme(t, axis, keepdims, dim, keepdim, np.argmax, "argmax")


def argmin(t: TensorLike, axis: Axis = None, keepdims: bool = False, *, dim: Axis = None,
           keepdim: bool | None = None) -> Tensor:
    """Index of the minimum along `axis` (None: into the flattened tensor), an int64 constant; the first one at
    ties, and the first nan if there is one (numpy's rule, which PyTorch shares)."""
    return _arg_extreme(t, axis, keepdims, dim, keepdim, np.argmin, "argmin")


def _arg_extreme(t, axis, keepdims, dim, keepdim, fn, op):
    t, (axis, keepdims) = tensor_arg(t), axis_args(axis, keepdims, dim, keepdim, op)
    if axis is not None and (not isinstance(axis, (int, np.integer)) or isinstance(axis, bool)):
        raise TypeError(f"{op}: axis must be one int or None (the flattened tensor), got {axis!r}")
    axes = _axes(axis, t.ndim, op)
    if int(np.prod([t.shape[a] for a in axes])) == 0:
        raise ValueError(f"{op}: the reduced axis of a tensor of shape {t.shape} is empty, so there is no index "
                         "to return; check the size first")
    return _lift(np.asarray(fn(t.data, axis=axis, keepdims=keepdims), dtype=np.int64))


def reduce_any(t: TensorLike, axis: Axis = None, keepdims: bool = False, *, dim: Axis = None,
               keepdim: bool | None = None) -> Tensor:
    """Whether any entry over `axis` is nonzero (nan counts), a bool constant; False over an empty axis."""
    t, axes, keepdims, _ = _reduction(t, axis, keepdims, dim, keepdim, "any")
    return _lift(np.asarray(np.any(t.data, axis=axes, keepdims=keepdims)))


def reduce_all(t: TensorLike, axis: Axis = None, keepdims: bool = False, *, dim: Axis = None,
               keepdim: bool | None = None) -> Tensor:
    """Whether every entry over `axis` is nonzero (nan counts), a bool constant; True over an empty axis."""
    t, axes, keepdims, _ = _reduction(t, axis, keepdims, dim, keepdim, "all")
    return _lift(np.asarray(np.all(t.data, axis=axes, keepdims=keepdims)))


def count_nonzero(t: TensorLike, axis: Axis = None, keepdims: bool = False, *, dim: Axis = None,
                  keepdim: bool | None = None) -> Tensor:
    """How many entries over `axis` are nonzero (nan counts), an int64 constant."""
    t, axes, keepdims, _ = _reduction(t, axis, keepdims, dim, keepdim, "count_nonzero")
    return _lift(np.asarray(np.count_nonzero(t.data, axis=axes, keepdims=keepdims), dtype=np.int64))
