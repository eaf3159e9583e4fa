"""`ModuleList` and `ModuleDict`: modules held in a list or a dict, discovered and named like PyTorch's.

`self.layers = nn.ModuleList([...])` names its items `layers.0.W`, `layers.1.W`, ...; `self.heads =
nn.ModuleDict({"out": ...})` names them `heads.out.W`. Plain lists and dicts of modules are discovered too;
the containers add type checks and appear as one node in repr and named_modules(). Neither has a forward.
"""
from __future__ import annotations

import operator
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from typing import Any

from . import discovery
from .module import Module


def _module(m, where):
    """m, or a TypeError naming `where` when it is not a Module."""
    if not isinstance(m, Module):
        raise TypeError(f"{where}: expects an nn.Module, got an object of type {type(m).__name__} (wrap "
                        "functions as modules, e.g. nn.ReLU(); keep parameters in a plain list or dict)")
    return m


class _Container(Module):
    """What ModuleList and ModuleDict share: no forward, items first in discovery, then other attributes."""

    _modules: Any                       # ModuleList's list, ModuleDict's dict

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} is a container and has no forward(); call the modules "
                                  "it holds (for layer in self.layers: x = layer(x)), or chain them with "
                                  "nn.Sequential")

    def _children(self):
        items = self._items()
        names = {k for k, _ in items}
        for k, v in vars(self).items():                 # a subclass's own attributes are discovered too
            if k != "_modules":
                if k in names:
                    raise ValueError(f"{type(self).__name__}: the attribute {k!r} and the item {k!r} would both "
                                     f"be named {k!r}; rename the attribute")
                items.append((k, v))
        return items

    def __len__(self) -> int:
        return len(self._modules)


class ModuleList(_Container):
    """A list of modules, named '0', '1', ... in order: append, extend, insert, indexing, slicing, del, +."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        self._modules: list[Module] = []
        if modules is not None:
            self.extend(modules)

    def _items(self):
        return [(str(i), m) for i, m in enumerate(self._modules)]

    def _index(self, i, where):
        """i as a non-negative position in range, or an IndexError naming the list's length."""
        n = len(self._modules)
        try:
            i = operator.index(i)
        except TypeError:
            raise TypeError(f"ModuleList.{where}: indices must be integers (slices too for [] and del), "
                            f"got a {type(i).__name__}") from None
        if not -n <= i < n:
            raise IndexError(f"ModuleList.{where}: index {i} is out of range for {n} modules")
        return i % n

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return ModuleList(self._modules[i])
        return self._modules[self._index(i, "__getitem__")]

    def __setitem__(self, i: int, m: Module) -> None:
        i = self._index(i, "__setitem__")
        self._modules[i] = _module(m, "ModuleList.__setitem__")

    def __delitem__(self, i: int | slice) -> None:
        if isinstance(i, slice):
            del self._modules[i]
        else:
            del self._modules[self._index(i, "__delitem__")]

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList(list(self._modules) + list(other))

    def __iadd__(self, other: Iterable[Module]) -> ModuleList:
        return self.extend(other)

    def append(self, m: Module) -> ModuleList:
        """Add module m at the end; returns self."""
        self._modules.append(_module(m, "ModuleList.append"))
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Add each module of an iterable at the end; returns self."""
        if isinstance(modules, (dict, ModuleDict)):
            raise TypeError("ModuleList.extend: got a dict, whose iteration gives its keys; pass its .values()")
        if not hasattr(modules, "__iter__"):
            raise TypeError(f"ModuleList.extend: takes an iterable of modules, got a {type(modules).__name__}; "
                            "use append for one module")
        new = [_module(m, f"ModuleList item {i}") for i, m in enumerate(modules, len(self._modules))]
        self._modules.extend(new)
        return self

    def insert(self, index: int, m: Module) -> None:
        """Insert module m before position index (as list.insert)."""
        self._modules.insert(operator.index(index), _module(m, "ModuleList.insert"))

    def pop(self, index: int = -1) -> Module:
        """Remove and return the module at index (the last by default)."""
        return self._modules.pop(self._index(index, "pop"))


class ModuleDict(_Container):
    """A dict of modules with str keys, named by key in insertion order: [], del, keys/values/items, update, pop."""

    def __init__(self,
                 modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None) -> None:
        self._modules: dict[str, Module] = {}
        if modules is not None:
            self.update(modules)

    def _items(self):
        return list(self._modules.items())

    def __getitem__(self, key: str) -> Module:
        try:
            return self._modules[key]
        except KeyError:
            raise KeyError(f"ModuleDict has no key {key!r}; its keys are {list(self._modules)}") from None

    def __setitem__(self, key: str, m: Module) -> None:
        if not isinstance(key, str):
            raise TypeError(f"ModuleDict: keys must be str (they become parameter names), got the "
                            f"{type(key).__name__} {key!r}")
        name, why = discovery.key_name(key)
        if why:
            raise why[0](f"ModuleDict: {why[1]}")
        self._modules[key] = _module(m, f"ModuleDict[{key!r}]")

    def __delitem__(self, key: str) -> None:
        self.pop(key)

    def __getattr__(self, name: str) -> Module:      # heads.out as well as heads["out"], as in PyTorch
        modules = self.__dict__.get("_modules", {})
        if name in modules:
            return modules[name]
        raise AttributeError(f"{type(self).__name__} has no attribute or key {name!r}")

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> KeysView[str]:
        """The keys, in insertion order."""
        return self._modules.keys()

    def values(self) -> ValuesView[Module]:
        """The modules, in insertion order."""
        return self._modules.values()

    def items(self) -> ItemsView[str, Module]:
        """(key, module) pairs, in insertion order."""
        return self._modules.items()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add or replace entries from a mapping or an iterable of (key, module) pairs, in their order."""
        pairs: Iterable[Any] = modules.items() if hasattr(modules, "keys") else modules  # type: ignore[union-attr]
        for i, pair in enumerate(pairs):
            try:
                key, m = (None,) if isinstance(pair, (str, bytes)) else pair   # type: ignore[misc]  # a str: no pair
            except (TypeError, ValueError):
                raise ValueError(f"ModuleDict.update: item {i} is {pair!r}, not a (key, module) pair; pass a "
                                 "mapping or (key, module) pairs") from None
            self[key] = m

    def pop(self, key: str) -> Module:
        """Remove the entry `key` and return its module."""
        module = self[key]
        del self._modules[key]
        return module

    def clear(self) -> None:
        """Remove every entry."""
        self._modules.clear()
