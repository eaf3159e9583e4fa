"""Argument checks shared by the data modules; every error names the caller, the argument and its value."""

import numbers

import numpy as np

from autograd import default_rng


def as_rng(seed, where):
    """Return a Generator from None (the global one, seeded by autograd.manual_seed), an int seed, or a Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)):
        return default_rng(seed)
    raise ValueError(f"{where}: seed must be None, an int or a np.random.Generator, got {seed!r}")


def check_int(where, name, value, low=1):
    """Raise ValueError unless value is an integer >= low."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{where}: {name} must be an integer >= {low}, got {value!r}")


def check_nonneg(where, name, value):
    """Raise ValueError unless value is a finite real number >= 0."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not (ok and np.isfinite(value) and value >= 0):
        raise ValueError(f"{where}: {name} must be a finite number >= 0, got {value!r}")


def check_fraction(where, name, value):
    """Raise ValueError unless 0 < value < 1."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not (ok and 0 < value < 1):
        raise ValueError(f"{where}: {name} must be strictly between 0 and 1, got {value!r}")


def check_same_length(where, X, y):
    """Raise ValueError unless X and y have the same number of rows."""
    if len(X) != len(y):
        raise ValueError(
            f"{where}: X has {len(X)} rows but y has {len(y)}; pass one label per example"
        )
