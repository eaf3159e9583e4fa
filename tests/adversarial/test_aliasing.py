"""Adversarial aliasing tests: views of views, detach, from_numpy, `.numpy()`, `np.asarray(t)`, numpy operands and
indices changed after the forward. Expected: the gradient of the values the forward used, or a clear error."""
import operator
import re
import sys

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor


def leaf(*values):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


# --- views of views, written the same way in both libraries, checked against torch in float64 -------------------
def _row_of_reshape(B, w):
    B.reshape(2, 3)[1] *= w[:3]


def _slice_of_transpose(B, w):
    B.reshape(2, 3).T[1:] += w[:4].reshape(2, 2)


def _element_of_unsqueeze(B, w):
    B.unsqueeze(0)[0, 4].mul_(w[0])


def _squeeze_of_slice(B, w):
    B.reshape(3, 2)[1:2].squeeze(0).copy_(w[:2])


def _view_made_before_change(B, w):
    v = B.reshape(2, 3)[:, 1]
    B.add_(w)
    v.mul_(w[4:])


VIEW_PROGRAMS = [_row_of_reshape, _slice_of_transpose, _element_of_unsqueeze, _squeeze_of_slice,
                 _view_made_before_change]


@pytest.mark.parametrize("program", VIEW_PROGRAMS, ids=lambda f: f.__name__.strip("_"))
def test_in_place_through_views_of_views_matches_torch(program):
    torch = pytest.importorskip("torch")
    W0 = np.array([0.5, -1.5, 2.0, 1.25, -0.75, 3.0])
    w = leaf(*W0)
    B = w * 1.0
    tw = torch.tensor(W0, requires_grad=True)
    tB = tw * 1.0
    program(B, w)
    program(tB, tw)
    np.testing.assert_allclose(B.data, tB.detach().numpy(), rtol=1e-12)
    (B * B * np.arange(6.0)).sum().backward()
    (tB * tB * torch.arange(6.0, dtype=torch.float64)).sum().backward()
    np.testing.assert_allclose(w.grad, tw.grad.numpy(), rtol=1e-12)


def test_view_made_under_no_grad_of_a_non_leaf_is_recorded_on_its_base():
    W0 = np.array([1.0, 2.0, 3.0])
    w = leaf(*W0)
    h = w * 2
    with ag.no_grad():
        v = h[0:2]
    v *= w[0:2]                                         # PyTorch refuses this; recording it on h is right too
    (h * h).sum().backward()
    # out of place: h = [2 w0 * w0, 2 w1 * w1, 2 w2]; sum h^2 = 4 w0^4 + 4 w1^4 + 4 w2^2
    np.testing.assert_allclose(w.grad, [16 * W0[0] ** 3, 16 * W0[1] ** 3, 8 * W0[2]], rtol=1e-12)


def test_broadcast_view_cannot_be_written_and_sees_its_base():
    X = Tensor(np.ones(3))
    b = X.broadcast_to((2, 3))
    with pytest.raises(RuntimeError, match="read-only|broadcast"):
        b += 1
    X += leaf(1, 2, 3)                                  # a recorded change of the base reaches the broadcast
    (b * b).sum().backward()
    np.testing.assert_array_equal(b.data, [[2, 3, 4], [2, 3, 4]])


@pytest.mark.parametrize("edit", [lambda d: d.__iadd__(1.0), lambda d: d.__setitem__(0, 5.0),
                                  lambda d: d[0:1].mul_(3.0), lambda d: d.reshape(2).sub_(1.0)],
                         ids=["+=", "setitem", "view mul_", "reshape sub_"])
def test_edit_through_detach_is_seen_by_the_graph(edit):
    w = leaf(1, 2)
    loss = (w * w).sum()
    edit(w.detach())                                    # shares w's memory and its version
    with pytest.raises(RuntimeError, match="'mul'.*modified in place"):
        loss.backward()


ALIASES = {"base": lambda B: B, "the saved row": lambda B: B[1], "a column": lambda B: B[:, 0],
           "a view of a view": lambda B: B.T[1:], "detach": lambda B: B.detach(), "an element": lambda B: B[1, 2]}


@pytest.mark.parametrize("op", [operator.iadd, operator.isub, operator.imul, operator.itruediv],
                         ids=["+=", "-=", "*=", "/="])
@pytest.mark.parametrize("alias", ALIASES.values(), ids=ALIASES.keys())
def test_no_grad_arithmetic_through_any_alias_is_seen_by_a_graph_that_saved_a_view(alias, op):
    B, w = Tensor(np.arange(1.0, 7.0).reshape(2, 3)), leaf(1, 2, 3)
    loss = (B[1] * w).sum()                             # mul saves B's row 1 for w's gradient
    target = alias(B)
    expected = op(np.array(target.data), 2.0)
    with ag.no_grad():                                  # the optimizer's path: one memory, one version
        op(target, 2.0)
    np.testing.assert_array_equal(target.data, expected)
    symbol = {"iadd": "+=", "isub": "-=", "imul": "*=", "itruediv": "/="}[op.__name__]
    with pytest.raises(RuntimeError, match=r"'mul'.*modified in place \(by " + re.escape(symbol)):
        loss.backward()
    assert w.grad is None


# --- numpy operands, indices and masks are captured at the forward -------------------------------------------------
@pytest.mark.parametrize("op, expected", [
    (lambda w, a: w * a, [1, 2, 3]),
    (lambda w, a: a * w, [1, 2, 3]),
    (lambda w, a: a / w, [-1, -2, -3]),
    (lambda w, a: w ** a, [1, 2, 3]),
    (lambda w, a: ag.maximum(w, a - 2.0), [1, 1, 0.5]),
    (lambda w, a: ag.where(a > 1.5, w, 0.0), [0, 1, 1]),
    (lambda w, a: w[a.astype(int) - 1], [1, 1, 1]),
    (lambda w, a: w[a > 1.5], [0, 1, 1]),
    (lambda w, a: a[:2] @ w[:2].reshape(2, 1), [1, 2, 0]),
], ids=["mul", "rmul", "rdiv", "pow", "maximum", "where", "int index", "mask", "rmatmul"])
def test_numpy_operand_changed_after_the_forward_does_not_change_the_gradient(op, expected):
    w, a = leaf(1, 1, 1), np.array([1.0, 2.0, 3.0])
    loss = op(w, a).sum()
    a[:] = -7.0                                         # a reused buffer
    loss.backward()
    np.testing.assert_allclose(w.grad, expected)


def test_numpy_operand_of_a_primitive_is_captured_at_the_forward():
    @ag.primitive
    def fma(a, b, c):
        return a + b * c

    @fma.defvjp
    def _(g, out, a, b, c):
        return g, g * c, g * b

    w, arr = leaf(3, 4), np.array([1.0, 2.0])
    loss = fma(Tensor([0.0, 0.0]), arr, w).sum()
    arr[:] = 100.0
    loss.backward()
    np.testing.assert_array_equal(w.grad, [1, 2])


# --- .numpy(), np.asarray and __array__ ------------------------------------------------------------------------
@pytest.mark.parametrize("expose", [lambda t: t.numpy(), lambda t: np.asarray(t), lambda t: t.__array__()],
                         ids=["numpy()", "np.asarray", "__array__"])
def test_memory_of_a_computed_tensor_is_exposed_read_only(expose):
    h = leaf(1, 2, 3).exp()
    with pytest.raises(ValueError, match="read-only"):
        expose(h)[0] = 0.0


def test_array_protocol_copies_and_casts_as_asked():
    h = leaf(1, 2, 3) * 2
    copy = np.array(h)
    copy[0] = 100.0
    assert h.data[0] == 2 and np.asarray(h, dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError, match="without a copy"):
        h.__array__(dtype=np.float32, copy=False)


def _write_after(expose):
    """(w.grad, expected) after writing into memory exposed by `expose(w)` between forward and backward."""
    w = leaf(1, 2, 3)
    loss = (w * w).sum()
    try:
        expose(w)[0] = 100.0
    except ValueError:                                   # read-only: the write was refused, which is right
        pass
    try:
        loss.backward()
    except RuntimeError as e:                            # or backward refuses, naming the change
        assert "modified" in str(e)
        return None, None
    return w.grad, [2, 4, 6]


@pytest.mark.parametrize("expose", [lambda t: t.numpy(), lambda t: np.asarray(t), lambda t: t.detach().numpy()],
                         ids=["numpy()", "np.asarray", "detach().numpy()"])
def test_write_into_exposed_memory_of_a_saved_leaf_is_refused_or_harmless(expose):
    grad, expected = _write_after(expose)
    if grad is not None:
        np.testing.assert_array_equal(grad, expected)


def test_from_numpy_of_a_read_only_array_is_never_written():
    arr = np.array([1.0, 2.0])
    arr.setflags(write=False)
    t = ag.from_numpy(arr)
    with pytest.raises(RuntimeError, match="read-only"):
        t += leaf(1, 1)
    np.testing.assert_array_equal(arr, [1, 2])
    assert not arr.flags.writeable


def test_from_numpy_shares_memory_both_ways_and_in_place_changes_are_versioned():
    arr = np.array([1.0, 2.0])
    t, w = ag.from_numpy(arr), leaf(1, 1)
    loss = (t * w).sum()
    with ag.no_grad():
        t += 1.0
    assert arr[0] == 2.0
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


# --- absurd depth ------------------------------------------------------------------------------------------------
def test_long_chain_of_views_backward():
    X, w = Tensor(np.ones(4)), leaf(1, 2, 3, 4)
    v = X
    for _ in range(20_000):
        v = v.reshape(2, 2).reshape(4)
    (v * w).sum().backward()
    np.testing.assert_array_equal(w.grad, [1, 1, 1, 1])


@pytest.mark.parametrize("through_view", [False, True], ids=["base changed", "changed through the view"])
def test_in_place_change_with_a_deep_chain_of_views(through_view):
    X, w = Tensor(np.ones(4)), leaf(1, 2, 3, 4)
    v = X
    for _ in range(sys.getrecursionlimit() + 100):
        v = v[:]
    try:
        (v if through_view else X).__iadd__(w)
    except RecursionError:
        pytest.fail("RecursionError, not a result or a clear error")
    np.testing.assert_array_equal(v.data, [2, 3, 4, 5])
    (v * v).sum().backward()
    np.testing.assert_array_equal(w.grad, [4, 6, 8, 10])
