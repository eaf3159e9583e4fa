"""A checkpoint's JSON data (nn/checkpoint.py): plain data to JSON and back, its numpy arrays as entries of their own.

In the JSON a dict is {"dict": [[key, value], ...]} (a key keeps its type, str or int), a tuple {"tuple": [...]},
an array {"array": entry name}, a numpy scalar {"scalar": entry name} (a 0-d array, given back as the scalar);
None, bools, ints, floats (nan and inf as NaN and Infinity), strings and lists are themselves. No other JSON
object occurs, so no user data can pass for one of these. Reading takes nothing on trust: every tag, key and entry
name is checked, each entry is named exactly once, and each array's header is checked before the array is read.
"""
import numpy as np

from autograd import Tensor, Value

from .module import shape_and_dtype

PREFIX = "__checkpoint__"       # the JSON text's entry; the checkpoint's other arrays are named PREFIX.section.n
MAX_DEPTH = 64                  # nesting of lists, tuples and dicts
MAX_BUFFERS = 8                 # arrays per parameter in an optimizer's state (nn.optim's keep at most 3)
_PLAIN = (bool, int, float, str)


class Encoder:
    """Plain data to JSON data; numpy arrays and scalars go to `arrays`, named by the section they are in."""

    def __init__(self):
        self.arrays = {}

    def encode(self, x, where, depth=0):
        """x as JSON data; `where` names it in errors (the section, then keys: "extra['history'][3]")."""
        if depth > MAX_DEPTH:
            raise ValueError(f"save_checkpoint: {where} is nested more than {MAX_DEPTH} levels deep (does a list or "
                             f"dict contain itself?)")
        if type(x) is np.ndarray or isinstance(x, np.generic):
            if x.dtype.hasobject:
                raise TypeError(f"save_checkpoint: {where} is an array of Python objects; only numeric (or "
                                f"string) arrays can be saved without pickle")
            name = f"{PREFIX}.{where.split('[')[0]}.{len(self.arrays)}"
            self.arrays[name] = x
            return {"array" if type(x) is np.ndarray else "scalar": name}
        if x is None or type(x) in _PLAIN:
            return x
        if type(x) in (list, tuple):
            items = [self.encode(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(x)]
            return items if type(x) is list else {"tuple": items}
        if type(x) is dict:
            return {"dict": [[_key(k, where), self.encode(v, f"{where}[{k!r}]", depth + 1)] for k, v in x.items()]}
        raise TypeError(f"save_checkpoint: {where} is a {type(x).__module__}.{type(x).__qualname__}; a checkpoint "
                        f"holds None, bool, int, float, str, numpy arrays and scalars, and lists, tuples and dicts "
                        f"of them{_hint(x)}")


def _key(k, where):
    if type(k) not in (str, int):
        raise TypeError(f"save_checkpoint: {where} has the key {k!r} of type {type(k).__name__}; dict keys must be "
                        f"str or int")
    return k


def _hint(x):
    hints = {Tensor: " (save t.numpy(), its array)", Value: " (save v.data, its number)",
             complex: " (save np.complex128(z))", set: " (save sorted(s), a list)", np.ndarray: " (save np.asarray(a))",
             int: " (save int(x))", float: " (save float(x))", str: " (save str(x))", dict: " (save dict(d))",
             list: " (save list(x))", tuple: " (save tuple(x))"}
    return next((h for cls, h in hints.items() if isinstance(x, cls)), "")


class Ref:
    """An array entry the JSON names, until it is read; `path` is where in the data it sits."""

    def __init__(self, name, scalar, path):
        self.name, self.scalar, self.path = name, scalar, path

    def __repr__(self):
        return f"<{'scalar' if self.scalar else 'array'} {self.name}>"


class Decoder:
    """JSON data back to plain data with a Ref for each array; each entry named must exist and be named once."""

    def __init__(self, f):
        self.f, self.where = f, f"load_checkpoint {f.path!r}"
        self.refs = {}                                          # entry name -> Ref
        self.entries = {n for n in f.names() if n.startswith(PREFIX + ".")}

    def decode(self, x, path, depth=0):
        """The data the JSON value x stands for; `path` (section, keys...) names it in errors."""
        if depth > MAX_DEPTH:
            raise self._error(path, f"is nested more than {MAX_DEPTH} levels deep")
        if x is None or type(x) in _PLAIN:
            return x
        if type(x) is list:
            return [self.decode(v, path + (i,), depth + 1) for i, v in enumerate(x)]
        if type(x) is dict and len(x) == 1:
            (tag, body), = x.items()
            if tag == "tuple" and type(body) is list:
                return tuple(self.decode(v, path + (i,), depth + 1) for i, v in enumerate(body))
            if tag == "dict" and type(body) is list:
                return self._dict(body, path, depth)
            if tag in ("array", "scalar") and type(body) is str:
                return self._ref(body, tag == "scalar", path)
        raise self._error(path, f"holds {str(x)[:80]}, which no checkpoint writes")

    def _dict(self, pairs, path, depth):
        out = {}
        for pair in pairs:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) not in (str, int):
                raise self._error(path, f"holds the dict entry {str(pair)[:80]}; entries are [key, value] pairs "
                                        f"with a str or int key")
            if pair[0] in out:
                raise self._error(path, f"repeats the key {pair[0]!r}")
            out[pair[0]] = self.decode(pair[1], path + (pair[0],), depth + 1)
        return out

    def _ref(self, name, scalar, path):
        if name not in self.entries:
            raise self._error(path, f"names the array {name!r}, which the file does not hold")
        if name in self.refs:
            raise self._error(path, f"names the array {name!r}, already named at {show(self.refs[name].path)}")
        self.refs[name] = ref = Ref(name, scalar, path)
        return ref

    def _error(self, path, what):
        return ValueError(f"{self.where}: {show(path)} {what}")

    def check_all_used(self):
        """An error when the file holds checkpoint entries its JSON never names (added, or left from another file)."""
        unused = sorted(self.entries - set(self.refs))
        if unused:
            raise ValueError(f"{self.where}: the file holds entries {unused[:8]} that its JSON text does not name; "
                             f"save_checkpoint never writes those (was the file altered?)")

    def read(self, sections, optimizer, optimizer_state, max_bytes):
        """{entry: array} for the arrays of `sections`, every header checked before any array is read: optimizer
        buffers against their parameters, the rest against max_bytes in all."""
        refs = [r for r in self.refs.values() if r.path[0] in sections]
        params = _parameters_by_index(optimizer, optimizer_state) if optimizer is not None else {}
        total, per_param = 0, {}
        for r in refs:
            shape, dtype = self.f.header(r.name)
            if r.scalar and shape != ():
                raise self._error(r.path, f"is a numpy scalar but its entry declares shape {shape}")
            if r.path[0] == "optimizer":
                k = self._buffer_owner(r, params, optimizer)
                per_param[k] = per_param.get(k, 0) + 1
                want = shape_and_dtype(params[k])
                if (shape, dtype) != want or per_param[k] > MAX_BUFFERS:
                    raise self._error(r.path, f"declares shape {shape} and dtype {dtype} but parameter {k} has shape "
                                              f"{want[0]} and dtype {want[1]} (or it is over {MAX_BUFFERS} buffers)")
                continue
            total += self.f.nbytes(r.name)
            if max_bytes is not None and total > max_bytes:
                raise self._error(r.path, f"declares shape {shape} of {dtype}, which takes the checkpoint's arrays "
                                          f"besides the model's and its optimizer's to {total} bytes, over max_bytes="
                                          f"{max_bytes}; if you trust the file, pass a larger max_bytes= (or None)")
        return {r.name: self.f.read(r.name) for r in refs}

    def _buffer_owner(self, r, params, optimizer):
        """The saved index of the parameter whose buffer r is: optimizer['state'][index][buffer name]."""
        path = r.path
        if len(path) == 4 and path[1] == "state" and type(path[2]) is int and path[2] in params:
            return path[2]
        n = sum(len(g["params"]) for g in optimizer.param_groups)
        raise self._error(path, f"is an array that belongs to no parameter of this {type(optimizer).__name__} "
                                f"({n} parameters in {len(optimizer.param_groups)} param groups); an optimizer's "
                                f"arrays are buffers state[index][name]: build it over the same parameters and "
                                f"groups as the saved one")


def _parameters_by_index(optimizer, state):
    """{saved index: parameter}: the saved param groups' "params" index lists matched in order to the optimizer's."""
    out = {}
    groups = state.get("param_groups") if type(state) is dict else None
    for saved, group in zip(groups if type(groups) is list else [], optimizer.param_groups):
        indices = saved.get("params") if type(saved) is dict else None
        for k, p in zip(indices if type(indices) is list else [], group["params"]):
            if type(k) is int:
                out.setdefault(k, p)
    return out


def show(path):
    """A path (section, key, ...) as "section['key'][0]"."""
    return path[0] + "".join(f"[{k!r}]" for k in path[1:])


def resolve(x, arrays):
    """The decoded data with each Ref replaced by its array (a numpy scalar for a scalar)."""
    if type(x) is Ref:
        a = arrays[x.name]
        return a[()] if x.scalar else a
    if type(x) in (list, tuple):
        items = [resolve(v, arrays) for v in x]
        return items if type(x) is list else tuple(items)
    if type(x) is dict:
        return {k: resolve(v, arrays) for k, v in x.items()}
    return x
