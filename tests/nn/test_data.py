"""Tests for nn.data: toy sets, digits loader, preprocessing transforms, batching and splitting."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn.data import (
    PCA, MeanCenter, Standardize, Whiten, batches, blobs, circles, load_digits, moons, spiral,
    train_test_split, xor,
)
from nn.data.digits import _PATH as DIGITS_PATH

# ---------------------------------------------------------------- toy sets

# (generator, kwargs, expected n, expected number of classes)
TOY = [
    (spiral, dict(n_per_class=50, classes=4), 200, 4),
    (spiral, dict(), 300, 3),
    (moons, dict(n=101), 101, 2),
    (circles, dict(n=60), 60, 2),
    (xor, dict(n=400), 400, 2),
    (blobs, dict(n=31, centers=5), 31, 5),
    (blobs, dict(n=40, centers=[[0, 0], [5, 5]]), 40, 2),
]
TOY_IDS = [f"{f.__name__}-{kw}" for f, kw, _, _ in TOY]


@pytest.mark.parametrize("fn, kwargs, n, k", TOY, ids=TOY_IDS)
def test_toy_shapes_dtypes_labels(fn, kwargs, n, k):
    X, y = fn(**kwargs, seed=0)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert np.isfinite(X).all()
    assert set(np.unique(y)) == set(range(k))
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1 or fn is xor          # balanced except xor (random)


@pytest.mark.parametrize("fn, kwargs, n, k", TOY, ids=TOY_IDS)
def test_toy_reproducible_and_seed_sensitive(fn, kwargs, n, k):
    X1, y1 = fn(**kwargs, seed=7)
    X2, y2 = fn(**kwargs, seed=7)
    X3, _ = fn(**kwargs, seed=8)
    X4, y4 = fn(**kwargs, seed=np.random.default_rng(7))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_array_equal(X1, X4)
    np.testing.assert_array_equal(y1, y4)
    assert not np.allclose(X1, X3)


def test_spiral_matches_cs231n_construction():
    N, K, seed = 100, 3, 3
    rng = np.random.default_rng(seed)
    X_ref, y_ref = np.zeros((N * K, 2)), np.zeros(N * K, dtype=np.int64)
    for j in range(K):  # the notes' loop, with np.random.randn replaced by the same Generator
        ix = range(N * j, N * (j + 1))
        r = np.linspace(0.0, 1, N)
        t = np.linspace(j * 4, (j + 1) * 4, N) + rng.standard_normal(N) * 0.2
        X_ref[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y_ref[ix] = j
    X, y = spiral(N, K, 0.2, seed=seed)
    np.testing.assert_allclose(X, X_ref, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(y, y_ref)


def test_spiral_radius_and_angle_structure():
    N, K = 40, 3
    X, y = spiral(N, K, noise=0.5, seed=1)
    # noise only jitters the angle: radius is linspace(0, 1, N) along every arm
    np.testing.assert_allclose(np.hypot(X[:, 0], X[:, 1]), np.tile(np.linspace(0, 1, N), K), atol=1e-12)
    X0, _ = spiral(N, K, noise=0.0, seed=1)
    theta = np.arctan2(X0[:, 0], X0[:, 1])                          # x = r sin t, y = r cos t
    for j in range(K):
        t = np.linspace(4 * j, 4 * j + 4, N)[1:]                      # angle undefined at r = 0
        got = theta[y == j][1:]
        np.testing.assert_allclose(np.angle(np.exp(1j * (got - t))), 0, atol=1e-9)


def test_moons_circles_xor_geometry_without_noise():
    X, y = moons(50, noise=0, seed=0)
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1)
    np.testing.assert_allclose(np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5), 1)
    assert (X[y == 0, 1] >= -1e-12).all() and (X[y == 1, 1] <= 0.5 + 1e-12).all()
    X, y = circles(50, noise=0, factor=0.3, seed=0)
    r = np.hypot(*X.T)
    np.testing.assert_allclose(r[y == 0], 1)
    np.testing.assert_allclose(r[y == 1], 0.3)
    X, y = xor(100, noise=0, seed=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(np.int64))
    assert np.abs(X).max() <= 1


def test_blobs_cluster_around_given_centers():
    C = np.array([[0.0, 0.0], [10.0, -5.0], [-3.0, 7.0]])
    X, y = blobs(3000, centers=C, std=0.5, seed=0)
    means = np.array([X[y == k].mean(axis=0) for k in range(3)])
    np.testing.assert_allclose(means, C, atol=0.1)
    np.testing.assert_allclose(X[y == 0].std(axis=0), 0.5, atol=0.05)


TOY_ERRORS = [
    (spiral, dict(n_per_class=0), "n_per_class.*0"),
    (spiral, dict(n_per_class=2.5), "n_per_class.*2.5"),
    (spiral, dict(classes=1), "classes.*1"),
    (spiral, dict(noise=-0.1), "noise.*-0.1"),
    (spiral, dict(noise=float("nan")), "noise.*nan"),
    (spiral, dict(seed="abc"), "seed.*abc"),
    (moons, dict(n=0), "n must.*0"),
    (moons, dict(n=-5), "n must.*-5"),
    (moons, dict(noise=-1), "noise.*-1"),
    (circles, dict(n=0), "n must.*0"),
    (circles, dict(noise=-0.5), "noise.*-0.5"),
    (circles, dict(factor=1.5), "factor.*1.5"),
    (circles, dict(factor=0), "factor.*0"),
    (xor, dict(n=0), "n must.*0"),
    (xor, dict(noise=-2), "noise.*-2"),
    (blobs, dict(n=0), "n must.*0"),
    (blobs, dict(centers=1), "centers.*1"),
    (blobs, dict(std=-1.0), "std.*-1.0"),
    (blobs, dict(n=2, centers=3), "n=2.*3"),
    (blobs, dict(centers=[[1, 2, 3]]), r"centers.*\(1, 3\)"),
]


@pytest.mark.parametrize(
    "fn, kwargs, match", TOY_ERRORS, ids=[f"{f.__name__}-{kw}" for f, kw, _ in TOY_ERRORS]
)
def test_toy_bad_arguments_raise_naming_value(fn, kwargs, match):
    with pytest.raises(ValueError, match=match) as info:
        fn(**kwargs)
    assert fn.__name__ in str(info.value)


# ---------------------------------------------------------------- digits

@pytest.fixture(scope="module")
def digits():
    return load_digits(return_split=False)


def test_digits_counts_and_values(digits):
    X, y = digits
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(10))
    assert X.min() == 0 and X.max() == 16
    np.testing.assert_array_equal(X, np.round(X))
    assert DIGITS_PATH.stat().st_size < 100_000


def _sorted_rows(A):
    return A[np.lexsort(A.T[::-1])]


def test_digits_split_sizes_cover_and_stratified(digits):
    X, y = digits
    X_tr, X_te, y_tr, y_te = load_digits(test_fraction=0.2, seed=0)
    assert len(X_tr) + len(X_te) == 1797 and len(y_tr) == len(X_tr) and len(y_te) == len(X_te)
    assert abs(len(X_te) - 0.2 * 1797) <= 10
    # the split is a partition: train + test rows (with labels) are exactly the full data, as multisets
    both = np.c_[np.r_[X_tr, X_te], np.r_[y_tr, y_te]]
    np.testing.assert_array_equal(_sorted_rows(both), _sorted_rows(np.c_[X, y]))
    # stratified: each class contributes round(0.2 * its count) to the test set
    np.testing.assert_array_equal(np.bincount(y_te, minlength=10), np.round(0.2 * np.bincount(y)))


def test_digits_split_reproducible_and_seed_sensitive():
    a, b, c = load_digits(seed=1), load_digits(seed=1), load_digits(seed=2)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[1], c[1])


def _corrupt_files(tmp_path):
    raw = DIGITS_PATH.read_bytes()
    with np.load(DIGITS_PATH) as f:
        images, labels = f["images"], f["labels"]
    files = {
        "truncated.npz": raw[: len(raw) // 2],
        "flipped.npz": raw[:2000] + bytes(b ^ 0xFF for b in raw[2000:2100]) + raw[2100:],
        "garbage.npz": b"this is not a zip file" * 10,
        "empty.npz": b"",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    np.savez(tmp_path / "wrongkeys.npz", x=images, y=labels)
    np.savez(tmp_path / "wrongshape.npz", images=images[:100], labels=labels[:100])
    np.savez(tmp_path / "wrongdtype.npz", images=images.astype(np.float64), labels=labels)
    altered = images.copy()
    altered[0, 0, 0] += 1
    np.savez(tmp_path / "altered.npz", images=altered, labels=labels)
    np.save(tmp_path / "plain.npy", images)
    return sorted(tmp_path.iterdir()) + [tmp_path / "missing.npz"]


def test_digits_bad_file_raises_naming_path(tmp_path):
    for path in _corrupt_files(tmp_path):
        with pytest.raises(OSError, match=re.escape(str(path))):
            load_digits(path=path)


# ---------------------------------------------------------------- preprocessing

def _correlated(seed, n=500, d=5):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)) @ rng.standard_normal((d, d)) + rng.uniform(-5, 5, d)


def test_mean_center_and_standardize_train_statistics():
    X_tr, X_te = _correlated(0), _correlated(1)
    Z = MeanCenter().fit_transform(X_tr)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    s = Standardize().fit(X_tr)
    Z = s.transform(X_tr)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1, atol=1e-12)
    # the test set uses the train statistics: no re-fit, so its mean is not exactly 0
    np.testing.assert_allclose(s.transform(X_te), (X_te - X_tr.mean(0)) / X_tr.std(0))
    assert np.abs(s.transform(X_te).mean(axis=0)).max() > 1e-3


def test_standardize_constant_feature_maps_to_zero(digits):
    X, _ = digits
    constant = X.std(axis=0) == 0
    assert constant.any()                                           # digits has always-blank pixels
    Z = Standardize().fit_transform(X)
    assert np.isfinite(Z).all()
    np.testing.assert_array_equal(Z[:, constant], 0)
    np.testing.assert_allclose(Z[:, ~constant].std(axis=0), 1, atol=1e-12)


@pytest.mark.parametrize("make", [MeanCenter, Standardize, PCA, Whiten])
def test_inverse_transform_round_trip(make):
    X_tr, X_te = _correlated(2), _correlated(3)
    t = make().fit(X_tr)
    np.testing.assert_allclose(t.inverse_transform(t.transform(X_te)), X_te, atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(20, 80), d=st.integers(1, 6))
def test_pca_decorrelates_with_decreasing_variance(seed, n, d):
    X = _correlated(seed, n, d)
    p = PCA().fit(X)
    Z = p.transform(X)
    cov = Z.T @ Z / n                                               # Z is centred by construction
    np.testing.assert_allclose(cov, np.diag(p.explained_variance_), atol=1e-9 * max(1, cov.max()))
    assert (np.diff(p.explained_variance_) <= 1e-12).all()
    np.testing.assert_allclose(p.components_ @ p.components_.T, np.eye(d), atol=1e-12)


def test_pca_n_components_and_test_data_uses_train_fit():
    X_tr, X_te = _correlated(4, d=6), _correlated(5, d=6)
    p = PCA(n_components=2).fit(X_tr)
    assert p.components_.shape == (2, 6) and p.explained_variance_.shape == (2,)
    Z_te = p.transform(X_te)
    assert Z_te.shape == (len(X_te), 2)
    np.testing.assert_allclose(Z_te, (X_te - X_tr.mean(0)) @ p.components_.T)
    assert not np.allclose(Z_te, PCA(2).fit_transform(X_te))


def test_whiten_gives_identity_covariance_on_train():
    X_tr, X_te = _correlated(6), _correlated(7)
    w = Whiten(eps=1e-5).fit(X_tr)
    Z = w.transform(X_tr)
    np.testing.assert_allclose(Z.T @ Z / len(Z), np.eye(5), atol=1e-4)
    Z_te = w.transform(X_te)                                        # train statistics, not re-fitted
    np.testing.assert_allclose(Z_te, PCA().fit(X_tr).transform(X_te) / np.sqrt(w.explained_variance_ + 1e-5))
    assert not np.allclose(Z_te.T @ Z_te / len(Z_te), np.eye(5), atol=1e-2)


@pytest.mark.parametrize("make", [MeanCenter, Standardize, PCA, Whiten])
def test_transform_before_fit_raises(make):
    with pytest.raises(RuntimeError, match=f"{make.__name__}.transform: not fitted"):
        make().transform(np.ones((3, 2)))
    with pytest.raises(RuntimeError, match="not fitted"):
        make().inverse_transform(np.ones((3, 2)))


@pytest.mark.parametrize("make", [MeanCenter, Standardize, PCA, Whiten])
def test_feature_mismatch_names_both_shapes(make):
    t = make().fit(np.random.default_rng(0).standard_normal((10, 4)))
    with pytest.raises(ValueError, match=re.escape("(7, 3)") + ".*" + re.escape("(10, 4)")):
        t.transform(np.ones((7, 3)))
    with pytest.raises(ValueError, match=re.escape("(7,)")):
        t.transform(np.ones(7))


def test_preprocess_bad_arguments():
    X = np.ones((10, 4))
    p = PCA(n_components=5)
    with pytest.raises(ValueError, match="n_components.*1..4.*5"):
        p.fit(X)
    with pytest.raises(RuntimeError, match="not fitted"):            # a failed fit leaves it unfitted
        p.transform(X)
    with pytest.raises(ValueError, match="n_components.*0"):
        PCA(n_components=0).fit(X)
    with pytest.raises(ValueError, match="eps.*0"):
        Whiten(eps=0)
    with pytest.raises(ValueError, match="eps.*-1"):
        Whiten(eps=-1)
    with pytest.raises(ValueError, match=re.escape("(0, 4)")):
        Standardize().fit(np.ones((0, 4)))
    with pytest.raises(ValueError, match=r"PCA.inverse_transform.*\(3, 4\).*2 columns"):
        PCA(2).fit(np.random.default_rng(0).standard_normal((10, 4))).inverse_transform(np.ones((3, 4)))


# ---------------------------------------------------------------- batching and splitting

@pytest.mark.parametrize(
    "n, bs, drop_last", [(10, 3, False), (10, 3, True), (12, 4, False), (5, 8, False), (5, 8, True)]
)
def test_batches_cover_each_example_once(n, bs, drop_last):
    X, y = np.arange(n) * 10.0, np.arange(n)
    out = list(batches(X, y, bs, rng=0, drop_last=drop_last))
    seen = np.concatenate([yb for _, yb in out]) if out else np.array([], int)
    for Xb, yb in out:
        np.testing.assert_array_equal(Xb, yb * 10.0)                 # rows stay paired with labels
        assert len(yb) == bs or (not drop_last and len(yb) == n % bs)
    expected = n - n % bs if drop_last else n
    assert len(seen) == expected == len(np.unique(seen))
    if not drop_last:
        np.testing.assert_array_equal(np.sort(seen), np.arange(n))


def test_batches_shuffle_order():
    X = np.arange(100).reshape(50, 2)
    order = lambda **kw: np.concatenate([Xb[:, 0] // 2 for Xb, _ in batches(X, None, 7, **kw)])
    np.testing.assert_array_equal(order(rng=1), order(rng=1))
    assert not np.array_equal(order(rng=1), order(rng=2))
    np.testing.assert_array_equal(order(shuffle=False), np.arange(50))
    # a shared Generator gives a fresh order each epoch
    g = np.random.default_rng(0)
    assert not np.array_equal(order(rng=g), order(rng=g))


def test_batches_without_labels_yields_none():
    out = list(batches(np.ones((5, 3)), None, 2, shuffle=False))
    assert [Xb.shape for Xb, _ in out] == [(2, 3), (2, 3), (1, 3)]
    assert all(yb is None for _, yb in out)


@pytest.mark.parametrize("kwargs, match", [
    (dict(X=np.ones((5, 2)), y=np.ones(4), batch_size=2), "5 rows.*4"),
    (dict(X=np.ones((5, 2)), y=None, batch_size=0), "batch_size.*0"),
    (dict(X=np.ones((5, 2)), y=None, batch_size=-3), "batch_size.*-3"),
    (dict(X=np.ones((5, 2)), y=None, batch_size=2.0), "batch_size.*2.0"),
])
def test_batches_errors_raise_at_call(kwargs, match):
    with pytest.raises(ValueError, match=match):
        batches(**kwargs)                                            # no next(): checks are eager


@pytest.mark.parametrize("n, frac", [(10, 0.2), (101, 0.33), (7, 0.5)])
def test_train_test_split_partition(n, frac):
    X, y = np.arange(n) * 2.0, np.arange(n) % 3
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, frac, seed=0)
    assert len(X_te) == round(frac * n) and len(X_tr) == n - len(X_te)
    np.testing.assert_array_equal(np.sort(np.r_[X_tr, X_te]), X)
    np.testing.assert_array_equal(y_tr, (X_tr // 2) % 3)
    np.testing.assert_array_equal(y_te, (X_te // 2) % 3)
    again = train_test_split(X, y, frac, seed=0)
    np.testing.assert_array_equal(again[1], X_te)
    assert not np.array_equal(train_test_split(X, y, frac, seed=1)[1], X_te) or n < 10


@pytest.mark.parametrize("kwargs, match", [
    (dict(X=np.ones(5), y=np.ones(6)), "5 rows.*6"),
    (dict(X=np.ones(5), y=np.ones(5), test_fraction=0), "test_fraction.*0"),
    (dict(X=np.ones(5), y=np.ones(5), test_fraction=1.0), "test_fraction.*1.0"),
    (dict(X=np.ones(5), y=np.ones(5), test_fraction=0.01), "0 test"),
    (dict(X=np.ones(5), y=np.ones(5), seed=1.5), "seed.*1.5"),
])
def test_train_test_split_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        train_test_split(**kwargs)


def test_standardize_scales_tiny_features_and_refuses_nan():
    X = np.random.default_rng(0).standard_normal((50, 2)) * np.array([1.0, 1e-17])
    Z = Standardize().fit_transform(X)
    np.testing.assert_allclose(Z.std(axis=0), [1.0, 1.0])
    with pytest.raises(ValueError, match="non-finite"):
        Standardize().fit(np.array([[1.0], [np.nan]]))
