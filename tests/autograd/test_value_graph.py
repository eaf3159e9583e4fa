"""How a Value records its graph: parents of any arity (kept in slots, read as `_parents`), labels, and
the engine's walk over every arity, in the plain pass, with create_graph and in functional mode."""
import pytest

import autograd
from autograd import Value, primitive


@primitive
def fma(a, b, c):                    # a*b + c: a node of three parents
    return a * b + c


fma.defvjp(lambda g, out, a, b, c: (g * b, g * a, g))


@primitive
def sum4(a, b, c, d):
    return a + b + c + d


sum4.defvjp(lambda g, out, *xs: (g,) * 4)

# name: (f of three Values, its gradient at (x, y, z) computed by hand from the math)
GRAPHS = {
    "three parents": (lambda x, y, z: fma(x, y, z), lambda x, y, z: (y, x, 1.0)),
    "three parents, reused input": (lambda x, y, z: fma(x, x, y) * z, lambda x, y, z: (2 * x * z, z, x * x + y)),
    "four parents, all one node": (lambda x, y, z: sum4(x, x, x, y) * z, lambda x, y, z: (3 * z, z, 3 * x + y)),
    "unary and binary": (lambda x, y, z: (x * y).tanh() + z, None),
    "three parents under a binary": (lambda x, y, z: fma(x * y, z, x) + y,
                                     lambda x, y, z: (y * z + 1, x * z + 1, x * y)),
}
POINT = (0.7, -1.3, 2.1)


@pytest.mark.parametrize("name", GRAPHS)
def test_parents_of_any_arity_read_back_as_a_tuple(name):
    xs = [Value(v) for v in POINT]
    out = GRAPHS[name][0](*xs)
    for node in autograd.viz.forward_order(out):
        parents = node._parents
        assert type(parents) is tuple and all(type(p) is Value for p in parents)
        assert (len(parents) == 0) == (node._vjp is None)


@pytest.mark.parametrize("name", [n for n, (_, grad) in GRAPHS.items() if grad is not None])
@pytest.mark.parametrize("mode", ["backward", "backward twice", "create_graph", "autograd.grad"])
def test_gradients_of_nodes_of_any_arity(name, mode):
    f, grad = GRAPHS[name]
    xs = [Value(v) for v in POINT]
    out = f(*xs)
    if mode == "autograd.grad":
        got = autograd.grad(lambda *vs: f(*vs), argnums=(0, 1, 2))(*POINT)
    else:
        out.backward(retain_graph=mode == "backward twice", create_graph=mode == "create_graph")
        if mode == "backward twice":
            out.backward()
        got = [float(x.grad) / (2 if mode == "backward twice" else 1) for x in xs]
    assert got == pytest.approx(grad(*POINT), rel=1e-12)


def test_gradients_agree_with_a_numerical_derivative_on_every_graph():
    for name, (f, _) in GRAPHS.items():
        assert autograd.gradcheck(f, *[Value(v) for v in POINT]), name


def test_label_defaults_to_empty_and_is_kept_when_set():
    a, b = Value(1.0), Value(2.0, label="b")
    c = a * b
    c.label = "c"
    assert (a.label, b.label, c.label) == ("", "b", "c")
    assert "label='c'" in repr(c) and "label" not in repr(a)


def test_backward_refuses_a_graph_whose_leaf_was_set_by_copy_after_use():
    w = Value(2.0)
    out = w * w + 1
    with autograd.no_grad():
        w.copy_(3.0)
    with pytest.raises(RuntimeError, match=r"'\*'.*modified in place \(by copy_\)"):
        out.backward()


@pytest.mark.parametrize("build", [lambda w, x: (w * x).tanh(), lambda w, x: fma(w, x, w) * x],
                         ids=["two parents", "three parents"])
def test_a_released_value_graph_is_kept_for_drawings_and_refused_by_a_second_pass(build):
    w, x = Value(2.0, "w"), Value(-0.5, "x")
    y = build(w, x)
    y.backward()
    first = (w.grad, x.grad)
    page = autograd.explore(y)              # replays the released graph (a recorded pass), changes no .grad
    assert page.steps > 0 and (w.grad, x.grad) == first
    for again in (lambda: y.backward(), lambda: (y * 2).backward()):
        with pytest.raises(RuntimeError, match="a second time"):
            again()                          # before any vjp runs: nothing accumulates
        assert (w.grad, x.grad) == first
    z = build(w, x)                          # a fresh graph on the same leaves is fine
    z.backward(retain_graph=True)
    z.backward()
    assert (w.grad, x.grad) == pytest.approx(tuple(3 * g for g in first))
