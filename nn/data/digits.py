"""The 8x8 handwritten digits (1797 images, 64 pixel features in 0..16, labels 0..9), shipped in the repo.

Provenance: `digits.npz` next to this file holds `images` (1797, 8, 8) uint8 and `labels` (1797,) uint8,
exported unchanged from `sklearn.datasets.load_digits()` (scikit-learn 1.9.1). scikit-learn's copy is the
test set (optdigits.tes) of the UCI ML "Optical Recognition of Handwritten Digits" data set by
E. Alpaydin and C. Kaynak (Bogazici University, 1998),
https://archive.ics.uci.edu/dataset/80/optical+recognition+of+handwritten+digits
License: CC BY 4.0 (UCI ML Repository); redistributed by scikit-learn under BSD-3-Clause.
Cite the UCI entry if you publish results on it.

To regenerate (in a throwaway venv with scikit-learn; nothing is downloaded at run time):
    d = sklearn.datasets.load_digits()
    np.savez_compressed("digits.npz", images=d.images.astype(np.uint8), labels=d.target.astype(np.uint8))
and update _SHA256 below.
"""
from __future__ import annotations


import hashlib
import os
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .batching import train_test_split

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from autograd.hints import Seed

_PATH = Path(__file__).with_name("digits.npz")
_SHAPES = {"images": (1797, 8, 8), "labels": (1797,)}
# what np.load raises on a truncated, corrupted, non-zip, pickled, .npy or wrong-keys file
_UNREADABLE = (
    OSError, ValueError, EOFError, KeyError, TypeError, AttributeError, zipfile.BadZipFile, zlib.error,
)
# sha256 of images.tobytes() + labels.tobytes(): a file with other contents is not this data set
_SHA256 = "87ff0c9e40dc7e2c0e34e7257799c2e3f3aec1a016363bb11cad869ec428a826"


def load_digits(test_fraction: float = 0.2, seed: Seed = 0, return_split: bool = True, *,
                path: str | os.PathLike[str] | None = None) -> tuple[NDArray[Any], ...]:
    """Return (X_train, X_test, y_train, y_test), stratified by class, or (X, y) if not return_split."""
    images, labels = _read(Path(path) if path is not None else _PATH)
    X = images.reshape(len(images), -1).astype(np.float64)            # (1797, 64), values 0..16
    y = labels.astype(np.int64)                                       # (1797,), digits 0..9
    if not return_split:
        return X, y
    return train_test_split(X, y, test_fraction=test_fraction, seed=seed, stratify=True)


def _read(path):
    """Load and verify (images, labels) from the npz at path; raise OSError naming the path if unusable."""
    fix = "restore it with `git checkout -- nn/data/digits.npz` (see the nn.data.digits docstring)"
    if not path.is_file():
        raise FileNotFoundError(f"load_digits: data file {path} does not exist; {fix}")
    try:
        # we own the handle so it is closed even when np.load fails half way through a bad zip
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as f:
            arrays = {k: f[k] for k in _SHAPES}
    except _UNREADABLE as e:
        raise OSError(
            f"load_digits: {path} is not a readable digits .npz ({type(e).__name__}: {e}); {fix}"
        ) from e
    for key, shape in _SHAPES.items():
        a = arrays[key]
        if a.shape != shape or a.dtype != np.uint8:
            raise OSError(
                f"load_digits: {path} has {key} with shape {a.shape} dtype {a.dtype}, "
                f"expected shape {shape} dtype uint8; {fix}"
            )
    digest = hashlib.sha256(arrays["images"].tobytes() + arrays["labels"].tobytes()).hexdigest()
    if digest != _SHA256:
        raise OSError(
            f"load_digits: {path} has the right shapes but unexpected contents (sha256 {digest}); {fix}"
        )
    return arrays["images"], arrays["labels"]
