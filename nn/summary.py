"""`summary(model)`: a table of the layers a forward pass calls, their output shapes and parameter counts."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Tensor, Value, no_grad

from .module import Module


class Summary(str):
    """A str that also shows as the table at a REPL prompt."""

    __repr__ = str.__str__


def _leaves(model):
    """{id(module): name} of the modules that contain no other module."""
    return {id(m): name or type(m).__name__ for name, m in model.named_modules() if len(m.named_modules()) == 1}


def _example_input(model, input_shape):
    """(input, batch_is_symbolic) for a trace: zeros of input_shape, or one row of the first layer's width."""
    symbolic = input_shape is None
    if symbolic:
        nin = next((getattr(m, a) for m in model.modules() for a in ("in_features", "nin") if hasattr(m, a)), None)
        if nin is None:
            return None, False
        input_shape = (nin,) if model.is_scalar else (1, nin)
    if model.is_scalar:
        return [0.0] * int(np.prod(input_shape)), False
    dtype = next((p.dtype for p in model.parameters()), np.float64)
    return Tensor(np.zeros(tuple(input_shape), dtype)), symbolic


def _shape(out, symbolic):
    if isinstance(out, Tensor):
        shape = tuple(out.shape)
        return "(" + ", ".join(["N"] + [str(n) for n in shape[1:]]) + ")" if symbolic and shape else str(shape)
    if isinstance(out, (list, tuple)):
        return f"({len(out)},)"
    return "()" if isinstance(out, Value) else "?"


def trace(model: Module, x: Any) -> list[tuple[Module, Any]]:
    """(module, output) for every module call in one forward pass on x, in eval mode (no dropout: the trace
    draws from no rng), recording no graph."""
    with model.training_mode(False), no_grad(), Module.record_calls() as calls:
        model(x)
    return calls


def summary(model: Module, input_shape: Sequence[int] | None = None) -> Summary:
    """The model's layers, output shapes and learnable parameter counts as a printable table (a str)."""
    names = _leaves(model)
    x, symbolic = _example_input(model, input_shape)
    if x is None:                                 # no input width known: list the layers without shapes
        rows = [(names[id(m)], m, "-") for m in model.modules() if id(m) in names]
    else:
        rows = [(names[id(m)], m, _shape(out, symbolic)) for m, out in trace(model, x) if id(m) in names]
    table = [(f"{name} ({type(m).__name__})", shape, str(m.num_parameters())) for name, m, shape in rows]
    header = ("Layer (type)", "Output shape", "Params")
    w = [max(len(r[i]) for r in table + [header]) for i in range(3)]
    line = lambda r: f"{r[0]:<{w[0]}}  {r[1]:<{w[1]}}  {r[2]:>{w[2]}}"      # noqa: E731
    rule = "-" * (sum(w) + 4)
    out = [f"{type(model).__name__} summary", line(header), rule] + [line(r) for r in table] + [rule]
    out.append(f"Total learnable parameters: {model.num_parameters()}")
    return Summary("\n".join(out))
