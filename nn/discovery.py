"""Discovery: which modules and parameters a Module holds, their dotted names, and what is an error.

The walk visits every attribute of a module, whatever its name (`_private` ones too, as in PyTorch), in
assignment order, and inside them lists, tuples and dicts with str or int keys, nested in any combination, in
order: `self.heads = {"out": Linear(4, 1)}` names `heads.out.W`. A node reached twice is reported once, under
its first name. Computed (non-leaf) Tensors and Values are not state and are not looked into.

Everything else that is not plainly inert (a number, a string, a numeric array) is a place the walk cannot
name: a set, a deque, a generator, an object such as a dataclass, a function's closure, a dict key, a key or
attribute name with '.', a class attribute. Such places are searched, and finding in one a module or a
parameter that the walk did not discover anyway raises: nothing is ever silently left untrained or unsaved.
"""
import collections.abc
import functools
import io
import random
import types

import numpy as np

from autograd import Tensor, Value

from . import module        # Module lives there; these functions only run once both files are loaded

ATOMIC = {type(None), bool, int, float, complex, str, bytes, range,          # exact types that hold nothing
          np.random.Generator, np.random.RandomState, random.Random}
_INERT = (np.generic, np.dtype, type, types.ModuleType, io.IOBase, Tensor, Value)   # non-leaf nodes: not state
_JUST_VALUE = {Value}
_CODE = (types.FunctionType, types.MethodType, types.BuiltinMethodType, functools.partial)


def is_param(v):
    """True for what a module's state holds: leaf Tensors (trainable or frozen), leaf Values, Value grids."""
    if isinstance(v, (Tensor, Value)):
        return v.is_leaf
    return (isinstance(v, np.ndarray) and v.dtype == object and v.size > 0
            and (set(map(type, v.flat)) == _JUST_VALUE or all(isinstance(x, Value) for x in v.flat)))


def _inert(v):
    """True for values that cannot hold a module or a parameter (computed nodes included)."""
    return (isinstance(v, _INERT)
            or isinstance(v, np.ndarray) and v.dtype != object)


def walk(root, deep=True):
    """(found, hidden, seen): found lists ('module' | 'param', dotted name, node) in discovery order,
    hidden lists (path, value, why) of the places the walk cannot name, seen the ids it visited."""
    seen, found, hidden = {id(root): root}, [], []     # seen keeps what it saw alive, so ids stay unique
    stack = _entries(root, "", hidden)
    while stack:
        name, v = stack.pop()
        if type(v) in ATOMIC or id(v) in seen:
            continue
        if isinstance(v, module.Module):
            found.append(("module", name, v))
            if deep:
                stack += _entries(v, name + ".", hidden)
        elif is_param(v):
            found.append(("param", name, v))
        elif isinstance(v, (list, tuple)):        # list.__iter__: a subclass cannot hide its items
            items = list.__iter__(v) if isinstance(v, list) else tuple.__iter__(v)
            stack += [(f"{name}.{i}", x) for i, x in enumerate(items)][::-1]
            _subclass_attributes(v, name, hidden)
        elif isinstance(v, dict):
            stack += _dict_entries(name, v, hidden)
            _subclass_attributes(v, name, hidden)
        else:
            if not _inert(v):
                hidden.append((name, v, None))
            continue                                    # not seen: a hidden value is searched, not walked
        seen[id(v)] = v
    return found, hidden, seen


def _subclass_attributes(v, name, hidden):
    """A list, tuple or dict subclass may carry attributes of its own: the walk does not name them."""
    attrs = getattr(v, "__dict__", None)
    if attrs:
        kind = type(v).__name__
        hidden.append((name, attrs, (TypeError, f"discovery names the items of {_a(kind)}, not its attributes; "
                                                "keep modules and parameters among the items")))


def _entries(m, prefix, hidden):
    """(name, value) of module m's children, reversed for the walk's stack; unnamed places go to hidden."""
    out, names = [], set()
    for k, v in m._children():
        if isinstance(k, str) and k and "." not in k:
            out.append((prefix + k, v))
            names.add(k)
        else:
            hidden.append((prefix + str(k), v, (ValueError, f"the attribute name {k!r} cannot be part of a "
                                                "dotted name (it is empty, not a str or contains '.'); rename it")))
    cls = type(m)
    if cls._children is not module.Module._children:     # a container: the attributes it does not name
        for k, v in vars(m).items():                     # may only hold what is discovered elsewhere
            if k not in names and type(v) not in ATOMIC:
                hidden.append((prefix + k, v, (TypeError, f"{cls.__name__} discovers only what its _children() "
                                                          "names; hold it among those, or in another module")))
    _class_attributes(m, prefix, hidden)
    out.reverse()
    return out


def _class_attributes(m, prefix, hidden):
    """Class attributes (shared by all instances, never discovered) that might hold a module: to search."""
    for c in type(m).__mro__:
        if c is module.Module or c is object:
            continue
        for k, v in vars(c).items():
            if type(v) in ATOMIC or k.startswith("__") or hasattr(type(v), "__get__") or k in vars(m):
                continue
            hidden.append((prefix + k, v, (TypeError, f"it is a class attribute of {c.__name__}, shared by "
                                                      f"every instance and not discovered; assign it in "
                                                      f"__init__ (self.{k} = ...)")))


def _dict_entries(name, d, hidden):
    """(name.key, value) of a dict's items, reversed for the walk's stack; unnameable keys go to hidden."""
    out, keys = [], {}
    for k, v in dict.items(d):                         # dict.items: a subclass cannot hide its items
        key, why = key_name(k)
        if key in keys:
            why = (ValueError, f"the keys {keys[key]!r} and {k!r} both give the name '{name}.{key}'; "
                               "use distinct keys")
        if why:
            hidden += [(f"{name}[{k!r}]", x, why) for x in (k, v) if type(x) not in ATOMIC]
            continue
        keys[key] = k
        out.append((f"{name}.{key}", v))
    out.reverse()
    return out


def key_name(k):
    """(name, None) for a dict key that can name what it holds, else (None, (exception type, why not))."""
    if isinstance(k, (int, np.integer)) and not isinstance(k, bool):
        return str(int(k)), None
    if not isinstance(k, str):
        return None, (TypeError, f"a {type(k).__name__} key cannot name what it holds: keys must be str or int "
                                 "(use str keys, or nn.ModuleDict)")
    if not k or "." in k:
        return None, (ValueError, f"the key {k!r} would make dotted names ambiguous ('.' separates their "
                                  "parts); use a non-empty key without '.'")
    return k, None


def check(root, found, hidden, seen):
    """Raise if a place the walk cannot name holds a module or parameter that it did not discover."""
    values = None                                         # ids of the discovered Values, made when needed
    for path, v, why in hidden:
        for inner, node in search(v):
            if id(node) in seen:
                continue
            if isinstance(node, (Value, np.ndarray)):     # a Value (or a grid of them) may be shared
                values = _value_ids(found) if values is None else values
                if all(id(x) in values for x in (node.flat if isinstance(node, np.ndarray) else [node])):
                    continue
            exc, advice = _advice(node) if _opaque(node) else why or _advice(v)
            raise exc(_message(root, found, path, _render(inner), v, node, advice))


def _value_ids(found):
    ids = set()
    for kind, _, p in found:
        if kind == "param" and not isinstance(p, Tensor):
            ids.update(map(id, p.flat) if isinstance(p, np.ndarray) else [id(p)])
    return ids


def search(v):
    """(path, node) for every module, parameter or iterator held anywhere inside v; paths as for _render."""
    out, visited, stack = [], {}, [(None, v)]      # visited keeps what it saw alive, so ids stay unique
    while stack:
        path, x = stack.pop()
        t = type(x)
        if t in ATOMIC or id(x) in visited:
            continue
        visited[id(x)] = x
        if t is not list and t is not tuple and t is not dict and (
                isinstance(x, module.Module) or is_param(x) or _opaque(x)):
            out.append((path, x))
        elif not _inert(x):
            stack += [((path, fmt, key), item) for fmt, key, item in _contents(x)][::-1]
    return out


def _render(path):
    """A search path, (parent, format, key) links, as text: '.lin', "['a'][0]", ..."""
    parts = []
    while path is not None:
        path, fmt, key = path
        parts.append(fmt.format(key))
    return "".join(reversed(parts))


def _opaque(x):
    """An iterator (a generator, map, zip, ...): what it holds cannot be seen without consuming it."""
    return isinstance(x, collections.abc.Iterator) and not isinstance(x, io.IOBase)


def _contents(x):
    """(format, key, value) for what x refers to: items, keys, attributes, slots, closure cells, bound objects."""
    t = type(x)
    if t is list or t is tuple:
        return [("[{}]", i, v) for i, v in enumerate(x)]
    if t is dict:
        return [("[{!r}]", k, v) for k in x for v in (k, x[k])]
    if isinstance(x, _CODE):                           # not its slots: __globals__ is the whole module
        return _code_refs(x)
    out = []
    if isinstance(x, collections.abc.Mapping):
        for k, v in x.items():
            out += [("[{!r}]", k, k), ("[{!r}]", k, v)]
    elif isinstance(x, (np.ndarray, collections.abc.Collection)):
        fmt = "{{...}}" if isinstance(x, collections.abc.Set) else "[{}]"
        out += [(fmt, i, v) for i, v in enumerate(x.flat if isinstance(x, np.ndarray) else x)]
    try:
        out += [(".{}", k, v) for k, v in object.__getattribute__(x, "__dict__").items()]
    except (AttributeError, TypeError):
        pass
    for k in slots(type(x)):
        try:
            out.append((".{}", k, object.__getattribute__(x, k)))
        except AttributeError:                            # an unset slot
            pass
    return out


def _code_refs(f):
    """What a function, method or partial holds on to: closure cells, defaults, bound object, arguments."""
    if isinstance(f, functools.partial):
        return [(".{}", a, getattr(f, a)) for a in ("func", "args", "keywords")]
    if not isinstance(f, types.FunctionType):             # a bound method
        return [(".__self__", None, f.__self__), (".__func__", None, getattr(f, "__func__", None))]
    cells = []
    for name, cell in zip(f.__code__.co_freevars, f.__closure__ or ()):
        try:
            cells.append((".<closure {}>", name, cell.cell_contents))
        except ValueError:                                # an empty cell
            pass
    more = [(".__defaults__", None, f.__defaults__), (".__kwdefaults__", None, f.__kwdefaults__),
            (".__dict__", None, f.__dict__)]
    return cells + [ref for ref in more if ref[2]]


@functools.lru_cache(maxsize=1024)
def slots(cls):
    """The slot names of a class (fixed when the class is made, so cached)."""
    return tuple(k for c in cls.__mro__ for k, v in vars(c).items() if isinstance(v, types.MemberDescriptorType))


def _advice(v):
    """(exception type, what to do) for a value the walk does not look into."""
    kind = type(v).__name__
    if isinstance(v, collections.abc.Set):
        return TypeError, ("a set is unordered, so what it holds cannot be named deterministically; use a "
                           "list, a tuple or nn.ModuleList")
    if _opaque(v):
        return TypeError, f"store a list (list(...)) or an nn.ModuleList instead of {_a(kind)}"
    if isinstance(v, np.ndarray):
        return TypeError, ("an object array is a parameter only when every entry is a Value; keep modules "
                           "in a list or nn.ModuleList, and Values in a grid of Values only")
    if isinstance(v, collections.abc.Collection):
        return TypeError, (f"discovery walks lists, tuples and dicts, not {_a(kind)}; use a list, a dict with "
                           "str keys, or nn.ModuleList / nn.ModuleDict")
    if isinstance(v, _CODE):
        return TypeError, ("discovery does not look inside functions; assign the module to an attribute "
                           "(self.name = ...) and call it through self")
    return TypeError, (f"discovery does not look inside {kind} objects; keep it in an attribute, a list, a "
                       f"tuple or a dict with str/int keys (or nn.ModuleList / nn.ModuleDict), or make "
                       f"{kind} an nn.Module")


def _message(root, found, path, inner, v, node, advice):
    """The error text: where the node is (from the root class), the owning module, why it is lost, the fix."""
    modules = {n: m for kind, n, m in found if kind == "module"}
    owner = max((n for n in modules if path.startswith(n + ".")), key=len, default=None)
    where = f"{type(root).__name__}.{path}" + (f" (in {type(modules[owner]).__name__})" if owner else "")
    what = _describe(node)
    if v is not node:
        kind = "object array" if isinstance(v, np.ndarray) else type(v).__name__
        what = f"{_a(kind)} holding {what}" + (f" (at {type(root).__name__}.{path}{inner})" if inner else "")
    if _opaque(node):
        return (f"{where} is {what}, whose items discovery cannot see without consuming it: a module or "
                f"parameter in it would never be trained or saved. {advice[0].upper()}{advice[1:]}.")
    return (f"{where} is {what} that discovery cannot name: parameters(), state_dict() and train()/eval() "
            f"would miss it, so it would never be trained or saved. {advice[0].upper()}{advice[1:]}.")


def _describe(node):
    """'a Linear module', 'a Tensor of shape (2, 3)', ... for the error text."""
    if isinstance(node, module.Module):
        return f"a {type(node).__name__} module"
    if isinstance(node, Tensor):
        return f"a Tensor of shape {node.shape}"
    if isinstance(node, np.ndarray):
        return f"a grid of Values of shape {node.shape}"
    return "a Value" if isinstance(node, Value) else _a(type(node).__name__)


def _a(word):
    return ("an " if word[0] in "aeioAEIO" else "a ") + word       # a UserDict, a uint8
