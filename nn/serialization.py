"""Save and load state_dicts as .npz archives of named arrays; loading never unpickles (never runs code)."""
import os
import tempfile
import zipfile
import zlib

import numpy as np

MARKER = "__graphgrad_state_dict__"      # an entry every saved file carries, so foreign .npz files are refused
VERSION = 1


def save(state, path, overwrite=False):
    """Write a model's (or a {name: array}) state_dict to exactly `path` as .npz; keeps an existing file unless overwrite=True."""
    path = os.fspath(path)
    state_dict = state.state_dict() if hasattr(state, "state_dict") else state
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(f"save: {path!r} already exists; pass overwrite=True to replace it")
    arrays = {}
    for name, value in state_dict.items():
        arr = np.asarray(value)
        if arr.dtype == object:
            raise TypeError(f"save: entry {name!r} is an object array; only numeric arrays can be saved")
        arrays[name] = arr
    reserved = [n for n in (MARKER, "file", "allow_pickle") if n in arrays]   # np.savez's own arguments
    if reserved:
        raise ValueError(f"save: {reserved[0]!r} is reserved and cannot be a parameter name")
    arrays[MARKER] = np.array(VERSION)
    # write a temporary file beside the target, then rename: a crash never leaves a half-written model
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(suffix=".npz.tmp", dir=folder)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)                  # mkstemp makes 0600; give it an ordinary file's mode
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        if os.path.exists(path) and not overwrite:     # appeared while we were writing
            raise FileExistsError(f"save: {path!r} already exists; pass overwrite=True to replace it")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _read(path):
    """{name: array} from a saved file, or a ValueError naming `path` when it is not one."""
    try:
        npz = np.load(path, allow_pickle=False)
        if not isinstance(npz, np.lib.npyio.NpzFile):
            raise ValueError(f"it holds a single array of shape {np.shape(npz)}, not named arrays")
        with npz:
            arrays = {name: npz[name] for name in npz.files}     # read every member now: truncation shows here
    except FileNotFoundError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as e:
        raise ValueError(f"load: {path!r} is not a readable graphgrad .npz file "
                         f"(truncated, foreign or pickled: {type(e).__name__}: {e})") from e
    if MARKER not in arrays:
        raise ValueError(f"load: {path!r} is an .npz file but not one saved by graphgrad (no {MARKER!r} "
                         f"entry; it holds {sorted(arrays)[:8]}); load it with np.load instead")
    marker = arrays.pop(MARKER)
    if marker.shape != () or marker.dtype.kind not in "iu" or not 1 <= int(marker) <= VERSION:
        raise ValueError(f"load: {path!r} has an unknown format marker {marker!r}; this graphgrad reads "
                         f"format versions 1..{VERSION}")
    return arrays


def load(path, model=None, strict=True):
    """The state_dict saved at `path`; with `model`, loads it into the model in place and returns the model."""
    path = os.fspath(path)
    arrays = _read(path)
    if model is None:
        return arrays
    try:
        model.load_state_dict(arrays, strict=strict)
    except (KeyError, ValueError) as e:
        raise type(e)(f"load {path!r}: {e}") from e
    return model
