"""nn.ModuleList and nn.ModuleDict: the list and dict API, names in discovery, errors, and PyTorch's behaviour."""
import collections

import numpy as np
import pytest

import nn


def lins(*sizes):
    """Linear(n, n + 1) for each n: distinguishable modules."""
    return [nn.Linear(n, n + 1) for n in sizes]


def widths(modules):
    return [m.in_features for m in modules]


# --- ModuleList ------------------------------------------------------------------------------------
def test_module_list_builds_from_any_iterable_and_names_items_by_position():
    for source in (lins(1, 2), tuple(lins(1, 2)), (m for m in lins(1, 2)), nn.ModuleList(lins(1, 2))):
        ml = nn.ModuleList(source)
        assert widths(ml) == [1, 2]
        assert [n for n, _ in ml.named_parameters()] == ["0.W", "0.b", "1.W", "1.b"]
    assert len(nn.ModuleList()) == len(nn.ModuleList(None)) == 0 and nn.ModuleList().parameters() == []


@pytest.mark.parametrize("op, expected", [
    (lambda ml: ml.append(nn.Linear(9, 1)), [1, 2, 3, 9]),
    (lambda ml: ml.extend(lins(7, 8)), [1, 2, 3, 7, 8]),
    (lambda ml: ml.insert(0, nn.Linear(9, 1)), [9, 1, 2, 3]),
    (lambda ml: ml.insert(-1, nn.Linear(9, 1)), [1, 2, 9, 3]),
    (lambda ml: ml.insert(10, nn.Linear(9, 1)), [1, 2, 3, 9]),        # as list.insert: clipped to the end
    (lambda ml: ml.__setitem__(1, nn.Linear(9, 1)), [1, 9, 3]),
    (lambda ml: ml.__setitem__(-1, nn.Linear(9, 1)), [1, 2, 9]),
    (lambda ml: ml.__delitem__(0), [2, 3]),
    (lambda ml: ml.__delitem__(slice(0, 2)), [3]),
    (lambda ml: ml.__delitem__(slice(None, None, 2)), [2]),
    (lambda ml: ml.pop(), [1, 2]),
    (lambda ml: ml.pop(0), [2, 3]),
    (lambda ml: ml.__iadd__(lins(7)), [1, 2, 3, 7]),
])
def test_module_list_edits_renumber_names(op, expected):
    ml = nn.ModuleList(lins(1, 2, 3))
    op(ml)
    assert widths(ml) == expected and len(ml) == len(expected)
    assert [n for n, _ in ml.named_modules()] == [""] + [str(i) for i in range(len(expected))]
    assert [n for n, _ in ml.named_parameters()][-2:] == [f"{len(expected) - 1}.W", f"{len(expected) - 1}.b"]


def test_module_list_indexing_slicing_and_plus_share_the_modules():
    a, b, c = lins(1, 2, 3)
    ml = nn.ModuleList([a, b, c])
    assert ml[0] is a and ml[-1] is c and ml[np.int64(1)] is b
    part = ml[1:]
    assert isinstance(part, nn.ModuleList) and list(part) == [b, c]
    both = ml + nn.ModuleList([a])
    assert isinstance(both, nn.ModuleList) and list(both) == [a, b, c, a] and len(ml) == 3
    assert [n for n, _ in both.named_parameters()] == ["0.W", "0.b", "1.W", "1.b", "2.W", "2.b"]  # a once
    assert ml.append(a) is ml and ml.extend([]) is ml


@pytest.mark.parametrize("op, error, match", [
    (lambda ml: ml.append(3), TypeError, "ModuleList.append: expects an nn.Module, got an object of type int"),
    (lambda ml: ml.append(nn.relu), TypeError, "type function .*nn.ReLU"),
    (lambda ml: ml.extend([nn.ReLU(), "relu"]), TypeError, "ModuleList item 4: .* type str"),
    (lambda ml: ml.extend(nn.Linear(1, 1)), TypeError, "iterable of modules, got a Linear; use append"),
    (lambda ml: ml.extend({"a": nn.ReLU()}), TypeError, "pass its .values()"),
    (lambda ml: ml.insert(0, None), TypeError, "ModuleList.insert: expects an nn.Module"),
    (lambda ml: ml.__setitem__(0, 1.5), TypeError, "__setitem__: expects an nn.Module"),
    (lambda ml: ml[3], IndexError, "ModuleList.__getitem__: index 3 is out of range for 3 modules"),
    (lambda ml: ml[-4], IndexError, "index -4 is out of range for 3 modules"),
    (lambda ml: ml.__delitem__(5), IndexError, "__delitem__: index 5"),
    (lambda ml: ml["0"], TypeError, "indices must be integers .* got a str"),
    (lambda ml: ml.__setitem__(slice(0, 1), [nn.ReLU()]), TypeError, "indices must be integers"),
    (lambda ml: nn.ModuleList().pop(), IndexError, "pop: index -1 is out of range for 0 modules"),
    (lambda ml: nn.ModuleList(nn.Linear(1, 1)), TypeError, "iterable of modules"),
])
def test_module_list_errors(op, error, match):
    ml = nn.ModuleList(lins(1, 2, 3))
    with pytest.raises(error, match=match):
        op(ml)
    assert widths(ml) == [1, 2, 3]                      # a refused edit changes nothing


# --- ModuleDict ------------------------------------------------------------------------------------
@pytest.mark.parametrize("source", [
    lambda: {"b": nn.Linear(1, 2), "a": nn.Linear(2, 3)},
    lambda: collections.OrderedDict([("b", nn.Linear(1, 2)), ("a", nn.Linear(2, 3))]),
    lambda: [("b", nn.Linear(1, 2)), ("a", nn.Linear(2, 3))],
    lambda: nn.ModuleDict({"b": nn.Linear(1, 2), "a": nn.Linear(2, 3)}),
])
def test_module_dict_builds_from_mappings_and_pairs_in_insertion_order(source):
    md = nn.ModuleDict(source())
    assert list(md) == list(md.keys()) == ["b", "a"] and len(md) == 2
    assert [k for k, _ in md.items()] == ["b", "a"] and widths(md.values()) == [1, 2]
    assert [n for n, _ in md.named_parameters()] == ["b.W", "b.b", "a.W", "a.b"]


def test_module_dict_get_set_del_in_update_pop_clear():
    md = nn.ModuleDict({"b": nn.Linear(1, 2)})
    c = nn.Linear(3, 4)
    md["c"] = c
    assert md["c"] is c and md.c is c and "c" in md and "z" not in md
    md.update({"b": nn.Linear(5, 6), "d": nn.ReLU()})          # replacing keeps b's place, as dict does
    md.update([("e", nn.Tanh())])
    assert list(md) == ["b", "c", "d", "e"] and md["b"].in_features == 5
    del md["d"]
    assert md.pop("c") is c and list(md) == ["b", "e"]
    assert [n for n, _ in md.named_modules()] == ["", "b", "e"]
    md.clear()
    assert len(md) == 0 and md.parameters() == []


@pytest.mark.parametrize("op, error, match", [
    (lambda md: md["zz"], KeyError, r"ModuleDict has no key 'zz'; its keys are \['a'\]"),
    (lambda md: md.pop("zz"), KeyError, "no key 'zz'"),
    (lambda md: md.__delitem__("zz"), KeyError, "no key 'zz'"),
    (lambda md: md.zz, AttributeError, "ModuleDict has no attribute or key 'zz'"),
    (lambda md: md.__setitem__(1, nn.ReLU()), TypeError, "keys must be str .* got the int 1"),
    (lambda md: md.__setitem__("x.y", nn.ReLU()), ValueError, "the key 'x.y' would make dotted names ambiguous"),
    (lambda md: md.__setitem__("", nn.ReLU()), ValueError, "the key '' would make dotted names ambiguous"),
    (lambda md: md.__setitem__("x", np.zeros(2)), TypeError, r"ModuleDict\['x'\]: expects an nn.Module"),
    (lambda md: md.update([("x", nn.ReLU(), 3)]), ValueError, "item 0 is .* not a \\(key, module\\) pair"),
    (lambda md: md.update(["xy"]), ValueError, "item 0 is 'xy', not a \\(key, module\\) pair"),
    (lambda md: md.update([5]), ValueError, "item 0 is 5"),
])
def test_module_dict_errors(op, error, match):
    md = nn.ModuleDict({"a": nn.Linear(1, 2)})
    with pytest.raises(error, match=match):
        op(md)
    assert list(md) == ["a"]


def test_an_attribute_and_a_key_with_one_name_is_an_error():
    md = nn.ModuleDict({"a": nn.Linear(1, 2)})
    md.b = nn.Linear(2, 3)                               # a subclass's own attribute: discovered after the items
    assert [n for n, _ in md.named_parameters()] == ["a.W", "a.b", "b.W", "b.b"]
    md.__dict__["a"] = nn.Linear(3, 4)
    with pytest.raises(ValueError, match="the attribute 'a' and the item 'a' would both be named 'a'"):
        md.parameters()


@pytest.mark.parametrize("make", [lambda: nn.ModuleList(lins(1)), lambda: nn.ModuleDict({"a": nn.Linear(1, 2)})])
def test_calling_a_container_is_a_clear_error(make):
    with pytest.raises(NotImplementedError, match="is a container and has no forward\\(\\); call the modules"):
        make()(np.ones((1, 1)))


# --- the same edits in PyTorch give the same names and order -------------------------------------
def torch_names(module):
    """PyTorch names with our parameter names: weight -> W, bias -> b."""
    rename = {"weight": "W", "bias": "b"}
    return [".".join(rename.get(p, p) for p in n.split(".")) for n, _ in module.named_parameters()]


def test_module_list_edits_match_pytorch():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.ModuleList(), torch.nn.ModuleList()
    for lib, ml in ((nn, ours), (torch.nn, theirs)):
        ml.extend([lib.Linear(1, 2), lib.Linear(2, 3), lib.Linear(3, 4)])
        ml.insert(1, lib.Linear(4, 5))
        ml.append(lib.Linear(5, 6))
        del ml[0]
        ml[-1] = lib.Linear(6, 7)
        del ml[1:2]
        ml += [lib.Linear(7, 8)]
    assert widths(ours) == [m.in_features for m in theirs]
    assert [n for n, _ in ours.named_parameters()] == torch_names(theirs)
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]


def test_module_dict_edits_match_pytorch():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.ModuleDict({"z": nn.Linear(1, 2)}), torch.nn.ModuleDict({"z": torch.nn.Linear(1, 2)})
    for lib, md in ((nn, ours), (torch.nn, theirs)):
        md.update([("y", lib.Linear(2, 3)), ("a", lib.Linear(3, 4))])
        md["z"] = lib.Linear(4, 5)
        md.pop("y")
        md["m"] = lib.Linear(5, 6)
    assert list(ours) == list(theirs)
    assert [n for n, _ in ours.named_parameters()] == torch_names(theirs)
