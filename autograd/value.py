"""`Value`: a scalar node holding a Python float, micrograd-style, on the shared engine.

Arithmetic follows IEEE like numpy does, never raising: exp(1000) is inf, 1/0 is inf, and log(0)
is -inf, each with a RuntimeWarning, so a scalar graph and a Tensor graph agree on every input.
"""
import math
import numbers
import operator

from . import engine, vjps
from ._floatmath import exp as _exp, log as _log, div as _div, pow as _pow, sigmoid as _sigmoid
from .engine import clock as _clock
from .grad_mode import _state

_new = object.__new__
_NO_NOTES = ("", 0)                 # a Value's (label, copy_() time) until one is given


# Every vjp gets (g, out, *inputs): floats in the fast pass, Values under create_graph=True,
# so each formula is written once with operators that work on both. Those that Tensor shares
# are in vjps.py; these differ from Tensor's in how they guard float edge cases.
def _div_vjp(g, out, a, b):
    ga = _gdiv(g, b)
    return ga, -ga * out            # d(a/b)/db = -a/b^2 = -(1/b) * out


def _pow_vjp(g, out, a, b):                  # both a and b vary: d a^b = b a^(b-1) da + a^b ln(a) db
    ga = g * b * _gpow(a, b - 1) if float(b) != 0 or float(a) != 0 else g * 0.0   # 0 * 0^-1
    gb = g * out * _glog(a) if float(a) != 0 or float(b) < 0 else g * 0.0   # 0^b = 0 for b >= 0: flat in b;
    return ga, gb                                                           # 0^b = inf for b < 0: -inf slope


def _relu_vjp(g, out, a):
    return (g * (a > 0),)


def _abs_vjp(g, out, a):
    return (g * ((a > 0) - (a < 0)),)         # sign(a); 0 at the kink


def _log_vjp(g, out, a):
    return (_gdiv(g, a),)                    # 1/a, and inf (not ZeroDivisionError) at a = 0


def _gdiv(a, b):
    return _div(a, b) if type(a) is float and type(b) is float else a / b


def _gpow(a, b):
    return _pow(a, b) if type(a) is float else a ** b


def _glog(a):
    return _log(a) if type(a) is float else a.log()


def _binary(forward, vjp, op):
    """The operator `a <op> b` on Values (a number b is lifted to a constant)."""
    def method(self, other):
        if type(other) is not Value:
            other = Value._lift(other)
            if other is NotImplemented:
                return other
        out = _new(Value)                   # (_node written out: a call less on the hottest constructor)
        out.data = forward(self.data, other.data)
        out.grad = 0.0
        out._op = op
        out._mark = None
        if _state.enabled:
            out.requires_grad = True
            out._a = self
            out._b = other
            out._vjp = vjp
            out._epoch = _clock[0]
        else:
            out.requires_grad = False
            out._a = out._b = out._vjp = None
        return out
    method.__doc__ = f"self {op} other."
    return method


def _reflected(method):
    """`number <op> value`: lift the number, then apply the operator in its original order."""
    def reflected(self, other):
        other = Value._lift(other)
        return other if other is NotImplemented else method(other, self)
    reflected.__doc__ = method.__doc__.replace("self", "_").replace("other", "self").replace("_", "other")
    return reflected


class Value:
    """A scalar that records the operations applied to it, so `backward()` can fill every `.grad`."""

    # Every attribute is a slot, and there is no per-instance __dict__: each node is one object the
    # cyclic GC tracks and traverses, and the smaller the better (the moons step rescans its whole live
    # graph many times). The parents live in two slots, not a tuple (a tuple of Values would be a second
    # tracked object per node): `_a` is the first parent (None on a leaf); `_b` the second, None for a
    # unary op, or a tuple of the rest for a custom Function of three or more Values. `_parents` rebuilds
    # the tuple for everything but the engine's hot walk. The rare extras share one slot, `_notes` =
    # (label, clock time of the last copy_()), set only when one is given; `label` and `_version` read it.
    # No __weakref__ slot either: each slot dropped makes the node smaller (16 bytes: 7% off a busy step).
    __slots__ = ("data", "grad", "requires_grad", "_a", "_b", "_vjp", "_op", "_epoch", "_notes",
                 "_mark", "_pending", "_g")     # the last three: engine.py (13 slots: a 128-byte node)
    __array_ufunc__ = None          # numpy defers to our reflected operators (np.float64(2) * v)
    _retain = True                  # like micrograd, every node keeps its gradient for inspection
    _changed_by = "copy_"           # the one in-place change a Value has (engine.py names it in errors)

    def __init__(self, data, label=""):
        if isinstance(data, Value):
            data = data.data
        try:
            self.data = float(data)
        except (TypeError, ValueError):
            raise TypeError(f"Value(data) needs a real number, got {type(data).__name__}: {data!r}") from None
        _init_leaf(self, self.data, True)
        if label:
            self.label = label

    # --- graph construction -------------------------------------------------------------------
    @staticmethod
    def _make(data, parents, vjp, op):
        """A node computed by `op` from a tuple of parents (the engine's interface, as on Tensor)."""
        n = len(parents)
        return _node(data, parents[0] if n else None, parents[1] if n == 2 else parents[1:] or None, vjp, op)

    @property
    def label(self):
        """A name for drawings ("" unless given)."""
        return getattr(self, "_notes", _NO_NOTES)[0]

    @label.setter
    def label(self, text):
        self._notes = (text, self._version)

    @property
    def _version(self):
        """In-place clock time of the last copy_() (0 if never): engine.py checks graphs against it."""
        return getattr(self, "_notes", _NO_NOTES)[1]

    @property
    def _parents(self):
        """The tuple of this node's parents (empty for a leaf)."""
        a, b = self._a, self._b
        if a is None:
            return ()
        if b is None:
            return (a,)
        return (a,) + b if type(b) is tuple else (a, b)

    @staticmethod
    def _lift(x):
        """A constant operand as a Value that asks for no gradient."""
        if isinstance(x, Value):
            return x
        if type(x) in (float, int) or isinstance(x, numbers.Real):
            return _init_leaf(_new(Value), float(x), False)
        return NotImplemented

    # --- arithmetic -----------------------------------------------------------------------------
    __add__ = _binary(operator.add, vjps.add, "+")
    __sub__ = _binary(operator.sub, vjps.sub, "-")
    __mul__ = _binary(operator.mul, vjps.mul, "*")
    __truediv__ = _binary(_div, _div_vjp, "/")
    __radd__, __rsub__ = _reflected(__add__), _reflected(__sub__)
    __rmul__, __rtruediv__ = _reflected(__mul__), _reflected(__truediv__)

    def __pow__(self, other):
        if type(other) is not Value:
            c = Value._lift(other)
            if c is NotImplemented:
                return c
            k = c.data                       # constant exponent: d/dx x^k = k x^(k-1); x^0 is constant
            vjp = (lambda g, out, a: (g * k * _gpow(a, k - 1),)) if k else (lambda g, out, a: (g * 0.0,))
            return _node(_pow(self.data, k), self, None, vjp, f"**{k:g}")
        return _node(_pow(self.data, other.data), self, other, _pow_vjp, "**")

    def __rpow__(self, other):
        other = Value._lift(other)
        return other if other is NotImplemented else other.__pow__(self)

    def __neg__(self):
        return _node(-self.data, self, None, vjps.neg, "neg")

    def __pos__(self):
        return self

    # --- elementwise functions ----------------------------------------------------------------
    def exp(self):
        """e ** self."""
        return _node(_exp(self.data), self, None, vjps.exp, "exp")

    def log(self):
        """Natural log; log(0) is -inf and log(x < 0) is nan, each with a RuntimeWarning."""
        return _node(_log(self.data), self, None, _log_vjp, "log")

    def tanh(self):
        """Hyperbolic tangent."""
        return _node(math.tanh(self.data), self, None, vjps.tanh, "tanh")

    def sigmoid(self):
        """Logistic sigmoid 1 / (1 + e^-x), computed without overflow for any input."""
        return _node(_sigmoid(self.data), self, None, vjps.sigmoid, "sigmoid")

    def relu(self):
        """max(0, x); the gradient at 0 is 0."""
        x = self.data
        return _node(x if x > 0 else 0.0, self, None, _relu_vjp, "relu")

    def leaky_relu(self, negative_slope=0.01):
        """x for x > 0, negative_slope * x otherwise."""
        x, s = self.data, negative_slope
        return _node(x if x > 0 else s * x, self, None,
                     lambda g, out, a: (g * (1.0 if a > 0 else s),), "leaky_relu")

    def abs(self):
        """|x|; the gradient at 0 is 0."""
        return _node(abs(self.data), self, None, _abs_vjp, "abs")

    __abs__ = abs

    # --- comparisons (on data, no gradient) ---------------------------------------------------
    def __lt__(self, other):
        return self.data < _raw(other)

    def __le__(self, other):
        return self.data <= _raw(other)

    def __gt__(self, other):
        return self.data > _raw(other)

    def __ge__(self, other):
        return self.data >= _raw(other)

    def __float__(self):
        return self.data

    def copy_(self, x):
        """Set this leaf's number in place (what optimizers and load_state_dict use, under `no_grad()`).

        Graphs built before the change refuse to backward through it; a raw `v.data = x` is not checked."""
        if self._vjp is not None:
            raise RuntimeError(f"copy_() on a Value computed by '{self._op}': only leaves (inputs, parameters) "
                               "can be set; rebind the name instead (v = v * 2).")
        if self.requires_grad and _state.enabled:
            raise RuntimeError("copy_() on a Value that requires grad would hide the change from autograd; "
                               "do parameter updates inside `with autograd.no_grad():`.")
        self.data = float(x.data if isinstance(x, Value) else x)
        self._notes = (self.label, engine.tick())
        return self

    def __bool__(self):
        return self.data != 0.0

    # --- backward -----------------------------------------------------------------------------
    def backward(self, gradient=1.0, retain_graph=False, create_graph=False):
        """Fill `.grad` of every node this one depends on with d(self)/d(node), accumulating."""
        if not self.requires_grad:
            raise RuntimeError("backward() on a Value that does not require grad (it was made under "
                               "no_grad(), or is a constant); build it with grad mode on.")
        seed = Value(gradient) if create_graph else float(gradient)
        engine.run_backward(self, seed, retain_graph or create_graph, create_graph)

    # --- the engine's interface (engine.py), the same on Tensor --------------------------------
    @staticmethod
    def _store_grads(nodes, fast):
        """Accumulate each node's gradient of this pass (`_g`) into its `.grad`."""
        for node in nodes:
            node.grad = node.grad + node._g
            node._g = None

    @staticmethod
    def _fit_grad(g, parent, node):
        """A float gradient always fits a float input (so the walk skips this: `_fits_exactly`)."""
        return g

    _fits_exactly = True
    _parent_slots = True             # parents in _a/_b (see __slots__): the engine walks them directly
    _keep_structure = True           # backward() keeps _parents so the graph can still be drawn

    @property
    def is_leaf(self):
        """True for a node no operation produced (an input or a parameter)."""
        return self._vjp is None

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={_fmt(self.grad)}{label})"


def _node(data, a, b, vjp, op):
    """A fresh Value computed by `op` from parents a and b (see Value.__slots__); a constant under no_grad()."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out._op = op
    out._mark = None
    if _state.enabled:
        out.requires_grad = True
        out._a = a
        out._b = b
        out._vjp = vjp
        out._epoch = _clock[0]          # backward refuses it if a parent's copy_() came later
    else:
        out.requires_grad = False
        out._a = out._b = out._vjp = None
    return out


def _init_leaf(v, data, requires_grad):
    """Fill a fresh Value as a leaf (an input or parameter, or a constant when not requires_grad)."""
    v.data = data
    v.grad = 0.0
    v.requires_grad = requires_grad
    v._a = v._b = v._vjp = None
    v._op = ""
    v._epoch = None
    v._mark = None
    return v


def _raw(x):
    return x.data if isinstance(x, Value) else x


def _fmt(g):
    return f"{g:.6g}" if isinstance(g, float) else repr(g)
