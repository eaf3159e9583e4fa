"""A toolkit that cannot fail is worse than none: each op here has one deliberate gradient bug,
built with the public primitive API, and each test shows the toolkit reports it within the
default number of examples (the active hypothesis profile's), with no hint about where to look.
Only the first test lets hypothesis shrink the failure to a minimal example, as users see it;
the others pass shrink=False (same examples drawn, no minimizing) to keep the suite fast.
"""
import numpy as np
import pytest

from autograd import Tensor, Value, gradcheck, gradgradcheck, primitive
from autograd.function import data, sigmoid
from autograd.testing import (assert_engines_agree, check_adjoint, check_batch_gradient, check_deterministic,
                              check_op, check_rewrite, check_seed_linearity)


def softplus_forward(x):
    return np.logaddexp(0.0, x)


def first_slice(g, shape):
    """The bug: 'reduce' a broadcast gradient by taking index 0 along each broadcast axis instead of summing."""
    g = g[(0,) * (g.ndim - len(shape))]
    return g[tuple(slice(0, 1) if n == 1 else slice(None) for n in shape)]


wrong_sign = primitive(softplus_forward, vjp=lambda g, out, x: (-g * sigmoid(x),))
off_by_a_thousandth = primitive(np.exp, vjp=lambda g, out, x: (g * out * 1.001,))
sliced_not_summed = primitive(np.add, vjp=lambda g, out, a, b: (first_slice(g, a.shape), first_slice(g, b.shape)))
square_one_contribution = primitive(np.square, vjp=lambda g, out, x: (g * x,))          # x*x: only one of 2x
ignores_g = primitive(np.exp, vjp=lambda g, out, x: (out,))


@pytest.mark.parametrize("op, arity", [
    (wrong_sign, 1), (off_by_a_thousandth, 1), (sliced_not_summed, 2), (square_one_contribution, 1), (ignores_g, 1),
], ids=["wrong-sign", "off-by-0.1%", "broadcast-sliced-not-summed", "assigned-not-accumulated", "ignores-g"])
def test_check_op_catches_a_wrong_gradient(op, arity):
    with pytest.raises(AssertionError, match="failed|differ|linear|seed"):
        check_op(op, arity=arity, shrink=False)


def test_a_failure_is_reported_on_a_minimal_example():
    with pytest.raises(AssertionError, match=r"gradcheck failed for input 0 of shape \(\):") as err:
        check_op(wrong_sign)
    assert "case=([array(0.)], {})" in "\n".join(err.value.__notes__)    # hypothesis' note: shrunk to x = 0


def test_the_sliced_broadcast_reduction_is_right_without_broadcasting():
    """The broadcast bug hides on equal shapes, so it is the drawn broadcasting shapes that expose it."""
    assert check_op(sliced_not_summed, arity=2, shapes=[(2, 3), (2, 3)])


def test_the_toolkit_passes_the_same_ops_written_correctly():
    assert check_op(primitive(softplus_forward, vjp=lambda g, out, x: (g * sigmoid(x),)))
    assert check_op(primitive(np.add, vjp=lambda g, out, a, b: (g, g)), arity=2)
    assert check_op(primitive(np.square, vjp=lambda g, out, x: (2 * g * x,)))


def test_a_vjp_writing_into_g_is_caught_even_when_its_gradient_is_right():
    def vjp(g, out, x):
        g *= 2                        # d(2x)/dx = 2, computed in place: corrupts the caller's gradient
        return (g,)
    with pytest.raises(AssertionError, match="modified the seed"):
        check_op(primitive(lambda x: 2 * x, vjp=vjp), shrink=False)


def test_a_forward_mutating_its_input_is_caught():
    def forward(x):
        x *= 1.0000001                # a "harmless" in-place rescale of the caller's array
        return x * 2
    with pytest.raises(AssertionError):
        check_op(primitive(forward, vjp=lambda g, out, x: (2 * g,)), shrink=False)


def test_a_nondeterministic_vjp_is_caught_by_the_determinism_check():
    rng = np.random.default_rng()
    noisy = primitive(np.tanh, vjp=lambda g, out, x: (g * (1 - out * out) * (1 + 1e-13 * rng.standard_normal()),))
    with pytest.raises(AssertionError, match="different gradients"):
        check_op(noisy, shrink=False)


def test_seed_linearity_alone_catches_a_vjp_that_ignores_g():
    with pytest.raises(AssertionError, match="zero seed|linear"):
        check_seed_linearity(ignores_g, Tensor([0.3, -1.2], requires_grad=True))


def test_adjoint_identity_alone_catches_a_wrong_sign():
    with pytest.raises(AssertionError, match="adjoint"):
        check_adjoint(wrong_sign, Tensor([0.3, -1.2, 2.0], requires_grad=True))


def test_determinism_check_alone_catches_noise():
    rng = np.random.default_rng()
    noisy = primitive(np.tanh, vjp=lambda g, out, x: (g * (1 - out * out) * (1 + 1e-12 * rng.standard_normal()),))
    with pytest.raises(AssertionError, match="different gradients"):
        check_deterministic(noisy, Tensor([0.5], requires_grad=True))


def test_rewrite_invariance_catches_a_square_that_forgets_a_contribution():
    with pytest.raises(AssertionError, match="different gradients"):
        check_rewrite(square_one_contribution, lambda x: x * x, Tensor([0.5, -2.0], requires_grad=True))


def test_engine_agreement_catches_a_bug_only_the_scalar_path_has():
    # right on arrays, wrong sign on the floats a Value hands its vjp
    cube = primitive(lambda x: x ** 3, vjp=lambda g, out, x: (g * (-3 if isinstance(x, float) else 3) * x ** 2,))
    assert check_op(cube, kind="tensor")
    with pytest.raises(AssertionError):
        check_op(cube, kind="value", shrink=False)
    with pytest.raises(AssertionError, match="different gradients"):
        assert_engines_agree(lambda x: cube(x) + x, [0.5, -1.0])


def test_gradgradcheck_catches_a_vjp_that_is_right_once_but_constant_under_create_graph():
    square = primitive(np.square, vjp=lambda g, out, x: (2 * g * data(x),))    # data(x): x treated as a constant
    x = Tensor([0.5, -1.5], requires_grad=True)
    assert check_op(square)
    with pytest.raises(AssertionError, match="gradgradcheck failed"):
        gradgradcheck(square, x)
    with pytest.raises(AssertionError, match="gradgradcheck failed"):
        gradgradcheck(square, Value(0.5))


def test_gradgradcheck_catches_a_linear_op_whose_vjp_detaches_its_incoming_gradient():
    # J is constant, so every second derivative with respect to x is 0 and right; only differentiating with
    # respect to the seed v (as PyTorch's gradgradcheck does) sees that the gradient no longer depends on v
    triple = primitive(lambda x: 3 * x, vjp=lambda g, out, x: (3 * data(g),))
    assert gradcheck(triple, Tensor([0.5, -1.5], requires_grad=True))
    for x in (Tensor([0.5, -1.5], requires_grad=True), Value(0.5)):
        with pytest.raises(AssertionError, match=r"gradgradcheck failed for input 1 \('seed"):
            gradgradcheck(triple, x)
    honest = primitive(lambda x: 3 * x, vjp=lambda g, out, x: (3 * g,))
    assert gradgradcheck(honest, Tensor([0.5, -1.5], requires_grad=True)) and gradgradcheck(honest, Value(0.5))


def test_batch_gradient_check_catches_a_vjp_that_depends_on_the_batch_size():
    per_batch = primitive(np.tanh, vjp=lambda g, out, x: (g * (1 - out * out) / len(out),))   # a stray 1/n
    W = Tensor(np.linspace(-1, 1, 6).reshape(3, 2), requires_grad=True)
    X = np.linspace(-2, 2, 12).reshape(4, 3)
    with pytest.raises(AssertionError, match="per-example"):
        check_batch_gradient(lambda xb: per_batch(Tensor(xb) @ W).sum(), [W], X)


# --- wrong gradients at every scale: gradcheck, gradcheck(fast=True), gradgradcheck and check_op ------------
sin = primitive(np.sin)
cos = primitive(np.cos)
sin.defvjp(lambda g, out, x: (g * cos(x),))
cos.defvjp(lambda g, out, x: (-g * sin(x),))


def first_element(x):
    """1 at x's first element, 0 elsewhere (a constant: its derivative is zero)."""
    mask = np.zeros(np.shape(data(x)))
    mask.flat[0] = 1.0
    return mask


BUGS = {                                     # how a vjp goes wrong, given the right gradient and the input
    "2x": lambda grad, x: 2 * grad,
    "0.1%": lambda grad, x: grad * 1.001,
    "sign": lambda grad, x: -grad,
    "one element": lambda grad, x: grad * (1 + 0.001 * first_element(x)),
}


def scaled_sine(c, bug=None, order=1, arity=1):
    """c * sin(x) (arity 1) or c * (sin(a) + sin(b)): `bug` in the last input's vjp (order 1) or in the vjp of that
    vjp (order 2, so only second derivatives are wrong)."""
    wrong = BUGS[bug] if bug else (lambda grad, x: grad)
    bad_cos = primitive(np.cos, vjp=lambda g, out, x: (wrong(-g * sin(x), x),))

    def vjp(g, out, *xs):
        right = [g * c * cos(x) for x in xs]
        last = wrong(right[-1], xs[-1]) if order == 1 else g * c * bad_cos(xs[-1])
        return (*right[:-1], last)
    return primitive(lambda *xs: c * sum(np.sin(x) for x in xs), vjp=vjp)


CASES = [pytest.param(1e-7, "2x", 1, id="2x-at-1e-7"), pytest.param(1.0, "0.1%", 1, id="0.1%-at-1"),
         pytest.param(1e-7, "0.1%", 1, id="0.1%-at-1e-7"), pytest.param(1e7, "0.1%", 1, id="0.1%-at-1e7"),
         pytest.param(1.0, "sign", 1, id="sign-flip"), pytest.param(1e-7, "one element", 1, id="one-element-at-1e-7"),
         pytest.param(1e7, "0.1%", 2, id="second-input-only-at-1e7")]


def points(arity):
    return [Tensor(np.linspace(-1.4, 1.3, 5) + 0.1 * k, requires_grad=True) for k in range(arity)]


@pytest.mark.parametrize("fast", [False, True], ids=["gradcheck", "gradcheck-fast"])
@pytest.mark.parametrize("c, bug, arity", CASES)
def test_gradcheck_catches_a_wrong_vjp_at_every_scale(c, bug, arity, fast):
    with pytest.raises(AssertionError, match=f"gradcheck.* failed for input {arity - 1}"):
        gradcheck(scaled_sine(c, bug, arity=arity), *points(arity), fast=fast)


@pytest.mark.parametrize("c, bug, arity", CASES)
def test_gradgradcheck_catches_a_wrong_second_derivative_at_every_scale(c, bug, arity):
    op = scaled_sine(c, bug, order=2, arity=arity)
    assert gradcheck(op, *points(arity))                     # the first derivatives are right
    with pytest.raises(AssertionError, match=f"gradgradcheck failed for input {arity - 1}"):
        gradgradcheck(op, *points(arity))


@pytest.mark.parametrize("c, bug, arity", CASES)
def test_check_op_catches_a_wrong_vjp_at_every_scale(c, bug, arity):
    with pytest.raises(AssertionError, match="gradcheck failed"):
        check_op(scaled_sine(c, bug, arity=arity), arity=arity, shrink=False)


@pytest.mark.parametrize("c", [1e-7, 1.0, 1e7])
def test_the_same_op_written_right_passes_every_check_at_every_scale(c):
    for arity in (1, 2):
        op = scaled_sine(c, arity=arity)
        assert gradcheck(op, *points(arity)) and gradcheck(op, *points(arity), fast=True)
        assert gradgradcheck(op, *points(arity))
        assert check_op(op, arity=arity, second_order=True)
