"""Gradient clipping, as torch.nn.utils: `clip_grad_norm_` and `clip_grad_value_`, on Tensor and Value parameters.

Both change the gradients in place (a Tensor's .grad array, a Value's .grad number) between backward() and
optimizer.step(). A Tensor whose .grad is None has no gradient to clip and is skipped, as in PyTorch.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from autograd import Tensor, Value

if TYPE_CHECKING:
    from autograd.hints import Node


def clip_grad_norm_(parameters: Iterable[Node] | Node, max_norm: float, norm_type: float | str = 2.0,
                    error_if_nonfinite: bool = False) -> np.float64:
    """Scale all gradients by one factor so their total norm is at most max_norm; returns the norm before.

    The total norm is the norm_type-norm of all gradient entries together (inf: the largest |g|). As PyTorch,
    gradients are multiplied by max_norm / (total + 1e-6) when that is below 1, so a nan or inf total makes
    them nan (or raises with error_if_nonfinite=True). The norm is a numpy float64 (PyTorch returns a 0-d
    tensor; both have .item())."""
    where = "clip_grad_norm_"
    if not (_real(max_norm) and max_norm >= 0):
        raise ValueError(f"{where}: max_norm must be a number >= 0, got {max_norm!r}")
    p = _norm_type(norm_type)
    arrays, values = _gradients(parameters, where)
    norms = [_norm(g.ravel(), p) for g in arrays]
    if values:
        norms.append(_norm(np.array([v.grad for v in values], dtype=np.float64), p))
    total = np.float64(_norm(np.array(norms, dtype=np.float64), p)) if norms else np.float64(0.0)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"{where}: the total norm of order {p} of the gradients is {total}, so they cannot be "
                           "clipped; find where the nan/inf gradient comes from (a too large lr, a log of 0, ...) "
                           "or pass error_if_nonfinite=False to scale by it anyway")
    with np.errstate(invalid="ignore"):              # inf * 0 = nan is the documented outcome
        coef = max_norm / (total + 1e-6)
        if not coef >= 1:                            # also when coef is nan: PyTorch multiplies by it
            for g in {id(g): g for g in arrays}.values():   # one array held as two grads: scale it once
                g *= g.dtype.type(coef)
            for v in values:
                v.grad = v.grad * float(coef)
    return total


def clip_grad_value_(parameters: Iterable[Node] | Node, clip_value: float) -> None:
    """Clip every gradient entry into [-clip_value, clip_value], in place (nan stays nan, as PyTorch)."""
    where = "clip_grad_value_"
    if not (_real(clip_value) and clip_value >= 0):
        raise ValueError(f"{where}: clip_value must be a number >= 0, got {clip_value!r}")
    arrays, values = _gradients(parameters, where)
    for g in arrays:                                 # clipping twice changes nothing
        np.clip(g, -clip_value, clip_value, out=g)
    for v in values:
        if not math.isnan(v.grad):
            v.grad = min(max(v.grad, -clip_value), clip_value)


def _gradients(parameters, where):
    """(the gradient arrays of the distinct Tensors that have one, the distinct Values)."""
    params = [parameters] if isinstance(parameters, (Tensor, Value)) else list(parameters)
    arrays, values, seen = [], [], set()
    for i, p in enumerate(params):
        if not isinstance(p, (Tensor, Value)):
            raise TypeError(f"{where}: parameter {i} is a {type(p).__name__}, expected a Tensor or Value "
                            "(pass model.parameters())")
        if id(p) in seen or (isinstance(p, Tensor) and p.grad is None):
            continue
        seen.add(id(p))
        if not isinstance(p.grad, (np.ndarray, numbers.Real)):
            raise TypeError(f"{where}: parameter {i}'s .grad is a {type(p.grad).__name__} (from "
                            "backward(create_graph=True)); clip the gradients of a plain backward()")
        if isinstance(p, Value):
            values.append(p)
        else:
            arrays.append(p.grad)
    return arrays, values


def _norm(x, p):
    """The p-norm of a float vector (inf: max |x|); 0 for an empty one."""
    if x.size == 0:
        return 0.0
    if p == math.inf:
        return float(np.abs(x).max())
    if p == 2:
        return float(np.sqrt(np.dot(x, x)))
    return float(np.sum(np.abs(x) ** p) ** (1 / p))


def _norm_type(norm_type):
    p = math.inf if norm_type in ("inf", "Inf") else norm_type
    if not (_real(p) and p > 0):
        raise ValueError(f"clip_grad_norm_: norm_type must be a number > 0 or inf, got {norm_type!r}")
    return float(p)


def _real(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and not math.isnan(x)
