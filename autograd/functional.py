"""JAX-style functional gradients: `grad(f)(x)` and `value_and_grad(f)(x)`, nestable.

Arguments may be Python floats, arrays, Tensors or Values. The gradients come back as plain
floats/arrays, except when an argument is itself a node that requires grad (as inside an outer
`grad`): then they come back as nodes connected to it, so the outer call can differentiate them.
"""
from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import engine
from .grad_mode import enable_grad, _state
from .tensor import Tensor
from .value import Value


def _variable(arg, nested):
    """The node to differentiate with respect to, for the argument `arg`."""
    if nested and isinstance(arg, (Tensor, Value)) and arg.requires_grad:
        x = arg * 1.0                   # a node of its own, still connected to the enclosing grad's graph,
        if isinstance(x, Tensor):       # treated like a leaf: its .grad is kept (backward(create_graph=True)
            x._retain = x._guarded = True   # fills it) and in-place changes of it are refused
        return x
    if isinstance(arg, Value):
        return Value(arg.data)
    data = arg.data if isinstance(arg, Tensor) else arg
    if not isinstance(data, (numbers.Real, np.ndarray, list, tuple)):
        raise TypeError(f"grad: cannot differentiate with respect to {type(arg).__name__}")
    return Tensor(np.asarray(data, dtype=np.float64) if np.asarray(data).dtype.kind != "f" else data,
                  requires_grad=True)


def _plain(x, like):
    """A gradient as the caller's kind of number: float for scalars, ndarray otherwise."""
    if isinstance(x, Value):
        return x.data
    data = np.asarray(x.data if isinstance(x, Tensor) else x)
    return float(data) if isinstance(like, numbers.Real) or isinstance(like, Value) else data


def value_and_grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., tuple[Any, Any]]:
    """A function returning (f(*args), df/d args[argnums]); a tuple of gradients if argnums is a tuple."""
    single = isinstance(argnums, int)
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)

    def wrapped(*args, **kwargs):
        args = list(args)
        for i in nums:
            if i >= len(args):
                raise TypeError(f"grad: argnums {argnums} but f was called with {len(args)} positional arguments")
        originals = [args[i] for i in nums]
        # Inside another grad's f, the result may depend on that grad's variables (through arguments or
        # through f's closure): record this backward pass and return nodes, so the outer grad sees it all.
        nested = _state.grad_depth > 0
        made = {i: _variable(args[i], nested) for i in dict.fromkeys(nums)}     # one variable per position
        xs = [made[i] for i in nums]
        for i, x in zip(nums, xs):
            args[i] = x
        _state.grad_depth += 1
        try:
            with enable_grad():
                out = f(*args, **kwargs)
        finally:
            _state.grad_depth -= 1
        out = _scalar_output(out)
        grads = _gradients(out, xs, nested) if out.requires_grad else [None] * len(xs)
        grads = [_zero_like(x, nested) if g is None else g for g, x in zip(grads, xs)]
        if not nested:
            grads = [_plain(g, orig) for g, orig in zip(grads, originals)]
            out = out.data if isinstance(out, Value) else out.item()
        return out, (grads[0] if single else tuple(grads))
    return wrapped


def _scalar_output(out):
    """f's result as a one-element node; a plain number (f ignored its variables) becomes a constant Tensor."""
    if isinstance(out, numbers.Real) or (isinstance(out, np.ndarray) and out.size == 1):
        out = Tensor(float(out))                 # the gradient is zero
    if not isinstance(out, (Tensor, Value)) or np.size(out.data) != 1:
        shape = getattr(out, "shape", type(out).__name__)
        raise TypeError(f"grad: f must return a scalar Tensor or Value, got {shape}")
    return out


def _gradients(out, xs, nested):
    """d out / d xs: recorded (nodes, for an enclosing grad) when nested, else a plain pass."""
    if isinstance(out, Value):
        seed = Value(1.0) if nested else 1.0
    else:
        ones = np.ones(out.shape, out.dtype)
        seed = Tensor._lift(ones) if nested else ones
    return engine.run_backward(out, seed, retain_graph=nested, create_graph=nested, inputs=xs)


def _zero_like(x, nested):
    if isinstance(x, Value):
        return Value(0.0) if nested else 0.0
    z = np.zeros(x.shape, x.dtype)
    return Tensor._lift(z) if nested else z


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """A function returning df/d args[argnums] (f must return a scalar)."""
    vg = value_and_grad(f, argnums)

    def wrapped(*args, **kwargs):
        return vg(*args, **kwargs)[1]
    return wrapped
