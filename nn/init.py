"""Weight initializers: each maps (shape, rng, dtype) to a fresh ndarray, fan_in = shape[0].

Weights are stored (in, out), so fan_in is the first dimension and fan_out the product of the rest.
`rng` is None (the global generator, which `autograd.manual_seed` seeds), a seed, or a Generator (whose stream
continues).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from autograd import default_rng

from .activations import REGISTRY

if TYPE_CHECKING:
    from numpy.typing import DTypeLike, NDArray

    from autograd.hints import Seed

# What init= accepts: a name, a number (the std of `normal`), a callable (shape, rng=, dtype=), or None (default).
Init = Union[str, float, Callable[..., Any], None]


def _fans(shape):
    """(fan_in, fan_out) of a weight of `shape` stored (in, out)."""
    shape = tuple(int(n) for n in shape)
    if not shape or any(n <= 0 for n in shape):
        raise ValueError(f"init: a weight needs a non-empty shape of positive sizes, got {shape}")
    return shape[0], int(np.prod(shape[1:])) if len(shape) > 1 else 1


def _normal(shape, std, rng, dtype):
    return (default_rng(rng).standard_normal(tuple(shape)) * std).astype(dtype, copy=False)


def _uniform(shape, bound, rng, dtype):
    return default_rng(rng).uniform(-bound, bound, tuple(shape)).astype(dtype, copy=False)


def zeros(shape: Sequence[int], rng: Seed = None, dtype: DTypeLike = np.float64) -> NDArray[Any]:
    """All zeros (the notes' choice for biases); `rng` is accepted and unused."""
    return np.zeros(tuple(shape), dtype)


def normal(shape: Sequence[int], std: float = 0.01, rng: Seed = None, dtype: DTypeLike = np.float64) -> NDArray[Any]:
    """N(0, std^2) samples; the notes' small random numbers are 0.01 * randn."""
    if not 0 <= std < np.inf:                          # also refuses nan
        raise ValueError(f"init.normal: std must be a finite number >= 0, got {std}")
    return _normal(shape, std, rng, dtype)


def calibrated(shape: Sequence[int], rng: Seed = None, dtype: DTypeLike = np.float64) -> NDArray[Any]:
    """randn / sqrt(fan_in): each unit's output variance starts equal to its input's (no ReLU gain)."""
    fan_in, _ = _fans(shape)
    return _normal(shape, np.sqrt(1.0 / fan_in), rng, dtype)


def xavier_normal(shape: Sequence[int], gain: float = 1.0, rng: Seed = None,
                  dtype: DTypeLike = np.float64) -> NDArray[Any]:
    """Glorot normal: std = gain * sqrt(2 / (fan_in + fan_out)); suited to tanh and sigmoid."""
    fan_in, fan_out = _fans(shape)
    return _normal(shape, gain * np.sqrt(2.0 / (fan_in + fan_out)), rng, dtype)


def xavier_uniform(shape: Sequence[int], gain: float = 1.0, rng: Seed = None,
                   dtype: DTypeLike = np.float64) -> NDArray[Any]:
    """Glorot uniform on [-a, a], a = gain * sqrt(6 / (fan_in + fan_out)) (same variance as xavier_normal)."""
    fan_in, fan_out = _fans(shape)
    return _uniform(shape, gain * np.sqrt(6.0 / (fan_in + fan_out)), rng, dtype)


def _he_gain(negative_slope):
    return np.sqrt(2.0 / (1.0 + negative_slope ** 2))     # ReLU zeroes half the variance: gain sqrt(2)


def kaiming_normal(shape: Sequence[int], negative_slope: float = 0.0, rng: Seed = None,
                   dtype: DTypeLike = np.float64) -> NDArray[Any]:
    """He normal: std = sqrt(2 / fan_in) for ReLU (sqrt(2 / ((1 + s^2) fan_in)) for leaky slope s)."""
    fan_in, _ = _fans(shape)
    return _normal(shape, _he_gain(negative_slope) / np.sqrt(fan_in), rng, dtype)


def kaiming_uniform(shape: Sequence[int], negative_slope: float = 0.0, rng: Seed = None,
                    dtype: DTypeLike = np.float64) -> NDArray[Any]:
    """He uniform on [-a, a], a = sqrt(3) * He std (same variance as kaiming_normal)."""
    fan_in, _ = _fans(shape)
    return _uniform(shape, np.sqrt(3.0) * _he_gain(negative_slope) / np.sqrt(fan_in), rng, dtype)


INITIALIZERS: dict[str, Callable[..., NDArray[Any]]] = {
    "zeros": zeros, "normal": normal, "calibrated": calibrated,
    "xavier_normal": xavier_normal, "xavier_uniform": xavier_uniform, "glorot": xavier_normal,
    "kaiming_normal": kaiming_normal, "kaiming_uniform": kaiming_uniform, "he": kaiming_normal,
}

# the default per activation, from nn.activations.REGISTRY: He for the ReLU family, Glorot where the unit is
# (near) linear at 0
DEFAULT_FOR = {name: a.init for name, a in REGISTRY.items()}


def get(init: Init) -> Callable[..., Any]:
    """An initializer from a name, a callable (shape, rng=, dtype=) or a number (the std of `normal`)."""
    if callable(init):
        return init
    if isinstance(init, (int, float)) and not isinstance(init, bool):
        return lambda shape, rng=None, dtype=np.float64: normal(shape, float(init), rng, dtype)
    if isinstance(init, str) and init.lower() in INITIALIZERS:
        return INITIALIZERS[init.lower()]
    raise ValueError(f"unknown init {init!r}; use one of {sorted(INITIALIZERS)}, a number (normal std) "
                     "or a callable init(shape, rng=None, dtype=np.float64)")


def for_activation(activation: str) -> str:
    """The default initializer name for a hidden activation name (He for ReLU-like, Xavier otherwise)."""
    return DEFAULT_FOR.get(activation, "xavier_normal")
