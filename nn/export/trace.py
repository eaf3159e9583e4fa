"""Tracing a model for export: run it on a batch in eval mode, walk the recorded graph, read each op's parameters.

The engine records every op as a node (its name, its inputs, its output) but not the arguments that are not
inputs (a slope, an axis): those live in the op's vjp closure, where `autograd.graph.op_params` reads them by name.
Every read is checked by running the op again through its public Tensor method with what was read and comparing with the
recorded output, so if autograd's ops change, export stops here with an error instead of writing a wrong model.

A model is traced twice, on the example and on a batch one row longer: the two graphs must have the same ops in
the same order. An axis whose size changed follows the batch (exported as dynamic); a constant that changed (a
number computed from the input's data outside the graph) is an error, since the exported model would keep it.
"""
from typing import NamedTuple

import numpy as np

from autograd import Tensor, enable_grad, no_grad
from autograd.graph import forward_order, op_name, parents

from ..module import Module

WHO = "export_onnx"


class Traced(NamedTuple):
    """A model's recorded graph on the example batch, with what export needs to know about it."""
    order: list         # every node, parents before children
    input: Tensor       # the example, a leaf
    output: Tensor
    params: dict        # id(parameter leaf) -> its dotted name in the model
    batch_axes: dict    # id(node) -> the axes of its shape that follow the batch size
    batch: int          # the example's batch size
    dtype: np.dtype


def trace(model, example_input):
    """The graph `model` records on `example_input` (batch first) in eval mode, checked against a second run."""
    x = _example(example_input)
    model = _tensor_model(model, x.dtype)
    params = {id(p): name for name, p in model.named_state() if isinstance(p, Tensor)}
    first = _run(model, x)
    try:
        second = _run(model, np.concatenate([x[::-1], x[:1]]) * 0.75)
    except Exception as e:                              # the model's own error, explained
        raise ValueError(f"{WHO}: the model runs on the example batch of {len(x)} but fails on one of {len(x) + 1} "
                         f"rows ({type(e).__name__}: {e}); the exported model has a dynamic batch axis, so the "
                         "forward must work for any batch size") from e
    batch_axes = _compare(first, second, params, len(x))
    return Traced(first[2], first[0], first[1], params, batch_axes, len(x), x.dtype)


def _example(example_input):
    x = np.array(example_input.data if isinstance(example_input, Tensor) else example_input)
    if x.dtype not in (np.float32, np.float64):
        raise TypeError(f"{WHO}: example_input has dtype {x.dtype}; ONNX models are exported in float32 or float64: "
                        "pass an example of the model's dtype, e.g. np.zeros((1, n_features), np.float32)")
    if x.ndim < 2 or len(x) < 1:
        raise ValueError(f"{WHO}: example_input of shape {x.shape} has no batch axis; pass a batch, batch first, "
                         f"e.g. x[None] of shape {(1,) + x.shape if x.ndim else '(1, n_features)'}")
    return x


def _tensor_model(model, dtype):
    """model itself, or the tensor twin of an nn.scalar.MLP (Values have no batch axis)."""
    if not isinstance(model, Module):
        raise TypeError(f"{WHO}: expects an nn.Module, got a {type(model).__name__}")
    if not model.is_scalar:
        return model
    if not hasattr(model, "to_tensor"):
        raise TypeError(f"{WHO}: {type(model).__name__} is a scalar module; only nn.scalar.MLP exports (through its "
                        ".to_tensor()); use nn.MLP")
    return model.to_tensor(dtype)


def _run(model, x):
    """(input leaf, output, forward order): the input requires grad, so every op that depends on it is recorded."""
    t = Tensor(x, requires_grad=True)
    with enable_grad(), model.training_mode(False):
        out = model(t)
    if not isinstance(out, Tensor):
        raise TypeError(f"{WHO}: the model returned a {type(out).__name__}; export needs one Tensor output")
    order = forward_order(out)
    if not any(node is t for node in order):
        raise ValueError(f"{WHO}: the model's output does not depend on its input in the recorded graph (computed "
                         "under no_grad(), or from .data?); export needs the whole computation recorded")
    return t, out, order


def _compare(first, second, params, batch):
    """{id(node): batch axes} from two runs whose graphs must match op for op; a changing constant is an error."""
    (t1, _, order1), (t2, _, order2) = first, second
    index1, index2 = ({id(n): i for i, n in enumerate(order)} for order in (order1, order2))
    if len(order1) != len(order2):
        raise ValueError(_branches(batch, f"{len(order1)} nodes vs {len(order2)}"))
    axes = {}
    for i, (a, b) in enumerate(zip(order1, order2)):
        if op_name(a) != op_name(b) or (a is t1) != (b is t2) or a.ndim != b.ndim or (
                [index1[id(p)] for p in parents(a)] != [index2[id(p)] for p in parents(b)]):
            raise ValueError(_branches(batch, f"node {i}: '{op_name(a) or 'leaf'}' {a.shape} vs "
                                              f"'{op_name(b) or 'leaf'}' {b.shape}"))
        if not parents(a) and a is not t1 and (id(a) not in params or a is not b):
            _same_constant(a, b, order1)
        axes[id(a)] = tuple(k for k, (m, n) in enumerate(zip(a.shape, b.shape)) if m != n)
    return axes


def _branches(batch, where):
    return (f"{WHO}: the model records different graphs for a batch of {batch} and one of {batch + 1} ({where}); "
            "export traces one fixed graph, so the forward must not branch on the data or the batch size")


def _same_constant(a, b, order):
    if a.shape != b.shape or not np.array_equal(a.data, b.data, equal_nan=True):
        user = next((op_name(n) for n in order if any(p is a for p in parents(n))), "?")
        raise ValueError(f"{WHO}: a constant of shape {a.shape} used by op '{user}' changes with the input: it is "
                         "computed from the input's data or its batch size outside the graph (a mean over the batch "
                         "axis divides by it), so the exported model would keep the example's value; compute it with "
                         "Tensor ops on the input, or keep the batch axis out of it")


def check_op(node, again):
    """Refuse a node that `again(inputs)`, the op run once more through autograd's public API with the parameters
    read from the graph, does not reproduce: a parameter read wrongly, or a user primitive under a built-in name."""
    try:
        with no_grad():
            out = again([Tensor(p.data) for p in parents(node)]).data
        rtol = 1e-9 if node.dtype == np.float64 else 1e-5      # BLAS may round differently on a second call
        finite = np.abs(node.data[np.isfinite(node.data)])
        scale = finite.max() if finite.size else 1.0
        same = out.shape == node.shape and np.allclose(out, node.data, rtol, rtol * scale, equal_nan=True)
    except (KeyError, TypeError, ValueError, AttributeError):
        same = False
    if not same:
        name = op_name(node)
        raise ValueError(f"{WHO}: op '{name}' (output shape {node.shape}) is not autograd's '{name}': run "
                         "again on its recorded inputs with the arguments its graph records, autograd's gives other "
                         "values. A primitive of your own under that name? (Or autograd's op changed, and nn/export "
                         "must follow it.)")
