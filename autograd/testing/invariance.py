"""Invariances across graphs: two spellings of one function, the two engines, a batch and its examples.

Each `check_*` / `assert_*` returns True or raises AssertionError; numpy and the engine only.
"""
import numpy as np

from ..gradcheck import leaves
from ..tensor import Tensor
from ..value import Value
from .properties import backward

# Pairs of spellings of one function: values and gradients must agree (the graphs differ).
REWRITES = {
    "x*2 == x+x": (lambda x: x * 2, lambda x: x + x),
    "x*x == x**2": (lambda x: x * x, lambda x: x ** 2),
    "a/b == a*b**-1": (lambda a, b: a / b, lambda a, b: a * b ** -1),
    "a-b == a+(-b)": (lambda a, b: a - b, lambda a, b: a + (-b)),
    "mean == sum/n": (lambda x: x.mean(), lambda x: x.sum() / max(x.size, 1)),    # Tensors only
}


def _agree(a, b, what, rtol, atol):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise AssertionError(f"{what}: shapes differ, {a.shape} vs {b.shape}")
    if not np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True):
        diff = np.where(np.isnan(a - b), np.inf, np.abs(a - b))
        i = np.unravel_index(int(np.argmax(diff)), a.shape) if a.ndim else ()
        raise AssertionError(f"{what}: at index {tuple(int(k) for k in i)} {a[i]!r} vs {b[i]!r} "
                             f"(difference {abs(a[i] - b[i]):.3g})")


def check_rewrite(f, g, *inputs, rtol=1e-9, atol=1e-12):
    """f and g are two spellings of one function: equal values and equal gradients on `inputs`."""
    nodes = leaves(inputs, "check_rewrite", warn=False)
    out_f, seed, grads_f = backward(f, inputs)
    out_g, _, grads_g = backward(g, inputs, seed)
    _agree(out_f.data, out_g.data, "the two spellings give different values", rtol, atol)
    for k, (x, a, b) in enumerate(zip(nodes, grads_f, grads_g)):
        a = np.zeros(np.shape(x.data)) if a is None else a
        b = np.zeros(np.shape(x.data)) if b is None else b
        _agree(a, b, f"the two spellings give input {k} different gradients", rtol, atol)
    return True


def assert_engines_agree(f, *inputs, rtol=1e-9, atol=1e-12):
    """Evaluate f with Value leaves and with Tensor leaves at the same points: values and gradients must agree.

    `inputs` are Values, numbers, Tensors or arrays; arrays (broadcast together) give one point per
    element: the Tensor engine runs once on whole arrays, the Value engine once per point.
    """
    data = [np.asarray(x.data if isinstance(x, (Tensor, Value)) else x, dtype=np.float64) for x in inputs]
    shape = np.broadcast_shapes(*[d.shape for d in data])
    data = [np.broadcast_to(d, shape) for d in data]
    ts = [Tensor(d, requires_grad=True) for d in data]
    out_t = f(*ts)
    if out_t.requires_grad:
        out_t.sum().backward()
    value_t = np.broadcast_to(out_t.data, shape)
    for idx in np.ndindex(*shape):
        vs = [Value(float(d[idx])) for d in data]
        out_v = f(*vs)
        if out_v.requires_grad:
            out_v.backward()
        at = f"{f!r} at inputs {[float(d[idx]) for d in data]}"
        _agree(out_v.data, value_t[idx], f"Value and Tensor engines give different values for {at}", rtol, atol)
        for k, (v, t) in enumerate(zip(vs, ts)):
            gt = 0.0 if t.grad is None else t.grad[idx]
            _agree(v.grad, gt, f"Value and Tensor engines give input {k} different gradients for {at}", rtol, atol)
    return True


def check_batch_gradient(loss, params, *batches, rtol=1e-9, atol=1e-12):
    """The gradient of `loss(*batches)` (a sum over examples) equals the sum of per-example gradients.

    `loss` closes over `params` (Tensors with requires_grad) and takes arrays whose first axis is the batch.
    """
    n = len(batches[0])
    whole = _param_grads(loss, params, batches)
    parts = [_param_grads(loss, params, [b[i:i + 1] for b in batches]) for i in range(n)]
    for k, (p, g) in enumerate(zip(params, whole)):
        total = sum((part[k] for part in parts), np.zeros(p.shape))
        _agree(g, total, f"parameter {k} (shape {p.shape}): batch gradient != sum of {n} per-example gradients",
               rtol, atol)
    return True


def _param_grads(loss, params, batches):
    _, _, grads = backward(lambda *_: loss(*batches), params, seed=1.0)
    return [np.zeros(p.shape) if g is None else np.array(g, dtype=np.float64) for p, g in zip(params, grads)]
