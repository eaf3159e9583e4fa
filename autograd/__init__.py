"""graphgrad's reverse-mode autodiff engine: scalar `Value` and n-d `Tensor` nodes on one backward walk.

Not the HIPS `autograd` package: do not install both in one environment.

Every op is a Tensor method (the index is autograd/tensor.py) and, where PyTorch or numpy have one, an
`autograd.<name>` function taking Tensors or array-likes: `autograd.exp(x)`, `autograd.sum(x, axis=0)`.
"""
import importlib

from .grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled
from .value import Value
from .tensor import Tensor
from .factories import tensor, from_numpy, zeros, ones, zeros_like, ones_like, randn
from .functional import grad, value_and_grad
from .gradcheck import gradcheck, gradgradcheck
from .function import Function, primitive

# --- op functions (ops/*) ----------------------------------------------------------------------------
from .ops.elementwise import (add, sub, mul, div, power as pow, neg, exp, log, sqrt, tanh, sigmoid, relu,
                              absolute as abs, leaky_relu, clip, maximum, minimum, where)
from .ops.reductions import (reduce_sum as sum, mean, var, reduce_max as max, reduce_min as min, logsumexp,
                             softmax, log_softmax)
from .ops.shape import concatenate, stack
from .ops.linalg import matmul, einsum, dot, outer, tensordot
from .ops.indexing import (take_along_axis, gather, index_select, put_along_axis, scatter, scatter_add,
                           masked_fill)
from .ops.layout import (pad, tile, repeat, repeat_interleave, flip, roll, split, chunk, triu, tril,
                         diagonal)
from .ops.fused import linear, softmax_cross_entropy

__all__ = [
    "Value", "Tensor", "tensor", "from_numpy", "zeros", "ones", "zeros_like", "ones_like", "randn",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "grad", "value_and_grad", "gradcheck", "gradgradcheck", "Function", "primitive", "draw_graph", "save_graph",
    "add", "sub", "mul", "div", "pow", "neg", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "abs", "leaky_relu",
    "clip", "maximum", "minimum", "where",
    "sum", "mean", "var", "max", "min", "logsumexp", "softmax", "log_softmax",
    "concatenate", "stack", "matmul", "linear", "softmax_cross_entropy",
    "einsum", "dot", "outer", "tensordot",
    "take_along_axis", "gather", "index_select", "put_along_axis", "scatter", "scatter_add", "masked_fill",
    "pad", "tile", "repeat", "repeat_interleave", "flip", "roll", "split", "chunk", "triu", "tril", "diagonal",
]


def __getattr__(name):
    """Drawing loads on first use (it imports graphviz): `autograd.draw_graph`, `autograd.viz`."""
    if name in ("draw_graph", "save_graph", "viz"):
        viz = importlib.import_module("autograd.viz")
        return viz if name == "viz" else getattr(viz, name)
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")
