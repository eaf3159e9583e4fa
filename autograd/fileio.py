"""Atomic file writing: a file appears complete or not at all, and replaces another only when asked.

`write_file(path, write)` lets `write(fh)` fill a temporary file beside `path` (same folder, so the same
file system), fsyncs it and then publishes it under `path` in one atomic step. A reader, a crash or a
concurrent writer never sees a half-written file, and with overwrite=False exactly one of several
concurrent writers of a new path wins; the others get FileExistsError.
"""
from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .hints import PathLike

# errno values of os.link on file systems without hard links (FAT/exFAT, some network and FUSE mounts)
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EMLINK}


def write_file(path: PathLike, write: Callable[[IO[bytes]], Any], *, overwrite: bool = False,
               who: str = "write_file") -> str:
    """Write `path` atomically with `write(fh)` (a binary file); an existing file is replaced only if overwrite=True."""
    path = os.fsdecode(path)
    folder = check_target(path, overwrite, who)
    fd, tmp = _create_temp(folder, path, who)
    try:
        with os.fdopen(fd, "wb") as fh:
            fd = None                                   # the file object owns (and closes) it now
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())                       # the bytes are on disk before the name points at them
        _publish(tmp, path, overwrite, who)
    except BaseException:                               # KeyboardInterrupt too: never leave the temp file
        if fd is not None:
            os.close(fd)
        _remove(tmp)
        raise
    _fsync_folder(folder)
    return path


def check_target(path: PathLike, overwrite: bool, who: str) -> str:
    """The folder that will hold `path`, or a clear error when `path` cannot be written there."""
    path = os.fsdecode(path)
    if not os.path.basename(path):
        raise ValueError(f"{who}: {path!r} names no file; give a file name, e.g. {os.path.join(path, 'out.bin')!r}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{who}: {path!r} is a directory; give the path of a file (inside it, or elsewhere)")
    if os.path.lexists(path) and not overwrite:
        raise FileExistsError(f"{who}: {path!r} already exists; pass overwrite=True to replace it")
    folder = os.path.dirname(path) or os.curdir         # as the OS resolves it: 'a/missing/../f' fails
    if not os.path.exists(folder):
        raise FileNotFoundError(f"{who}: cannot write {path!r}: the folder {folder!r} does not exist; "
                                f"create it first (os.makedirs) or choose another path")
    if not os.path.isdir(folder):
        raise NotADirectoryError(f"{who}: cannot write {path!r}: {folder!r} is not a folder")
    return folder


def _create_temp(folder, path, who):
    """(fd, name) of a new hidden file in `folder`, created with mode 0o666 less the umask like any new file."""
    stem = os.path.basename(path)[:40]                  # keep the name short of NAME_MAX
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = os.path.join(folder, f".{stem}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp      # the kernel applies the umask (and default ACLs)
        except FileExistsError:
            continue
        except PermissionError as e:
            raise PermissionError(f"{who}: cannot write {path!r}: no permission to create files in {folder!r} "
                                  f"({e.strerror}); choose a folder you can write to") from e
    raise FileExistsError(f"{who}: could not find a free temporary name in {folder!r}")


def _publish(tmp, path, overwrite, who):
    """Give the complete temporary file the name `path` in one atomic step."""
    if overwrite:
        try:
            os.replace(tmp, path)                       # rename(2): readers see the old file or the new one
        except IsADirectoryError as e:
            raise IsADirectoryError(f"{who}: {path!r} is a directory; give the path of a file") from e
        return
    try:
        os.link(tmp, path)                              # link(2) fails with EEXIST if the name is taken: atomic
    except FileExistsError as e:
        raise _exists(path, who) from e
    except (OSError, AttributeError) as e:
        if isinstance(e, OSError) and e.errno not in _NO_HARD_LINKS:
            raise
        _publish_without_links(tmp, path, who)
        return
    os.unlink(tmp)


def _publish_without_links(tmp, path, who):
    """Create-if-absent where hard links are unsupported: claim the name with O_EXCL, then rename over it."""
    # O_CREAT|O_EXCL is atomic on every local file system: of several writers exactly one creates the
    # empty placeholder and the others get EEXIST. The winner then renames its complete file over its own
    # placeholder (rename is atomic too), so the name only ever holds nothing, an empty file for an instant,
    # or the whole file; never a partial one, and never another writer's file replaced.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError as e:
        raise _exists(path, who) from e
    placeholder = os.fstat(fd)
    os.close(fd)
    try:
        os.replace(tmp, path)
    except BaseException:
        try:
            if os.path.samestat(placeholder, os.stat(path)):   # remove only our own empty placeholder
                _remove(path)
        except OSError:
            pass
        raise


def _exists(path, who):
    return FileExistsError(f"{who}: {path!r} already exists (it appeared while writing); "
                           f"pass overwrite=True to replace it")


def _remove(name):
    try:
        os.unlink(name)
    except FileNotFoundError:
        pass


def _fsync_folder(folder):
    """Make the new directory entry durable too (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
