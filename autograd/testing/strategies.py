"""Hypothesis strategies for gradient tests: arrays with safe element domains, shapes, axes, indices.

Domains keep finite differences honest: elements stay in a range where the op is smooth and
well-scaled, so a failing check means a wrong gradient, not a bad sample point.
"""
import functools

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# name -> (low, high) of |x| or x; bounds exactly representable in float16/32 so any width works
DOMAINS = {
    "real": (-3.0, 3.0),            # any smooth op: add, mul, exp, tanh, ...
    "positive": (0.25, 4.0),        # log, sqrt, a real power of the base
    "nonzero": (0.25, 3.0),         # |x| in this range, either sign: division, negative powers
    "unit": (-0.875, 0.875),        # inside (-1, 1): atanh, arcsin, log1p(-x)
}
KINK_STEP = 0.05        # "away_from_kinks": distinct elements, each KINK_STEP/2 from every multiple of KINK_STEP


@functools.lru_cache(maxsize=None)
def elements(domain="real", dtype=np.float64):
    """Strategy for one element in `domain` (a DOMAINS name or a (low, high) pair)."""
    width = np.dtype(dtype).itemsize * 8
    if isinstance(domain, st.SearchStrategy):
        return domain
    if isinstance(domain, str) and domain not in DOMAINS:
        raise ValueError(f"unknown domain {domain!r}; use one of {sorted(DOMAINS) + ['away_from_kinks']} "
                         "or a (low, high) pair")
    lo, hi = DOMAINS[domain] if isinstance(domain, str) else domain
    mag = st.floats(lo, hi, width=width, allow_nan=False, allow_infinity=False)
    if domain == "nonzero":
        return st.tuples(st.booleans(), mag).map(lambda t: -t[1] if t[0] else t[1])
    return mag


def arrays(shape=None, dtype=np.float64, domain="real"):
    """Strategy for float arrays of `shape` (a tuple or a strategy; default 0-3 dims of sides 1-3) in `domain`.

    domain: "real" [-3, 3]; "positive" [0.25, 4]; "nonzero" |x| in [0.25, 3]; "unit" [-0.875, 0.875];
    "away_from_kinks": distinct elements at least 0.025 from every multiple of 0.05 (so from 0, +-0.5,
    +-1, ... and from each other: safe for relu, abs, clip, max); or a (low, high) pair.
    """
    shape = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3) if shape is None else shape
    domain = tuple(domain) if isinstance(domain, list) else domain
    if not isinstance(shape, st.SearchStrategy):
        return _fixed(tuple(shape), np.dtype(dtype), domain)
    return shape.flatmap(lambda s: _fixed(tuple(s), np.dtype(dtype), domain))


@functools.lru_cache(maxsize=4096)
def _fixed(shape, dtype, domain):
    """arrays() of one shape (cached: building and validating strategies costs more than drawing)."""
    if domain == "away_from_kinks":
        return _lattice(shape, dtype)
    return hnp.arrays(dtype, shape, elements=elements(domain, dtype))


def _lattice(shape, dtype):
    n = int(np.prod(shape))
    if n > 120:
        raise ValueError(f"arrays(domain='away_from_kinks') holds at most 120 distinct elements, shape {shape} has {n}")
    ks = st.lists(st.integers(-60, 59), min_size=n, max_size=n, unique=True)
    return ks.map(lambda k: ((np.array(k, dtype=np.float64) + 0.5) * KINK_STEP).astype(dtype).reshape(shape))


def shapes(min_dims=0, max_dims=3, min_side=1, max_side=3):
    """Strategy for one array shape (min_side=0 allows empty arrays)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_shapes(n, min_dims=0, max_dims=3, min_side=1, max_side=3):
    """Strategy for a tuple of `n` shapes that broadcast together (size-1 and missing dims included)."""
    return hnp.mutually_broadcastable_shapes(num_shapes=n, min_dims=min_dims, max_dims=max_dims,
                                             min_side=min_side, max_side=max_side).map(lambda b: b.input_shapes)


@st.composite
def matmul_shapes(draw, max_batch_dims=2, min_side=1, max_side=3):
    """Strategy for a pair of shapes valid for `a @ b`: 1-d and 2-d operands, and broadcast batch dims."""
    n, k, m = (draw(st.integers(min_side, max_side)) for _ in range(3))
    vec_a, vec_b = draw(st.booleans()), draw(st.booleans())
    batch_a, batch_b = draw(broadcastable_shapes(2, max_dims=max_batch_dims, min_side=min_side, max_side=max_side))
    a = (k,) if vec_a else batch_a + (n, k)
    b = (k,) if vec_b else batch_b + (k, m)
    return a, b


@st.composite
def axes(draw, ndim):
    """Strategy for a reduction `axis` argument on `ndim` dims: None, an int or a tuple (negative axes too)."""
    kind = draw(st.sampled_from(["none", "int", "tuple"] if ndim else ["none", "tuple"]))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    chosen = draw(st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim)) if ndim else []
    return tuple(a - ndim if draw(st.booleans()) else a for a in chosen)


def axis(ndim):
    """Strategy for a single axis in [-ndim, ndim) (softmax, concatenate, ...)."""
    return st.integers(-ndim, ndim - 1)


def indices(shape, kind="basic"):
    """Strategy for an index into `shape`: "basic" (ints, slices, None, ...), "integer" (arrays, repeats) or "mask"."""
    if kind == "basic":
        return hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True)
    if kind == "integer":
        return hnp.integer_array_indices(shape, result_shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=4))
    if kind == "mask":
        return hnp.arrays(np.bool_, shape)
    raise ValueError(f"indices: kind must be 'basic', 'integer' or 'mask', got {kind!r}")


@st.composite
def reshape_targets(draw, shape):
    """Strategy for a shape with as many elements as `shape` (a -1 may stand for one dimension)."""
    size = int(np.prod(shape))
    dims = []
    rest = size
    for _ in range(draw(st.integers(0, 3))):                     # peel off divisors of what is left
        divisors = [d for d in range(1, rest + 1) if rest % d == 0] if rest else [0, 1]
        d = draw(st.sampled_from(divisors))
        dims.append(d)
        rest = rest // d if d else 0
    dims.append(rest if size else 0)
    dims = draw(st.permutations(dims))
    if size and draw(st.booleans()):
        dims[draw(st.integers(0, len(dims) - 1))] = -1
    return tuple(dims)


@st.composite
def broadcast_targets(draw, shape, max_side=3):
    """Strategy for a shape that `shape` broadcasts to (new leading dims, size-1 dims grown)."""
    lead = draw(st.lists(st.integers(0 if 0 in shape else 1, max_side), max_size=2))
    grown = [draw(st.integers(1, max_side)) if n == 1 else n for n in shape]
    return tuple(lead) + tuple(grown)


@st.composite
def concat_shapes(draw, n, min_side=1, max_side=3):
    """Strategy for `n` shapes (1-3 dims) equal except along one axis, as `concatenate` needs."""
    base = list(draw(shapes(1, 3, min_side, max_side)))
    ax = draw(st.integers(0, len(base) - 1))
    out = []
    for _ in range(n):
        base[ax] = draw(st.integers(min_side, max_side))
        out.append(tuple(base))
    return tuple(out)
