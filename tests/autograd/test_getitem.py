"""Tensor indexing, t[index] (ops/shape.py getitem): every index form numpy takes, its value against numpy, its
gradient against a reference that counts picks with np.bincount (so repeats must accumulate), PyTorch float64
where the two libraries agree, and which results are views (basic indexing) and which are copies."""
import numpy as np
import pytest

import autograd as ag

X = np.arange(60.0).reshape(4, 5, 3) * 0.25 - 7


class Index:
    """An object numpy reads as an int, through __index__ (as it does np.int64)."""

    def __index__(self):
        return 1


M4 = np.array([True, False, True, True])
INDEXES = {
    "int": 1, "negative": -2, "np.int32": np.int32(3), "bool": True, "np.bool_": np.False_, "__index__": Index(),
    "slice": slice(1, 3), "reversed": slice(None, None, -2), "None": None, "ellipsis": Ellipsis,
    "ints": (0, -1, 2), "mixed_basic": (None, 0, Ellipsis, None), "int_then_index_obj": (2, Index()),
    "list_repeats": [0, 2, 0], "nested_list": [[0, 1], [1, 1]], "empty_int_array": np.array([], np.intp),
    "bool_list": [True, False, True, True], "bool_mask": M4, "2d_mask": (X[..., 0] > 0,),
    "int_array_repeats": np.array([3, 3, -1]), "0d_int_array": np.array(2), "pair_of_lists": ([0, 1], [2, 2]),
    "slice_then_list": (slice(None), [4, 0, 4]), "arrays_around_a_slice": ([0, 0], slice(None), [1, 1]),
    "ellipsis_then_list": (Ellipsis, [2, 0, 2]), "int_with_array": (1, slice(None), np.array([2, 2])),
    "broadcast_arrays": ([[0], [3]], [[1, 2]]), "mask_then_int": (M4, 4), "empty_slice_and_list": (slice(2, 2), [0]),
    "tensor_ints": ag.tensor([1, 1, 0]), "tensor_mask": ag.tensor(M4), "tuple_of_tensors": (ag.tensor([0, 3]), 1),
}


def _numpy_index(index):
    """The index with Tensors made arrays: numpy's own x[index] is the reference."""
    if isinstance(index, tuple):
        return tuple(_numpy_index(i) for i in index)
    return index.data if isinstance(index, ag.Tensor) else index


def _gradient_ref(index, v):
    """d/dx sum(x[index] * v): each element of x gets the v of every output position that picked it."""
    picked = np.arange(X.size).reshape(X.shape)[_numpy_index(index)]
    return np.bincount(np.ravel(picked), weights=np.ravel(v), minlength=X.size).reshape(X.shape)


@pytest.mark.parametrize("index", INDEXES.values(), ids=INDEXES.keys())
def test_value_and_gradient_of_every_index_form(index):
    x = ag.tensor(X, requires_grad=True)
    out = x[index]
    np.testing.assert_array_equal(out.data, X[_numpy_index(index)])
    v = np.random.default_rng(0).standard_normal(out.shape)
    (out * v).sum().backward()
    np.testing.assert_allclose(x.grad, _gradient_ref(index, v), rtol=1e-14, atol=0)


@pytest.mark.parametrize("index", ["list_repeats", "int_array_repeats", "pair_of_lists", "bool_mask", "ints",
                                   "tensor_ints"])
def test_second_derivative_through_indexing_matches_pytorch(index):
    torch = pytest.importorskip("torch")
    i = INDEXES[index]
    ni = _numpy_index(i)
    ti = tuple(torch.tensor(np.asarray(k)) if isinstance(k, (list, np.ndarray)) else k
               for k in (ni if isinstance(ni, tuple) else (ni,)))
    v = np.random.default_rng(1).standard_normal(X[ni].shape)
    x, t = ag.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    (x[i] * x[i] * v).sum().backward(create_graph=True)             # d/dx: 2 x v scattered, repeats added
    gx, x.grad = x.grad, None
    (gx * gx).sum().backward()
    tg, = torch.autograd.grad((t[ti] * t[ti] * torch.tensor(v)).sum(), [t], create_graph=True)
    (tg * tg).sum().backward()
    np.testing.assert_allclose(gx.data, tg.detach().numpy(), rtol=1e-13, atol=0)
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-13, atol=0)


# --- views and copies --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("index", ["int", "ints", "slice", "ellipsis", "__index__", "int_then_index_obj"])
def test_a_basic_index_is_a_view_whose_saved_value_is_versioned(index):
    a, w = ag.tensor(X), ag.tensor(np.ones(X[_numpy_index(INDEXES[index])].shape), requires_grad=True)
    r = a[INDEXES[index]]
    loss = (r * w).sum()                                             # saves r for w's gradient
    with ag.no_grad():
        a += 1.0                                                     # r's memory changes
    np.testing.assert_array_equal(r.data, X[_numpy_index(INDEXES[index])] + 1)
    with pytest.raises(RuntimeError, match=r"modified in place \(by \+=\)"):
        loss.backward()


@pytest.mark.parametrize("index", ["list_repeats", "bool_mask", "0d_int_array", "tensor_ints", "pair_of_lists"])
def test_an_array_index_copies(index):
    a = ag.tensor(X)
    r = a[INDEXES[index]]
    with ag.no_grad():
        a += 1.0
        r *= 2.0
    np.testing.assert_array_equal(r.data, X[_numpy_index(INDEXES[index])] * 2)    # neither write crossed over
    np.testing.assert_array_equal(a.data, X + 1)


@pytest.mark.parametrize("index, shape", [(4, "(4, 5, 3)"), ((0, 5), "(4, 5, 3)"), ([1, 7], "(4, 5, 3)"),
                                          ((0, 0, 0, 0), "(4, 5, 3)")])
def test_out_of_range_index_names_the_index_and_the_shape(index, shape):
    with pytest.raises(IndexError, match=r"index .* into a tensor of shape " + shape.replace("(", r"\(")
                       .replace(")", r"\)")):
        ag.tensor(X, requires_grad=True)[index]
