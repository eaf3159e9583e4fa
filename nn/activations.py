"""Activation functions and their modules, and REGISTRY: the one table of activation names nn reads.

sigmoid, tanh, relu and leaky_relu work on Tensor and Value; gelu, silu, softplus, ... are autograd's
primitives (Tensor or array-like). `Maxout` is a layer with weights and lives in `nn.layers`.
nn.MLP, nn.scalar, nn.init (default inits) and the CLI's --activation all look names up in REGISTRY.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from autograd import Tensor
from autograd import celu, elu, gelu, hardsigmoid, hardswish, hardtanh, logsigmoid, mish, relu6, selu, silu
from autograd import softplus, softsign

from .module import Module

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from autograd.hints import Node, TensorLike


def sigmoid(x: Node) -> Node:
    """1 / (1 + e^-x), elementwise."""
    return x.sigmoid()


def tanh(x: Node) -> Node:
    """Hyperbolic tangent, elementwise."""
    return x.tanh()


def relu(x: Node) -> Node:
    """max(0, x), elementwise."""
    return x.relu()


def leaky_relu(x: Node, negative_slope: float = 0.01) -> Node:
    """x for x > 0, negative_slope * x otherwise."""
    return x.leaky_relu(negative_slope)


def prelu(x: Tensor, alpha: TensorLike) -> Tensor:
    """Leaky ReLU with a learnable slope: max(0, x) + alpha * min(0, x) = relu(x) - alpha * relu(-x)."""
    return x.relu() - alpha * (-x).relu()


def softmax(x: Tensor, axis: int | None = None, **dim: Any) -> Tensor:
    """e^x / sum(e^x) along `axis` (default -1; PyTorch's dim= too), stable."""
    return x.softmax(axis, **dim)


def log_softmax(x: Tensor, axis: int | None = None, **dim: Any) -> Tensor:
    """x - log(sum(e^x)) along `axis` (default -1; PyTorch's dim= too), stable."""
    return x.log_softmax(axis, **dim)


def identity(x: Node) -> Node:
    """x unchanged."""
    return x


class Sigmoid(Module):
    """Module form of `sigmoid`."""

    def forward(self, x: Node) -> Node:
        return x.sigmoid()


class Tanh(Module):
    """Module form of `tanh`."""

    def forward(self, x: Node) -> Node:
        return x.tanh()


class ReLU(Module):
    """Module form of `relu`."""

    def forward(self, x: Node) -> Node:
        return x.relu()


class LeakyReLU(Module):
    """Module form of `leaky_relu` with a fixed `negative_slope`."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = float(negative_slope)

    def forward(self, x: Node) -> Node:
        return x.leaky_relu(self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope:g}"


class PReLU(Module):
    """Leaky ReLU whose slope `alpha` is learned: one shared slope, or one per channel (last axis)."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype: DTypeLike = np.float64) -> None:
        if int(num_parameters) < 1:
            raise ValueError(f"PReLU: num_parameters must be >= 1, got {num_parameters}")
        self.alpha = Tensor(np.full(int(num_parameters), init, dtype), requires_grad=True)

    def forward(self, x: Tensor) -> Tensor:
        channels = self.alpha.shape[0]
        if channels > 1 and x.shape[-1] != channels:
            raise ValueError(f"PReLU({channels}): input of shape {x.shape} must have {channels} "
                             "channels on its last axis")
        return prelu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"num_parameters={self.alpha.shape[0]}"


class Softmax(Module):
    """Module form of `softmax` along `axis`."""

    def __init__(self, axis: int = -1) -> None:
        self.axis = axis

    def forward(self, x: Tensor) -> Tensor:
        return x.softmax(self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class Identity(Module):
    """Returns its input: a placeholder where a layer is optional."""

    def forward(self, x: Node) -> Node:
        return x


def _refuse_inplace(module, inplace):
    if inplace:
        raise ValueError(f"nn.{module}: inplace=True is not supported; graphgrad's activations always return a "
                         "new tensor (drop the argument)")


class GELU(Module):
    """Module form of `gelu`: x Phi(x), or its tanh approximation with approximate='tanh'."""

    def __init__(self, approximate: str = "none") -> None:
        if approximate not in ("none", "tanh"):
            raise ValueError(f"nn.GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: TensorLike) -> Tensor:
        return gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """Module form of `softplus`: log(1 + e^(beta x)) / beta, linear where beta x > threshold."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        if beta == 0:
            raise ValueError("nn.Softplus: beta must be nonzero")
        self.beta, self.threshold = float(beta), float(threshold)

    def forward(self, x: TensorLike) -> Tensor:
        return softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta:g}, threshold={self.threshold:g}"


class _Alpha(Module):
    """ELU and CELU: one `alpha`; `inplace` is accepted as in PyTorch, but only False."""
    _fn: Callable[..., Tensor]

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        _refuse_inplace(type(self).__name__, inplace)
        self.alpha = float(alpha)

    def forward(self, x: TensorLike) -> Tensor:
        return self._fn(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha:g}"


class ELU(_Alpha):
    """Module form of `elu`: x for x > 0, alpha (e^x - 1) otherwise."""
    _fn = staticmethod(elu)


class CELU(_Alpha):
    """Module form of `celu`: x for x > 0, alpha (e^(x/alpha) - 1) otherwise."""
    _fn = staticmethod(celu)

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        if alpha == 0:
            raise ValueError("nn.CELU: alpha must be nonzero (it divides: alpha (e^(x/alpha) - 1))")
        super().__init__(alpha, inplace)


class Hardtanh(Module):
    """Module form of `hardtanh`: x clipped to [min_val, max_val]."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        _refuse_inplace("Hardtanh", inplace)
        if not min_val <= max_val:
            raise ValueError(f"nn.Hardtanh: min_val {min_val} must not be greater than max_val {max_val}")
        self.min_val, self.max_val = float(min_val), float(max_val)

    def forward(self, x: TensorLike) -> Tensor:
        return hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val:g}, max_val={self.max_val:g}"


class _Plain(Module):
    """A parameter-free activation whose forward is `_fn`; `inplace` is accepted as in PyTorch, but only False."""
    _fn: Callable[..., Tensor]

    def __init__(self, inplace: bool = False) -> None:
        _refuse_inplace(type(self).__name__, inplace)

    def forward(self, x: TensorLike) -> Tensor:
        return self._fn(x)


class SiLU(_Plain):
    """Module form of `silu`: x sigmoid(x)."""
    _fn = staticmethod(silu)


class SELU(_Plain):
    """Module form of `selu`: scale * elu(x, alpha) with the self-normalizing constants."""
    _fn = staticmethod(selu)


class Mish(_Plain):
    """Module form of `mish`: x tanh(softplus(x))."""
    _fn = staticmethod(mish)


class ReLU6(_Plain):
    """Module form of `relu6`: min(max(x, 0), 6)."""
    _fn = staticmethod(relu6)


class Hardsigmoid(_Plain):
    """Module form of `hardsigmoid`: relu6(x + 3) / 6."""
    _fn = staticmethod(hardsigmoid)


class Hardswish(_Plain):
    """Module form of `hardswish`: x relu6(x + 3) / 6."""
    _fn = staticmethod(hardswish)


class LogSigmoid(Module):
    """Module form of `logsigmoid`: log(sigmoid(x))."""

    def forward(self, x: TensorLike) -> Tensor:
        return logsigmoid(x)


class Softsign(Module):
    """Module form of `softsign`: x / (1 + |x|)."""

    def forward(self, x: TensorLike) -> Tensor:
        return softsign(x)


# --- the registry --------------------------------------------------------------------------------------
class Activation(NamedTuple):
    """What nn needs to know about an activation name."""
    function: Callable[..., Any] | None  # the elementwise function of a Tensor; None: learned weights or a layer
    module: type                         # the Module class put after a hidden layer
    scalar: bool                         # whether Value has it, so nn.scalar layers can use it
    init: str                            # the default initializer (an nn.init name) of the weights feeding it


_HE, _GLOROT = "kaiming_normal", "xavier_normal"      # He for the ReLU family, Glorot where it is ~linear at 0
REGISTRY = {
    "relu": Activation(relu, ReLU, True, _HE),
    "tanh": Activation(tanh, Tanh, True, _GLOROT),
    "sigmoid": Activation(sigmoid, Sigmoid, True, _GLOROT),
    "leaky_relu": Activation(leaky_relu, LeakyReLU, True, _HE),
    "prelu": Activation(None, PReLU, False, _HE),
    "maxout": Activation(None, Identity, False, _HE),            # the Maxout layer itself takes the max
    "identity": Activation(identity, Identity, True, _GLOROT),
    "gelu": Activation(gelu, GELU, False, _HE),
    "silu": Activation(silu, SiLU, False, _HE),
    "mish": Activation(mish, Mish, False, _HE),
    "softplus": Activation(softplus, Softplus, False, _HE),
    "elu": Activation(elu, ELU, False, _HE),
    "celu": Activation(celu, CELU, False, _HE),
    "selu": Activation(selu, SELU, False, "calibrated"),         # LeCun normal: what SELU's fixed point assumes
    "relu6": Activation(relu6, ReLU6, False, _HE),
    "hardswish": Activation(hardswish, Hardswish, False, _HE),
    "hardtanh": Activation(hardtanh, Hardtanh, False, _GLOROT),
    "hardsigmoid": Activation(hardsigmoid, Hardsigmoid, False, _GLOROT),
    "softsign": Activation(softsign, Softsign, False, _GLOROT),
    "logsigmoid": Activation(logsigmoid, LogSigmoid, False, _GLOROT),
}
NAMES = sorted(REGISTRY)
SCALAR_NAMES = sorted(name for name, a in REGISTRY.items() if a.scalar)
FUNCTIONS = {name: a.function for name, a in REGISTRY.items() if a.function is not None}
MODULES = {name: a.module for name, a in REGISTRY.items() if name != "maxout"}


def check_name(activation: str | None) -> str:
    """`activation` lower-cased (None means 'identity'), or a ValueError listing the known names."""
    name = "identity" if activation is None else str(activation).lower()
    if name not in REGISTRY:
        raise ValueError(f"unknown activation {activation!r}; use one of {NAMES}")
    return name


def function(activation: str | None) -> Callable[..., Any]:
    """The elementwise function for an activation name (the parameter-free ones)."""
    name = check_name(activation)
    if name not in FUNCTIONS:
        raise ValueError(f"activation {name!r} has parameters or mixes units, so it has no plain function; "
                         f"elementwise ones are {sorted(FUNCTIONS)}")
    return FUNCTIONS[name]


def module(activation: str | None, negative_slope: float = 0.01, dtype: DTypeLike = np.float64) -> Module:
    """A fresh module for a hidden layer, by name (leaky_relu takes negative_slope; prelu's slope has dtype)."""
    cls = REGISTRY[check_name(activation)].module
    if cls is LeakyReLU:
        return LeakyReLU(negative_slope)
    if cls is PReLU:
        return PReLU(dtype=dtype)
    return cls()
