"""nn.init: empirical spread against each formula, reproducibility, and the name lookup."""
import numpy as np
import pytest

import nn
from nn import init

FAN_IN, FAN_OUT = 300, 200
SHAPE = (FAN_IN, FAN_OUT)            # 60k samples: the std estimate is good to ~0.3% (1 sigma)

# (initializer, kwargs, expected std, uniform bound or None)
CASES = [
    (init.normal, {"std": 0.05}, 0.05, None),
    (init.calibrated, {}, np.sqrt(1 / FAN_IN), None),
    (init.xavier_normal, {}, np.sqrt(2 / (FAN_IN + FAN_OUT)), None),
    (init.xavier_uniform, {}, np.sqrt(2 / (FAN_IN + FAN_OUT)), np.sqrt(6 / (FAN_IN + FAN_OUT))),
    (init.kaiming_normal, {}, np.sqrt(2 / FAN_IN), None),
    (init.kaiming_uniform, {}, np.sqrt(2 / FAN_IN), np.sqrt(6 / FAN_IN)),
    (init.kaiming_normal, {"negative_slope": 0.5}, np.sqrt(2 / (1.25 * FAN_IN)), None),
    (init.xavier_normal, {"gain": 3.0}, 3 * np.sqrt(2 / (FAN_IN + FAN_OUT)), None),
]


@pytest.mark.parametrize("fn, kw, std, bound", CASES, ids=[f"{c[0].__name__}-{c[1]}" for c in CASES])
def test_empirical_std_matches_formula(fn, kw, std, bound):
    w = fn(SHAPE, rng=0, **kw)
    assert w.shape == SHAPE and w.dtype == np.float64
    assert abs(w.std() / std - 1) < 0.015
    assert abs(w.mean()) < 4 * std / np.sqrt(w.size)
    if bound is not None:
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound


def test_reproducible_from_seed_and_generator():
    a = init.kaiming_normal((4, 3), rng=11)
    np.testing.assert_array_equal(a, init.kaiming_normal((4, 3), rng=11))
    g = np.random.default_rng(11)
    np.testing.assert_array_equal(a, init.kaiming_normal((4, 3), rng=g))
    assert not np.array_equal(a, init.kaiming_normal((4, 3), rng=g))   # a Generator's stream continues


def test_zeros_dtype_and_vector_fans():
    assert not init.zeros((3, 2)).any()
    assert init.calibrated((5, 2), rng=0, dtype=np.float32).dtype == np.float32
    v = init.calibrated((10_000,), rng=0)              # a neuron's weight vector: fan_in = its length
    assert abs(v.std() * np.sqrt(10_000) - 1) < 0.03


def test_lookup_by_name_number_or_callable():
    assert init.get("he") is init.kaiming_normal and init.get("Xavier_Uniform") is init.xavier_uniform
    assert init.get(0.2)((1000, 100), rng=0).std() == pytest.approx(0.2, rel=0.02)
    with pytest.raises(ValueError, match="unknown init 'lecun'; use one of"):
        init.get("lecun")
    with pytest.raises(ValueError, match=r"positive sizes, got \(0, 3\)"):
        init.kaiming_normal((0, 3))


def test_layers_accept_every_form_of_init():
    assert not nn.Linear(3, 2, init="zeros").W.data.any()
    assert nn.Linear(300, 200, init=0.5, rng=0).W.data.std() == pytest.approx(0.5, rel=0.02)
    lin = nn.Linear(3, 2, init=lambda shape, rng=None, dtype=None: np.full(shape, 7.0))
    assert (lin.W.data == 7.0).all()
    layer = nn.scalar.Layer(300, 200, activation="tanh", rng=0)
    std = np.array([v.data for v in layer.W.flat]).std()
    assert std == pytest.approx(np.sqrt(2 / 500), rel=0.02)       # Xavier for tanh on the scalar side too


def test_nan_std_is_refused_by_init():
    with pytest.raises(ValueError, match="finite"):
        nn.init.normal((2, 2), std=float("nan"))
