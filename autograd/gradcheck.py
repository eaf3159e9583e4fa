"""Compare the engine's gradients with central differences, with a tolerance made of the differences' own error.

`gradcheck(f, *inputs)` seeds backward with a random cotangent v and checks v^T J against central
differences of phi(s) = <v, f(x + s u)> for u = each input element in turn; `fast=True` checks one
random direction u per input (two evaluations of f instead of two per element). `gradgradcheck`
applies the same test to the gradient itself, computed with `create_graph=True`; `check_adjoint`
(autograd.testing) to one direction over all inputs at once. All share the judge in
`autograd.testing.finite_differences`.

What is compared, for a step t = eps:
    numeric   n = (phi(t) - phi(-t)) / w            analytic   a = <v^T J, d> / w
where d = fl(x + t u) - fl(x - t u) is the displacement actually taken (x +- t u rounded to the input's
dtype) and w = <d, u> / <u, u> its length along u; for one element, a is that element of v^T J. Measuring
the analytic side along the step actually taken makes rounding of x +- t u exact; where most of a step
rounds away (|x| huge for eps, or float32) a ValueError says which eps would work. phi(t) - phi(-t) is
summed as <v, f(x + t u) - f(x - t u)>, so outputs the step does not move cancel exactly.

The error of n is estimated for each element (or projection), never assumed:
  rounding    one evaluation of f is taken to be off by c ulps of its size sum_i |v_i f_i| (c = NOISE_ULPS
              = 16; ulps of the largest machine epsilon among f's output and inputs, never finer than a
              subnormal), so n carries noise <= 2 c (eps_mach size + tiny sum_i |v_i|) / w. For
              gradgradcheck the gradient being differenced is computed from f's rounded values, so
              |v f| max|w| is added to the size of <w, v^T J>.
  truncation  n - phi'(0) = phi'''(0) t^2 / 6 + O(t^4): ~1e-12 relative for features of size 1, so it is
              looked at only where the comparison fails. There the difference is redone with step 2t; with
              e = n - a at each step, an error that grows 12x or more with the same sign is truncation of
              order t^4 or higher (x^9 at 0) and is allowed as it is (a wrong vjp could hide there only
              below the truncation error of step 2t). Otherwise n is extrapolated to n_R = a + (4 e_t - e_2t)/3
              (Richardson: the t^2 terms cancel, and a wrong vjp shifts e_t and e_2t alike, so it survives
              intact), the noise is also measured, as the scatter of phi about straight lines through six
              points near each of +-t (spaced t/4096), the larger of modelled and measured noise is kept,
              times 1.5 for the extrapolation, and 1% of the correction |n - n_R| is allowed for the t^4 term.
An element passes when
    |a - n| <= atol + rtol * max(|a|, |n|) + noise [+ truncation]      (n -> n_R where extrapolated).
rtol is the relative error accepted (default 1e-5, check_op 1e-6); atol an extra absolute slack in the
units of v^T J, default 0: the noise term is the floor, and it scales with f, so no fixed number hides
small gradients. With f = 1e-7 sin(x) a vjp 2x wrong is off by ~1e-7 against a tolerance of ~1e-12
(rtol * 1e-7 + noise ~1e-16), where the former atol = 1e-5 let it through; a vjp 0.1% wrong is off by
100 rtol at every scale from 1e-300 to 1e300 at which f's values are resolved over eps.

What it cannot see: an error smaller than the rounding of the whole <v, f>: a 1e-7 output next to a 1e7
one, or a slope of 1e-12 on an output of size 1 (1 + 1e-18 is 1), moves phi by less than its noise, so
check such outputs on their own (f(x)[i]). f computed with cancellation (intermediates far larger than its
output, e.g. the vjp of a saturated softmax under gradgradcheck) is noisier than the model and, when its
noise comes in steps wider than eps, than the measurement: a failure there shows steps eps and 2*eps that
"do not settle"; check at better-conditioned points or with a larger eps. At a kink the central difference
averages the one-sided slopes and both steps agree, so the vjp is compared with that average (abs at 0:
sign(0) = 0 passes; relu at 0: 0 fails against 0.5); within 2 eps of a kink the steps disagree and the
failure says they do not settle. nan or inf in f's output (at x or at the shifted points) or in the
gradient fails loudly. float32 inputs get a RuntimeWarning: their differences are too noisy at eps = 1e-6.
"""
import warnings

import numpy as np

from . import engine
from .grad_mode import enable_grad, no_grad
from .tensor import Tensor
from .testing.finite_differences import Direction, Tolerance, compare, machine_eps, make_seed, require_finite
from .value import Value


def leaves(inputs, who="gradcheck", warn=True):
    """The distinct inputs that require grad (Values and Tensors); `warn` about low precision for finite differences."""
    nodes, seen = [], set()
    for x in inputs:
        if isinstance(x, (Tensor, Value)) and x.requires_grad and id(x) not in seen:
            seen.add(id(x))
            nodes.append(x)
    if not nodes:
        raise ValueError(f"{who}: no input requires grad; pass Tensors with requires_grad=True or Values")
    for x in nodes if warn else ():
        if isinstance(x, Tensor) and x.dtype != np.float64:
            warnings.warn(f"{who}: input of dtype {x.dtype} (shape {x.shape}); finite differences in "
                          "low precision are too noisy to judge a gradient. Use float64 inputs.",
                          RuntimeWarning, stacklevel=3)
    return nodes


def output_array(out, who="gradcheck"):
    """The data of f's result as a float64 array."""
    if not isinstance(out, (Tensor, Value)):
        raise TypeError(f"{who}: f must return a Tensor or Value, got {type(out).__name__}")
    return np.array(out.data, dtype=np.float64)


def cotangent(rng, shape):
    """A random seed gradient for an output of `shape` (1 for a single element)."""
    return rng.standard_normal(shape) if int(np.prod(shape)) > 1 else np.ones(shape)


def vjp(f, inputs, nodes, v, create_graph=False):
    """(f(*inputs), [v^T df/dx for x in nodes]) without touching any `.grad`; None where f ignores x."""
    out = f(*inputs)
    output_array(out)
    if not out.requires_grad:
        return out, [None] * len(nodes)
    if isinstance(v, (Tensor, Value)):          # a node: the gradient is also a function of the seed
        seed = v
    elif isinstance(out, Value):
        seed = Value._lift(float(v)) if create_graph else float(v)
    else:
        seed = np.array(v, dtype=out.dtype).reshape(out.shape)
        seed = Tensor._lift(seed) if create_graph else seed
    return out, engine.run_backward(out, seed, create_graph, create_graph, inputs=nodes)


def as_array(g, x):
    """A gradient (or None) as a float64 array of x's shape."""
    if g is None:
        return np.zeros(np.shape(x.data))
    return np.array(g.data if isinstance(g, (Tensor, Value)) else g, dtype=np.float64)


def _name(k, x):
    label = getattr(x, "label", "")
    return f"input {k}" + (f" ({label!r})" if label else "")


def gradcheck(f, *inputs, eps=1e-6, atol=0.0, rtol=1e-5, fast=False, seed=0):
    """True if the engine's gradient of f matches central differences within their estimated error, else
    AssertionError naming the worst element. rtol: relative error accepted; atol: extra absolute slack."""
    return _check(f, inputs, eps, atol, rtol, fast, seed, "gradcheck")


def _check(f, inputs, eps, atol, rtol, fast, seed, who, size_f=0.0):
    nodes = leaves(inputs, who)
    rng = np.random.default_rng(seed)
    with no_grad():
        out = f(*inputs)
        data = output_array(out, who)
    require_finite(data, who)
    tol = Tolerance(eps, atol, rtol, *machine_eps(out, nodes), who, size_f)
    v = cotangent(rng, data.shape)
    analytic = make_seed(v, vjp(f, inputs, nodes, v)[1], nodes)
    for k, x in enumerate(nodes):
        shape, name = np.shape(x.data), _name(k, x)
        if fast:
            directions = [Direction((), [x], [name], [k], [rng.standard_normal(shape)])]
            head = f"{who} (fast: v.J.u) failed for {name}, along a random direction u of shape ()"
        else:
            directions = [Direction(i, [x], [name], [k], [_one_hot(shape, i)]) for i in np.ndindex(*shape)]
            head = f"{who} failed for {name} of shape {shape}"
        failure = compare(f, inputs, directions, analytic, tol)
        if failure is not None:
            raise AssertionError(f"{head}: {failure.describe()}")
    return True


def _one_hot(shape, index):
    e = np.zeros(shape)
    e[index] = 1.0
    return e


def gradgradcheck(f, *inputs, eps=1e-6, atol=0.0, rtol=1e-5, fast=False, seed=0):
    """True if f's second derivatives (backward with `create_graph=True`) match central differences of its gradient.

    As PyTorch's, it differentiates the gradient v^T J with respect to the inputs and to the seed v, so a vjp
    that detaches its incoming gradient under create_graph fails even where J is constant (a linear op)."""
    nodes = leaves(inputs, "gradgradcheck")
    if len({type(x) for x in nodes}) > 1:
        raise TypeError("gradgradcheck: inputs mix Value and Tensor; check each kind separately")
    rng = np.random.default_rng(seed + 1)
    with no_grad():
        out = output_array(f(*inputs), "gradgradcheck")
    require_finite(out, "gradgradcheck")
    v = cotangent(rng, out.shape)
    ws = [rng.standard_normal(np.shape(x.data)) for x in nodes]
    size_f = float(np.sum(np.abs(v * out))) * max(float(np.max(np.abs(w), initial=0.0)) for w in ws)
    seed_node = (Value(float(v), label="seed v (gradient of the output)") if isinstance(nodes[0], Value)
                 else Tensor(v, requires_grad=True, label="seed v (gradient of the output)"))

    def first_order(*args):                  # s(x, v) = sum_i <w_i, (v^T J)_i>, differentiable through the engine
        *xs, seed_arg = args
        with enable_grad():
            _, grads = vjp(f, xs, nodes, seed_arg, create_graph=True)
        terms = [_dot(g, w) for g, w in zip(grads, ws) if g is not None]
        if not terms:
            return Tensor(0.0) if isinstance(nodes[0], Tensor) else Value._lift(0.0)
        return sum(terms[1:], terms[0])
    return _check(first_order, (*inputs, seed_node), eps, atol, rtol, fast, seed, "gradgradcheck", size_f)


def _dot(g, w):
    if isinstance(g, Value):
        return g * float(w)
    return (g * w).sum()
