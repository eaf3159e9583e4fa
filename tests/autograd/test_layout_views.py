"""Layout ops that return views (flip, split, chunk, diagonal) or copies (ops/layout.py): in-place changes through a
view are recorded on its base, equal to their out-of-place spelling; copies never share memory with x."""
import numpy as np
import pytest

import autograd as ag


def leaf(*values):
    return ag.tensor(np.array(values, dtype=np.float64), requires_grad=True)


def base():
    return ag.tensor(np.arange(9.0).reshape(3, 3) - 4)


def _diag_mul(w):
    X = base()
    X.diagonal().mul_(w)
    return (X * X).sum()


def _nonleaf_diag_add(w):
    h = w * base()                              # a non-leaf: its memory is saved (read-only) for backward
    h.diagonal(1).add_(w[:2])
    return (h ** 2).sum()


def _flip_setitem(w):
    X = base()
    X.flip(1)[0] = w
    return (X * base()).sum()


def _split_part_iadd(w):
    X = base()
    X.split([2], axis=1)[1] += w[:, None]       # the last column
    return (X ** 3).sum()


def _chunk_part_mul(w):
    X = base()
    X.chunk(2, dim=0)[0].mul_(w)                # rows 0 and 1
    return (X * X).sum()


IN_PLACE = {
    _diag_mul: lambda w: (base() * (1 + ag.tensor(np.eye(3)) * (w - 1))) ** 2,
    _nonleaf_diag_add: lambda w: (w * base() + ag.pad(ag.tensor(np.eye(2)) * w[:2], ((0, 1), (1, 0)))) ** 2,
    _flip_setitem: lambda w: ag.concatenate([w.flip()[None], base()[1:]]) * base(),
    _split_part_iadd: lambda w: ag.concatenate([base()[:, :2], base()[:, 2:] + w[:, None]], axis=1) ** 3,
    _chunk_part_mul: lambda w: ag.concatenate([base()[:2] * w, base()[2:]]) ** 2,
}


@pytest.mark.parametrize("program", IN_PLACE, ids=lambda f: f.__name__.strip("_"))
def test_in_place_through_a_view_equals_the_out_of_place_spelling(program):
    w1, w2 = leaf(0.5, -1.5, 2.0), leaf(0.5, -1.5, 2.0)
    loss, ref = program(w1), IN_PLACE[program](w2).sum()
    loss.backward()
    ref.backward()
    np.testing.assert_allclose(loss.item(), ref.item(), rtol=1e-12)
    np.testing.assert_allclose(w1.grad, w2.grad, rtol=1e-12)
    assert not np.allclose(w1.grad, 0)


def test_a_diagonal_sees_its_base_change_and_writes_into_it():
    X = base()
    d = X.diagonal()
    X.add_(leaf(*range(9)).reshape(3, 3))
    np.testing.assert_array_equal(d.data, [-4 + 0, 0 + 4, 4 + 8])
    assert d.requires_grad
    Y = base()
    with ag.no_grad():
        Y.diagonal().zero_()                    # a plain write, as into a slice
    np.testing.assert_array_equal(Y.data, (np.arange(9.0).reshape(3, 3) - 4) * (1 - np.eye(3)))
    with pytest.raises(RuntimeError, match="view of a leaf.*no_grad"):
        leaf(1, 2, 3, 4).reshape(2, 2).diagonal().mul_(2.0)


def test_copies_do_not_share_memory():
    X = base()
    for out in (X.tile(1), X.roll(0), X.pad(0), X.repeat(1, 0), X.triu(-5), ag.pad(X, 0, "reflect")):
        out.add_(1.0)
    np.testing.assert_array_equal(X.data, np.arange(9.0).reshape(3, 3) - 4)
