"""model.save / nn.load: .npz round trips, overwrite protection, refusal of truncated, foreign and pickled files."""
import os
import zipfile

import numpy as np
import pytest

import nn


def test_round_trip_into_model_and_as_dict(tmp_path):
    path = tmp_path / "mlp.npz"
    a = nn.MLP(3, [4, 2], rng=0)
    a.save(path)
    b = nn.load(path, nn.MLP(3, [4, 2], rng=1))
    x = np.random.default_rng(0).standard_normal((5, 3))
    np.testing.assert_array_equal(a(x).data, b(x).data)
    sd = nn.load(path)
    assert list(sd) == ["layers.0.W", "layers.0.b", "layers.1.W", "layers.1.b"]
    with zipfile.ZipFile(path) as z:                     # plain named arrays, no pickle inside
        assert all(name.endswith(".npy") for name in z.namelist())


def test_tensor_file_loads_into_scalar_model(tmp_path):
    path = tmp_path / "w.npz"
    nn.MLP(2, [3, 1], rng=0).save(path)
    s = nn.load(path, nn.scalar.MLP(2, [3, 1], rng=9))
    np.testing.assert_array_equal(s.state_dict()["layers.1.W"], nn.load(path)["layers.1.W"])


def test_path_is_used_exactly(tmp_path):
    path = tmp_path / "weights.bin"                      # np.savez alone would write weights.bin.npz
    nn.save(nn.Linear(2, 2), path)
    assert os.listdir(tmp_path) == ["weights.bin"]
    assert set(nn.load(path)) == {"W", "b"}


def test_save_never_overwrites_without_asking(tmp_path):
    path = tmp_path / "m.npz"
    nn.Linear(2, 2, rng=0).save(path)
    first = path.read_bytes()
    with pytest.raises(FileExistsError, match="m.npz' already exists; pass overwrite=True"):
        nn.Linear(2, 2, rng=1).save(path)
    assert path.read_bytes() == first
    nn.Linear(2, 2, rng=1).save(path, overwrite=True)
    assert path.read_bytes() != first
    assert os.listdir(tmp_path) == ["m.npz"]             # no temporary file left behind


def test_truncated_file_names_the_path(tmp_path):
    path = tmp_path / "cut.npz"
    nn.MLP(3, [40, 2]).save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="cut.npz' is not a readable graphgrad .npz file"):
        nn.load(path)


@pytest.mark.parametrize("write", [
    lambda p: p.write_text("hello, not an archive"),
    lambda p: np.save(open(p, "wb"), np.arange(3)),                      # a single .npy array
], ids=["text", "npy"])
def test_foreign_files_name_the_path(tmp_path, write):
    path = tmp_path / "foreign.npz"
    write(path)
    with pytest.raises(ValueError, match="foreign.npz' is not a readable graphgrad .npz file"):
        nn.load(path)


def test_npz_from_elsewhere_is_refused(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, W=np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"other.npz' is an .npz file but not one saved by graphgrad .*\['W'\]"):
        nn.load(path)


def test_pickled_content_is_never_loaded(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, __graphgrad_state_dict__=np.array(1), W=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="evil.npz' is not a readable .*pickle"):
        nn.load(path)


def test_mismatched_model_error_names_path_and_key(tmp_path):
    path = tmp_path / "small.npz"
    nn.MLP(3, [4, 2]).save(path)
    with pytest.raises(ValueError, match=r"small.npz'.*'layers.0.W' has shape \(3, 4\) .* shape \(3, 5\)"):
        nn.load(path, nn.MLP(3, [5, 2]))
    with pytest.raises(KeyError, match=r"small.npz'.*missing keys \['layers.2.W', 'layers.2.b'\]"):
        nn.load(path, nn.MLP(3, [4, 2, 1]))


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "nope.npz")


def test_float32_round_trip_keeps_dtype(tmp_path):
    path = tmp_path / "f32.npz"
    a = nn.MLP(3, [4, 2], dtype=np.float32, rng=0)
    a.save(path)
    assert nn.load(path)["layers.0.W"].dtype == np.float32
    b = nn.load(path, nn.MLP(3, [4, 2], dtype=np.float32, rng=1))
    np.testing.assert_array_equal(a.layers[1].W.data, b.layers[1].W.data)
    with pytest.raises(ValueError, match="'layers.0.W' has dtype float32 .* dtype float64"):
        nn.load(path, nn.MLP(3, [4, 2]))


@pytest.mark.parametrize("arr", [
    np.float64(2.5), np.zeros((0, 3)), np.asfortranarray(np.arange(12.0).reshape(3, 4)),
    np.arange(6, dtype=">f8").reshape(2, 3), np.arange(5, dtype=np.int32), np.array([True, False]),
    np.array([1 + 2j, 3 - 4j]), np.arange(24, dtype=np.float32).reshape(2, 3, 4).transpose(2, 0, 1),
], ids=["scalar", "empty", "fortran", "big-endian", "int32", "bool", "complex", "transposed"])
def test_any_numeric_array_round_trips_exactly(tmp_path, arr):
    path = tmp_path / "a.npz"
    nn.save({"x": arr}, path)
    back = nn.load(path)["x"]
    assert back.shape == np.shape(arr) and back.dtype == np.asarray(arr).dtype
    np.testing.assert_array_equal(back, arr)


def test_strict_false_loads_the_common_keys_only(tmp_path):
    path = tmp_path / "m.npz"
    small = nn.MLP(3, [4, 2], rng=0)
    small.save(path)
    big = nn.MLP(3, [4, 2, 1], rng=1)
    last = big.layers[2].W.data.copy()
    nn.load(path, big, strict=False)                     # the file lacks layers.2.*
    np.testing.assert_array_equal(big.layers[1].W.data, small.layers[1].W.data)
    np.testing.assert_array_equal(big.layers[2].W.data, last)
    nn.MLP(3, [4, 2, 1], rng=2).save(path, overwrite=True)
    tiny = nn.load(path, nn.MLP(3, [4, 2], rng=3), strict=False)   # the file has more than the model
    np.testing.assert_array_equal(tiny.layers[0].W.data, nn.MLP(3, [4, 2, 1], rng=2).layers[0].W.data)


def test_max_bytes_bounds_the_arrays_a_file_may_declare(tmp_path):
    path = tmp_path / "m.npz"
    model = nn.MLP(3, [4, 2])
    model.save(path)
    total = sum(a.nbytes for a in model.state_dict().values())      # 26 float64 = 208 bytes
    assert set(nn.load(path, max_bytes=total)) == set(model.state_dict())
    with pytest.raises(ValueError, match=r"m.npz': entry 'layers.1.b' declares shape \(2,\) of float64, .* "
                                         r"over max_bytes=207; .* pass a larger max_bytes="):
        nn.load(path, max_bytes=total - 1)
    assert set(nn.load(path, max_bytes=None)) == set(model.state_dict())


def test_a_failed_overwrite_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    nn.Linear(2, 2, rng=0).save(path)
    first = path.read_bytes()

    def broken_savez(fh, **arrays):
        fh.write(b"PK half an archive")
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="No space left"):
        nn.Linear(2, 2, rng=1).save(path, overwrite=True)
    assert path.read_bytes() == first and os.listdir(tmp_path) == ["m.npz"]


def test_load_of_a_directory_or_unreadable_file_names_it(tmp_path):
    with pytest.raises(IsADirectoryError, match="load: '.*' is a directory, not a saved file"):
        nn.load(tmp_path)


def test_frozen_weights_are_saved_and_restored(tmp_path):
    m = nn.MLP(2, [3, 2], rng=0)
    m.layers[0].W.requires_grad = False
    assert "layers.0.W" not in dict(m.named_parameters())          # the optimizer leaves it alone ...
    assert "layers.0.W" in m.state_dict()                          # ... but the state keeps it
    m.save(tmp_path / "f.npz")
    m2 = nn.MLP(2, [3, 2], rng=5)
    m2.layers[0].W.requires_grad = False
    nn.load(tmp_path / "f.npz", m2)
    np.testing.assert_array_equal(m2.layers[0].W.data, m.layers[0].W.data)


def test_saved_files_get_an_ordinary_mode(tmp_path):
    m = nn.MLP(2, [2], rng=0)
    m.save(tmp_path / "m.npz")
    (tmp_path / "plain").write_bytes(b"x")
    assert os.stat(tmp_path / "m.npz").st_mode & 0o777 == os.stat(tmp_path / "plain").st_mode & 0o777


def test_damaged_or_foreign_files_get_the_clear_error(tmp_path):
    good = tmp_path / "good.npz"
    nn.save({"w": np.arange(1000.0)}, good)
    bad_marker = tmp_path / "marker.npz"
    np.savez(bad_marker, w=np.ones(2), __graphgrad_state_dict__=np.array([1, 2]))
    corrupt = tmp_path / "corrupt.npz"
    np.savez_compressed(corrupt, w=np.arange(1000.0), __graphgrad_state_dict__=np.array(1))
    raw = bytearray(corrupt.read_bytes())
    with zipfile.ZipFile(corrupt) as z:
        info = z.getinfo("w.npy")
    start = info.header_offset + 30 + len(info.filename) + 10
    raw[start:start + 40] = b"\x00" * 40                       # damage the compressed stream
    corrupt.write_bytes(bytes(raw))
    for path in (bad_marker, corrupt):
        with pytest.raises(ValueError, match=str(path.name)):
            nn.load(path)


@pytest.mark.parametrize("name", ["file", "allow_pickle"])
def test_names_that_clash_with_savez_arguments_are_refused(tmp_path, name):
    with pytest.raises(ValueError, match="reserved"):
        nn.save({name: np.ones(2)}, tmp_path / "a.npz")
