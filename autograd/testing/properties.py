"""Properties every correct gradient has, each a function `check_*(f, *inputs)` that returns True or
raises AssertionError. They need only numpy and the engine (no hypothesis).

`f` maps the inputs (Tensors and/or Values; those with requires_grad are differentiated) to one
Tensor or Value. Gradients are read from `.grad`, the path users take; each check restores the
inputs' `.grad` afterwards.
"""
import contextlib
import itertools

import numpy as np

from ..gradcheck import as_array, cotangent, gradcheck, leaves
from ..tensor import Tensor
from ..value import Value
from .finite_differences import Direction, Tolerance, compare, machine_eps, make_seed, require_finite


@contextlib.contextmanager
def _fresh_grads(nodes):
    saved = [x.grad for x in nodes]
    for x in nodes:
        x.grad = 0.0 if isinstance(x, Value) else None
    try:
        yield
    finally:
        for x, g in zip(nodes, saved):
            x.grad = g


def backward(f, inputs, seed=None, retain_out=False):
    """(out, seed, grads): run f and out.backward(seed); grads are the leaves' raw `.grad` (None if unreached)."""
    nodes = leaves(inputs, "backward", warn=False)
    with _fresh_grads(nodes):
        out = f(*inputs)
        if not isinstance(out, (Tensor, Value)):
            raise TypeError(f"f must return a Tensor or Value, got {type(out).__name__}")
        if seed is None:
            seed = _default_seed(out)
        if isinstance(out, Value):
            seed = float(seed)
        else:
            seed = np.asarray(seed, dtype=out.dtype).reshape(out.shape)
            if retain_out and out.requires_grad and not out.is_leaf:
                out.retain_grad()
        if out.requires_grad:
            out.backward(seed)
        grads = [None if isinstance(x, Tensor) and x.grad is None else x.grad for x in nodes]
    return out, seed, grads


def _default_seed(out):
    return cotangent(np.random.default_rng(0), np.shape(out.data))


def _arrays(grads, nodes):
    return [as_array(g, x) for g, x in zip(grads, nodes)]


def _close(a, b, what, rtol=1e-7, atol=1e-9):
    scale = max(1.0, float(np.max(np.abs(b), initial=0.0)))
    if not np.allclose(a, b, rtol=rtol, atol=atol * scale, equal_nan=True):
        i = np.unravel_index(int(np.argmax(np.abs(np.asarray(a) - b))), np.shape(a)) if np.ndim(a) else ()
        at = tuple(int(k) for k in i)
        raise AssertionError(f"{what}: at index {at} {np.asarray(a)[i]!r} != {np.asarray(b)[i]!r}")


def check_gradient(f, *inputs, eps=1e-6, atol=0.0, rtol=1e-5, fast=False):
    """The engine's gradient agrees with central differences (this is `gradcheck`)."""
    return gradcheck(f, *inputs, eps=eps, atol=atol, rtol=rtol, fast=fast)


def check_grad_shapes(f, *inputs):
    """Each leaf's gradient has the leaf's shape and dtype (a float for a Value)."""
    nodes = leaves(inputs, "check_grad_shapes", warn=False)
    _, _, grads = backward(f, inputs)
    for k, (x, g) in enumerate(zip(nodes, grads)):
        if isinstance(x, Value):
            if not isinstance(g, float):
                raise AssertionError(f"input {k} is a Value but its grad is {type(g).__name__} {g!r}, not a float")
        elif g is not None and (type(g) is not np.ndarray or g.shape != x.shape or g.dtype != x.dtype):
            raise AssertionError(f"input {k} of shape {x.shape} and dtype {x.dtype} got a grad of "
                                 f"{type(g).__name__} shape {np.shape(g)} dtype {getattr(g, 'dtype', '?')}")
    return True


def check_seed_linearity(f, *inputs, seed=0):
    """vjp(a v1 + b v2) == a vjp(v1) + b vjp(v2), and a zero seed gives exactly zero gradients."""
    nodes = leaves(inputs, "check_seed_linearity", warn=False)
    rng = np.random.default_rng(seed)
    out = backward(f, inputs)[0]
    shape = np.shape(out.data)
    v1, v2 = rng.standard_normal(shape), rng.standard_normal(shape)
    a, b = rng.uniform(0.5, 2.0, size=2) * rng.choice([-1, 1], size=2)
    g1 = _arrays(backward(f, inputs, v1)[2], nodes)
    g2 = _arrays(backward(f, inputs, v2)[2], nodes)
    g12 = _arrays(backward(f, inputs, a * v1 + b * v2)[2], nodes)
    tol = max([1e-7] + [100 * np.finfo(x.data.dtype).eps for x in [out, *nodes] if isinstance(x, Tensor)])
    for k, (x, y, z) in enumerate(zip(g1, g2, g12)):        # rounding: the seed is cast to the output's dtype
        _close(z, a * x + b * y, f"gradient of input {k} is not linear in the seed "
               "(vjp(a v1 + b v2) vs a vjp(v1) + b vjp(v2))", rtol=tol, atol=tol)
    for k, g in enumerate(_arrays(backward(f, inputs, np.zeros(shape))[2], nodes)):
        if np.any(g != 0):
            raise AssertionError(f"a zero seed gave input {k} a nonzero gradient (max |g| = {np.max(np.abs(g)):.3g}): "
                                 "does the vjp ignore g?")
    return True


def check_adjoint(f, *inputs, eps=1e-6, atol=0.0, rtol=1e-5, seed=0):
    """<vjp(v), u> == <v, J u> for random v and a random direction u over all inputs (J u by central difference,
    judged with gradcheck's error model)."""
    nodes = leaves(inputs, "check_adjoint")
    rng = np.random.default_rng(seed)
    out, v, grads = backward(f, inputs)
    require_finite(np.asarray(out.data, dtype=np.float64), "check_adjoint")
    us = [rng.standard_normal(np.shape(x.data)) for x in nodes]
    names = [f"input {k}" for k in range(len(nodes))]
    tol = Tolerance(eps, atol, rtol, *machine_eps(out, nodes), "check_adjoint")
    direction = Direction((), nodes, names, list(range(len(nodes))), us)
    failure = compare(f, inputs, [direction], make_seed(v, grads, nodes), tol)
    if failure is not None:
        raise AssertionError(f"adjoint identity fails: <vjp(v), u> = {failure.ana:.10g} but <v, J u> = "
                             f"{failure.num:.10g} numerically ({failure.tolerance()}){failure.notes()}")
    return True


def check_deterministic(f, *inputs):
    """Two forward+backward passes give bit-identical outputs and gradients."""
    nodes = leaves(inputs, "check_deterministic", warn=False)
    (o1, _, g1), (o2, _, g2) = backward(f, inputs), backward(f, inputs)
    if not np.array_equal(o1.data, o2.data, equal_nan=True):
        raise AssertionError("two forward passes gave different outputs")
    for k, (a, b) in enumerate(zip(_arrays(g1, nodes), _arrays(g2, nodes))):
        if not np.array_equal(a, b, equal_nan=True):
            raise AssertionError(f"two backward passes gave input {k} different gradients "
                                 f"(max difference {np.nanmax(np.abs(a - b)):.3g})")
    return True


def check_no_mutation(f, *inputs):
    """Forward and backward leave every input's data and the seed unchanged (a vjp must not write into g)."""
    before = [np.array(x.data, copy=True) for x in inputs if isinstance(x, (Tensor, Value))]
    out, seed, _ = backward(f, inputs, retain_out=True)
    seed_copy = np.array(seed, copy=True)
    after = [x.data for x in inputs if isinstance(x, (Tensor, Value))]
    for k, (a, b) in enumerate(zip(before, after)):
        if not np.array_equal(a, b, equal_nan=True):
            raise AssertionError(f"input {k} was modified by f or its backward")
    if isinstance(out, Tensor) and out.grad is not None and not np.array_equal(out.grad, seed_copy, equal_nan=True):
        raise AssertionError("backward modified the seed gradient in place: a vjp wrote into its g")
    return True


def check_no_shared_grads(f, *inputs):
    """No two leaves' `.grad` arrays share memory, nor with any input's data or the seed."""
    leaves(inputs, "check_no_shared_grads", warn=False)
    _, seed, grads = backward(f, inputs)
    grads = [(f"the grad of input {k}", g) for k, g in enumerate(grads) if isinstance(g, np.ndarray)]
    others = [(f"the data of input {k}", x.data) for k, x in enumerate(inputs) if isinstance(x, Tensor)]
    others.append(("the seed", seed))
    for (n1, a), (n2, b) in itertools.chain(itertools.combinations(grads, 2), itertools.product(grads, others)):
        if np.shares_memory(a, b):
            raise AssertionError(f"{n1} shares memory with {n2}: an in-place update of one would corrupt the other")
    return True


def check_accumulates(f, *inputs):
    """Two backward passes without zeroing `.grad` give exactly twice the gradient of one."""
    nodes = leaves(inputs, "check_accumulates", warn=False)
    once = _arrays(backward(f, inputs)[2], nodes)
    with _fresh_grads(nodes):
        for _ in range(2):
            out = f(*inputs)
            if out.requires_grad:
                seed = _default_seed(out)
                out.backward(float(seed) if isinstance(out, Value) else seed)
        twice = _arrays([x.grad for x in nodes], nodes)
    for k, (a, b) in enumerate(zip(once, twice)):
        _close(b, 2 * a, f"input {k}: two backward passes did not accumulate to twice one pass")
    return True


def check_all(f, *inputs, eps=1e-6, atol=0.0, rtol=1e-5):
    """Every check above: numerical gradient, shapes and dtypes, seed linearity, determinism, no mutation,
    no shared memory, accumulation, adjoint identity."""
    check_gradient(f, *inputs, eps=eps, atol=atol, rtol=rtol)
    for check in (check_grad_shapes, check_seed_linearity, check_deterministic, check_no_mutation,
                  check_no_shared_grads, check_accumulates):
        check(f, *inputs)
    check_adjoint(f, *inputs, eps=eps, atol=atol, rtol=rtol)
    return True
