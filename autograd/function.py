"""User-defined primitives: your own forward and vjp, on `Tensor` and `Value`, through the one engine.

    @primitive
    def cube(x):                      # forward: runs on raw data (ndarray, or float for a Value)
        return x ** 3

    @cube.defvjp
    def cube_vjp(g, out, x):          # one gradient per input, None for an input that needs none
        return (g * 3 * x ** 2,)

`cube(t)` records one node: the engine sums each gradient back over broadcast dimensions, casts it
to its input's dtype, accumulates fan-out, and records nothing under `no_grad()`. The vjp follows the
engine's contract: in an ordinary backward its arguments are raw data; under
`backward(create_graph=True)` they are nodes, so a vjp written with operators and the helpers below
(`exp`, `log`, ... or other primitives) can be differentiated again. Called on plain numbers or
arrays, a primitive just runs its forward, so primitives can use each other inside a vjp.
`Function` is the same thing as a class with static `forward` and `vjp`, called via `.apply`.
"""
from __future__ import annotations

import functools
import numbers
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import numpy as np

from .grad_mode import is_grad_enabled
from .tensor import Tensor
from .value import Value

_NODES = (Tensor, Value)
V = TypeVar("V", bound=Callable[..., Any])


class Primitive:
    """A differentiable op made of a `forward` on raw data and a `vjp`; call it on Tensors, Values or plain data."""

    def __init__(self, forward: Callable[..., Any], vjp: Callable[..., Any] | None = None,
                 name: str | None = None) -> None:
        self.forward = forward
        self.vjp = vjp
        self.name = name or getattr(forward, "__name__", "primitive")
        functools.update_wrapper(self, forward, updated=())

    def defvjp(self, vjp: V) -> V:
        """Set the vjp `vjp(g, out, *inputs, **params) -> one gradient per input`; usable as a decorator."""
        self.vjp = vjp
        return vjp

    def __call__(self, *inputs: Any, **params: Any) -> Any:
        kind = _kind(inputs, self.name)
        if kind is None:                         # plain data in, plain data out
            return self.forward(*inputs, **params)
        nodes = _lift(kind, inputs, self.name)
        raw = [x.data for x in nodes]
        data = _check_forward(kind, self.forward(*raw, **params), raw, self.name)
        if self.vjp is None and is_grad_enabled() and any(x.requires_grad for x in nodes):
            raise NotImplementedError(f"primitive '{self.name}' has no vjp, so it cannot be differentiated: "
                                      f"define one with @{self.name}.defvjp, or call it under no_grad()")
        return kind._make(data, nodes, _engine_vjp(self, kind, len(nodes), params), self.name)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


def primitive(forward: Callable[..., Any] | None = None, *, vjp: Callable[..., Any] | None = None,
              name: str | None = None) -> Any:
    """Make `forward` a differentiable primitive (`@primitive` or `primitive(f, vjp=...)`); vjp via `.defvjp`."""
    if forward is None:
        return lambda f: Primitive(f, vjp, name)
    return Primitive(forward, vjp, name)


class Function:
    """Base class for a primitive: subclass with static `forward(*inputs)` and `vjp(g, out, *inputs)`, call `.apply`."""

    apply: ClassVar[Primitive]          # set for each subclass: the primitive made of its forward and vjp

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.apply = Primitive(cls.forward, cls.vjp, cls.__name__)

    @staticmethod
    def forward(*inputs: Any, **params: Any) -> Any:
        """The op on raw data (ndarrays, or floats for Values)."""
        raise NotImplementedError("subclass Function and define a static forward(*inputs)")

    @staticmethod
    def vjp(g: Any, out: Any, *inputs: Any, **params: Any) -> Any:
        """One gradient per input (None where none is needed), given the output's gradient g."""
        raise NotImplementedError("subclass Function and define a static vjp(g, out, *inputs)")


# --- plumbing -------------------------------------------------------------------------------------
def _kind(inputs, name):
    """Value or Tensor (the node kind among the inputs), or None when no input is a node."""
    kinds = {type(x) for x in inputs if isinstance(x, _NODES)}
    if len(kinds) > 1:
        raise TypeError(f"{name}: cannot mix Value and Tensor inputs; use Tensors (a Value v becomes "
                        "Tensor(v.data), which cuts it from its graph) or only Values")
    return Value if kinds == {Value} else Tensor if kinds else None


def _lift(kind, inputs, name):
    if kind is Tensor:
        like = next(x for x in inputs if isinstance(x, Tensor))
        keep = is_grad_enabled() and any(isinstance(x, Tensor) and x.requires_grad for x in inputs)
        return tuple(Tensor._lift(x, like, keep) for x in inputs)     # arrays copied when the op is recorded
    bad = [x for x in inputs if not isinstance(x, (Value, numbers.Real))]
    if bad:
        raise TypeError(f"{name}: a Value op takes Values and real numbers, got {type(bad[0]).__name__}")
    return tuple(Value._lift(x) for x in inputs)


def _check_forward(kind, out, raw, name):
    """The forward result as node data: a float for Value, a fresh (non-input) ndarray for Tensor."""
    if kind is Value:
        if np.ndim(out) != 0:
            raise TypeError(f"{name}: forward on Value inputs must return a real number, got shape {np.shape(out)}")
        return float(out)
    out = np.asarray(out)
    if any(np.may_share_memory(out, r) for r in raw):   # the input itself, or a view of it: the result
        out = out.copy()                                # must own its memory, or freezing and in-place
    return out                                          # changes of one would reach the other


def _engine_vjp(prim, kind, n, params):
    """Wrap the user's vjp to the engine's contract: a tuple of n gradients of the right type."""
    def vjp(g, out, *inputs):
        graph = isinstance(g, _NODES)
        try:
            grads = prim.vjp(g, out, *inputs, **params)
        except TypeError as e:
            if not graph:
                raise
            raise TypeError(f"vjp of '{prim.name}' failed on nodes under backward(create_graph=True): {e}. "
                            "To differentiate it twice, write it with operators, node methods, the helpers "
                            "in autograd.function (exp, log, ...) or other primitives, not numpy functions.") from e
        if not isinstance(grads, (tuple, list)):
            if n != 1:
                raise TypeError(f"vjp of '{prim.name}' must return a tuple of {n} gradients (one per input, "
                                f"None for an input that needs none), got {type(grads).__name__}")
            grads = (grads,)
        if len(grads) != n:
            raise ValueError(f"vjp of '{prim.name}' returned {len(grads)} gradients for {n} inputs; "
                             "return one per input (None for an input that needs none)")
        return tuple(None if gr is None else _as_grad(gr, kind, graph, prim.name) for gr in grads)
    return vjp


def _as_grad(gr, kind, graph, name):
    if graph:                           # a raw gradient under create_graph: a constant node
        if isinstance(gr, kind):
            return gr
        return Value._lift(float(np.asarray(gr))) if kind is Value else Tensor._lift(gr)
    if isinstance(gr, _NODES):
        gr = gr.data
    if kind is Value:
        if np.ndim(gr) != 0:
            raise ValueError(f"vjp of '{name}' returned a gradient of shape {np.shape(gr)} for a Value input; "
                             "a Value's gradient is a number")
        return float(gr)
    return gr if type(gr) is np.ndarray else np.asarray(gr)


# --- helpers for vjps that work on raw data and on nodes alike -----------------------------------
def data(x: Any) -> Any:
    """The raw data of a node (anything else unchanged): for masks and other piecewise-constant factors."""
    return x.data if isinstance(x, _NODES) else x


def exp(x: Any) -> Any:
    """e ** x on a node (recorded) or on raw data."""
    return x.exp() if isinstance(x, _NODES) else np.exp(x)


def log(x: Any) -> Any:
    """Natural log on a node (recorded) or on raw data."""
    return x.log() if isinstance(x, _NODES) else np.log(x)


def sqrt(x: Any) -> Any:
    """Square root on a node (recorded) or on raw data."""
    if isinstance(x, Tensor):
        return x.sqrt()
    return x ** 0.5 if isinstance(x, Value) else np.sqrt(x)


def tanh(x: Any) -> Any:
    """Hyperbolic tangent on a node (recorded) or on raw data."""
    return x.tanh() if isinstance(x, _NODES) else np.tanh(x)


def sigmoid(x: Any) -> Any:
    """Logistic sigmoid on a node (recorded) or on raw data."""
    if isinstance(x, _NODES):
        return x.sigmoid()
    e = np.exp(-np.abs(x))              # never overflows
    return np.where(np.asarray(x) >= 0, 1 / (1 + e), e / (1 + e))
