"""Argument checks shared by optimizers and schedulers: each returns the value normalised or raises naming it."""
import math
import numbers

import numpy as np

from autograd import Tensor, Value


def is_real(x):
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def nonneg(where, name, value):
    """`value` as a float >= 0, or a ValueError naming `where` and the argument."""
    if not (is_real(value) and math.isfinite(value) and value >= 0):
        raise ValueError(f"{where}: {name} must be a finite number >= 0, got {value!r}")
    return float(value)


def below_one(where, name, value):
    """`value` as a float in [0, 1) (a decay rate), or a ValueError."""
    if not (is_real(value) and 0 <= value < 1):
        raise ValueError(f"{where}: {name} must be in [0, 1), got {value!r}")
    return float(value)


def flag(where, name, value):
    """`value` as a bool (True/False only: 0 and 1 are refused as too easily a typo for a rate)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{where}: {name} must be True or False, got {value!r}")
    return bool(value)


def betas(where, name, value):
    """A pair (beta1, beta2) of decay rates in [0, 1), as a tuple (a list, as JSON gives it back, is fine)."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"{where}: {name} must be a pair (beta1, beta2), got {value!r}")
    return (below_one(where, f"{name}[0]", value[0]), below_one(where, f"{name}[1]", value[1]))


def positive_int(where, name, value):
    if not (isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)) and value >= 1):
        raise ValueError(f"{where}: {name} must be a positive int, got {value!r}")
    return int(value)


def count(where, name, value):
    """An int >= 0 (a step or epoch counter, also from a 0-d integer array as .npz gives it back)."""
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iu":
        value = value.item()
    if not (isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)) and value >= 0):
        raise ValueError(f"{where}: {name} must be an int >= 0, got {value!r}")
    return int(value)


def per_group(where, name, value, n, check):
    """One checked value per param group: a single value for all, or a list of n."""
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{where}: {name} has {len(value)} entries but the optimizer has {n} param groups; "
                             "give one per group, or a single value for all")
        return [check(where, f"{name}[{i}]", v) for i, v in enumerate(value)]
    return [check(where, name, value)] * n


def as_groups(params, where):
    """The constructor's `params` as a list of group dicts: one group for a plain iterable of parameters."""
    if isinstance(params, dict):
        raise TypeError(f"{where}: params is a dict; pass a list of param groups [{{'params': ...}}, ...] "
                        "or an iterable of parameters")
    if isinstance(params, (Tensor, Value)):
        raise TypeError(f"{where}: params must be an iterable of parameters, e.g. model.parameters(); "
                        "got a single node (wrap it in a list)")
    items = list(params)
    dicts = [isinstance(p, dict) for p in items]
    if items and all(dicts):
        return items
    if any(dicts):
        raise TypeError(f"{where}: params mixes param group dicts and parameters; put every parameter in a "
                        "group dict {'params': [...]}")
    return [{"params": items}]


def unique(params, where):
    """The parameters as a list without repeats, or an error saying what an optimizer needs."""
    if isinstance(params, (Tensor, Value)):
        params = [params]                  # a group's "params" may be a single node, as in PyTorch
    out, seen = [], set()
    for i, p in enumerate(params):
        if not isinstance(p, (Tensor, Value)):
            raise TypeError(f"{where}: parameter {i} is a {type(p).__name__}, expected a Tensor or Value")
        if isinstance(p, Tensor) and (not p.is_leaf or p.dtype.kind != "f"):
            raise ValueError(f"{where}: parameter {i} (shape {p.shape}, dtype {p.dtype}) must be a float leaf "
                             "tensor; an optimizer can only update leaves such as a layer's W and b")
        if id(p) not in seen:
            seen.add(id(p))
            out.append(p)
    if not out:
        raise ValueError(f"{where}: got an empty parameter list; pass model.parameters() of a model with weights")
    return out
