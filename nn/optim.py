"""Optimizers (SGD with momentum/Nesterov, Adam, RMSprop) and learning-rate schedules.

Update formulas are PyTorch's. Each optimizer writes its rule once, on numpy arrays: `_direction(x, g, state)`
returns the step d (in a scratch buffer) and `step()` applies x -= d in place under `no_grad()`, through the
Tensor's in-place operator so the version counter sees the change. Value parameters (the scalar engine) are
gathered into one float64 vector, updated by the same rule and written back with Value.copy_ (so a graph built
before the step refuses backward). Tensor parameters whose `.grad` is None are skipped, as in PyTorch; a Value
always has a gradient (0.0 after zero_grad), so a step without a backward still applies weight decay and
momentum to Values: the one place the scalar twin differs. Weight decay adds `weight_decay * x` to the gradient (L2 with the 1/2 convention: it equals adding
`0.5 * weight_decay * nn.l2_penalty(params)` to the loss).
"""
import math
import numbers

import numpy as np

from autograd import Tensor, Value, no_grad


class Optimizer:
    """Base class: holds the parameters, per-parameter state and shared scratch buffers; subclasses give the rule."""

    def __init__(self, params, lr, weight_decay=0.0):
        params = _unique(params, type(self).__name__)
        self.tensors = [p for p in params if isinstance(p, Tensor)]
        self.values = [p for p in params if isinstance(p, Value)]
        self.lr = lr
        self.weight_decay = _check(self, "weight_decay", weight_decay)
        self.state = {}                    # id(param) (or "values") -> dict of buffers
        self._scratch = {}                 # dtype -> flat buffers as big as the largest parameter
        self._views = {}                   # (dtype, shape, count) -> views of them shaped like a parameter

    lr = property(lambda self: self._lr, doc="The learning rate (schedules change it between steps).")

    @lr.setter
    def lr(self, value):
        self._lr = _check(self, "lr", value)

    def zero_grad(self):
        """Forget gradients: Tensor grads become None, Value grads 0.0."""
        for p in self.tensors:
            p.grad = None
        for p in self.values:
            p.grad = 0.0

    @no_grad()
    def step(self):
        """Update every parameter that has a gradient, in place."""
        for p in self.tensors:
            if p.grad is not None:
                p -= self._direction(p.data, p.grad, self.state.setdefault(id(p), {}))
        if self.values:
            x = np.array([p.data for p in self.values])
            x -= self._direction(x, np.array([p.grad for p in self.values]), self.state.setdefault("values", {}))
            for p, xi in zip(self.values, x.tolist()):
                p.copy_(xi)                 # versioned: a graph built before this step refuses backward

    def _direction(self, x, g, state):
        raise NotImplementedError

    def _buffers(self, x, count=2):
        """`count` scratch arrays shaped like x, shared by all parameters of its dtype (no per-step
        allocation; only as many as a rule asks for, since they stay allocated between steps)."""
        views = self._views.get((x.dtype, x.shape, count))
        if views is not None:
            return views
        bufs = self._scratch.get(x.dtype)
        if bufs is None or bufs[0].size < x.size:
            n = max([p.size for p in self.tensors if p.dtype == x.dtype] + [x.size])
            bufs = self._scratch[x.dtype] = []
            self._views.clear()                # views of smaller buffers would keep them alive
        while len(bufs) < count:
            n = bufs[0].size if bufs else n
            bufs.append(np.empty(n, x.dtype))
        views = self._views[(x.dtype, x.shape, count)] = [b[:x.size].reshape(x.shape) for b in bufs[:count]]
        return views

    def _decayed(self, x, g, out):
        """g + weight_decay * x (into `out`), or g itself when there is no decay."""
        if not self.weight_decay:
            return g
        np.multiply(x, self.weight_decay, out=out)
        return np.add(out, g, out=out)

    def __repr__(self):
        n = len(self.tensors) + len(self.values)
        args = ", ".join(f"{k}={v!r}" for k, v in self._hyper().items())
        return f"{type(self).__name__}({n} parameters, {args})"

    def _hyper(self):
        return {"lr": self.lr, "weight_decay": self.weight_decay}


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum: v = mu v + g; x -= lr v."""

    def __init__(self, params, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        self.momentum = _check(self, "momentum", momentum)
        if nesterov and not momentum:
            raise ValueError("SGD: nesterov=True needs momentum > 0 (Nesterov is a kind of momentum)")
        self.nesterov = bool(nesterov)

    def _direction(self, x, g, state):
        s, t = self._buffers(x) if self.nesterov else (self._buffers(x, 1)[0], None)
        g = self._decayed(x, g, s)
        mu = self.momentum
        if mu:
            v = state.get("momentum")
            if v is None:
                v = state["momentum"] = g.copy()           # first step: v = g
            else:
                np.multiply(v, mu, out=v)
                np.add(v, g, out=v)                        # v = mu v + g
            if self.nesterov:
                np.multiply(v, mu, out=t)
                g = np.add(t, g, out=s)                    # look ahead: g + mu v
            else:
                g = v
        return np.multiply(g, self.lr, out=s)

    def _hyper(self):
        return {"lr": self.lr, "momentum": self.momentum, "nesterov": self.nesterov,
                "weight_decay": self.weight_decay}


class Adam(Optimizer):
    """Adam: bias-corrected running means of g and g^2; x -= lr m_hat / (sqrt(v_hat) + eps)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        b1, b2 = betas
        self.betas = (_check(self, "betas[0]", b1, below_one=True), _check(self, "betas[1]", b2, below_one=True))
        self.eps = _check(self, "eps", eps)

    def _direction(self, x, g, state):
        s, t = self._buffers(x)
        g = self._decayed(x, g, s)
        b1, b2 = self.betas
        if not state:
            state.update(step=0, m=np.zeros_like(x), v=np.zeros_like(x))
        state["step"] += 1
        m, v, k = state["m"], state["v"], state["step"]
        np.multiply(m, b1, out=m)
        np.add(m, np.multiply(g, 1 - b1, out=t), out=m)         # m = b1 m + (1 - b1) g
        np.multiply(v, b2, out=v)
        np.multiply(g, g, out=t)
        np.add(v, np.multiply(t, 1 - b2, out=t), out=v)         # v = b2 v + (1 - b2) g^2
        np.sqrt(v, out=t)
        np.divide(t, math.sqrt(1 - b2 ** k), out=t)
        np.add(t, self.eps, out=t)                              # sqrt(v_hat) + eps
        np.divide(m, t, out=t)
        return np.multiply(t, self.lr / (1 - b1 ** k), out=t)   # lr m_hat / (...)

    def _hyper(self):
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps, "weight_decay": self.weight_decay}


class RMSprop(Optimizer):
    """RMSprop: a running mean of g^2 scales each step, x -= lr g / (sqrt(mean g^2) + eps)."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        self.alpha = _check(self, "alpha", alpha, below_one=True)
        self.eps = _check(self, "eps", eps)

    def _direction(self, x, g, state):
        s, t = self._buffers(x)
        g = self._decayed(x, g, s)
        a = self.alpha
        sq = state.get("square_avg")
        if sq is None:
            sq = state["square_avg"] = np.zeros_like(x)
        np.multiply(sq, a, out=sq)
        np.multiply(g, g, out=t)
        np.add(sq, np.multiply(t, 1 - a, out=t), out=sq)       # mean g^2 = a sq + (1 - a) g^2
        np.sqrt(sq, out=t)
        np.add(t, self.eps, out=t)
        np.divide(g, t, out=t)
        return np.multiply(t, self.lr, out=t)

    def _hyper(self):
        return {"lr": self.lr, "alpha": self.alpha, "eps": self.eps, "weight_decay": self.weight_decay}


# --- learning-rate schedules --------------------------------------------------------------------
class StepLR:
    """Multiply the learning rate by `gamma` every `step_size` calls of `step()` (step decay)."""

    def __init__(self, optimizer, step_size, gamma=0.1):
        if isinstance(step_size, bool) or not isinstance(step_size, numbers.Integral) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive int (epochs per decay), got {step_size!r}")
        self.optimizer, self.step_size = optimizer, int(step_size)
        self.gamma = _check(self, "gamma", gamma)
        self.base_lr, self.epoch = optimizer.lr, 0

    def step(self):
        """Advance one epoch and set the optimizer's learning rate for it."""
        self.epoch += 1
        self.optimizer.lr = self.base_lr * self.gamma ** (self.epoch // self.step_size)

    def get_last_lr(self):
        """The learning rate set by the last step (the base rate before any)."""
        return self.optimizer.lr


class ExponentialLR(StepLR):
    """Multiply the learning rate by `gamma` at every `step()`."""

    def __init__(self, optimizer, gamma):
        super().__init__(optimizer, 1, gamma)


# --- checks -------------------------------------------------------------------------------------
def _check(owner, name, value, below_one=False):
    """`value` as a float >= 0 (and < 1 if below_one), or a ValueError naming the owner and argument."""
    where = type(owner).__name__
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value) and value >= 0
    if not ok or (below_one and value >= 1):
        bound = "in [0, 1)" if below_one else "a finite number >= 0"
        raise ValueError(f"{where}: {name} must be {bound}, got {value!r}")
    return float(value)


def _unique(params, where):
    """The parameters as a list without repeats, or an error saying what an optimizer needs."""
    if isinstance(params, (Tensor, Value)):
        raise TypeError(f"{where}: params must be an iterable of parameters, e.g. model.parameters(); "
                        "got a single node (wrap it in a list)")
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
