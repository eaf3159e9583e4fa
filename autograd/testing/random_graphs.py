"""Random computation graphs built from the engine's ops, as hypothesis strategies.

A drawn graph is a short program over its leaves x0..x{n-1}: each step applies one op to earlier
registers, picked at random, so leaves and intermediates are reused (fan-out: gradients must
accumulate). Ops are chosen only where the drawn values keep them smooth and well-scaled (log of
positives, division away from 0, relu away from its kink, max without near-ties), so a finite-
difference check of the whole graph is meaningful.
"""
import numpy as np
from hypothesis import strategies as st

from ..grad_mode import no_grad
from ..ops.elementwise import maximum, minimum, where
from ..tensor import Tensor
from ..value import Value
from .strategies import arrays, axes, broadcastable_shapes

CONSTANTS = (-1.5, -0.5, 0.5, 2.0)
_NO_PARAM = object()
REJECT = object()                    # returned by a param drawer: the op does not apply here


class Op:
    """One menu entry: `fn(*operands[, param])`; `param(draw, *values)` draws the extra argument or returns REJECT."""

    def __init__(self, name, arity, fn, ok=None, param=None):
        self.name, self.arity, self.fn, self.ok, self.param = name, arity, fn, ok, param


def _gap(x, m=0.01):
    return bool(np.all(np.abs(x) > m))


def _const(draw, *vals):
    return draw(st.sampled_from(CONSTANTS))


SCALAR_OPS = [      # both engines: operators and the methods Value and Tensor share
    Op("mul", 2, lambda a, b: a * b), Op("add", 2, lambda a, b: a + b), Op("sub", 2, lambda a, b: a - b),
    Op("div", 2, lambda a, b: a / b, lambda a, b: _gap(b, 0.25)),
    Op("pow", 2, lambda a, b: a ** b, lambda a, b: np.all(a > 0.25) and np.all(np.abs(b) < 3)),
    Op("neg", 1, lambda a: -a),
    Op("exp", 1, lambda a: a.exp(), lambda a: np.all(a < 4)),
    Op("log", 1, lambda a: a.log(), lambda a: np.all(a > 0.25)),
    Op("tanh", 1, lambda a: a.tanh()), Op("sigmoid", 1, lambda a: a.sigmoid()),
    Op("relu", 1, lambda a: a.relu(), _gap), Op("abs", 1, lambda a: abs(a), _gap),
    Op("leaky_relu", 1, lambda a: a.leaky_relu(0.1), _gap),
    Op("square", 1, lambda a: a ** 2), Op("cube", 1, lambda a: a ** 3),
    Op("reciprocal", 1, lambda a: a ** -1, lambda a: _gap(a, 0.25)),
    Op("pow_half", 1, lambda a: a ** 0.5, lambda a: np.all(a > 0.25)),
    Op("add_const", 1, lambda a, c: a + c, param=_const), Op("mul_const", 1, lambda a, c: a * c, param=_const),
    Op("rsub_const", 1, lambda a, c: c - a, param=_const),
    Op("rdiv_const", 1, lambda a, c: c / a, lambda a: _gap(a, 0.25), param=_const),
    Op("rpow_2", 1, lambda a: 2 ** a, lambda a: np.all(np.abs(a) < 4)),
]


def _axis_param(draw, a):
    return draw(axes(np.ndim(a)))


def _last_axis(draw, a):
    return draw(st.integers(-np.ndim(a), np.ndim(a) - 1)) if np.ndim(a) else REJECT


def _no_ties(draw, a):
    """An axis argument along which the maximum is unique by a margin (else REJECT)."""
    ax = draw(axes(np.ndim(a)))
    red = _norm(ax, np.ndim(a))
    keep = [i for i in range(np.ndim(a)) if i not in red]
    rows = np.sort(np.transpose(a, keep + list(red)).reshape(int(np.prod([a.shape[i] for i in keep])), -1), axis=1)
    return ax if rows.shape[1] < 2 or np.all(rows[:, -1] - rows[:, -2] > 0.01) else REJECT


def _norm(ax, ndim):
    if ax is None:
        return tuple(range(ndim))
    return tuple(sorted(a % ndim for a in ((ax,) if isinstance(ax, int) else ax)))


def _mask(draw, a, b):
    return draw(arrays(np.broadcast_shapes(np.shape(a), np.shape(b)), np.bool_, st.booleans()))


TENSOR_OPS = SCALAR_OPS + [   # Tensors only: broadcasting, reductions kept as size-1 dims, softmax family
    Op("sqrt", 1, lambda a: a.sqrt(), lambda a: np.all(a > 0.25)),
    Op("maximum", 2, maximum, lambda a, b: _gap(a - b)), Op("minimum", 2, minimum, lambda a, b: _gap(a - b)),
    Op("where", 2, lambda a, b, m: where(m, a, b), param=_mask),
    Op("clip", 1, lambda a: a.clip(-1.0, 1.0), lambda a: _gap(np.abs(a) - 1)),
    Op("sum", 1, lambda a, ax: a.sum(ax, keepdims=True), param=_axis_param),
    Op("mean", 1, lambda a, ax: a.mean(ax, keepdims=True), param=_axis_param),
    Op("var", 1, lambda a, ax: a.var(ax, keepdims=True), param=_axis_param),
    Op("max", 1, lambda a, ax: a.max(ax, keepdims=True), param=_no_ties),
    Op("logsumexp", 1, lambda a, ax: a.logsumexp(ax, keepdims=True), param=_axis_param),
    Op("softmax", 1, lambda a, ax: a.softmax(ax), param=_last_axis),
    Op("log_softmax", 1, lambda a, ax: a.log_softmax(ax), param=_last_axis),
]


class Graph:
    """A random program over leaves x0..x{n-1}; call it on nodes (Values or Tensors) to build the graph."""

    def __init__(self, n_inputs, steps):
        self.n_inputs, self.steps = n_inputs, steps      # steps: (op name, fn, operand indices, param)

    def __call__(self, *xs):
        if len(xs) != self.n_inputs:
            raise TypeError(f"this graph takes {self.n_inputs} inputs, got {len(xs)}")
        regs = list(xs)
        for _, fn, args, param in self.steps:
            operands = [regs[i] for i in args]
            regs.append(fn(*operands) if param is _NO_PARAM else fn(*operands, param))
        return regs[-1]

    def __repr__(self):
        n = self.n_inputs
        lines = [f"x{n + k} = {name}({', '.join(f'x{i}' for i in args)}{'' if p is _NO_PARAM else f', {p!r}'})"
                 for k, (name, _, args, p) in enumerate(self.steps)]
        return f"Graph({'; '.join(lines + [f'return x{n + len(self.steps) - 1}'])})"


def _step(draw, op, vals):
    """(operand indices, param, new value), or None when the drawn values are outside the op's safe domain."""
    args = [draw(st.integers(0, len(vals) - 1)) for _ in range(op.arity)]
    operands = [vals[i] for i in args]
    if op.ok is not None and not op.ok(*operands):
        return None
    param = _NO_PARAM if op.param is None else op.param(draw, *operands)
    if param is REJECT:
        return None
    with no_grad(), np.errstate(all="ignore"):
        ts = [Tensor(v) for v in operands]
        new = (op.fn(*ts) if param is _NO_PARAM else op.fn(*ts, param)).data
    if not np.all(np.isfinite(new)) or np.any(np.abs(new) > 1e3):
        return None
    return args, param, new


@st.composite
def _programs(draw, data, max_ops, menu):
    vals = [np.asarray(d, dtype=np.float64) for d in data]
    steps = []
    for _ in range(draw(st.integers(min(3, max_ops), max_ops))):
        op = draw(st.sampled_from(menu))
        found = _step(draw, op, vals)
        if found is not None:
            args, param, new = found
            steps.append((op.name, op.fn, args, param))
            vals.append(new)
    return Graph(len(data), steps + _gather(len(data), steps))


def _add(a, b):
    return a + b


def _gather(n, steps):
    """Steps adding every unused register into the last one, so every leaf reaches the output."""
    last = n + len(steps) - 1
    used = {i for _, _, args, _ in steps for i in args} | {last}
    extra, out = [], last
    for i in range(last):
        if i not in used:
            extra.append(("add", _add, [out, i], _NO_PARAM))
            out = last + len(extra)
    return extra


def _menu(ops, table):
    if ops is None:
        return table
    chosen = [op for op in table if op.name in ops]
    unknown = set(ops) - {op.name for op in chosen}
    if unknown:
        raise ValueError(f"unknown ops {sorted(unknown)}; choose from {[op.name for op in table]}")
    return chosen


def _n(n_inputs):
    return st.just(n_inputs) if isinstance(n_inputs, int) else st.integers(*n_inputs)


@st.composite
def expressions(draw, n_inputs=(1, 3), max_ops=8, kind="value", points=None, ops=None):
    """Strategy for (f, inputs): a random scalar expression and its leaves (Values, or Tensors of shape (points,)).

    Only ops both engines have are used, so `assert_engines_agree(f, *inputs)` applies.
    `ops` restricts the menu to names from `SCALAR_OPS`.
    """
    if kind not in ("value", "tensor") or (kind == "value" and points is not None):
        raise ValueError("expressions: kind is 'value' (scalars, points=None) or 'tensor'")
    shape = () if points is None else (points,)
    data = [draw(arrays(shape, domain=(-2.0, 2.0))) for _ in range(draw(_n(n_inputs)))]
    f = draw(_programs(data, max_ops, _menu(ops, SCALAR_OPS)))
    if kind == "value":
        return f, [Value(float(d)) for d in data]
    return f, [Tensor(d, requires_grad=True) for d in data]


@st.composite
def graphs(draw, n_inputs=(1, 3), max_ops=8, max_side=3, ops=None):
    """Strategy for (f, inputs): a random Tensor graph over leaves of broadcastable shapes (reductions keep dims)."""
    n = draw(_n(n_inputs))
    shapes = draw(broadcastable_shapes(n, max_side=max_side))
    data = [draw(arrays(s, domain=(-2.0, 2.0))) for s in shapes]
    f = draw(_programs(data, max_ops, _menu(ops, TENSOR_OPS)))
    return f, [Tensor(d, requires_grad=True) for d in data]
