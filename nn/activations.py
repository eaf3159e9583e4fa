"""Activation functions (work on Tensor and, where a Value method exists, on Value) and their modules.

Each is a composition of engine ops, so gradients come from the graph. `Maxout` is a layer with
weights and lives in `nn.layers`.
"""
import numpy as np

from autograd import Tensor

from .module import Module


def sigmoid(x):
    """1 / (1 + e^-x), elementwise."""
    return x.sigmoid()


def tanh(x):
    """Hyperbolic tangent, elementwise."""
    return x.tanh()


def relu(x):
    """max(0, x), elementwise."""
    return x.relu()


def leaky_relu(x, negative_slope=0.01):
    """x for x > 0, negative_slope * x otherwise."""
    return x.leaky_relu(negative_slope)


def prelu(x, alpha):
    """Leaky ReLU with a learnable slope: max(0, x) + alpha * min(0, x) = relu(x) - alpha * relu(-x)."""
    return x.relu() - alpha * (-x).relu()


def softmax(x, axis=-1):
    """e^x / sum(e^x) along `axis` (stable)."""
    return x.softmax(axis)


def identity(x):
    """x unchanged."""
    return x


class Sigmoid(Module):
    """Module form of `sigmoid`."""

    def forward(self, x):
        return x.sigmoid()


class Tanh(Module):
    """Module form of `tanh`."""

    def forward(self, x):
        return x.tanh()


class ReLU(Module):
    """Module form of `relu`."""

    def forward(self, x):
        return x.relu()


class LeakyReLU(Module):
    """Module form of `leaky_relu` with a fixed `negative_slope`."""

    def __init__(self, negative_slope=0.01):
        self.negative_slope = float(negative_slope)

    def forward(self, x):
        return x.leaky_relu(self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope:g}"


class PReLU(Module):
    """Leaky ReLU whose slope `alpha` is learned: one shared slope, or one per channel (last axis)."""

    def __init__(self, num_parameters=1, init=0.25, dtype=np.float64):
        if int(num_parameters) < 1:
            raise ValueError(f"PReLU: num_parameters must be >= 1, got {num_parameters}")
        self.alpha = Tensor(np.full(int(num_parameters), init, dtype), requires_grad=True)

    def forward(self, x):
        channels = self.alpha.shape[0]
        if channels > 1 and x.shape[-1] != channels:
            raise ValueError(f"PReLU({channels}): input of shape {x.shape} must have {channels} "
                             "channels on its last axis")
        return prelu(x, self.alpha)

    def extra_repr(self):
        return f"num_parameters={self.alpha.shape[0]}"


class Softmax(Module):
    """Module form of `softmax` along `axis`."""

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x):
        return x.softmax(self.axis)

    def extra_repr(self):
        return f"axis={self.axis}"


class Identity(Module):
    """Returns its input: a placeholder where a layer is optional."""

    def forward(self, x):
        return x


FUNCTIONS = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu, "leaky_relu": leaky_relu, "identity": identity}
MODULES = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "leaky_relu": LeakyReLU, "prelu": PReLU,
           "identity": Identity}
NAMES = sorted(set(MODULES) | {"maxout"})


def check_name(activation):
    """`activation` lower-cased (None means 'identity'), or a ValueError listing the known names."""
    name = "identity" if activation is None else str(activation).lower()
    if name not in NAMES:
        raise ValueError(f"unknown activation {activation!r}; use one of {NAMES}")
    return name


def function(activation):
    """The elementwise function for an activation name (the parameter-free ones)."""
    name = check_name(activation)
    if name not in FUNCTIONS:
        raise ValueError(f"activation {name!r} has parameters or mixes units, so it has no plain function; "
                         f"elementwise ones are {sorted(FUNCTIONS)}")
    return FUNCTIONS[name]
