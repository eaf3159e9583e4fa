"""Factories: values, shapes and dtypes against numpy (and torch float64), requires_grad, random streams, errors."""
import numpy as np
import pytest

import autograd as ag
from autograd import Tensor


@pytest.fixture(autouse=True)
def _keep_global_rng():
    state = ag.get_rng_state()
    yield
    ag.set_rng_state(state)


# (name, our call, numpy twin): values, shape and dtype must be numpy's, default dtypes included
CASES = [
    ("zeros", lambda: ag.zeros(2, 3), lambda: np.zeros((2, 3))),
    ("zeros_tuple", lambda: ag.zeros((2, 3), dtype=np.int32), lambda: np.zeros((2, 3), np.int32)),
    ("ones", lambda: ag.ones(4, dtype=np.float32), lambda: np.ones(4, np.float32)),
    ("zeros_like", lambda: ag.zeros_like(np.arange(3)), lambda: np.zeros_like(np.arange(3))),
    ("zeros_like_dtype", lambda: ag.zeros_like(ag.tensor([1, 2]), dtype=np.float32),
     lambda: np.zeros(2, np.float32)),
    ("ones_like_dtype", lambda: ag.ones_like(np.ones((2, 2)), dtype=np.int8), lambda: np.ones((2, 2), np.int8)),
    ("full_int", lambda: ag.full((2, 2), 7), lambda: np.full((2, 2), 7)),
    ("full_float", lambda: ag.full(3, 1.5), lambda: np.full(3, 1.5)),
    ("full_int_value_float_dtype", lambda: ag.full(3, 2, dtype=np.float32), lambda: np.full(3, 2, np.float32)),
    ("full_like", lambda: ag.full_like(np.ones((2, 3), np.float32), 0.25), lambda: np.full((2, 3), 0.25, np.float32)),
    ("full_like_exact_int", lambda: ag.full_like(np.arange(3), 4.0), lambda: np.full(3, 4)),
    ("eye", lambda: ag.eye(3), lambda: np.eye(3)),
    ("eye_rect_k", lambda: ag.eye(2, 4, k=1, dtype=np.float32), lambda: np.eye(2, 4, 1, np.float32)),
    ("arange_stop", lambda: ag.arange(5), lambda: np.arange(5)),
    ("arange_float", lambda: ag.arange(0, 1, 0.1), lambda: np.arange(0, 1, 0.1)),
    ("arange_negative_step", lambda: ag.arange(5, -3, -2.5, dtype=np.float32),
     lambda: np.arange(5, -3, -2.5, np.float32)),
    ("arange_empty", lambda: ag.arange(3, 3), lambda: np.arange(3, 3)),
    ("linspace", lambda: ag.linspace(-1, 2, 7), lambda: np.linspace(-1, 2, 7)),
    ("linspace_steps", lambda: ag.linspace(0, 1, steps=4, endpoint=False), lambda: np.linspace(0, 1, 4, False)),
    ("linspace_default_num", lambda: ag.linspace(0, 1), lambda: np.linspace(0, 1)),
    ("linspace_int_dtype", lambda: ag.linspace(-3, 3, 5, dtype=np.int64),
     lambda: np.linspace(-3, 3, 5, dtype=np.int64)),
    ("rand", lambda: ag.rand(2, 3, rng=0), lambda: np.random.default_rng(0).random((2, 3))),
    ("rand_float32", lambda: ag.rand((4,), dtype=np.float32, rng=1),
     lambda: np.random.default_rng(1).random(4, np.float32)),
    ("randn", lambda: ag.randn(2, 3, rng=0), lambda: np.random.default_rng(0).standard_normal((2, 3))),
    ("randn_float32", lambda: ag.randn(5, dtype=np.float32, rng=2),
     lambda: np.random.default_rng(2).standard_normal(5).astype(np.float32)),
    ("randint", lambda: ag.randint(3, 9, (2, 5), rng=0), lambda: np.random.default_rng(0).integers(3, 9, (2, 5))),
    ("randint_one_bound", lambda: ag.randint(4, size=6, rng=0), lambda: np.random.default_rng(0).integers(0, 4, 6)),
    ("randint_torch_high_size", lambda: ag.randint(10, (3, 2), rng=5),
     lambda: np.random.default_rng(5).integers(0, 10, (3, 2))),
    ("randint_int8", lambda: ag.randint(-5, 5, 8, dtype=np.int8, rng=0),
     lambda: np.random.default_rng(0).integers(-5, 5, 8, dtype=np.int8)),
    ("randint_0d", lambda: ag.randint(0, 2, rng=3), lambda: np.asarray(np.random.default_rng(3).integers(0, 2))),
]


@pytest.mark.parametrize("ours, twin", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_factory_matches_numpy(ours, twin):
    t, want = ours(), twin()
    assert isinstance(t, Tensor) and t.is_leaf and not t.requires_grad
    assert t.shape == want.shape and t.dtype == want.dtype
    np.testing.assert_array_equal(t.data, want)


@pytest.mark.parametrize("make", [lambda: ag.zeros(3), lambda: ag.full(3, 2.0), lambda: ag.rand(3), lambda: ag.randn(3),
                                  lambda: ag.linspace(0, 1, 3), lambda: ag.eye(3), lambda: ag.arange(3.0)])
def test_default_float_dtype_is_numpy_float64_not_torch_float32(make):
    assert make().dtype == np.float64


def test_integer_defaults_are_int64():
    assert ag.arange(3).dtype == ag.full(2, 1).dtype == ag.randint(0, 5, 3).dtype == np.int64


def test_like_factories_own_their_memory():
    src = np.ones(3)
    for t in (ag.zeros_like(src), ag.ones_like(src), ag.full_like(src, 2.0)):
        assert not np.may_share_memory(t.data, src)


@pytest.mark.parametrize("make", [
    lambda: ag.arange(4, requires_grad=True), lambda: ag.full(4, 3, requires_grad=True),
    lambda: ag.randint(0, 9, 4, requires_grad=True), lambda: ag.zeros(4, dtype=np.int32, requires_grad=True),
    lambda: ag.eye(2, dtype=bool, requires_grad=True), lambda: ag.zeros_like(np.arange(4), requires_grad=True)])
def test_requires_grad_with_an_integer_dtype_gives_float64_as_Tensor_does(make):
    t = make()
    assert t.dtype == np.float64 and t.requires_grad and t.is_leaf
    (t * 3).sum().backward()
    np.testing.assert_array_equal(t.grad, np.full(t.shape, 3.0))


@pytest.mark.parametrize("make", [lambda: ag.rand(3, dtype=np.float32, requires_grad=True),
                                  lambda: ag.linspace(0, 1, 3, dtype=np.float32, requires_grad=True),
                                  lambda: ag.full_like(np.ones(3, np.float32), 1.0, requires_grad=True)])
def test_requires_grad_keeps_a_float_dtype(make):
    t = make()
    (t * t).sum().backward()
    assert t.dtype == t.grad.dtype == np.float32


def test_rand_stays_below_one_in_float32():
    x = ag.rand(200_000, dtype=np.float32, rng=0).data
    assert x.min() >= 0 and x.max() < 1


def test_randint_stays_in_range_and_covers_it():
    x = ag.randint(-2, 3, 2000, rng=0).data
    assert set(np.unique(x).tolist()) == {-2, -1, 0, 1, 2}


def test_random_factories_without_rng_draw_from_the_global_generator():
    ag.manual_seed(11)
    ours = [ag.randn(3).data, ag.rand(2).data, ag.randint(0, 100, 4).data]
    g = np.random.default_rng(11)
    np.testing.assert_array_equal(ours[0], g.standard_normal(3))
    np.testing.assert_array_equal(ours[1], g.random(2))
    np.testing.assert_array_equal(ours[2], g.integers(0, 100, 4))


@pytest.mark.parametrize("call, err, match", [
    (lambda: ag.full(3, 2.5, dtype=np.int64), ValueError, "full: fill value 2.5 does not fit"),
    (lambda: ag.full(3, np.nan, dtype=np.int32), ValueError, "full: fill value nan"),
    (lambda: ag.full(2, 300, dtype=np.int8), ValueError, "full: fill value 300 does not fit"),
    (lambda: ag.full(2, -1, dtype=np.uint8), ValueError, "fill value -1"),
    (lambda: ag.full(2, 2, dtype=bool), ValueError, "dtype bool"),
    (lambda: ag.full_like(np.arange(3), 0.5), ValueError, "full_like: fill value 0.5 does not fit: dtype int64"),
    (lambda: ag.zeros(2, dtype=str), TypeError, "zeros: dtype <U1 is not numeric"),
    (lambda: ag.arange(0, 1, 0), ValueError, "arange: step must not be 0"),
    (lambda: ag.arange(0, np.inf), ValueError, r"arange\(start=0, stop=inf"),
    (lambda: ag.linspace(0, 1, -1), ValueError, "linspace: the number of values must be an int >= 0, got -1"),
    (lambda: ag.linspace(0, 1, 2.5), ValueError, "got 2.5"),
    (lambda: ag.linspace(0, 1, 3, steps=4), TypeError, "linspace: got both num=3 and steps=4"),
    (lambda: ag.rand(2, dtype=np.float16), TypeError, "rand: dtype must be float32 or float64, got float16"),
    (lambda: ag.rand(2, dtype=np.int64), TypeError, "rand: dtype must be float32 or float64"),
    (lambda: ag.randn(2, dtype=np.int64), TypeError, "randn: dtype must be a float dtype, got int64"),
    (lambda: ag.randint(5, 5), ValueError, "randint: needs low < high .* got low=5, high=5"),
    (lambda: ag.randint(10, 3), ValueError, "got low=10, high=3"),
    (lambda: ag.randint(0), ValueError, "got low=0, high=0"),
    (lambda: ag.randint(0.5, 3), TypeError, "randint: low must be an int, got 0.5"),
    (lambda: ag.randint(0, 3, 2, dtype=np.float32), TypeError, "randint: dtype must be an integer dtype, got float32"),
    (lambda: ag.randint(0, 300, 2, dtype=np.int8), ValueError, r"randint\(low=0, high=300, dtype=int8\)"),
])
def test_bad_arguments_name_the_factory(call, err, match):
    with pytest.raises(err, match=match):
        call()


torch = pytest.importorskip("torch")

# (our call, torch call): the same numbers where torch has the factory (torch's floats asked as float64)
TORCH = {
    "arange": (lambda: ag.arange(1, 4, 0.5), lambda: torch.arange(1, 4, 0.5, dtype=torch.float64)),
    "arange_int": (lambda: ag.arange(7), lambda: torch.arange(7)),
    "linspace": (lambda: ag.linspace(-2, 5, 11), lambda: torch.linspace(-2, 5, 11, dtype=torch.float64)),
    "eye": (lambda: ag.eye(3, 4), lambda: torch.eye(3, 4, dtype=torch.float64)),
    "full": (lambda: ag.full((2, 3), -1.25), lambda: torch.full((2, 3), -1.25, dtype=torch.float64)),
    "full_like": (lambda: ag.full_like(np.zeros((2, 2)), 3.0), lambda: torch.full_like(torch.zeros(2, 2,
                                                                                       dtype=torch.float64), 3.0)),
    "ones_like": (lambda: ag.ones_like(np.zeros(3), dtype=np.float32), lambda: torch.ones_like(torch.zeros(3))),
}


@pytest.mark.parametrize("ours, theirs", TORCH.values(), ids=TORCH.keys())
def test_factory_matches_torch(ours, theirs):
    t, want = ours(), theirs()
    assert t.shape == tuple(want.shape) and str(t.dtype) == str(want.dtype).replace("torch.", "")
    np.testing.assert_allclose(t.data, want.numpy(), rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize("make", [lambda d: ag.zeros(2, device=d), lambda d: ag.linspace(0, 1, 3, device=d),
                                  lambda d: ag.randn((), device=d), lambda d: ag.tensor([1.0], device=d)])
def test_device_is_cpu_or_a_clear_error(make):
    assert make("cpu").shape == make(None).shape
    with pytest.raises(ValueError, match="device='cuda:0'.*CPU"):
        make("cuda:0")
