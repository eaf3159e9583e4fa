"""Matrix product for 1-d, 2-d and batched operands, with numpy's `matmul` rules."""
from ..tensor import Tensor
from .elementwise import _pair

_make = Tensor._make


def _check(a, b):
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: operands must have at least one dimension, got shapes {a.shape} and "
                         f"{b.shape}; use * to scale by a scalar")
    k_a, k_b = a.shape[-1], b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k_a != k_b:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied: "
                         f"inner dimensions {k_a} != {k_b}")


def matmul(a, b):
    """Matrix product a @ b (batch dimensions broadcast)."""
    a, b = _pair(a, b)
    _check(a, b)
    try:
        out = a.data @ b.data
    except ValueError:
        raise ValueError(f"matmul: batch dimensions of shapes {a.shape} and {b.shape} cannot be "
                         "broadcast together") from None
    need_a, need_b = a.requires_grad, b.requires_grad
    vec_a, vec_b = a.ndim == 1, b.ndim == 1

    def vjp(g, out, x, w):
        if vec_a and vec_b:                       # inner product: out = sum x w
            return (g * w if need_a else None), (g * x if need_b else None)
        if vec_a:                                 # x is a row vector (1, k); g gains the 1
            x = x.reshape(1, -1)
            g = g.reshape(g.shape[:-1] + (1, g.shape[-1]))
        if vec_b:                                 # w is a column vector (k, 1)
            w = w.reshape(-1, 1)
            g = g.reshape(g.shape + (1,))
        ga = g @ w.swapaxes(-1, -2) if need_a else None     # (..., n, k)
        gb = x.swapaxes(-1, -2) @ g if need_b else None     # (..., k, m)
        if vec_a and ga is not None:
            ga = ga[..., 0, :]
        if vec_b and gb is not None:
            gb = gb[..., 0]
        return ga, gb
    return _make(out, (a, b), vjp, "matmul")

