"""`check_op`: property-test one op's gradient over hypothesis-drawn inputs, in one call.

    check_op(lambda x: x.tanh())                                   # elementwise, real inputs
    check_op(lambda a, b: a / b, arity=2, domain=("real", "nonzero"))
    check_op(lambda x, axis, keepdims: x.sum(axis, keepdims), params=lambda shapes:
             st.fixed_dictionaries({"axis": axes(len(shapes[0])), "keepdims": st.booleans()}))

Call it from a plain test function (not from inside another @given test). The number of examples
comes from the active hypothesis profile unless `max_examples` is given.
"""
import numbers

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ..tensor import Tensor
from ..value import Value
from .properties import backward, check_all
from ..gradcheck import gradcheck, gradgradcheck
from .strategies import arrays, broadcastable_shapes

_KINDS = ("tensor", "value", "both")


def _shape_strategy(shapes, arity, kind):
    if kind == "value":
        return st.just(((),) * arity)
    if shapes is None:
        return broadcastable_shapes(arity)
    if isinstance(shapes, st.SearchStrategy):
        return shapes
    return st.just(tuple(tuple(s) for s in shapes))


def _domains(domain, arity):
    single = isinstance(domain, (str, st.SearchStrategy)) or (
        isinstance(domain, tuple) and len(domain) == 2 and all(isinstance(d, numbers.Real) for d in domain))
    if single:
        return [domain] * arity
    if len(domain) != arity:
        raise ValueError(f"check_op: {len(domain)} domains given for an op of arity {arity}")
    return list(domain)


def _params(params, shapes):
    """params as a strategy of dicts: a dict may hold strategies as values; a callable gets the drawn shapes."""
    if params is None:
        return st.just({})
    if callable(params) and not isinstance(params, st.SearchStrategy):
        params = params(shapes)
    if isinstance(params, dict):
        return st.fixed_dictionaries({k: v if isinstance(v, st.SearchStrategy) else st.just(v)
                                      for k, v in params.items()})
    return params


@st.composite
def cases(draw, arity=1, domain="real", kind="tensor", shapes=None, params=None, dtype=np.float64):
    """Strategy for (list of input arrays, params dict), as `check_op` draws them."""
    shp = draw(_shape_strategy(shapes, arity, kind))
    if len(shp) != arity:
        raise ValueError(f"check_op: the shapes strategy gave {len(shp)} shapes for an op of arity {arity}")
    prm = draw(_params(params, shp))
    return [draw(arrays(s, dtype, d)) for s, d in zip(shp, _domains(domain, arity))], prm


def _leaves(datas, kind):
    if kind == "value":
        return [Value(float(d)) for d in datas]
    return [Tensor(d, requires_grad=True) for d in datas]


def _run(kinds, strategy, test, max_examples, shrink):
    overrides = {"database": None, "report_multiple_bugs": False,     # one AssertionError, the simplest case
                 "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
    if max_examples is not None:
        overrides["max_examples"] = max_examples
    if not shrink:
        overrides["phases"] = [p for p in settings.default.phases if p != Phase.shrink]
    for kind in kinds:
        given(case=strategy(kind))(settings(**overrides)(_bind(test, kind)))()
    return True


def _bind(test, kind):
    def run(case):
        test(kind, *case)
    return run


def _kinds(kind):
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {_KINDS}, got {kind!r}")
    return ("tensor", "value") if kind == "both" else (kind,)


def check_forward_against(op, reference, datas, prm, kind, rtol=1e-10, atol=1e-12):
    """op on nodes made from `datas` equals reference(*datas, **prm) in shape and value."""
    out = op(*_leaves(datas, kind), **prm)
    expected = np.asarray(reference(*datas, **prm))
    got = np.asarray(out.data)
    if got.shape != expected.shape:
        raise AssertionError(f"forward: shape {got.shape} but the reference gives {expected.shape}")
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, err_msg="forward differs from the reference")
    return out


def check_op(op, arity=1, domain="real", *, kind="tensor", shapes=None, params=None, reference=None,
             dtype=np.float64, eps=1e-6, atol=0.0, rtol=1e-6, properties=True, second_order=False,
             max_examples=None, shrink=True):
    """Property-test `op`'s gradient (and its forward against `reference`) on drawn inputs; True or AssertionError.

    op(*inputs, **params) -> one Tensor/Value. domain: one for all inputs or one per input (see `arrays`).
    kind: "tensor", "value" (scalars) or "both". shapes: a strategy of `arity` shapes, or fixed shapes
    (default: broadcastable). params: dict, strategy of dicts, or `shapes -> strategy` for shape-dependent
    arguments (axis, index); a dict's values may be strategies.
    rtol (1e-6, tighter than `gradcheck`'s 1e-5) is the relative error accepted on top of the finite differences'
    own estimated error, atol extra absolute slack (default 0; see `autograd.gradcheck`): a gradient 0.1% off
    fails at any scale.
    properties: also check shapes/dtypes, seed linearity, adjoint, determinism, no mutation/sharing.
    second_order: also `gradgradcheck` (needs a vjp written with engine ops, see autograd.function).
    shrink=False reports the first failing example as drawn instead of minimizing it (faster).
    """
    def test(kind, datas, prm):
        if reference is not None:
            check_forward_against(op, reference, datas, prm, kind)
        inputs = _leaves(datas, kind)
        f = (lambda *xs: op(*xs, **prm)) if prm else op
        if properties:
            check_all(f, *inputs, eps=eps, atol=atol, rtol=rtol)
        else:
            gradcheck(f, *inputs, eps=eps, atol=atol, rtol=rtol)
        if second_order:
            gradgradcheck(f, *inputs, eps=eps, atol=atol, rtol=rtol)
    return _run(_kinds(kind), lambda k: cases(arity, domain, k, shapes, params, dtype), test, max_examples, shrink)


def check_forward(op, reference, arity=1, domain="real", *, kind="tensor", shapes=None, params=None,
                  dtype=np.float64, rtol=1e-10, atol=1e-12, max_examples=None, shrink=True):
    """Check `op`'s forward against `reference` (numpy) on drawn inputs, and the shapes of its gradients.

    Cheap (no finite differences), so `shapes` may include empty arrays (e.g. `broadcastable_shapes(2, min_side=0)`).
    """
    def test(kind, datas, prm):
        check_forward_against(op, reference, datas, prm, kind, rtol, atol)
        inputs = _leaves(datas, kind)
        _, _, grads = backward(lambda *xs: op(*xs, **prm), inputs)
        for k, (x, g) in enumerate(zip(inputs, grads)):
            if g is not None and np.shape(g) != np.shape(x.data):
                raise AssertionError(f"input {k} of shape {np.shape(x.data)} got a gradient of shape {np.shape(g)}")
    return _run(_kinds(kind), lambda k: cases(arity, domain, k, shapes, params, dtype), test, max_examples, shrink)
