"""Trying to break saving: racing writers, interrupts, impossible targets, symlinks and unicode names.

Every test states what must happen: exactly one writer of a new path wins and its file is whole, an
interrupted or failed save leaves the folder as it was, and a bad target is a clear error naming it.
"""
import errno
import multiprocessing
import os
import queue
import threading
import time

import numpy as np
import pytest

import nn
from autograd import Value, save_graph
from autograd.fileio import write_file


# --- racing writers -----------------------------------------------------------------------------------
@pytest.fixture
def slow_fs(monkeypatch):
    """A slow file system: renames and links wait 20 ms, so a check-then-rename race would show every time."""
    def slowed(real):
        def slow(*args, **kwargs):
            time.sleep(0.02)
            return real(*args, **kwargs)
        return slow
    for name in ("link", "replace", "rename"):
        monkeypatch.setattr(os, name, slowed(getattr(os, name)))


def _race(path, n, start):
    """Start n writers that each finish their temporary file, wait for all the others, then publish."""
    def writer(k, results, barrier):
        def write(fh):
            fh.write(f"writer {k}\n".encode() * 1000)
            barrier.wait(timeout=30)                                 # all files complete before any publishes
        try:
            write_file(path, write, who="race")
            results.put(("won", k))
        except FileExistsError as e:
            results.put(("lost", str(e)))
    return start(writer, n)


def _threads(writer, n):
    results, barrier = queue.Queue(), threading.Barrier(n)
    return _join_all([threading.Thread(target=writer, args=(k, results, barrier)) for k in range(n)], results)


def _processes(writer, n):
    ctx = multiprocessing.get_context("fork")
    results, barrier = ctx.Queue(), ctx.Barrier(n)
    return _join_all([ctx.Process(target=writer, args=(k, results, barrier)) for k in range(n)], results)


def _join_all(workers, results):
    for w in workers:
        w.start()
    out = [results.get(timeout=60) for _ in workers]
    for w in workers:
        w.join(timeout=60)
    return out


def _no_hard_links(src, dst):
    raise PermissionError(errno.EPERM, "Operation not permitted")     # what FAT or exFAT say to link(2)


@pytest.mark.parametrize("hard_links", [True, False], ids=["link", "no-links"])
@pytest.mark.parametrize("start", [
    _threads,
    pytest.param(_processes, marks=pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                                      reason="needs the fork start method")),
], ids=["threads", "processes"])
def test_racing_new_file_writers_exactly_one_wins(tmp_path, monkeypatch, slow_fs, start, hard_links):
    if not hard_links:
        monkeypatch.setattr(os, "link", _no_hard_links)
    path = tmp_path / "race.txt"
    outcomes = _race(path, 8, start)
    won = [k for kind, k in outcomes if kind == "won"]
    lost = [msg for kind, msg in outcomes if kind == "lost"]
    assert len(won) == 1 and len(lost) == 7
    assert all("race.txt' already exists" in msg and "overwrite=True" in msg for msg in lost)
    assert path.read_bytes() == f"writer {won[0]}\n".encode() * 1000  # the winner's file, whole
    assert os.listdir(tmp_path) == ["race.txt"]                      # the losers' temporary files are gone


def _save_after(barrier, k, path, results):
    barrier.wait(timeout=30)
    try:
        nn.MLP(3, [50, 2], rng=k).save(path)
        results.put(("won", k))
    except FileExistsError:
        results.put(("lost", k))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs the fork start method")
def test_racing_model_saves_from_processes_one_wins_and_its_file_loads(tmp_path, slow_fs):
    path = tmp_path / "m.npz"
    ctx = multiprocessing.get_context("fork")
    results, barrier = ctx.Queue(), ctx.Barrier(6)
    workers = [ctx.Process(target=_save_after, args=(barrier, k, path, results)) for k in range(6)]
    outcomes = _join_all(workers, results)
    won = [k for kind, k in outcomes if kind == "won"]
    assert len(won) == 1 and len(outcomes) == 6
    loaded = nn.load(path, nn.MLP(3, [50, 2], rng=99))
    expected = nn.MLP(3, [50, 2], rng=won[0]).state_dict()
    for name, arr in loaded.state_dict().items():
        np.testing.assert_array_equal(arr, expected[name])
    assert os.listdir(tmp_path) == ["m.npz"]


def test_a_reader_never_sees_a_half_replaced_file(tmp_path):
    path = tmp_path / "m.npz"
    models = [nn.MLP(3, [64, 2], rng=k) for k in range(3)]
    models[0].save(path)
    wanted = [m.state_dict()["layers.0.W"] for m in models]
    stop, seen = threading.Event(), []

    def rewrite():
        for i in range(40):
            models[i % 3].save(path, overwrite=True)
        stop.set()
    writer = threading.Thread(target=rewrite)
    writer.start()
    while not stop.is_set():                                         # every load is one whole model's file
        w = nn.load(path)["layers.0.W"]
        seen.append(any(np.array_equal(w, x) for x in wanted))
    writer.join()
    assert seen and all(seen)


# --- interrupted and misdirected saves ----------------------------------------------------------------
def _interrupt(fh):
    fh.write(b"half of a file")
    raise KeyboardInterrupt


@pytest.mark.parametrize("existing", [None, b"the old file"], ids=["new", "overwrite"])
def test_keyboard_interrupt_inside_write_leaves_the_folder_as_it_was(tmp_path, existing):
    path = tmp_path / "m.bin"
    if existing is not None:
        path.write_bytes(existing)
    with pytest.raises(KeyboardInterrupt):
        write_file(path, _interrupt, overwrite=True)
    assert os.listdir(tmp_path) == ([] if existing is None else ["m.bin"])   # no temporary file, no target
    if existing is not None:
        assert path.read_bytes() == existing


def test_interrupt_while_publishing_leaves_no_temporary_file(tmp_path, monkeypatch):
    def interrupted_link(src, dst):
        raise KeyboardInterrupt
    monkeypatch.setattr(os, "link", interrupted_link)
    with pytest.raises(KeyboardInterrupt):
        nn.Linear(2, 2).save(tmp_path / "m.npz")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("target, error, message", [
    ("missing/m", FileNotFoundError, r"the folder '.*missing' does not exist; create it first"),
    ("a_file/m", NotADirectoryError, "'.*a_file' is not a folder"),
    ("folder.dot", IsADirectoryError, "'.*folder.dot' is a directory; give the path of a file"),
    ("folder.dot/", ValueError, "names no file; give a file name"),
])
def test_save_to_an_impossible_target_is_a_clear_error(tmp_path, target, error, message):
    (tmp_path / "folder.dot").mkdir()
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(error, match="save: .*" + message):
        nn.Linear(2, 2).save(os.path.join(tmp_path, target))
    if not target.endswith("/"):                                     # (pathlib drops a trailing slash)
        graph_target = target if target.startswith("folder") else target + ".dot"   # save_graph wants a suffix
        with pytest.raises(error, match="save_graph: .*" + message):
            save_graph(Value(1.0) * 2, os.path.join(tmp_path, graph_target))
    assert sorted(os.listdir(tmp_path)) == ["a_file", "folder.dot"] and os.listdir(tmp_path / "folder.dot") == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anywhere")
def test_save_into_a_read_only_folder_says_so(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    with pytest.raises(PermissionError, match="save: cannot write .*no permission to create files in"):
        nn.Linear(2, 2).save(folder / "m.npz")


def test_symlink_targets(tmp_path):
    """A link (even a dangling one) is an existing file; overwrite=True replaces the link, not what it points to."""
    real, link, dangling = tmp_path / "real.npz", tmp_path / "link.npz", tmp_path / "dangling.npz"
    nn.Linear(2, 2, rng=0).save(real)
    link.symlink_to(real)
    dangling.symlink_to(tmp_path / "nowhere.npz")
    np.testing.assert_array_equal(nn.load(link)["W"], nn.load(real)["W"])     # loading follows links
    for target in (link, dangling):
        with pytest.raises(FileExistsError, match="already exists; pass overwrite=True"):
            nn.Linear(2, 2, rng=1).save(target)
    before = real.read_bytes()
    nn.Linear(2, 2, rng=1).save(link, overwrite=True)
    assert not link.is_symlink() and real.read_bytes() == before
    np.testing.assert_array_equal(nn.load(link)["W"], nn.Linear(2, 2, rng=1).W.data)


@pytest.mark.parametrize("name", ["modèle-é.npz", "模型 🙂.npz", "x" * 240 + ".npz"],
                         ids=["latin", "cjk-emoji", "long"])
def test_unicode_and_long_names_round_trip(tmp_path, name):
    path = tmp_path / name
    nn.MLP(3, [4, 2], rng=0).save(path)
    np.testing.assert_array_equal(nn.load(path)["layers.1.W"], nn.MLP(3, [4, 2], rng=0).layers[1].W.data)
    assert save_graph(Value(1.0) * 2, tmp_path / (name[:-4] + ".dot")).read_text().startswith("digraph")
    assert sorted(os.listdir(tmp_path)) == sorted([name, name[:-4] + ".dot"])
