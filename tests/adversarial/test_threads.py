"""Adversarial thread tests: concurrent backward passes on shared leaves and shared intermediates, backward while
another thread builds graphs or steps an optimizer, grad mode per thread. Interleavings that matter are forced with
events (every wait has a timeout, so a fixed engine that serializes more cannot deadlock the suite)."""
import threading

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor

WAIT = 5.0


def run_threads(*targets):
    """Run each target in its own thread; re-raise the first exception any of them raised."""
    errors = []

    def guarded(fn):
        try:
            fn()
        except BaseException as e:                      # noqa: BLE001 (reported below)
            errors.append(e)
    threads = [threading.Thread(target=guarded, args=(fn,)) for fn in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    if errors:
        raise errors[0]


def paused_identity(started, resume):
    """A primitive whose vjp signals `started` and waits (at most WAIT s) for `resume`: backward stops midway."""
    @ag.primitive
    def pause(x):
        return x * 1.0

    @pause.defvjp
    def _(g, out, x):
        started.set()
        resume.wait(WAIT)
        return (g,)
    return pause


def test_concurrent_backward_through_a_shared_intermediate_sums_exactly():
    w = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    h = w.exp()                                         # shared, saved by every thread's graph
    n, threads = 200, 4

    def work():
        for _ in range(n):
            (h * h).sum().backward(retain_graph=True)
    run_threads(*[work] * threads)
    np.testing.assert_allclose(w.grad, n * threads * 2 * np.exp(2 * w.data), rtol=1e-12)


def test_backward_while_another_thread_builds_graphs_on_the_same_leaf():
    w = Tensor(np.ones(3), requires_grad=True)
    built = []

    def build():
        for _ in range(2000):
            built.append((w * 3).sum())
    run_threads(build, lambda: [(w * w).sum().backward() for _ in range(500)])
    np.testing.assert_array_equal(w.grad, [1000, 1000, 1000])
    assert all(y.requires_grad for y in built)


def test_backward_in_a_second_thread_waits_for_a_pass_paused_in_a_vjp():
    started, resume = threading.Event(), threading.Event()
    pause = paused_identity(started, resume)
    a, b = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    la, lb = pause(a * 3).sum(), (b * b).sum()

    def second():
        started.wait(WAIT)
        threading.Timer(0.2, resume.set).start()        # the first pass resumes while this one waits
        lb.backward()                                   # must wait, not be refused as a nested backward
    run_threads(la.backward, second)
    np.testing.assert_array_equal(a.grad, [3.0])
    np.testing.assert_array_equal(b.grad, [4.0])


def test_concurrent_grad_calls_on_a_shared_leaf():
    w = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)

    def work():
        for _ in range(200):
            np.testing.assert_allclose(ag.grad(lambda x: (x * w * w).sum())(np.ones(3)), w.data ** 2)
    run_threads(*[work] * 3)
    assert w.grad is None


@pytest.mark.parametrize("update", [lambda w: w.sub_(1.0), lambda w: w.__isub__(1.0)], ids=["sub_", "-="])
def test_optimizer_step_in_another_thread_during_backward_is_refused_or_waits(update):
    started, resume = threading.Event(), threading.Event()
    pause = paused_identity(started, resume)
    w = Tensor([1.0, 2.0], requires_grad=True)
    loss = pause(w * w).sum()                           # mul's vjp reads w after pause's vjp
    outcome = []

    def backward():
        try:
            loss.backward()
        except RuntimeError as e:
            outcome.append(e)

    def step():
        started.wait(WAIT)
        with ag.no_grad():
            update(w)                                   # what optimizer.step() does
        resume.set()
    run_threads(backward, step)
    if not outcome:                                     # no error: it must be d/dw sum(w^2) at the forward's w
        np.testing.assert_array_equal(w.grad, [2.0, 4.0])
    else:
        assert "modified in place" in str(outcome[0])


# --- grad mode is per thread ------------------------------------------------------------------------------------
@pytest.mark.parametrize("main_mode, thread_mode", [(ag.enable_grad, ag.no_grad), (ag.no_grad, ag.enable_grad),
                                                    (ag.no_grad, lambda: ag.set_grad_enabled(True))],
                         ids=["no_grad in thread", "enable_grad in thread", "set_grad_enabled in thread"])
def test_grad_mode_of_one_thread_does_not_leak_into_another(main_mode, thread_mode):
    inside, release, seen = threading.Event(), threading.Event(), {}
    w = Tensor([1.0], requires_grad=True)

    def other():
        with thread_mode():
            inside.set()
            release.wait(WAIT)
            seen["other"] = (w * 2).requires_grad
    th = threading.Thread(target=other)
    with main_mode():
        th.start()
        inside.wait(WAIT)
        seen["main"] = (w * 2).requires_grad
        release.set()
        th.join(WAIT)
    assert seen["main"] == isinstance(main_mode(), ag.enable_grad)
    assert seen["other"] != seen["main"]
    assert ag.is_grad_enabled()


def test_a_new_thread_starts_recording_even_if_its_parent_is_in_no_grad():
    w, seen = Tensor([1.0], requires_grad=True), []
    with ag.no_grad():
        th = threading.Thread(target=lambda: seen.append((w * 2).requires_grad))
        th.start()
        th.join(WAIT)
    assert seen == [True]
