"""Linear algebra: matmul (numpy's rules for 1-d, 2-d and batched operands), einsum with its gradient for any
subscripts, and the products built on them: dot, outer, tensordot."""
from __future__ import annotations

import collections
import math
import string
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..tensor import Tensor
from .common import tensor_arg

if TYPE_CHECKING:
    from ..hints import TensorLike

    def _pair(a: TensorLike, b: TensorLike) -> tuple[Tensor, Tensor]: ...    # elementwise.py's, as typed here
else:
    from .elementwise import _pair

_make = Tensor._make


def _check(a, b):
    """Refuse operands matmul cannot multiply (a, b: the ndarrays), naming their shapes."""
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: operands must have at least one dimension, got shapes {a.shape} and "
                         f"{b.shape}; use * to scale by a scalar")
    k_a, k_b = a.shape[-1], b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k_a != k_b:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied: "
                         f"inner dimensions {k_a} != {k_b}")


def matmul(a: TensorLike, b: TensorLike) -> Tensor:
    """Matrix product a @ b (batch dimensions broadcast)."""
    a, b = _pair(a, b)
    x, w = a.data, b.data
    _check(x, w)
    try:
        out = x @ w
    except ValueError:
        raise ValueError(f"matmul: batch dimensions of shapes {a.shape} and {b.shape} cannot be "
                         "broadcast together") from None
    need_a, need_b = a.requires_grad, b.requires_grad
    vec_a, vec_b = x.ndim == 1, w.ndim == 1

    def vjp(g, out, x, w):
        if vec_a and vec_b:                       # inner product: out = sum x w
            return (g * w if need_a else None), (g * x if need_b else None)
        if vec_a:                                 # x is a row vector (1, k); g gains the 1
            x = x.reshape(1, -1)
            g = g.reshape(g.shape[:-1] + (1, g.shape[-1]))
        if vec_b:                                 # w is a column vector (k, 1)
            w = w.reshape(-1, 1)
            g = g.reshape(g.shape + (1,))
        ga = g @ w.swapaxes(-1, -2) if need_a else None     # (..., n, k)
        gb = x.swapaxes(-1, -2) @ g if need_b else None     # (..., k, m)
        if vec_a and ga is not None:
            ga = ga[..., 0, :]
        if vec_b and gb is not None:
            gb = gb[..., 0]
        return ga, gb
    return _make(out, (a, b), vjp, "matmul")



# --- einsum: a sum of products over repeated subscript letters ------------------------------------
_LETTERS = string.ascii_letters


def einsum(subscripts: str, *operands: TensorLike) -> Tensor:
    """numpy's einsum on tensors ("ij,jk->ik", "ii->" trace, "ii->i" diagonal, "...ij->...ji", implicit output).

    Differentiable for every subscript string: the gradient of an operand is itself an einsum. Also PyTorch's
    einsum(eq, [a, b]). An explicit output without "..." sums the ellipsis dimensions (PyTorch's rule; numpy
    refuses)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)) and all(
            type(o) is Tensor for o in operands[0]):
        operands = tuple(operands[0])
    if not isinstance(subscripts, str):
        raise TypeError("einsum: give the subscripts as a string first, einsum('ij,jk->ik', a, b); numpy's "
                        "interleaved sublist form is not supported")
    ts = [tensor_arg(o) for o in operands]
    terms, out = _explicit(subscripts, [t.shape for t in ts])
    try:
        data = _np_einsum(terms, out, [t.data for t in ts])
    except ValueError as e:
        raise ValueError(f"einsum: {subscripts!r} on shapes {[t.shape for t in ts]}: {e}") from None
    data = np.asarray(data)
    if any(np.may_share_memory(data, t.data) for t in ts):    # numpy's "ij->ji", "ii->i" are views of the input:
        data = data.copy()                                      # a result must own its memory
    need = [t.requires_grad for t in ts]

    def vjp(g, out_, *xs):
        return tuple(_einsum_grad(k, g, xs, terms, out) if need[k] else None for k in range(len(xs)))
    return _make(data, tuple(ts), vjp, "einsum")


def _np_einsum(terms, out, arrays):
    return np.einsum(",".join(terms) + "->" + out, *arrays, optimize=len(arrays) > 1)


def _explicit(subscripts, shapes):
    """(terms, output) of an einsum with each "..." spelled as unused letters and the output made explicit."""
    lhs, arrow, rhs = subscripts.replace(" ", "").partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: {subscripts!r} names {len(terms)} operands but {len(shapes)} were given")
    ranks = []
    for t, s in zip(terms, shapes):
        named = len(t.replace("...", ""))
        if t.count("...") > 1 or named > len(s) or ("..." not in t and named != len(s)):
            raise ValueError(f"einsum: subscripts {t!r} do not fit an operand of shape {s} (one letter per "
                             "dimension, or '...' for the rest)")
        ranks.append(len(s) - named if "..." in t else 0)
    ell = "".join(c for c in _LETTERS if c not in subscripts)[:max(ranks, default=0)]
    if len(ell) < max(ranks, default=0):
        raise ValueError(f"einsum: {subscripts!r} leaves too few unused letters for the dimensions under '...'")
    terms = [t.replace("...", ell[len(ell) - r:]) for t, r in zip(terms, ranks)]     # '...' aligns right
    for k, (t, s) in enumerate(zip(terms, shapes)):
        sizes = {c: {n for d, n in zip(t, s) if d == c} for c in t}
        bad = [c for c in sizes if len(sizes[c]) > 1]
        if bad:
            raise ValueError(f"einsum: operand {k} of shape {s} repeats letter {bad[0]!r} over dimensions of sizes "
                             f"{sorted(sizes[bad[0]])}; a repeated letter takes a diagonal, so they must be equal")
    if arrow:
        return terms, rhs.replace("...", ell)
    counts = collections.Counter("".join(terms))      # numpy's implicit output: '...', then once-used letters
    return terms, ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))


def _einsum_grad(k, g, xs, terms, out):
    """d/d(operand k) as one einsum of g with the other operands: a letter repeated within operand k gets a
    fresh letter per repeat tied by a delta tensor (the gradient lands on the diagonal); a letter whose size
    the others do not give (found nowhere else, or broadcast there) gets a vector of ones (g spreads along it)."""
    x, term = xs[k], terms[k]
    fresh = iter(c for c in _LETTERS if c not in "".join(terms) + out)
    ops = [(out, g)] + [(t, xs[i]) for i, t in enumerate(terms) if i != k]
    given = {}                               # letter -> its size in g and the other operands (1 if broadcast)
    for t, arr in ops:
        for c, n in zip(t, arr.shape):
            given[c] = n if given.get(c, 1) == 1 else given[c]
    target, tied, dtype = "", {}, g.dtype
    for c, n in zip(term, x.shape):
        if c in target:
            target += next(tied[c])
            continue
        target += c
        if term.count(c) > 1:                # delta(c, c', c'', ...) over all the places c appears
            ties = c + "".join(next(fresh, "") for _ in range(term.count(c) - 1))
            if len(ties) < term.count(c):
                raise ValueError(f"einsum: {','.join(terms)}->{out} uses too many letters to differentiate "
                                 f"operand {k}; rename fewer dimensions or split the einsum")
            ops.append((ties, _delta(n, len(ties), dtype)))
            tied[c] = iter(ties[1:])
        elif c not in given or (given[c] == 1 and n != 1):
            ops.append((c, np.ones(n, dtype)))
    subs, arrays = zip(*ops)
    if type(g) is Tensor:
        return einsum(",".join(subs) + "->" + target, *arrays)
    return _np_einsum(subs, target, arrays)


def _delta(n, r, dtype):
    """The r-dimensional identity of side n: 1 where all r indices are equal."""
    d = np.zeros((n,) * r, dtype)
    d[(np.arange(n),) * r] = 1
    return d


# --- products built on matmul --------------------------------------------------------------------
def tensordot(a: TensorLike, b: TensorLike, axes: int | Sequence[Any] = 2, *,
              dims: int | Sequence[Any] | None = None) -> Tensor:
    """Sum of products over axes[0] of a and axes[1] of b (an int n: a's last n with b's first n; PyTorch's dims=);
    the result has a's other axes, then b's."""
    a, b = _pair(a, b)
    ax_a, ax_b = _contracted(a, b, axes if dims is None else dims)
    free_a = [d for d in range(a.ndim) if d not in ax_a]
    free_b = [d for d in range(b.ndim) if d not in ax_b]
    m, k, n = (math.prod(s.shape[d] for d in ds) for s, ds in ((a, free_a), (a, ax_a), (b, free_b)))
    A = a.transpose(tuple(free_a + ax_a)).reshape(m, k)       # (free of a, summed)
    B = b.transpose(tuple(ax_b + free_b)).reshape(k, n)       # (summed, free of b)
    return (A @ B).reshape(tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b))


def _contracted(a, b, axes):
    """(axes of a, axes of b) to sum over, checked: in range, no repeats, equal sizes."""
    if isinstance(axes, (int, np.integer)) and not isinstance(axes, bool):
        if not 0 <= axes <= min(a.ndim, b.ndim):
            raise ValueError(f"tensordot: axes={axes} for shapes {a.shape} and {b.shape}: it must be in "
                             f"[0, {min(a.ndim, b.ndim)}]")
        ax_a, ax_b = list(range(a.ndim - axes, a.ndim)), list(range(axes))
    else:
        try:
            ax_a, ax_b = ([int(i) for i in np.atleast_1d(side)] for side in axes)
        except (TypeError, ValueError):
            raise TypeError(f"tensordot: axes must be an int or a pair of axis lists, got {axes!r}") from None
        if len(ax_a) != len(ax_b) or any(not -t.ndim <= d < t.ndim for t, ds in ((a, ax_a), (b, ax_b)) for d in ds):
            raise ValueError(f"tensordot: axes {axes!r} do not pair up axes of shapes {a.shape} and {b.shape}")
        ax_a, ax_b = [d % a.ndim for d in ax_a], [d % b.ndim for d in ax_b]
    if len(set(ax_a)) != len(ax_a) or len(set(ax_b)) != len(ax_b):
        raise ValueError(f"tensordot: axes {axes!r} repeat an axis")
    bad = [(i, j) for i, j in zip(ax_a, ax_b) if a.shape[i] != b.shape[j]]
    if bad:
        i, j = bad[0]
        raise ValueError(f"tensordot: axis {i} of shape {a.shape} has size {a.shape[i]} but axis {j} of shape "
                         f"{b.shape} has size {b.shape[j]}; summed axes must match")
    return ax_a, ax_b


def dot(a: TensorLike, b: TensorLike) -> Tensor:
    """numpy's dot: a * b for a 0-d operand, else the sum over a's last axis and b's second-to-last (its only one
    for 1-d b): inner product, matrix-vector, matrix product. (PyTorch's dot takes 1-d vectors only.)"""
    a, b = _pair(a, b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return tensordot(a, b, ([a.ndim - 1], [max(b.ndim - 2, 0)]))


def outer(a: TensorLike, b: TensorLike) -> Tensor:
    """The outer product out[i, j] = a[i] * b[j] of a and b flattened (numpy's rule; PyTorch's takes 1-d only)."""
    a, b = _pair(a, b)
    return a.reshape(a.size, 1) * b.reshape(1, b.size)
