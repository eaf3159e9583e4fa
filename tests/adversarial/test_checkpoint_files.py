"""Trying to break load_checkpoint with hostile files: truncated, foreign, another model's, extra entries, JSON bombs
(too long, too deep, too wide a number), forged tags and array names, huge declared arrays.

Every test states what must happen: a ValueError (KeyError for model keys) naming the file, before any memory is
spent on the file (tracemalloc's peak, which counts numpy's arrays) and with nothing changed: the model's weights,
the optimizer's and scheduler's state, the loader's and the generators'.
"""
import io
import json
import tracemalloc
import zipfile

import numpy as np
import pytest

import autograd as ag
import nn
from nn import F, optim

TEXT = "__checkpoint__.npy"
MiB = 1 << 20


@pytest.fixture(autouse=True)
def _keep_global_rng():
    state = ag.get_rng_state()
    yield
    ag.set_rng_state(state)


def build(seed):
    model = nn.MLP(2, [4, 3], dropout=0.5, rng=seed)                  # dropout with a generator of its own
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    return model, opt, optim.StepLR(opt, 2), nn.data.DataLoader(
        nn.data.TensorDataset(*nn.data.blobs(12, seed=0)), batch_size=5, shuffle=True, rng=seed + 1)


def train(run):
    model, opt, sched, loader = run
    for Xb, yb in loader:
        opt.zero_grad()
        F.cross_entropy(model(Xb), yb).backward()
        opt.step()
    sched.step()
    return run


@pytest.fixture
def good(tmp_path):
    """The members of a genuine checkpoint (name -> bytes), after one epoch of training."""
    model, opt, sched, loader = train(build(0))
    path = tmp_path / "good.npz"
    nn.save_checkpoint(path, model=model, optimizer=opt, scheduler=sched, loader=loader, epoch=1,
                       history=np.arange(4.0))
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def npy(arr, **kw):
    b = io.BytesIO()
    np.save(b, arr, **kw)
    return b.getvalue()


def write(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def manifest(members):
    return json.loads(np.load(io.BytesIO(members[TEXT])).tobytes())


def with_text(members, text):
    """The members with the JSON text replaced (a dict is dumped; bytes are used as they are)."""
    data = text if isinstance(text, bytes) else json.dumps(text).encode()
    return {**members, TEXT: npy(np.frombuffer(data, np.uint8))}


def snapshot(run):
    model, opt, sched, loader = run
    o = opt.state_dict()
    return ([v.copy() for v in model.state_dict().values()], o["param_groups"],
            {k: {b: np.array(v) for b, v in s.items()} for k, s in o["state"].items()}, sched.state_dict(),
            str(loader.state_dict()), model.dropout.rng.bit_generator.state, ag.get_rng_state())


def same(a, b):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b


def refused(path, error, kind=ValueError):
    """load_checkpoint into trained objects raises `kind` matching `error` and naming `path`; changes nothing;
    returns tracemalloc's peak during the load."""
    run = train(build(5))
    ag.manual_seed(9)
    before = snapshot(run)
    tracemalloc.start()
    try:
        with pytest.raises(kind, match=error) as e:
            nn.load_checkpoint(path, *run)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(path) in str(e.value)
    assert same(before, snapshot(run))
    return peak


def test_the_genuine_file_loads(tmp_path, good):
    run = build(5)
    extra = nn.load_checkpoint(write(tmp_path / "c.npz", good), *run)
    assert extra["epoch"] == 1 and np.array_equal(extra["history"], np.arange(4.0))


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.99])
def test_a_truncated_file_is_refused(tmp_path, good, keep):
    data = write(tmp_path / "c.npz", good).read_bytes()
    path = tmp_path / "cut.npz"
    path.write_bytes(data[:int(len(data) * keep)])
    refused(path, "not a readable graphgrad .npz file")


def test_a_truncated_entry_is_refused(tmp_path, good):
    name = next(n for n in good if n.startswith("__checkpoint__.optimizer"))
    refused(write(tmp_path / "c.npz", {**good, name: good[name][:-8]}), f"entry '{name[:-4]}' is truncated")


def test_foreign_and_plain_files_are_refused(tmp_path):
    np.savez(tmp_path / "foreign.npz", a=np.arange(3))
    refused(tmp_path / "foreign.npz", "not one saved by graphgrad")
    nn.save(build(0)[0], tmp_path / "weights.npz")
    refused(tmp_path / "weights.npz", r"not a checkpoint .*load it with nn.load\(path, model\)")


def test_another_models_checkpoint_is_refused(tmp_path):
    model = nn.MLP(2, [5, 3], dropout=0.5, rng=0)
    nn.save_checkpoint(tmp_path / "c.npz", model=model)
    refused(tmp_path / "c.npz", r"'layers.0.W' has shape \(2, 5\) in the file but the parameter has shape \(2, 4\)")
    nn.save_checkpoint(tmp_path / "d.npz", model=nn.Sequential(nn.Linear(2, 4, rng=0)))
    refused(tmp_path / "d.npz", r"missing keys \['layers.0.W'.*unexpected keys \['0.W', '0.b'\]", KeyError)


def test_an_extra_entry_is_refused_by_strict_loading(tmp_path, good):
    path = write(tmp_path / "c.npz", {**good, "sneaky.npy": npy(np.zeros(3))})
    refused(path, r"unexpected keys \['sneaky'\]; pass strict=False", KeyError)
    run = build(5)
    assert nn.load_checkpoint(path, *run, strict=False)["epoch"] == 1


def test_an_entry_the_json_does_not_name_is_refused(tmp_path, good):
    path = write(tmp_path / "c.npz", {**good, "__checkpoint__.extra.99.npy": npy(np.zeros(3))})
    refused(path, r"holds entries \['__checkpoint__.extra.99'\] that its JSON text does not name")


def test_a_json_bomb_is_refused_before_it_is_read(tmp_path, good):
    """A text entry declaring 64 MiB (deflated to ~64 KB) is refused from its header: nothing is inflated."""
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in good.items():
            if name != TEXT:
                z.writestr(name, data)
        with z.open(TEXT, "w") as f:
            header = io.BytesIO()
            np.lib.format.write_array_header_1_0(header, {"descr": "|u1", "fortran_order": False,
                                                          "shape": (64 * MiB,)})
            f.write(header.getvalue())
            for _ in range(64):
                f.write(b"[" * MiB)
    assert path.stat().st_size < 2 * MiB
    assert refused(path, r"declares shape \(67108864,\) of uint8; .* at most 4194304 bytes") < MiB


TEXTS = {   # (change to the genuine JSON text, error)
    "deep nesting": (lambda m: b"[" * 200_000 + b"]" * 200_000, "JSON text is malformed: RecursionError"),
    "deep in the data": (lambda m: {**m, "extra": {"dict": [["x", json.loads("[" * 70 + "]" * 70)]]}},
                         r"extra\['x'\]\[0\]\[0\].* nested more than 64 levels deep"),
    "not utf-8": (lambda m: b'{"format": "\xff"}', "malformed: UnicodeDecodeError"),
    "not json": (lambda m: b"{'format': 1}", "malformed: JSONDecodeError"),
    "a huge number": (lambda m: b"[" + b"9" * 5000 + b"]", "malformed: ValueError: Exceeds the limit"),
    "duplicate key": (lambda m: json.dumps(m)[:-1].encode() + b', "extra": {"dict": []}}', "repeats a key"),
    "a list": (lambda m: [m], "not a graphgrad checkpoint's"),
    "other format": (lambda m: {**m, "format": "torch"}, "not a graphgrad checkpoint's"),
    "newer version": (lambda m: {**m, "version": 2}, "checkpoint format version 2; this graphgrad reads 1..1"),
    "missing rng": (lambda m: {k: v for k, v in m.items() if k != "rng"}, r"lacks \['rng'\]"),
    "unknown section": (lambda m: {**m, "code": "import os"}, r"unknown keys \['code'\]"),
    "bad section": (lambda m: {**m, "optimizer": {"class": 1, "state": None}}, r"malformed sections \['optimizer'\]"),
    "a tag no checkpoint writes": (lambda m: {**m, "extra": {"dict": [["x", {"set": [1]}]]}},
                                   r"extra\['x'\] holds \{'set': \[1\]\}, which no checkpoint writes"),
    "two tags": (lambda m: {**m, "extra": {"dict": [], "tuple": []}}, "extra holds .* which no checkpoint writes"),
    "a bool key": (lambda m: {**m, "extra": {"dict": [[True, 1]]}}, "with a str or int key"),
    "a repeated key": (lambda m: {**m, "extra": {"dict": [["a", 1], ["a", 2]]}}, r"extra repeats the key 'a'"),
    "extras not a dict": (lambda m: {**m, "extra": [dict(m["extra"]["dict"])["history"]]},
                          r"its extras are \[<array __checkpoint__.extra.\d+>\], not a dict"),
    "a missing array": (lambda m: {**m, "extra": {"dict": [["x", {"array": "__checkpoint__.extra.77"}]]}},
                        r"extra\['x'\] names the array '__checkpoint__.extra.77', which the file does not hold"),
    "a model array": (lambda m: {**m, "extra": {"dict": [["x", {"array": "layers.0.W"}]]}},
                      "names the array 'layers.0.W', which the file does not hold"),
    "an array named twice": (lambda m: _extra(m, "again", {"array": _extra_array(m)}), "already named at extra"),
    "an array as a scalar": (lambda m: {**m, "extra": {"dict": [[k, {"scalar": v["array"]} if k == "history" else v]
                                                                for k, v in m["extra"]["dict"]]}},
                             r"is a numpy scalar but its entry declares shape \(4,\)"),
    "a bad rng state": (lambda m: {**m, "rng": {"dict": [["bit_generator", "PCG64"], ["state", "x"]]}},
                        "the global generator: the saved generator state"),
    "a dropout rng of another kind": (lambda m: {**m, "generators": {"dict": [["dropout", {"dict": [
        ["bit_generator", "MT19937"]]}]]}}, r"the generator of module 'dropout'"),
    "no dropout rng": (lambda m: {**m, "generators": {"dict": []}}, r"generators of modules \[\] but this MLP"),
    "a negative lr": (lambda m: _optimizer(m, "lr", -1.0), "lr must be a finite number >= 0, got -1.0"),
    "a nan step size": (lambda m: {**m, "scheduler": {**m["scheduler"], "state": {"dict": [
        [k, float("nan") if k == "gamma" else v] for k, v in m["scheduler"]["state"]["dict"]]}}},
        "gamma must be a finite number >= 0, got nan"),
    "another loader": (lambda m: {**m, "loader": {**m["loader"], "state": {"dict": [
        [k, 6 if k == "batch_size" else v] for k, v in m["loader"]["state"]["dict"]]}}},
        "the saved loader has batch_size=6 but this one has 5"),
}


def _extra(m, key, value):
    return {**m, "extra": {"dict": m["extra"]["dict"] + [[key, value]]}}


def _extra_array(m):
    return dict(m["extra"]["dict"])["history"]["array"]


def _optimizer(m, key, value):
    """The manifest with the first param group's hyperparameter `key` set to `value`."""
    state = dict(m["optimizer"]["state"]["dict"])
    group = dict(state["param_groups"][0]["dict"])
    group[key] = value
    state["param_groups"] = [{"dict": [list(kv) for kv in group.items()]}]
    return {**m, "optimizer": {**m["optimizer"], "state": {"dict": [list(kv) for kv in state.items()]}}}


@pytest.mark.parametrize("change, error", TEXTS.values(), ids=TEXTS.keys())
def test_a_forged_json_text_is_refused_and_changes_nothing(tmp_path, good, change, error):
    refused(write(tmp_path / "c.npz", with_text(good, change(manifest(good)))), error)


def test_the_text_entry_must_be_bytes(tmp_path, good):
    text = np.frombuffer(good[TEXT][128:], np.uint8)               # (the .npy header is 128 bytes)
    refused(write(tmp_path / "c.npz", {**good, TEXT: npy(text.astype(np.float32))}), "of float32; a checkpoint's")
    refused(write(tmp_path / "c.npz", {**good, TEXT: npy(np.stack([text, text]))}), "1-d uint8 array")


def _buffer_entry(members, index=0, buffer="momentum_buffer"):
    state = dict(dict(manifest(members)["optimizer"]["state"]["dict"])["state"]["dict"])
    return dict(state[index]["dict"])[buffer]["array"] + ".npy"


def test_an_optimizer_buffer_declaring_a_huge_shape_is_refused_before_allocation(tmp_path, good):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (2 ** 37,)})
    path = write(tmp_path / "c.npz", {**good, _buffer_entry(good): header.getvalue()})
    assert refused(path, r"\['state'\]\[0\]\['momentum_buffer'\] declares shape \(137438953472,\) and dtype "
                         r"float64 but parameter 0 has shape \(2, 4\)") < MiB


def test_an_optimizer_buffer_of_another_dtype_is_refused(tmp_path, good):
    name = _buffer_entry(good)
    arr = np.load(io.BytesIO(good[name]))
    refused(write(tmp_path / "c.npz", {**good, name: npy(arr.astype(np.float32))}), "dtype float32 but parameter 0")


def test_an_array_in_the_optimizers_groups_is_refused(tmp_path, good):
    name = "__checkpoint__.optimizer.99"
    path = write(tmp_path / "c.npz", {**with_text(good, _optimizer(manifest(good), "lr", {"array": name})),
                                      name + ".npy": npy(np.zeros((1000, 1000)))})
    assert refused(path, r"optimizer\['param_groups'\]\[0\]\['lr'\] is an array that belongs to no parameter") < MiB


def test_extras_over_max_bytes_are_refused_before_allocation(tmp_path, good):
    name = _extra_array(manifest(good)) + ".npy"
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (2 ** 30,)})
    path = write(tmp_path / "c.npz", {**good, name: header.getvalue()})
    assert refused(path, r"extra\['history'\] declares shape \(1073741824,\) of float64.*over max_bytes=") < MiB
    with pytest.raises(ValueError, match="over max_bytes=16"):
        nn.load_checkpoint(write(tmp_path / "d.npz", good), *build(5), max_bytes=16)
    assert nn.load_checkpoint(tmp_path / "d.npz", *build(5), max_bytes=None)["epoch"] == 1


def test_a_pickle_in_an_extra_is_refused(tmp_path, good):
    name = _extra_array(manifest(good)) + ".npy"
    path = write(tmp_path / "c.npz", {**good, name: npy(np.array([print, "x"], dtype=object), allow_pickle=True)})
    refused(path, "holds pickled Python objects")
