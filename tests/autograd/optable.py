"""The op table's machinery: `row(...)` describes one primitive, `table_tests(ROWS)` makes its three tests.

Each area's test file (test_ops_grad.py, test_math_ops.py, ...) lists its rows and calls table_tests:
`test_grad` runs check_op (finite differences in float64 plus the gradient properties) over
hypothesis-drawn shapes including 0-d, size-1 and broadcasting ones; `test_second_derivatives` runs
gradgradcheck through each vjp on a few drawn inputs; `test_forward_with_empty_arrays` checks the
forward against numpy on shapes with zero-size dimensions and that backward returns gradients of the
inputs' shapes.
"""
import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st

from autograd.testing import arrays, axes, axis, broadcastable_shapes, check_forward, check_op, shapes


def row(name, fn, ref, arity=1, domain="real", shapes=None, params=None, empty=True, smooth=True, **tol):
    """A table row; `empty`: True (default shapes with zero sides), a shapes strategy, or False (no empty check);
    `smooth`: False where the first derivative jumps at points the domain can draw (no second-order check)."""
    return pytest.param(dict(fn=fn, ref=ref, arity=arity, domain=domain, shapes=shapes, params=params,
                             empty=empty, smooth=smooth, tol=tol), id=name)


def given_shape(make):
    """params for a unary op, drawn from the input's shape."""
    return lambda shps: make(shps[0])


def reduce_params(shape):
    return st.fixed_dictionaries({"axis": axes(len(shape)), "keepdims": st.booleans()})


@st.composite
def var_params(draw, shps):
    shape = shps[0]
    ax = draw(axes(len(shape)))
    norm = range(len(shape)) if ax is None else [ax] if isinstance(ax, int) else ax
    n = int(np.prod([shape[a] for a in norm]))
    return {"axis": ax, "keepdims": draw(st.booleans()), "ddof": draw(st.sampled_from([0, 1] if n > 1 else [0]))}


def axis_params(shape):
    return st.fixed_dictionaries({"axis": axis(len(shape))})


@st.composite
def flatten_params(draw, shps):
    n = len(shps[0])
    start = draw(st.integers(0, n - 1))
    end = draw(st.integers(start, n - 1))
    return {"start_dim": start - n if draw(st.booleans()) else start,
            "end_dim": end - n if draw(st.booleans()) else end}


@st.composite
def squeeze_params(draw, shps):
    ones = [i for i, n in enumerate(shps[0]) if n == 1]
    return {"axis": draw(st.one_of(st.none(), st.sampled_from(ones) if ones else st.none()))}


def concat_axis(shps):
    nd = len(shps[0])
    ok = [a for a in range(nd) if all(s[:a] + s[a + 1:] == shps[0][:a] + shps[0][a + 1:] for s in shps)]
    return st.fixed_dictionaries({"axis": st.sampled_from(ok + [a - nd for a in ok])})


def mask_params(shps):
    return st.fixed_dictionaries({"cond": arrays(np.broadcast_shapes(*shps), np.bool_, st.booleans())})


@st.composite
def linear_shapes(draw, bias=True, min_side=1, min_features=1):
    """x (..., in), W (in, out) and b (out,) for `linear` (min_side for the batch dims)."""
    n_in, n_out = draw(st.integers(min_features, 3)), draw(st.integers(min_features, 3))
    batch = draw(shapes(min_dims=0, max_dims=2, min_side=min_side))
    return (batch + (n_in,), (n_in, n_out)) + (((n_out,),) if bias else ())


@st.composite
def cross_entropy_params(draw, shps):
    n, c = shps[0]
    targets = draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)) if c else [0] * n
    return {"targets": np.array(targets, dtype=np.int64), "reduction": draw(st.sampled_from(["mean", "sum", "none"]))}


def cross_entropy_ref(x, targets, reduction):
    losses = np.log(np.exp(x).sum(1)) - x[np.arange(len(targets)), targets]
    return {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction](losses)


def sided(min_side):
    return shapes(min_dims=1, min_side=min_side)


def same_shapes(n, min_side=1):
    return shapes(min_side=min_side).map(lambda s: (s,) * n)



def table_tests(rows):
    """(test_grad, test_second_derivatives, test_forward_with_empty_arrays) over `rows`."""
    smooth = [p for p in rows if p.values[0]["smooth"]]
    with_empty = [p for p in rows if p.values[0]["empty"] is not False]

    @pytest.mark.parametrize("r", rows)
    @pytest.mark.filterwarnings("ignore:divide by zero encountered in log")     # references on empty axes: -inf
    def test_grad(r):
        check_op(r["fn"], r["arity"], r["domain"], shapes=r["shapes"], params=r["params"], reference=r["ref"],
                 **r["tol"])

    @pytest.mark.parametrize("r", smooth)
    def test_second_derivatives(r):
        """Every vjp is written with engine ops, so backward(create_graph=True) must differentiate it correctly."""
        check_op(r["fn"], r["arity"], r["domain"], shapes=r["shapes"], params=r["params"], properties=False,
                 second_order=True, max_examples=max(5, settings.default.max_examples // 6), **r["tol"])

    @pytest.mark.parametrize("r", with_empty)
    @pytest.mark.filterwarnings("ignore:divide by zero encountered in log")     # references on empty axes: -inf
    @pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:invalid value encountered",  # mean of none
                                "ignore:divide by zero encountered in divide")
    def test_forward_with_empty_arrays(r):
        empty = r["empty"]
        if empty is True:
            empty = broadcastable_shapes(r["arity"], min_side=0) if r["shapes"] is None else None
        check_forward(r["fn"], r["ref"], r["arity"], r["domain"], shapes=empty, params=r["params"])

    return test_grad, test_second_derivatives, test_forward_with_empty_arrays
