"""graphgrad's reverse-mode autodiff engine: scalar `Value` and n-d `Tensor` nodes on one backward walk.

Not the HIPS `autograd` package: do not install both in one environment.
"""
import importlib

from .grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled
from .value import Value
from .tensor import Tensor
from .factories import tensor, from_numpy, zeros, ones, zeros_like, ones_like, randn
from .ops.elementwise import maximum, minimum, where
from .ops.shape import concatenate, stack
from .ops.fused import linear, softmax_cross_entropy

__all__ = [
    "Value", "Tensor", "tensor", "from_numpy", "zeros", "ones", "zeros_like", "ones_like", "randn",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "maximum", "minimum", "where", "concatenate", "stack", "linear", "softmax_cross_entropy",
]
from .functional import grad, value_and_grad
from .gradcheck import gradcheck

__all__ += ["grad", "value_and_grad", "gradcheck"]
from .gradcheck import gradgradcheck
from .function import Function, primitive

__all__ += ["gradgradcheck", "Function", "primitive"]
__all__ += ["draw_graph", "save_graph"]


def __getattr__(name):
    """Drawing loads on first use (it imports graphviz): `autograd.draw_graph`, `autograd.viz`."""
    if name in ("draw_graph", "save_graph", "viz"):
        viz = importlib.import_module("autograd.viz")
        return viz if name == "viz" else getattr(viz, name)
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")
