"""autograd.fileio.write_file: atomic publishing, ordinary file modes, create-if-absent without hard links."""
import errno
import os

import pytest

from autograd.fileio import check_target, write_file


def test_writes_the_bytes_and_only_the_file(tmp_path):
    path = tmp_path / "out.bin"
    assert write_file(path, lambda fh: fh.write(b"abc")) == str(path)
    assert path.read_bytes() == b"abc" and os.listdir(tmp_path) == ["out.bin"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002, 0o000])
def test_the_file_gets_an_ordinary_mode(tmp_path, umask, monkeypatch):
    old = os.umask(umask)
    try:
        write_file(tmp_path / "a", lambda fh: fh.write(b"x"))
        monkeypatch.setattr(os, "link", _no_hard_links)
        write_file(tmp_path / "b", lambda fh: fh.write(b"x"))
    finally:
        os.umask(old)
    for name in "ab":
        assert os.stat(tmp_path / name).st_mode & 0o777 == 0o666 & ~umask


def test_existing_target_is_refused_before_any_work(tmp_path):
    path = tmp_path / "out.bin"
    path.write_bytes(b"keep")
    calls = []
    with pytest.raises(FileExistsError, match=r"writer: '.*out.bin' already exists; pass overwrite=True"):
        write_file(path, calls.append, who="writer")
    assert calls == [] and path.read_bytes() == b"keep"
    write_file(path, lambda fh: fh.write(b"new"), overwrite=True)
    assert path.read_bytes() == b"new" and os.listdir(tmp_path) == ["out.bin"]


@pytest.mark.parametrize("overwrite", [False, True])
def test_an_error_in_write_leaves_the_folder_as_it_was(tmp_path, overwrite):
    (tmp_path / "other").write_bytes(b"old")
    target = tmp_path / ("other" if overwrite else "new")

    def fail(fh):
        fh.write(b"partial")
        raise RuntimeError("renderer crashed")
    with pytest.raises(RuntimeError, match="renderer crashed"):
        write_file(target, fail, overwrite=overwrite)
    assert os.listdir(tmp_path) == ["other"] and (tmp_path / "other").read_bytes() == b"old"


def _no_hard_links(src, dst):
    raise PermissionError(errno.EPERM, "Operation not permitted")


def test_without_hard_links_create_if_absent_still_refuses_and_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "link", _no_hard_links)
    path = tmp_path / "out.bin"
    write_file(path, lambda fh: fh.write(b"first"))

    def appears_meanwhile(fh):                          # another process creates the name while we write
        (tmp_path / "late.bin").write_bytes(b"theirs")
        fh.write(b"ours")
    with pytest.raises(FileExistsError, match="late.bin' already exists .*appeared while writing"):
        write_file(tmp_path / "late.bin", appears_meanwhile)
    assert (tmp_path / "late.bin").read_bytes() == b"theirs" and path.read_bytes() == b"first"
    assert sorted(os.listdir(tmp_path)) == ["late.bin", "out.bin"]


def test_without_hard_links_a_failed_rename_removes_its_placeholder(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "link", _no_hard_links)

    def broken_replace(src, dst):
        raise OSError(errno.EIO, "I/O error")
    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="I/O error"):
        write_file(tmp_path / "out.bin", lambda fh: fh.write(b"x"))
    assert os.listdir(tmp_path) == []


def test_other_link_errors_are_not_mistaken_for_missing_hard_links(tmp_path, monkeypatch):
    def broken_link(src, dst):
        raise OSError(errno.EIO, "I/O error")
    monkeypatch.setattr(os, "link", broken_link)
    with pytest.raises(OSError, match="I/O error"):
        write_file(tmp_path / "out.bin", lambda fh: fh.write(b"x"))
    assert os.listdir(tmp_path) == []


def test_a_file_appearing_meanwhile_is_never_replaced(tmp_path):
    def appears_meanwhile(fh):
        (tmp_path / "out.bin").write_bytes(b"theirs")
        fh.write(b"ours")
    with pytest.raises(FileExistsError, match="appeared while writing"):
        write_file(tmp_path / "out.bin", appears_meanwhile)
    assert (tmp_path / "out.bin").read_bytes() == b"theirs" and os.listdir(tmp_path) == ["out.bin"]


def test_check_target_returns_the_folder_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert check_target("m.npz", False, "save") == os.curdir
    assert check_target(tmp_path / "m.npz", False, "save") == str(tmp_path)
    with pytest.raises(FileNotFoundError, match="the folder 'missing/..' does not exist"):
        check_target("missing/../m.npz", False, "save")        # the OS would not resolve it either


def test_the_cli_png_writer_leaves_nothing_when_matplotlib_fails(tmp_path):
    from nn.cli import _save

    class Broken:
        def savefig(self, fh, **kwargs):
            fh.write(b"\x89PNG half")
            raise ValueError("Image size too large")
    with pytest.raises(ValueError, match="Image size"):
        _save(Broken(), tmp_path / "loss.png", overwrite=False)
    assert os.listdir(tmp_path) == []


def test_no_permission_in_the_folder_says_so(tmp_path, monkeypatch):
    real_open = os.open

    def denied(name, flags, mode=0o777, **kwargs):           # what a read-only folder answers (even as root)
        if os.path.dirname(name) == str(tmp_path):
            raise PermissionError(errno.EACCES, "Permission denied", name)
        return real_open(name, flags, mode, **kwargs)
    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(PermissionError, match=r"save: cannot write '.*m.npz': no permission to create files in "
                                              r"'.*' \(Permission denied\); choose a folder you can write to"):
        write_file(tmp_path / "m.npz", lambda fh: fh.write(b"x"), who="save")
