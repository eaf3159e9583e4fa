"""RMSprop with momentum and the centered variant, PyTorch's update rule."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import checks
from .optimizer import Optimizer, decayed, hyperparameter

if TYPE_CHECKING:
    from .optimizer import Params


class RMSprop(Optimizer):
    """RMSprop: a running mean of g^2 scales each step, x -= lr g / (sqrt(mean g^2) + eps).

    centered subtracts the squared running mean of g (an estimate of the variance); momentum > 0 keeps a
    buffer b = momentum b + g / (...) and steps x -= lr b."""

    _hyper = {"lr": checks.nonneg, "alpha": checks.below_one, "eps": checks.nonneg, "weight_decay": checks.nonneg,
              "momentum": checks.nonneg, "centered": checks.flag}
    _state_keys = (("step", "square_avg"), ("momentum_buffer", "grad_avg"))

    def __init__(self, params: Params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False) -> None:
        super().__init__(params, {"lr": lr, "alpha": alpha, "eps": eps, "weight_decay": weight_decay,
                                  "momentum": momentum, "centered": centered})

    lr = hyperparameter("lr", "The learning rate all param groups share (setting it sets every group's).")
    alpha = hyperparameter("alpha", "The smoothing constant all param groups share.")
    eps = hyperparameter("eps", "The eps all param groups share.")
    weight_decay = hyperparameter("weight_decay", "The weight decay all param groups share.")
    momentum = hyperparameter("momentum", "The momentum all param groups share.")

    def _direction(self, x, g, state, group):
        s, t = self._buffers(x)
        g = decayed(x, g, s, group["weight_decay"])
        a, mu = group["alpha"], group["momentum"]
        if "step" not in state:
            state.update(step=0, square_avg=np.zeros_like(x))
        state["step"] += 1
        sq = state["square_avg"]
        np.multiply(sq, a, out=sq)
        np.multiply(g, g, out=t)
        np.add(sq, np.multiply(t, 1 - a, out=t), out=sq)       # mean g^2 = a sq + (1 - a) g^2
        if group["centered"]:
            avg = _buffer(state, "grad_avg", x)
            np.multiply(avg, a, out=avg)
            np.add(avg, np.multiply(g, 1 - a, out=t), out=avg)  # mean g = a avg + (1 - a) g
            np.multiply(avg, avg, out=t)
            np.subtract(sq, t, out=t)                           # mean g^2 - (mean g)^2
            np.sqrt(t, out=t)
        else:
            np.sqrt(sq, out=t)
        np.add(t, group["eps"], out=t)
        np.divide(g, t, out=t)
        if mu:
            b = _buffer(state, "momentum_buffer", x)
            np.multiply(b, mu, out=b)
            np.add(b, t, out=b)                                 # b = mu b + g / (...)
            return np.multiply(b, group["lr"], out=s)
        return np.multiply(t, group["lr"], out=t)


def _buffer(state, key, x):
    """state[key], made as zeros like x on first use."""
    b = state.get(key)
    if b is None:
        b = state[key] = np.zeros_like(x)
    return b
