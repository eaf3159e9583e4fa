"""nn.data.TensorDataset and DataLoader as PyTorch users write them: batches of Tensors covering every example once
per epoch, a fresh shuffle per epoch from the global generator or the loader's own, state_dict that resumes the
stream (also mid-epoch), and clear errors."""
import numpy as np
import pytest

import autograd as ag
import nn
from nn.data import DataLoader, Dataset, TensorDataset

X = np.arange(22.0).reshape(11, 2)
Y = np.arange(11) % 3


@pytest.fixture(autouse=True)
def _keep_global_rng():
    state = ag.get_rng_state()
    yield
    ag.set_rng_state(state)


def epoch(loader):
    """One pass as numpy: the X rows and y values in the order they came, and the batch sizes."""
    xs, ys, sizes = [], [], []
    for Xb, yb in loader:
        assert isinstance(Xb, ag.Tensor) and isinstance(yb, ag.Tensor) and not Xb.requires_grad
        xs.append(Xb.numpy())
        ys.append(yb.numpy())
        sizes.append(len(Xb.numpy()))
    return np.concatenate(xs), np.concatenate(ys), sizes


def test_tensor_dataset_indexes_like_pytorch():
    ds = TensorDataset(ag.tensor(X), Y)
    assert len(ds) == 11 and isinstance(ds, Dataset)
    x3, y3 = ds[3]
    np.testing.assert_array_equal(x3.numpy(), X[3])
    assert y3.shape == () and y3.item() == Y[3] and y3.dtype == Y.dtype
    xs, _ = ds[2:5]
    np.testing.assert_array_equal(xs.numpy(), X[2:5])
    xs.data[0, 0] = -1.0                                  # an item is a copy: the data set is not changed
    assert X[2, 0] == 4.0 and ds.tensors[0].data[2, 0] == 4.0


TENSOR_DATASET_ERRORS = {
    "nothing": ((), "give at least one array"),
    "lengths": ((X, Y[:10]), r"tensor 0 has 11 rows but tensor 1 has 10 \(shapes \(11, 2\) and \(10,\)\)"),
    "scalar": ((X, 3), r"tensor 1 must be a numeric array with one row per example, got shape \(\)"),
    "strings": ((X, np.array(["a"] * 11)), r".*dtype <U1; encode labels as integers"),
    "requires grad": ((ag.tensor(X, requires_grad=True),), "tensor 0 requires grad.*detach"),
}


@pytest.mark.parametrize("args, error", TENSOR_DATASET_ERRORS.values(), ids=TENSOR_DATASET_ERRORS.keys())
def test_tensor_dataset_errors(args, error):
    with pytest.raises(ValueError, match="TensorDataset: " + error):
        TensorDataset(*args)


@pytest.mark.parametrize("batch_size, drop_last, sizes", [(4, False, [4, 4, 3]), (4, True, [4, 4]),
                                                          (11, False, [11]), (20, False, [11]), (20, True, []),
                                                          (1, False, [1] * 11)])
def test_batches_cover_each_example_once_in_order_without_shuffle(batch_size, drop_last, sizes):
    loader = DataLoader(TensorDataset(X, Y), batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == len(sizes)
    if not sizes:
        assert list(loader) == []
        return
    xs, ys, got = epoch(loader)
    assert got == sizes
    np.testing.assert_array_equal(xs, X[:sum(sizes)])
    np.testing.assert_array_equal(ys, Y[:sum(sizes)])
    assert xs.dtype == X.dtype and ys.dtype == Y.dtype


def test_each_epoch_is_a_fresh_shuffle_of_every_example():
    loader = DataLoader(TensorDataset(X, Y), batch_size=4, shuffle=True, rng=0)
    orders = []
    for _ in range(3):
        xs, ys, _ = epoch(loader)
        order = (xs[:, 0] / 2).astype(int)
        np.testing.assert_array_equal(np.sort(order), np.arange(11))      # each example exactly once
        np.testing.assert_array_equal(ys, Y[order])                      # rows stay paired
        orders.append(order)
    assert not np.array_equal(orders[0], orders[1]) and not np.array_equal(orders[1], orders[2])
    g = np.random.default_rng(0)                                         # the loader's own stream, epoch by epoch
    for order in orders:
        np.testing.assert_array_equal(order, g.permutation(11))


def test_rng_none_draws_from_the_global_generator_like_pytorch():
    loader = DataLoader(TensorDataset(X, Y), batch_size=4, shuffle=True)
    ag.manual_seed(7)
    first = epoch(loader)[0]
    ag.manual_seed(7)
    np.testing.assert_array_equal(epoch(loader)[0], first)
    np.testing.assert_array_equal(first[:, 0] / 2, np.random.default_rng(7).permutation(11))
    own = DataLoader(TensorDataset(X, Y), batch_size=4, shuffle=True, rng=7)
    before = ag.get_rng_state()
    epoch(own)
    assert ag.get_rng_state() == before                                  # its own generator: the global one untouched
    assert DataLoader(TensorDataset(X), rng=ag.default_rng()).rng is None   # the global one given: as None


class Squares(Dataset):
    """A map-style data set of (x, x^2, label) examples, as a PyTorch user subclasses Dataset."""

    def __len__(self):
        return 5

    def __getitem__(self, i):
        return np.array([i, i]), ag.tensor(float(i * i)), i % 2


def test_a_dataset_subclass_is_collated_field_by_field():
    batches = list(DataLoader(Squares(), batch_size=2))
    assert len(batches) == 3 and all(len(b) == 3 and all(isinstance(t, ag.Tensor) for t in b) for b in batches)
    np.testing.assert_array_equal(batches[1][0].numpy(), [[2, 2], [3, 3]])
    np.testing.assert_array_equal(batches[1][1].numpy(), [4.0, 9.0])
    np.testing.assert_array_equal(batches[2][2].numpy(), [0])


def test_a_dataset_must_be_complete():
    with pytest.raises(NotImplementedError, match="Dataset must define __len__"):
        len(Dataset())
    with pytest.raises(NotImplementedError, match="must define __getitem__"):
        Dataset()[0]


LOADER_ERRORS = {
    "not a dataset": ({"dataset": [1, 2].__iter__()}, TypeError, "dataset must have __len__ and __getitem__"),
    "batch size 0": ({"batch_size": 0}, ValueError, "batch_size must be an integer >= 1, got 0"),
    "batch size float": ({"batch_size": 2.0}, ValueError, "batch_size must be an integer >= 1, got 2.0"),
    "shuffle 1": ({"shuffle": 1}, ValueError, "shuffle must be True or False, got 1"),
    "rng string": ({"rng": "seed"}, ValueError, "seed must be None, an int or a np.random.Generator"),
}


@pytest.mark.parametrize("kwargs, kind, error", LOADER_ERRORS.values(), ids=LOADER_ERRORS.keys())
def test_loader_argument_errors(kwargs, kind, error):
    args = {"dataset": TensorDataset(X, Y), **kwargs}
    with pytest.raises(kind, match="DataLoader: " + error):
        DataLoader(**args)


def test_ragged_examples_are_refused_when_batched():
    class Ragged(Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.zeros(i + 1), i
    with pytest.raises(ValueError, match=r"field 0 must be numeric with one shape.*\[\(1,\), \(2,\)\]"):
        list(DataLoader(Ragged(), batch_size=2))


# --- state_dict -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rng", [None, 3], ids=["global", "own"])
def test_state_dict_between_epochs_resumes_the_stream(rng):
    loader = DataLoader(TensorDataset(X, Y), batch_size=4, shuffle=True, rng=rng)
    ag.manual_seed(1)
    epoch(loader)
    state, global_state = loader.state_dict(), ag.get_rng_state()
    assert state["order"] is None and state["next_batch"] == 0
    want = [epoch(loader)[0] for _ in range(2)]
    twin = DataLoader(TensorDataset(X, Y), batch_size=4, shuffle=True, rng=None if rng is None else 99)
    twin.load_state_dict(state)
    ag.set_rng_state(global_state)
    for w in want:
        np.testing.assert_array_equal(epoch(twin)[0], w)


def test_state_dict_mid_epoch_resumes_the_rest_of_the_epoch():
    loader = DataLoader(TensorDataset(X, Y), batch_size=4, shuffle=True, rng=5)
    it = iter(loader)
    first = next(it)[0].numpy()
    state = loader.state_dict()
    assert state["next_batch"] == 1 and sorted(state["order"]) == list(range(11))
    rest = [b[0].numpy() for b in it]
    after = epoch(loader)[0]
    twin = DataLoader(TensorDataset(X, Y), batch_size=4, shuffle=True, rng=6)
    twin.load_state_dict(state)
    assert twin.state_dict()["next_batch"] == 1                          # loaded, not yet iterated: still reported
    resumed = [b[0].numpy() for b in twin]
    assert len(resumed) == 2 and all(np.array_equal(a, b) for a, b in zip(resumed, rest))
    np.testing.assert_array_equal(np.concatenate([first] + resumed)[:, 0] / 2, state["order"])
    np.testing.assert_array_equal(epoch(twin)[0], after)


def test_a_break_ends_the_epoch_and_two_live_passes_are_refused():
    loader = DataLoader(TensorDataset(X, Y), batch_size=4, shuffle=True, rng=5)
    for _ in loader:
        break
    assert loader.state_dict()["order"] is None                          # the abandoned pass is over
    a, b = iter(loader), iter(loader)
    next(a), next(b)
    with pytest.raises(RuntimeError, match="2 passes over this loader are in progress"):
        loader.state_dict()


STATE_ERRORS = {
    "batch size": (lambda s: {**s, "batch_size": 5}, "the saved loader has batch_size=5 but this one has 4"),
    "length": (lambda s: {**s, "length": 12}, "the saved loader has length=12 but this one has 11"),
    "shuffle": (lambda s: {**s, "shuffle": 1}, "the saved loader has shuffle=1 but this one has True"),
    "keys": (lambda s: {k: v for k, v in s.items() if k != "order"}, "expected a dict with keys"),
    "rng kind": (lambda s: {**s, "rng": {**s["rng"], "bit_generator": "MT19937"}},
                 r"the saved generator state \('MT19937'\) does not fit this generator \(PCG64\)"),
    "rng none": (lambda s: {**s, "rng": None}, "the saved state has no generator of its own"),
    "order not a permutation": (lambda s: {**s, "order": np.zeros(11, int)}, "order must be a permutation"),
    "order float": (lambda s: {**s, "order": np.arange(11.0)}, "order must be a permutation"),
    "next batch past": (lambda s: {**s, "next_batch": 4}, r"next_batch must be an int in \[0, 3\]"),
    "next batch without order": (lambda s: {**s, "order": None}, "next_batch is 1 but no epoch order"),
}


@pytest.mark.parametrize("change, error", STATE_ERRORS.values(), ids=STATE_ERRORS.keys())
def test_load_state_dict_refuses_a_state_that_does_not_fit_and_changes_nothing(change, error):
    saved = DataLoader(TensorDataset(X, Y), batch_size=4, shuffle=True, rng=5)
    it = iter(saved)
    next(it)
    state = saved.state_dict()
    loader = DataLoader(TensorDataset(X, Y), batch_size=4, shuffle=True, rng=8)
    before = loader.state_dict()
    with pytest.raises(ValueError, match="DataLoader.load_state_dict: " + error):
        loader.load_state_dict(change(state))
    after = loader.state_dict()
    assert after["rng"] == before["rng"] and after["order"] is None


def test_a_generator_of_another_kind_round_trips():
    g = np.random.Generator(np.random.MT19937(4))
    loader = DataLoader(TensorDataset(X, Y), batch_size=4, shuffle=True, rng=g)
    state = loader.state_dict()
    want = epoch(loader)[0]
    twin = DataLoader(TensorDataset(X, Y), batch_size=4, shuffle=True, rng=np.random.Generator(np.random.MT19937(9)))
    twin.load_state_dict(state)
    np.testing.assert_array_equal(epoch(twin)[0], want)


def test_a_loader_trains_a_model_as_batches_do():
    """The same order from the same generator: DataLoader and nn.data.batches give the same batches."""
    loader = DataLoader(TensorDataset(X, Y), batch_size=4, shuffle=True, rng=2)
    old = [xb for xb, _ in nn.data.batches(X, Y, 4, rng=2)]
    assert all(np.array_equal(a.numpy(), b) for a, b in zip([xb for xb, _ in loader], old))
