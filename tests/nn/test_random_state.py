"""The global generator: manual_seed makes whole runs repeat bit for bit, every default draw uses it,
an explicit rng= ignores it, and its state survives a JSON round trip."""
import copy
import json
import threading

import numpy as np
import pytest

import autograd as ag
import nn
from nn import optim


@pytest.fixture(autouse=True)
def _keep_global_rng():
    state = ag.get_rng_state()
    yield
    ag.set_rng_state(state)


def _arrays(x):
    """Every array in a (nested) result, as float64 copies, for bitwise comparison."""
    if isinstance(x, (ag.Tensor, np.ndarray)):
        return [np.array(getattr(x, "data", x), dtype=np.float64)]
    if isinstance(x, nn.Module):
        return [np.array(v, dtype=np.float64) for v in x.state_dict().values()]
    if isinstance(x, ag.Value):
        return [np.array(x.data)]
    if isinstance(x, float):
        return [np.array(x)]
    return [a for item in x for a in _arrays(item)]


def _same(a, b):
    a, b = _arrays(a), _arrays(b)
    return len(a) == len(b) and all(x.shape == y.shape and np.array_equal(x, y) for x, y in zip(a, b))


def _batches(rng=None):
    return [xb for xb, _ in nn.data.batches(np.arange(12.0)[:, None], None, 5, rng=rng)]


def _fit(rng=None):
    model = nn.MLP(2, [4, 3], rng=0)                      # fixed weights: only fit's shuffling is random
    X, y = nn.data.blobs(12, seed=0)
    nn.fit(model, X, y, optimizer=optim.SGD(model.parameters(), lr=0.1), epochs=2, batch_size=3, progress=False,
           rng=rng)
    return model


# every place that draws when given no rng; each takes rng (or seed) as its one argument
SITES = {
    "randn": lambda r=None: ag.randn(4, rng=r),
    "rand": lambda r=None: ag.rand(4, rng=r),
    "randint": lambda r=None: ag.randint(0, 1000, 6, rng=r),
    "init.normal": lambda r=None: nn.init.normal((3, 4), rng=r),
    "init.xavier_uniform": lambda r=None: nn.init.xavier_uniform((3, 4), rng=r),
    "init.kaiming_normal": lambda r=None: nn.init.kaiming_normal((3, 4), rng=r),
    "Linear": lambda r=None: nn.Linear(3, 4, rng=r),
    "Maxout": lambda r=None: nn.Maxout(3, 2, rng=r),
    "MLP": lambda r=None: nn.MLP(3, [5, 2], activation="maxout", rng=r),
    "Dropout": lambda r=None: nn.Dropout(0.5, rng=r)(ag.ones(4, 8)),
    "MLP_dropout_forward": lambda r=None: nn.MLP(3, [6, 2], dropout=0.5, rng=r)(ag.ones(5, 3)),
    "scalar.Neuron": lambda r=None: nn.scalar.Neuron(4, rng=r),
    "scalar.Layer": lambda r=None: nn.scalar.Layer(3, 2, rng=r),
    "scalar.MLP": lambda r=None: nn.scalar.MLP(2, [3, 2], rng=r),
    "scalar.Dropout": lambda r=None: nn.scalar.Dropout(0.5, rng=r)([ag.Value(1.0) for _ in range(30)]),
    "data.batches": _batches,
    "data.train_test_split": lambda r=None: nn.data.train_test_split(np.arange(20.0), np.arange(20), seed=r),
    "data.spiral": lambda r=None: nn.data.spiral(10, seed=r),
    "data.moons": lambda r=None: nn.data.moons(20, seed=r),
    "data.circles": lambda r=None: nn.data.circles(20, seed=r),
    "data.xor": lambda r=None: nn.data.xor(20, seed=r),
    "data.blobs": lambda r=None: nn.data.blobs(20, seed=r),
    "fit_shuffling": _fit,
}


@pytest.mark.parametrize("draw", SITES.values(), ids=SITES.keys())
def test_default_draws_come_from_the_global_generator(draw):
    ag.manual_seed(7)
    seeded = ag.get_rng_state()
    a = draw()
    assert ag.get_rng_state() != seeded                  # it drew from the global generator...
    ag.manual_seed(7)
    assert _same(a, draw())                              # ...so the same seed repeats it bit for bit
    ag.manual_seed(8)
    assert not _same(a, draw())                          # and another seed changes it


@pytest.mark.parametrize("draw", SITES.values(), ids=SITES.keys())
def test_an_explicit_rng_ignores_manual_seed_and_leaves_the_global_stream_alone(draw):
    ag.manual_seed(1)
    before = ag.get_rng_state()
    a = draw(3)
    assert ag.get_rng_state() == before
    ag.manual_seed(2)
    assert _same(a, draw(3))
    assert _same(a, draw(np.random.default_rng(3)))      # a seed and a Generator from it draw the same


def test_an_explicit_rng_draws_what_it_drew_before_the_global_generator_existed():
    g = np.random.default_rng(4)
    np.testing.assert_array_equal(nn.init.normal((2, 3), std=0.5, rng=4), g.standard_normal((2, 3)) * 0.5)
    np.testing.assert_array_equal(nn.Linear(2, 3, rng=5).W.data,
                                  np.random.default_rng(5).standard_normal((2, 3)) * np.sqrt(2.0 / 2))


def _training_run(seed, engine=nn):
    """Data, model init, dropout training with shuffled batches: everything from the global generator."""
    ag.manual_seed(seed)
    X, y = nn.data.spiral(12, classes=3)
    model = engine.MLP(2, [8, 3], dropout=0.3)
    history = nn.fit(model, X, y, optimizer=optim.SGD(model.parameters(), lr=0.2, momentum=0.9), epochs=3,
                     batch_size=8, progress=False)
    return [X, model, history["loss"], ag.randn(2)]


@pytest.mark.parametrize("engine", [nn, nn.scalar], ids=["tensor", "scalar"])
def test_same_seed_repeats_a_whole_training_run_bit_for_bit(engine):
    first = _training_run(0, engine)
    assert _same(first, _training_run(0, engine))
    assert not _same(first[1:], _training_run(1, engine)[1:])


def test_dropout_follows_manual_seed_even_when_made_earlier_or_copied():
    d = nn.Dropout(0.5)
    twin = copy.deepcopy(d)
    ag.manual_seed(3)
    a = d.mask((4, 16))
    ag.manual_seed(3)
    np.testing.assert_array_equal(twin.mask((4, 16)), a)
    np.testing.assert_array_equal(a, (np.random.default_rng(3).random((4, 16)) >= 0.5) / 0.5)


def test_manual_seed_draws_exactly_what_numpy_default_rng_of_that_seed_draws():
    g = ag.manual_seed(123)
    assert g is ag.default_rng()
    want = np.random.default_rng(123)
    np.testing.assert_array_equal(ag.default_rng().standard_normal(5), want.standard_normal(5))
    np.testing.assert_array_equal(ag.default_rng().integers(0, 10 ** 9, 5), want.integers(0, 10 ** 9, 5))


def test_state_round_trips_through_json_text():
    ag.manual_seed(5)
    ag.randn(3)                                      # mid-stream, with a cached 32-bit half
    ag.default_rng().integers(0, 10, dtype=np.int32)
    text = json.dumps(ag.get_rng_state())
    a = [ag.randn(4).data, ag.default_rng().integers(0, 2 ** 31, 3, dtype=np.int32)]
    ag.manual_seed(99)
    ag.set_rng_state(json.loads(text))
    b = [ag.randn(4).data, ag.default_rng().integers(0, 2 ** 31, 3, dtype=np.int32)]
    assert _same(a, b)


def test_get_rng_state_is_a_copy():
    state = ag.get_rng_state()
    ag.randn(2)
    assert state != ag.get_rng_state()


@pytest.mark.parametrize("bad, err, match", [
    ('{"bit_generator": "PCG64"}', TypeError, r"got text; pass the dict .*\(json.loads"),
    (np.random.MT19937(0).state, ValueError, "not a state from get_rng_state.* 'MT19937'"),
    ({"bit_generator": "PCG64", "state": {"state": 1}}, ValueError, "not a state from get_rng_state"),
    ([1, 2], ValueError, "got 'list'"),
])
def test_set_rng_state_refuses_other_things_and_keeps_the_state(bad, err, match):
    ag.manual_seed(0)
    before = ag.get_rng_state()
    with pytest.raises(err, match=match):
        ag.set_rng_state(bad)
    assert ag.get_rng_state() == before


@pytest.mark.parametrize("bad", [-1, 1.5, True, "1", None])
def test_manual_seed_needs_a_non_negative_int(bad):
    with pytest.raises(ValueError, match=f"manual_seed: seed must be an int >= 0, got {bad!r}"):
        ag.manual_seed(bad)


def test_threads_share_one_stream_without_losing_or_repeating_numbers():
    ag.manual_seed(9)
    chunks, n_threads, calls, size = [], 4, 50, 16

    def work():
        for _ in range(calls):
            chunks.append(ag.rand(size).data)        # list.append is atomic
    threads = [threading.Thread(target=work) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    drawn = np.sort(np.concatenate(chunks))
    want = np.sort(np.random.default_rng(9).random(n_threads * calls * size))   # the same numbers, in some order
    np.testing.assert_array_equal(drawn, want)
