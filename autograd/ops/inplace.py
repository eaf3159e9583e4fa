"""In-place updates: what optimizers use under `no_grad()`.

A leaf that requires grad may only change in place with grad mode off; a graph node cannot
change at all (its array is read-only: the graph saved it). Each change advances the in-place
clock, so a backward through an op that saw the old value refuses to run.
"""
import numpy as np

from .. import engine
from ..grad_mode import _state
from ..tensor import Tensor, tensor_method, _index_data


def _inplace(self, what):
    """The data to modify in place, after checking that autograd allows it; advances the clock."""
    if self.requires_grad and _state.enabled:
        if self.is_leaf:
            raise RuntimeError(
                f"{what} on a leaf tensor that requires grad (shape {self.shape}) would hide the change "
                "from autograd; do parameter updates inside `with autograd.no_grad():`.")
        raise RuntimeError(f"{what} on a tensor produced by '{self._op}' is not supported: "
                           "use the out-of-place form (x = x + y).")
    if not self.data.flags.writeable:
        raise RuntimeError(f"{what}: this tensor's data (from '{self._op or 'a view'}') was saved by a graph "
                           "for backward and is read-only; copy it first (t = t.detach() * 1).")
    self._version = engine.tick()
    return self.data

def _inplace_op(self, other, fn, what):
    """self op= other in place; on a graph node Python falls back to the out-of-place operator."""
    if self.requires_grad and _state.enabled and not self.is_leaf:
        return NotImplemented            # `h += 1` rebinds h to a new node, as autograd needs
    return _apply(self, other, fn, what)


def _apply(self, other, fn, what):
    data = _inplace(self, what)
    fn(data, other.data if isinstance(other, Tensor) else other, out=data, casting="same_kind")
    return self


for _name, _ufunc, _symbol in (("iadd", np.add, "+="), ("isub", np.subtract, "-="),
                               ("imul", np.multiply, "*="), ("itruediv", np.divide, "/=")):
    setattr(Tensor, f"__{_name}__",
            lambda self, other, _u=_ufunc, _s=_symbol: _inplace_op(self, other, _u, _s))


@tensor_method
def __setitem__(self, index, value):
    data = _inplace(self, "item assignment")
    data[_index_data(index)] = value.data if isinstance(value, Tensor) else value


@tensor_method
def add_(self, other, alpha=1.0):
    """self += alpha * other, in place."""
    if alpha != 1.0:
        other = np.multiply(other.data if isinstance(other, Tensor) else other, alpha)
    return _apply(self, other, np.add, "add_")


@tensor_method
def mul_(self, other):
    """self *= other, in place."""
    return _apply(self, other, np.multiply, "mul_")


@tensor_method
def zero_(self):
    """Fill with zeros, in place."""
    _inplace(self, "zero_")[...] = 0
    return self


@tensor_method
def fill_(self, value):
    """Fill with `value`, in place."""
    _inplace(self, "fill_")[...] = value
    return self


@tensor_method
def copy_(self, src):
    """Copy `src` (broadcastable) into this tensor, in place."""
    _inplace(self, "copy_")[...] = src.data if isinstance(src, Tensor) else src
    return self
