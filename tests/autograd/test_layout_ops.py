"""Layout ops (ops/layout.py): the op table against numpy, PyTorch float64 comparisons, views and refusals."""
import numpy as np
import pytest
from hypothesis import strategies as st

import autograd as ag
from autograd.testing import axis, shapes
from optable import given_shape, row, table_tests


def sided(min_dims, min_side=1):
    return shapes(min_dims=min_dims, min_side=min_side).map(lambda s: (s,))


@st.composite
def widths(draw, shps, mode="constant"):
    """numpy pad widths for x: an int, one (before, after) pair for every axis, or a pair per axis.
    Non-constant modes leave empty axes unpadded (there is nothing to reflect)."""
    shape = shps[0]
    w = st.integers(0, 3)
    if mode != "constant" and 0 in shape:
        return {"pad_width": [(0, 0) if n == 0 else (draw(w), draw(w)) for n in shape]}
    kind = draw(st.sampled_from(["int", "pair", "per_axis"] if shape else ["int"]))      # (numpy: 0-d takes ints)
    if kind == "int":
        return {"pad_width": draw(w)}
    if kind == "pair":
        return {"pad_width": ((draw(w), draw(w)),)}
    return {"pad_width": [(draw(w), draw(w)) for _ in shape]}


@st.composite
def torch_pad(draw, shps):
    k = draw(st.integers(0, len(shps[0])))
    return {"pad": tuple(draw(st.integers(0, 2)) for _ in range(2 * k))}


def torch_pad_ref(x, pad):
    pairs = [(0, 0)] * (x.ndim - len(pad) // 2) + [tuple(pad[i:i + 2]) for i in range(0, len(pad), 2)][::-1]
    return np.pad(x, pairs) if x.ndim else x


def repeat_params(shape):
    axes = st.one_of(st.none(), axis(len(shape))) if shape else st.none()
    return axes.flatmap(lambda ax: st.fixed_dictionaries({"axis": st.just(ax), "repeats": st.one_of(
        st.integers(0, 3), st.lists(st.integers(0, 3), min_size=n, max_size=n) if (
            n := int(np.prod(shape)) if ax is None else shape[ax]) else st.just(2))}))


@st.composite
def axes_or_none(draw, ndim):
    if draw(st.booleans()) or not ndim:
        return None
    chosen = draw(st.lists(st.integers(0, ndim - 1), unique=True, min_size=1, max_size=ndim))
    return tuple(a - ndim if draw(st.booleans()) else a for a in chosen)


@st.composite
def roll_params(draw, shps):
    nd = len(shps[0])
    if nd == 0 or draw(st.booleans()):
        return {"shift": draw(st.integers(-4, 4)), "axis": None}
    k = draw(st.integers(1, 3))                                         # axes may repeat: shifts add up
    return {"shift": tuple(draw(st.integers(-4, 4)) for _ in range(k)),
            "axis": tuple(draw(st.integers(-nd, nd - 1)) for _ in range(k))}


@st.composite
def split_params(draw, shps, torch_rule=False):
    nd = len(shps[0])
    ax = draw(st.integers(-nd, nd - 1))
    n = shps[0][ax]
    if torch_rule:
        cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
        sizes = np.diff([0] + cuts + [n]).tolist()
        return {"axis": ax, "split_size_or_sections": draw(st.one_of(st.integers(1, 3), st.just(sizes)))}
    sections = [k for k in range(1, 4) if n % k == 0]
    points = st.lists(st.integers(-n - 1, n + 1), max_size=3)          # unsorted, negative, past the end: numpy's
    return {"axis": ax, "indices_or_sections": draw(st.one_of(st.sampled_from(sections), points))}


def weighted(parts, axis):
    """The parts joined along `axis`, part i scaled by i + 1 (a wrong part or a swapped order shows)."""
    return [p * (i + 1) for i, p in enumerate(parts)]


def chunk_ref(x, chunks, axis):
    n = x.shape[axis]
    size = -(-n // chunks)
    parts = [np.take(x, range(a, min(a + size, n)), axis) for a in range(0, n, size)] if n else [x] * chunks
    return np.concatenate(weighted(parts, axis), axis)


@st.composite
def diagonal_params(draw, shps):
    nd = len(shps[0])
    a1, a2 = draw(st.permutations(range(nd)))[:2]
    return {"offset": draw(st.integers(-3, 3)), "axis1": a1 - nd if draw(st.booleans()) else a1,
            "axis2": a2 - nd if draw(st.booleans()) else a2}


def joined(split):
    return lambda x, axis, **p: ag.concatenate(weighted(split(x, axis=axis, **p), axis), axis)


offsets = given_shape(lambda s: st.fixed_dictionaries({"k": st.integers(-3, 3)}))

ROWS = [
    row("pad_constant", lambda x, **p: x.pad(**p, constant_values=0.5), lambda x, **p: np.pad(x, **p,
        constant_values=0.5), params=widths, shapes=sided(0), empty=sided(0, 0)),
    row("pad_reflect", lambda x, **p: ag.pad(x, **p, mode="reflect"), lambda x, **p: np.pad(x, **p, mode="reflect"),
        params=lambda s: widths(s, "reflect"), shapes=sided(1), empty=sided(1, 0)),
    row("pad_replicate", lambda x, **p: x.pad(**p, mode="replicate"), lambda x, **p: np.pad(x, **p, mode="edge"),
        params=lambda s: widths(s, "edge"), shapes=sided(1), empty=sided(1, 0)),
    row("pad_torch_flat", lambda x, pad: ag.pad(x, pad=pad, value=0.0), torch_pad_ref, params=torch_pad,
        shapes=sided(0), empty=sided(0, 0)),
    row("tile", lambda x, reps: x.tile(reps), np.tile, params=given_shape(lambda s: st.fixed_dictionaries(
        {"reps": st.one_of(st.integers(0, 3), st.lists(st.integers(0, 3), max_size=4).map(tuple))}))),
    row("repeat", lambda x, **p: x.repeat(**p), lambda x, **p: np.repeat(x, **p), params=given_shape(repeat_params)),
    row("repeat_interleave", lambda x, repeats, axis: ag.repeat_interleave(x, repeats, dim=axis),
        lambda x, **p: np.repeat(x, **p), params=given_shape(repeat_params)),
    row("flip", lambda x, axis: x.flip(axis), lambda x, axis: np.flip(x, axis),
        params=given_shape(lambda s: st.fixed_dictionaries({"axis": axes_or_none(len(s))}))),
    row("roll", lambda x, **p: ag.roll(x, **p), lambda x, **p: np.roll(x, **p), params=roll_params),
    row("split", joined(ag.split), lambda x, axis, **p: np.concatenate(weighted(np.split(x, axis=axis, **p), axis),
                                                                       axis), shapes=sided(1), params=split_params,
        empty=sided(1, 0)),
    row("split_torch_sizes", joined(lambda x, **p: x.split(**p)), lambda x, axis, split_size_or_sections: (
        np.concatenate(weighted(np.split(x, np.cumsum(split_size_or_sections)[:-1], axis)
                                if isinstance(split_size_or_sections, list)
                                else np.split(x, range(split_size_or_sections, x.shape[axis],
                                                       split_size_or_sections), axis), axis), axis)),
        shapes=sided(1), params=lambda s: split_params(s, torch_rule=True), empty=False),
    row("chunk", lambda x, chunks, axis: ag.concatenate(weighted(x.chunk(chunks, dim=axis), axis), axis), chunk_ref,
        shapes=sided(1), empty=sided(1, 0), params=lambda s: st.fixed_dictionaries(
            {"chunks": st.integers(1, 4), "axis": axis(len(s[0]))})),
    row("triu", lambda x, k: x.triu(k), lambda x, k: np.triu(x, k), shapes=sided(2), params=offsets, empty=sided(2, 0)),
    row("tril", lambda x, k: ag.tril(x, diagonal=k), lambda x, k: np.tril(x, k), shapes=sided(2), params=offsets,
        empty=sided(2, 0)),
    row("diagonal", lambda x, **p: x.diagonal(**p), lambda x, **p: np.diagonal(x, **p), shapes=sided(2),
        params=diagonal_params, empty=sided(2, 0)),
]

test_grad, test_second_derivatives, test_forward_with_empty_arrays = table_tests(ROWS)


# --- against PyTorch (float64): values and gradients, edge values, empty -------------------------------------
try:
    import torch
    import torch.nn.functional as F
except ImportError:                         # the op table above still runs
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
X = np.array([[0.0, -1.5, np.inf, 2.0], [np.nan, 3.0, -0.0, -np.inf], [1.0, 1.0, 1.0, -2.5]])    # ties, inf, nan


def joined_flat(parts, cat):
    """Parts of a split as one vector, part i scaled by i + 1."""
    return cat([p.reshape(-1) * (i + 1) for i, p in enumerate(parts)])


def against_torch(ours, theirs, x):
    """ours on a graphgrad tensor and theirs on a torch float64 tensor agree in value (parts: in number and
    shape) and in the gradient for a random cotangent."""
    t, x = torch.tensor(x, requires_grad=True), ag.tensor(x, requires_grad=True)
    out, ref = ours(x), theirs(t)
    if isinstance(ref, (list, tuple)):
        assert [p.shape for p in out] == [tuple(p.shape) for p in ref]
        out, ref = joined_flat(out, lambda ps: ag.concatenate(ps)), joined_flat(ref, torch.cat)
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    v = np.random.default_rng(0).standard_normal(out.shape)
    out.backward(v)
    ref.backward(torch.tensor(v))
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12, atol=0)


CASES = {
    "pad_constant_torch_spelling": (lambda x: x.pad(pad=(1, 2, 0, 1), value=0.5), lambda t: F.pad(t, (1, 2, 0, 1),
                                                                                                   value=0.5)),
    "pad_constant_numpy_spelling": (lambda x: ag.pad(x, ((0, 1), (1, 2)), constant_values=0.5),
                                    lambda t: F.pad(t, (1, 2, 0, 1), value=0.5)),
    "pad_flat_four_is_torch_style": (lambda x: ag.pad(x, (1, 2, 0, 1)), lambda t: F.pad(t, (1, 2, 0, 1))),
    "pad_reflect": (lambda x: x.pad(pad=(3, 2), mode="reflect"), lambda t: F.pad(t, (3, 2), mode="reflect")),
    "pad_reflect_2d": (lambda x: x[None].pad(((0, 0), (2, 1), (1, 3)), "reflect"),
                       lambda t: F.pad(t[None], (1, 3, 2, 1), mode="reflect")),
    "pad_replicate_2d": (lambda x: x[None].pad(((0, 0), (2, 4), (1, 3)), "replicate"),
                         lambda t: F.pad(t[None], (1, 3, 2, 4), mode="replicate")),
    "tile_is_torch_tile": (lambda x: x.tile(2, 1, 3), lambda t: torch.tile(t, (2, 1, 3))),
    "tile_is_torch_tensor_repeat": (lambda x: ag.tile(x, (2, 0)), lambda t: t.repeat(2, 0)),
    "repeat_is_repeat_interleave": (lambda x: x.repeat([1, 0, 2, 3], axis=1),
                                    lambda t: t.repeat_interleave(torch.tensor([1, 0, 2, 3]), dim=1)),
    "repeat_interleave_flat": (lambda x: x.repeat_interleave(2), lambda t: t.repeat_interleave(2)),
    "flip": (lambda x: x.flip((0, -1)), lambda t: t.flip((0, -1))),
    "roll": (lambda x: x.roll((1, -5, 1), (0, 1, 0)), lambda t: torch.roll(t, (1, -5, 1), (0, 1, 0))),
    "roll_flat": (lambda x: ag.roll(x, shifts=5), lambda t: torch.roll(t, 5)),
    "split_size": (lambda x: ag.split(x, split_size_or_sections=3, dim=1), lambda t: torch.split(t, 3, dim=1)),
    "split_sizes": (lambda x: x.split(split_size_or_sections=[1, 0, 3], axis=1), lambda t: t.split([1, 0, 3], 1)),
    "split_empty": (lambda x: x[:, :0].split(split_size_or_sections=2, axis=1), lambda t: t[:, :0].split(2, 1)),
    "chunk": (lambda x: x.chunk(3, axis=1), lambda t: t.chunk(3, 1)),
    "chunk_more_than_length": (lambda x: ag.chunk(x, 5, dim=0), lambda t: torch.chunk(t, 5, 0)),
    "chunk_empty": (lambda x: x[:0].chunk(3), lambda t: t[:0].chunk(3)),
    "triu": (lambda x: x.triu(1), lambda t: t.triu(1)),
    "tril": (lambda x: ag.tril(x, -1), lambda t: torch.tril(t, -1)),
    "diagonal": (lambda x: x.reshape(3, 2, 2).diagonal(1, 0, 2), lambda t: t.reshape(3, 2, 2).diagonal(1, 0, 2)),
    "diagonal_empty": (lambda x: ag.diagonal(x, offset=-4, dim1=1, dim2=0), lambda t: t.diagonal(-4, 1, 0)),
}


@needs_torch
@pytest.mark.parametrize("case", CASES, ids=str)
def test_layout_matches_torch(case):
    ours, theirs = CASES[case]
    against_torch(ours, theirs, X)


def test_repeat_keeps_numpy_meaning_and_tile_is_torch_repeat():
    x = ag.tensor([1.0, 2.0])
    np.testing.assert_array_equal(x.repeat(2).data, [1, 1, 2, 2])          # numpy.repeat, torch.repeat_interleave
    np.testing.assert_array_equal(x.tile(2).data, [1, 2, 1, 2])            # numpy.tile, torch's Tensor.repeat
    with pytest.raises(ValueError, match=r"for PyTorch's Tensor.repeat\(\*sizes\) use tile"):
        ag.tensor(np.ones((2, 2))).repeat(2, 3)


@pytest.mark.parametrize("op", [lambda x: x.diagonal(1), lambda x: x.tile(2, 1), lambda x: x.pad(pad=(1, 2)),
                                lambda x: x.pad(1, "reflect"), lambda x: x.triu(), lambda x: x.repeat([2, 0, 1], 1),
                                lambda x: x.roll(1, 0), lambda x: x.flip(0), lambda x: x.split(3)[1]])
def test_second_derivatives_through_the_gradient_path(op):
    """f = sum(op(x)^3): its gradient depends on x through g, so the vjp's own vjp is checked."""
    assert ag.gradgradcheck(lambda x: (op(x) ** 3).sum(), ag.tensor(np.random.default_rng(1).normal(size=(3, 3)),
                                                                     requires_grad=True))


@pytest.mark.parametrize("call, error, match", [
    (lambda x: x.pad((1, 2)), ValueError, r"ambiguous: numpy pads every axis.*\(\(1, 2\),\).*pad=\(1, 2\)"),
    (lambda x: x.pad(-1), ValueError, "must be >= 0"),
    (lambda x: x.pad(((1, 1),) * 3), ValueError, "does not fit"),
    (lambda x: x.pad(pad=(1, 1, 1)), ValueError, "even number"),
    (lambda x: x.pad(1, "circular"), ValueError, "mode 'circular'"),
    (lambda x: x[:0].pad(1, "reflect"), ValueError, "cannot reflect-pad axis 0 of size 0"),
    (lambda x: x.pad(1, constant_values=1.0, value=2.0), TypeError, "pass one"),
    (lambda x: x.tile(-1), ValueError, "reps must be >= 0"),
    (lambda x: x.repeat([1, 2]), ValueError, "one per slice"),
    (lambda x: x.split(2), ValueError, "does not split into 2 equal parts"),
    (lambda x: x.split(2, split_size_or_sections=2), TypeError, "indices_or_sections"),
    (lambda x: x.split(split_size_or_sections=[1, 1]), ValueError, "add up to the axis length 3"),
    (lambda x: x.chunk(0), ValueError, "chunks must be an int > 0"),
    (lambda x: x[0].triu(), ValueError, r"triu: needs a matrix.*\(4,\)"),
    (lambda x: x.diagonal(0, 1, -1), ValueError, "two different axes"),
    (lambda x: x.flip((0, 0)), ValueError, "repeats an axis"),
    (lambda x: x.roll((1, 2), (0, 1, 0)), ValueError, "one shift per axis"),
])
def test_errors_name_the_op_and_the_shapes(call, error, match):
    with pytest.raises(error, match=match):
        call(ag.tensor(np.zeros((3, 4))))
