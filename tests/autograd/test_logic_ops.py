"""Comparisons, logic and float tests (ops/logic.py): bool Tensors, never recorded; Tensors hash by identity.

Against numpy (the forward rules) and PyTorch (edge values; membership `t in a_list`, which compares with ==).
Deliberate differences from PyTorch, tested below: `t == [1, 2]` compares elementwise as numpy does (PyTorch
returns False), and the truth value of a bigger tensor raises ValueError (PyTorch: RuntimeError).
"""
import operator

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor

EDGES = np.array([0.0, -0.0, 1.0, -1.0, 0.5, np.inf, -np.inf, np.nan])
COMPARE = {"eq": (operator.eq, np.equal), "ne": (operator.ne, np.not_equal), "lt": (operator.lt, np.less),
           "le": (operator.le, np.less_equal), "gt": (operator.gt, np.greater), "ge": (operator.ge, np.greater_equal)}
LOGIC = {"logical_and": np.logical_and, "logical_or": np.logical_or, "logical_xor": np.logical_xor}
TESTS = {"isnan": np.isnan, "isinf": np.isinf, "isfinite": np.isfinite}


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def pairs():
    """Every pair of edge values, as two (64,) arrays."""
    return np.repeat(EDGES, len(EDGES)), np.tile(EDGES, len(EDGES))


def assert_constant_bool(out, expected):
    assert isinstance(out, Tensor) and out.dtype == bool and not out.requires_grad and out.is_leaf
    np.testing.assert_array_equal(out.data, expected)


# --- comparisons ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", COMPARE)
def test_comparisons_operator_method_and_function_agree_with_numpy(name):
    op, ref = COMPARE[name]
    a, b = pairs()
    x, y = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    for out in (op(x, y), getattr(x, name)(y), getattr(ag, name)(x, y), getattr(ag, name)(a, b)):
        assert_constant_bool(out, ref(a, b))


@pytest.mark.parametrize("name", COMPARE)
def test_comparisons_broadcast_and_take_numbers_on_either_side(name):
    op, ref = COMPARE[name]
    a = np.arange(6.0).reshape(2, 3)
    assert_constant_bool(op(Tensor(a), Tensor([1.0, 4.0, 2.0])), ref(a, [1.0, 4.0, 2.0]))
    assert_constant_bool(op(Tensor(a), 2), ref(a, 2))
    assert_constant_bool(op(2.0, Tensor(a)), ref(2.0, a))                     # reflected: Python swaps the operator
    assert_constant_bool(op(np.array([[1.0], [4.0]]), Tensor(a)), ref([[1.0], [4.0]], a))   # ndarray defers to us
    assert_constant_bool(op(Tensor(a), [1.0, 4.0, 2.0]), ref(a, [1.0, 4.0, 2.0]))   # a list, as numpy (not torch)


@pytest.mark.parametrize("name", COMPARE)
def test_comparisons_match_torch_at_edge_values(torch, name):
    op, _ = COMPARE[name]
    a, b = pairs()
    np.testing.assert_array_equal(op(Tensor(a), Tensor(b)).data, op(torch.tensor(a), torch.tensor(b)).numpy())


def test_a_python_float_compares_in_the_tensors_dtype():
    x = Tensor(np.array([0.1], np.float32))
    assert (x == 0.1).data.all() and not (x == np.float64(0.1)).data.any()   # numpy's rule for weak scalars


def test_comparison_errors_name_the_op():
    with pytest.raises(ValueError, match=r"lt: shapes \(2,\) and \(3,\) cannot be broadcast together"):
        _ = Tensor([1.0, 2.0]) < Tensor([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="eq: cannot use NoneType"):
        ag.eq(Tensor([1.0]), None)
    with pytest.raises(TypeError, match="'<' not supported"):
        _ = Tensor([1.0]) < None


# --- identity: hashing, ==, and membership -------------------------------------------------------------
def test_non_numeric_operands_compare_by_identity(torch):
    t = Tensor([1.0, 2.0])
    for other in (None, "a", object()):
        assert (t == other) is False and (t != other) is True
        assert (torch.tensor([1.0, 2.0]) == other) is False            # the same in PyTorch


def test_tensors_hash_by_identity():
    a, b = Tensor([1.0, 2.0]), Tensor([1.0, 2.0])
    d = {a: "a", b: "b"}
    assert d[a] == "a" and d[b] == "b"                                 # equal values, distinct keys
    assert len({a, b, a}) == 2 and a in {a} and b not in {a}
    assert hash(a) == hash(a) and hash(a) != hash(b)


@pytest.mark.parametrize("lib", ["ours", "torch"])
def test_list_membership_matches_torch(torch, lib):
    make, ambiguous = (Tensor, ValueError) if lib == "ours" else (torch.tensor, RuntimeError)   # (the difference)
    a, b = make([1.0, 2.0]), make([1.0, 2.0])
    assert a in [a] and [a, b].index(a) == 0 and [a].count(a) == 1    # identity first: no comparison
    assert a in [None, "x", a] and [None, a].index(a) == 1            # other objects: == is False
    with pytest.raises(ambiguous, match="ambiguous"):                   # an equal-valued bigger tensor first:
        [b, a].index(a)                                                 # b == a is a tensor of two truths
    one, same = make(3.0), make(3.0)
    assert same in [one] and [make(0.0), one].index(same) == 1         # one element: compared by value
    nan = make(float("nan"))
    assert nan in [nan] and make(float("nan")) not in [nan]           # identity, then value: nan != nan


def test_membership_in_a_tensor(torch):
    t = Tensor([[1.0, 2.0], [3.0, np.nan]])
    assert 2.0 in t and 5.0 not in t and np.nan not in t
    assert Tensor([3.0, 4.0]) in t and Tensor([5.0, 6.0]) not in t    # broadcast: any element equal
    assert (2.0 in torch.tensor([[1.0, 2.0]])) and (torch.tensor([3.0, 4.0]) in torch.tensor([[3.0, 5.0]]))
    assert Tensor([3.0, 4.0]) in Tensor([[3.0, 5.0]])
    with pytest.raises(TypeError, match="`in` on a Tensor needs a number or a Tensor, got NoneType"):
        _ = None in t
    with pytest.raises(TypeError, match="got list"):
        _ = [1.0, 2.0] in t


# --- logic, bitwise operators and float tests ----------------------------------------------------------
@pytest.mark.parametrize("name", LOGIC)
def test_logical_ops_match_numpy_and_torch(torch, name):
    a, b = pairs()
    ref = LOGIC[name](a, b)
    x = Tensor(a, requires_grad=True)
    for out in (getattr(ag, name)(x, b), getattr(x, name)(Tensor(b))):
        assert_constant_bool(out, ref)
    np.testing.assert_array_equal(ref, getattr(torch, name)(torch.tensor(a), torch.tensor(b)).numpy())


def test_logical_not_matches_torch(torch):
    assert_constant_bool(Tensor(EDGES, requires_grad=True).logical_not(), np.logical_not(EDGES))
    np.testing.assert_array_equal(ag.logical_not(EDGES).data, torch.logical_not(torch.tensor(EDGES)).numpy())


@pytest.mark.parametrize("name", TESTS)
def test_float_tests_match_torch(torch, name):
    x = Tensor(EDGES, requires_grad=True)
    for out in (getattr(x, name)(), getattr(ag, name)(EDGES)):
        assert_constant_bool(out, TESTS[name](EDGES))
    np.testing.assert_array_equal(TESTS[name](EDGES), getattr(torch, name)(torch.tensor(EDGES)).numpy())
    assert_constant_bool(getattr(ag, name)(np.arange(3)), TESTS[name](np.arange(3)))    # integers: finite


def test_bitwise_operators_combine_masks_and_integers():
    x = Tensor([-1.0, 0.5, 2.0], requires_grad=True)
    assert_constant_bool((x > 0) & (x < 1), [False, True, False])
    assert_constant_bool((x < 0) | (x > 1), [True, False, True])
    assert_constant_bool((x > 0) ^ (x > 1), [False, True, False])
    assert_constant_bool(~(x > 0), [True, False, False])
    assert_constant_bool(np.array([True, True, False]) & (x > 0), [False, True, False])   # reflected
    i = Tensor(np.array([6, 3]))
    np.testing.assert_array_equal((i & 5).data, [4, 1])                 # bits of integers, as numpy
    np.testing.assert_array_equal((~i).data, [-7, -4])
    with pytest.raises(TypeError, match=r"& needs bool or integer operands, got float64, bool.*\(x > 0\) & \(x < 1\)"):
        _ = x & (x > 0)
    with pytest.raises(TypeError, match="~ needs bool or integer operands"):
        _ = ~x


def test_logic_errors_name_the_op():
    with pytest.raises(ValueError, match=r"logical_and: shapes \(2,\) and \(3,\)"):
        ag.logical_and(Tensor([True, False]), [True, False, True])
