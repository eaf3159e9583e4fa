"""PyTorch spellings (cat, view, permute, expand, pow, to/float/double, clone, numel, dim, squeeze/unsqueeze dim=,
transpose(dim0, dim1)), each against torch float64 (values and gradients) and its numpy twin; and the places where
graphgrad keeps numpy's rule instead of PyTorch's."""
import numpy as np
import pytest
from hypothesis import strategies as st

import autograd as ag
from optable import given_shape, row, table_tests

# the op table for the one new primitive (clone) and permute's *dims form (transpose's row takes a tuple)
TABLE = [
    row("clone", lambda x: x.clone(), lambda x: x.copy()),
    row("permute", lambda x, p: x.permute(*p), lambda x, p: x.transpose(p),
        params=given_shape(lambda sh: st.fixed_dictionaries({"p": st.permutations(range(len(sh))).map(tuple)}))),
]
test_grad, test_second_derivatives, test_forward_with_empty_arrays = table_tests(TABLE)

torch = pytest.importorskip("torch")

A = np.random.default_rng(0).standard_normal((2, 3, 4))
POS = np.abs(A) + 0.5                                      # a domain for fractional powers


# name: (input data, ours, torch's, numpy twin): the same function in three spellings
ROWS = {
    "view": (A, lambda x: x.view(6, 4), lambda x: x.view(6, 4), lambda a: a.reshape(6, 4)),
    "view_tuple_minus_one": (A, lambda x: x.view((-1, 12)), lambda x: x.view((-1, 12)), lambda a: a.reshape(-1, 12)),
    "permute": (A, lambda x: x.permute(2, 0, 1), lambda x: x.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1)),
    "permute_tuple": (A, lambda x: x.permute((1, -1, 0)), lambda x: x.permute((1, -1, 0)),
                      lambda a: a.transpose(1, 2, 0)),
    "expand_keep": (A, lambda x: x[:, :1].expand(-1, 5, -1), lambda x: x[:, :1].expand(-1, 5, -1),
                    lambda a: np.broadcast_to(a[:, :1], (2, 5, 4))),
    "expand_new_dims": (A, lambda x: x[0, 0].expand(3, 2, 4), lambda x: x[0, 0].expand(3, 2, 4),
                        lambda a: np.broadcast_to(a[0, 0], (3, 2, 4))),
    "pow_method": (A, lambda x: x.pow(3), lambda x: x.pow(3), lambda a: np.power(a, 3)),
    "pow_function": (POS, lambda x: ag.pow(x, 2.5), lambda x: torch.pow(x, 2.5), lambda a: np.power(a, 2.5)),
    "pow_tensor_exponent": (POS, lambda x: ag.pow(x, x[0]), lambda x: torch.pow(x, x[0]), lambda a: a ** a[0]),
    "cat_dim": (A, lambda x: ag.cat([x, 2 * x], dim=1), lambda x: torch.cat([x, 2 * x], dim=1),
                lambda a: np.concatenate([a, 2 * a], axis=1)),
    "cat_negative_dim": (A, lambda x: ag.cat([x[:, :1], x], dim=-2), lambda x: torch.cat([x[:, :1], x], dim=-2),
                         lambda a: np.concatenate([a[:, :1], a], axis=-2)),
    "stack_dim": (A, lambda x: ag.stack([x, x * x], dim=-1), lambda x: torch.stack([x, x * x], dim=-1),
                  lambda a: np.stack([a, a * a], axis=-1)),
    "clone": (A, lambda x: x.clone() * x, lambda x: x.clone() * x, lambda a: a.copy() * a),
    "unsqueeze_dim": (A, lambda x: x.unsqueeze(dim=1), lambda x: x.unsqueeze(dim=1), lambda a: np.expand_dims(a, 1)),
    "unsqueeze_positional": (A, lambda x: x.unsqueeze(-1), lambda x: x.unsqueeze(-1), lambda a: a[..., None]),
    "squeeze_dim": (A, lambda x: x[:, :1].squeeze(dim=1), lambda x: x[:, :1].squeeze(dim=1),
                    lambda a: np.squeeze(a[:, :1], 1)),
    "squeeze_all": (A, lambda x: x[:1, :, :1].squeeze(), lambda x: x[:1, :, :1].squeeze(),
                    lambda a: np.squeeze(a[:1, :, :1])),
    "transpose_two_dims": (A, lambda x: x.transpose(0, 2), lambda x: x.transpose(0, 2), lambda a: a.swapaxes(0, 2)),
    "transpose_two_negative_dims": (A, lambda x: x.transpose(-1, 1), lambda x: x.transpose(-1, 1),
                                    lambda a: a.swapaxes(-1, 1)),
    "transpose_matrix_1_0": (A[0], lambda x: x.transpose(1, 0), lambda x: x.transpose(1, 0), lambda a: a.T),
    "to_float32": (A, lambda x: x.to(np.float32) * 3, lambda x: x.to(torch.float32) * 3,
                   lambda a: a.astype(np.float32) * 3),
    "to_name": (A, lambda x: x.to("float32").exp(), lambda x: x.to(torch.float32).exp(),
                lambda a: np.exp(a.astype(np.float32))),
    "to_keywords": (A, lambda x: x.to(device="cpu", dtype="float32"), lambda x: x.to(device="cpu", dtype=torch.float32),
                    lambda a: a.astype(np.float32)),
    "float": (A, lambda x: x.float().tanh(), lambda x: x.float().tanh(), lambda a: np.tanh(a.astype(np.float32))),
    "double": (A, lambda x: x.float().double() * x, lambda x: x.float().double() * x,
               lambda a: a.astype(np.float32).astype(np.float64) * a),
}


@pytest.mark.parametrize("a, ours, theirs, twin", ROWS.values(), ids=ROWS.keys())
def test_spelling_matches_torch_and_numpy(a, ours, theirs, twin):
    x, xt = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, want = ours(x), theirs(xt)
    assert out.shape == tuple(want.shape) == twin(a).shape
    assert str(out.dtype) == str(want.dtype).replace("torch.", "") == str(twin(a).dtype)
    tol = 1e-6 if out.dtype == np.float32 else 1e-13
    np.testing.assert_allclose(out.data, want.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(out.data, twin(a), rtol=tol, atol=tol)
    g = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(g)
    want.backward(torch.tensor(g, dtype=want.dtype))
    assert x.grad.dtype == np.float64
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=tol, atol=tol)


# --- views and copies ---------------------------------------------------------------------------------
VIEWS = {
    "contiguous": lambda x: x.view(-1),
    "merge_trailing": lambda x: x.view(2, 12),
    "after_permute": lambda x: x.permute(2, 0, 1).view(-1),
    "after_permute_split": lambda x: x.permute(1, 0, 2).view(3, 2, 2, 2),
    "after_basic_slice": lambda x: x[:, 1:].view(2, 8),
    "after_step_slice": lambda x: x[:, :, ::2].view(2, 6),
    "after_step_slice_keep_last": lambda x: x[:, ::2].view(4, 4),
    "after_transpose_no_op_shape": lambda x: x.transpose(0, 2).view(4, 3, 2),
    "after_expand": lambda x: x[:, :1].expand(2, 3, 4).view(6, 4),
}


@pytest.mark.parametrize("make", VIEWS.values(), ids=VIEWS.keys())
def test_view_works_exactly_where_torch_view_works_and_always_shares_memory(make):
    x, xt = ag.tensor(np.arange(24.0).reshape(2, 3, 4)), torch.arange(24.0, dtype=torch.float64).reshape(2, 3, 4)
    try:
        want = make(xt)
    except RuntimeError:
        with pytest.raises(ValueError, match=r"view: .* cannot be viewed as shape .* use reshape\(\)"):
            make(x)
        return
    out = make(x)
    np.testing.assert_array_equal(out.data, want.numpy())
    assert np.shares_memory(out.data, x.data)


def test_a_write_through_a_view_changes_the_base_as_in_torch():
    x, xt = ag.zeros(2, 3), torch.zeros(2, 3, dtype=torch.float64)
    v, vt = x.view(-1), xt.view(-1)
    v[4] = 7.0
    vt[4] = 7.0
    np.testing.assert_array_equal(x.data, xt.numpy())
    assert x.data[1, 1] == 7.0


def test_clone_is_a_recorded_copy_not_a_view():
    x = ag.tensor(A, requires_grad=True)
    c = x.clone()
    assert not c.is_leaf and c.requires_grad and not np.shares_memory(c.data, x.data)
    d = ag.tensor(A).clone()
    d[0, 0, 0] = 100.0                                    # a clone of a constant is a writable copy
    assert A[0, 0, 0] != 100.0


def test_to_returns_self_when_nothing_changes_as_in_torch():
    x, xt = ag.tensor(A, requires_grad=True), torch.tensor(A, requires_grad=True)
    for ours, theirs in [(x.to("cpu"), xt.to("cpu")), (x.to(np.float64), xt.to(torch.float64)),
                         (x.double(), xt.double()), (x.to(device="cpu"), xt.to(device="cpu")), (x.to(x), xt.to(xt))]:
        assert (ours is x) and (theirs is xt)
    f = x.float()
    assert f.float() is f and f.to("float32") is f


def test_to_another_tensors_dtype_and_to_an_integer_dtype():
    x = ag.tensor(A, requires_grad=True)
    assert x.to(ag.zeros(1, dtype=np.float32)).dtype == np.float32
    i = x.to(np.int64)                                    # an integer cast is a constant, as astype and torch
    assert i.dtype == np.int64 and not i.requires_grad
    np.testing.assert_array_equal(i.data, torch.tensor(A).to(torch.int64).numpy())


@pytest.mark.parametrize("call, err, match", [
    (lambda x: x.to("cuda"), ValueError, "to: 'cuda' is neither a numpy dtype nor the device 'cpu'"),
    (lambda x: x.to("cuda:1", np.float32), ValueError, "to: 'cuda:1' is neither"),
    (lambda x: x.to(device="mps"), ValueError, "to: 'mps' is neither"),
    (lambda x: x.to("flaot32"), ValueError, "to: 'flaot32' is neither a numpy dtype"),
    (lambda x: x.to(dtype="U3"), TypeError, "to: dtype 'U3' is not a numeric numpy dtype"),
    (lambda x: x.to(torch.float32), ValueError, "to: torch.float32 is neither a numpy dtype"),
])
def test_to_refuses_other_devices_and_names_them(call, err, match):
    with pytest.raises(err, match=match):
        call(ag.tensor(A))


def test_numel_dim_item_tolist_match_torch():
    x, xt = ag.tensor(A), torch.tensor(A)
    assert (x.numel(), x.dim()) == (xt.numel(), xt.dim()) == (A.size, A.ndim)
    assert x.tolist() == xt.tolist() == A.tolist()
    assert x[1, 2, 3].item() == xt[1, 2, 3].item() == A[1, 2, 3]


def test_size_stays_numpys_element_count():
    x = ag.tensor(A)
    assert x.size == A.size == torch.tensor(A).numel() and type(x.size) is int
    with pytest.raises(TypeError, match="not callable"):    # PyTorch's x.size() is x.shape here
        x.size()


# --- where numpy and PyTorch disagree, graphgrad keeps numpy's rule ----------------------------------------
def test_transpose_of_two_dims_that_mean_no_change_to_numpy_and_swap_to_torch_is_refused():
    m = ag.tensor(A[0])
    for dims in [(0, 1), (-2, -1), (0, -1)]:
        with pytest.raises(ValueError, match=r"of a 2-D tensor is ambiguous: .* x\.swapaxes\(0, 1\) to swap"):
            m.transpose(*dims)
    np.testing.assert_array_equal(m.transpose((0, 1)).data, A[0].transpose((0, 1)))   # numpy's tuple: no change
    np.testing.assert_array_equal(m.permute(0, 1).data, A[0])
    np.testing.assert_array_equal(m.swapaxes(0, 1).data, torch.tensor(A[0]).transpose(0, 1).numpy())


def test_transpose_with_a_full_permutation_is_numpys():
    x = ag.tensor(A)
    np.testing.assert_array_equal(x.transpose(1, 2, 0).data, A.transpose(1, 2, 0))
    np.testing.assert_array_equal(x.transpose().data, A.transpose())
    np.testing.assert_array_equal(x.T.data, A.T)


def test_squeeze_of_a_dim_that_is_not_1_raises_as_numpy_where_torch_ignores_it():
    assert torch.tensor(A).squeeze(dim=0).shape == A.shape
    with pytest.raises(ValueError, match=r"squeeze: dimension 0 of shape \(2, 3, 4\) has size 2, not 1"):
        ag.tensor(A).squeeze(dim=0)
    with pytest.raises(ValueError):
        np.squeeze(A, 0)


def test_float32_with_python_float_stays_float32_in_all_three():
    x = ag.tensor(A, dtype=np.float32)
    assert (x * 0.1).dtype == (A.astype(np.float32) * 0.1).dtype == np.float32
    assert (torch.tensor(A, dtype=torch.float32) * 0.1).dtype == torch.float32


@pytest.mark.parametrize("other", [lambda: np.float64(0.1), lambda: np.sqrt(2.0), lambda: ag.tensor(0.1)],
                         ids=["np.float64", "np.sqrt", "0-d float64 tensor"])
def test_float32_with_a_float64_scalar_promotes_as_numpy_2_not_as_torch(other):
    x, a32 = ag.tensor(A, dtype=np.float32), A.astype(np.float32)
    out = x * other()
    raw = other().data if isinstance(other(), ag.Tensor) else other()
    assert out.dtype == (a32 * np.asarray(raw)).dtype == np.float64      # NEP 50 (numpy 1.x said float32)
    assert (torch.tensor(a32) * torch.tensor(raw)).dtype == torch.float32  # torch: 0-d tensors do not promote


def test_mixed_advanced_indexing_takes_numpys_shape_not_torchs():
    x = ag.tensor(A, requires_grad=True)
    out = x[0, :, [0, 1]]                                # int and list split by a slice: numpy moves them first
    assert out.shape == A[0, :, [0, 1]].shape == (2, 3)
    assert tuple(torch.tensor(A)[0, :, [0, 1]].shape) == (3, 2)
    np.testing.assert_array_equal(out.data, A[0, :, [0, 1]])
    out.sum().backward()
    want = np.zeros_like(A)
    want[0, :, :2] = 1.0
    np.testing.assert_array_equal(x.grad, want)


@pytest.mark.parametrize("call, err, match", [
    (lambda x: ag.cat([x, x], axis=1, dim=1), TypeError, "concatenate: got both axis=1 and dim=1"),
    (lambda x: ag.stack([x, x], axis=1, dim=0), TypeError, "stack: got both axis=1 and dim=0"),
    (lambda x: x.squeeze(axis=0, dim=0), TypeError, "squeeze: got both axis=0 and dim=0"),
    (lambda x: x.unsqueeze(), TypeError, r"unsqueeze: needs the position .* unsqueeze\(dim=0\)"),
    (lambda x: x.expand(-1, 3, 4, 5), ValueError, r"expand: sizes \(-1, 3, 4, 5\) .* -1 \(keep the size\) only"),
    (lambda x: x.expand(3, 4), ValueError, "expand: sizes"),
    (lambda x: x.expand(2, 5, 4), ValueError, r"broadcast_to: shape \(2, 3, 4\) cannot be broadcast to \(2, 5, 4\)"),
    (lambda x: x.broadcast_to(5), ValueError, r"broadcast_to: shape \(2, 3, 4\) cannot be broadcast to \(5,\)"),
    (lambda x: x.permute(0, 0, 1), ValueError, r"transpose: axes \(0, 0, 1\) are not a permutation"),
    (lambda x: x.transpose(0, 3), ValueError, "transpose: axis 3 is out of range"),
])
def test_bad_spellings_raise_naming_the_op(call, err, match):
    with pytest.raises(err, match=match):
        call(ag.tensor(A))


def test_concatenate_with_axis_none_joins_flattened_as_numpy():
    x = ag.tensor(A, requires_grad=True)
    out = ag.concatenate([x, x[0]], axis=None)
    np.testing.assert_array_equal(out.data, np.concatenate([A, A[0]], axis=None))
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, np.where(np.arange(24).reshape(2, 3, 4) < 12, 2.0, 1.0))
