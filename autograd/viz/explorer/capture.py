"""The explorer's numbers: one backward pass recorded by the engine itself (`engine.record_backward`).

Each vjp call is reported with its upstream gradient and its raw per-parent results. The contribution
a parent receives is what the engine adds: the raw result fitted by the node kind's `_fit_grad` (the
engine's own function, under the engine's own condition), accumulated in call order with the same `+`.
Every accumulated gradient is checked against the upstream gradient the engine hands the next vjp and
against the final gradients record_backward returns, so the page cannot show a number the engine did
not compute. Nothing is written to any `.grad`.
"""
import math

import numpy as np

from ... import engine
from ...value import Value

BIG = 10_000          # a tensor with more elements is shipped as {shape, mean, min, max}, not its values


class Arrays:
    """The numbers of a page, each array stored once (vjps hand one array to several inputs) and referenced
    by its index."""

    def __init__(self):
        self.encoded, self._index, self._keep = [], {}, []

    def add(self, x):
        """The index of `x` (a float, a numpy scalar or an array), encoding it on first sight; None stays None."""
        if x is None:
            return None
        k = self._index.get(id(x))
        if k is None:
            k = self._index[id(x)] = len(self.encoded)
            self._keep.append(x)                 # hold it, so its id is not reused by another array
            self.encoded.append(encode(x))
        return k


def encode(x):
    """{"s": shape, "v": flat values} ("nf": 1 when some are nan/inf, written "nan", "inf", "-inf"), or for
    more than BIG elements {"s", "n", "stats": [mean, min, max] of the finite ones, "bad": count of the rest}."""
    a = np.asarray(x)
    if a.dtype.kind == "b":
        a = a.astype(np.int64)
    shape = list(a.shape)
    finite = np.isfinite(a) if a.dtype.kind == "f" else None
    if a.size > BIG:
        ok = a[finite] if finite is not None else a.reshape(-1)
        stats = [float(ok.mean()), float(ok.min()), float(ok.max())] if ok.size else []
        return {"s": shape, "n": int(a.size), "stats": stats, "bad": int(a.size - ok.size)}
    values = a.reshape(-1).tolist()
    if finite is not None and not finite.all():
        return {"s": shape, "v": [v if math.isfinite(v) else repr(v) for v in values], "nf": 1}
    return {"s": shape, "v": values}


def seed_of(root):
    """d root / d root, as backward() makes it: 1.0 for a Value, ones of root's shape and dtype for a Tensor."""
    if isinstance(root, Value):
        return 1.0
    if root.data.size != 1:
        raise ValueError(f"explore: root has shape {root.shape} (op '{root._op}'); backward starts from one "
                         "number, so explore a scalar: root.sum() or root.mean(), or the loss")
    return np.array(1.0, root.dtype) if root.data.ndim == 0 else np.ones(root.shape, root.dtype)


def record(root, order):
    """(seed, steps, finals): steps are (node, [(k, parent, raw, fitted, accumulated), ...]) per vjp call (k: the
    parent's position among the node's inputs), in engine
    order; finals is {id(node): its final gradient} (root included: the seed).

    `order` is every node root depends on (forward order). fitted and accumulated are None where the vjp
    returned None for a parent that requires grad (the engine then adds nothing)."""
    kind = type(root)
    fit = None if kind._fits_exactly else kind._fit_grad
    seed = seed_of(root)
    acc, steps = {id(root): seed}, []

    def on_vjp(node, g, grads):
        _same(g, acc.get(id(node)), node, "the upstream gradient of its vjp")
        sends = []
        for k, (p, pg) in enumerate(zip(node._parents, grads)):
            if not p.requires_grad:
                continue
            fitted = total = None
            if pg is not None:                   # the engine's delivery step, line by line
                fitted = pg
                if fit is not None and (pg.shape != p.data.shape or pg.dtype != p.data.dtype):
                    fitted = fit(pg, p, node)
                prev = acc.get(id(p))
                total = acc[id(p)] = fitted if prev is None else prev + fitted
            sends.append((k, p, pg, fitted, total))
        steps.append((node, sends))

    nodes = [n for n in order if n.requires_grad]
    finals = engine.record_backward(root, seed, nodes, on_vjp)
    for node, final in zip(nodes, finals):
        _same(final, acc.get(id(node)), node, "its final gradient")
    return seed, steps, acc


def _same(engine_value, ours, node, what):
    """Refuse to build a page whose sums differ from the engine's (a bug here, never a user error)."""
    if engine_value is None and ours is None:
        return
    if engine_value is None or ours is None or not _equal(engine_value, ours):
        raise RuntimeError(f"explore: the recorded pass disagrees with the engine on {what} at op "
                           f"'{node._op or 'leaf'}'; this is a bug in the explorer, please report it")


def _equal(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
