"""Minibatches and train/test splits over numpy arrays (rows are examples)."""
from __future__ import annotations


from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from ._checks import as_rng, check_fraction, check_int, check_same_length

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

    from autograd.hints import Seed


def batches(X: ArrayLike, y: ArrayLike | None, batch_size: int, shuffle: bool = True, rng: Seed = None,
            drop_last: bool = False) -> Iterator[tuple[NDArray[Any], NDArray[Any] | None]]:
    """Yield (Xb, yb) minibatches covering each row once per call; yb is None when y is None."""
    # Checks run here, at the call, not at the first next(): the inner generator does the work.
    X = np.asarray(X)
    y = None if y is None else np.asarray(y)
    if y is not None:
        check_same_length("batches", X, y)
    check_int("batches", "batch_size", batch_size)
    order = as_rng(rng, "batches").permutation(len(X)) if shuffle else np.arange(len(X))
    return _iter_batches(X, y, order, batch_size, drop_last)


def _iter_batches(X, y, order, batch_size, drop_last):
    """Yield consecutive slices of `order`; a short tail is kept unless drop_last."""
    stop = len(order) - len(order) % batch_size if drop_last else len(order)
    for start in range(0, stop, batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], (None if y is None else y[idx])


def train_test_split(X: ArrayLike, y: ArrayLike, test_fraction: float = 0.2, seed: Seed = None,
                     stratify: bool = False) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any], NDArray[Any]]:
    """Shuffle and split into (X_train, X_test, y_train, y_test); stratify keeps class proportions."""
    X, y = np.asarray(X), np.asarray(y)
    check_same_length("train_test_split", X, y)
    check_fraction("train_test_split", "test_fraction", test_fraction)
    rng = as_rng(seed, "train_test_split")
    test = _stratified_test(y, test_fraction, rng) if stratify else _random_test(len(y), test_fraction, rng)
    n_test = len(test)
    if n_test == 0 or n_test == len(y):
        raise ValueError(
            f"train_test_split: test_fraction={test_fraction} of {len(y)} examples gives "
            f"{n_test} test and {len(y) - n_test} train; both must be non-empty"
        )
    is_test = np.zeros(len(y), dtype=bool)
    is_test[test] = True
    train = rng.permutation(np.flatnonzero(~is_test))
    return X[train], X[test], y[train], y[test]


def _random_test(n, test_fraction, rng):
    """Return round(test_fraction * n) distinct random indices."""
    return rng.permutation(n)[:int(round(test_fraction * n))]


def _stratified_test(y, test_fraction, rng):
    """Return shuffled test indices taking round(test_fraction * n_c) from each class c."""
    picks = []
    for c in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == c))
        picks.append(members[:int(round(test_fraction * len(members)))])
    return rng.permutation(np.concatenate(picks))
