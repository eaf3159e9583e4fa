"""Trying to break loading: zip bombs, huge declared shapes, truncated, padded, duplicated and pickled entries.

Every test states what must happen: the right data, or a ValueError naming the file and the entry; never a
MemoryError from numpy, and never memory spent on a file before it is rejected (tracemalloc's peak, which
counts numpy's arrays, is the measure: deterministic, unlike timings or RSS).
"""
import io
import re
import struct
import tracemalloc
import warnings
import zipfile

import numpy as np
import pytest

import nn

MARKER = "__graphgrad_state_dict__.npy"
MiB = 1 << 20


# --- building hostile files ---------------------------------------------------------------------------
def npy_header(shape, descr="<f8", fortran=False):
    """The bytes of a .npy 1.0 header declaring `shape` and `descr`, whatever they are."""
    b = io.BytesIO()
    np.lib.format.write_array_header_1_0(b, {"descr": descr, "fortran_order": fortran, "shape": shape})
    return b.getvalue()


def npy(arr):
    b = io.BytesIO()
    np.save(b, arr, allow_pickle=True)
    return b.getvalue()


def write_zip(path, entries, compression=zipfile.ZIP_STORED):
    """A zip of (member name, bytes) entries, duplicates allowed, after the graphgrad marker."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)                   # zipfile warns on a duplicate name
        with zipfile.ZipFile(path, "w", compression) as z:
            for name, data in [(MARKER, npy(np.array(1)))] + list(entries):
                z.writestr(name, data)
    return path


def write_bomb(path, shapes, zeros_bytes):
    """Deflated entries {name: declared shape}, each holding `zeros_bytes` of zeros (~1/1000 of that on disk)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(MARKER, npy(np.array(1)))
        for name, shape in shapes.items():
            with z.open(name + ".npy", "w", force_zip64=True) as f:
                f.write(npy_header(shape))
                for _ in range(zeros_bytes // MiB):
                    f.write(bytes(MiB))
    return path


def peak_bytes(fn):
    """(result or raised exception, tracemalloc's peak of bytes allocated while fn ran): numpy reports its arrays."""
    tracemalloc.start()
    try:
        try:
            out = fn()
        except Exception as e:                                        # noqa: BLE001 - the caller checks it
            out = e
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


MODEL_NAMES = ["layers.0.W", "layers.0.b", "layers.1.W", "layers.1.b"]   # of nn.MLP(3, [4, 2])
BOMB = 64 * MiB                                                      # per entry; the file is ~260 KB


# --- hostile files, loaded into a model -------------------------------------------------------------
def test_zip_bomb_with_foreign_names_is_refused_before_inflating(tmp_path):
    path = write_bomb(tmp_path / "bomb.npz", dict.fromkeys(["a", "b"], (BOMB // 8,)), BOMB)
    err, peak = peak_bytes(lambda: nn.load(path, nn.MLP(3, [4, 2])))
    assert isinstance(err, KeyError) and "missing keys ['layers.0.W'" in str(err)
    assert "unexpected keys ['a', 'b']" in str(err)
    assert peak < MiB                                               # 128 MiB of zeros were never inflated


def test_zip_bomb_with_the_model_names_but_wrong_shapes_is_refused_from_headers(tmp_path):
    path = write_bomb(tmp_path / "bomb.npz", dict.fromkeys(MODEL_NAMES, (BOMB // 8,)), BOMB)
    err, peak = peak_bytes(lambda: nn.load(path, nn.MLP(3, [4, 2])))
    assert isinstance(err, ValueError) and "'layers.0.W' has shape (8388608,) in the file" in str(err)
    assert peak < MiB


def test_entry_holding_more_bytes_than_its_header_declares_is_refused(tmp_path):
    path = write_bomb(tmp_path / "bomb.npz", {"W": (2, 2), "b": (2,)}, BOMB)   # right headers, then 64 MiB
    err, peak = peak_bytes(lambda: nn.load(path, nn.Linear(2, 2)))
    assert isinstance(err, ValueError) and "entry 'W' holds more bytes than its header declares" in str(err)
    assert peak < 3 * MiB                                           # one bounded read of 1 MiB, no more


def test_strict_false_never_reads_entries_the_model_lacks(tmp_path):
    path = write_bomb(tmp_path / "extra.npz", {"junk": (BOMB // 8,)}, BOMB)
    with zipfile.ZipFile(path, "a") as z:                            # plus the model's two real entries
        z.writestr("W.npy", npy(np.eye(2)))
        z.writestr("b.npy", npy(np.ones(2)))
    model, peak = peak_bytes(lambda: nn.load(path, nn.Linear(2, 2), strict=False))
    np.testing.assert_array_equal(model.W.data, np.eye(2))
    assert peak < MiB


@pytest.mark.parametrize("shape, message", [
    ((10**12,), r"has shape \(1000000000000,\) in the file but the parameter has shape \(2, 2\)"),
    ((-1, 2), r"declares shape \(-1, 2\) of float64, which no array can have"),
    ((2**40, 2**40), r"more than any machine can address"),
])
def test_huge_or_impossible_declared_shapes_with_a_model(tmp_path, shape, message):
    path = write_zip(tmp_path / "huge.npz", [("W.npy", npy_header(shape) + bytes(32)), ("b.npy", npy(np.zeros(2)))])
    err, peak = peak_bytes(lambda: nn.load(path, nn.Linear(2, 2)))
    assert isinstance(err, ValueError) and "huge.npz" in str(err)
    assert re.search(message, str(err)), str(err)
    assert peak < MiB


# --- hostile files, loaded without a model ----------------------------------------------------------
def test_without_a_model_max_bytes_bounds_what_a_file_may_declare(tmp_path):
    path = write_bomb(tmp_path / "bomb.npz", dict.fromkeys(["a", "b"], (BOMB // 8,)), BOMB)
    err, peak = peak_bytes(lambda: nn.load(path, max_bytes=BOMB + 1))
    assert isinstance(err, ValueError) and peak < MiB
    for part in ("bomb.npz", "entry 'b'", "shape (8388608,)", "float64", "max_bytes="):
        assert part in str(err)
    arrays = nn.load(path, max_bytes=2 * BOMB)                        # a file one trusts: zeros, as written
    assert arrays["a"].shape == (BOMB // 8,) and not arrays["a"].any() and not arrays["b"].any()


@pytest.mark.parametrize("limit", [{}, {"max_bytes": None}], ids=["default", "no-limit"])
def test_tiny_file_declaring_a_huge_shape_is_a_clear_error(tmp_path, limit):
    """8 TB declared: over the default max_bytes; with no limit, a clear MemoryError (or truncation)."""
    path = write_zip(tmp_path / "tiny.npz", [("W.npy", npy_header((10**12,)) + bytes(64))])
    with pytest.raises((ValueError, MemoryError), match=r"tiny.npz'.*entry 'W'.*\(1000000000000,\)") as e:
        nn.load(path, **limit)
    if not limit:
        assert e.type is ValueError and "max_bytes=2147483648" in str(e.value)


_FOREIGN = {                                            # file bytes or zip entries -> what the error says
    "empty": (b"", "File is not a zip file"),
    "text": (b"hello, not an archive", "File is not a zip file"),
    "npy": (npy(np.arange(3)), "a single .npy array, not named arrays"),
    "duplicate": ([("W.npy", npy(np.eye(2))), ("W.npy", npy(np.ones((2, 2))))], "entry 'W.npy' appears twice"),
    "pickle": ([("W.npy", npy(np.array([{"a": 1}], dtype=object)))], "pickled Python objects"),
    "pickle-in-struct": ([("W.npy", npy_header((1,), [("a", "|O")]) + bytes(8))], "pickled Python objects"),
    "not-npy": ([("W.npy", npy(np.eye(2))), ("notes.txt", b"hi")], "entry 'notes.txt' is not a .npy array"),
    "folder-entry": ([("dir/", b"")], "entry 'dir/' is not a .npy array"),
    "bad-header": ([("W.npy", b"\x93NUMPY\x01\x00\x06\x00{'a':1")], "entry 'W' has a bad .npy header"),
    "huge-header": ([("W.npy", b"\x93NUMPY\x02\x00" + (2**31).to_bytes(4, "little"))], "2147483648-byte .npy header"),
    "npy-3.0": ([("W.npy", b"\x93NUMPY\x03\x00" + npy(np.eye(2))[8:])], r"is .npy format \(3, 0\); graphgrad"),
    "truncated-entry": ([("W.npy", npy(np.eye(2))[:-8])], r"entry 'W' is truncated: .* \(32 bytes\) but it holds 24"),
    "in-header": ([("W.npy", npy(np.eye(2))[:20])], "entry 'W' is truncated: it ends inside the .npy header"),
    "padded": ([("W.npy", npy(np.eye(2)) + b"\0")], "entry 'W' holds more bytes than its header declares"),
}


@pytest.mark.parametrize("case", sorted(_FOREIGN))
def test_foreign_and_damaged_files_are_refused_by_name(tmp_path, case):
    content, message = _FOREIGN[case]
    path = tmp_path / f"{case}.npz"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        write_zip(path, content)
    for load in (lambda: nn.load(path), lambda: nn.load(path, nn.Linear(2, 2), strict=False)):
        with pytest.raises(ValueError, match=f"'.*{case}.npz' is not a readable graphgrad .npz file .*{message}"):
            load()


def test_bzip2_entries_are_refused_before_inflating(tmp_path):
    path = tmp_path / "bz.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as z:       # bzip2 inflates without a bound in zipfile
        z.writestr(MARKER, npy(np.array(1)))
        z.writestr("W.npy", npy(np.eye(2)))
    with pytest.raises(ValueError, match="bz.npz' is not a readable .*compression method 12"):
        nn.load(path)


def test_flipped_byte_fails_the_crc_check(tmp_path):
    path = tmp_path / "m.npz"
    nn.Linear(4, 4, rng=0).save(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        w = z.getinfo("W.npy")
    name_len, extra_len = struct.unpack("<HH", data[w.header_offset + 26:w.header_offset + 30])
    data[w.header_offset + 30 + name_len + extra_len + w.file_size - 1] ^= 0xFF   # W's last stored byte
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="m.npz' is not a readable .*Bad CRC-32"):
        nn.load(path)


@pytest.mark.parametrize("cut", [0, 1, 4, 30, 100, 0.25, 0.5, 0.9, -22, -1])
def test_truncated_at_any_point_is_a_clear_error(tmp_path, cut):
    path = tmp_path / "cut.npz"
    nn.MLP(3, [4, 2], rng=0).save(path)
    data = path.read_bytes()
    n = int(len(data) * cut) if isinstance(cut, float) else cut % len(data)
    path.write_bytes(data[:n])
    for load in (lambda: nn.load(path), lambda: nn.load(path, nn.MLP(3, [4, 2]))):
        with pytest.raises(ValueError, match="cut.npz' is not a readable graphgrad .npz file"):
            load()


def test_valid_file_costs_only_its_arrays(tmp_path):
    path = tmp_path / "big.npz"
    nn.MLP(100, [1000, 10], rng=0).save(path)
    model = nn.MLP(100, [1000, 10], rng=1)
    size = sum(a.nbytes for a in model.state_dict().values())
    loaded, peak = peak_bytes(lambda: nn.load(path, model))
    np.testing.assert_array_equal(loaded.layers[0].W.data, nn.MLP(100, [1000, 10], rng=0).layers[0].W.data)
    assert peak < size + 2 * MiB                                    # its arrays, plus one bounded read
