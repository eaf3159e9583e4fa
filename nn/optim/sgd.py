"""SGD with momentum (dampening, Nesterov) and L2 weight decay, PyTorch's update rule."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import checks
from .optimizer import Optimizer, decayed, hyperparameter

if TYPE_CHECKING:
    from .optimizer import Params


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum: v = mu v + (1 - dampening) g; x -= lr v.

    Weight decay adds `weight_decay * x` to the gradient (L2 with the 1/2 convention: it equals adding
    `0.5 * weight_decay * nn.l2_penalty(params)` to the loss)."""

    _hyper = {"lr": checks.nonneg, "momentum": checks.nonneg, "dampening": checks.nonneg,
              "weight_decay": checks.nonneg, "nesterov": checks.flag}
    _state_keys = ((), ("momentum_buffer",))

    def __init__(self, params: Params, lr: float, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov})

    lr = hyperparameter("lr", "The learning rate all param groups share (setting it sets every group's).")
    momentum = hyperparameter("momentum", "The momentum all param groups share.")
    dampening = hyperparameter("dampening", "The dampening all param groups share.")
    weight_decay = hyperparameter("weight_decay", "The weight decay all param groups share.")
    nesterov = hyperparameter("nesterov", "Whether all param groups use Nesterov momentum.")

    def _check_together(self, h, where):
        if h["nesterov"] and (not h["momentum"] or h["dampening"]):
            raise ValueError(f"{where}: nesterov=True needs momentum > 0 and dampening = 0 (Nesterov is a kind "
                             f"of momentum), got momentum={h['momentum']}, dampening={h['dampening']}")

    def _direction(self, x, g, state, group):
        mu, damp, nesterov = group["momentum"], group["dampening"], group["nesterov"]
        s, t = self._buffers(x) if nesterov or damp else (self._buffers(x, 1)[0], None)
        g = decayed(x, g, s, group["weight_decay"])
        if mu:
            v = state.get("momentum_buffer")
            if v is None:
                v = state["momentum_buffer"] = g.copy()            # first step: v = g
            else:
                np.multiply(v, mu, out=v)
                np.add(v, np.multiply(g, 1 - damp, out=t) if damp else g, out=v)   # v = mu v + (1 - d) g
            if nesterov:
                np.multiply(v, mu, out=t)
                g = np.add(t, g, out=s)                            # look ahead: g + mu v
            else:
                g = v
        return np.multiply(g, group["lr"], out=s)
