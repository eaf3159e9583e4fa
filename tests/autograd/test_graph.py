"""autograd.graph: the public, read-only view of a recorded graph that tools outside the engine use."""
import numpy as np
import pytest

import autograd as ag
from autograd import Tensor, Value
from autograd.graph import FREED_MESSAGE, forward_order, is_freed, op_name, op_params, parents


def test_names_inputs_and_arguments_of_each_op():
    x = Tensor([1.0, -2.0], requires_grad=True)
    w = Tensor([0.5, 3.0], requires_grad=True)
    y = (x * w).leaky_relu(0.2)
    assert op_name(x) == "" and parents(x) == ()
    product = parents(y)[0]
    assert op_name(product) == "mul" and parents(product) == (x, w)        # the op's argument order
    assert op_name(y) == "leaky_relu" and op_params(y) == {"s": 0.2}
    assert op_params(x) == {}                                            # a leaf closed over nothing


def test_forward_order_puts_parents_first_for_both_node_kinds():
    a, b = Value(2.0, "a"), Value(3.0, "b")
    s = a * b + a
    order = forward_order(s)
    assert order[-1] is s and set(map(id, order)) == {id(a), id(b), id(parents(s)[0]), id(s)}
    position = {id(n): i for i, n in enumerate(order)}
    assert all(position[id(p)] < position[id(n)] for n in order for p in parents(n))


def test_a_freed_tensor_graph_is_reported_not_walked_as_empty():
    x = Tensor(np.ones(3), requires_grad=True)
    loss = (x * 2).sum()
    assert not is_freed(loss)
    loss.backward()
    assert is_freed(loss) and parents(loss) == ()
    with pytest.raises(RuntimeError, match="retain_graph=True") as info:
        forward_order(loss)
    assert str(info.value) == FREED_MESSAGE


def test_reading_a_graph_changes_nothing():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    loss = (x.exp() * 3).sum()
    for node in forward_order(loss):
        op_name(node), parents(node), op_params(node)
    loss.backward()
    np.testing.assert_allclose(x.grad, 3 * np.exp([1.0, 2.0]))
