"""Trying to hide parameters from Module discovery: every way is either discovered under a stated name or a
clear error naming the class, the path and the fix. Never a parameter silently left untrained or unsaved."""
import collections
import dataclasses
import functools
import io
import types
import weakref

import numpy as np
import pytest

import nn
from autograd import Tensor, Value


class H(nn.Module):
    """A module whose attributes each test fills in."""

    def forward(self, x):
        return x


def holder(**attrs):
    m = H()
    for k, v in attrs.items():
        setattr(m, k, v)
    return m


def L(n=1):
    return nn.Linear(n, 1)


def LW(prefix):
    return [f"{prefix}.W", f"{prefix}.b"]


@dataclasses.dataclass
class Box:
    lin: object


@dataclasses.dataclass(slots=True)
class SlotBox:
    lin: object


class Slotted(nn.Module):
    __slots__ = ("lin",)

    def __init__(self):
        self.lin = L()


class ExtraList(nn.ModuleList):
    def __init__(self):
        super().__init__([L()])
        self.extra = L()


class ExtraSequential(nn.Sequential):
    def __init__(self):
        super().__init__(L())
        self.extra = L()


class SneakyList(list):
    def __iter__(self):                                   # pretends to be empty
        return iter(())


class SneakyDict(dict):
    def items(self):
        return []


class Tagged(list):
    """A list subclass that can carry attributes."""


class ClassHead(H):
    head = L()                                            # one Linear shared by every instance, in the class


class ShadowedClassHead(H):
    head = L()

    def __init__(self):
        self.head = L(2)                                  # the instance's own: the class's is unreachable


class Mixin:
    head = L()


class MixedIn(H, Mixin):
    pass


class Registry(H):
    heads = {"a": L()}


class Block(nn.Module):
    def __init__(self):
        self.ns = types.SimpleNamespace(layers=[L()])


def _deep(depth):
    x = [L()]
    for _ in range(depth):
        x = [x]
    return x


def _cycle():
    x = [L()]
    x.append(x)
    return x


def _dd():
    d = collections.defaultdict(list)
    d["x"].append(L())
    return d


def _tagged():
    t = Tagged([L()])
    t.extra = L()
    return t


def _f_with_attribute():
    f = lambda x: x                                       # noqa: E731
    f.lin = L()
    return f


def _closure():
    lin = L()
    return lambda x: lin(x)


def _default():
    hidden = L()
    def f(x, lin=hidden):
        return lin(x)
    return f


def _weird_attribute(name):
    m = H()
    vars(m)[name] = L()
    return m


def _shared():
    lin = L()
    return holder(a=lin, b=[lin], c={"again": lin})


def _aliases():
    lin = L()
    layer = nn.scalar.Layer(2, 2)
    m = holder(lin=lin, layer=layer)
    m.bag = {lin}                                         # a set, but of something discovered anyway
    m.ns = types.SimpleNamespace(lin=lin, column=layer.W[:, 0], first=layer.W[0, 0])
    m.rates = {lin: 0.1}                                  # a module as a key: discovered as m.lin
    m.f, m.g = lin.forward, (lambda x: m.lin(x))          # a bound method, a closure over the model itself
    m.h = lambda x: lin(x)                                # a closure over a discovered module
    m.opt = nn.optim.SGD(m.parameters(), lr=0.1)          # an optimizer holds the parameters too
    return m


Pair = collections.namedtuple("Pair", "first second")
ELSEWHERE = L()                                           # a module owned by something else (this test file)
COMPUTED = Tensor([1.0], requires_grad=True) * 2          # a graph node, not a leaf

DISCOVERED = {                                            # what is built -> the named_parameters() names
    "dict": (lambda: holder(heads={"out": L()}), LW("heads.out")),
    "int keys, numpy and negative": (lambda: holder(h={2: L(), np.int64(-1): L()}), LW("h.2") + LW("h.-1")),
    "OrderedDict, in its order": (lambda: holder(h=collections.OrderedDict(b=L(), a=L())), LW("h.b") + LW("h.a")),
    "defaultdict": (lambda: holder(h=_dd()), LW("h.x.0")),
    "nested dict/tuple/list/dict": (lambda: holder(h={"a": ([{"b": L()}],)}), LW("h.a.0.0.b")),
    "namedtuple, by position": (lambda: holder(p=Pair(L(), L())), LW("p.0") + LW("p.1")),
    "underscore attribute": (lambda: holder(_h=L()), LW("_h")),
    "dunder-looking attribute": (lambda: holder(__h__=L()), LW("__h__")),
    "__slots__ on a module": (Slotted, LW("lin")),
    "a Value": (lambda: holder(v=Value(1.0)), ["v"]),
    "a grid of Values": (lambda: holder(g=np.array([Value(1.0), Value(2.0)], dtype=object)), ["g"]),
    "one module three times: once, first name": (_shared, LW("a")),
    "a list containing itself": (lambda: holder(h=_cycle()), LW("h.0")),
    "a list nested 5000 deep": (lambda: holder(h=_deep(5000)), LW("h" + ".0" * 5001)),
    "aliases of discovered things anywhere": (_aliases, LW("lin") + ["layer.W", "layer.b"]),
    "ModuleList subclass's own attribute": (ExtraList, LW("0") + LW("extra")),
    "list subclass hiding its items": (lambda: holder(h=SneakyList([L()])), LW("h.0")),
    "dict subclass hiding its items": (lambda: holder(h=SneakyDict(a=L())), LW("h.a")),
    "class attribute shadowed by the instance's": (ShadowedClassHead, LW("head")),
    "computed Tensor in an object: not state": (lambda: holder(ns=types.SimpleNamespace(t=COMPUTED)), []),
    "weak reference: does not own its module": (lambda: holder(ref=weakref.ref(ELSEWHERE)), []),
    "open file: holds no module": (lambda: holder(log=io.StringIO()), []),
}


@pytest.mark.parametrize("make, names", DISCOVERED.values(), ids=list(DISCOVERED))
def test_discovered_with_these_names(make, names):
    m = make()
    assert [n for n, _ in m.named_parameters()] == names
    assert list(m.state_dict()) == names
    assert len({id(p) for p in m.parameters()}) == len(m.parameters())     # nothing listed twice


REFUSED = {                                               # what is built -> (error, message pattern)
    "set": (lambda: holder(s={L()}), TypeError, r"H\.s is a set holding a Linear module \(at H\.s\{\.\.\.\}\) that "
            r"discovery cannot name: .* never be trained or saved\. A set is unordered.*nn\.ModuleList"),
    "frozenset of Values": (lambda: holder(s=frozenset([Value(1.0)])), TypeError, "frozenset holding a Value"),
    "tuple key": (lambda: holder(d={(1, 2): L()}), TypeError, r"H\.d\[\(1, 2\)\] is a Linear module .* A tuple key "
                  "cannot name what it holds: keys must be str or int"),
    "module as a key": (lambda: holder(d={L(): "x"}), TypeError, r"is a Linear module .*A Linear key cannot name"),
    "module inside a tuple key": (lambda: holder(d={("k", L()): 1}), TypeError, r"tuple holding a Linear"),
    "float key": (lambda: holder(d={1.5: L()}), TypeError, "A float key cannot name"),
    "bool key": (lambda: holder(d={True: L()}), TypeError, "A bool key cannot name"),
    "key with a dot": (lambda: holder(d={"a.b": L()}), ValueError, r"The key 'a\.b' would make dotted names ambiguous"),
    "empty key": (lambda: holder(d={"": L()}), ValueError, "The key '' would make dotted names ambiguous"),
    "keys 1 and '1'": (lambda: holder(d={1: L(), "1": L()}), ValueError,
                       r"The keys 1 and '1' both give the name 'd\.1'"),
    "attribute name with a dot": (lambda: _weird_attribute("a.b"), ValueError, "attribute name 'a.b' cannot be part"),
    "non-str attribute name": (lambda: _weird_attribute(7), ValueError, "attribute name 7 cannot be part"),
    "SimpleNamespace": (lambda: holder(ns=types.SimpleNamespace(lin=L())), TypeError,
                        r"H\.ns is a SimpleNamespace holding a Linear module \(at H\.ns\.lin\).*does not look inside "
                        "SimpleNamespace objects; .*nn.ModuleList / nn.ModuleDict\\), or make SimpleNamespace an "
                        "nn.Module"),
    "dataclass": (lambda: holder(box=Box(L())), TypeError, r"a Box holding a Linear module \(at H\.box\.lin\)"),
    "slotted dataclass": (lambda: holder(box=SlotBox(L())), TypeError, r"SlotBox holding a Linear .*H\.box\.lin"),
    "object holding a dict in a list": (lambda: holder(o=Box([{"k": L()}])), TypeError, r"at H\.o\.lin\[0\]\['k'\]"),
    "generator": (lambda: holder(g=(L() for _ in range(2))), TypeError,
                  "H.g is a generator, whose items discovery cannot see without consuming it.*Store a list"),
    "map": (lambda: holder(g=map(L, [1, 2])), TypeError, "H.g is a map, whose items"),
    "an iterator, even an empty one": (lambda: holder(it=iter([])), TypeError, "list_iterator, whose items"),
    "iterator inside an object": (lambda: holder(ns=types.SimpleNamespace(it=iter([L()]))), TypeError,
                                  r"SimpleNamespace holding a list_iterator \(at H\.ns\.it\), whose items"),
    "deque": (lambda: holder(q=collections.deque([L()])), TypeError, r"deque holding .*not a deque; use a list"),
    "mappingproxy": (lambda: holder(p=types.MappingProxyType({"a": L()})), TypeError, "mappingproxy holding a Lin"),
    "dict view": (lambda: holder(v={"a": L()}.values()), TypeError, "dict_values holding a Linear"),
    "UserDict": (lambda: holder(u=collections.UserDict(a=L())), TypeError, r"a UserDict holding .*\(at H\.u\['a'\]\)"),
    "object array of modules": (lambda: holder(a=np.array([L(), None], dtype=object)), TypeError,
                                "object array holding a Linear module .*only when every entry is a Value"),
    "object array mixing Values and floats": (lambda: holder(a=np.array([Value(1.0), 2.0], dtype=object)),
                                              TypeError, "object array holding a Value"),
    "closure": (lambda: holder(f=_closure()), TypeError, r"function holding a Linear module \(at H\.f\.<closure "
                r"lin>\).*does not look inside functions; assign the module to an attribute"),
    "default argument": (lambda: holder(f=_default()), TypeError, r"at H\.f\.__defaults__\[0\]"),
    "function attribute": (lambda: holder(f=_f_with_attribute()), TypeError, r"at H\.f\.__dict__\['lin'\]"),
    "partial": (lambda: holder(f=functools.partial(L())), TypeError, r"partial holding a Linear .*H\.f\.func"),
    "bound method of an undiscovered module": (lambda: holder(f=L().forward), TypeError, "method holding a Linear"),
    "class attribute": (ClassHead, TypeError, r"ClassHead\.head is a Linear module .*It is a class attribute of "
                        r"ClassHead, shared by every instance and not discovered; assign it in __init__ "
                        r"\(self\.head = \.\.\.\)"),
    "class attribute of a mixin": (MixedIn, TypeError, "class attribute of Mixin"),
    "class-level registry dict": (Registry, TypeError, r"Registry\.heads is a dict holding a Linear"),
    "Sequential subclass's own attribute": (ExtraSequential, TypeError, r"ExtraSequential\.extra is a Linear "
                                            r"module .*ExtraSequential discovers only what its _children\(\) names"),
    "list subclass's attributes": (lambda: holder(t=_tagged()), TypeError, "names the items of a Tagged, not its "
                                   "attributes"),
    "frozen Tensor in an object (it is state)": (lambda: holder(ns=types.SimpleNamespace(t=Tensor([1.0, 2.0]))),
                                                 TypeError, r"holding a Tensor of shape \(2,\)"),
    "Value in an object": (lambda: holder(ns=types.SimpleNamespace(v=Value(1.0))), TypeError, "holding a Value"),
    "trainable Tensor in a deque": (lambda: holder(q=collections.deque([Tensor([1.0], requires_grad=True)])),
                                    TypeError, r"deque holding a Tensor of shape \(1,\)"),
    "deep inside a sub-module": (lambda: holder(blocks=[Block()]), TypeError,
                                 r"H\.blocks\.0\.ns \(in Block\) is a SimpleNamespace holding a Linear module "
                                 r"\(at H\.blocks\.0\.ns\.layers\[0\]\)"),
}


@pytest.mark.parametrize("make, error, match", REFUSED.values(), ids=list(REFUSED))
def test_refused_with_a_clear_error(make, error, match):
    m = make()
    for call in (m.parameters, m.state_dict, m.named_modules, m.eval):
        with pytest.raises(error, match=match):
            call()


def test_aliases_seen_from_a_sub_module_alone_are_its_own_business():
    """A block holding, in an object, a sibling's layer is fine from the model (the sibling is discovered there)
    and an error from the block alone (training the block alone would leave that layer out)."""
    lin = L()
    block = holder(ns=types.SimpleNamespace(lin=lin))
    model = holder(lin=lin, block=block)
    assert [n for n, _ in model.named_parameters()] == LW("lin")
    with pytest.raises(TypeError, match=r"H\.ns is a SimpleNamespace holding a Linear module"):
        block.parameters()


def test_shared_module_names_and_order_match_pytorch():
    torch = pytest.importorskip("torch")

    def build(lib):
        class Net(nn.Module if lib is nn else torch.nn.Module):
            def __init__(self):
                super().__init__()
                lin = lib.Linear(2, 2)
                self.z = lib.Linear(2, 1)
                self.a = lib.ModuleDict({"y": lin, "x": lib.ModuleList([lib.Linear(1, 1), lin])})
                self._b = lin
        return Net()

    rename = {"weight": "W", "bias": "b"}
    theirs = [".".join(rename.get(p, p) for p in n.split(".")) for n, _ in build(torch.nn).named_parameters()]
    assert [n for n, _ in build(nn).named_parameters()] == theirs
    assert [n for n, _ in build(nn).named_modules()] == [n for n, _ in build(torch.nn).named_modules()]


# --- a model with heads in a dict trains and round-trips -----------------------------------------
class TwoHeads(nn.Module):
    """A shared trunk and two regression heads kept in a plain dict."""

    def __init__(self, rng):
        rng = np.random.default_rng(rng)
        self.trunk = nn.Linear(2, 16, rng=rng)
        self.heads = {"sum": nn.Linear(16, 1, rng=rng), "diff": nn.Linear(16, 1, rng=rng)}

    def forward(self, x):
        h = self.trunk(x).tanh()
        return {k: head(h) for k, head in self.heads.items()}


def test_heads_in_a_dict_train_and_round_trip_through_save_and_load(tmp_path):
    X = np.random.default_rng(0).uniform(-1, 1, (64, 2))
    targets = {"sum": X[:, :1] + X[:, 1:], "diff": X[:, :1] - X[:, 1:]}
    model = TwoHeads(rng=1)
    start = {k: h.W.data.copy() for k, h in model.heads.items()}
    opt = nn.optim.Adam(model.parameters(), lr=0.02)

    def loss_of(out):
        return sum(nn.F.mse_loss(out[k], Tensor(targets[k])) for k in targets)

    first = loss_of(model(Tensor(X))).item()
    for _ in range(150):
        loss = loss_of(model(Tensor(X)))
        model.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.05 * first
    assert all(not np.allclose(h.W.data, start[k]) for k, h in model.heads.items())   # each head learned

    model.save(tmp_path / "two_heads.npz")
    copy = nn.load(tmp_path / "two_heads.npz", TwoHeads(rng=2))
    assert list(copy.state_dict()) == ["trunk.W", "trunk.b", "heads.sum.W", "heads.sum.b", "heads.diff.W",
                                       "heads.diff.b"]
    assert all(np.array_equal(a, b) for a, b in zip(model.state_dict().values(), copy.state_dict().values()))
    out, out_copy = model(Tensor(X)), copy(Tensor(X))
    assert all(np.array_equal(out[k].data, out_copy[k].data) for k in out)
