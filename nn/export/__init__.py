"""Taking a model elsewhere: `to_torch` / `from_torch` (PyTorch) and `export_onnx` (ONNX).

torch and onnx stay optional: each is imported only when one of these functions is called, and a missing one is
an ImportError naming the extra that installs it (`pip install 'graphgrad[torch]'`, `'graphgrad[onnx]'`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autograd.hints import PathLike, TensorLike

    from ..module import Module



def to_torch(model: Module) -> Any:
    """An equivalent torch.nn.Module (Linear weights transposed to PyTorch's (out, in)), same dtype and mode."""
    from .torch import to_torch as convert
    return convert(model)


def from_torch(module: Any) -> Module:
    """An nn.MLP (or nn.Sequential) equivalent to an MLP-shaped torch module: Linear / activations / Dropout."""
    from .torch import from_torch as convert
    return convert(module)


def export_onnx(model: Module, path: PathLike, example_input: TensorLike, *, opset: int | None = None,
                overwrite: bool = False) -> str:
    """Write `model` (traced in eval mode on `example_input`, batch first) as an ONNX file; returns the path."""
    from .onnx import export_onnx as export
    return export(model, path, example_input, opset=opset, overwrite=overwrite)
