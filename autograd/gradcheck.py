"""Compare the engine's gradients with central differences in float64 (numpy and the engine only).

`gradcheck(f, *inputs)` seeds backward with a random cotangent v and checks v^T J against the
numerical derivative of <v, f(x)> for every input element; `fast=True` checks only one random
direction u per input (v^T J u), which costs two evaluations of f instead of two per element.
`gradgradcheck` applies the same test to the gradient itself, computed with `create_graph=True`.

Finite differences in float32 are too noisy to judge a gradient (a step of 1e-6 is below its
resolution): float32 inputs get a RuntimeWarning, and the verdict should not be trusted.
The helpers below are shared with `autograd.testing`.
"""
import warnings

import numpy as np

from . import engine
from .grad_mode import enable_grad, no_grad
from .tensor import Tensor
from .value import Value


def leaves(inputs, who="gradcheck", warn=True):
    """The distinct inputs that require grad (Values and Tensors); `warn` about low precision for finite differences."""
    nodes, seen = [], set()
    for x in inputs:
        if isinstance(x, (Tensor, Value)) and x.requires_grad and id(x) not in seen:
            seen.add(id(x))
            nodes.append(x)
    if not nodes:
        raise ValueError(f"{who}: no input requires grad; pass Tensors with requires_grad=True or Values")
    for x in nodes if warn else ():
        if isinstance(x, Tensor) and x.dtype != np.float64:
            warnings.warn(f"{who}: input of dtype {x.dtype} (shape {x.shape}); finite differences in "
                          "low precision are too noisy to judge a gradient. Use float64 inputs.",
                          RuntimeWarning, stacklevel=3)
    return nodes


def output_array(out, who="gradcheck"):
    """The data of f's result as a float64 array."""
    if not isinstance(out, (Tensor, Value)):
        raise TypeError(f"{who}: f must return a Tensor or Value, got {type(out).__name__}")
    return np.array(out.data, dtype=np.float64)


def cotangent(rng, shape):
    """A random seed gradient for an output of `shape` (1 for a single element)."""
    return rng.standard_normal(shape) if int(np.prod(shape)) > 1 else np.ones(shape)


def vjp(f, inputs, nodes, v, create_graph=False):
    """(f(*inputs), [v^T df/dx for x in nodes]) without touching any `.grad`; None where f ignores x."""
    out = f(*inputs)
    output_array(out)
    if not out.requires_grad:
        return out, [None] * len(nodes)
    if isinstance(out, Value):
        seed = Value._lift(float(v)) if create_graph else float(v)
    else:
        seed = np.array(v, dtype=out.dtype).reshape(out.shape)
        seed = Tensor._lift(seed) if create_graph else seed
    return out, engine.run_backward(out, seed, create_graph, create_graph, inputs=nodes)


def as_array(g, x):
    """A gradient (or None) as a float64 array of x's shape."""
    if g is None:
        return np.zeros(np.shape(x.data))
    return np.array(g.data if isinstance(g, (Tensor, Value)) else g, dtype=np.float64)


def directional(f, inputs, nodes, us, v, eps):
    """d/dt <v, f(x + t u)> at t = 0 by central difference, moving every node x along its u together."""
    saved = [x.data for x in nodes]
    base = [np.array(d, dtype=np.float64) for d in saved]
    try:
        with no_grad():
            _shift(nodes, base, us, eps)
            plus = float(np.sum(output_array(f(*inputs)) * v))
            _shift(nodes, base, us, -eps)
            minus = float(np.sum(output_array(f(*inputs)) * v))
    finally:
        for x, d in zip(nodes, saved):
            x.data = d
    return (plus - minus) / (2 * eps)


def _shift(nodes, base, us, t):
    for x, b, u in zip(nodes, base, us):
        moved = b + t * u
        x.data = float(moved) if isinstance(x, Value) else moved.astype(x.dtype)


def numerical_vjp(f, inputs, x, v, eps):
    """The central-difference estimate of v^T df/dx, element by element."""
    shape = np.shape(x.data)
    num = np.zeros(shape)
    for idx in np.ndindex(*shape):
        e = np.zeros(shape)
        e[idx] = 1.0
        num[idx] = directional(f, inputs, [x], [e], v, eps)
    return num


def _name(k, x):
    label = getattr(x, "label", "")
    return f"input {k}" + (f" ({label!r})" if label else "")


def _compare(name, shape, ana, num, atol, rtol, who):
    """Raise an AssertionError naming the worst element where ana and num differ beyond tolerance."""
    bad = ~np.isclose(ana, num, atol=atol, rtol=rtol)
    if not bad.any():
        return
    err = np.where(bad, np.abs(ana - num), -1.0)
    err = np.where(np.isnan(err), np.inf, err)
    worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(err)), shape))
    a, n = ana[worst], num[worst]
    raise AssertionError(
        f"{who} failed for {name} of shape {shape}: at index {worst} backward gives {a:.10g} but the "
        f"numerical derivative is {n:.10g} (error {abs(a - n):.3g} > tolerance {atol + rtol * abs(n):.3g}; "
        f"{int(bad.sum())} of {bad.size} elements differ)")


def gradcheck(f, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, fast=False, seed=0):
    """True if the engine's gradient of f matches central differences, else AssertionError naming the worst element."""
    return _check(f, inputs, eps, atol, rtol, fast, seed, "gradcheck")


def _check(f, inputs, eps, atol, rtol, fast, seed, who):
    nodes = leaves(inputs, who)
    rng = np.random.default_rng(seed)
    with no_grad():
        v = cotangent(rng, output_array(f(*inputs), who).shape)
    _, grads = vjp(f, inputs, nodes, v)
    for k, (x, g) in enumerate(zip(nodes, grads)):
        ana, shape = as_array(g, x), np.shape(x.data)
        if fast:
            u = rng.standard_normal(shape)
            num = directional(f, inputs, [x], [u], v, eps)
            _compare(_name(k, x) + ", along a random direction u", (), np.array(np.sum(ana * u)),
                     np.array(num), atol, rtol, who + " (fast: v.J.u)")
        else:
            _compare(_name(k, x), shape, ana, numerical_vjp(f, inputs, x, v, eps), atol, rtol, who)
    return True


def gradgradcheck(f, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, fast=False, seed=0):
    """True if f's second derivatives (backward with `create_graph=True`) match central differences of its gradient."""
    nodes = leaves(inputs, "gradgradcheck")
    if len({type(x) for x in nodes}) > 1:
        raise TypeError("gradgradcheck: inputs mix Value and Tensor; check each kind separately")
    rng = np.random.default_rng(seed + 1)
    with no_grad():
        v = cotangent(rng, output_array(f(*inputs), "gradgradcheck").shape)
    ws = [rng.standard_normal(np.shape(x.data)) for x in nodes]

    def first_order(*args):                  # s(x) = sum_i <w_i, (v^T J)_i>, differentiable through the engine
        with enable_grad():
            _, grads = vjp(f, args, nodes, v, create_graph=True)
        terms = [_dot(g, w) for g, w in zip(grads, ws) if g is not None]
        if not terms:
            return Tensor(0.0) if isinstance(nodes[0], Tensor) else Value._lift(0.0)
        return sum(terms[1:], terms[0])
    return _check(first_order, inputs, eps, atol, rtol, fast, seed, "gradgradcheck")


def _dot(g, w):
    if isinstance(g, Value):
        return g * float(w)
    return (g * w).sum()
