"""Compare the engine's gradients with central differences in float64.

`gradcheck(f, *inputs)` seeds backward with a random cotangent v and checks v^T J against the
numerical derivative of <v, f(x)> for every input element; `fast=True` checks only one random
direction u per input (v^T J u), which costs two evaluations of f instead of two per element.
"""
import warnings

import numpy as np

from .tensor import Tensor
from .value import Value
from .grad_mode import no_grad


def _nodes(inputs):
    nodes = [x for x in inputs if isinstance(x, (Tensor, Value)) and x.requires_grad]
    if not nodes:
        raise ValueError("gradcheck: no input requires grad; pass Tensors with requires_grad=True or Values")
    for x in nodes:
        if isinstance(x, Tensor) and x.dtype != np.float64:
            warnings.warn(f"gradcheck: input of dtype {x.dtype} (shape {x.shape}); finite differences in "
                          "low precision are too noisy to judge a gradient. Use float64 inputs.",
                          RuntimeWarning, stacklevel=3)
    return nodes


def _get(x):
    return np.array(x.data, dtype=np.float64) if isinstance(x, Tensor) else np.array(x.data)


def _set(x, arr):
    if isinstance(x, Tensor):
        x.data = arr.astype(x.dtype).reshape(x.shape)
    else:
        x.data = float(arr)


def _out_array(out):
    if isinstance(out, Tensor):
        return np.array(out.data, dtype=np.float64)
    if isinstance(out, Value):
        return np.array(out.data)
    raise TypeError(f"gradcheck: f must return a Tensor or Value, got {type(out).__name__}")


def _analytic(f, inputs, nodes, v):
    for x in nodes:
        x.grad = None if isinstance(x, Tensor) else 0.0
    out = f(*inputs)
    if isinstance(out, Value):
        out.backward(float(v))
    else:
        out.backward(gradient=v.astype(out.dtype).reshape(out.shape))
    return [np.zeros(np.shape(x.data)) if x.grad is None else np.array(x.grad, dtype=np.float64) for x in nodes]


def _directional(f, inputs, x, u, v, eps):
    """d/dt <v, f(x + t u)> at t = 0, by central difference."""
    base = _get(x)
    with no_grad():
        _set(x, base + eps * u)
        plus = float(np.sum(_out_array(f(*inputs)) * v))
        _set(x, base - eps * u)
        minus = float(np.sum(_out_array(f(*inputs)) * v))
    _set(x, base)
    return (plus - minus) / (2 * eps)


def gradcheck(f, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, fast=False, seed=0):
    """True if the engine's gradient of f matches central differences; otherwise AssertionError naming the worst element."""
    nodes = _nodes(inputs)
    rng = np.random.default_rng(seed)
    with no_grad():
        out0 = _out_array(f(*inputs))
    v = rng.standard_normal(out0.shape) if out0.size > 1 else np.ones(out0.shape)
    analytic = _analytic(f, inputs, nodes, v)
    for k, (x, ga) in enumerate(zip(nodes, analytic)):
        name = f"input {k}" + (f" ({x.label!r})" if getattr(x, "label", "") else "")
        shape = np.shape(x.data)
        if fast:
            u = rng.standard_normal(shape)
            num, ana = _directional(f, inputs, x, u, v, eps), float(np.sum(ga * u))
            if not np.isclose(ana, num, atol=atol, rtol=rtol):
                raise AssertionError(f"gradcheck (fast) failed for {name} of shape {shape}: v.J.u is {ana:.8g} "
                                     f"by backward but {num:.8g} numerically (error {abs(ana - num):.3g})")
            continue
        num = np.zeros(shape)
        for idx in np.ndindex(*shape):
            e = np.zeros(shape)
            e[idx] = 1.0
            num[idx] = _directional(f, inputs, x, e, v, eps)
        bad = ~np.isclose(ga, num, atol=atol, rtol=rtol)
        if bad.any():
            err = np.where(bad, np.abs(ga - num), -1.0)
            worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(err)), shape))
            raise AssertionError(
                f"gradcheck failed for {name} of shape {shape}: at index {worst} backward gives "
                f"{ga[worst]:.8g} but the numerical derivative is {num[worst]:.8g} "
                f"(error {abs(ga[worst] - num[worst]):.3g}; {int(bad.sum())} of {bad.size} elements differ)")
    return True
