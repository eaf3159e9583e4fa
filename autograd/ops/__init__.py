"""Tensor primitives by kind; importing this package attaches them to `Tensor` as methods."""
from . import elementwise, reductions, shape, linalg, inplace, fused  # noqa: F401
