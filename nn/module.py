"""`Module`: the base of every layer; finds parameters and sub-modules among its attributes.

A parameter is a leaf Tensor that requires grad, a leaf `Value`, or a numpy object array of Values
(a scalar layer's weight grid). A frozen one (a leaf Tensor with requires_grad=False) is no longer
a parameter for optimizers, but it stays in the state: state_dict, save and load keep it.
Discovery (nn/discovery.py) walks every attribute, whatever its name, and the lists, tuples and dicts in
them, in assignment order, naming what it finds by dotted paths (`heads.out.W`, `layers.0.b`); a node
shared by two paths is reported once, under its first name. A module or parameter kept anywhere else
(a set, an object, a closure, ...) and not also discovered is an error, never a silent omission.
"""
from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from autograd import Tensor, Value, no_grad

from . import discovery, serialization

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

    from autograd.hints import Output, PathLike

M = TypeVar("M", bound="Module")

LoadResult = namedtuple("LoadResult", ["missing_keys", "unexpected_keys"])


class _Recorders(threading.local):
    lists: tuple[list[Any], ...] = ()   # the lists record_calls() blocks of this thread are filling


_recorders = _Recorders()


def shape_and_dtype(p: Any) -> tuple[tuple[int, ...], np.dtype[Any]]:
    """(shape, dtype) of a parameter as its state_dict entry has them."""
    if isinstance(p, Tensor):
        return p.shape, p.dtype
    return np.shape(p), np.dtype(np.float64)       # Values hold Python floats


def as_array(out: Output) -> NDArray[Any]:
    """A model's output (a Tensor, a Value, or a nested list of Values) as a numpy array."""
    if isinstance(out, Tensor):
        return out.data
    arr = np.asarray(out, dtype=object)
    return np.array([v.data if isinstance(v, Value) else v for v in arr.flat], dtype=np.float64).reshape(arr.shape)


def _to_array(p):
    if isinstance(p, Tensor):
        return p.data.copy()
    if isinstance(p, Value):
        return np.array(p.data)
    return np.array([v.data for v in p.flat], dtype=np.float64).reshape(p.shape)


def _assign(p, arr):
    """Copy `arr` into parameter `p` in place (the same node objects keep their identity)."""
    with no_grad():                     # versioned changes: graphs built before the load refuse backward
        if isinstance(p, (Tensor, Value)):
            p.copy_(arr if isinstance(p, Tensor) else float(arr))
        else:
            for v, x in zip(p.flat, arr.flat):
                v.copy_(float(x))


class Module:
    """Base class of layers: parameter discovery, train/eval, state_dict; subclasses define `forward`."""

    training = True

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; every Module subclass defines it."""
        raise NotImplementedError(f"{type(self).__name__} must define forward(...)")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        out = self.forward(*args, **kwargs)
        for calls in _recorders.lists:
            calls.append((self, out))
        return out

    @staticmethod
    @contextmanager
    def record_calls() -> Iterator[list[tuple[Module, Any]]]:
        """Within the block, every module call in this thread appends (module, output) to the list it yields."""
        calls: list[tuple[Module, Any]] = []
        _recorders.lists = _recorders.lists + (calls,)
        try:
            yield calls
        finally:
            _recorders.lists = tuple(c for c in _recorders.lists if c is not calls)

    # --- discovery ----------------------------------------------------------------------------
    def _children(self):
        """(name, value) pairs discovery starts from: every attribute in assignment order, then any slots."""
        names = discovery.slots(type(self))
        if not names:
            return vars(self).items()
        return list(vars(self).items()) + [(k, getattr(self, k)) for k in names if hasattr(self, k)]

    def _discover(self):
        """[('module' | 'param', dotted name, node)] in discovery order; raises if something is hidden."""
        found, hidden, seen = discovery.walk(self)
        if hidden:
            discovery.check(self, found, hidden, seen)
        return found

    def named_parameters(self) -> list[tuple[str, Any]]:
        """(dotted name, parameter) pairs, e.g. ('layers.0.W', Tensor), in a deterministic order."""
        return [(n, p) for n, p in self.named_state() if not isinstance(p, Tensor) or p.requires_grad]

    def named_state(self) -> list[tuple[str, Any]]:
        """(dotted name, node) pairs of everything state_dict saves: parameters and frozen leaf Tensors."""
        return [(n, p) for kind, n, p in self._discover() if kind == "param"]

    def parameters(self) -> list[Any]:
        """A flat list of learnable nodes: Tensors, and every single Value of a scalar module."""
        out: list[Any] = []
        for _, p in self.named_parameters():
            if isinstance(p, np.ndarray):
                out.extend(p.flat)
            else:
                out.append(p)
        return out

    def named_modules(self) -> list[tuple[str, Module]]:
        """(dotted name, module) pairs, this module first under the name ''."""
        return [("", self)] + [(n, m) for kind, n, m in self._discover() if kind == "module"]

    def modules(self) -> list[Module]:
        """This module and all its sub-modules."""
        return [m for _, m in self.named_modules()]

    def num_parameters(self) -> int:
        """The number of learnable scalars."""
        return sum(int(np.prod(shape_and_dtype(p)[0])) for _, p in self.named_parameters())

    # --- training state -----------------------------------------------------------------------
    def zero_grad(self) -> None:
        """Forget gradients: Tensor grads become None, Value grads 0.0."""
        for p in self.parameters():
            p.grad = None if isinstance(p, Tensor) else 0.0

    def train(self: M, mode: bool = True) -> M:
        """Set `training` on this module and every sub-module; returns self."""
        for m in self.modules():
            m.training = bool(mode)
        return self

    def eval(self: M) -> M:
        """Evaluation mode (dropout off): `train(False)`."""
        return self.train(False)

    @contextmanager
    def training_mode(self: M, mode: bool) -> Iterator[M]:
        """`train(mode)` for a block; afterwards every module's own flag is back as it was."""
        saved = [(m, m.training) for m in self.modules()]
        self.train(mode)
        try:
            yield self
        finally:
            for m, flag in saved:
                m.training = flag

    @property
    def is_scalar(self) -> bool:
        """True for a model of Value parameters (nn.scalar), False for Tensor ones (or none)."""
        params = self.parameters()
        return bool(params) and isinstance(params[0], Value)

    # --- state --------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, NDArray[Any]]:
        """{name: ndarray copy} of every parameter, frozen ones included."""
        return {name: _to_array(p) for name, p in self.named_state()}

    def load_state_dict(self, state_dict: Mapping[str, ArrayLike], strict: bool = True) -> LoadResult:
        """Copy arrays into the parameters in place; checks everything before changing anything."""
        params = dict(self.named_state())
        missing = [k for k in params if k not in state_dict]
        unexpected = [k for k in state_dict if k not in params]
        if strict and (missing or unexpected):
            raise StateDictKeyError(_key_error(type(self).__name__, missing, unexpected))
        arrays = {}
        for name, p in params.items():
            if name in state_dict:
                arrays[name] = _checked(name, p, state_dict[name])
        for name, arr in arrays.items():
            _assign(params[name], arr)
        return LoadResult(missing, unexpected)

    def save(self, path: PathLike, overwrite: bool = False) -> None:
        """Write the state_dict to `path` as .npz; an existing file is kept unless overwrite=True."""
        serialization.save(self.state_dict(), path, overwrite=overwrite)

    # --- display ------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The arguments shown inside this module's repr parentheses."""
        return ""

    def __repr__(self) -> str:
        children = [(n, v) for kind, n, v in discovery.walk(self, deep=False)[0] if kind == "module"]
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not children:
            return head + ")"
        lines = [head]
        for name, m in children:
            body = repr(m).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        return "\n".join(lines) + "\n)"


class StateDictKeyError(KeyError):
    """A missing or unexpected state_dict key (its message prints without KeyError's repr quotes)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _key_error(cls, missing, unexpected):
    parts = []
    if missing:
        parts.append(f"missing keys {missing}")
    if unexpected:
        parts.append(f"unexpected keys {unexpected}")
    return (f"load_state_dict into {cls}: " + " and ".join(parts) +
            "; pass strict=False to load only the keys both have.")


def _checked(name, p, value):
    """`value` as an array fit for parameter `p`, or a ValueError naming the key, shapes and dtypes."""
    shape, dtype = shape_and_dtype(p)
    arr = value.data if isinstance(value, Tensor) else np.asarray(value)
    if arr.shape != shape:
        raise ValueError(f"load_state_dict: '{name}' has shape {arr.shape} in the state_dict but the "
                         f"parameter has shape {shape}")
    if arr.dtype != dtype:
        raise ValueError(f"load_state_dict: '{name}' has dtype {arr.dtype} in the state_dict but the "
                         f"parameter has dtype {dtype} (shape {shape}); cast it with .astype(np.{dtype})")
    return arr
