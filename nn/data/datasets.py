"""PyTorch's map-style data sets and their loader: `Dataset`, `TensorDataset`, `DataLoader`.

    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
    for epoch in range(10):
        for Xb, yb in loader:           # Tensors: Xb (32, d) of X's dtype, yb (32,) of y's
            loss = F.cross_entropy(model(Xb), yb)

Every field of a batch is a Tensor (a constant, requires_grad=False) holding a fresh copy of the rows, in the data
set's dtype, as PyTorch's default collate makes tensors of numpy arrays; losses take Tensor targets, and
`Xb.tolist()` gives a scalar model its rows. Each pass over the loader (each `iter(loader)`, so each epoch) draws a
fresh shuffle from the loader's generator: the global one (autograd.manual_seed) when rng is None, as PyTorch's
default. `state_dict()` holds that generator's state and, during an epoch, the epoch's order and how many batches
were handed out, so a checkpoint (`nn.save_checkpoint(..., loader=loader)`) resumes the data stream exactly,
between epochs or within one. An epoch is in progress from its first batch until the loop asks for a batch after
the last (a checkpoint saved in the loop body, even after the last batch, is inside the epoch); a `break` ends it.
"""
import numpy as np

from autograd import Tensor, default_rng, from_numpy

from ._checks import as_rng, check_int

_NUMERIC = "biuf"


class Dataset:
    """Base of map-style data sets, as torch.utils.data.Dataset: subclasses define __len__ and __getitem__."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index) returning one example")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__() returning the number of examples")


class TensorDataset(Dataset):
    """Arrays or Tensors with one row per example: dataset[i] is (X[i], y[i], ...) as Tensors; len is the rows."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset: give at least one array, e.g. TensorDataset(X, y)")
        arrays = [_field(i, t) for i, t in enumerate(tensors)]
        for i, a in enumerate(arrays[1:], 1):
            if len(a) != len(arrays[0]):
                raise ValueError(f"TensorDataset: tensor 0 has {len(arrays[0])} rows but tensor {i} has {len(a)} "
                                 f"(shapes {arrays[0].shape} and {a.shape}); give one row per example in each")
        self.tensors = tuple(from_numpy(a) for a in arrays)    # share the caller's memory, as PyTorch's does

    def __getitem__(self, index):
        return tuple(from_numpy(np.array(t.data[index])) for t in self.tensors)

    def __len__(self):
        return len(self.tensors[0].data)

    def __repr__(self):
        return f"TensorDataset({len(self)} examples: " + ", ".join(
            f"{t.dtype}{list(t.shape[1:])}" for t in self.tensors) + ")"


def _field(i, t):
    """Tensor or array-like number i of a TensorDataset as a numeric array with a first axis, or a clear error."""
    if isinstance(t, Tensor):
        if t.requires_grad:
            raise ValueError(f"TensorDataset: tensor {i} requires grad; a data set holds constants: pass "
                             "t.detach()")
        t = t.data
    arr = np.asarray(t)
    if arr.ndim == 0 or arr.dtype.kind not in _NUMERIC:
        raise ValueError(f"TensorDataset: tensor {i} must be a numeric array with one row per example, got shape "
                         f"{arr.shape} and dtype {arr.dtype}" + ("; encode labels as integers, e.g. "
                         "np.unique(y, return_inverse=True)[1]" if arr.dtype.kind in "USO" else ""))
    return arr


class _Epoch:
    """One pass over a loader: its order of example indices and how many batches were handed out."""

    def __init__(self, order, next_batch=0):
        self.order, self.next_batch = order, next_batch


class DataLoader:
    """Batches of a data set, as torch.utils.data.DataLoader: len(loader) batches per epoch, reshuffled each epoch.

    rng: None draws each epoch's shuffle from the global generator (autograd.manual_seed); an int seeds a
    generator of the loader's own; a np.random.Generator is used as is."""

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, rng=None):
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(f"DataLoader: dataset must have __len__ and __getitem__ (e.g. a TensorDataset), got "
                            f"{type(dataset).__name__}")
        check_int("DataLoader", "batch_size", batch_size)
        for name, flag in (("shuffle", shuffle), ("drop_last", drop_last)):
            if not isinstance(flag, (bool, np.bool_)):
                raise ValueError(f"DataLoader: {name} must be True or False, got {flag!r}")
        self.dataset, self.batch_size = dataset, int(batch_size)
        self.shuffle, self.drop_last = bool(shuffle), bool(drop_last)
        # None: the global generator at each epoch, also after autograd.manual_seed
        self.rng = None if rng is None or rng is default_rng() else as_rng(rng, "DataLoader")
        self._live = []            # the epochs being iterated now
        self._resumed = None       # an epoch loaded by load_state_dict, continued by the next iter()

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self):
        return self._iterate()

    def _iterate(self):
        """Yield the epoch's batches; its order is drawn at the first next() (or continues a loaded epoch)."""
        epoch, self._resumed = self._resumed or _Epoch(self._order()), None
        self._live.append(epoch)
        try:
            while epoch.next_batch < len(self):
                start = epoch.next_batch * self.batch_size
                epoch.next_batch += 1                          # handed out: a checkpoint taken now resumes after it
                yield self._batch(epoch.order[start:start + self.batch_size])
        finally:
            self._live.remove(epoch)

    def _order(self):
        n = len(self.dataset)
        return default_rng(self.rng).permutation(n) if self.shuffle else np.arange(n)

    def _batch(self, idx):
        if isinstance(self.dataset, TensorDataset):
            return tuple(from_numpy(t.data[idx]) for t in self.dataset.tensors)    # fancy indexing: a copy
        return collate([self.dataset[int(i)] for i in idx])

    # --- state ---------------------------------------------------------------------------------------------
    def state_dict(self):
        """The loader's arguments, its generator's state (None: the global one) and the epoch in progress, if any."""
        live = self._live          # a pass whose last batch is out is still in progress until the loop asks for more
        if len(live) > 1:
            raise RuntimeError(f"DataLoader.state_dict: {len(live)} passes over this loader are in progress, so "
                               "which one to resume is unclear; iterate it once at a time")
        epoch = live[0] if live else self._resumed
        return {"length": len(self.dataset), "batch_size": self.batch_size, "shuffle": self.shuffle,
                "drop_last": self.drop_last, "rng": None if self.rng is None else self.rng.bit_generator.state,
                "order": None if epoch is None else epoch.order.copy(),
                "next_batch": 0 if epoch is None else epoch.next_batch}

    def load_state_dict(self, state_dict):
        """Restore a state from state_dict(); checks everything before changing anything."""
        rng_state, epoch = _checked_state(self, state_dict, "DataLoader.load_state_dict")
        if rng_state is not None:
            self.rng.bit_generator.state = rng_state
        self._resumed = epoch

    def __repr__(self):
        return (f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}, rng={'global' if self.rng is None else 'own'})")


def _checked_state(loader, sd, where):
    """(generator state or None, _Epoch or None) from a saved state, or an error naming what does not fit."""
    keys = {"length", "batch_size", "shuffle", "drop_last", "rng", "order", "next_batch"}
    if not isinstance(sd, dict) or set(sd) != keys:
        got = sorted(sd) if isinstance(sd, dict) else type(sd).__name__
        raise ValueError(f"{where}: expected a dict with keys {sorted(keys)} (from loader.state_dict()), got {got}")
    ours = {"length": len(loader.dataset), "batch_size": loader.batch_size, "shuffle": loader.shuffle,
            "drop_last": loader.drop_last}
    for key, value in ours.items():
        if type(sd[key]) is not type(value) or sd[key] != value:
            raise ValueError(f"{where}: the saved loader has {key}={sd[key]!r} but this one has {value!r}; build it "
                             f"over the same data set with the same arguments")
    rng_state = checked_generator_state(loader.rng, sd["rng"], where)
    order, n_batches = sd["order"], len(loader)
    if order is None:
        if sd["next_batch"] != 0:
            raise ValueError(f"{where}: next_batch is {sd['next_batch']!r} but no epoch order was saved")
        return rng_state, None
    n = len(loader.dataset)
    if not (isinstance(order, np.ndarray) and order.shape == (n,) and order.dtype.kind in "iu"
            and np.array_equal(np.sort(order), np.arange(n))):
        raise ValueError(f"{where}: order must be a permutation of the {n} example indices, got "
                         f"{type(order).__name__} {getattr(order, 'shape', '')}")
    nb = sd["next_batch"]
    if isinstance(nb, bool) or not isinstance(nb, (int, np.integer)) or not 0 <= nb <= n_batches:
        raise ValueError(f"{where}: next_batch must be an int in [0, {n_batches}] for an epoch in progress, "
                         f"got {nb!r}")
    return rng_state, _Epoch(order.astype(np.intp), int(nb))


def checked_generator_state(rng, state, where):
    """`state` checked as a state of generator `rng`'s bit generator (None for None), before anything is set."""
    if rng is None or state is None:
        if (rng is None) != (state is None):
            raise ValueError(f"{where}: the saved state " + ("has no generator of its own (it drew from the global "
                             "one) but this one has" if state is None else "has a generator of its own but this one "
                             "draws from the global generator (rng=None)") + "; build it with the same kind of rng")
        return None
    probe = type(rng.bit_generator)()
    try:
        probe.state = state                   # numpy validates the whole state here
    except (TypeError, ValueError, KeyError) as e:
        kind = state.get("bit_generator") if isinstance(state, dict) else type(state).__name__
        raise ValueError(f"{where}: the saved generator state ({kind!r}) does not fit this generator "
                         f"({type(rng.bit_generator).__name__}): {e}") from None
    return probe.state


def collate(samples):
    """A batch from a list of examples: each an array, Tensor or number, or a tuple/list of them (one per field)."""
    first = samples[0]
    if isinstance(first, (tuple, list)):
        if any(not isinstance(s, (tuple, list)) or len(s) != len(first) for s in samples):
            raise ValueError(f"DataLoader: examples must all have {len(first)} fields like the first one")
        return tuple(_stack([s[j] for s in samples], j) for j in range(len(first)))
    return _stack(samples, None)


def _stack(items, j):
    arrays = [np.asarray(x.data if isinstance(x, Tensor) else x) for x in items]
    where = "" if j is None else f" field {j}"
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1 or arrays[0].dtype.kind not in _NUMERIC:
        raise ValueError(f"DataLoader: examples'{where} must be numeric with one shape to stack into a batch, got "
                         f"shapes {sorted(shapes)} and dtype {arrays[0].dtype}")
    return from_numpy(np.stack(arrays))
