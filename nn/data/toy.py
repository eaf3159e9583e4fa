"""2-D toy classification sets: spiral, moons, circles, xor, blobs.

Each returns (X, y): X float64 of shape (n, 2), y int64 class labels 0..k-1.
Rows are grouped by class (not shuffled); `batches` and `train_test_split` shuffle.
`seed` is None (draw from the global generator: the same after the same `autograd.manual_seed`), an int, or
a np.random.Generator; the same int gives the same data whatever the global generator's state.
"""
from __future__ import annotations


from typing import TYPE_CHECKING

import numpy as np

from ._checks import as_rng, check_int, check_nonneg

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

    from autograd.hints import Seed

    Data = tuple[NDArray[np.float64], NDArray[np.int64]]     # (X, y): points (n, 2) and their labels (n,)


def _pack(parts):
    """Stack per-class point arrays into (X, y) with y[i] = index of the part row i came from."""
    X = np.concatenate(parts).astype(np.float64)                      # (n, 2)
    y = np.concatenate([np.full(len(p), k, np.int64) for k, p in enumerate(parts)])
    return X, y


def spiral(n_per_class: int = 100, classes: int = 3, noise: float = 0.2, seed: Seed = None) -> Data:
    """CS231n spiral: `classes` arms of `n_per_class` points, angle jittered by `noise`."""
    check_int("spiral", "n_per_class", n_per_class)
    check_int("spiral", "classes", classes, low=2)
    check_nonneg("spiral", "noise", noise)
    rng = as_rng(seed, "spiral")
    N, parts = n_per_class, []
    for j in range(classes):
        r = np.linspace(0.0, 1, N)                                    # radius grows along the arm
        t = np.linspace(j * 4, (j + 1) * 4, N) + rng.standard_normal(N) * noise  # theta
        parts.append(np.c_[r * np.sin(t), r * np.cos(t)])
    return _pack(parts)


def moons(n: int = 100, noise: float = 0.1, seed: Seed = None) -> Data:
    """Two interleaving half circles (as scikit-learn's make_moons): upper moon 0, lower moon 1."""
    check_int("moons", "n", n, low=2)
    check_nonneg("moons", "noise", noise)
    rng = as_rng(seed, "moons")
    n_out = n // 2
    a, b = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n - n_out)
    upper = np.c_[np.cos(a), np.sin(a)]                               # unit arc centred at (0, 0)
    lower = np.c_[1 - np.cos(b), 0.5 - np.sin(b)]                     # unit arc centred at (1, 0.5)
    X, y = _pack([upper, lower])
    return X + rng.standard_normal(X.shape) * noise, y


def circles(n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: Seed = None) -> Data:
    """Two concentric circles: outer radius 1 is class 0, inner radius `factor` is class 1."""
    check_int("circles", "n", n, low=2)
    check_nonneg("circles", "noise", noise)
    if not 0 < factor < 1:
        raise ValueError(f"circles: factor must be strictly between 0 and 1, got {factor!r}")
    rng = as_rng(seed, "circles")
    n_out = n // 2
    a = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    b = np.linspace(0, 2 * np.pi, n - n_out, endpoint=False)
    X, y = _pack([np.c_[np.cos(a), np.sin(a)], factor * np.c_[np.cos(b), np.sin(b)]])
    return X + rng.standard_normal(X.shape) * noise, y


def xor(n: int = 200, noise: float = 0.1, seed: Seed = None) -> Data:
    """Uniform points in [-1, 1]^2, label 1 where x0*x1 < 0 (signs differ), then Gaussian noise."""
    check_int("xor", "n", n)
    check_nonneg("xor", "noise", noise)
    rng = as_rng(seed, "xor")
    X = rng.uniform(-1, 1, size=(n, 2))
    y = (X[:, 0] * X[:, 1] < 0).astype(np.int64)                       # labelled before the noise
    order = np.argsort(y, kind="stable")                              # group rows by class
    return X[order] + rng.standard_normal(X.shape) * noise, y[order]


def blobs(n: int = 300, centers: int | ArrayLike = 3, std: float = 1.0, seed: Seed = None) -> Data:
    """Isotropic Gaussian blobs: `centers` is a count (drawn in [-10, 10]^2) or a (k, 2) array."""
    check_int("blobs", "n", n)
    check_nonneg("blobs", "std", std)
    rng = as_rng(seed, "blobs")
    C = _blob_centers(centers, rng)                                   # (k, 2)
    k = len(C)
    if n < k:
        raise ValueError(f"blobs: n={n} is smaller than the number of centers {k}; need n >= {k}")
    sizes = np.full(k, n // k) + (np.arange(k) < n % k)               # spread the remainder
    parts = [c + rng.standard_normal((m, 2)) * std for c, m in zip(C, sizes)]
    return _pack(parts)


def _blob_centers(centers, rng):
    """Return a (k, 2) float array of centers from an int count or an explicit array."""
    if np.ndim(centers) == 0:
        check_int("blobs", "centers", centers, low=2)
        return rng.uniform(-10, 10, size=(centers, 2))
    C = np.asarray(centers, dtype=np.float64)
    if C.ndim != 2 or C.shape[1] != 2 or len(C) < 2:
        raise ValueError(f"blobs: centers array must have shape (k >= 2, 2), got shape {C.shape}")
    return C
