"""`fit`: the minibatch loop the README writes by hand (forward, loss, zero_grad, backward, step), packaged.

Tensor models get each batch as one Tensor of their parameters' dtype; scalar models (`nn.scalar`) are called
once per row and their outputs, lists of Values, go to the loss as a nested list. Accuracy is reported for the
classification losses: argmax for `cross_entropy` / `multiclass_hinge_loss`, the sign of the score for
`hinge_loss` / `binary_cross_entropy_with_logits`; other losses get no accuracy. `reg` adds
`reg * l2_penalty(model.parameters())` to each batch's loss (micrograd's alpha * sum p^2, biases included);
the history's loss is the data loss alone, averaged over the epoch's batches as they were trained.
"""
from __future__ import annotations

import numbers
from collections.abc import Callable
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
from tqdm import tqdm

from autograd import Tensor, Value, no_grad, from_numpy, default_rng

from . import functional as F
from .data import batches
from .module import as_array

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

    from autograd.hints import Seed

    from .module import Module
    from .optim import Optimizer

    Loss = Callable[..., Any]           # loss(output, targets) -> a scalar node, as nn.functional's

_INDEX_LOSSES = (F.cross_entropy, F.multiclass_hinge_loss)


def fit(model: Module, X: ArrayLike, y: ArrayLike, *, optimizer: Optimizer, loss: Loss = F.cross_entropy,
        epochs: int = 10, batch_size: int | None = 32, val: tuple[ArrayLike, ArrayLike] | None = None,
        progress: bool = True, rng: Seed = None, reg: float = 0.0) -> dict[str, list[float]]:
    """Train with minibatches; returns {'loss', 'accuracy', 'val_loss', 'val_accuracy'}: one entry per epoch."""
    X, y = _data(X, y, "fit")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"fit: epochs must be an int >= 0, got {epochs!r}")
    if val is not None and (not isinstance(val, (tuple, list)) or len(val) != 2):
        raise ValueError(f"fit: val must be a pair (X_val, y_val), got {type(val).__name__}")
    if isinstance(reg, bool) or not isinstance(reg, numbers.Real) or not 0 <= reg < np.inf:
        raise ValueError(f"fit: reg (the L2 strength) must be a finite number >= 0, got {reg!r}")
    rng = default_rng(rng)                   # one Generator (None: the global one): a fresh shuffle every epoch
    params = model.parameters()
    held = {id(p) for group in getattr(optimizer, "param_groups", []) for p in group["params"]}
    if params and held and not any(id(p) in held for p in params):
        raise ValueError("fit: the optimizer holds none of this model's parameters, so training would "
                         "change nothing; build it from model.parameters()")
    keys = ["loss"] + (["accuracy"] if _decides(loss) else [])
    history = {k: [] for k in keys + (["val_" + k for k in keys] if val is not None else [])}
    bar = tqdm(range(epochs), desc="fit", unit="epoch", disable=not progress)
    with model.training_mode(True):         # fit trains (dropout on); the modes are restored after
        _epochs(model, X, y, loss, optimizer, batch_size, val, rng, reg, params, history, bar)
    return history


def _epochs(model, X, y, loss, optimizer, batch_size, val, rng, reg, params, history, bar):
    """The training loop of fit: one pass over (X, y) in shuffled minibatches per epoch."""
    for _ in bar:
        total = correct = 0.0
        for Xb, yb in batches(X, y, batch_size or len(X), shuffle=True, rng=rng):
            out = _forward(model, Xb, params)
            yb = _targets_for(out, yb, loss)
            data_loss = loss(out, yb)
            objective = data_loss + reg * F.l2_penalty(params) if reg else data_loss
            optimizer.zero_grad()
            objective.backward()
            optimizer.step()
            total += float(data_loss.data) * len(Xb)
            correct += _correct(as_array(out), yb, loss)
        history["loss"].append(total / len(X))
        if "accuracy" in history:
            history["accuracy"].append(correct / len(X))
        if val is not None:
            for k, v in evaluate(model, *val, loss=loss, batch_size=batch_size).items():
                history["val_" + k].append(v)
        bar.set_postfix({k: f"{v[-1]:.4g}" for k, v in history.items()})


def evaluate(model: Module, X: ArrayLike, y: ArrayLike, loss: Loss = F.cross_entropy,
             batch_size: int | None = None) -> dict[str, float]:
    """{'loss': mean loss, 'accuracy': fraction correct (classification losses)} on (X, y), in eval mode."""
    X, y = _data(X, y, "evaluate")
    total = correct = 0.0
    with _evaluating(model):
        for Xb, yb in batches(X, y, batch_size or len(X), shuffle=False):
            out = _forward(model, Xb)
            yb = _targets_for(out, yb, loss)
            total += float(loss(out, yb).data) * len(Xb)
            correct += _correct(as_array(out), yb, loss)
    result = {"loss": total / len(X)}
    if _decides(loss):
        result["accuracy"] = correct / len(X)
    return result


def predict(model: Module, X: ArrayLike, batch_size: int | None = None) -> NDArray[Any]:
    """The model's outputs on X as a numpy array (eval mode, no graph recorded)."""
    X = np.asarray(X)
    with _evaluating(model):
        outs = [as_array(_forward(model, Xb)) for Xb, _ in batches(X, None, batch_size or len(X), shuffle=False)]
    return np.concatenate(outs)


def _forward(model, Xb, params=None):
    """model on a batch: one Tensor call for tensor models, one call per row for scalar (Value) models."""
    params = model.parameters() if params is None else params
    if params and isinstance(params[0], Value):         # (params given: the caller already listed them)
        return [model(row) for row in Xb.tolist()]
    dtype = params[0].dtype if params else np.float64
    return model(from_numpy(np.ascontiguousarray(Xb, dtype=dtype)))


@contextmanager
def _evaluating(model):
    """Eval mode and no_grad for a block; every module's training flag is restored after."""
    with model.training_mode(False), no_grad():
        yield


def _data(X: ArrayLike, y: ArrayLike, where: str) -> tuple[NDArray[Any], NDArray[Any]]:
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim < 2 or len(X) == 0:
        raise ValueError(f"{where}: X must be a non-empty array of shape (examples, features), got {X.shape}")
    if len(y) != len(X):
        raise ValueError(f"{where}: X has {len(X)} rows but y has {len(y)}; pass one target per example")
    return X, y


def _targets_for(out, yb, loss):
    """yb reshaped to a single-column output's shape, (n,) -> (n, 1), for the elementwise losses."""
    shape = out.shape if isinstance(out, Tensor) else np.shape(np.asarray(out, dtype=object))
    if loss not in _INDEX_LOSSES and yb.ndim == len(shape) - 1 and shape[-1:] == (1,):
        return yb.reshape(shape)
    return yb


def _decides(loss):
    return loss in _INDEX_LOSSES or loss in (F.hinge_loss, F.binary_cross_entropy_with_logits)


def _correct(s, yb, loss):
    """How many rows of scores s classify yb right under `loss`'s decision rule (0 for regression losses)."""
    if loss in _INDEX_LOSSES:
        return int((s.argmax(axis=1) == yb).sum())
    if loss in (F.hinge_loss, F.binary_cross_entropy_with_logits):
        return int(((s > 0) == (yb > (0 if loss is F.hinge_loss else 0.5))).sum())
    return 0
