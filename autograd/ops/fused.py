"""Fused primitives for the layers every MLP runs: fewer nodes, fewer temporaries, same gradients.

`linear(x, W, b)` is x @ W + b in one node: the bias is added in place into the fresh product,
so the pre-bias activation is never kept. `softmax_cross_entropy(logits, targets)` replaces
log_softmax + gather + mean (four nodes and a scatter) with one whose vjp is (softmax - onehot) g.
Both are ordinary primitives: their vjps are written for the fast pass and, with Tensor
operations, for create_graph.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..tensor import Tensor
from .reductions import _lse

if TYPE_CHECKING:
    from ..hints import TensorLike

_make, _lift = Tensor._make, Tensor._lift


def linear(x: TensorLike, W: TensorLike, b: TensorLike | None = None) -> Tensor:
    """x @ W + b for x of shape (..., in), W (in, out), b (out,): the affine map of a layer."""
    x, W = _lift(x), _lift(W)
    if W.ndim != 2 or x.ndim < 1 or x.shape[-1] != W.shape[0]:
        raise ValueError(f"linear: input of shape {x.shape} and weight of shape {W.shape} do not fit: "
                         "the weight must be (in_features, out_features) with in_features == input.shape[-1]")
    out = x.data @ W.data
    if b is not None:
        b = _lift(b)
        if b.shape != (W.shape[1],):
            raise ValueError(f"linear: bias of shape {b.shape} for a weight of shape {W.shape}; "
                             f"it must be ({W.shape[1]},)")
        if np.result_type(out, b.data) == out.dtype:
            out += b.data                              # into the fresh product: no second array
        else:
            out = out + b.data                         # the bias promotes the dtype, as x @ W + b would
    need_x, need_W, need_b = x.requires_grad, W.requires_grad, b is not None and b.requires_grad
    n_in, n_out = W.shape
    m = math.prod(x.shape[:-1])                        # examples in the batch (not -1: x may be empty)

    def vjp(g, out, x, W, b=None):
        g2 = g.reshape(m, n_out)                       # (batch, out)
        gx = (g2 @ W.swapaxes(0, 1)).reshape(x.shape) if need_x else None
        gW = x.reshape(m, n_in).swapaxes(0, 1) @ g2 if need_W else None     # (in, out)
        if b is None:
            return gx, gW
        gb = (g2.sum(axis=0) if type(g2) is Tensor else np.add.reduce(g2, 0)) if need_b else None
        return gx, gW, gb
    return _make(out, (x, W) if b is None else (x, W, b), vjp, "linear")


_REDUCTIONS = ("mean", "sum", "none")


def softmax_cross_entropy(logits: TensorLike, targets: TensorLike, reduction: str = "mean") -> Tensor:
    """-log softmax(logits)[target] per row of (batch, classes) logits, reduced by 'mean', 'sum' or 'none'."""
    logits = _lift(logits)
    t = np.array(targets.data if isinstance(targets, Tensor) else targets)   # a copy, kept for backward
    if logits.ndim != 2 or t.shape != (logits.shape[0],) or t.dtype.kind not in "iu":
        raise ValueError(f"softmax_cross_entropy: needs (batch, classes) logits and (batch,) integer targets, "
                         f"got logits {logits.shape} and targets {t.shape} of dtype {t.dtype}")
    n, c = logits.shape
    if n and (t.min() < 0 or t.max() >= c):
        raise ValueError(f"softmax_cross_entropy: target classes must be in [0, {c}), got {t.min()}..{t.max()}")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"softmax_cross_entropy: reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    x = logits.data
    rows = np.arange(n)
    lse = _lse(x, (1,))                                # (n, 1)
    losses = lse[:, 0] - x[rows, t]                    # (n,)
    if reduction == "none":
        out = losses
    else:                                              # np.add.reduce: ndarray.mean's wrappers cost more here
        out = np.add.reduce(losses, 0)
        if reduction == "mean":
            out = out / n if n else np.float64("nan")

    def vjp(g, out, x):
        scale = (g / n if n else g) if reduction == "mean" else g if reduction == "sum" else g.reshape(n, 1)
        if type(x) is Tensor:                          # recorded: softmax must stay a function of x
            onehot = np.zeros((n, c), x.dtype)
            onehot[rows, t] = 1
            return ((x.softmax(axis=1) - onehot) * scale,)
        p = np.exp(x - lse)                            # softmax, a fresh array we may update in place
        p[rows, t] -= 1
        p *= scale
        return (p,)
    return _make(np.asarray(out, dtype=x.dtype), (logits,), vjp, "softmax_cross_entropy")
