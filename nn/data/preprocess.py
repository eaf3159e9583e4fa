"""Data preprocessing from the CS231n notes: mean centering, standardizing, PCA and PCA whitening.

Each transform is fitted on training data (`fit` returns self) and then applied unchanged to any
other data with `transform`: statistics always come from the fit data, never from what is transformed.
X is (n, d): one example per row. Inputs are never modified in place; outputs are float64.
"""
from __future__ import annotations


import numbers
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

T = TypeVar("T", bound="_Transform")


class _Transform:
    """Shared fit/transform bookkeeping: input checks, the fitted flag and fit_transform."""
    _fit: Callable[[NDArray[np.float64]], None]                           # each transform's own
    _transform: Callable[[NDArray[np.float64]], NDArray[np.float64]]

    def fit(self: T, X: ArrayLike) -> T:
        """Learn the statistics of X (n, d) and return self."""
        X = self._as_2d(X, "fit")
        if len(X) == 0:
            raise ValueError(f"{self._name}.fit: X has shape {X.shape}; need at least one row")
        if not np.all(np.isfinite(X)):
            bad = np.argwhere(~np.isfinite(X))[0]
            raise ValueError(f"{self._name}.fit: X holds a non-finite value ({X[tuple(bad)]} at row {bad[0]}, "
                             f"column {bad[1]}); statistics fitted on it would be nan")
        self._fit(X)
        self._fit_shape = X.shape                                     # set last: marks fitted
        return self

    def transform(self, X: ArrayLike) -> NDArray[np.float64]:
        """Apply the fitted transform to X."""
        return self._transform(self._checked(X, "transform"))

    def fit_transform(self, X: ArrayLike) -> NDArray[np.float64]:
        """Fit on X, then transform X."""
        return self.fit(X).transform(X)

    @property
    def _name(self):
        return type(self).__name__

    def _as_2d(self, X: ArrayLike, method: str) -> NDArray[np.float64]:
        """Return X as a float64 2-D array or raise naming its shape."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(
                f"{self._name}.{method}: X must be 2-D (n_examples, n_features), got shape {X.shape}; "
                "reshape a single example with x.reshape(1, -1)"
            )
        return X

    def _n_out(self):
        """Number of columns transform produces (= inverse_transform's input)."""
        return self._fit_shape[1]

    def _checked(self, X: ArrayLike, method: str) -> NDArray[np.float64]:
        """Check the transform was fitted and X has the columns `method` expects; return X as float64."""
        if not hasattr(self, "_fit_shape"):
            raise RuntimeError(f"{self._name}.{method}: not fitted yet; call fit(X_train) first")
        X = self._as_2d(X, method)
        n_cols = self._n_out() if method == "inverse_transform" else self._fit_shape[1]
        if X.shape[1] != n_cols:
            raise ValueError(
                f"{self._name}.{method}: X has shape {X.shape} but the transform was fitted on shape "
                f"{self._fit_shape} and expects {n_cols} columns; pass data with the same features"
            )
        return X


class MeanCenter(_Transform):
    """Subtract the per-feature mean of the fit data."""

    def _fit(self, X):
        self.mean_ = X.mean(axis=0)                                   # (d,)

    def _transform(self, X):
        return X - self.mean_

    def inverse_transform(self, Z: ArrayLike) -> NDArray[np.float64]:
        """Add the fitted mean back."""
        return self._checked(Z, "inverse_transform") + self.mean_


class Standardize(_Transform):
    """Per feature (x - mean) / std; a constant feature has scale 1, so it maps to 0, not nan."""

    def _fit(self, X):
        self.mean_ = X.mean(axis=0)                                   # (d,)
        self.std_ = X.std(axis=0)                                     # population std (ddof=0)
        # constant up to rounding: std within a few ulps of the feature's magnitude (relative, so a
        # feature that is merely tiny, std 1e-17 around 0, is still scaled)
        constant = self.std_ <= 10 * np.finfo(np.float64).eps * np.abs(self.mean_)
        self.scale_ = np.where(constant, 1.0, self.std_)

    def _transform(self, X):
        return (X - self.mean_) / self.scale_

    def inverse_transform(self, Z: ArrayLike) -> NDArray[np.float64]:
        """Undo the standardization: Z * scale + mean."""
        return self._checked(Z, "inverse_transform") * self.scale_ + self.mean_


class PCA(_Transform):
    """Project centred data onto the top eigenvectors of its covariance (SVD of X^T X / n)."""

    def __init__(self, n_components: int | None = None) -> None:
        self.n_components = n_components

    def _fit(self, X):
        d = X.shape[1]
        k = d if self.n_components is None else self.n_components
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or not 1 <= k <= d:
            raise ValueError(
                f"{self._name}.fit: n_components must be an integer in 1..{d} (the number of features "
                f"of X with shape {X.shape}), got {self.n_components!r}"
            )
        self.mean_ = X.mean(axis=0)                                   # (d,)
        Xc = X - self.mean_
        cov = Xc.T @ Xc / len(X)                                      # (d, d), ddof=0 as in the notes
        U, S, _ = np.linalg.svd(cov)                                  # cov = U diag(S) U^T, S descending
        U = U * np.sign(U[np.abs(U).argmax(axis=0), np.arange(d)])    # fix signs: largest entry > 0
        self.components_ = U[:, :k].T                                 # (k, d) principal axes as rows
        self.explained_variance_ = S[:k]                              # (k,) variance along each axis

    def _n_out(self):
        return len(self.components_)

    def _transform(self, X):
        return (X - self.mean_) @ self.components_.T                  # (n, k)

    def inverse_transform(self, Z: ArrayLike) -> NDArray[np.float64]:
        """Map (n, k) coordinates back to feature space (exact when k == d)."""
        Z = self._checked(Z, "inverse_transform")
        return Z @ self.components_ + self.mean_


class Whiten(PCA):
    """PCA whitening: rotate onto the principal axes, then divide by sqrt(eigenvalue + eps)."""

    def __init__(self, eps: float = 1e-5, n_components: int | None = None) -> None:
        real = isinstance(eps, numbers.Real) and not isinstance(eps, bool)
        if not (real and np.isfinite(eps) and eps > 0):
            raise ValueError(
                f"Whiten: eps must be a finite number > 0 (it keeps 1/sqrt(S + eps) finite), got {eps!r}"
            )
        super().__init__(n_components)
        self.eps = eps

    def _transform(self, X):
        return super()._transform(X) / np.sqrt(self.explained_variance_ + self.eps)

    def inverse_transform(self, Z: ArrayLike) -> NDArray[np.float64]:
        """Undo the scaling and the rotation."""
        Z = self._checked(Z, "inverse_transform")
        return super().inverse_transform(Z * np.sqrt(self.explained_variance_ + self.eps))
