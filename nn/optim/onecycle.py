"""OneCycleLR: the 1cycle policy (Smith & Topin), as torch.optim.lr_scheduler.OneCycleLR."""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import checks
from .lr_scheduler import LRScheduler

if TYPE_CHECKING:
    from .optimizer import Optimizer


class OneCycleLR(LRScheduler):
    """Warm up from max_lr / div_factor to max_lr over pct_start of total_steps, then anneal to
    max_lr / (div_factor * final_div_factor); call step() after every batch.

    three_phase=True comes back down to the start rate symmetrically before the final anneal. With
    cycle_momentum (the default, as PyTorch) the momentum (SGD, RMSprop) or beta1 (Adam, AdamW) moves the
    other way, between max_momentum and base_momentum. Stepping past total_steps is an error. Where
    PyTorch extrapolates (at step total_steps, one past the last phase, where its linear anneal can turn
    the rate negative) or divides by zero (a phase of no steps), the rate here is the phase's end rate."""

    _args = ("max_lr", "total_steps", "pct_start", "anneal_strategy", "cycle_momentum", "base_momentum",
             "max_momentum", "div_factor", "final_div_factor", "three_phase")

    def __init__(self, optimizer: Optimizer, max_lr: float | Sequence[float], total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float | Sequence[float] = 0.85, max_momentum: float | Sequence[float] = 0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4, three_phase: bool = False) -> None:
        if total_steps is None:
            if epochs is None or steps_per_epoch is None:
                raise ValueError("OneCycleLR: give total_steps, or epochs and steps_per_epoch")
            total_steps = (checks.positive_int("OneCycleLR", "epochs", epochs) *
                           checks.positive_int("OneCycleLR", "steps_per_epoch", steps_per_epoch))
        super().__init__(optimizer, max_lr=max_lr, total_steps=total_steps, pct_start=pct_start,
                         anneal_strategy=anneal_strategy, cycle_momentum=cycle_momentum,
                         base_momentum=base_momentum, max_momentum=max_momentum, div_factor=div_factor,
                         final_div_factor=final_div_factor, three_phase=three_phase)

    def _check_args(self, where, max_lr, total_steps, pct_start, anneal_strategy, cycle_momentum, base_momentum,
                    max_momentum, div_factor, final_div_factor, three_phase):
        n, defaults = len(self.optimizer.param_groups), self.optimizer.defaults
        cycle = checks.flag(where, "cycle_momentum", cycle_momentum)
        if cycle and "momentum" not in defaults and "betas" not in defaults:
            raise ValueError(f"{where}: cycle_momentum=True needs an optimizer with momentum or betas; "
                             "pass cycle_momentum=False")
        momentum = checks.below_one if "betas" in defaults else checks.nonneg
        if not (checks.is_real(pct_start) and 0 <= pct_start <= 1):
            raise ValueError(f"{where}: pct_start must be a number in [0, 1], got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"{where}: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}")
        for name, value in (("div_factor", div_factor), ("final_div_factor", final_div_factor)):
            if checks.nonneg(where, name, value) == 0:
                raise ValueError(f"{where}: {name} must be > 0 (the rates divide by it), got {value!r}")
        return {"max_lr": checks.per_group(where, "max_lr", max_lr, n, checks.nonneg),
                "total_steps": checks.positive_int(where, "total_steps", total_steps),
                "pct_start": float(pct_start), "anneal_strategy": anneal_strategy, "cycle_momentum": cycle,
                "base_momentum": checks.per_group(where, "base_momentum", base_momentum, n, momentum),
                "max_momentum": checks.per_group(where, "max_momentum", max_momentum, n, momentum),
                "div_factor": float(div_factor), "final_div_factor": float(final_div_factor),
                "three_phase": checks.flag(where, "three_phase", three_phase)}

    def _base_lrs(self):
        return [m / self.div_factor for m in self.max_lr]

    def _phases(self, i):
        """[(last step of the phase, (lr at its start, lr at its end), (momentum at start, at end))] for group i."""
        start, peak = self.max_lr[i] / self.div_factor, self.max_lr[i]
        low, hi, floor = self.base_momentum[i], self.max_momentum[i], start / self.final_div_factor
        up = self.pct_start * self.total_steps
        if self.three_phase:
            return [(up - 1, (start, peak), (hi, low)), (2 * up - 2, (peak, start), (low, hi)),
                    (self.total_steps - 1, (start, floor), (hi, hi))]
        return [(up - 1, (start, peak), (hi, low)), (self.total_steps - 1, (peak, floor), (low, hi))]

    def _point(self, step, i):
        """(lr, momentum) of group i at `step`: interpolated within the phase holding it."""
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR: step() called {step} times but total_steps is {self.total_steps}; build "
                             "it with total_steps (or epochs * steps_per_epoch) covering every step")
        begin, phases = 0.0, self._phases(i)
        for j, (end, lrs, moms) in enumerate(phases):
            if step <= end or j == len(phases) - 1:
                pct = min((step - begin) / (end - begin), 1.0) if end != begin else 1.0
                return self._anneal(*lrs, pct), self._anneal(*moms, pct)
            begin = end

    def _anneal(self, a, b, pct):
        if self.anneal_strategy == "cos":
            return b + (a - b) / 2.0 * (math.cos(math.pi * pct) + 1)       # cosine from a (pct 0) to b (pct 1)
        return (b - a) * pct + a

    def _rates(self, step):
        return [self._point(step, i)[0] for i in range(len(self.max_lr))]

    def _set(self, lrs):
        super()._set(lrs)
        if self.cycle_momentum:
            for i, group in enumerate(self.optimizer.param_groups):
                m = self._point(self.last_epoch, i)[1]
                if "betas" in group:
                    group["betas"] = (m, *group["betas"][1:])
                else:
                    group["momentum"] = m
