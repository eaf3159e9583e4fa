"""Activation functions as primitives: GELU, SiLU, softplus, the ELU family, Mish, the hard ones, logsigmoid, softsign.

Values and gradients follow torch.nn.functional in float64, including its derivative at the kinks (hardtanh
and relu6: 0 at the bounds; hardsigmoid: 0 at +-3; hardswish: 0 at -3, 1 at 3; the ELU family: the
exponential side at 0) and at nan (the branch torch's comparisons pick); infinite inputs give torch's values
(nan where its formula makes one, with numpy's RuntimeWarning). Deliberate differences, all more accurate:
gelu's tail uses erfc, and its tanh form 0.5 (1 + tanh u) = sigmoid(2u), where torch's 1 + erf and 1 + tanh
cancel (gelu(-10) is -7.6e-23, torch says -0.0); hardsigmoid's slope is 1/6 (torch: float32's 1/6 even in
float64); softsign's gradient at +-inf is its limit 0 (torch: nan).

Each vjp gets raw arrays in the fast pass and Tensors under create_graph=True; the `_on` helpers pick the
numpy kernel or the recorded op for their argument, and masks come from raw data (their derivative is 0).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..tensor import Tensor, _raw
from . import elementwise as _ew
from .special import erfc, erfc_array

if TYPE_CHECKING:
    from ..hints import TensorLike

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_TANH_K, _TANH_C = math.sqrt(2 / math.pi), 0.044715      # the tanh approximation of GELU
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _on(tensor_op, array_fn):
    """f(x): the recorded op for a Tensor (create_graph), the numpy kernel for an ndarray (fast pass)."""
    return lambda x: tensor_op(x) if type(x) is Tensor else array_fn(x)


def _where(cond, a, b):
    """a where the raw bool `cond` holds, else b; recorded when a or b is a Tensor."""
    if type(a) is Tensor or type(b) is Tensor:
        return _ew.where(cond, a, b)
    return np.where(cond, a, b)


def _softplus_array(z):
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))   # log(1 + e^z), never overflows


_exp = _on(_ew.exp, np.exp)
_tanh = _on(_ew.tanh, np.tanh)
_abs = _on(_ew.absolute, np.abs)
_sigmoid = _on(_ew.sigmoid, _ew._sigmoid)
_erfc = _on(erfc, erfc_array)
_softplus = _on(lambda x: softplus(x), _softplus_array)


# --- smooth ----------------------------------------------------------------------------------------
def gelu(x: TensorLike, approximate: str = "none") -> Tensor:
    """x Phi(x), Phi the standard normal CDF; approximate="tanh": 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    if approximate == "tanh":
        return _ew._unary(x, _gelu_tanh, _gelu_tanh_vjp, "gelu_tanh")
    if approximate != "none":
        raise ValueError(f"gelu: approximate must be 'none' (the exact erf form) or 'tanh', got {approximate!r}")
    return _ew._unary(x, lambda a: a * _normal_cdf(a), _gelu_vjp, "gelu")


def _normal_cdf(x):
    return 0.5 * _erfc(x * -_SQRT_HALF)                       # Phi(x) = erfc(-x / sqrt 2) / 2: exact tail


def _gelu_vjp(g, out, x):
    return (g * (_normal_cdf(x) + x * _exp(x * x * -0.5) * _INV_SQRT_2PI),)     # Phi(x) + x phi(x)


def _gelu_tanh(x):
    return x * _ew._sigmoid(2 * _TANH_K * (x + _TANH_C * x * x * x))      # 0.5 (1 + tanh u) = sigmoid(2u)


def _gelu_tanh_vjp(g, out, x):
    u2 = 2 * _TANH_K * (x + _TANH_C * x * x * x)
    s = _sigmoid(u2)                                          # x s(2u) has slope s + x s (1 - s) 2u'
    return (g * (s + x * s * _sigmoid(-u2) * (2 * _TANH_K * (1 + 3 * _TANH_C * x * x))),)


def silu(x: TensorLike) -> Tensor:
    """x sigmoid(x) (swish), elementwise."""
    def vjp(g, out, x):
        s = _sigmoid(x)
        return (g * s * (1 + x * (1 - s)),)                   # s + x s (1 - s)
    return _ew._unary(x, lambda a: a * _ew._sigmoid(a), vjp, "silu")


def softplus(x: TensorLike, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(beta x)) / beta, and x itself where beta x > threshold (as torch), elementwise."""
    if beta == 0:
        raise ValueError("softplus: beta must be nonzero (it divides: log(1 + e^(beta x)) / beta)")

    def vjp(g, out, x):
        return (g * _where(_raw(x) * beta > threshold, 1.0, _sigmoid(x * beta)),)
    return _ew._unary(x, lambda a: np.where(a * beta > threshold, a, _softplus_array(a * beta) / beta), vjp,
                      "softplus")


def mish(x: TensorLike) -> Tensor:
    """x tanh(softplus(x)), elementwise."""
    def vjp(g, out, x):
        t = _tanh(_softplus(x))
        return (g * (t + x * _sigmoid(x) * (1 - t * t)),)    # d softplus = sigmoid
    return _ew._unary(x, lambda a: a * np.tanh(_softplus_array(a)), vjp, "mish")


def logsigmoid(x: TensorLike) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), elementwise, exact for large |x|."""
    return _ew._unary(x, lambda a: np.minimum(a, 0) - np.log1p(np.exp(-np.abs(a))),
                      lambda g, out, x: (g * _sigmoid(-x),), "logsigmoid")


def softsign(x: TensorLike) -> Tensor:
    """x / (1 + |x|), elementwise."""
    def vjp(g, out, x):
        d = 1 + _abs(x)
        return (g / (d * d),)
    return _ew._unary(x, lambda a: a / (1 + np.abs(a)), vjp, "softsign")


# --- the ELU family: x for x > 0, scale alpha (e^(x / alpha_in) - 1) at and below 0 --------------------
def _elu(x, alpha, scale, input_scale, op):
    def forward(a):
        neg = a <= 0
        return np.where(neg, scale * alpha * np.expm1(np.where(neg, a, 0) * input_scale), scale * a)

    def vjp(g, out, x):
        neg = _raw(x) <= 0                                    # nan takes the linear side, as in torch
        below = _where(neg, x, 0.0)                           # e^x only where x <= 0: never overflows
        return (g * _where(neg, (scale * alpha * input_scale) * _exp(below * input_scale), scale),)
    return _ew._unary(x, forward, vjp, op)


def elu(x: TensorLike, alpha: float = 1.0) -> Tensor:
    """x for x > 0, alpha (e^x - 1) otherwise, elementwise."""
    return _elu(x, alpha, 1.0, 1.0, "elu")


def selu(x: TensorLike) -> Tensor:
    """scale * elu(x, alpha) with the self-normalizing constants alpha = 1.6733, scale = 1.0507."""
    return _elu(x, _SELU_ALPHA, _SELU_SCALE, 1.0, "selu")


def celu(x: TensorLike, alpha: float = 1.0) -> Tensor:
    """x for x > 0, alpha (e^(x / alpha) - 1) otherwise (continuously differentiable ELU), elementwise."""
    if alpha == 0:
        raise ValueError("celu: alpha must be nonzero (it divides: alpha (e^(x / alpha) - 1))")
    return _elu(x, alpha, 1.0, 1.0 / alpha, "celu")


# --- piecewise linear: gradient masks from raw data -------------------------------------------------------
def hardtanh(x: TensorLike, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """x clipped to [min_val, max_val]; gradient 1 strictly inside, 0 at and beyond the bounds (as torch)."""
    if not min_val <= max_val:
        raise ValueError(f"hardtanh: min_val {min_val} must not be greater than max_val {max_val}")
    return _clamp(x, min_val, max_val, "hardtanh")


def relu6(x: TensorLike) -> Tensor:
    """min(max(x, 0), 6), elementwise; gradient 0 at 0 and 6 (as torch)."""
    return _clamp(x, 0.0, 6.0, "relu6")


def _clamp(x, lo, hi, op):
    def vjp(g, out, x):
        x = _raw(x)
        return (g * ~((x <= lo) | (x >= hi)),)               # nan passes the gradient on, as in torch
    return _ew._unary(x, lambda a: np.clip(a, lo, hi), vjp, op)


def hardsigmoid(x: TensorLike) -> Tensor:
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, x/6 + 1/2 between; gradient 0 at +-3 (as torch)."""
    def vjp(g, out, x):
        x = _raw(x)
        return (g * ((x > -3) & (x < 3)) / 6,)
    return _ew._unary(x, lambda a: np.minimum(np.maximum(a + 3, 0), 6) / 6, vjp, "hardsigmoid")


def hardswish(x: TensorLike) -> Tensor:
    """x relu6(x + 3) / 6, elementwise; gradient 0 at -3 and 1 at 3 (as torch)."""
    def vjp(g, out, x):
        r = _raw(x)                                           # slope 0 | x/3 + 1/2 | 1
        return (g * _where(r <= -3, 0.0, _where(r < 3, x / 3 + 0.5, 1.0)),)
    return _ew._unary(x, lambda a: a * np.minimum(np.maximum(a + 3, 0), 6) / 6, vjp, "hardswish")
