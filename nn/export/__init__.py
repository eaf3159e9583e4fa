"""Taking a model elsewhere: `to_torch` / `from_torch` (PyTorch) and `export_onnx` (ONNX).

torch and onnx stay optional: each is imported only when one of these functions is called, and a missing one is
an ImportError naming the extra that installs it (`pip install 'graphgrad[torch]'`, `'graphgrad[onnx]'`).
"""


def to_torch(model):
    """An equivalent torch.nn.Module (Linear weights transposed to PyTorch's (out, in)), same dtype and mode."""
    from .torch import to_torch as convert
    return convert(model)


def from_torch(module):
    """An nn.MLP (or nn.Sequential) equivalent to an MLP-shaped torch module: Linear / activations / Dropout."""
    from .torch import from_torch as convert
    return convert(module)


def export_onnx(model, path, example_input, *, opset=None, overwrite=False):
    """Write `model` (traced in eval mode on `example_input`, batch first) as an ONNX file; returns the path."""
    from .onnx import export_onnx as export
    return export(model, path, example_input, opset=opset, overwrite=overwrite)
