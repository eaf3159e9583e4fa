"""Each recorded op as ONNX nodes: `OPS[op]` is (check, translate).

`check(xs, p, node)` runs the op again through autograd's public API on the recorded inputs `xs` with the
parameters `p` read from the graph (autograd.graph.op_params); export compares it with the recorded output before
`translate(b, ins, out, p, node)` adds the nodes that compute `out` from the ONNX values `ins`.

Composites follow the engine's formulas (autograd/ops/activations.py) step for step, every constant in the
model's dtype: ONNX float attributes are float32 (a LeakyRelu alpha of 0.01 would lose digits in a float64 model),
and onnxruntime has no float64 kernels for Elu, Selu, Celu, Softplus, Softsign, HardSigmoid, HardSwish, Gelu or
Erf. ONNX has no log1p or expm1, so softplus, mish, logsigmoid and the ELU family agree with the engine to about
1e-16 absolute, not relative. Float64 GELU computes erf from Taylor tables like the engine's own (`_erf64`).
"""
import math

import numpy as np
from onnx import TensorProto, helper, numpy_helper

import autograd
from autograd.graph import op_name

_SQRT_HALF = math.sqrt(0.5)
_TANH_K, _TANH_C = math.sqrt(2 / math.pi), 0.044715      # GELU's tanh approximation, as autograd has them


class Builder:
    """The nodes and initializers of one ONNX graph; float constants take the model's dtype."""

    def __init__(self, dtype, opset, batch_axes, taken=()):
        self.dtype, self.opset, self.batch_axes = np.dtype(dtype), opset, batch_axes
        self.nodes, self.initializers = [], []
        self._taken, self._consts, self._count = set(taken), {}, 0

    def fresh(self, stem):
        """A value name no other value has."""
        while True:
            self._count += 1
            name = f"{stem}_{self._count}"
            if name not in self._taken:
                self._taken.add(name)
                return name

    def const(self, value, dtype=None, name=None):
        """The name of an initializer holding `value` (equal unnamed constants are shared)."""
        arr = np.asarray(value, dtype or self.dtype)
        key = (arr.dtype.str, arr.shape, arr.tobytes())
        if name is None and key in self._consts:
            return self._consts[key]
        name = name or self.fresh("const")
        self._taken.add(name)
        self.initializers.append(numpy_helper.from_array(arr, name))
        self._consts.setdefault(key, name)
        return name

    def ints(self, values):
        return self.const(np.asarray(values, np.int64), np.int64)

    def node(self, op_type, *inputs, out=None, **attrs):
        """Add one node; returns the name of its output."""
        out = out or self.fresh(op_type)
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], name=f"{op_type}:{out}", **attrs))
        return out

    def scale(self, x, k, out=None):
        """x * k, without a node when k is 1."""
        return x if k == 1 and out is None else self.node("Mul", x, self.const(k), out=out)

    def reduce(self, op_type, x, axes, keepdims, out=None):
        """ReduceMax / ReduceMin / ReduceSum over `axes`: an attribute before opset 18 (13 for ReduceSum)."""
        if op_type == "ReduceSum" or self.opset >= 18:
            return self.node(op_type, x, self.ints(axes), out=out, keepdims=int(keepdims))
        return self.node(op_type, x, out=out, axes=list(axes), keepdims=int(keepdims))


def _simple(op_type, method):
    """An op that is one ONNX node without attributes, and the public function that recomputes it."""
    return lambda xs, p, node: method(*xs), lambda b, ins, out, p, node: b.node(op_type, *ins, out=out)


def _linear(b, ins, out, p, node):                     # x @ W + b, W (in, out)
    xw = b.node("MatMul", ins[0], ins[1], out=out if len(ins) == 2 else None)
    if len(ins) == 3:
        b.node("Add", xw, ins[2], out=out)


def _leaky_relu(b, ins, out, p, node):                 # x where x > 0, s x elsewhere
    (x,) = ins
    b.node("Where", b.node("Greater", x, b.const(0)), x, b.node("Mul", x, b.const(p["s"])), out=out)


def _log1p_exp_neg_abs(b, z):                          # log(1 + e^-|z|), never overflows
    return b.node("Log", b.node("Add", b.node("Exp", b.node("Neg", b.node("Abs", z))), b.const(1)))


def _softplus_of(b, z):                                # max(z, 0) + log(1 + e^-|z|)
    return b.node("Add", b.node("Max", z, b.const(0)), _log1p_exp_neg_abs(b, z))


def _softplus(b, ins, out, p, node):                   # softplus(beta x) / beta; x where beta x > threshold
    (x,) = ins
    z = b.scale(x, p["beta"])
    soft = b.node("Div", _softplus_of(b, z), b.const(p["beta"]))
    b.node("Where", b.node("Greater", z, b.const(p["threshold"])), x, soft, out=out)


def _mish(b, ins, out, p, node):                       # x tanh(softplus(x))
    b.node("Mul", ins[0], b.node("Tanh", _softplus_of(b, ins[0])), out=out)


def _logsigmoid(b, ins, out, p, node):                 # min(x, 0) - log(1 + e^-|x|)
    b.node("Sub", b.node("Min", ins[0], b.const(0)), _log1p_exp_neg_abs(b, ins[0]), out=out)


def _softsign(b, ins, out, p, node):                   # x / (1 + |x|)
    b.node("Div", ins[0], b.node("Add", b.node("Abs", ins[0]), b.const(1)), out=out)


def _silu(b, ins, out, p, node):                       # x sigmoid(x)
    b.node("Mul", ins[0], b.node("Sigmoid", ins[0]), out=out)


def _gelu_tanh(b, ins, out, p, node):                  # x sigmoid(2k (x + c x^3)) = x (1 + tanh(k (x + c x^3))) / 2
    (x,) = ins
    cube = b.node("Mul", b.node("Mul", b.node("Mul", x, b.const(_TANH_C)), x), x)
    b.node("Mul", x, b.node("Sigmoid", b.scale(b.node("Add", x, cube), 2 * _TANH_K)), out=out)


def _gelu(b, ins, out, p, node):                       # x Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2
    (x,) = ins
    u = b.scale(x, _SQRT_HALF)
    erf = b.node("Erf", u) if b.dtype == np.float32 else _erf64(b, u)
    b.node("Mul", x, b.scale(b.node("Add", erf, b.const(1)), 0.5), out=out)


def _elu_family(b, ins, out, p, node):                 # x > 0: scale x; else scale alpha (e^(x input_scale) - 1)
    (x,) = ins
    neg = b.node("LessOrEqual", x, b.const(0))
    below = b.scale(b.node("Where", neg, x, b.const(0)), p["input_scale"])     # e^x only where x <= 0
    em1 = b.node("Sub", b.node("Exp", below), b.const(1))
    b.node("Where", neg, b.scale(em1, p["scale"] * p["alpha"]), b.scale(x, p["scale"]), out=out)


def _clip(b, ins, out, p, node):                       # min(max(x, lo), hi): number bounds, or tensors
    if len(ins) == 1:
        return b.node("Clip", ins[0], *("" if p[k] is None else b.const(p[k]) for k in ("lo", "hi")), out=out)
    x, bounds = ins[0], list(ins[1:])
    if p["has_lo"]:
        x = b.node("Max", x, bounds.pop(0), out=None if p["has_hi"] else out)
    if p["has_hi"]:
        b.node("Min", x, bounds.pop(0), out=out)


def _clip_again(xs, p, node):
    if len(xs) == 1:
        return xs[0].clip(p["lo"], p["hi"])
    return xs[0].clip(xs[1] if p["has_lo"] else None, xs[-1] if p["has_hi"] else None)


def _hard(b, ins, out, p, node):                       # hardsigmoid: clip(x + 3, 0, 6) / 6; hardswish: x times it
    six = b.node("Clip", b.node("Add", ins[0], b.const(3)), b.const(0), b.const(6))
    b.node("Div", six if op_name(node) == "hardsigmoid" else b.node("Mul", ins[0], six), b.const(6), out=out)


def _softmax(b, ins, out, p, node):
    b.node("Softmax" if op_name(node) == "softmax" else "LogSoftmax", ins[0], out=out, axis=int(p["ax"]))


def _reduced(p, node):
    """(axes, keepdims) of a reduction: the sum over everything keeps no `axes`."""
    ndim = node._parents[0].ndim
    return tuple(int(a) for a in p.get("axes", range(ndim))), node.ndim == ndim and ndim > 0


def _reduce(b, ins, out, p, node):
    op_type = {"max": "ReduceMax", "min": "ReduceMin", "sum": "ReduceSum"}[op_name(node)]
    b.reduce(op_type, ins[0], *_reduced(p, node), out=out)


def _perm(p):
    return tuple(int(a) for a in np.argsort(p["inverse"]))      # the vjp keeps the inverse permutation


def _reshape(b, ins, out, p, node):
    """Reshape to the recorded shape, with -1 where the size follows the batch (at most one such axis)."""
    moving = b.batch_axes[id(node)]
    if len(moving) > 1:
        raise ValueError(f"export_onnx: reshape to {node.shape} has {len(moving)} axes whose size follows the batch "
                         f"(axes {moving}); ONNX's Reshape infers one only: keep the batch on one axis")
    b.node("Reshape", ins[0], b.ints([-1 if k in moving else n for k, n in enumerate(node.shape)]), out=out)


def _erf64(b, t):
    """erf(t) in float64 from a table: about c = round(16 |t|) / 16, a 10-term Taylor polynomial in h = |t| - c
    (the first term left out is below 1e-16: within 3 units in the last place of math.erf)."""
    centres, coeffs = _ERF_TABLE
    a = b.node("Min", b.node("Abs", t), b.const(centres[-1]))    # erf(6) rounds to 1 in float64
    j = b.node("Cast", b.node("Round", b.scale(a, 16)), to=TensorProto.INT64)
    h = b.node("Sub", a, b.node("Gather", b.const(centres), j))  # |h| <= 1/32, exact
    powers = b.node("Pow", b.node("Unsqueeze", h, b.ints([-1])), b.const(np.arange(coeffs.shape[1])))
    terms = b.node("Mul", b.node("Gather", b.const(coeffs), j), powers)
    return b.node("Mul", b.node("Sign", t), b.reduce("ReduceSum", terms, [-1], False))


def _erf_table(steps=16, top=6.0, terms=10):
    """(centres j/16, [erf(c), erf'(c), erf''(c)/2!, ...] per centre): erf^(k)(c) = 2/sqrt(pi) (-1)^(k-1) H_(k-1)(c)
    e^(-c^2) for k >= 1, H the Hermite polynomials, as autograd/ops/special.py builds its own."""
    centres = np.arange(int(top * steps) + 1) / steps
    rows = []
    for c in centres:
        hermite = [1.0, 2 * c]                          # H_(n+1) = 2c H_n - 2n H_(n-1)
        for n in range(1, terms):
            hermite.append(2 * c * hermite[n] - 2 * n * hermite[n - 1])
        scale = 2 / math.sqrt(math.pi) * math.exp(-c * c)
        rows.append([math.erf(c)] + [scale * (-1) ** (k - 1) * hermite[k - 1] / math.factorial(k)
                                     for k in range(1, terms)])
    return centres, np.array(rows)


_ERF_TABLE = _erf_table()
_ag = autograd
OPS = {
    "add": _simple("Add", _ag.add), "sub": _simple("Sub", _ag.sub), "mul": _simple("Mul", _ag.mul),
    "div": _simple("Div", _ag.div), "neg": _simple("Neg", _ag.neg), "matmul": _simple("MatMul", _ag.matmul),
    "maximum": _simple("Max", _ag.maximum), "minimum": _simple("Min", _ag.minimum), "exp": _simple("Exp", _ag.exp),
    "log": _simple("Log", _ag.log), "sqrt": _simple("Sqrt", _ag.sqrt), "abs": _simple("Abs", _ag.abs),
    "relu": _simple("Relu", _ag.relu), "sigmoid": _simple("Sigmoid", _ag.sigmoid), "tanh": _simple("Tanh", _ag.tanh),
    "linear": (lambda xs, p, node: _ag.linear(*xs), _linear),
    "leaky_relu": (lambda xs, p, node: xs[0].leaky_relu(p["s"]), _leaky_relu),
    "softplus": (lambda xs, p, node: xs[0].softplus(p["beta"], p["threshold"]), _softplus),
    "mish": (lambda xs, p, node: xs[0].mish(), _mish),
    "logsigmoid": (lambda xs, p, node: xs[0].logsigmoid(), _logsigmoid),
    "softsign": (lambda xs, p, node: xs[0].softsign(), _softsign),
    "silu": (lambda xs, p, node: xs[0].silu(), _silu),
    "gelu": (lambda xs, p, node: xs[0].gelu(), _gelu),
    "gelu_tanh": (lambda xs, p, node: xs[0].gelu("tanh"), _gelu_tanh),
    "elu": (lambda xs, p, node: xs[0].elu(p["alpha"]), _elu_family),
    "selu": (lambda xs, p, node: xs[0].selu(), _elu_family),
    "celu": (lambda xs, p, node: xs[0].celu(p["alpha"]), _elu_family),
    "hardtanh": (lambda xs, p, node: xs[0].hardtanh(p["lo"], p["hi"]), _clip),
    "relu6": (lambda xs, p, node: xs[0].relu6(), _clip),
    "clip": (_clip_again, _clip),
    "hardsigmoid": (lambda xs, p, node: xs[0].hardsigmoid(), _hard),
    "hardswish": (lambda xs, p, node: xs[0].hardswish(), _hard),
    "softmax": (lambda xs, p, node: xs[0].softmax(p["ax"]), _softmax),
    "log_softmax": (lambda xs, p, node: xs[0].log_softmax(p["ax"]), _softmax),
    "max": (lambda xs, p, node: xs[0].max(*_reduced(p, node)), _reduce),
    "min": (lambda xs, p, node: xs[0].min(*_reduced(p, node)), _reduce),
    "sum": (lambda xs, p, node: xs[0].sum(*_reduced(p, node)), _reduce),
    "transpose": (lambda xs, p, node: xs[0].transpose(_perm(p)),
                  lambda b, ins, out, p, node: b.node("Transpose", ins[0], out=out, perm=list(_perm(p)))),
    "reshape": (lambda xs, p, node: xs[0].reshape(node.shape), _reshape),
    "**": (lambda xs, p, node: xs[0] ** p["k"], lambda b, ins, out, p, node: b.node("Pow", ins[0], b.const(p["k"]),
                                                                                     out=out)),
}
