"""Tensor layers, batch-first: Linear, Maxout, Dropout, Sequential and the MLP built from them."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

import autograd
from autograd import Tensor, from_numpy

from . import activations
from . import init as initializers
from .module import Module

if TYPE_CHECKING:
    from numpy.typing import DTypeLike, NDArray

    from autograd.hints import Seed, Shape, TensorLike

    from .init import Init


def _weights(in_features, out_features, bias, init, rng, dtype):
    """(W, b) leaves: W (in, out) from `init`, b (out,) zeros or None."""
    for what, n in (("in_features", in_features), ("out_features", out_features)):
        if not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"{what} must be a positive int, got {n!r}")
    draw = initializers.get("kaiming_normal" if init is None else init)
    W = Tensor(draw((in_features, out_features), rng=rng, dtype=dtype), requires_grad=True)
    b = Tensor(np.zeros(out_features, dtype), requires_grad=True) if bias else None
    return W, b


def _as_input(x, in_features, dtype, layer):
    """x as a Tensor whose last axis has `in_features` entries (numpy input takes the layer's dtype)."""
    if not isinstance(x, Tensor):
        x = from_numpy(np.asarray(x, dtype=dtype))
    if x.shape[-1:] != (in_features,):
        raise ValueError(f"{layer!r}: input of shape {x.shape} must have {in_features} features on its last axis "
                         f"(batch-first: (batch, {in_features}))")
    return x


class Linear(Module):
    """Affine map x @ W + b with W of shape (in_features, out_features)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, init: Init = None, rng: Seed = None,
                 dtype: DTypeLike = np.float64) -> None:
        self.in_features, self.out_features = in_features, out_features
        self.W, self.b = _weights(in_features, out_features, bias, init, autograd.default_rng(rng), dtype)

    def forward(self, x: TensorLike) -> Tensor:
        x = _as_input(x, self.in_features, self.W.dtype, self)
        return autograd.linear(x, self.W, self.b)     # x @ W + b as one node: (batch, out)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.b is not None}"


class Maxout(Module):
    """max over `pieces` affine maps per unit: max_k (x @ W_k + b_k), stored as one W (in, out * pieces)."""

    def __init__(self, in_features: int, out_features: int, pieces: int = 2, bias: bool = True, init: Init = None,
                 rng: Seed = None, dtype: DTypeLike = np.float64) -> None:
        if not isinstance(pieces, (int, np.integer)) or pieces < 1:
            raise ValueError(f"Maxout: pieces must be a positive int, got {pieces!r}")
        self.in_features, self.out_features, self.pieces = in_features, out_features, pieces
        self.W, self.b = _weights(in_features, out_features * pieces, bias, init,
                                  autograd.default_rng(rng), dtype)

    def forward(self, x: TensorLike) -> Tensor:
        x = _as_input(x, self.in_features, self.W.dtype, self)
        z = autograd.linear(x, self.W, self.b)      # column o * pieces + k: unit o, piece k
        return z.reshape(*z.shape[:-1], self.out_features, self.pieces).max(axis=-1)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, pieces={self.pieces}"


class Dropout(Module):
    """Inverted dropout: in training, zero each unit with probability p and scale the rest by 1/(1-p)."""

    def __init__(self, p: float = 0.5, rng: Seed = None) -> None:
        if not 0.0 <= p < 1.0:
            raise ValueError(f"Dropout: p is the probability of dropping a unit and must be in [0, 1), got {p}")
        self.p = float(p)
        # None: draw from the global generator (autograd.manual_seed) at each call, also in a copy of the module
        self.rng = None if rng is None or rng is autograd.default_rng() else autograd.default_rng(rng)

    def mask(self, shape: Shape, dtype: DTypeLike = np.float64) -> NDArray[Any]:
        """A fresh scaled keep-mask: 0 with probability p, else 1/(1-p)."""
        keep = autograd.default_rng(self.rng).random(shape) >= self.p
        return (keep / (1.0 - self.p)).astype(dtype)

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0.0:
            return x
        return x * self.mask(x.shape, x.dtype)

    def extra_repr(self) -> str:
        return f"p={self.p:g}"


class Sequential(Module):
    """Modules applied in order; indexable, with parameters named '0.W', '1.W', ..."""

    def __init__(self, *layers: Module) -> None:
        for i, m in enumerate(layers):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential: item {i} is a {type(m).__name__}, not a Module "
                                "(wrap functions as modules, e.g. nn.ReLU() instead of nn.relu)")
        self._layers = list(layers)

    def _children(self):
        return ((str(i), m) for i, m in enumerate(self._layers))

    def forward(self, x: Any) -> Any:
        for layer in self._layers:
            x = layer(x)
        return x

    def __getitem__(self, i: int | slice) -> Any:
        return Sequential(*self._layers[i]) if isinstance(i, slice) else self._layers[i]

    def __len__(self) -> int:
        return len(self._layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._layers)

    def append(self, layer: Module) -> Sequential:
        """Add `layer` at the end; returns self."""
        if not isinstance(layer, Module):
            raise TypeError(f"Sequential.append: {type(layer).__name__} is not a Module")
        self._layers.append(layer)
        return self


def hidden_activation(name: str | None, negative_slope: float = 0.01, dtype: DTypeLike = np.float64) -> Module:
    """A fresh activation module for a hidden layer, by name (a learned slope gets the layers' dtype)."""
    return activations.module(name, negative_slope, dtype)


class MLP(Module):
    """A stack of fully-connected layers nin -> sizes[0] -> ... -> sizes[-1]; no activation after the last."""

    def __init__(self, nin: int, sizes: int | Sequence[int], activation: str | None = "relu", dropout: float = 0.0,
                 bias: bool = True, init: Init = None, rng: Seed = None, dtype: DTypeLike = np.float64,
                 negative_slope: float = 0.01, pieces: int = 2) -> None:
        shapes = layer_shapes(nin, sizes)
        name = activations.check_name(activation)
        self.nin, self.sizes, self.activation, self.bias = nin, [n for _, n, _ in shapes], name, bias
        self.negative_slope = negative_slope
        rng = autograd.default_rng(rng)
        init = initializers.for_activation(name) if init is None else init
        self.layers = [Maxout(n_in, n_out, pieces, bias, init, rng, dtype) if name == "maxout" and hidden else
                       Linear(n_in, n_out, bias, init, rng, dtype) for n_in, n_out, hidden in shapes]
        self.acts = [hidden_activation(name, negative_slope, dtype) for _ in shapes[:-1]]
        self.dropout = Dropout(dropout, rng) if dropout else None

    def forward(self, x: TensorLike) -> Tensor:
        for layer, act in zip(self.layers, self.acts):          # the hidden layers; zip stops before the last
            x = act(layer(x))
            if self.dropout is not None:
                x = self.dropout(x)
        return self.layers[-1](x)


def layer_shapes(nin: int, sizes: int | Sequence[int]) -> list[tuple[int, int, bool]]:
    """[(in, out, hidden)] per layer of an MLP nin -> sizes[0] -> ... -> sizes[-1], checked; hidden: followed
    by an activation (all but the last). nn.MLP and nn.scalar.MLP both build their layers from it."""
    sizes = _check_sizes(nin, sizes)
    dims = [int(nin)] + sizes
    return [(dims[i], dims[i + 1], i < len(sizes) - 1) for i in range(len(sizes))]


def _check_sizes(nin: int, sizes: int | Sequence[int]) -> list[int]:
    """`sizes` as a list of positive ints (with a positive int nin), or a ValueError saying which is wrong."""
    if isinstance(sizes, (int, np.integer)):
        sizes = [sizes]
    sizes = list(sizes)
    if not sizes:
        raise ValueError("MLP: sizes must list at least the output size, e.g. MLP(3, [4, 2])")
    for what, n in [("nin", nin)] + [(f"sizes[{i}]", n) for i, n in enumerate(sizes)]:
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
            raise ValueError(f"MLP: {what} must be a positive int, got {n!r}")
    return [int(n) for n in sizes]
