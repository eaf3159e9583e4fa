"""`Tensor`: an n-dimensional node holding a numpy array, on the shared engine.

This file is the index of the Tensor API: every method is one line in the class body naming the
function that computes it; the math and the vjp of each op live side by side in `autograd/ops/`
(elementwise, reductions, shape, indexing, layout, linalg, inplace), one hop away.
Rules that keep gradients honest:
- `Tensor(data)` copies `data` (like `torch.tensor`); `from_numpy` shares memory on purpose.
- integer or bool data asked to `requires_grad=True` becomes float64 (a gradient needs a float);
  other non-numeric data is refused.
- arrays produced by recorded ops are read-only, and in-place methods on leaves bump a version
  counter that backward() checks, so a value saved for backward cannot change silently.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import engine
from .engine import clock as _clock
from .grad_mode import _state

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike, NDArray

    from .hints import Axis, Number, Shape, TensorLike

_new = object.__new__
_NUMERIC = "biuf"
_FRESH = (float, int, bool, list, tuple)    # np.asarray of these makes a new array: nothing to copy


class Tensor:
    """An n-d array that records the operations applied to it, so `backward()` can fill `.grad`."""

    # hot attributes in slots; rarely-set ones are class defaults stored per instance only when set
    __slots__ = ("data", "grad", "requires_grad", "_parents", "_vjp", "_op", "_epoch",
                 "_mark", "_pending", "_g", "__dict__", "__weakref__")   # the last three: engine.py
    __array_ufunc__ = None          # numpy defers to our reflected operators (ndarray * t)
    label = ""                      # a name for drawings and error messages
    _vcell = None                   # [time, op] of the last in-place change, shared with views and detach()
    _view = None                    # (base, source's _view, step) when this tensor views base's memory
    _views: list[Any] | None = None  # weak references to the tensors viewing this one's memory (ops/shape.py)
    _alias = False                  # shares memory with another tensor but is not a view of it (detach, broadcast_to)
    _guarded = False                # an argument autograd.grad differentiates with respect to: no in-place changes
    _retain = False                 # keep .grad of this non-leaf after backward (retain_grad)
    data: NDArray[Any]
    grad: Any                       # an ndarray (a Tensor after backward(create_graph=True)); None before backward
    requires_grad: bool
    _parents: tuple[Tensor, ...]
    _vjp: Callable[..., Any] | None
    _op: str
    _epoch: int | None
    _mark: Any

    def __init__(self, data: TensorLike, requires_grad: bool = False, dtype: DTypeLike | None = None,
                 label: str = "") -> None:
        if isinstance(data, Tensor):
            data = data.data
        arr = np.array(data, dtype=dtype)
        if arr.dtype.kind not in _NUMERIC:
            raise TypeError(f"Tensor data must be bool, integer or float; got dtype {arr.dtype} "
                            f"(from {type(data).__name__}). Convert it with np.asarray(data, dtype=float).")
        if requires_grad and arr.dtype.kind != "f":
            arr = arr.astype(np.float64)     # documented: a gradient needs a float dtype
        _init_leaf(self, arr, bool(requires_grad), label)

    # --- graph construction -------------------------------------------------------------------
    @staticmethod
    def _make(data: Any, parents: tuple[Tensor, ...], vjp: Callable[..., Any] | None, op: str) -> Tensor:
        """The result of an op: records parents and vjp when grad mode is on and an input needs grad."""
        if type(data) is not np.ndarray:
            data = np.asarray(data)
        out = _new(Tensor)
        out.data = data
        out.grad = None
        out._op = op
        out._mark = None
        if _state.enabled:
            for p in parents:
                if p.requires_grad:
                    data.setflags(False)     # write=False (positional: half the cost); saved for backward: no
                                             # silent in-place edits
                    out.requires_grad = True
                    out._parents = parents
                    out._vjp = vjp
                    out._epoch = _clock[0]
                    return out
        out.requires_grad = False
        out._parents = ()
        out._vjp = None
        out._epoch = None
        return out

    @staticmethod
    def _lift(x: TensorLike, like: Tensor | None = None, keep: bool | None = None) -> Tensor:
        """An operand as a Tensor; a Python scalar takes `like`'s float dtype, as numpy does.

        An array operand of an op that may be recorded is copied: the caller can still write into
        their array (a reused batch buffer), and backward must see the values the forward used."""
        if isinstance(x, Tensor):
            return x
        if like is not None and type(x) in (float, int, bool) and (dtype := like.data.dtype).kind == "f":
            arr = np.array(x, dtype)
        else:
            if keep is None:                # copy when the op may be recorded: grad mode on and like needs grad
                keep = _state.enabled and (like is None or like.requires_grad)
            kept = keep and not isinstance(x, _FRESH)
            arr = np.array(x) if kept else np.asarray(x)
            if arr.dtype.kind not in _NUMERIC:
                raise TypeError(f"cannot use {type(x).__name__} of dtype {arr.dtype} as a Tensor operand")
        t = _new(Tensor)
        _init_leaf(t, arr, False, "")
        return t

    # --- in-place version: one cell per block of memory, shared by the tensors that view it -----
    @property
    def _version(self):
        """In-place clock time of the last in-place change to this tensor's memory (0: never)."""
        cell = self._vcell
        return 0 if cell is None else cell[0]

    @property
    def _changed_by(self):
        """The in-place op that last changed this tensor's memory ("" if none)."""
        cell = self._vcell
        return "" if cell is None else cell[1]

    def _bump(self, op):
        """Record an in-place change made by `op` to this tensor's memory: advance the clock."""
        cell = self._vcell
        if cell is None:
            cell = self._vcell = [0, ""]
        cell[0], cell[1] = engine.tick(), op

    def _shares_version_with(self, source):
        """Make this tensor (a view of `source`'s memory) see `source`'s in-place changes, and vice versa."""
        cell = source._vcell
        if cell is None:
            cell = source._vcell = [0, ""]
        self._vcell = cell
        return self

    # --- properties ---------------------------------------------------------------------------
    shape = property(lambda self: self.data.shape, doc="Tuple of dimensions.")
    ndim = property(lambda self: self.data.ndim, doc="Number of dimensions.")
    size = property(lambda self: self.data.size, doc="Number of elements (numpy's; PyTorch's size() is .shape).")
    dtype = property(lambda self: self.data.dtype, doc="numpy dtype of the data.")
    is_leaf = property(lambda self: self._vjp is None,
                       doc="True for a tensor no recorded op produced (inputs, parameters, constants).")

    def item(self) -> Number:
        """The single element as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return self.data.item()

    def numel(self) -> int:
        """Number of elements (PyTorch's name for numpy's `size`)."""
        return self.data.size

    def dim(self) -> int:
        """Number of dimensions (PyTorch's name for numpy's `ndim`)."""
        return self.data.ndim

    def numpy(self) -> NDArray[Any]:
        """The data as an ndarray sharing memory. Read-only for a tensor that requires grad (PyTorch refuses
        numpy() there) or that shares another tensor's memory (detach(), broadcast_to): writes there would
        bypass autograd. Copy it (t.numpy().copy()) to get an array of your own."""
        return _readonly(self.data) if self.requires_grad or self._alias else self.data

    def tolist(self) -> Any:
        """The data as nested Python lists."""
        return self.data.tolist()

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, cut from the graph."""
        t = _new(Tensor)
        _init_leaf(t, self.data, False, self.label)
        t._alias = True                         # its memory is self's: a recorded in-place edit is refused
        return t._shares_version_with(self)     # an in-place edit of one is an edit of both

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set `requires_grad` on a leaf in place; returns self."""
        if not self.is_leaf:
            raise RuntimeError(f"requires_grad_() works on leaves only; this tensor comes from '{self._op}'. "
                               "Use .detach().requires_grad_() for a new leaf.")
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"requires_grad needs a float tensor, this one is {self.dtype}; use .astype(float)")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in `.grad` after backward()."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad() on a tensor that does not require grad")
        self._retain = True

    # --- backward -----------------------------------------------------------------------------
    def backward(self, gradient: TensorLike | None = None, retain_graph: bool | None = None,
                 create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's `.grad` (seeded by `gradient` for non-scalars)."""
        if not self.requires_grad:
            raise RuntimeError(
                f"backward() on a tensor that does not require grad (shape {self.shape}, op '{self._op or 'leaf'}'): "
                "no input was created with requires_grad=True, or it was computed under no_grad().")
        seed: NDArray[Any] | Tensor
        data = self.data
        if gradient is None:
            if data.size != 1:
                raise RuntimeError(
                    f"backward() on a non-scalar output of shape {self.shape} (op '{self._op}') needs "
                    "`gradient` of that shape; or reduce first, e.g. out.sum().backward().")
            seed = np.array(1.0, data.dtype) if data.ndim == 0 else np.ones(data.shape, data.dtype)
        else:
            seed = np.array(gradient.data if isinstance(gradient, Tensor) else gradient, dtype=self.dtype)
            if seed.shape != self.shape:
                raise ValueError(f"backward(): gradient has shape {seed.shape} but the output (op '{self._op}') "
                                 f"has shape {self.shape}; they must match.")
        if create_graph:
            if isinstance(gradient, Tensor) and gradient.requires_grad:    # a seed that is a node stays
                seed = gradient if gradient.dtype == self.dtype else gradient.astype(self.dtype)   # in the graph
            else:
                seed = Tensor._lift(seed)
        if retain_graph is None:
            retain_graph = create_graph
        engine.run_backward(self, seed, retain_graph, create_graph)

    # --- the engine's interface (engine.py), the same on Value -----------------------------------
    @staticmethod
    def _fit_grad(pg, p, node):
        """Undo broadcasting and restore the input's dtype, or name the op whose vjp got it wrong."""
        shape = p.data.shape
        if pg.shape != shape:
            pg = engine.unbroadcast(pg, shape, node, p)
        dtype = p.data.dtype
        if pg.dtype != dtype:
            pg = pg.astype(dtype)
        return pg

    @staticmethod
    def _store_grads(nodes, fast):
        """Accumulate each node's gradient of this pass (`_g`) into its `.grad`."""
        for node in nodes:              # a .grad the user set to another shape: refuse before changing any
            if node.grad is not None and getattr(node.grad, "shape", None) != node.data.shape:
                raise RuntimeError(f"backward(): a tensor of shape {node.shape} has a .grad of shape "
                                   f"{getattr(node.grad, 'shape', type(node.grad).__name__)} (set by hand?); "
                                   "set it to None or to an array of its shape; no .grad was changed.")
        handed = set()                  # ids of arrays already stored as some node's .grad
        for node in nodes:
            g, node._g = node._g, None
            if node.grad is not None:
                total = node.grad + g           # (a new array; numpy makes 0-d + 0-d a scalar: keep an array)
                node.grad = total if type(total) is np.ndarray else np.asarray(total, dtype=node.data.dtype)
                continue
            if fast:                    # a stored gradient must own its memory: vjps may hand one array
                if type(g) is not np.ndarray:                                   # to several inputs
                    g = np.array(g, dtype=node.data.dtype)
                elif g.base is not None or id(g) in handed:
                    g = g.copy()
                else:
                    handed.add(id(g))
            node.grad = g

    _fits_exactly = False               # vjps may return broadcast shapes or other dtypes: _fit_grad fits them
    _keep_structure = False             # backward() drops _parents too: intermediates free at once
    _parent_slots = False               # parents in the `_parents` tuple

    # === The API: one line per method, naming the op that computes it ============================
    # arithmetic with numpy broadcasting; Python numbers take the tensor's float dtype (ops/elementwise.py)
    def __add__(self, other: TensorLike) -> Tensor: return _ew.add(self, other)
    def __radd__(self, other: TensorLike) -> Tensor: return _ew.add(other, self)
    def __sub__(self, other: TensorLike) -> Tensor: return _ew.sub(self, other)
    def __rsub__(self, other: TensorLike) -> Tensor: return _ew.sub(other, self)
    def __mul__(self, other: TensorLike) -> Tensor: return _ew.mul(self, other)
    def __rmul__(self, other: TensorLike) -> Tensor: return _ew.mul(other, self)
    def __truediv__(self, other: TensorLike) -> Tensor: return _ew.div(self, other)
    def __rtruediv__(self, other: TensorLike) -> Tensor: return _ew.div(other, self)
    def __pow__(self, other: TensorLike) -> Tensor: return _ew.power(self, other)
    def __rpow__(self, other: TensorLike) -> Tensor: return _ew.power(other, self)
    def __matmul__(self, other: TensorLike) -> Tensor: return _la.matmul(self, other)
    def __rmatmul__(self, other: TensorLike) -> Tensor: return _la.matmul(other, self)
    def __neg__(self) -> Tensor: return _ew.neg(self)
    def __pos__(self) -> Tensor: return self
    def __abs__(self) -> Tensor: return _ew.absolute(self)

    # elementwise functions (ops/elementwise.py)
    def exp(self) -> Tensor: return _ew.exp(self)
    def log(self) -> Tensor: return _ew.log(self)
    def sqrt(self) -> Tensor: return _ew.sqrt(self)
    def abs(self) -> Tensor: return _ew.absolute(self)
    def tanh(self) -> Tensor: return _ew.tanh(self)
    def sigmoid(self) -> Tensor: return _ew.sigmoid(self)
    def relu(self) -> Tensor: return _ew.relu(self)
    def leaky_relu(self, negative_slope: Number = 0.01) -> Tensor: return _ew.leaky_relu(self, negative_slope)
    def clip(self, lo: TensorLike | None = None, hi: TensorLike | None = None, *,
             min: TensorLike | None = None, max: TensorLike | None = None) -> Tensor:
        return _ew.clip(self, lo, hi, min=min, max=max)
    def clamp(self, min: TensorLike | None = None, max: TensorLike | None = None) -> Tensor:
        return _ew.clip(self, min=min, max=max)
    def astype(self, dtype: DTypeLike) -> Tensor: return _ew.astype(self, dtype)

    # more elementwise math: trigonometric, hyperbolic, other bases, rounding (ops/math.py)
    def sin(self) -> Tensor: return _mt.sin(self)
    def cos(self) -> Tensor: return _mt.cos(self)
    def tan(self) -> Tensor: return _mt.tan(self)
    def arcsin(self) -> Tensor: return _mt.arcsin(self)
    def arccos(self) -> Tensor: return _mt.arccos(self)
    def arctan(self) -> Tensor: return _mt.arctan(self)
    def asin(self) -> Tensor: return _mt.arcsin(self)
    def acos(self) -> Tensor: return _mt.arccos(self)
    def atan(self) -> Tensor: return _mt.arctan(self)
    def sinh(self) -> Tensor: return _mt.sinh(self)
    def cosh(self) -> Tensor: return _mt.cosh(self)
    def log2(self) -> Tensor: return _mt.log2(self)
    def log10(self) -> Tensor: return _mt.log10(self)
    def log1p(self) -> Tensor: return _mt.log1p(self)
    def exp2(self) -> Tensor: return _mt.exp2(self)
    def expm1(self) -> Tensor: return _mt.expm1(self)
    def reciprocal(self) -> Tensor: return _mt.reciprocal(self)
    def rsqrt(self) -> Tensor: return _mt.rsqrt(self)
    def square(self) -> Tensor: return _mt.square(self)
    def sign(self) -> Tensor: return _mt.sign(self)
    def floor(self) -> Tensor: return _mt.floor(self)
    def ceil(self) -> Tensor: return _mt.ceil(self)
    def trunc(self) -> Tensor: return _mt.trunc(self)
    def round(self, decimals: int = 0) -> Tensor: return _mt.round(self, decimals)

    # activation functions, as torch.nn.functional (ops/activations.py)
    def gelu(self, approximate: str = "none") -> Tensor: return _act.gelu(self, approximate)
    def silu(self) -> Tensor: return _act.silu(self)
    def softplus(self, beta: Number = 1.0, threshold: Number = 20.0) -> Tensor:
        return _act.softplus(self, beta, threshold)
    def mish(self) -> Tensor: return _act.mish(self)
    def logsigmoid(self) -> Tensor: return _act.logsigmoid(self)
    def softsign(self) -> Tensor: return _act.softsign(self)
    def elu(self, alpha: Number = 1.0) -> Tensor: return _act.elu(self, alpha)
    def selu(self) -> Tensor: return _act.selu(self)
    def celu(self, alpha: Number = 1.0) -> Tensor: return _act.celu(self, alpha)
    def hardtanh(self, min_val: Number = -1.0, max_val: Number = 1.0) -> Tensor:
        return _act.hardtanh(self, min_val, max_val)
    def relu6(self) -> Tensor: return _act.relu6(self)
    def hardsigmoid(self) -> Tensor: return _act.hardsigmoid(self)
    def hardswish(self) -> Tensor: return _act.hardswish(self)

    # reductions over `axis` (None: all, an int or a tuple; PyTorch's dim=/keepdim= too) (ops/reductions.py)
    def sum(self, axis: Axis = None, keepdims: bool = False, **dim: Any) -> Tensor:
        return _red.reduce_sum(self, axis, keepdims, **dim)
    def mean(self, axis: Axis = None, keepdims: bool = False, **dim: Any) -> Tensor:
        return _red.mean(self, axis, keepdims, **dim)
    def var(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0, **dim: Any) -> Tensor:
        return _red.var(self, axis, keepdims, ddof, **dim)
    def max(self, axis: Axis = None, keepdims: bool = False, **dim: Any) -> Tensor:
        return _red.reduce_max(self, axis, keepdims, **dim)
    def min(self, axis: Axis = None, keepdims: bool = False, **dim: Any) -> Tensor:
        return _red.reduce_min(self, axis, keepdims, **dim)
    def logsumexp(self, axis: Axis = None, keepdims: bool = False, **dim: Any) -> Tensor:
        return _red.logsumexp(self, axis, keepdims, **dim)
    def softmax(self, axis: int | None = None, **dim: Any) -> Tensor: return _red.softmax(self, axis, **dim)
    def log_softmax(self, axis: int | None = None, **dim: Any) -> Tensor: return _red.log_softmax(self, axis, **dim)

    # more reductions; argmax/argmin, any/all and count_nonzero give constants (ops/statistics.py)
    def std(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0, **dim: Any) -> Tensor:
        return _st.std(self, axis, keepdims, ddof, **dim)
    def prod(self, axis: Axis = None, keepdims: bool = False, **dim: Any) -> Tensor:
        return _st.prod(self, axis, keepdims, **dim)
    def norm(self, p: Number | str = "fro", axis: Axis = None, keepdims: bool = False, **dim: Any) -> Tensor:
        return _st.norm(self, p, axis, keepdims, **dim)
    def argmax(self, axis: Axis = None, keepdims: bool = False, **dim: Any) -> Tensor:
        return _st.argmax(self, axis, keepdims, **dim)
    def argmin(self, axis: Axis = None, keepdims: bool = False, **dim: Any) -> Tensor:
        return _st.argmin(self, axis, keepdims, **dim)
    def any(self, axis: Axis = None, keepdims: bool = False, **dim: Any) -> Tensor:
        return _st.reduce_any(self, axis, keepdims, **dim)
    def all(self, axis: Axis = None, keepdims: bool = False, **dim: Any) -> Tensor:
        return _st.reduce_all(self, axis, keepdims, **dim)
    def count_nonzero(self, axis: Axis = None, keepdims: bool = False, **dim: Any) -> Tensor:
        return _st.count_nonzero(self, axis, keepdims, **dim)

    # scans along one axis (None: the flattened tensor); cummax/cummin give (values, indices) (ops/scans.py)
    def cumsum(self, axis: int | None = None, **dim: Any) -> Tensor: return _sc.cumsum(self, axis, **dim)
    def cumprod(self, axis: int | None = None, **dim: Any) -> Tensor: return _sc.cumprod(self, axis, **dim)
    def cummax(self, axis: int | None = None, **dim: Any) -> tuple[Tensor, Tensor]: return _sc.cummax(self, axis, **dim)
    def cummin(self, axis: int | None = None, **dim: Any) -> tuple[Tensor, Tensor]: return _sc.cummin(self, axis, **dim)

    # shape and indexing: results share memory with the input where numpy's do (ops/shape.py)
    def reshape(self, *shape: Shape) -> Tensor: return _sh.reshape(self, *shape)
    def transpose(self, *axes: Shape) -> Tensor: return _sh.transpose(self, *axes)
    T = property(lambda self: _sh.transpose(self), doc="The tensor with its dimensions reversed.")
    def swapaxes(self, a: int, b: int) -> Tensor: return _sh.swapaxes(self, a, b)
    def broadcast_to(self, shape: Shape) -> Tensor: return _sh.broadcast_to(self, shape)
    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor: return _sh.flatten(self, start_dim, end_dim)
    def squeeze(self, axis: Axis = None, dim: Axis = None) -> Tensor: return _sh.squeeze(self, axis, dim)
    def unsqueeze(self, axis: int | None = None, dim: int | None = None) -> Tensor:
        return _sh.unsqueeze(self, axis, dim)
    def expand_dims(self, axis: int) -> Tensor: return _sh.unsqueeze(self, axis)
    def __getitem__(self, index: Any) -> Tensor: return _sh.getitem(self, index)

    # PyTorch spellings: view never copies, expand keeps -1 sizes, clone is a recorded copy (ops/shape.py)
    def view(self, *shape: Shape) -> Tensor: return _sh.view(self, *shape)
    def permute(self, *dims: Shape) -> Tensor: return _sh.permute(self, *dims)
    def expand(self, *sizes: Shape) -> Tensor: return _sh.expand(self, *sizes)
    def clone(self) -> Tensor: return _sh.clone(self)
    def to(self, *args: Any, dtype: DTypeLike | None = None, device: str | None = None) -> Tensor:
        return _sh.to(self, *args, dtype=dtype, device=device)
    def float(self) -> Tensor: return _sh.to(self, np.float32)
    def double(self) -> Tensor: return _sh.to(self, np.float64)
    def pow(self, exponent: TensorLike) -> Tensor: return _ew.power(self, exponent)

    # indexing along an axis with integer arrays; writes are out of place (ops/indexing.py)
    def take_along_axis(self, indices: TensorLike, axis: int | None = -1, **dim: Any) -> Tensor:
        return _ix.take_along_axis(self, indices, axis, **dim)
    def gather(self, axis: int | None = None, index: TensorLike | None = None, **dim: Any) -> Tensor:
        return _ix.gather(self, axis, index, **dim)
    def index_select(self, axis: int | None = None, index: TensorLike | None = None, **dim: Any) -> Tensor:
        return _ix.index_select(self, axis, index, **dim)
    def put_along_axis(self, indices: TensorLike, values: TensorLike, axis: int | None, **d: Any) -> Tensor:
        return _ix.put_along_axis(self, indices, values, axis, **d)
    def scatter(self, axis: int | None = None, index: TensorLike | None = None, src: TensorLike | None = None,
                **kw: Any) -> Tensor:
        return _ix.scatter(self, axis, index, src, **kw)
    def scatter_add(self, axis: int | None = None, index: TensorLike | None = None, src: TensorLike | None = None,
                    **dim: Any) -> Tensor:
        return _ix.scatter_add(self, axis, index, src, **dim)
    def masked_fill(self, mask: TensorLike, value: TensorLike) -> Tensor: return _ix.masked_fill(self, mask, value)

    # layout: padding, copies, reordering, parts, triangles (ops/layout.py); flip, split, chunk, diagonal are views
    def pad(self, pad_width: int | Sequence[Any] | None = None, mode: str = "constant", **kw: Any) -> Tensor:
        return _lo.pad(self, pad_width, mode, **kw)
    def tile(self, *reps: Shape) -> Tensor: return _lo.tile(self, *reps)
    def repeat(self, repeats: ArrayLike, axis: int | None = None, **dim: Any) -> Tensor:
        return _lo.repeat(self, repeats, axis, **dim)
    def repeat_interleave(self, repeats: ArrayLike, axis: int | None = None, **dim: Any) -> Tensor:
        return _lo.repeat_interleave(self, repeats, axis, **dim)
    def flip(self, axis: Axis = None, **dims: Any) -> Tensor: return _lo.flip(self, axis, **dims)
    def roll(self, shift: Shape | None = None, axis: Axis = None, **kw: Any) -> Tensor:
        return _lo.roll(self, shift, axis, **kw)
    def split(self, indices_or_sections: Shape | None = None, axis: int | None = None, **kw: Any) -> list[Tensor]:
        return _lo.split(self, indices_or_sections, axis, **kw)
    def chunk(self, chunks: int, axis: int | None = None, **dim: Any) -> list[Tensor]:
        return _lo.chunk(self, chunks, axis, **dim)
    def triu(self, k: int = 0, **diagonal: Any) -> Tensor: return _lo.triu(self, k, **diagonal)
    def tril(self, k: int = 0, **diagonal: Any) -> Tensor: return _lo.tril(self, k, **diagonal)
    def diagonal(self, offset: int = 0, axis1: int | None = None, axis2: int | None = None, **d: Any) -> Tensor:
        return _lo.diagonal(self, offset, axis1, axis2, **d)

    # linear algebra (ops/linalg.py)
    def matmul(self, other: TensorLike) -> Tensor: return _la.matmul(self, other)
    def dot(self, other: TensorLike) -> Tensor: return _la.dot(self, other)
    def outer(self, other: TensorLike) -> Tensor: return _la.outer(self, other)

    # in place: recorded like PyTorch, or refused (semantics in ops/inplace.py)
    def __iadd__(self, other: TensorLike) -> Tensor: return _ip.iadd(self, other)
    def __isub__(self, other: TensorLike) -> Tensor: return _ip.isub(self, other)
    def __imul__(self, other: TensorLike) -> Tensor: return _ip.imul(self, other)
    def __itruediv__(self, other: TensorLike) -> Tensor: return _ip.itruediv(self, other)
    def __setitem__(self, index: Any, value: TensorLike) -> None: _ip.setitem(self, index, value)
    def add_(self, other: TensorLike, alpha: Number = 1.0) -> Tensor: return _ip.add_(self, other, alpha)
    def sub_(self, other: TensorLike) -> Tensor: return _ip.sub_(self, other)
    def mul_(self, other: TensorLike) -> Tensor: return _ip.mul_(self, other)
    def div_(self, other: TensorLike) -> Tensor: return _ip.div_(self, other)
    def copy_(self, src: TensorLike) -> Tensor: return _ip.copy_(self, src)
    def fill_(self, value: TensorLike) -> Tensor: return _ip.fill_(self, value)
    def zero_(self) -> Tensor: return _ip.zero_(self)

    # comparisons and logic: bool tensors, never recorded; hashed by identity, as in PyTorch (ops/logic.py)
    __hash__ = object.__hash__
    def __eq__(self, other: object) -> Tensor: return _lg.operator(_lg.eq, self, other)  # type: ignore[override]
    def __ne__(self, other: object) -> Tensor: return _lg.operator(_lg.ne, self, other)  # type: ignore[override]
    def __lt__(self, other: TensorLike) -> Tensor: return _lg.operator(_lg.lt, self, other)
    def __le__(self, other: TensorLike) -> Tensor: return _lg.operator(_lg.le, self, other)
    def __gt__(self, other: TensorLike) -> Tensor: return _lg.operator(_lg.gt, self, other)
    def __ge__(self, other: TensorLike) -> Tensor: return _lg.operator(_lg.ge, self, other)
    def __and__(self, other: TensorLike) -> Tensor: return _lg.operator(_lg.bitwise_and, self, other)
    def __rand__(self, other: TensorLike) -> Tensor: return _lg.operator(_lg.bitwise_and, self, other)
    def __or__(self, other: TensorLike) -> Tensor: return _lg.operator(_lg.bitwise_or, self, other)
    def __ror__(self, other: TensorLike) -> Tensor: return _lg.operator(_lg.bitwise_or, self, other)
    def __xor__(self, other: TensorLike) -> Tensor: return _lg.operator(_lg.bitwise_xor, self, other)
    def __rxor__(self, other: TensorLike) -> Tensor: return _lg.operator(_lg.bitwise_xor, self, other)
    def __invert__(self) -> Tensor: return _lg.bitwise_not(self)
    def __contains__(self, x: object) -> bool: return _lg.contains(self, x)
    def eq(self, other: TensorLike) -> Tensor: return _lg.eq(self, other)
    def ne(self, other: TensorLike) -> Tensor: return _lg.ne(self, other)
    def lt(self, other: TensorLike) -> Tensor: return _lg.lt(self, other)
    def le(self, other: TensorLike) -> Tensor: return _lg.le(self, other)
    def gt(self, other: TensorLike) -> Tensor: return _lg.gt(self, other)
    def ge(self, other: TensorLike) -> Tensor: return _lg.ge(self, other)
    def logical_and(self, other: TensorLike) -> Tensor: return _lg.logical_and(self, other)
    def logical_or(self, other: TensorLike) -> Tensor: return _lg.logical_or(self, other)
    def logical_xor(self, other: TensorLike) -> Tensor: return _lg.logical_xor(self, other)
    def logical_not(self) -> Tensor: return _lg.logical_not(self)
    def isnan(self) -> Tensor: return _lg.isnan(self)
    def isinf(self) -> Tensor: return _lg.isinf(self)
    def isfinite(self) -> Tensor: return _lg.isfinite(self)

    # --- Python protocol ----------------------------------------------------------------------
    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(f"the truth value of a tensor of shape {self.shape} is ambiguous; use .any() "
                             "or .all() on .data")
        return bool(self.data)

    def __float__(self) -> Number:
        return float(self.item())

    def __array__(self, dtype: DTypeLike | None = None, copy: bool | None = None) -> NDArray[Any]:
        # np.array(t) asks for a copy, np.asarray(t) shares: the graph's saved data must not leak writable
        if copy is False and dtype is not None and np.dtype(dtype) != self.data.dtype:
            raise ValueError(f"cannot view a {self.data.dtype} tensor as {np.dtype(dtype)} without a copy")
        if dtype is not None and np.dtype(dtype) != self.data.dtype:
            return self.data.astype(dtype)
        if copy:
            return self.data.copy()
        return _readonly(self.data) if self.requires_grad or self._alias else self.data

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extra = ""
        if self.data.dtype != np.float64:
            extra += f", dtype={self.data.dtype}"
        if self.requires_grad:
            extra += f", op='{self._op}'" if self._op else ", requires_grad=True"
        return f"Tensor({body}{extra})"


def _init_leaf(t, arr, requires_grad, label):
    t.data = arr
    t.grad = None
    if label:
        t.label = label
    t.requires_grad = requires_grad
    t._parents = ()
    t._vjp = None
    t._op = ""
    t._epoch = None
    t._mark = None


def _readonly(arr):
    """A read-only view of `arr`."""
    view = arr.view()
    view.setflags(write=False)
    return view


def _raw(x):
    """The array behind a Tensor (anything else unchanged)."""
    return x.data if isinstance(x, Tensor) else x


def _index_data(index):
    """An index with any Tensors in it replaced by their arrays."""
    if isinstance(index, tuple):
        return tuple(_raw(i) for i in index)
    return _raw(index)


def _document(cls, modules):
    """Give each one-line API method the docstring of the op function it calls."""
    for method in vars(cls).values():
        code = getattr(method, "__code__", None)
        if code is not None and method.__doc__ is None and len(code.co_names) >= 2:
            module, op = code.co_names[0], code.co_names[1]
            fn = getattr(modules.get(module), op, None)
            method.__doc__ = getattr(fn, "__doc__", None)


# The ops modules import Tensor: they load once the class exists.
from .ops import elementwise as _ew, reductions as _red, shape as _sh, linalg as _la, inplace as _ip  # noqa: E402
from .ops import math as _mt, logic as _lg, activations as _act, statistics as _st, scans as _sc  # noqa: E402
from .ops import indexing as _ix, layout as _lo  # noqa: E402
_document(Tensor, {"_ew": _ew, "_red": _red, "_sh": _sh, "_la": _la, "_ip": _ip, "_mt": _mt, "_lg": _lg, "_act": _act,
                   "_st": _st, "_sc": _sc, "_ix": _ix, "_lo": _lo})
