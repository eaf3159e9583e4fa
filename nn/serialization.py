"""Save and load state_dicts as .npz archives of named arrays; loading never unpickles (never runs code).

Saving is atomic (autograd.fileio.write_file). Loading trusts nothing in the file: it reads the zip's table
of contents, then each entry's .npy header, and checks names, shapes, dtypes and sizes before it allocates
an array; then it reads exactly the declared number of bytes in bounded chunks. So a zip bomb, a huge
declared shape, a truncated or padded entry or a pickle is refused before memory is spent on it: with a
model, nothing beyond the model's own arrays is ever allocated; without one, nothing beyond `max_bytes`.
"""
from __future__ import annotations

import io
import math
import os
import struct
import sys
import zipfile
import zlib
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from autograd.fileio import write_file

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from autograd.hints import PathLike

    from .module import Module

M = TypeVar("M", bound="Module")

MARKER = "__graphgrad_state_dict__"      # an entry every saved file carries, so foreign .npz files are refused
VERSION = 1
MAX_BYTES = 2 * 1024 ** 3                # nn.load(path)'s default bound on the arrays a file may declare
_CHUNK = 1 << 20                         # bytes inflated per read: a bomb never expands past this at once
_MAX_HEADER = 10_000                     # numpy's own bound on a .npy header (np.lib.format)
_NPY_MAGIC = b"\x93NUMPY"
# what zipfile, zlib and numpy's header parser raise on a damaged or foreign file
_DAMAGED = (ValueError, TypeError, OSError, EOFError, zipfile.BadZipFile, zlib.error, struct.error,
            NotImplementedError, RuntimeError, UnicodeDecodeError)


class _Refused(ValueError):
    """A file refused by a check of ours; its message is complete and is never wrapped again."""


def save(state: Any, path: PathLike, overwrite: bool = False) -> None:
    """Write a model's (or a {name: array}) state_dict to exactly `path` as .npz.

    Keeps an existing file unless overwrite=True."""
    path = os.fspath(path)
    state_dict = state.state_dict() if hasattr(state, "state_dict") else state
    arrays: dict[str, Any] = {}
    for name, value in state_dict.items():
        arr = np.asarray(value)
        if arr.dtype.hasobject:
            raise TypeError(f"save: entry {name!r} is an object array; only numeric arrays can be saved")
        arrays[name] = arr
    reserved = [n for n in (MARKER, "file", "allow_pickle") if n in arrays]   # np.savez's own arguments
    if reserved:
        raise ValueError(f"save: {reserved[0]!r} is reserved and cannot be a parameter name")
    arrays[MARKER] = np.array(VERSION)
    write_file(path, lambda fh: np.savez(fh, **arrays), overwrite=overwrite, who="save")


def load(path: PathLike, model: M | None = None, strict: bool = True, *,
         max_bytes: int | None = MAX_BYTES) -> M | dict[str, NDArray[Any]]:
    """The state_dict saved at `path`; with `model`, loads it into the model in place and returns the model.

    With a model, names, shapes and dtypes are checked against it before any array is read. Without one,
    a file whose arrays declare more than `max_bytes` bytes in all (default 2 GiB) is refused before
    anything is allocated; pass a larger number, or None, to load a bigger file you trust.
    """
    path = os.fspath(path)
    if model is None:
        return _read(path, max_bytes)
    arrays = _read_into(path, model, strict)
    try:
        model.load_state_dict(arrays, strict=strict)     # checks again, then copies into the parameters
    except (KeyError, ValueError) as e:
        raise type(e)(f"load {path!r}: {e}") from e
    return model


def _read(path, max_bytes=MAX_BYTES):
    """{name: array} from a saved file, or a ValueError naming `path` when it is not one (or is too big)."""
    with _open(path) as z:
        members = _members(path, z)
        headers = {name: _header(path, z, name, info) for name, info in members.items()}
        total = 0
        for name, (shape, _, dtype) in headers.items():
            total += _nbytes(path, name, shape, dtype)
            if max_bytes is not None and total > max_bytes:
                raise ValueError(f"load: {path!r}: entry {name!r} declares shape {shape} of {dtype}, which takes "
                                 f"the file to {total} bytes of arrays, over max_bytes={max_bytes}; if you trust "
                                 f"the file, pass a larger max_bytes= (or max_bytes=None for no limit)")
        return {name: _data(path, z, name, members[name], h) for name, h in headers.items()}


def _read_into(path, model, strict):
    """{name: array} of the entries `model` has, after checking names, shapes and dtypes against it."""
    from .module import shape_and_dtype          # (module imports this file: import when used)
    expected = {name: shape_and_dtype(p) for name, p in model.named_state()}
    with _open(path) as z:
        members = _members(path, z)
        missing = [k for k in expected if k not in members]
        unexpected = [k for k in members if k not in expected]
        if strict and (missing or unexpected):
            raise _key_error(path, type(model).__name__, missing, unexpected)
        wanted = [k for k in expected if k in members]   # strict=False: other entries are never read
        headers = {name: _header(path, z, name, members[name]) for name in wanted}
        for name in wanted:
            _match(path, name, headers[name], *expected[name])
        return {name: _data(path, z, name, members[name], headers[name]) for name in wanted}


class Archive:
    """A saved .npz opened for checked reading, as nn.load reads it (nn.checkpoint reads through it): the format
    marker checked, an entry's header read before its data, its data read in bounded chunks to the declared size."""

    def __init__(self, path):
        self.path = os.fspath(path)
        self._zip = _open(self.path)
        try:
            self._members = _members(self.path, self._zip)
        except BaseException:
            self._zip.close()
            raise
        self._headers = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._zip.close()

    def names(self):
        """The entries' names in the file's order (the format marker left out)."""
        return list(self._members)

    def header(self, name):
        """(shape, dtype) the entry declares: only its header is read (and cached)."""
        if name not in self._headers:
            self._headers[name] = _header(self.path, self._zip, name, self._members[name])
        shape, _, dtype = self._headers[name]
        return shape, dtype

    def nbytes(self, name):
        """The bytes the entry's array would take, from its header."""
        return _nbytes(self.path, name, *self.header(name))

    def expect(self, name, shape, dtype):
        """A ValueError naming the entry unless it declares exactly `shape` and `dtype` (no data read)."""
        self.header(name)
        _match(self.path, name, self._headers[name], shape, dtype)

    def read(self, name):
        """The entry's array (check its header first: this allocates what the header declares)."""
        self.header(name)
        return _data(self.path, self._zip, name, self._members[name], self._headers[name])


def _key_error(path, cls, missing, unexpected):
    from .module import StateDictKeyError    # module.py imports this file, so not at the top
    parts = ([f"missing keys {missing}"] if missing else []) + ([f"unexpected keys {unexpected}"] if unexpected else [])
    return StateDictKeyError(f"load {path!r}: the file does not fit the {cls}: " + " and ".join(parts) +
                             "; pass strict=False to load only the keys both have.")


def _match(path, name, header, shape, dtype):
    """A ValueError unless an entry's declared shape and dtype are the parameter's (nothing read yet)."""
    got_shape, _, got_dtype = header
    if got_shape != shape:
        raise ValueError(f"load {path!r}: '{name}' has shape {got_shape} in the file but the parameter has "
                         f"shape {shape}")
    if got_dtype != dtype:
        raise ValueError(f"load {path!r}: '{name}' has dtype {got_dtype} in the file but the parameter has "
                         f"dtype {dtype} (shape {shape}); load it with nn.load(path) and cast it with "
                         f".astype(np.{dtype}), or build the model with that dtype")


def _open(path):
    """The file as an open ZipFile (its table of contents read, no entry inflated), or a clear error."""
    try:
        return zipfile.ZipFile(path)
    except IsADirectoryError as e:
        raise IsADirectoryError(f"load: {path!r} is a directory, not a saved file") from e
    except (FileNotFoundError, PermissionError):
        raise
    except _DAMAGED as e:
        why = f"{type(e).__name__}: {e}"
        if _starts_with(path, _NPY_MAGIC):
            why = "it holds a single .npy array, not named arrays; load it with np.load"
        raise _unreadable(path, why) from e


def _starts_with(path, prefix):
    try:
        with open(path, "rb") as f:
            return f.read(len(prefix)) == prefix
    except OSError:
        return False


def _unreadable(path, why):
    return _Refused(f"load: {path!r} is not a readable graphgrad .npz file ({why})")


def _members(path, z):
    """{array name: ZipInfo} from the table of contents alone, with the format marker checked."""
    members = {}
    for info in z.infolist():
        name = info.filename[:-4]
        if not info.filename.endswith(".npy"):
            raise _unreadable(path, f"entry {info.filename!r} is not a .npy array")
        if name in members:
            raise _unreadable(path, f"entry {info.filename!r} appears twice, so which one is meant is unclear")
        if info.flag_bits & 0x1:
            raise _unreadable(path, f"entry {info.filename!r} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):   # what np.savez writes
            raise _unreadable(path, f"entry {info.filename!r} uses zip compression method {info.compress_type}; "
                                    f"graphgrad reads stored and deflated entries only")
        members[name] = info
    if MARKER not in members:
        raise ValueError(f"load: {path!r} is an .npz file but not one saved by graphgrad (no {MARKER!r} "
                         f"entry; it holds {sorted(members)[:8]}); load it with np.load instead")
    _check_marker(path, z, members.pop(MARKER))
    return members


def _check_marker(path, z, info):
    header = _header(path, z, MARKER, info)
    small_int = header[0] == () and header[2].kind in "iu"   # checked before the few bytes are read
    marker = _data(path, z, MARKER, info, header) if small_int else None
    if marker is None or marker.dtype.kind not in "iu" or not 1 <= int(marker) <= VERSION:
        raise ValueError(f"load: {path!r} has an unknown format marker {marker!r} (header {header}); this "
                         f"graphgrad reads format versions 1..{VERSION}")


def _header(path, z, name, info):
    """(shape, fortran_order, dtype) of an entry: only its first bytes are inflated."""
    try:
        with z.open(info) as f:
            return _parse_header(path, name, f)
    except _Refused:
        raise
    except _DAMAGED as e:
        raise _unreadable(path, f"entry {name!r}: {type(e).__name__}: {e}") from e


def _parse_header(path, name, f):
    magic = _read_exactly(f, 8, path, name, "the .npy magic")
    version = np.lib.format.read_magic(io.BytesIO(magic))
    if version not in ((1, 0), (2, 0)):
        raise _unreadable(path, f"entry {name!r} is .npy format {version}; graphgrad reads 1.0 and 2.0")
    size = _read_exactly(f, 2 if version == (1, 0) else 4, path, name, "the .npy header length")
    length = struct.unpack("<H" if version == (1, 0) else "<I", size)[0]
    if length > _MAX_HEADER:                              # numpy would read it all before checking
        raise _unreadable(path, f"entry {name!r} declares a {length}-byte .npy header")
    text = io.BytesIO(size + _read_exactly(f, length, path, name, "the .npy header"))
    read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    try:
        shape, fortran, dtype = read(text)               # a literal_eval of at most _MAX_HEADER bytes
    except Exception as e:                               # noqa: BLE001 - whatever a mangled header makes it raise
        raise _unreadable(path, f"entry {name!r} has a bad .npy header: {type(e).__name__}: {e}") from e
    if dtype.hasobject:
        raise _unreadable(path, f"entry {name!r} holds pickled Python objects (dtype {dtype}); graphgrad "
                                f"never unpickles, as that could run code")
    _nbytes(path, name, shape, dtype)
    return shape, fortran, dtype


def _nbytes(path, name, shape, dtype):
    """The bytes an entry declares, or a clear error for a shape no array can have."""
    if any(d < 0 for d in shape) or len(shape) > 64 or dtype.itemsize == 0:
        raise _unreadable(path, f"entry {name!r} declares shape {shape} of {dtype}, which no array can have")
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > sys.maxsize:
        raise _unreadable(path, f"entry {name!r} declares shape {shape} of {dtype}: {nbytes} bytes, more "
                                f"than any machine can address")
    return nbytes


def _data(path, z, name, info, header):
    """The entry's array, read in bounded chunks into exactly the declared size."""
    shape, fortran, dtype = header
    try:
        with z.open(info) as f:
            if _parse_header(path, name, f) != header:
                raise _unreadable(path, f"entry {name!r} changed while it was read")
            flat = _allocate(path, name, shape, dtype)
            _fill(f, flat.view(np.uint8), path, name, header)
    except _Refused:
        raise
    except _DAMAGED as e:
        raise _unreadable(path, f"entry {name!r}: {type(e).__name__}: {e}") from e
    return flat.reshape(shape, order="F" if fortran else "C")   # a view: Fortran order costs no copy


def _allocate(path, name, shape, dtype):
    try:
        return np.empty(math.prod(shape), dtype)
    except MemoryError as e:
        raise MemoryError(f"load: {path!r}: entry {name!r} declares shape {shape} of {dtype} "
                          f"({_nbytes(path, name, shape, dtype)} bytes), more memory than is free; "
                          f"if the file is genuine, load it on a bigger machine") from e


def _fill(f, buf, path, name, header):
    """Read exactly len(buf) bytes into buf; fewer (truncated) or more (padded, hostile) is an error."""
    pos = 0
    while pos < len(buf):
        chunk = f.read(min(_CHUNK, len(buf) - pos))
        if not chunk:
            raise _unreadable(path, f"entry {name!r} is truncated: its header declares shape {header[0]} of "
                                    f"{header[2]} ({len(buf)} bytes) but it holds {pos}")
        buf[pos:pos + len(chunk)] = np.frombuffer(chunk, np.uint8)
        pos += len(chunk)
    if f.read(1):
        raise _unreadable(path, f"entry {name!r} holds more bytes than its header declares (shape {header[0]} "
                                f"of {header[2]}, {len(buf)} bytes)")


def _read_exactly(f, n, path, name, what):
    data = f.read(n)                                      # n is small here: at most _MAX_HEADER
    if len(data) != n:
        raise _unreadable(path, f"entry {name!r} is truncated: it ends inside {what}")
    return data
