"""`Optimizer`: parameter groups, the step loop and the scratch buffers every update rule shares.

Each optimizer writes its rule once, on numpy arrays: `_direction(x, g, state, group)` returns the step d
(in a scratch buffer) and `step()` applies x -= d in place under `no_grad()`, through the Tensor's in-place
operator so the version counter sees the change. Value parameters (the scalar engine) of a group are gathered
into one float64 vector, updated by the same rule and written back with Value.copy_ (so a graph built before
the step refuses backward). Tensor parameters whose `.grad` is None are skipped, as in PyTorch; a Value always
has a gradient (0.0 after zero_grad), so a step without a backward still applies weight decay and momentum to
Values: the one place the scalar twin differs.

Groups are PyTorch's: `param_groups` is a list of dicts, each holding "params" and every hyperparameter; a
group given without one takes the optimizer's default. Edit them between steps (`g["lr"] = 0.01`): step()
checks a group again whenever its values change. `state[p]` holds a Tensor parameter's buffers; the buffers
of a group's Values are one vector per group (state_dict() shows them per Value).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from autograd import Tensor, enable_grad, no_grad

from . import checks, statedict

if TYPE_CHECKING:
    from numpy.typing import NDArray

# What an optimizer takes: parameters (Tensors, Values), or param groups (dicts with a "params" entry).
Params = Union[Iterable[Any], Iterable[dict[str, Any]]]


class Optimizer:
    """Base class: parameter groups, per-parameter state and shared scratch buffers; subclasses give the rule."""

    _hyper: dict[str, Callable[..., Any]] = {}    # name -> check(where, name, value); the order of a group's keys
    # (buffers every stepped parameter has, buffers made only when asked for)
    _state_keys: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())

    def __init__(self, params: Params, defaults: dict[str, Any]) -> None:
        name = type(self).__name__
        self.defaults = self._checked(defaults, name)
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[Tensor, dict[str, Any]] = {}   # Tensor parameter -> {"exp_avg": ndarray, "step": int, ...}
        self._value_state: list[dict[str, Any]] = []   # per group: its Values' buffers, a float64 vector each
        self._seen: dict[int, Any] = {}                # id(group) -> its hyperparameters as last checked
        self._scratch: dict[Any, list[Any]] = {}       # dtype -> flat buffers as big as the largest parameter
        self._views: dict[Any, list[Any]] = {}         # (dtype, shape, count) -> views of them shaped like a parameter
        for group in checks.as_groups(params, name):
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a dict {"params": [...], hyperparameter: value, ...}; missing hyperparameters take the defaults."""
        where = f"{type(self).__name__}: param group {len(self.param_groups)}"
        if not isinstance(param_group, dict) or "params" not in param_group:
            raise TypeError(f"{where} must be a dict with a 'params' entry, e.g. {{'params': layer.parameters(), "
                            f"'lr': 0.1}}; got {type(param_group).__name__}")
        params = checks.unique(param_group["params"], where)
        owner = {id(p): i for i, g in enumerate(self.param_groups) for p in g["params"]}
        for j, p in enumerate(params):
            if id(p) in owner:
                raise ValueError(f"{where}: parameter {j} is already in param group {owner[id(p)]}; "
                                 "a parameter can belong to one group only")
        hyper = {k: v for k, v in param_group.items() if k != "params"}
        self.param_groups.append({"params": params, **self._checked({**self.defaults, **hyper}, where)})
        self._value_state.append({})

    def zero_grad(self) -> None:
        """Forget gradients: Tensor grads become None, Value grads 0.0."""
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None if isinstance(p, Tensor) else 0.0

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient, in place; returns closure()'s loss when one is given."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for i, group in enumerate(self.param_groups):     # every group checked before any parameter moves
            self._recheck(i, group)
        for i, group in enumerate(self.param_groups):
            values = []
            for p in group["params"]:
                if isinstance(p, Tensor):
                    if p.grad is not None:
                        buffers = self.state.get(p)
                        if buffers is None:
                            buffers = self.state[p] = {}
                        p -= self._direction(p.data, p.grad, buffers, group)
                else:
                    values.append(p)
            if values:
                self._step_values(values, group, self._value_state[i], i)
        return loss

    def _step_values(self, values, group, buffers, i):
        """One update of a group's Values as a float64 vector, written back with copy_ (versioned)."""
        n = len(values)
        x = np.fromiter((p.data for p in values), np.float64, n)
        g = np.fromiter((p.grad for p in values), np.float64, n)
        statedict.check_value_count(type(self).__name__, i, buffers, n)
        x -= self._direction(x, g, buffers, group)
        for p, xi in zip(values, x.tolist()):
            p.copy_(xi)                 # versioned: a graph built before this step refuses backward

    def _direction(self, x, g, buffers, group):
        raise NotImplementedError

    # --- state ---------------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """{"state": {index: {buffer: ndarray, "step": int}}, "param_groups": [{hyper..., "params": [index]}]}."""
        return statedict.pack(self.param_groups, self.state, self._value_state, self._hyper)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and buffers saved by state_dict(); checks everything before changing anything."""
        groups, tensor_state, value_state = statedict.unpack(
            state_dict, self.param_groups, self._checked, self._state_keys, f"{type(self).__name__}.load_state_dict")
        for group, loaded in zip(self.param_groups, groups):
            group.update(loaded)
        self.state, self._value_state = tensor_state, value_state
        self._seen.clear()

    # --- hyperparameters -----------------------------------------------------------------------------------
    def _checked(self, hyper, where):
        """The hyperparameters checked and normalised (floats, bools, tuples), or an error naming the bad one."""
        unknown = [k for k in hyper if k not in self._hyper]
        missing = [k for k in self._hyper if k not in hyper]
        if unknown or missing:
            raise ValueError(f"{where}: " + "; ".join(
                ([f"unknown hyperparameter(s) {unknown}"] if unknown else []) +
                ([f"missing {missing}"] if missing else [])) + f"; {type(self).__name__} has {list(self._hyper)}")
        out = {k: check(where, k, hyper[k]) for k, check in self._hyper.items()}
        self._check_together(out, where)
        return out

    def _check_together(self, hyper, where):
        """Constraints between hyperparameters (subclasses)."""

    def _recheck(self, i, group):
        """Check a group again when its hyperparameters changed since the last step (a user or scheduler edit)."""
        key = tuple(map(group.get, self._hyper))
        if self._seen.get(id(group)) != key:
            group.update(self._checked({k: v for k, v in group.items() if k != "params"},
                                       f"{type(self).__name__}: param group {i}"))
            self._seen[id(group)] = tuple(map(group.get, self._hyper))

    def _shared(self, name):
        """The value of hyperparameter `name` that all groups share, or an error saying they differ."""
        found = [g[name] for g in self.param_groups]
        if any(v != found[0] for v in found[1:]):
            raise ValueError(f"{type(self).__name__}: the {len(found)} param groups have different {name}s "
                             f"{found}; read each one as optimizer.param_groups[i][{name!r}]")
        return found[0]

    def _set_shared(self, name, value):
        value = self._hyper[name](type(self).__name__, name, value)
        for i, g in enumerate(self.param_groups):
            self._check_together({**g, name: value}, f"{type(self).__name__}: param group {i}")
        for g in self.param_groups:
            g[name] = value

    # --- scratch buffers -----------------------------------------------------------------------------------
    def _buffers(self, x, count=2):
        """`count` scratch arrays shaped like x, shared by all parameters of its dtype (no per-step
        allocation; only as many as a rule asks for, since they stay allocated between steps)."""
        views = self._views.get((x.dtype, x.shape, count))
        if views is not None:
            return views
        bufs = self._scratch.get(x.dtype)
        if bufs is None or bufs[0].size < x.size:
            tensors = [p for g in self.param_groups for p in g["params"] if isinstance(p, Tensor)]
            n = max([p.size for p in tensors if p.dtype == x.dtype] + [x.size])
            bufs = self._scratch[x.dtype] = []
            self._views.clear()                # views of smaller buffers would keep them alive
        while len(bufs) < count:
            bufs.append(np.empty(bufs[0].size if bufs else n, x.dtype))
        views = self._views[(x.dtype, x.shape, count)] = [b[:x.size].reshape(x.shape) for b in bufs[:count]]
        return views

    def __repr__(self) -> str:
        def describe(g):
            args = ", ".join(f"{k}={v!r}" for k, v in g.items() if k != "params")
            return f"{len(g['params'])} parameters, {args}"
        groups = self.param_groups
        if len(groups) == 1:
            return f"{type(self).__name__}({describe(groups[0])})"
        return f"{type(self).__name__}({len(groups)} param groups: " + ", ".join(
            f"({describe(g)})" for g in groups) + ")"


def hyperparameter(name: str, doc: str) -> property:
    """A property reading hyperparameter `name` shared by all groups; setting it sets every group's."""
    return property(lambda self: self._shared(name), lambda self, v: self._set_shared(name, v), doc=doc)


def decayed(x: NDArray[Any], g: NDArray[Any], out: NDArray[Any], weight_decay: float) -> NDArray[Any]:
    """g + weight_decay * x (into `out`), or g itself when there is no decay."""
    if not weight_decay:
        return g
    np.multiply(x, weight_decay, out=out)
    return np.add(out, g, out=out)
