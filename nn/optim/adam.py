"""Adam and AdamW (decoupled weight decay), with AMSGrad, PyTorch's update rules."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from . import checks
from .optimizer import Optimizer, decayed, hyperparameter

if TYPE_CHECKING:
    from .optimizer import Params


class Adam(Optimizer):
    """Adam: bias-corrected running means of g and g^2; x -= lr m_hat / (sqrt(v_hat) + eps).

    weight_decay adds `weight_decay * x` to the gradient (L2), or, with decoupled_weight_decay=True (AdamW),
    shrinks x by lr * weight_decay * x beside the Adam step. amsgrad divides by the largest v seen so far."""

    _hyper = {"lr": checks.nonneg, "betas": checks.betas, "eps": checks.nonneg, "weight_decay": checks.nonneg,
              "amsgrad": checks.flag, "decoupled_weight_decay": checks.flag}
    _state_keys = (("step", "exp_avg", "exp_avg_sq"), ("max_exp_avg_sq",))

    def __init__(self, params: Params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *, decoupled_weight_decay: bool = False) -> None:
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                                  "amsgrad": amsgrad, "decoupled_weight_decay": decoupled_weight_decay})

    lr = hyperparameter("lr", "The learning rate all param groups share (setting it sets every group's).")
    betas = hyperparameter("betas", "The (beta1, beta2) all param groups share.")
    eps = hyperparameter("eps", "The eps all param groups share.")
    weight_decay = hyperparameter("weight_decay", "The weight decay all param groups share.")

    def _direction(self, x, g, state, group):
        s, t = self._buffers(x)
        lr, (b1, b2), wd = group["lr"], group["betas"], group["weight_decay"]
        decoupled = group["decoupled_weight_decay"]
        if not decoupled:
            g = decayed(x, g, s, wd)
        if "step" not in state:
            state.update(step=0, exp_avg=np.zeros_like(x), exp_avg_sq=np.zeros_like(x))
        state["step"] += 1
        m, v, k = state["exp_avg"], state["exp_avg_sq"], state["step"]
        np.multiply(m, b1, out=m)
        np.add(m, np.multiply(g, 1 - b1, out=t), out=m)         # m = b1 m + (1 - b1) g
        np.multiply(v, b2, out=v)
        np.multiply(g, g, out=t)
        np.add(v, np.multiply(t, 1 - b2, out=t), out=v)         # v = b2 v + (1 - b2) g^2
        if group["amsgrad"]:
            v = state.get("max_exp_avg_sq")
            if v is None:
                v = state["max_exp_avg_sq"] = np.zeros_like(x)
            np.maximum(v, state["exp_avg_sq"], out=v)           # the largest v so far
        np.sqrt(v, out=t)
        np.divide(t, math.sqrt(1 - b2 ** k), out=t)
        np.add(t, group["eps"], out=t)                          # sqrt(v_hat) + eps
        np.divide(m, t, out=t)
        np.multiply(t, lr / (1 - b1 ** k), out=t)               # lr m_hat / (...)
        if decoupled and wd:
            np.add(t, np.multiply(x, lr * wd, out=s), out=t)    # x (1 - lr wd) - step
        return t


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): x -= lr (m_hat / (sqrt(v_hat) + eps) + wd x)."""

    def __init__(self, params: Params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay=True)
