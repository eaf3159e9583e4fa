"""nn.export_onnx: a model as an ONNX file, translated op by op from the graph the engine records in eval mode.

The model runs on the example batch (and on one a row longer, to find the batch axes: trace.py); each recorded
op becomes ONNX nodes (onnx_ops.py), parameters become initializers under their dotted names (`layers.0.W`), the
input is "input" and the output "output", both with a dynamic "batch" axis. Dropout is an identity in eval mode
and is not even recorded. The graph is checked with onnx.checker (full_check: types and shapes) before the file
is written, atomically.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

try:
    import onnx
    from onnx import helper
except ImportError as e:                                # onnx is an optional dependency
    raise ImportError("nn.export_onnx needs the onnx package: pip install 'graphgrad[onnx]' (onnx and onnxruntime, "
                      "pinned)") from e

from autograd.fileio import check_target, write_file
from autograd.graph import op_name, op_params, parents

from . import onnx_ops
from .trace import WHO, check_op, trace

if TYPE_CHECKING:
    from autograd.hints import PathLike, TensorLike

    from ..module import Module

DEFAULT_OPSET = 17              # run by every onnxruntime of the last years; every op used here exists from 13
MIN_OPSET = 13                  # Softmax over one axis, ReduceSum's axes as an input, Unsqueeze's too
_ELEM = {np.dtype(np.float32): onnx.TensorProto.FLOAT, np.dtype(np.float64): onnx.TensorProto.DOUBLE}


def export_onnx(model: Module, path: PathLike, example_input: TensorLike, *, opset: int | None = None,
                overwrite: bool = False) -> str:
    """Write `model` as an ONNX file traced on `example_input` (batch first) in eval mode; returns the path.

    An existing file is kept (FileExistsError) unless overwrite=True. The file computes in the example's dtype,
    which must be the model's (float32 or float64); its batch axis is dynamic."""
    opset = _check_opset(opset)
    check_target(path, overwrite, WHO)                  # before the work: an existing file is an early error
    traced = trace(model, example_input)
    _check_dtypes(traced)
    proto = _model(traced, opset, doc=repr(model))
    onnx.checker.check_model(proto, full_check=True)
    return write_file(path, lambda fh: fh.write(proto.SerializeToString()), overwrite=overwrite, who=WHO)


def _check_opset(opset):
    newest = onnx.defs.onnx_opset_version()
    opset = DEFAULT_OPSET if opset is None else opset
    if not isinstance(opset, (int, np.integer)) or isinstance(opset, bool) or not MIN_OPSET <= opset <= newest:
        raise ValueError(f"{WHO}: opset must be an int from {MIN_OPSET} to {newest} (what onnx {onnx.__version__} "
                         f"knows), got {opset!r}; the default is {DEFAULT_OPSET}")
    return int(opset)


def _check_dtypes(traced):
    """Every parameter and every op in the example's dtype: ONNX does not promote as numpy does."""
    dtype = traced.dtype
    for node in traced.order:
        name = traced.params.get(id(node))
        if name is not None and node.dtype != dtype:
            raise TypeError(f"{WHO}: parameter '{name}' is {node.dtype} but example_input is {dtype}; pass an example "
                            f"of the model's dtype (example.astype(np.{node.dtype}))")
        if parents(node) and node.dtype != dtype:
            raise TypeError(f"{WHO}: op '{op_name(node)}' computes in {node.dtype} but example_input is {dtype}; an "
                            "ONNX model computes in one dtype: cast the model or the constants it uses")


def _model(traced, opset, doc):
    b = onnx_ops.Builder(traced.dtype, opset, traced.batch_axes, taken=["input", "output", *traced.params.values()])
    names = {id(traced.input): "input"}
    for node in traced.order:
        if id(node) in names:
            continue
        if not parents(node):                           # a parameter, or a constant the model used
            names[id(node)] = b.const(_constant(node, traced), name=traced.params.get(id(node)))
            continue
        out = "output" if node is traced.output else b.fresh(_key(op_name(node)))
        _translate(b, node, [names[id(p)] for p in parents(node)], out)
        names[id(node)] = out
    if traced.output is traced.input:
        b.node("Identity", "input", out="output")
    graph = helper.make_graph(b.nodes, "graphgrad", [_value_info("input", traced.input, traced)],
                              [_value_info("output", traced.output, traced)], b.initializers, doc_string=doc)
    opsets = [helper.make_opsetid("", opset)]
    return helper.make_model(graph, opset_imports=opsets, producer_name="graphgrad",
                             ir_version=helper.find_min_ir_version_for(opsets))


def _key(op):
    return "**" if op.startswith("**") else op         # x ** k records its exponent in the name: "**2"


def _translate(b, node, ins, out):
    """Add the nodes for one recorded op, once autograd has recomputed it from what its graph records."""
    key = _key(op_name(node))
    if key not in onnx_ops.OPS:
        raise ValueError(f"{WHO}: op '{op_name(node)}' (output shape {node.shape}) has no ONNX translation; the "
                         f"exporter knows {sorted(onnx_ops.OPS)}; write the model with those")
    again, translate = onnx_ops.OPS[key]
    params = op_params(node)
    check_op(node, lambda xs: again(xs, params, node))
    translate(b, ins, out, params, node)


def _constant(node, traced):
    """A leaf's data in the model's dtype: an int or bool constant is cast when that changes no value."""
    data, dtype = node.data, traced.dtype
    if data.dtype != dtype and (data.dtype.kind not in "biu" or not np.array_equal(data.astype(dtype), data)):
        raise TypeError(f"{WHO}: a constant of shape {node.shape} is {data.dtype}, not the example's {dtype}; cast it "
                        "in the model")
    return data.astype(dtype, copy=False)


def _value_info(name, node, traced):
    """Shape with "batch" where the size follows the batch (another symbolic name where it is some multiple)."""
    moving = traced.batch_axes[id(node)]
    dims = [("batch" if n == traced.batch else f"{name}_dim{k}") if k in moving else n
            for k, n in enumerate(node.shape)]
    return helper.make_tensor_value_info(name, _ELEM[traced.dtype], dims)
