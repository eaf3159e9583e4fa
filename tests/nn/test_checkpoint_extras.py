"""What a checkpoint holds besides the run: extras round-trip exactly (types included), anything else is refused
naming the key and type, the JSON text is capped, an existing file is kept unless overwrite=True."""
import os

import numpy as np
import pytest

import autograd as ag
import nn
from nn import optim

EXTRAS = {
    "epoch": 3, "big": 2 ** 100, "neg": -7, "flag": True, "none": None, "lr": 0.1, "zero": -0.0,
    "specials": [float("nan"), float("inf"), -float("inf")], "text": "naïve ∂ \ud800", "empty": [],
    "nested": {"a": [1, {"b": (2.5, "c")}], 7: "int key", "": {}},
    "tuple": (1, (2, [3])), "f32": np.float32(0.1), "i8": np.int8(-3), "b": np.bool_(True), "u": np.str_("x"),
    "arrays": [np.arange(6, dtype=np.int16).reshape(2, 3), np.array([1.5, np.nan], dtype=np.float32),
               np.zeros((0, 4)), np.array("s"), np.array([True, False]), np.asfortranarray(np.eye(3)[:, :2]),
               np.array([1 + 2j])],
}


def _equal(a, b):
    """Exact equality, types included (nan equal to nan, -0.0 not equal to 0.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, (float, np.floating)):
        return np.array_equal(a, b, equal_nan=True) and np.signbit(a) == np.signbit(b)
    return a == b


def test_extras_round_trip_exactly(tmp_path):
    model = nn.MLP(2, [3], rng=0)
    nn.save_checkpoint(tmp_path / "c.npz", model=model, **EXTRAS)
    back = nn.load_checkpoint(tmp_path / "c.npz", nn.MLP(2, [3], rng=1))
    assert list(back) == list(EXTRAS)
    for key, value in EXTRAS.items():
        assert _equal(back[key], value), key
    assert not _equal([0.0], [-0.0]) and not _equal((1,), [1]) and not _equal(np.float32(1), np.float64(1))


class Point:
    pass


REFUSED = {
    "set": ({1, 2}, "'s'] is a builtins.set", "sorted(s)"),
    "tensor": (ag.ones(2), "Tensor", "t.numpy()"),
    "value": (ag.Value(1.0), "Value", "v.data"),
    "complex": (1j, "complex", "np.complex128"),
    "object array": (np.array([None, 1]), "array of Python objects", "pickle"),
    "object": (Point(), "Point", "a checkpoint holds"),
    "function": (len, "builtin_function_or_method", "a checkpoint holds"),
    "float key": ({1.5: 0}, "the key 1.5 of type float", "str or int"),
    "bool key": ({True: 0}, "the key True of type bool", "str or int"),
    "nested": ([1, {"k": [set()]}], "'s'][1]['k'][0] is a builtins.set", "sorted(s)"),
    "masked array": (np.ma.array([1, 2]), "MaskedArray", "np.asarray(a)"),
    "int subclass": (type("Epoch", (int,), {})(3), "Epoch", "int(x)"),
}


@pytest.mark.parametrize("value, names, hint", REFUSED.values(), ids=REFUSED.keys())
def test_other_extras_are_refused_naming_the_key_and_type(tmp_path, value, names, hint):
    with pytest.raises((TypeError, ValueError)) as e:
        nn.save_checkpoint(tmp_path / "c.npz", model=nn.MLP(2, [3], rng=0), s=value)
    assert "extra['s']" in str(e.value) and names in str(e.value) and hint in str(e.value)
    assert not os.path.exists(tmp_path / "c.npz")


def test_a_self_containing_list_is_refused(tmp_path):
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match=r"extra\['loop'\]\[0\]\[0\].* nested more than 64 levels"):
        nn.save_checkpoint(tmp_path / "c.npz", model=nn.MLP(2, [3], rng=0), loop=loop)


def test_a_json_text_over_the_cap_is_refused_at_saving(tmp_path):
    with pytest.raises(ValueError, match=r"JSON text would take \d+ bytes.*np.array\(losses\)"):
        nn.save_checkpoint(tmp_path / "c.npz", model=nn.MLP(2, [3], rng=0), losses=[0.1] * 1_200_000)
    nn.save_checkpoint(tmp_path / "c.npz", model=nn.MLP(2, [3], rng=0), losses=np.full(1_200_000, 0.1))
    assert nn.load_checkpoint(tmp_path / "c.npz", nn.MLP(2, [3]))["losses"].shape == (1_200_000,)


def test_an_existing_file_is_kept_unless_overwrite(tmp_path):
    path = tmp_path / "c.npz"
    path.write_bytes(b"precious")
    with pytest.raises(FileExistsError, match="save_checkpoint: .* already exists; pass overwrite=True"):
        nn.save_checkpoint(path, model=nn.MLP(2, [3], rng=0))
    assert path.read_bytes() == b"precious" and os.listdir(tmp_path) == ["c.npz"]     # no temporary file left
    nn.save_checkpoint(path, model=nn.MLP(2, [3], rng=0), overwrite=True, n=1)
    assert nn.load_checkpoint(path, nn.MLP(2, [3])) == {"n": 1}


def test_arguments_of_the_wrong_kind_are_named(tmp_path):
    model = nn.MLP(2, [3], rng=0)
    for kwargs, msg in [({"model": model.state_dict()}, "model must be an nn.Module, got dict"),
                        ({"model": model, "optimizer": model}, "optimizer must be an nn.optim.optimizer.Optimizer"),
                        ({"model": model, "loader": []}, "loader must be an nn.data.datasets.DataLoader, got list")]:
        with pytest.raises(TypeError, match=msg):
            nn.save_checkpoint(tmp_path / "c.npz", **kwargs)
    nn.save_checkpoint(tmp_path / "c.npz", model=model)
    with pytest.raises(ValueError, match="holds no optimizer state"):
        nn.load_checkpoint(tmp_path / "c.npz", model, optim.SGD(model.parameters(), lr=0.1))
