"""In-place ops: every combination is recorded correctly (equal to its out-of-place spelling) or refused.

The semantics are in autograd/ops/inplace.py's docstring. Each recorded case is checked against the same
computation written without in-place ops, and the gradients against finite differences.
"""
import numpy as np
import pytest

import autograd as ag
from autograd import Tensor


def leaf(*values):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


def const(*values):
    return Tensor(np.array(values, dtype=np.float64))


def grads_of(program, W):
    """(loss value, dloss/dW) of program(W) run on a fresh leaf copy of W."""
    w = Tensor(W, requires_grad=True)
    loss = program(w)
    loss.backward()
    return loss.item(), w.grad


def numeric_grad(program, W, eps=1e-6):
    g = np.zeros_like(W)
    for i in np.ndindex(W.shape):
        d = np.zeros_like(W)
        d[i] = eps
        with ag.no_grad():
            g[i] = (program(Tensor(W + d)).item() - program(Tensor(W - d)).item()) / (2 * eps)
    return g


# Each row: an in-place program and the same computation spelled out of place (W is a leaf of 3 floats).
def _buffer_iadd(w):
    X = const(10, 20, 30)
    X += w
    return (X * w).sum()


def _buffer_mul_(w):
    X = const(10, 20, 30)
    X.mul_(w)
    return (X * w).sum()


def _buffer_copy_(w):
    X = const(10, 20, 30)
    X.copy_(w)
    return (X * w).sum()


def _buffer_setitem_all(w):
    X = const(10, 20, 30)
    X[:] = w
    return (X * w).sum()


def _slice_iadd(w):
    X = const(1, 2, 3, 4)
    X[1:3] += w[:2]                     # a view, changed in place, then written back
    return (X * X).sum()


def _view_imul_seen_by_base(w):
    X = const(1, 2, 3, 4)
    v = X[1:3]
    v *= w[1:]
    return (X * X).sum() + (v * 3).sum()


def _view_taken_before_change(w):
    X = const(5, 5, 5)
    v = X[0:2]                          # a constant view; X then comes to depend on w
    X.add_(w)
    return (v * v).sum() + (w * w).sum()


def _non_leaf_self_add(w):
    h = w * 2
    h += h                              # reads its own old value: 4w
    return (h * h).sum()


def _non_leaf_square_in_place(w):
    h = w * 2
    h.mul_(h)
    return h.sum()


def _reshape_and_transpose_views(w):
    X = const(5, 5, 5, 5).reshape(2, 2)
    flat, t = X.reshape(4), X.T
    flat[1:] *= w
    return (t * t * const(1, 2, 3, 4).reshape(2, 2)).sum()


def _element_view_of_vector(w):
    X = const(5, 5, 5)
    e = X[1]                            # a 0-d view, as in PyTorch
    e.mul_(w[0])
    return (X * X).sum()


def _advanced_and_mask_assignment(w):
    X = const(1, 1, 1, 1)
    X[[0, 2]] = w[1:]
    X[np.array([False, True, False, True])] = w[0] * 3
    return (X * X).sum()


def _arithmetic_chain(w):
    X = Tensor(np.ones((2, 3)))
    X += w
    X *= 2
    X -= w
    X /= w
    return (X * X).sum()


def _fill_and_zero(w):
    h = w * 1
    h[0:1].fill_(2.0)
    h[2:].zero_()
    return (h * w).sum()


IN_PLACE = [_buffer_iadd, _buffer_mul_, _buffer_copy_, _buffer_setitem_all, _slice_iadd, _view_imul_seen_by_base,
            _view_taken_before_change, _non_leaf_self_add, _non_leaf_square_in_place, _reshape_and_transpose_views,
            _element_view_of_vector, _advanced_and_mask_assignment, _arithmetic_chain, _fill_and_zero]

OUT_OF_PLACE = {
    _buffer_iadd: lambda w: ((const(10, 20, 30) + w) * w).sum(),
    _buffer_mul_: lambda w: ((const(10, 20, 30) * w) * w).sum(),
    _buffer_copy_: lambda w: (w * w).sum(),
    _buffer_setitem_all: lambda w: (w * w).sum(),
    _slice_iadd: lambda w: (ag.concatenate([const(1), const(2, 3) + w[:2], const(4)]) ** 2).sum(),
    _view_imul_seen_by_base: lambda w: (ag.concatenate([const(1), const(2, 3) * w[1:], const(4)]) ** 2).sum()
    + (const(2, 3) * w[1:] * 3).sum(),
    _view_taken_before_change: lambda w: ((const(5, 5) + w[:2]) ** 2).sum() + (w * w).sum(),
    _non_leaf_self_add: lambda w: ((4 * w) ** 2).sum(),
    _non_leaf_square_in_place: lambda w: ((2 * w) * (2 * w)).sum(),
    _reshape_and_transpose_views: lambda w: (ag.concatenate([const(5), 5 * w]).reshape(2, 2).T ** 2
                                             * const(1, 2, 3, 4).reshape(2, 2)).sum(),
    _element_view_of_vector: lambda w: (ag.concatenate([const(5), 5 * w[0:1], const(5)]) ** 2).sum(),
    _advanced_and_mask_assignment: lambda w: (ag.stack([w[1], w[0] * 3, w[2], w[0] * 3]) ** 2).sum(),
    _arithmetic_chain: lambda w: ((((Tensor(np.ones((2, 3))) + w) * 2 - w) / w) ** 2).sum(),
    _fill_and_zero: lambda w: (ag.concatenate([const(2.0), w[1:2], const(0.0)]) * w).sum(),
}


@pytest.mark.parametrize("program", IN_PLACE, ids=lambda f: f.__name__.strip("_"))
def test_recorded_in_place_equals_the_out_of_place_spelling(program):
    W = np.array([0.5, -1.5, 2.0])
    value, grad = grads_of(program, W)
    ref_value, ref_grad = grads_of(OUT_OF_PLACE[program], W)
    np.testing.assert_allclose(value, ref_value, rtol=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-12)
    np.testing.assert_allclose(grad, numeric_grad(program, W), rtol=1e-6, atol=1e-8)


def test_a_buffer_changed_in_place_becomes_a_graph_node():
    W, X = leaf(1, 2, 3), const(10, 20, 30)
    alias = X
    X += W
    assert alias is X and X.requires_grad and not X.is_leaf       # same object, like PyTorch
    assert X._op == "+=" and not X.data.flags.writeable


def test_views_see_in_place_changes_of_their_base():
    X = const(1, 2, 3, 4)
    v, r = X[1:3], X.reshape(2, 2)
    X.mul_(leaf(1, 2, 3, 4))
    np.testing.assert_array_equal(v.data, [4, 9])
    np.testing.assert_array_equal(r.data, [[1, 4], [9, 16]])
    assert v.requires_grad and r.requires_grad


def test_in_place_without_gradients_is_a_plain_write():
    X = const(1, 2, 3)
    X += const(1, 1, 1)
    X[0] = 7
    assert not X.requires_grad and X.is_leaf and X.data.flags.writeable
    np.testing.assert_array_equal(X.data, [7, 3, 4])


# --- refused, with what to write instead --------------------------------------------------------
def test_leaf_that_requires_grad_changes_only_under_no_grad():
    w = leaf(1, 2, 3)
    for change in (lambda: w.__iadd__(1.0), lambda: w.add_(1.0), lambda: w.__setitem__(0, 5.0),
                   lambda: w[0:2].mul_(2.0), lambda: w.zero_()):
        with pytest.raises(RuntimeError, match="no_grad"):
            change()
    with ag.no_grad():
        w -= 0.5                                           # the optimizer's way
        w[0:2].mul_(2.0)                                   # through a view, too
    np.testing.assert_array_equal(w.data, [1.0, 3.0, 2.5])
    assert w.is_leaf and w._version > 0


def test_stale_consumer_is_refused_at_backward_before_anything_runs():
    w = leaf(1, 2, 3)
    h = w * 2
    y = h * 3                                              # used h's old value
    h += w
    with pytest.raises(RuntimeError, match=r"'mul'.*modified in place \(by \+=\)"):
        (y + h).sum().backward()
    assert w.grad is None                                  # nothing was accumulated


def test_a_cycle_made_by_an_in_place_change_is_an_error_not_a_lost_gradient():
    w = leaf(1, 2, 3)
    h = w * 2
    h += h * 3                                             # h now depends on an op that read its old value
    with pytest.raises(RuntimeError, match="modified in place"):
        (h * 1).sum().backward()
    assert w.grad is None


def test_saved_leaf_changed_under_no_grad_is_refused_at_backward():
    x = leaf(1, 2, 3)
    y = (x * x).sum()
    with ag.no_grad():
        x += 1.0
    with pytest.raises(RuntimeError, match=r"'mul'.*modified in place"):
        y.backward()


def test_graph_memory_is_read_only_under_no_grad():
    x = leaf(1, 2, 3)
    h = x.exp()                                            # exp saves its output
    with pytest.raises(ValueError, match="read-only"):
        h.data[0] = 0.0
    with ag.no_grad(), pytest.raises(RuntimeError, match="read-only"):
        h += 1
    h.sum().backward()
    np.testing.assert_allclose(x.grad, np.exp(x.data))


@pytest.mark.parametrize("make_alias", [lambda X: X.detach(), lambda X: X.broadcast_to((2, 3)),
                                        lambda X: X.detach()[0:2]], ids=["detach", "broadcast", "view-of-detach"])
def test_in_place_with_gradient_into_shared_memory_is_refused(make_alias):
    X = const(1, 2, 3)
    alias = make_alias(X)
    with pytest.raises(RuntimeError, match="broadcast|shares memory"):
        alias.add_(leaf(1, 1, 1)[: alias.shape[-1]])
    np.testing.assert_array_equal(X.data, [1, 2, 3])      # refused before anything changed


def test_repeated_index_with_a_gradient_is_refused():
    X, w = const(0, 0, 0), leaf(1, 2)
    with pytest.raises(ValueError, match="repeats an element"):
        X[[0, 0]] = w
    X[[0, 0]] = const(1, 2)                                # no gradient involved: numpy's rule
    assert X.data[0] == 2


def test_in_place_cannot_change_shape_or_dtype_kind():
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        const(1, 2, 3).__iadd__(leaf(1, 2, 3).reshape(3, 1))
    with pytest.raises(TypeError, match="float64 result cannot be stored in place into a int64"):
        Tensor(np.array([1, 2, 3])).add_(leaf(1, 2, 3))


def test_array_operands_are_snapshotted_for_backward():
    w, buf = leaf(1, 2, 3), np.array([1.0, 2.0, 3.0])
    loss = (w * buf).sum()
    buf[:] = 5                                             # a reused batch buffer
    loss.backward()
    np.testing.assert_array_equal(w.grad, [1, 2, 3])


def test_value_copy_is_versioned_like_a_tensor_in_place_change():
    a, b = ag.Value(2.0), ag.Value(3.0)
    out = a * b
    with ag.no_grad():
        a.copy_(5.0)                                       # what optimizers and load_state_dict do
    with pytest.raises(RuntimeError, match=r"'\*'.*modified in place \(by copy_\)"):
        out.backward()
    with pytest.raises(RuntimeError, match="no_grad"):
        a.copy_(1.0)
    with pytest.raises(RuntimeError, match="only leaves"):
        out.copy_(1.0)


@pytest.mark.parametrize("edit", [
    lambda x, c: x.detach().zero_(),                                  # through a detached alias
    lambda x, c: c.add_(1.0),                                         # through the base of a view
])
def test_in_place_edits_through_aliases_are_detected(edit):
    x = leaf(0.3, -1.2, 2.0)
    c = Tensor(np.arange(6.0))
    y = (x * x).sum() + (c[0:3] * x).sum()        # saves x and a view of c
    edit(x, c)
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


@pytest.mark.parametrize("mutate", ["where", "getitem", "cross_entropy"])
def test_arrays_saved_for_backward_are_copies(mutate):
    a = leaf(0.3, -1.2, 2.0, 0.7)
    arr = {"where": np.array([True, False, True, False]), "getitem": np.array([0, 0, 1]),
           "cross_entropy": np.array([1])}[mutate]
    f = {"where": lambda a, arr: ag.where(arr, a, 0.0).sum(),
         "getitem": lambda a, arr: a[arr].sum(),
         "cross_entropy": lambda a, arr: ag.softmax_cross_entropy(a.reshape(1, 4), arr)}[mutate]
    expected = leaf(0.3, -1.2, 2.0, 0.7)
    f(expected, arr.copy()).backward()
    y = f(a, arr)
    arr[...] = arr[::-1] if mutate != "cross_entropy" else 3    # the caller reuses its buffer
    y.backward()
    np.testing.assert_allclose(a.grad, expected.grad)
