"""What the CS231n notes ask practitioners to watch while training: dead ReLUs, saturated sigmoid/tanh units,
the update-to-weight ratio (about 1e-3 is healthy) and gradient norms.

Activations are recorded from one forward pass in eval mode without a graph, from the outputs of activation
modules (`nn.ReLU`, `nn.Sigmoid`, `nn.Tanh`, so every `nn.MLP` hidden layer) and of scalar layers
(`nn.scalar.Layer` applies its activation itself). A model that calls `x.relu()` inline hides its units.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd import Tensor, Value

from . import activations, scalar
from .module import as_array
from .summary import trace

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

    from .module import Module

_KINDS = {activations.ReLU: "relu", activations.Sigmoid: "sigmoid", activations.Tanh: "tanh"}


def dead_relu_fraction(model: Module, X: ArrayLike, per_layer: bool = False) -> float | dict[str, float]:
    """Fraction of ReLU units that output 0 for every row of X ("dead"); a {layer: fraction} dict if per_layer."""
    _check_batch(X, "dead_relu_fraction")
    dead = {name: (a <= 0).all(axis=0) for name, _, a in activations_of(model, X, ("relu",), "dead_relu_fraction")}
    return _fractions(dead, per_layer)


def _check_batch(X, fn):
    """X must be a batch: (examples, features)."""
    if np.ndim(X.data if hasattr(X, "data") and not isinstance(X, np.ndarray) else X) != 2:
        raise ValueError(f"{fn}: X must be a 2-D batch (examples, features), got shape {np.shape(X)}; "
                         "use X.reshape(1, -1) for a single example")


def saturation_fraction(model: Module, X: ArrayLike, threshold: float = 0.99,
                        per_layer: bool = False) -> float | dict[str, float]:
    """Fraction of sigmoid/tanh outputs on X near an asymptote: |tanh| > threshold, |2 sigmoid - 1| > threshold."""
    if not 0 < threshold < 1:
        raise ValueError(f"saturation_fraction: threshold must be in (0, 1), got {threshold!r}")
    _check_batch(X, "saturation_fraction")
    # on either scale the local derivative is then below (1 - threshold^2) times its maximum
    sat = {name: np.abs(2 * a - 1 if kind == "sigmoid" else a) > threshold
           for name, kind, a in activations_of(model, X, ("sigmoid", "tanh"), "saturation_fraction")}
    return _fractions(sat, per_layer)


def update_ratios(before: Any, after: Any) -> dict[str, float] | list[float]:
    """||after - before|| / ||before|| per parameter, from two `model.state_dict()` snapshots (or two lists)."""
    if isinstance(before, dict) != isinstance(after, dict) or len(before) != len(after):
        raise ValueError("update_ratios: pass two snapshots of the same parameters, e.g. model.state_dict() "
                         f"before and after optimizer.step(); got {len(before)} and {len(after)} entries")
    if isinstance(before, dict):
        if before.keys() != after.keys():
            raise ValueError(f"update_ratios: the snapshots name different parameters: "
                             f"{sorted(set(before) ^ set(after))}")
        return {k: _ratio(k, before[k], after[k]) for k in before}
    return [_ratio(i, b, a) for i, (b, a) in enumerate(zip(before, after))]


def grad_norms(model: Module) -> dict[str, float]:
    """{parameter name: L2 norm of its gradient} (0.0 where backward left no gradient)."""
    return {name: float(np.linalg.norm(_grad(p))) for name, p in model.named_parameters()}


def activations_of(model: Module, X: ArrayLike, kinds: Sequence[str] = ("relu", "sigmoid", "tanh"),
                   who: str = "activations_of") -> list[tuple[str, str, NDArray[np.float64]]]:
    """[(layer name, kind, activations (rows, units))] for each call of an activation of `kinds` in a forward
    pass on the batch X (eval mode, no graph), in call order; `who` names the caller in errors."""
    X = np.asarray(X, dtype=np.float64)
    params = model.parameters()
    if model.is_scalar:                                 # scalar model: one pass per row, stacked
        passes = [_recorded(model, row, kinds) for row in X.tolist()]
        calls = [(m, kind, np.stack([p[k][2] for p in passes])) for k, (m, kind, _) in enumerate(passes[0])]
    else:
        x = Tensor(X.astype(params[0].dtype if params else np.float64, copy=False))
        calls = [(m, kind, a.reshape(len(X), -1)) for m, kind, a in _recorded(model, x, kinds)]
    if not calls:
        raise ValueError(f"{who}: found no {'/'.join(kinds)} units in {type(model).__name__}; they are recorded "
                         "from nn.ReLU/nn.Sigmoid/nn.Tanh modules and nn.scalar layers (not from inline x.relu())")
    names = {id(m): name for name, m in model.named_modules()}
    out: list[tuple[str, str, NDArray[np.float64]]] = []
    seen: dict[str, int] = {}
    for m, kind, a in calls:
        name = names.get(id(m), type(m).__name__)
        seen[name] = seen.get(name, 0) + 1
        out.append((name if seen[name] == 1 else f"{name}#{seen[name]}", kind, a))
    return out


# --- helpers ------------------------------------------------------------------------------------
def _recorded(model, x, wanted):
    """(layer, kind, output array) for each wanted activation call in one forward pass on x.

    An activation module's units are named after the layer that fed it (the last parameterised leaf module
    called before it), so `nn.MLP` reports 'layers.0' just as its scalar twin, whose layers apply their own.
    """
    out, layer = [], None
    for m, o in trace(model, x):
        kind = _kind(m)
        if kind in wanted:
            out.append((m if isinstance(m, scalar.Layer) or layer is None else layer, kind, as_array(o)))
        elif kind is None and len(m.modules()) == 1 and m.named_parameters():
            layer = m
    return out


def _kind(module):
    if isinstance(module, scalar.Layer):
        return module.activation
    return next((kind for cls, kind in _KINDS.items() if isinstance(module, cls)), None)


def _fractions(flags, per_layer):
    if per_layer:
        return {name: float(f.mean()) for name, f in flags.items()}
    return float(sum(f.sum() for f in flags.values()) / sum(f.size for f in flags.values()))


def _ratio(key, before, after):
    b, a = _array(before), _array(after)
    if b.shape != a.shape:
        raise ValueError(f"update_ratios: parameter {key!r} has shape {b.shape} before and {a.shape} after")
    step, size = np.linalg.norm(a - b), np.linalg.norm(b)
    return float(step / size) if size else (0.0 if step == 0 else float("inf"))


def _array(p):
    if isinstance(p, (Tensor, Value)):
        return np.array(p.data, dtype=np.float64)
    return as_array(p) if isinstance(p, np.ndarray) and p.dtype == object else np.asarray(p, dtype=np.float64)


def _grad(p):
    if isinstance(p, Tensor):
        return np.zeros(0) if p.grad is None else p.grad
    if isinstance(p, Value):
        return np.array(p.grad)
    return np.array([v.grad for v in p.flat])          # a scalar layer's object array of Values
