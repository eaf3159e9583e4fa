"""The error function erf and its complement erfc, as numpy kernels and as primitives (GELU's normal CDF).

numpy has no erf and scipy is no dependency, so the kernels are written here, in float64 whatever the input
dtype (the result is cast back), within 1e-15 relative of math.erf and math.erfc (3.5 units in the last
place; subnormal erfc within 2 subnormal steps):
- |x| < 4: Taylor series about the nearest multiple c of 1/16 (|x - c| <= 1/32), 13 terms, whose
  coefficients come from the Hermite polynomials: erf^(k)(c) = 2/sqrt(pi) (-1)^(k-1) H_(k-1)(c) e^(-c^2)
  for k >= 1; the constant term is erf(c) for erf and erfc(c) for erfc, so each keeps its relative
  accuracy (erf near 0, erfc up to 4). The 65-centre tables are made at import from math.erf, math.erfc
  and math.exp at the exact c; the first term left out is below 4e-20 of the result;
- 4 <= |x| < 27.4: erfc from Laplace's continued fraction e^(-x^2) / sqrt(pi) / (x + (1/2) / (x + 1 /
  (x + (3/2) / (x + ...)))), 30 levels (converged below 1e-20 at x = 4), with x^2 split exactly into
  hi + lo so that e^(-x^2) keeps its accuracy; beyond 27.4, erfc(x) < 2^-1075 rounds to 0.
Negative x: erf(-x) = -erf(x), erfc(-x) = 1 + erf(x). One pass over the whole array (no boolean
indexing but for the tail, 1/16000 of a standard normal sample): 2-3x faster than np.vectorize(math.erf).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..tensor import Tensor
from .elementwise import _unary

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..hints import TensorLike

_SQRT_PI = math.sqrt(math.pi)
_TWO_OVER_SQRT_PI = 2 / _SQRT_PI
_STEPS = 16                                  # Taylor centres c = j/16 for j = 0 ... 64
_TERMS = 13                                  # the first term left out is below 4e-20 of the result
_TAIL, _ZERO = 4.0, 27.4
_LEVELS = 30


def _taylor_tables():
    """(erf(c), erfc(c), P): P's row k-1 holds erf^(k)(c) / k! for k = 1 ... _TERMS-1, one column per centre c."""
    erf0, erfc0, columns = [], [], []
    for j in range(int(_TAIL * _STEPS) + 1):
        c = j / _STEPS                                        # exact, and so is c * c
        hermite = [1.0, 2 * c]                                # H_0, H_1; H_(n+1) = 2c H_n - 2n H_(n-1)
        for n in range(1, _TERMS):
            hermite.append(2 * c * hermite[n] - 2 * n * hermite[n - 1])
        scale = _TWO_OVER_SQRT_PI * math.exp(-c * c)
        erf0.append(math.erf(c))
        erfc0.append(math.erfc(c))
        columns.append([scale * (-1) ** (k - 1) * hermite[k - 1] / math.factorial(k) for k in range(1, _TERMS)])
    return np.array(erf0), np.array(erfc0), np.array(columns).T.copy()


_ERF0, _ERFC0, _SLOPES = _taylor_tables()


def _taylor_part(a):
    """(j, P) for 0 <= a (or nan): erf(a) = _ERF0[j] + P and erfc(a) = _ERFC0[j] - P for a < 4."""
    a = np.minimum(a, _TAIL)                                  # larger a go to the tail; nan stays nan
    j = np.rint(np.fmin(a * _STEPS, _TAIL * _STEPS)).astype(np.intp)
    h = a - j * (1 / _STEPS)                                  # exact (Sterbenz): |h| <= 1/32
    s = _SLOPES[-1].take(j)
    for row in _SLOPES[-2::-1]:
        s *= h
        s += row.take(j)
    s *= h
    return j, s


def _exp_neg_square(a):
    """e^(-a^2) for 0 <= a < 27.4, with a^2 = hi + lo split exactly (Dekker) so no rounding of a^2 shows."""
    hi = a * a
    p = a * 134217729.0                                       # 2^27 + 1 splits a into 26-bit halves
    ah = p - (p - a)
    al = a - ah
    lo = ((ah * ah - hi) + 2 * ah * al) + al * al
    return np.exp(-hi) * (1 - lo)                             # e^(-lo) = 1 - lo: |lo| < 1e-13


def _tail_erfc(a):
    """erfc(a) for a >= 4: the continued fraction, and 0 from 27.4 on (below half the smallest subnormal)."""
    out = np.zeros_like(a)
    some = a < _ZERO
    a = a[some]
    t = a.copy()
    for n in range(_LEVELS, 0, -1):
        np.divide(0.5 * n, t, out=t)
        t += a
    out[some] = _exp_neg_square(a) / (_SQRT_PI * t)
    return out


def _flat64(x):
    """(x as a flat float64 array, the result dtype: x's float dtype, or float64)."""
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    return x.astype(np.float64, copy=False).reshape(-1), dtype


def _erf_and_erfc(x, want_erf):
    flat, dtype = _flat64(x)
    a = np.abs(flat)
    j, p = _taylor_part(a)
    tail = np.flatnonzero(a >= _TAIL)
    erfc_tail = _tail_erfc(a[tail])
    erf_a = _ERF0.take(j) + p                                 # erf(|x|)
    erf_a[tail] = 1 - erfc_tail
    if want_erf:
        out = np.copysign(erf_a, flat)
    else:
        out = _ERFC0.take(j) - p                              # erfc(|x|)
        out[tail] = erfc_tail
        out = np.where(flat < 0, 1 + erf_a, out)              # erfc(-a) = 1 + erf(a)
    return out.reshape(np.shape(x)).astype(dtype, copy=False)


def erf_array(x: NDArray[Any]) -> NDArray[Any]:
    """erf of an array: 2/sqrt(pi) times the integral of e^(-t^2) from 0 to x, elementwise (numpy kernel)."""
    return _erf_and_erfc(x, True)


def erfc_array(x: NDArray[Any]) -> NDArray[Any]:
    """erfc = 1 - erf of an array, accurate relative to itself for large x too (numpy kernel)."""
    return _erf_and_erfc(x, False)


def _gauss(x):
    """2/sqrt(pi) e^(-x^2): the derivative of erf, on an ndarray or (recorded) on a Tensor."""
    return (-(x * x)).exp() * _TWO_OVER_SQRT_PI if type(x) is Tensor else np.exp(-(x * x)) * _TWO_OVER_SQRT_PI


def erf(x: TensorLike) -> Tensor:
    """The error function, elementwise: d erf/dx = 2/sqrt(pi) e^(-x^2)."""
    return _unary(x, erf_array, lambda g, out, x: (g * _gauss(x),), "erf")


def erfc(x: TensorLike) -> Tensor:
    """The complementary error function 1 - erf(x), elementwise, without cancellation for large x."""
    return _unary(x, erfc_array, lambda g, out, x: (-g * _gauss(x),), "erfc")
