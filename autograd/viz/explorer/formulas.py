"""What each op's vjp computes, in one line: the formula the explorer shows beside a tensor op's numbers.

g is the upstream gradient (the output's shape), out the op's output; a, b its inputs. The engine sums each
result back to its input's shape afterwards (broadcasting), which the page shows as a step of its own.
"""
import re

FORMULAS = {
    # arithmetic (Tensor op names, then the Value operators)
    "add": "add: da = g, db = g",
    "sub": "sub: da = g, db = -g",
    "mul": "mul: da = g * b, db = g * a",
    "div": "div: da = g / b, db = -g * out / b",
    "pow": "pow: da = g * b * a^(b-1), db = g * out * log(a)",
    "neg": "neg: da = -g",
    "+": "+: da = g, db = g",
    "-": "-: da = g, db = -g",
    "*": "*: da = g * b, db = g * a",
    "/": "/: da = g / b, db = -g * out / b",
    "**": "**: da = g * b * a^(b-1), db = g * out * log(a)",
    # functions of one input
    "exp": "exp: da = g * out  (d/dx e^x = e^x)",
    "log": "log: da = g / a",
    "sqrt": "sqrt: da = g / (2 * out)",
    "tanh": "tanh: da = g * (1 - out^2)",
    "sigmoid": "sigmoid: da = g * out * (1 - out)",
    "relu": "relu: da = g * (a > 0)  (no gradient where the unit is off)",
    "leaky_relu": "leaky_relu: da = g * (1 where a > 0, else the slope)",
    "abs": "abs: da = g * sign(a)",
    "clip": "clip: da = g * (lo <= a <= hi)",
    "maximum": "maximum: da = g where a won (half at ties), db = the rest",
    "minimum": "minimum: da = g where a won (half at ties), db = the rest",
    "where": "where: da = g where cond, db = g elsewhere",
    "astype": "astype: da = g cast back to a's dtype",
    # reductions
    "sum": "sum: da = g broadcast back over the summed axes",
    "max": "max: da = g at the maximal entries (split at ties), 0 elsewhere",
    "min": "min: da = g at the minimal entries (split at ties), 0 elsewhere",
    "logsumexp": "logsumexp: da = g * softmax(a)",
    "softmax": "softmax: da = out * (g - sum(g * out))",
    "log_softmax": "log_softmax: da = g - softmax(a) * sum(g)",
    # linear algebra and fused layers
    "matmul": "matmul: dA = g @ B^T, dB = A^T @ g",
    "linear": "linear (x @ W + b): dx = g @ W^T, dW = x^T @ g, db = g summed over the batch",
    "softmax_cross_entropy": "softmax_cross_entropy: dlogits = g * (softmax(logits) - onehot(targets)) / n",
    # shape ops
    "reshape": "reshape: da = g reshaped to a's shape",
    "transpose": "transpose: da = g transposed back",
    "broadcast_to": "broadcast_to: da = g, summed back to a's shape",
    "getitem": "indexing: da = zeros of a's shape with g added at the picked positions",
    "index_add": "index_add: da = g at the scattered positions",
    "concatenate": "concatenate: each input gets its slice of g",
    "stack": "stack: each input gets its slice of g",
}
_POWER = re.compile(r"\*\*(.+)")


def formula(op):
    """The one-line vjp formula of `op` (a constant power '**3' included), or a generic line for any other op
    (a user primitive, an in-place op)."""
    if op in FORMULAS:
        return FORMULAS[op]
    m = _POWER.fullmatch(op)
    if m:
        return f"{op}: da = g * {m.group(1)} * a^({m.group(1)}-1)"
    return f"{op}: the op's own vjp (gradient per input from g)"
