"""Tensor construction, dtypes, properties and in-place rules."""
import numpy as np
import pytest

import autograd as ag
from autograd import Tensor


def test_constructor_copies_and_factory_matches():
    src = np.array([1.0, 2.0])
    t = ag.tensor(src, requires_grad=True)
    src[0] = 99.0
    assert t.data[0] == 1.0 and isinstance(t, Tensor) and t.requires_grad and t.is_leaf


def test_from_numpy_shares_memory():
    src = np.zeros(3)
    t = ag.from_numpy(src)
    src[1] = 5.0
    assert t.data[1] == 5.0


@pytest.mark.parametrize("data", [[1, 2, 3], [True, False], np.arange(3, dtype=np.int32)])
def test_integer_and_bool_data_become_float64_when_grad_is_asked(data):
    t = Tensor(data, requires_grad=True)
    assert t.dtype == np.float64
    (t * t).sum().backward()
    assert t.grad.dtype == np.float64


def test_integer_data_without_grad_keeps_its_dtype():
    assert Tensor([1, 2]).dtype.kind == "i"


@pytest.mark.parametrize("bad", [["a", "b"], [object()], [1 + 2j]])
def test_non_numeric_data_is_refused(bad):
    with pytest.raises(TypeError, match="must be bool, integer or float"):
        Tensor(bad, requires_grad=True)


def test_float32_keeps_dtype_through_ops_and_python_scalars():
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    y = (x * 2 + 1.5) / 3 - x ** 2
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_mixed_precision_promotes_and_each_grad_keeps_its_dtype():
    a = Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    b = Tensor(np.ones(3, np.float64), requires_grad=True)
    out = a * b
    assert out.dtype == np.float64                 # numpy promotion
    out.sum().backward()
    assert a.grad.dtype == np.float32 and a.grad.shape == (2, 3)
    assert b.grad.dtype == np.float64 and b.grad.shape == (3,)


def test_properties():
    t = Tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    assert t.shape == (2, 3, 4) and t.ndim == 3 and t.size == 24 and t.dtype == np.float64
    assert t.T.shape == (4, 3, 2)
    assert Tensor(3.5).item() == 3.5
    assert np.shares_memory(t.numpy(), t.data) and not t.numpy().flags.writeable   # requires grad: read-only
    plain = Tensor(np.ones(3))
    assert plain.numpy() is plain.data and plain.numpy().flags.writeable
    d = t.detach()
    assert d.is_leaf and not d.requires_grad and np.shares_memory(d.data, t.data)
    assert not (t * 2).is_leaf
    with pytest.raises(ValueError, match="one element"):
        t.item()


def test_comparisons_give_boolean_tensors_without_grad():
    x = Tensor([-1.0, 0.0, 2.0], requires_grad=True)
    m = x > 0
    assert m.dtype == bool and not m.requires_grad
    np.testing.assert_array_equal(m.data, [False, False, True])


def test_numpy_operands_on_either_side():
    x = Tensor([1.0, 2.0], requires_grad=True)
    for y in (np.array([3.0, 4.0]) * x, x * np.array([3.0, 4.0]), np.float64(2.0) * x, 2 ** x, 1 - x, 1 / x):
        assert isinstance(y, Tensor) and y.requires_grad


def test_numpy_ufuncs_are_refused_with_a_pointer_to_methods():
    with pytest.raises(TypeError):
        np.exp(Tensor([1.0]))


def test_grad_has_input_shape_and_dtype_for_broadcasting_ops():
    a = Tensor(np.ones((4, 1, 3)), requires_grad=True)
    b = Tensor(np.ones((2, 1)), requires_grad=True)
    (a * b + b).sum().backward()
    assert a.grad.shape == (4, 1, 3) and b.grad.shape == (2, 1)
    np.testing.assert_allclose(b.grad, np.full((2, 1), 4 * 3 * 2))   # 12 products + 12 bias uses


def test_requires_grad_on_non_leaf_refused():
    with pytest.raises(RuntimeError, match="leaves only"):
        (Tensor([1.0], requires_grad=True) * 2).requires_grad_()


def test_repr_mentions_op():
    assert "op='mul'" in repr(Tensor([1.0], requires_grad=True) * 2)


def test_softmax_family_is_stable_for_huge_logits():
    x = Tensor([[1e4, 0.0, -1e4]], requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = x.softmax()
        ls = x.log_softmax()
        lse = x.logsumexp(axis=-1)
    np.testing.assert_allclose(s.data, [[1.0, 0.0, 0.0]])
    np.testing.assert_allclose(ls.data, [[0.0, -1e4, -2e4]])
    np.testing.assert_allclose(lse.data, [1e4])
    ls[:, 1].sum().backward()
    assert np.all(np.isfinite(x.grad))


def test_sigmoid_saturates_without_overflow_warning():
    with np.errstate(over="raise"):
        s = Tensor([-1000.0, 0.0, 1000.0]).sigmoid()
    np.testing.assert_array_equal(s.data, [0.0, 0.5, 1.0])


def test_getitem_with_repeated_indices_accumulates():
    x = Tensor(np.arange(4.0), requires_grad=True)
    x[np.array([1, 1, 3, 1])].sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 3.0, 0.0, 1.0])


def test_empty_arrays_forward():
    x = Tensor(np.zeros((0, 3)), requires_grad=True)
    y = (x * 2).sum(axis=0)
    np.testing.assert_array_equal(y.data, np.zeros(3))
    y.sum().backward()
    assert x.grad.shape == (0, 3)


def leaf(*shape, seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def test_transpose_with_negative_axes_sends_the_gradient_back_correctly():
    x, W = leaf(2, 3, 4), np.random.default_rng(1).standard_normal((4, 2, 3))
    (x.transpose(-1, 0, 1) * W).sum().backward()
    np.testing.assert_array_equal(x.grad, W.transpose(1, 2, 0))
    assert ag.gradcheck(lambda x: x.transpose(-1, -3, 1), leaf(2, 3, 4))


def test_np_array_of_a_tensor_is_a_copy_and_asarray_shares():
    x = leaf(2)
    y = (x * x).sum()
    a = np.array(x)
    a[:] = 0                                       # must not reach the data the graph saved
    y.backward()
    np.testing.assert_allclose(x.grad, 2 * x.data)
    assert np.shares_memory(np.asarray(x), x.data)


def test_casting_to_integers_cuts_the_graph_instead_of_truncating_gradients():
    x = leaf(2)
    i = x.astype(np.int64)
    assert not i.requires_grad
    (x.astype(np.float32) * 0.3).sum().backward()
    np.testing.assert_allclose(x.grad, [0.3, 0.3], rtol=1e-6)


@pytest.mark.parametrize("call", [lambda t: t.squeeze(axis=2), lambda t: t.unsqueeze(5),
                                  lambda t: t.flatten(3), lambda t: t.flatten(0, -5)])
def test_out_of_range_axes_raise(call):
    with pytest.raises(ValueError, match=r"out of range for a tensor of shape \(1, 3\)"):
        call(leaf(1, 3))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_an_accumulated_0d_grad_stays_a_writable_array_of_the_tensor_dtype(dtype):
    x = Tensor(np.array(2.0, dtype), requires_grad=True)
    for _ in range(2):
        (x * 3).backward()
    assert type(x.grad) is np.ndarray and x.grad.shape == () and x.grad.dtype == dtype and x.grad == 6
    x.grad[...] = 0                          # (numpy makes 0-d + 0-d a read-only scalar: this failed)
    assert x.grad == 0
