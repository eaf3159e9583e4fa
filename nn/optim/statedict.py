"""An optimizer's state as PyTorch shapes it, in plain data (numbers, strings, lists, dicts, numpy arrays):

    {"state": {index: {"exp_avg": ndarray, "step": int, ...}},
     "param_groups": [{"lr": 0.01, "betas": [0.9, 0.999], ..., "params": [index, ...]}]}

Parameters are numbered across the groups in order. A Value's buffers are 0-d float64 arrays (the optimizer
keeps a group's Values as one vector). Tuples are saved as lists and the state's keys may come back as
strings, so the dict survives JSON beside an .npz of the arrays; nothing needs pickle. Loading checks every
group, index, key, shape and dtype before it changes anything.
"""
import numpy as np

from autograd import Tensor

from . import checks


def pack(groups, tensor_state, value_state, hyper):
    """The state_dict of an optimizer's groups and buffers (copies: later steps do not change it)."""
    index, packed, out = {}, [], {}
    for group in groups:
        saved = {k: list(group[k]) if isinstance(group[k], tuple) else group[k] for k in hyper}
        saved["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
        packed.append(saved)
    for group, vector in zip(groups, value_state):
        values = [p for p in group["params"] if not isinstance(p, Tensor)]
        for j, p in enumerate(values):
            if vector:
                out[index[id(p)]] = {k: v if k == "step" else np.array(v[j]) for k, v in vector.items()}
        for p in group["params"]:
            if isinstance(p, Tensor) and p in tensor_state:
                out[index[id(p)]] = {k: v if k == "step" else v.copy() for k, v in tensor_state[p].items()}
    return {"state": dict(sorted(out.items())), "param_groups": packed}


def unpack(state_dict, param_groups, check, state_keys, where):
    """(hyperparameters per group, Tensor state, Value state per group) from a state_dict, or an error.

    `check(hyper, where)` checks one group's hyperparameters; `state_keys` is (required, optional) buffer names."""
    if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
        got = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__
        raise ValueError(f"{where}: expected a dict with keys 'state' and 'param_groups' (from "
                         f"optimizer.state_dict()), got {got}")
    saved_groups, saved_state = state_dict["param_groups"], state_dict["state"]
    if not isinstance(saved_groups, list) or len(saved_groups) != len(param_groups):
        n = len(saved_groups) if isinstance(saved_groups, list) else type(saved_groups).__name__
        raise ValueError(f"{where}: the state_dict has {n} param groups but this optimizer has "
                         f"{len(param_groups)}; build it with the same groups as the one that was saved")
    owner, groups = {}, []
    for i, (saved, group) in enumerate(zip(saved_groups, param_groups)):
        groups.append(_group(check, where, i, saved, group, owner))
    buffers = {}
    for key, entry in saved_state.items():
        k = _index(where, key)
        if k not in owner:
            raise ValueError(f"{where}: state for parameter {key!r}, but the param groups number parameters "
                             f"0..{len(owner) - 1}")
        buffers[k] = _entry(state_keys, where, k, owner[k][0], entry)
    tensor_state = {owner[k][0]: b for k, b in buffers.items() if isinstance(owner[k][0], Tensor)}
    value_state = [_value_vectors(where, i, [(k, p) for k, (p, gi) in owner.items()
                                            if gi == i and not isinstance(p, Tensor)], buffers)
                   for i in range(len(groups))]
    return groups, tensor_state, value_state


def _group(check, where, i, saved, group, owner):
    """Saved group i's hyperparameters checked; its indices mapped onto this group's parameters in `owner`."""
    if not isinstance(saved, dict) or not isinstance(saved.get("params"), list):
        raise ValueError(f"{where}: saved param group {i} must be a dict with a 'params' list of indices")
    indices, params = saved["params"], group["params"]
    if len(indices) != len(params):
        raise ValueError(f"{where}: saved param group {i} has {len(indices)} parameters but this optimizer's "
                         f"has {len(params)}; build it from the same model and groups as the saved one")
    hyper = check({k: v for k, v in saved.items() if k != "params"}, f"{where}: saved param group {i}")
    for key, p in zip(indices, params):
        k = _index(where, key)
        if k in owner:
            raise ValueError(f"{where}: parameter index {k} appears twice in the saved param groups")
        owner[k] = (p, i)
    return hyper


def _index(where, key):
    """A state key as an int: an int, or its decimal string (JSON turns int keys into strings)."""
    if isinstance(key, str) and key.isdigit():
        return int(key)
    return checks.count(where, "a parameter index", key)


def _entry(state_keys, where, k, p, entry):
    """Parameter k's saved buffers as fresh arrays of its shape and dtype, or an error naming what is off."""
    required, optional = state_keys
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: state[{k}] must be a dict of buffers, got {type(entry).__name__}")
    unknown = [key for key in entry if key not in required + optional]
    missing = [key for key in required if key not in entry] if entry else []
    if unknown or missing:
        raise ValueError(f"{where}: state[{k}] has " + " and ".join(
            ([f"unknown buffers {unknown}"] if unknown else []) + ([f"no {missing}"] if missing else [])) +
            f"; this optimizer keeps {list(required + optional)}")
    shape, dtype = (p.shape, p.dtype) if isinstance(p, Tensor) else ((), np.dtype(np.float64))
    out = {}
    for key, value in entry.items():
        if key == "step":
            out[key] = checks.count(where, f"state[{k}]['step']", value)
            continue
        arr = np.asarray(value)
        if arr.shape != shape or arr.dtype != dtype:
            raise ValueError(f"{where}: state[{k}][{key!r}] has shape {arr.shape} and dtype {arr.dtype}, but "
                             f"parameter {k} has shape {shape} and dtype {dtype}")
        out[key] = arr.copy()
    return out


def _value_vectors(where, i, slots, buffers):
    """Group i's Value buffers as vectors: all its Values have the same buffers and step, or none has any."""
    entries = [buffers.get(k) for k, _ in slots]
    if all(e is None or not e for e in entries):
        return {}
    keys = {tuple(sorted(e)) if e is not None else () for e in entries}
    steps = {e.get("step") if e is not None else None for e in entries}
    if len(keys) > 1 or len(steps) > 1:
        raise ValueError(f"{where}: the Values of param group {i} have different saved buffers {sorted(keys)} "
                         f"or steps {sorted(steps, key=str)}; a group's Values always step together")
    vectors = {key: np.array([e[key] for e in entries], dtype=np.float64) for key in entries[0] if key != "step"}
    if "step" in entries[0]:
        vectors["step"] = entries[0]["step"]
    return vectors


def check_value_count(where, i, buffers, n):
    """The buffers of group i's Values fit its n Values (a Value added to "params" later would not fit)."""
    for key, v in buffers.items():
        if key != "step" and v.size != n:
            raise ValueError(f"{where}: param group {i} has {n} Values but its '{key}' buffer holds {v.size}; "
                             "a group's parameters cannot change after its first step (use add_param_group)")
