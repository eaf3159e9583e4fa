"""Factories for leaf Tensors (PyTorch names: tensor, zeros, ones, arange, linspace, eye, full, rand, randn,
randint, from_numpy, and the *_like forms).

dtypes default as in numpy: float64 for floating results (PyTorch defaults to float32), int64 for integer
ones (arange of ints, full with an int, randint; PyTorch the same). Shapes are `*shape` or one tuple:
`zeros(2, 3)` is `zeros((2, 3))`; `full` and `randint` take the shape as one argument, as numpy and PyTorch do.
`requires_grad=True` follows `Tensor()`: an integer or bool result becomes float64 (a gradient needs a float).
`rand`, `randn` and `randint` draw from `rng` (a seed or a Generator) or, without one, from the global
generator that `autograd.manual_seed` seeds (autograd/random.py).
"""
from __future__ import annotations

import numbers
from typing import TYPE_CHECKING

import numpy as np

from .random import default_rng
from .tensor import Tensor, _init_leaf, _raw, _NUMERIC

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike

    from .hints import Seed, Shape, TensorLike

_new = object.__new__


def tensor(data: TensorLike, requires_grad: bool = False, dtype: DTypeLike | None = None, label: str = "", *,
           device: str | None = None) -> Tensor:
    """A new leaf Tensor holding a copy of `data`."""
    _check_device(device, "tensor")
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, label=label)


def from_numpy(array: ArrayLike, requires_grad: bool = False) -> Tensor:
    """A leaf Tensor that shares `array`'s memory (no copy).

    Writes into `array` change the tensor too and, like writes into `.data`, are not seen by autograd:
    do not write into it while a graph that used the tensor may still be differentiated."""
    array = np.asarray(array)
    if array.dtype.kind not in _NUMERIC or (requires_grad and array.dtype.kind != "f"):
        raise TypeError(f"from_numpy needs a numeric array (a float one for requires_grad), got {array.dtype}")
    t = _new(Tensor)
    _init_leaf(t, array, bool(requires_grad), "")
    return t


def _check_device(device, op):
    """PyTorch's device=: the CPU (numpy) is the only device; anything else is refused by name."""
    if device is not None and str(device) != "cpu":
        raise ValueError(f"{op}: device={device!r}: graphgrad computes on the CPU with numpy; use device='cpu' "
                         "(or leave it out)")


def _leaf(arr, requires_grad, op):
    """A leaf owning the fresh array `arr` (no copy), with Tensor()'s dtype rules."""
    if arr.dtype.kind not in _NUMERIC:
        raise TypeError(f"{op}: dtype {arr.dtype} is not numeric; use a bool, integer or float dtype")
    if requires_grad and arr.dtype.kind != "f":
        arr = arr.astype(np.float64)             # as Tensor(): a gradient needs a float
    t = _new(Tensor)
    _init_leaf(t, arr, bool(requires_grad), "")
    return t


def _shape_arg(shape):
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape


# --- constants ------------------------------------------------------------------------------------
def zeros(*shape: Shape, dtype: DTypeLike = np.float64, requires_grad: bool = False,
          device: str | None = None) -> Tensor:
    """A leaf of zeros."""
    _check_device(device, "zeros")
    return _leaf(np.zeros(_shape_arg(shape), dtype), requires_grad, "zeros")


def ones(*shape: Shape, dtype: DTypeLike = np.float64, requires_grad: bool = False,
         device: str | None = None) -> Tensor:
    """A leaf of ones."""
    _check_device(device, "ones")
    return _leaf(np.ones(_shape_arg(shape), dtype), requires_grad, "ones")


def zeros_like(t: TensorLike, dtype: DTypeLike | None = None, requires_grad: bool = False, *,
               device: str | None = None) -> Tensor:
    """Zeros with `t`'s shape and (unless `dtype` is given) its dtype."""
    _check_device(device, "zeros_like")
    return _leaf(np.zeros_like(np.asarray(_raw(t)), dtype), requires_grad, "zeros_like")


def ones_like(t: TensorLike, dtype: DTypeLike | None = None, requires_grad: bool = False, *,
              device: str | None = None) -> Tensor:
    """Ones with `t`'s shape and (unless `dtype` is given) its dtype."""
    _check_device(device, "ones_like")
    return _leaf(np.ones_like(np.asarray(_raw(t)), dtype), requires_grad, "ones_like")


def full(shape: Shape, fill_value: TensorLike, dtype: DTypeLike | None = None, requires_grad: bool = False, *,
         device: str | None = None) -> Tensor:
    """A leaf of `shape` (an int or a tuple) filled with `fill_value`; dtype from the value unless given."""
    _check_device(device, "full")
    return _leaf(_filled(lambda v: np.full(shape, v, dtype), fill_value, "full"), requires_grad, "full")


def full_like(t: TensorLike, fill_value: TensorLike, dtype: DTypeLike | None = None, requires_grad: bool = False,
              *, device: str | None = None) -> Tensor:
    """`fill_value` with `t`'s shape and (unless `dtype` is given) its dtype."""
    _check_device(device, "full_like")
    like = np.asarray(_raw(t))
    return _leaf(_filled(lambda v: np.full_like(like, v, dtype), fill_value, "full_like"), requires_grad, "full_like")


def _filled(make, fill_value, op):
    """make(value), or an error if an integer or bool dtype changes the value (numpy truncates 2.5 to 2)."""
    v = np.asarray(_raw(fill_value))
    try:
        with np.errstate(invalid="ignore", over="ignore"):
            arr = make(v)
        if arr.dtype.kind not in "biu" or np.all(arr == v):
            return arr
        why = f"dtype {arr.dtype} cannot hold it exactly (numpy would silently cast it)"
    except OverflowError as e:
        why = str(e)
    raise ValueError(f"{op}: fill value {v.tolist()!r} does not fit: {why}; pass a float dtype or a value of the dtype")


def eye(n: int, m: int | None = None, k: int = 0, dtype: DTypeLike = np.float64, requires_grad: bool = False, *,
        device: str | None = None) -> Tensor:
    """An n x m leaf (m = n by default) with ones on diagonal k (0: the main one) and zeros elsewhere."""
    _check_device(device, "eye")
    return _leaf(np.eye(n, m, k, dtype), requires_grad, "eye")


# --- ranges ---------------------------------------------------------------------------------------
def arange(start: float, stop: float | None = None, step: float = 1, dtype: DTypeLike | None = None,
           requires_grad: bool = False, *, device: str | None = None) -> Tensor:
    """Evenly spaced values in [start, stop) (one argument: [0, start)), numpy's rule for floats."""
    _check_device(device, "arange")
    if step == 0:
        raise ValueError(f"arange: step must not be 0 (start={start}, stop={stop})")
    try:
        arr = np.arange(start, stop, step, dtype=dtype)
    except ValueError as e:
        raise ValueError(f"arange(start={start}, stop={stop}, step={step}): {e}; use finite numbers") from None
    return _leaf(arr, requires_grad, "arange")


def linspace(start: float, stop: float, num: int = 50, endpoint: bool = True, dtype: DTypeLike | None = None,
             requires_grad: bool = False, *, steps: int | None = None, device: str | None = None) -> Tensor:
    """`num` (PyTorch: `steps`) evenly spaced values from start to stop (stop included unless endpoint=False)."""
    _check_device(device, "linspace")
    if steps is not None:
        if num != 50:
            raise TypeError(f"linspace: got both num={num!r} and steps={steps!r}; they are the same argument")
        num = steps
    if isinstance(num, bool) or not isinstance(num, numbers.Integral) or num < 0:
        raise ValueError(f"linspace: the number of values must be an int >= 0, got {num!r}")
    return _leaf(np.linspace(start, stop, num, endpoint, dtype=dtype), requires_grad, "linspace")


# --- random: from `rng`, or the global generator (autograd.manual_seed) ------------------------------
def rand(*shape: Shape, dtype: DTypeLike = np.float64, requires_grad: bool = False, rng: Seed = None,
         device: str | None = None) -> Tensor:
    """Uniform samples in [0, 1) (float32 or float64, drawn natively in that dtype so 1.0 never occurs)."""
    _check_device(device, "rand")
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"rand: dtype must be float32 or float64, got {dtype}; cast the result with .astype")
    data = default_rng(rng).random(_shape_arg(shape), dtype)     # type: ignore[arg-type]  # checked: float32/64
    return _leaf(data, requires_grad, "rand")


def randn(*shape: Shape, dtype: DTypeLike = np.float64, requires_grad: bool = False, rng: Seed = None,
          device: str | None = None) -> Tensor:
    """Standard-normal samples (drawn in float64, then cast to a float `dtype`)."""
    _check_device(device, "randn")
    if np.dtype(dtype).kind != "f":
        raise TypeError(f"randn: dtype must be a float dtype, got {np.dtype(dtype)}; for integers use randint")
    data = default_rng(rng).standard_normal(_shape_arg(shape)).astype(dtype, copy=False)
    return _leaf(data, requires_grad, "randn")


def randint(low: int, high: int | None = None, size: Shape | None = None, dtype: DTypeLike = np.int64,
            requires_grad: bool = False, rng: Seed = None, *, device: str | None = None) -> Tensor:
    """Uniform integers in [low, high) (one bound: [0, low)); PyTorch's randint(high, size) works too."""
    _check_device(device, "randint")
    if isinstance(high, (tuple, list)):                 # randint(10, (3,)): PyTorch's (high, size)
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    for name, v in (("low", low), ("high", high)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"randint: {name} must be an int, got {v!r}")
    if low >= high:
        raise ValueError(f"randint: needs low < high (values are drawn from [low, high)), got low={low}, high={high}")
    if np.dtype(dtype).kind not in "iu":
        raise TypeError(f"randint: dtype must be an integer dtype, got {np.dtype(dtype)}; cast with .astype")
    try:
        arr = default_rng(rng).integers(low, high, size, dtype=dtype)
    except ValueError as e:
        raise ValueError(f"randint(low={low}, high={high}, dtype={np.dtype(dtype)}): {e}") from None
    return _leaf(np.asarray(arr), requires_grad, "randint")
