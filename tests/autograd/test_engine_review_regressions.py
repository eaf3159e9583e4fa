"""Regressions for problems a review of the engine found: each was a silent wrong result or a missing error."""
import numpy as np
import pytest

import autograd as ag
from autograd import Tensor


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


@pytest.mark.parametrize("edit", [
    lambda x, c: x.detach().zero_(),                                  # through a detached alias
    lambda x, c: c.add_(1.0),                                         # through the base of a view
])
def test_in_place_edits_through_aliases_are_detected(edit):
    x = leaf(3)
    c = Tensor(np.arange(6.0))
    y = (x * x).sum() + (c[0:3] * x).sum()        # saves x and a view of c
    edit(x, c)
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


def test_repeated_inputs_each_get_the_gradient():
    assert ag.grad(lambda x, y: x * y, argnums=(0, 0))(3.0, 2.0) == (2.0, 2.0)
    outer = ag.grad(lambda x: sum(ag.grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(x, x)).sum())
    np.testing.assert_allclose(outer(np.array([1.0, 2.0])), [2.0, 2.0])   # d/dx (x + x) = 2


@pytest.mark.parametrize("mutate", ["where", "getitem", "cross_entropy"])
def test_arrays_saved_for_backward_are_copies(mutate):
    a = leaf(4)
    arr = {"where": np.array([True, False, True, False]), "getitem": np.array([0, 0, 1]),
           "cross_entropy": np.array([1])}[mutate]
    f = {"where": lambda a, arr: ag.where(arr, a, 0.0).sum(),
         "getitem": lambda a, arr: a[arr].sum(),
         "cross_entropy": lambda a, arr: ag.softmax_cross_entropy(a.reshape(1, 4), arr)}[mutate]
    expected = leaf(4)
    f(expected, arr.copy()).backward()
    y = f(a, arr)
    arr[...] = arr[::-1] if mutate != "cross_entropy" else 3    # the caller reuses its buffer
    y.backward()
    np.testing.assert_allclose(a.grad, expected.grad)


def test_backward_inside_a_vjp_is_refused_not_corrupting():
    x = leaf(2)

    def inner_vjp(g, out, a):
        with ag.enable_grad():
            (Tensor(a) * 2).sum()                 # building is fine ...
            (x * x).sum().backward()              # ... running a second pass inside the first is not
        return (g,)
    inner = ag.primitive(lambda a: a * 1.0, vjp=inner_vjp, name="inner")
    y = (inner(x) * 3).sum()
    with pytest.raises(RuntimeError, match="another backward"):
        y.backward()
    x.grad = None
    (x * 5).sum().backward()                       # the engine is usable again afterwards
    np.testing.assert_array_equal(x.grad, [5.0, 5.0])


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


def test_linear_promotes_like_its_composite_and_skips_unneeded_gradients():
    x = Tensor(np.ones((2, 3), np.float32))
    W = Tensor(np.ones((3, 2), np.float32), requires_grad=True)
    b = Tensor(np.ones(2, np.float64))
    out = ag.linear(x, W, b)
    assert out.dtype == (x @ W + b).dtype == np.float64
    out.sum().backward()
    assert W.grad.dtype == np.float32 and x.grad is None and b.grad is None


def test_a_seed_that_requires_grad_stays_in_the_graph():
    x, v = leaf(2), leaf(2, seed=3)
    (x * x).backward(gradient=v, create_graph=True)
    gx = x.grad                                    # 2 x v
    gx.sum().backward()
    np.testing.assert_allclose(v.grad, 2 * x.data)
