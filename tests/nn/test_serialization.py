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
