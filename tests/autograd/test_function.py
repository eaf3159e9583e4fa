"""User-defined primitives (`autograd.primitive`, `autograd.Function`) plug into the one engine."""
import numpy as np
import pytest

import autograd
from autograd import Function, Tensor, Value, gradcheck, gradgradcheck, no_grad, primitive
from autograd.function import data, exp, log, sigmoid, sqrt, tanh
from autograd.testing import check_op


@primitive
def cube(x):
    return x ** 3


@cube.defvjp
def _cube_vjp(g, out, x):
    return (g * 3 * x ** 2,)


@primitive
def mul(a, b):                       # numpy broadcasts inside forward; the vjp does not reduce
    return a * b


mul.defvjp(lambda g, out, a, b: (g * b, g * a))

sin = primitive(np.sin)
cos = primitive(np.cos)
sin.defvjp(lambda g, out, x: (g * cos(x),))           # primitives call each other: twice differentiable
cos.defvjp(lambda g, out, x: (-g * sin(x),))


class Softplus(Function):
    """log(1 + e^x) as a Function subclass."""

    @staticmethod
    def forward(x):
        return np.logaddexp(0.0, x)

    @staticmethod
    def vjp(g, out, x):
        return (g * sigmoid(x),)     # d/dx softplus = sigmoid


def test_exported_from_the_package():
    assert autograd.primitive is primitive and autograd.Function is Function


@pytest.mark.parametrize("op", [cube, sin, cos, Softplus.apply], ids=["cube", "sin", "cos", "softplus"])
def test_unary_primitives_pass_the_toolkit_on_both_engines(op):
    assert check_op(op, kind="both")


def test_engine_sums_a_primitives_gradient_back_over_broadcast_dims():
    assert check_op(mul, arity=2)            # default shapes broadcast: (3, 1) * (4,) and the like


def test_fan_out_into_a_primitive_accumulates():
    x = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    gradcheck(lambda t: mul(t, t) + cube(t) * t, x, rtol=1e-6)
    mul(x, x).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * x.data)     # d/dx x*x, both contributions


def test_no_grad_records_nothing():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        y = cube(x)
    assert not y.requires_grad and y.is_leaf


def test_plain_data_just_runs_forward():
    assert cube(2.0) == 8.0
    np.testing.assert_array_equal(cube(np.arange(3.0)), np.arange(3.0) ** 3)


def test_vjp_gets_raw_arrays_in_an_ordinary_backward_and_nodes_under_create_graph():
    seen = []
    spy = primitive(lambda x: x * 2, vjp=lambda g, out, x: seen.append((type(g), type(x))) or (g * 2,))
    x = Tensor([1.0, 2.0], requires_grad=True)
    spy(x).sum().backward()
    spy(x).sum().backward(create_graph=True)
    assert seen == [(np.ndarray, np.ndarray), (Tensor, Tensor)]


def test_second_derivatives_through_a_vjp_written_with_primitives_and_helpers():
    x = Tensor(np.linspace(-1.0, 1.0, 5), requires_grad=True)
    assert gradgradcheck(sin, x)
    assert gradgradcheck(Softplus.apply, x)
    assert gradgradcheck(lambda v, w: sin(v) * cube(w) + cos(v * w), Value(0.3), Value(-0.7))


def test_helpers_work_on_raw_data_and_on_nodes():
    x = np.array([0.5, 1.5])
    for helper, method in [(exp, "exp"), (log, "log"), (tanh, "tanh"), (sigmoid, "sigmoid"), (sqrt, "sqrt")]:
        node = helper(Tensor(x))
        np.testing.assert_allclose(helper(x), node.data, rtol=1e-12)
        assert node._op == method
        np.testing.assert_allclose(helper(Value(0.5)).data, helper(0.5), rtol=1e-12)
    assert data(Tensor(x)) is not None and data(x) is x


def test_a_numpy_vjp_explains_why_it_cannot_be_differentiated_twice():
    bad = primitive(np.sin, vjp=lambda g, out, x: (g * np.cos(x),))
    x = Tensor([0.1, 0.2], requires_grad=True)
    with pytest.raises(TypeError, match="create_graph=True.*numpy functions"):
        bad(x).sum().backward(create_graph=True)


def test_forward_returning_its_input_does_not_freeze_the_input():
    ident = primitive(lambda x: x, vjp=lambda g, out, x: (g,))
    x = Tensor([1.0, 2.0], requires_grad=True)
    ident(x)
    assert x.data.flags.writeable


def test_params_reach_forward_and_vjp():
    leaky = primitive(lambda x, slope: np.where(x > 0, x, slope * x),
                      vjp=lambda g, out, x, slope: (g * np.where(data(x) > 0, 1.0, slope),))
    assert check_op(leaky, domain="away_from_kinks", params={"slope": 0.3})


def test_gradient_takes_the_input_dtype():
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    cube(x).sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("call, error, message", [
    (lambda: cube(Value(1.0)) + mul(Tensor(1.0), Value(1.0)), TypeError, "cannot mix Value and Tensor"),
    (lambda: primitive(lambda x: x)(Tensor([1.0], requires_grad=True)), NotImplementedError, "has no vjp"),
    (lambda: primitive(lambda x: np.ones(2), vjp=lambda g, o, x: g)(Value(1.0)), TypeError, "must return a real"),
], ids=["mixed-kinds", "no-vjp", "value-forward-array"])
def test_errors_at_call_time_name_the_op(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("vjp, error, message", [
    (lambda g, out, a, b: g * b, TypeError, "must return a tuple of 2 gradients"),
    (lambda g, out, a, b: (g * b,), ValueError, "returned 1 gradients for 2 inputs"),
], ids=["not-a-tuple", "wrong-count"])
def test_errors_from_a_malformed_vjp_name_the_op(vjp, error, message):
    op = primitive(lambda a, b: a * b, vjp=vjp, name="my_mul")
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(error, match="my_mul.*" + message):
        op(x, x).sum().backward()
