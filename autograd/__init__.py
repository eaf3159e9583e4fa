"""graphgrad's reverse-mode autodiff engine: scalar `Value` and n-d `Tensor` nodes on one backward walk.

Not the HIPS `autograd` package: do not install both in one environment.

Every op is a Tensor method (the index is autograd/tensor.py) and, where PyTorch or numpy have one, an
`autograd.<name>` function taking Tensors or array-likes: `autograd.exp(x)`, `autograd.sum(x, axis=0)`.
"""
import importlib

from numpy import float16, float32, float64, int32, int64      # dtype names, as torch.float32 (numpy's types)
from . import memory

from .grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled
from .value import Value
from .tensor import Tensor
from .factories import (tensor, from_numpy, zeros, ones, zeros_like, ones_like, full, full_like, eye, arange,
                        linspace, rand, randn, randint)
from .random import manual_seed, get_rng_state, set_rng_state, default_rng
from .functional import grad, value_and_grad
from .gradcheck import gradcheck, gradgradcheck
from .function import Function, primitive

# --- op functions (ops/*) ----------------------------------------------------------------------------
from .ops.elementwise import (add, sub, mul, div, power, power as pow, neg, exp, log, sqrt, tanh, sigmoid, relu,
                              absolute as abs, leaky_relu, clip, maximum, minimum, where)
from .ops.reductions import (reduce_sum as sum, mean, var, reduce_max as max, reduce_min as min, logsumexp,
                             softmax, log_softmax)
from .ops.shape import concatenate, concatenate as cat, stack
from .ops.statistics import (std, prod, norm, argmax, argmin, reduce_any as any, reduce_all as all,
                             count_nonzero)
from .ops.scans import cumsum, cumprod, cummax, cummin
from .ops.linalg import matmul, einsum, dot, outer, tensordot
from .ops.indexing import (take_along_axis, gather, index_select, put_along_axis, scatter, scatter_add,
                           masked_fill)
from .ops.layout import (pad, tile, repeat, repeat_interleave, flip, roll, split, chunk, triu, tril,
                         diagonal)
from .ops.fused import linear, softmax_cross_entropy
from .ops.elementwise import clip as clamp
from .ops.math import (sin, cos, tan, arcsin, arccos, arctan, arcsin as asin, arccos as acos, arctan as atan,
                       sinh, cosh, log2, log10, log1p, exp2, expm1, reciprocal, rsqrt, square,
                       sign, floor, ceil, trunc, round)
from .ops.logic import (eq, ne, lt, le, gt, ge, logical_and, logical_or, logical_xor, logical_not, bitwise_and,
                        bitwise_or, bitwise_xor, bitwise_not, isnan, isinf, isfinite)
from .ops.activations import (gelu, silu, softplus, mish, logsigmoid, softsign, elu, selu, celu, hardtanh, relu6,
                              hardsigmoid, hardswish)

memory._apply_by_rule()            # glibc keeps freed memory (autograd/memory.py: why, and GRAPHGRAD_MALLOC=0)

__all__ = [
    "float16", "float32", "float64", "int32", "int64",
    "Value", "Tensor", "tensor", "from_numpy", "zeros", "ones", "zeros_like", "ones_like", "full", "full_like", "eye",
    "arange", "linspace", "rand", "randn", "randint",
    "manual_seed", "get_rng_state", "set_rng_state", "default_rng",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "grad", "value_and_grad", "gradcheck", "gradgradcheck", "Function", "primitive", "draw_graph", "save_graph",
    "explore",
    "add", "sub", "mul", "div", "power", "pow", "neg", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "abs",
    "leaky_relu", "clip", "maximum", "minimum", "where",
    "sum", "mean", "var", "max", "min", "logsumexp", "softmax", "log_softmax",
    "concatenate", "cat", "stack", "matmul", "linear", "softmax_cross_entropy",
    "clamp",
    "sin", "cos", "tan", "arcsin", "arccos", "arctan", "asin", "acos", "atan", "sinh", "cosh",
    "log2", "log10", "log1p", "exp2", "expm1", "reciprocal", "rsqrt", "square",
    "sign", "floor", "ceil", "trunc", "round",
    "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor", "logical_not",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "isnan", "isinf", "isfinite",
    "gelu", "silu", "softplus", "mish", "logsigmoid", "softsign", "elu", "selu", "celu", "hardtanh", "relu6",
    "hardsigmoid", "hardswish",
    "std", "prod", "norm", "argmax", "argmin", "any", "all", "count_nonzero", "cumsum", "cumprod", "cummax", "cummin",
    "concatenate", "stack", "matmul", "linear", "softmax_cross_entropy",
    "einsum", "dot", "outer", "tensordot",
    "take_along_axis", "gather", "index_select", "put_along_axis", "scatter", "scatter_add", "masked_fill",
    "pad", "tile", "repeat", "repeat_interleave", "flip", "roll", "split", "chunk", "triu", "tril", "diagonal",
]


def __getattr__(name):
    """Drawing loads on first use (it imports graphviz): `autograd.draw_graph`, `autograd.explore`, `autograd.viz`."""
    if name in ("draw_graph", "save_graph", "explore", "viz"):
        viz = importlib.import_module("autograd.viz")
        return viz if name == "viz" else getattr(viz, name)
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")
