"""Regressions for problems a review of nn found: lost state, unchecked inputs, surprising side effects."""
import os
import zipfile

import numpy as np
import pytest

import nn
from nn.data import Standardize


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


@pytest.mark.parametrize("reg", [float("nan"), -5.0, float("inf"), True])
def test_fit_refuses_a_bad_regularization_strength(reg):
    X, y = nn.data.spiral(10, 3, seed=0)
    m = nn.MLP(2, [4, 3], rng=0)
    with pytest.raises(ValueError, match="reg"):
        nn.fit(m, X, y, optimizer=nn.optim.SGD(m.parameters(), 0.1), reg=reg, epochs=1, progress=False)


def test_fit_refuses_an_optimizer_of_another_model_and_restores_modes():
    X, y = nn.data.spiral(10, 3, seed=0)
    m, other = nn.MLP(2, [4, 3], dropout=0.5, rng=0), nn.MLP(2, [4, 3], rng=1)
    with pytest.raises(ValueError, match="none of this model's parameters"):
        nn.fit(m, X, y, optimizer=nn.optim.SGD(other.parameters(), 0.1), epochs=1, progress=False)
    m.eval()
    nn.fit(m, X, y, optimizer=nn.optim.SGD(m.parameters(), 0.1), epochs=1, progress=False)
    assert not m.training and not m.dropout.training


def test_prelu_slopes_take_the_mlp_dtype():
    m = nn.MLP(3, [4, 2], activation="prelu", dtype=np.float32)
    assert {p.dtype for p in m.parameters()} == {np.dtype(np.float32)}
    assert m(np.ones((2, 3))).dtype == np.float32


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


def test_nan_std_is_refused_by_init():
    with pytest.raises(ValueError, match="finite"):
        nn.init.normal((2, 2), std=float("nan"))


def test_diagnostics_need_a_batch():
    m = nn.MLP(4, [3, 2], rng=0)
    with pytest.raises(ValueError, match="2-D batch"):
        nn.diagnostics.dead_relu_fraction(m, np.ones(4))


def test_standardize_scales_tiny_features_and_refuses_nan():
    X = np.random.default_rng(0).standard_normal((50, 2)) * np.array([1.0, 1e-17])
    Z = Standardize().fit_transform(X)
    np.testing.assert_allclose(Z.std(axis=0), [1.0, 1.0])
    with pytest.raises(ValueError, match="non-finite"):
        Standardize().fit(np.array([[1.0], [np.nan]]))
