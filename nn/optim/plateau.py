"""ReduceLROnPlateau: scale the learning rate down when a metric stops improving, as PyTorch's."""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import checks
from .lr_scheduler import LRScheduler

if TYPE_CHECKING:
    from .optimizer import Optimizer


class ReduceLROnPlateau(LRScheduler):
    """Multiply every group's lr by `factor` (not below its min_lr) once the metric passed to step(metric)
    has not improved for more than `patience` epochs, then wait `cooldown` epochs before counting again.

    Improving means beating the best value so far by `threshold`: relatively (best * (1 -+ threshold)) or
    absolutely (best -+ threshold), for mode "min" or "max". A reduction smaller than eps is skipped. It
    scales the current rate, so it composes with edits to param_groups; a nan metric counts as no improvement
    (as PyTorch)."""

    _args = ("mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lrs", "eps",
             "best", "num_bad_epochs", "cooldown_counter")
    mode: str                       # set from _check_args (LRScheduler.__init__)
    factor: float
    patience: int
    threshold: float
    threshold_mode: str
    cooldown: int
    eps: float
    min_lrs: list[float]
    best: float
    num_bad_epochs: int
    cooldown_counter: int

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                 min_lr: float | Sequence[float] = 0.0, eps: float = 1e-8) -> None:
        super().__init__(optimizer, mode=mode, factor=factor, patience=patience, threshold=threshold,
                         threshold_mode=threshold_mode, cooldown=cooldown, min_lrs=min_lr, eps=eps,
                         best=None, num_bad_epochs=0, cooldown_counter=0)

    def _check_args(self, where, mode, factor, patience, threshold, threshold_mode, cooldown, min_lrs, eps,
                    best, num_bad_epochs, cooldown_counter):
        if mode not in ("min", "max") or threshold_mode not in ("rel", "abs"):
            raise ValueError(f"{where}: mode must be 'min' or 'max' and threshold_mode 'rel' or 'abs', got "
                             f"{mode!r} and {threshold_mode!r}")
        if checks.nonneg(where, "factor", factor) >= 1:
            raise ValueError(f"{where}: factor must be < 1 (it multiplies the learning rate down), got {factor!r}")
        if best is None:
            best = math.inf if mode == "min" else -math.inf        # the worst value: the first metric beats it
        elif not checks.is_real(best):
            raise ValueError(f"{where}: best must be a number, got {best!r}")
        n = len(self.optimizer.param_groups)
        return {"mode": mode, "factor": float(factor), "patience": checks.count(where, "patience", patience),
                "threshold": checks.nonneg(where, "threshold", threshold), "threshold_mode": threshold_mode,
                "cooldown": checks.count(where, "cooldown", cooldown), "eps": checks.nonneg(where, "eps", eps),
                "min_lrs": checks.per_group(where, "min_lr", min_lrs, n, checks.nonneg), "best": float(best),
                "num_bad_epochs": checks.count(where, "num_bad_epochs", num_bad_epochs),
                "cooldown_counter": checks.count(where, "cooldown_counter", cooldown_counter)}

    def _rates(self, epoch):
        return [g["lr"] for g in self.optimizer.param_groups]       # building it changes no rate

    def step(self, metrics: float) -> None:  # type: ignore[override]  # PyTorch's signature: the metric
        """Record one epoch's metric (e.g. the validation loss) and reduce the rates if it has plateaued."""
        try:
            current = float(metrics)
        except (TypeError, ValueError):
            raise TypeError(f"ReduceLROnPlateau.step: metrics must be one number (e.g. the validation loss), got "
                            f"{type(metrics).__name__}") from None
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            raise ValueError(f"ReduceLROnPlateau.step: the optimizer has {len(groups)} param groups but this "
                             f"scheduler was built for {len(self.min_lrs)}; build it after add_param_group")
        self.last_epoch += 1
        if self._is_better(current):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0                                 # bad epochs in cooldown do not count
        if self.num_bad_epochs > self.patience:
            for group, floor in zip(groups, self.min_lrs):
                old = float(group["lr"])
                new = max(old * self.factor, floor)
                if old - new > self.eps:
                    group["lr"] = new
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [g["lr"] for g in groups]

    def _is_better(self, a):
        sign = 1 if self.mode == "min" else -1                     # "max" mirrors "min"
        if self.threshold_mode == "rel":
            return sign * a < sign * self.best * (1 - sign * self.threshold)
        return sign * a < sign * self.best - self.threshold
