"""Learning-rate schedules, as torch.optim.lr_scheduler: each sets every param group's "lr" from its base rate.

Building a scheduler records each group's lr as its base rate (`base_lrs`) and sets epoch 0's rates, as
PyTorch does; `step()` moves to the next epoch (OneCycleLR: the next batch) and sets its rates;
`get_last_lr()` is the list of rates set last, one per group.

The schedules are closed forms, lr = f(base_lr, epoch). PyTorch writes StepLR, ExponentialLR and
CosineAnnealingLR recursively (from the previous lr): the same rates up to rounding, and two such schedulers
on one optimizer multiply. A closed form would silently undo any other change to a group's lr, so `step()`
refuses when a group's lr is not the one this scheduler set last (another scheduler, an edit, or an optimizer
state loaded without the scheduler's): compose schedules in one LambdaLR, or change `scheduler.base_lrs`.
ReduceLROnPlateau (nn/optim/plateau.py) scales the current rate, so it takes edits, as in PyTorch.

state_dict() is plain data (numbers, strings, lists): the progress and the arguments, which
load_state_dict() checks and restores. LambdaLR's functions are not saved (as PyTorch): build it with the
same lr_lambda before loading.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from . import checks
from .optimizer import Optimizer


class LRScheduler:
    """Base class: per-group base rates, the epoch counter and state_dict; subclasses give the rates."""

    _args: tuple[str, ...] = ()    # the arguments state_dict saves; _check_args checks them

    def __init__(self, optimizer: Optimizer, **args: Any) -> None:
        where = type(self).__name__
        self.optimizer = _checked_optimizer(where, optimizer)
        self.__dict__.update(self._check_args(where, **args))
        self.base_lrs = self._base_lrs()
        self.last_epoch = 0
        self._set(self._rates(0))

    def step(self) -> None:
        """Advance one epoch (OneCycleLR: one batch) and set every group's lr for it."""
        self._check_untouched()
        self.last_epoch += 1
        self._set(self._rates(self.last_epoch))

    def get_last_lr(self) -> list[float]:
        """The learning rates set last, one per param group (a list, as PyTorch)."""
        return list(self._last_lr)

    def _base_lrs(self):
        return [g["lr"] for g in self.optimizer.param_groups]

    def _rates(self, epoch):
        return [self._lr(base, epoch, i) for i, base in enumerate(self.base_lrs)]

    def _lr(self, base, epoch, i):
        raise NotImplementedError

    def _check_args(self, where, **args):
        return args

    def _set(self, lrs):
        """Write the rates into the groups, each checked (a schedule must not make a rate negative or nan)."""
        where = type(self).__name__
        checked = [checks.nonneg(f"{where} at epoch {self.last_epoch}, param group {i}", "the learning rate", lr)
                   for i, lr in enumerate(lrs)]
        for group, lr in zip(self.optimizer.param_groups, checked):
            group["lr"] = lr
        self._last_lr = checked

    def _check_untouched(self):
        """Refuse to overwrite a group count or an lr that changed since this scheduler's last step."""
        where, groups = f"{type(self).__name__}.step()", self.optimizer.param_groups
        if len(groups) != len(self._last_lr):
            raise ValueError(f"{where}: the optimizer has {len(groups)} param groups but this scheduler was built "
                             f"for {len(self._last_lr)}; build the scheduler after add_param_group")
        for i, (group, lr) in enumerate(zip(groups, self._last_lr)):
            if group["lr"] != lr:
                raise RuntimeError(
                    f"{where}: param group {i}'s lr is {group['lr']!r} but this scheduler set {lr!r} last: something "
                    "else changed it (another scheduler, an edit, or optimizer.load_state_dict without this "
                    "scheduler's load_state_dict). This schedule is a closed form of base_lr and epoch and would undo "
                    "that change; combine schedules in one LambdaLR, set scheduler.base_lrs, or load both states.")

    # --- state ---------------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """{"last_epoch", "base_lrs", "last_lr" and the arguments}: plain numbers, strings and lists."""
        args = {k: list(v) if isinstance(v, tuple) else v for k, v in ((k, getattr(self, k)) for k in self._args)}
        return {"last_epoch": self.last_epoch, "base_lrs": list(self.base_lrs), "last_lr": list(self._last_lr),
                **args}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the progress and arguments saved by state_dict(); checks everything before changing anything."""
        where = f"{type(self).__name__}.load_state_dict"
        keys = {"last_epoch", "base_lrs", "last_lr", *self._args}
        if not isinstance(state_dict, dict) or set(state_dict) != keys:
            got = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__
            raise ValueError(f"{where}: expected a dict with keys {sorted(keys)} (from scheduler.state_dict()), "
                             f"got {got}")
        n = len(self.optimizer.param_groups)
        for key in ("base_lrs", "last_lr"):
            if not isinstance(state_dict[key], list):
                raise ValueError(f"{where}: {key} must be a list of {n} learning rates, got {state_dict[key]!r}")
        base = checks.per_group(where, "base_lrs", state_dict["base_lrs"], n, checks.nonneg)
        last = checks.per_group(where, "last_lr", state_dict["last_lr"], n, checks.nonneg)
        epoch = checks.count(where, "last_epoch", state_dict["last_epoch"])
        args = self._check_args(where, **{k: state_dict[k] for k in self._args})
        self.__dict__.update(args)
        self.base_lrs, self._last_lr, self.last_epoch = base, last, epoch

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._args)
        return f"{type(self).__name__}({args}{', ' if args else ''}last_epoch={self.last_epoch})"


class StepLR(LRScheduler):
    """lr = base_lr * gamma ** (epoch // step_size): decay by gamma every step_size epochs."""

    _args = ("step_size", "gamma")

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        super().__init__(optimizer, step_size=step_size, gamma=gamma)

    def _check_args(self, where, step_size, gamma):
        return {"step_size": checks.positive_int(where, "step_size", step_size),
                "gamma": checks.nonneg(where, "gamma", gamma)}

    def _lr(self, base, epoch, i):
        return base * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """lr = base_lr * gamma ** epoch: decay by gamma every epoch."""

    _args = ("gamma",)

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        super().__init__(optimizer, gamma=gamma)

    def _check_args(self, where, gamma):
        return {"gamma": checks.nonneg(where, "gamma", gamma)}

    def _lr(self, base, epoch, i):
        return base * self.gamma ** epoch


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) (1 + cos(pi epoch / T_max)) / 2: half a cosine from base_lr to eta_min.

    Past T_max the cosine goes on (back up over the next T_max epochs), as PyTorch's does."""

    _args = ("T_max", "eta_min")

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        super().__init__(optimizer, T_max=T_max, eta_min=eta_min)

    def _check_args(self, where, T_max, eta_min):
        return {"T_max": checks.positive_int(where, "T_max", T_max),
                "eta_min": checks.nonneg(where, "eta_min", eta_min)}

    def _lr(self, base, epoch, i):
        return self.eta_min + (base - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2


class LambdaLR(LRScheduler):
    """lr = base_lr * lr_lambda(epoch), with one function for all groups or a list of one per group.

    state_dict() does not save the functions (as PyTorch): build the scheduler with them before loading."""

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]]) -> None:
        n = len(_checked_optimizer("LambdaLR", optimizer).param_groups)
        fs = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * n
        if len(fs) != n or not all(callable(f) for f in fs):
            raise TypeError(f"LambdaLR: lr_lambda must be a function of the epoch, or a list of {n} (one per param "
                            f"group), got {lr_lambda!r}")
        self.lr_lambdas = fs
        super().__init__(optimizer)

    def _lr(self, base, epoch, i):
        factor = self.lr_lambdas[i](epoch)
        if not (checks.is_real(factor) and math.isfinite(factor)):
            raise ValueError(f"LambdaLR: lr_lambda({epoch}) for param group {i} returned {factor!r}; it must return "
                             "a finite number, the factor on the base learning rate")
        return base * factor


def _checked_optimizer(where, optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{where}: expected an optimizer from nn.optim, got {type(optimizer).__name__}")
    return optimizer


# the two longer schedules live in their own modules (they subclass LRScheduler, so they are imported last)
from .onecycle import OneCycleLR  # noqa: E402
from .plateau import ReduceLROnPlateau  # noqa: E402

__all__ = ["LRScheduler", "StepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR", "OneCycleLR",
           "ReduceLROnPlateau"]
