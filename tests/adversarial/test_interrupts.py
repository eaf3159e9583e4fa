"""Adversarial interrupt tests: an exception or KeyboardInterrupt inside a vjp, a forward, grad() or an in-place
op. Expected afterwards: no .grad partially updated, grad mode and the thread's engine state restored, the engine
usable from any thread, and a second backward through the same graph either right or refused naming why."""
import threading

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor, Value

INTERRUPTS = [KeyboardInterrupt, ValueError, MemoryError]


def leaf(*values):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


def failing_identity(exc, fail_calls=(1,)):
    """A primitive whose vjp raises `exc` on the listed calls (1-based) and is the identity otherwise."""
    calls = []

    @ag.primitive
    def fail(x):
        return x * 1.0

    @fail.defvjp
    def _(g, out, x):
        calls.append(1)
        if len(calls) in fail_calls:
            raise exc("interrupted inside a vjp")
        return (g,)
    return fail


def _square_grad():
    w = leaf(1, 2)
    (w * w).sum().backward()
    return w.grad.tolist()


def assert_engine_usable():
    """Grad mode is on, a fresh backward works here and in another thread (the engine lock was released)."""
    assert ag.is_grad_enabled()
    assert _square_grad() == [2, 4]
    seen = []
    th = threading.Thread(target=lambda: seen.append(_square_grad()))
    th.start()
    th.join(5)
    assert seen == [[2, 4]]


@pytest.mark.parametrize("exc", INTERRUPTS)
def test_interrupt_inside_a_vjp_changes_no_grad_and_the_second_pass_names_it(exc):
    fail = failing_identity(exc)
    a1, a2, b = leaf(1, 2), leaf(3, 4), leaf(5)
    a1.grad = np.array([10.0, 10.0])                    # an earlier pass's gradient must survive untouched
    h = a2 * 2
    h.retain_grad()
    # whichever side the walk takes first, a1's or a2's gradient is complete before fail's vjp runs
    loss = (a1 * 2).sum() + fail(b * 1.0).sum() + h.sum()
    with pytest.raises(exc):
        loss.backward()
    assert a1.grad.tolist() == [10, 10] and a2.grad is None and b.grad is None and h.grad is None
    assert_engine_usable()
    with pytest.raises(RuntimeError, match="second time.*stopped midway"):
        loss.backward()


@pytest.mark.parametrize("exc", INTERRUPTS)
def test_retained_graph_can_be_walked_again_after_an_interrupt(exc):
    fail = failing_identity(exc)
    w = leaf(1, 2)
    loss = fail(w * w).sum() + w.sum()
    with pytest.raises(exc):
        loss.backward(retain_graph=True)
    loss.backward()                                     # stale pass-local state must not leak into this pass
    assert w.grad.tolist() == [3, 5]


@pytest.mark.parametrize("exc", INTERRUPTS)
def test_interrupt_inside_a_value_vjp_keeps_every_grad(exc):
    fail = failing_identity(exc)
    v = Value(2.0)
    y = v * v
    z = fail(y) + v
    with pytest.raises(exc):
        z.backward()
    assert (v.grad, y.grad, z.grad) == (0.0, 0.0, 0.0)
    assert_engine_usable()


@pytest.mark.parametrize("exc", INTERRUPTS)
def test_interrupt_inside_create_graph_backward_restores_grad_mode(exc):
    fail = failing_identity(exc)
    w = leaf(1, 2)
    loss = fail(w ** 3).sum()
    with ag.no_grad():
        with pytest.raises(exc):
            loss.backward(create_graph=True)            # grad mode is on while this pass records itself
        assert not ag.is_grad_enabled()                 # and back to off after it
    assert w.grad is None
    assert_engine_usable()


@pytest.mark.parametrize("exc", INTERRUPTS)
@pytest.mark.parametrize("where", ["forward", "inner vjp"])
def test_interrupt_inside_nested_grad_restores_its_state(exc, where):
    fail = failing_identity(exc)

    def inner(y):
        if where == "forward":
            raise exc("interrupted inside f")
        return fail(y * y)
    with pytest.raises(exc):
        ag.grad(lambda x: ag.grad(inner)(x))(2.0)
    assert_engine_usable()                              # a plain backward is not refused as "inside grad"
    assert ag.grad(ag.grad(lambda x: x ** 3))(2.0) == 12.0


@pytest.mark.parametrize("mode", [ag.no_grad, ag.enable_grad, lambda: ag.set_grad_enabled(False)],
                         ids=["no_grad", "enable_grad", "set_grad_enabled(False)"])
@pytest.mark.parametrize("outer", [ag.no_grad, ag.enable_grad])
def test_interrupt_inside_a_grad_mode_block_or_decorated_function_restores_the_mode(mode, outer):
    @mode()
    def decorated():
        raise KeyboardInterrupt
    with outer():
        before = ag.is_grad_enabled()
        with pytest.raises(KeyboardInterrupt), mode():
            raise KeyboardInterrupt
        assert ag.is_grad_enabled() == before
        with pytest.raises(KeyboardInterrupt):
            decorated()
        assert ag.is_grad_enabled() == before
    assert ag.is_grad_enabled()


# --- a failed in-place op changes nothing: the graph built before it still backward()s ------------------------------
FAILED_CHANGES = [
    ("result would grow the shape", lambda X, w: X.__iadd__(w.reshape(3, 1))),
    ("operand that does not broadcast", lambda X, w: X.__imul__(np.ones(4))),
    ("index out of range", lambda X, w: X.__setitem__(5, w[0])),
    ("repeated index with a gradient", lambda X, w: X.__setitem__([0, 0], w[:2])),
    ("broadcast view", lambda X, w: X.broadcast_to((2, 3)).__iadd__(w)),
    ("alias of a detached tensor", lambda X, w: X.detach().__iadd__(w)),
    ("value that does not broadcast", lambda X, w: X.__setitem__(slice(0, 2), w)),
    ("view of a leaf in grad mode", lambda X, w: w[0:2].__imul__(2.0)),
]


@pytest.mark.parametrize("change", [c[1] for c in FAILED_CHANGES], ids=[c[0] for c in FAILED_CHANGES])
def test_a_refused_in_place_change_leaves_everything_as_it_was(change):
    w = leaf(1, 2, 3)
    X = w * 2.0
    y = (X * w).sum()                                   # saved X and w before the attempt
    with pytest.raises((RuntimeError, ValueError, TypeError, IndexError)):
        change(X, w)
    assert X.data.tolist() == [2, 4, 6] and w.data.tolist() == [1, 2, 3]
    y.backward()                                        # not refused as "modified in place"
    assert w.grad.tolist() == [4, 8, 12]


def test_a_stale_graph_refused_at_backward_accumulates_nothing_anywhere():
    a, b = leaf(1, 2), leaf(3, 4)
    a.grad = np.array([1.0, 1.0])
    h = a * b
    h.retain_grad()
    y = (h * b).sum()
    with ag.no_grad():
        b += 1.0
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()
    assert a.grad.tolist() == [1, 1] and b.grad is None and h.grad is None


@pytest.mark.parametrize("wrong", [np.zeros((2, 1)), np.zeros(5)], ids=["broadcastable", "incompatible"])
def test_a_wrong_shaped_grad_is_a_clear_error_before_any_grad_changes(wrong):
    a, b = leaf(1, 2, 3), leaf(1, 1, 1)
    b.grad = wrong
    with pytest.raises((RuntimeError, ValueError), match=r"\(3,\)"):
        (a * b).sum().backward()
    assert a.grad is None
