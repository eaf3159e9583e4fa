"""einsum, dot, outer, tensordot (ops/linalg.py): the op table against numpy, then PyTorch float64 comparisons."""
import itertools
import string

import numpy as np
import pytest
from hypothesis import strategies as st

import autograd as ag
from autograd.testing import broadcastable_shapes, shapes
from optable import row, table_tests

# Subscripts by number of operands: contractions, traces and diagonals (a letter repeated within an operand),
# letters summed inside one operand, ellipses (broadcast), implicit outputs (uppercase sorts first).
EQUATIONS = {
    1: ["ii->", "ii->i", "ij->ji", "ij->", "ji", "iji->j", "iij", "...ii->...i", "i...->...", "bA", "ij->j"],
    2: ["ij,jk->ik", "i,j->ij", "i,i->", "ij,ij->ij", "bij,bjk->bik", "...ij,...jk", "ii,i->i", "ij,j", "ijk,ik",
        "ii,jj->ij", "i...,...->...i", "iij,kj->ik"],
    3: ["ij,jk,kl->il", "i,i,i->", "ii,ij,j->", "...i,...i,i->..."],
}


@st.composite
def einsum_case(draw, arity, min_side=1):
    """(operand shapes) for one of EQUATIONS[arity]: one size per letter; a letter outside a repeat may be 1 in
    one operand (broadcast); '...' gets broadcastable shapes."""
    eq = draw(st.sampled_from(EQUATIONS[arity]))
    terms = eq.split("->")[0].split(",")
    size = {c: draw(st.integers(min_side, 3)) for c in string.ascii_letters}
    ells = iter(draw(broadcastable_shapes(arity, max_dims=2, min_side=min_side)))
    out = []
    for t in terms:
        ell = next(ells)
        dims = [1 if t.count(c) == 1 and draw(st.integers(0, 4)) == 0 else size[c] for c in t.replace("...", "")]
        head, _, tail = t.replace("...", "|").partition("|")
        out.append(tuple(dims[:len(head)]) + (ell if "..." in t else ()) + tuple(dims[len(head):]))
    return tuple(out)


def _diagonals_square(term, shape):
    """True when each letter repeated in `term` labels dimensions of one size."""
    head, _, tail = term.partition("...")
    if "..." not in term and len(term) != len(shape):
        return True                                             # numpy will refuse it anyway
    pairs = list(zip(head, shape)) + list(zip(tail, shape[len(shape) - len(tail):]))
    return all(len({n for d, n in pairs if d == c}) == 1 for c, _ in pairs)


def fitting(arity):
    """params: an equation from EQUATIONS[arity] that numpy accepts for the drawn shapes (the drawn one does)."""
    def params(shps):
        ok = []
        for eq in EQUATIONS[arity]:
            if not all(map(_diagonals_square, eq.split("->")[0].split(","), shps)):
                continue                                        # numpy takes 'ii' of shape (0, 2); we refuse it
            try:
                np.einsum(eq, *[np.zeros(s) for s in shps])
                ok.append(eq)
            except ValueError:
                pass
        return st.fixed_dictionaries({"eq": st.sampled_from(ok)})
    return params


def einsum_row(arity):
    return row(f"einsum_{arity}", lambda *xs, eq: ag.einsum(eq, *xs), lambda *xs, eq: np.einsum(eq, *xs), arity,
               shapes=einsum_case(arity), params=fitting(arity), empty=einsum_case(arity, min_side=0))


@st.composite
def dot_shapes(draw, min_side=1):
    """Shapes numpy's dot takes: a 0-d operand, or a's last axis against b's only or second-to-last axis."""
    k = draw(st.integers(min_side, 3))
    a = draw(shapes(max_dims=2, min_side=min_side)) + (k,)
    b = draw(st.sampled_from([(k,), (k, draw(st.integers(min_side, 3))),
                              (draw(st.integers(min_side, 2)), k, draw(st.integers(min_side, 3)))]))
    return draw(st.sampled_from([(a, b), ((), a), (b, ())]))


@st.composite
def tensordot_shapes(draw, min_side=1):
    a = draw(shapes(max_dims=3, min_side=min_side))
    kept = [n for n in a if draw(st.booleans())]                      # some of a's sizes reappear in b
    b = draw(st.permutations(kept + list(draw(shapes(max_dims=3 - len(kept), min_side=min_side)))))
    return a, tuple(b)


def tensordot_params(shps):
    a, b = shps
    ok = [n for n in range(min(len(a), len(b)) + 1) if a[len(a) - n:] == b[:n]]
    for n in (1, 2):
        for pa, pb in itertools.product(itertools.permutations(range(len(a)), n),
                                        itertools.permutations(range(len(b)), n)):
            if all(a[i] == b[j] for i, j in zip(pa, pb)):
                ok.append((list(pa), [j - len(b) for j in pb]))        # negative axes too
    return st.fixed_dictionaries({"axes": st.sampled_from(ok)})


ROWS = [
    einsum_row(1), einsum_row(2), einsum_row(3),
    row("dot", ag.dot, np.dot, 2, shapes=dot_shapes(), empty=dot_shapes(min_side=0)),
    row("outer", lambda a, b: a.outer(b), np.outer, 2),
    row("tensordot", lambda a, b, axes: ag.tensordot(a, b, axes), lambda a, b, axes: np.tensordot(a, b, axes), 2,
        shapes=tensordot_shapes(), params=tensordot_params, empty=tensordot_shapes(min_side=0)),
]

test_grad, test_second_derivatives, test_forward_with_empty_arrays = table_tests(ROWS)


# --- against PyTorch (float64): values and gradients of every operand ------------------------------------------
try:
    import torch
except ImportError:                         # the op table above still runs
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


def against_torch(ours, theirs, *arrays):
    xs = [ag.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out, ref = ours(*xs), theirs(*ts)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    v = np.random.default_rng(0).standard_normal(out.shape)
    out.backward(v)
    ref.backward(torch.tensor(v))
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12, atol=1e-12)


def arr(*shape, seed=0):
    return np.random.default_rng(seed + len(shape)).normal(size=shape)


EINSUMS = [("ii->", (3, 3)), ("ii->i", (3, 3)), ("iji->j", (2, 4, 2)), ("bii->bi", (2, 3, 3)),
           ("ij,jk", (2, 3), (3, 4)), ("...ij,...jk->...ik", (2, 1, 2, 3), (4, 3, 2)), ("...ij->ij", (2, 2, 3)),
           ("i...->", (2, 0, 3)),
           ("ba", (2, 3)), ("Ab,bA", (2, 3), (3, 2)), ("ii,i->i", (1, 1), (3,)), ("i,i,i->i", (4,), (1,), (4,)),
           ("iij,jk->ki", (3, 3, 2), (2, 0)), ("ijk,kji->", (2, 3, 4), (4, 3, 2))]


@needs_torch
@pytest.mark.parametrize("case", EINSUMS, ids=[e[0] for e in EINSUMS])
def test_einsum_matches_torch(case):
    eq, arrays = case[0], [arr(*s, seed=i) for i, s in enumerate(case[1:])]
    against_torch(lambda *xs: ag.einsum(eq, *xs), lambda *ts: torch.einsum(eq, *ts), *arrays)


@needs_torch
def test_einsum_takes_a_list_of_operands_like_torch():
    a, b = arr(2, 3), arr(3)
    against_torch(lambda x, y: ag.einsum("ij,j->i", [x, y]), lambda x, y: torch.einsum("ij,j->i", [x, y]), a, b)


@needs_torch
@pytest.mark.parametrize("ours, theirs, shapes", [
    (lambda a, b: ag.tensordot(a, b, 2), lambda a, b: torch.tensordot(a, b, 2), [(2, 3, 4), (3, 4, 5)]),
    (lambda a, b: ag.tensordot(a, b, axes=([0, -1], [2, 0])), lambda a, b: torch.tensordot(a, b, ([0, 2], [2, 0])),
     [(2, 3, 4), (4, 5, 2)]),
    (lambda a, b: ag.tensordot(a, b, dims=0), lambda a, b: torch.tensordot(a, b, 0), [(2, 3), (4,)]),
    (lambda a, b: ag.tensordot(a, b, 1), lambda a, b: torch.tensordot(a, b, 1), [(2, 0), (0, 3)]),
    (lambda a, b: a.dot(b), lambda a, b: a.dot(b), [(4,), (4,)]),
    (lambda a, b: ag.dot(a, b), lambda a, b: a @ b, [(2, 3), (3, 4)]),
    (lambda a, b: ag.dot(a, b), lambda a, b: a @ b, [(2, 2, 3), (3,)]),
    (lambda a, b: ag.dot(a, b), lambda a, b: torch.tensordot(a, b, ([2], [1])), [(2, 1, 3), (4, 3, 2)]),
    (lambda a, b: a.outer(b), lambda a, b: torch.outer(a, b), [(3,), (4,)]),
    (lambda a, b: ag.outer(a, b), lambda a, b: torch.outer(a.reshape(-1), b.reshape(-1)), [(2, 2), (0,)]),
])
def test_products_match_torch(ours, theirs, shapes):
    against_torch(ours, theirs, *[arr(*s, seed=i) for i, s in enumerate(shapes)])


def test_einsum_sums_ellipsis_dims_missing_from_an_explicit_output_as_torch_does():
    x = arr(2, 3, 4)
    with pytest.raises(ValueError):
        np.einsum("...ij->ij", x)                                       # numpy refuses this spelling
    np.testing.assert_allclose(ag.einsum("...ij->ij", x).data, x.sum(0))


@pytest.mark.parametrize("eq", ["ij->ji", "ii->i", "ij", "...->..."])
def test_einsum_results_own_their_memory(eq):
    """numpy returns views for these; an in-place change of the result must not reach the input."""
    x = ag.tensor(arr(3, 3))
    before = x.data.copy()
    ag.einsum(eq, x).add_(1.0)
    np.testing.assert_array_equal(x.data, before)


def test_einsum_second_derivatives_through_the_gradient_path():
    """f = sum(einsum(x, x)^2): the gradient depends on x through g and through the other operand."""
    def f(eq):
        return lambda x: (ag.einsum(eq, x, x * 2) ** 2).sum()
    for eq, shape in [("ij,jk->ik", (3, 3)), ("ii,ij->j", (3, 3)), ("...i,...i", (2, 3))]:
        assert ag.gradgradcheck(f(eq), ag.tensor(arr(*shape), requires_grad=True))


@pytest.mark.parametrize("call, error, match", [
    (lambda: ag.einsum("ij,jk", arr(2, 3), arr(4, 2)), ValueError, r"einsum: 'ij,jk' on shapes \[\(2, 3\), \(4, 2\)\]"),
    (lambda: ag.einsum("ij", arr(2, 3, 4)), ValueError, r"subscripts 'ij' do not fit an operand of shape \(2, 3, 4\)"),
    (lambda: ag.einsum("ii", arr(2, 3)), ValueError, "repeats letter 'i' over dimensions of sizes"),
    (lambda: ag.einsum("ij,jk", arr(2, 3)), ValueError, "names 2 operands but 1 were given"),
    (lambda: ag.einsum(arr(2), [0]), TypeError, "subscripts as a string"),
    (lambda: ag.tensordot(arr(2, 3), arr(4, 3), 1), ValueError, r"axis 1 of shape \(2, 3\) has size 3 but axis 0"),
    (lambda: ag.tensordot(arr(2, 3), arr(3,), 3), ValueError, r"axes=3 .* must be in \[0, 1\]"),
    (lambda: ag.tensordot(arr(2, 3), arr(3, 3), ([1, 1], [0, 1])), ValueError, "repeat an axis"),
    (lambda: ag.tensordot(arr(2, 3), arr(3,), "ab"), TypeError, "an int or a pair of axis lists"),
    (lambda: ag.dot(arr(2, 3), arr(2, 3)), ValueError, "summed axes must match"),
])
def test_errors_name_the_op_and_the_shapes(call, error, match):
    with pytest.raises(error, match=match):
        call()
