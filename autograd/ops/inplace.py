"""In-place updates (`+=`, `add_`, `copy_`, item assignment ...), with PyTorch's semantics.

Every in-place change writes into the tensor's own memory, so views and other names of it see the
new values, and advances the in-place clock (`engine.tick`). What else happens depends on the case:

- Nothing involved needs a gradient (grad mode off, or neither the tensor nor any operand requires
  grad): the data changes, nothing is recorded. This is how optimizers update parameters under
  `no_grad()`. Memory a graph saved for backward is read-only and refused here.
- Grad mode on and the tensor or an operand requires grad: the change is *recorded*. The tensor's
  old state moves to a snapshot node, the tensor becomes the node `op(snapshot, operand)`, and its
  gradient flows to the snapshot and the operand (`X += W` on a buffer X makes X depend on W).
  Through a view `v = base[...]` the change is recorded on the base (its other elements pass the
  gradient through unchanged) and `v` is re-derived from it.
- Refused with an error saying what to write instead: a leaf that requires grad, or a view of one,
  in grad mode (do updates under `no_grad()`); a tensor sharing memory without being a view of it
  (`detach()`, `broadcast_to`); item assignment whose index repeats an element that a gradient
  flows to.

Ops recorded before a change that read the old value fail at backward() with an error naming the
change (the version check in engine.py), because their input is now a different value.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine import graph_lock
from ..grad_mode import _state
from ..tensor import Tensor, _index_data, _new
from .shape import views_of

if TYPE_CHECKING:
    from ..hints import TensorLike

_lift = Tensor._lift


def _records(self, operands):
    """True when the change must be recorded: grad mode on and a tensor involved requires grad."""
    return _state.enabled and (self.requires_grad or any(isinstance(o, Tensor) and o.requires_grad
                                                         for o in operands))


def _modify(self, what, operands, apply, compute):
    """The in-place change `what`: `apply(data)` on raw memory when nothing is recorded, else the
    out-of-place `compute(old, *operands)` recorded in self's place. Returns self.

    It holds the engine's lock: a backward pass running in another thread finishes first."""
    with graph_lock:
        if _records(self, operands):
            return _record(self, what, operands, compute)
        if _state.enabled:
            _check_leaf(self, _root(self), what)    # a view made under no_grad of a parameter, say
        apply(_writable(self, what))
        self._bump(what)
        return self


def _writable(self, what):
    """self's memory, which an unrecorded in-place change may write into, or the error saying why not."""
    data = self.data
    if not data.flags.writeable:
        raise RuntimeError(f"{what}: this tensor's memory (from '{self._op or 'a view'}', shape {self.shape}) is "
                           "read-only: a graph saved it for backward, or it is a broadcast view. Work on a copy "
                           "(t = t.detach() * 1) or use the out-of-place form (t = t + y).")
    return data


def _root(t):
    """The tensor owning t's memory: t itself, or the base t is a view of."""
    return t if t._view is None else t._view[0]


def _derive(t, base):
    """t, a view of `base`, computed again from `base` (an ndarray or a Tensor) by its chain of view steps."""
    steps, link = [], t._view
    while link is not None:                 # (base, previous link, step): walk to the base, then apply
        steps.append(link[2])
        link = link[1]
    for step in reversed(steps):
        base = step(base)
    return base


def _record(self, what, operands, compute):
    base = _root(self)
    _check_recordable(self, base, what)
    old = _snapshot(base)
    operands = [_before(o, base, old, what) for o in operands]
    if base is self:
        new = compute(old, *operands)
    else:                                   # write through the view: base's other elements stay as they were
        region = _derive(self, old)
        new = _put(old, _derive(self, _positions(base.shape)), _fit(compute(region, *operands), region, what), what)
    _take_over(base, _fit(new, base, what), what)
    for v in views_of(base):                # every view of base (self too) now reads the new value
        fresh = _derive(v, base)
        _take_graph(v, fresh)
        v.data = fresh.data
    return self


def _before(o, base, old, what):
    """Operand `o` as it was before the change: base itself, or a view of it, is read from the snapshot
    (so `h += h` is 2h, and the graph gets no cycle)."""
    if not isinstance(o, Tensor):
        return o
    if o is base:
        return old
    if base._vcell is None or o._vcell is not base._vcell:
        return o
    if o._view is not None and o._view[0] is base:
        return _derive(o, old)
    raise RuntimeError(f"{what}: an operand (shape {o.shape}) shares memory with the tensor being changed without "
                       "being a view of it; copy it first (y = y.detach() * 1).")


def _check_leaf(self, base, what):
    if base.requires_grad and base.is_leaf:
        of = "a view of a leaf" if base is not self else "a leaf"
        raise RuntimeError(
            f"{what} on {of} tensor that requires grad (shape {base.shape}) would hide the change from "
            "autograd; do parameter updates inside `with autograd.no_grad():`, or use an out-of-place op.")
    if base._guarded:
        raise RuntimeError(
            f"{what} on the argument (shape {base.shape}) of a function autograd.grad is differentiating would "
            "change what it differentiates with respect to; use an out-of-place op (y = y * 2).")


def _check_recordable(self, base, what):
    if self._alias and not base._alias and self._view is not None:
        raise RuntimeError(f"{what} on a broadcast view (shape {self.shape}): its elements repeat, so there is no "
                           "single place to write; use the out-of-place form (t = t + y).")
    _check_leaf(self, base, what)
    if base._alias:
        raise RuntimeError(
            f"{what}: this tensor (shape {self.shape}) shares memory with another tensor without being a view of "
            "it (detach() or broadcast_to), so autograd cannot record a change the other one would see. Copy "
            "it first (t = t.detach() * 1), or use the out-of-place form (t = t + y).")


def _snapshot(t):
    """A new node holding t's current value (a copy) and t's place in the graph."""
    s = _new(Tensor)
    s.data = np.array(t.data)
    if t.requires_grad:
        s.data.setflags(write=False)
    s.grad, s.requires_grad, s._mark = None, t.requires_grad, None
    s._parents, s._vjp, s._op, s._epoch = t._parents, t._vjp, t._op, t._epoch
    if t.label:
        s.label = t.label
    return s


def _take_graph(t, new):
    """Make t the node `new` (same value): its parents, vjp and op."""
    t.requires_grad, t._mark = new.requires_grad, None
    t._parents, t._vjp, t._op, t._epoch = new._parents, new._vjp, new._op, new._epoch


def _take_over(base, new, what):
    """Write `new`'s value into base's own memory and make base the node `new`."""
    data = base.data
    if not data.flags.writeable:            # read-only because a graph saved it: the snapshot keeps the old value
        try:
            if base.is_leaf:                # a leaf's read-only memory is the caller's (from_numpy): not ours to open
                raise ValueError
            data.setflags(write=True)
        except ValueError:
            raise RuntimeError(f"{what}: this tensor's memory (shape {base.shape}) is a read-only array "
                               "autograd does not own; copy it first (t = t.detach() * 1).") from None
    data[...] = new.data
    if new.requires_grad:
        data.setflags(write=False)
    _take_graph(base, new)
    base._op = what                         # named after what the user wrote (errors, drawings)
    base._bump(what)


def _fit(new, like, what):
    """`new`, checked to fit in place of `like`: the same shape, a dtype `like` can hold."""
    if new.shape != like.shape:
        raise ValueError(f"{what}: the result has shape {new.shape} but the tensor changed in place has shape "
                         f"{like.shape}; an in-place op cannot change a shape. Use the out-of-place form.")
    if not np.can_cast(new.dtype, like.dtype, "same_kind"):
        raise TypeError(f"{what}: a {new.dtype} result cannot be stored in place into a {like.dtype} tensor; "
                        "use the out-of-place form, or cast first with .astype().")
    return new


def _positions(shape):
    """The flat (C-order) position of every element of an array of `shape`."""
    return np.arange(int(np.prod(shape)), dtype=np.intp).reshape(shape)


def _put(base, pos, value, what):
    """A copy of `base` with the elements at flat positions `pos` replaced by `value` (broadcast)."""
    value = _lift(value, base)
    if value.requires_grad and base.dtype.kind != "f":
        raise TypeError(f"{what}: a value that needs a gradient cannot be stored into a {base.dtype} tensor (it would "
                        "be truncated); cast the tensor first (t = t.astype(np.float64)).")
    try:
        v = np.broadcast_to(value.data, pos.shape)
    except ValueError:
        raise ValueError(f"{what}: a value of shape {value.shape} cannot be broadcast to the {pos.shape} "
                         "elements it replaces") from None
    flat = pos.reshape(-1)
    if value.requires_grad and _state.enabled and np.unique(flat).size != flat.size:
        raise ValueError(f"{what}: the index repeats an element, so which write wins (and gets the gradient) is "
                         "undefined; use an index without repeats, or index_add-style accumulation "
                         "(t = t + zeros-with-values).")
    out = np.array(base.data, order="C")     # C order: reshape(-1) below is a view, not a copy
    out.reshape(-1)[flat] = v.reshape(-1)
    keep = np.ones(out.size, bool)
    keep[flat] = False
    keep, shape = keep.reshape(out.shape), pos.shape

    def vjp(g, out, b, val):                # replaced elements pass nothing to base, all of g to value
        return g * keep, g.reshape(-1)[flat].reshape(shape)
    return Tensor._make(out, (base, value), vjp, what)


# --- the in-place operations ---------------------------------------------------------------------
def _arith(ufunc, other):
    raw = other.data if isinstance(other, Tensor) else other
    return lambda data: ufunc(data, raw, out=data, casting="same_kind")


def _operator(ufunc, symbol, method):
    def op(self, other):
        if _state.enabled:
            return _modify(self, symbol, (other,), _arith(ufunc, other), method)
        raw = other.data if isinstance(other, Tensor) else other
        with graph_lock:                # no_grad (an optimizer's update): _modify's unrecorded branch, written
            data = _writable(self, symbol)      # out (2.9 -> 1.2 us per parameter update)
            ufunc(data, raw, out=data)          # (numpy's default casting for out= is "same_kind")
            self._bump(symbol)
        return self
    op.__doc__ = f"self {symbol} other, in place."
    return op


iadd = _operator(np.add, "+=", lambda x, y: x + y)
isub = _operator(np.subtract, "-=", lambda x, y: x - y)
imul = _operator(np.multiply, "*=", lambda x, y: x * y)
itruediv = _operator(np.divide, "/=", lambda x, y: x / y)


def setitem(self: Tensor, index: Any, value: TensorLike) -> None:
    """self[index] = value, in place."""
    index = _index_data(index)

    def apply(data):
        data[index] = value.data if isinstance(value, Tensor) else value
    _modify(self, "item assignment", (value,), apply,
            lambda x, v: _put(x, _positions(x.shape)[index], v, "item assignment"))


def add_(self: Tensor, other: TensorLike, alpha: float = 1.0) -> Tensor:
    """self += alpha * other, in place."""
    if alpha != 1.0:
        other = other * alpha if isinstance(other, Tensor) else np.multiply(other, alpha)
    return _modify(self, "add_", (other,), _arith(np.add, other), lambda x, y: x + y)


def sub_(self: Tensor, other: TensorLike) -> Tensor:
    """self -= other, in place."""
    return _modify(self, "sub_", (other,), _arith(np.subtract, other), lambda x, y: x - y)


def mul_(self: Tensor, other: TensorLike) -> Tensor:
    """self *= other, in place."""
    return _modify(self, "mul_", (other,), _arith(np.multiply, other), lambda x, y: x * y)


def div_(self: Tensor, other: TensorLike) -> Tensor:
    """self /= other, in place."""
    return _modify(self, "div_", (other,), _arith(np.divide, other), lambda x, y: x / y)


def copy_(self: Tensor, src: TensorLike) -> Tensor:
    """Copy `src` (broadcastable) into this tensor, in place."""
    def apply(data):
        data[...] = src.data if isinstance(src, Tensor) else src
    return _modify(self, "copy_", (src,), apply, lambda x, s: _put(x, _positions(x.shape), s, "copy_"))


def fill_(self: Tensor, value: TensorLike) -> Tensor:
    """Fill with `value` (a number, or a one-element tensor), in place."""
    if isinstance(value, Tensor) and value.size != 1:
        raise ValueError(f"fill_ takes a number or a one-element tensor, got a tensor of shape {value.shape}; "
                         "use copy_ to copy a tensor of values")
    return self.copy_(value) if isinstance(value, Tensor) else _modify(
        self, "fill_", (), lambda data: data.fill(value), lambda x: _put(x, _positions(x.shape), value, "fill_"))


def zero_(self: Tensor) -> Tensor:
    """Fill with zeros, in place."""
    return self.fill_(0)
