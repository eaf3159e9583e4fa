"""nn.cli_checks: the option types and their bounds, the memory estimate against a measurement, and the
output folder (created and probed before training; refused, leaving nothing behind, when it cannot be)."""
import argparse
import errno
import os
import tracemalloc

import numpy as np
import pytest

from nn import cli, cli_checks as C
from nn.fit import evaluate, fit, predict

NAMES = ["decision_regions.png", "loss.png", "graph.svg"]


# --- option types -------------------------------------------------------------------------------
@pytest.mark.parametrize("parse, text, value", [
    (C.integer(1, 10), "7", 7), (C.integer(1, 10), " 10 ", 10), (C.integer(1, 10), "+3", 3),
    (C.integer(0, C.MAX_SEED), str(C.MAX_SEED), 2**64 - 1), (C.integer(1, 10), "0007", 7),
    (C.number(0), "1e-3", 1e-3), (C.number(0), "0", 0.0), (C.number(0, below=1), "0.999", 0.999),
    (C.hidden, "8", [8]), (C.hidden, "64, 32", [64, 32]), (C.hidden, ",".join(["1"] * C.MAX_DEPTH), [1] * 100),
    (C.out_text, "out", "out"), (C.out_text, " ", " "),
])
def test_option_types_accept(parse, text, value):
    assert parse(text) == value


@pytest.mark.parametrize("parse, text, message", [
    (C.integer(1, 10), "11", "from 1 to 10, got 11"), (C.integer(1, 10), "0", "from 1 to 10, got 0"),
    (C.integer(1, 10), "1_0", "not an integer"), (C.integer(1, 10), "0x10", "not an integer"),
    (C.integer(1, 10), "\u0661", "not an integer"), (C.integer(1, 10), "", "not an integer"),
    (C.integer(0, C.MAX_SEED), str(2**64), "got 18446744073709551616"),
    (C.integer(1, 10), "1" * 10_000, "(10000 characters)"),
    (C.number(0, strict=True), "0", "> 0, got 0"), (C.number(0), "-inf", ">= 0"), (C.number(0), "1e400", ">= 0"),
    (C.number(0, below=1), "1", ">= 0 and < 1"), (C.number(0), "nan", "finite"), (C.number(0), "x", "not a number"),
    (C.hidden, "0", "at least 1 unit"), (C.hidden, "8,", "comma-separated"), (C.hidden, "8;8", "comma-separated"),
    (C.hidden, "+8", "comma-separated"), (C.hidden, ",".join(["1"] * 101), "at most 100"),
    (C.out_text, "", "empty path"), (C.out_text, "a\0b", "'a\\x00b' contains a NUL byte"),
])
def test_option_types_refuse_with_the_reason(parse, text, message):
    with pytest.raises(argparse.ArgumentTypeError) as e:
        parse(text)
    assert message in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("text, expected", [
    ("out", "out"), ("a\nb", "a\\nb"), ("tab\there", "tab\\there"), ("x" * 200, "...")])
def test_shown_is_one_printable_line_of_bounded_length(text, expected):
    s = C.shown(text)
    assert expected in s and s.isprintable() and len(s) < 120


# --- memory ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ["relu", "prelu", "maxout"])
@pytest.mark.parametrize("sizes", [[3], [5, 4], [7, 1, 6]])
def test_parameter_count_matches_the_models(activation, sizes):
    dims = [2, *sizes, 3]
    assert C.parameter_count(dims, activation) == cli.MLP(2, sizes + [3], activation).num_parameters()
    if activation == "relu":
        assert C.parameter_count(dims, activation) == cli.scalar.MLP(2, sizes + [3]).num_parameters()


def test_the_shapes_table_matches_the_data_sets():
    for name, make in cli.DATASETS.items():
        X, y = make(0)
        assert C.SHAPES[name] == (len(X), X.shape[1], int(y.max()) + 1), name


@pytest.mark.parametrize("dataset, hidden, activation, optimizer, dropout, batch", [
    ("spiral", [600, 600], "tanh", "adam", 0.1, 32),
    ("digits", [800, 800], "maxout", "rmsprop", 0.1, 1000), ("digits", [1000, 1000], "relu", "adam", 0.0, 1000)])
def test_the_tensor_estimate_covers_the_measured_peak(dataset, hidden, activation, optimizer, dropout, batch):
    """A training epoch, evaluation and the decision-region grid, measured with tracemalloc (numpy reports
    its buffers to it): the estimate is above the peak, and not by more than 2x."""
    Xtr, Xva, ytr, yva = cli.load_data(dataset, 0)
    examples, features, classes = C.SHAPES[dataset]
    eval_rows = max(len(Xtr), C.GRID_ROWS if features == 2 else 0)
    tracemalloc.start()
    try:
        model = cli.MLP(features, hidden + [classes], activation, dropout=dropout, rng=0)
        fit(model, Xtr, ytr, optimizer=cli.OPTIMIZERS[optimizer](model.parameters(), 0.01), epochs=1,
            batch_size=batch, val=(Xva, yva), progress=False, reg=1e-4)
        evaluate(model, Xtr, ytr)
        predict(model, np.zeros((eval_rows, features)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    need = C.memory_needed("tensor", [features, *hidden, classes], activation, optimizer, dropout, batch,
                           len(Xtr), eval_rows)
    assert peak <= need <= 2 * peak, (C.size(peak), C.size(need))


def _scalar_fit(sizes, batch, rows):
    Xtr, _, ytr, _ = cli.load_data("xor", 0)
    model = cli.scalar.MLP(2, sizes, rng=0)
    fit(model, Xtr[:rows], ytr[:rows], optimizer=cli.OPTIMIZERS["adam"](model.parameters(), 0.01), epochs=1,
        batch_size=batch, progress=False, reg=1e-4)


@pytest.mark.parametrize("hidden, batch", [([40, 40], 2), ([40, 40], 8)])
def test_the_scalar_estimate_covers_the_measured_peak(hidden, batch):
    """Over two batches: the first batch's Values are still alive while the second's graph is built."""
    _scalar_fit([2, 2], 4, 8)                                       # first-call costs (lazy imports) outside
    tracemalloc.start()
    try:
        _scalar_fit(hidden + [2], batch, 2 * batch)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    need = C.memory_needed("scalar", [2, *hidden, 2], "relu", "adam", 0.0, batch, 2 * batch, 2 * batch)
    assert peak <= need <= 2 * peak, (C.size(peak), C.size(need))


def test_memory_limit_is_half_of_physical_memory_with_a_fallback(monkeypatch):
    monkeypatch.setattr(os, "sysconf", lambda name: {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": 1000}[name])
    assert C.memory_limit() == (2048000, 4096000)
    for broken in (lambda name: -1, lambda name: (_ for _ in ()).throw(ValueError(name))):
        monkeypatch.setattr(os, "sysconf", broken)
        assert C.memory_limit() == (C.FALLBACK_MEMORY // 2, C.FALLBACK_MEMORY)
    monkeypatch.delattr(os, "sysconf")                                  # Windows has none
    assert C.memory_limit() == (C.FALLBACK_MEMORY // 2, C.FALLBACK_MEMORY)


def test_memory_check_refuses_above_the_limit_with_the_estimate_and_the_limit(monkeypatch):
    dims = [2, 1000, 3]
    need = C.memory_needed("tensor", dims, "relu", "adam", 0.0, 32, 240, 40000)
    monkeypatch.setattr(C, "memory_limit", lambda: (need, 2 * need))
    C.memory_check("tensor", dims, "relu", "adam", 0.0, 32, 240, 40000)     # exactly at the limit: allowed
    monkeypatch.setattr(C, "memory_limit", lambda: (need - 1, 2 * need))
    with pytest.raises(C.Refused) as e:
        C.memory_check("tensor", dims, "relu", "adam", 0.0, 32, 240, 40000)
    assert f"needs about {C.size(need)}" in str(e.value) and f"limit of {C.size(need - 1)}" in str(e.value)
    assert str(e.value).startswith("--hidden 1000:")


def test_the_cli_refuses_what_the_limit_refuses_before_making_any_data(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(C, "memory_limit", lambda: (10 * 2**20, 20 * 2**20))    # a 20 MiB machine
    monkeypatch.setattr(cli, "load_data", lambda *a: pytest.fail("data made before the memory check"))
    with pytest.raises(SystemExit) as e:
        cli.main(["--hidden", "500", "--out", str(tmp_path / "out")], prog="nn")
    assert e.value.code == 2
    assert "limit of 10.0 MiB (50% of this machine's 20.0 MiB)" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# --- the output folder ----------------------------------------------------------------------------
def test_output_dir_picks_out_or_the_first_free_run_folder(tmp_path):
    assert C.output_dir(tmp_path / "new", ["a.png"]) == tmp_path / "new"
    (tmp_path / "a.png").touch()
    (tmp_path / "run-1").mkdir()
    (tmp_path / "run-2").touch()                                    # a file of that name also takes the number
    assert C.output_dir(tmp_path, ["a.png", "b.svg"]) == tmp_path / "run-3"
    assert C.output_dir(tmp_path, ["b.svg"]) == tmp_path
    assert C.output_dir(tmp_path, ["a.png"], overwrite=True) == tmp_path


def test_prepare_out_creates_and_probes_the_chosen_run_folder(tmp_path, monkeypatch):
    probed = []
    mkstemp = C.tempfile.mkstemp
    monkeypatch.setattr(C.tempfile, "mkstemp", lambda **kw: probed.append(kw["dir"]) or mkstemp(**kw))
    (tmp_path / "loss.png").write_bytes(b"mine")
    folder, made = C.prepare_out(str(tmp_path), NAMES)
    assert folder == made[0] == tmp_path / "run-1" and probed == [folder]
    assert list(folder.iterdir()) == []                              # the probe file is gone


def test_prepare_out_makes_missing_parents_and_remove_folders_undoes_them(tmp_path):
    folder, made = C.prepare_out(str(tmp_path / "a" / "b" / "c"), NAMES)
    assert made == [tmp_path / "a", tmp_path / "a" / "b", folder] and folder.is_dir()
    (tmp_path / "a" / "keep.txt").touch()
    C.remove_folders(made)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a", "keep.txt"]   # a non-empty folder stays


@pytest.mark.parametrize("out, message", [
    ("f", "'f' is a file, not a folder"), ("f/sub/deeper", "'f' is a file, not a folder"),
    ("d/f/x", "'d/f' is a file, not a folder"), ("link", "'link' is a symbolic link to nothing"),
    ("d/loss.png", None)])                                          # a folder is fine if it is new
def test_prepare_out_refuses_paths_through_files_naming_the_file(tmp_path, monkeypatch, out, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "f").touch()
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f").touch()
    (tmp_path / "link").symlink_to(tmp_path / "nowhere")
    before = sorted(tmp_path.rglob("*"))
    if message is None:
        assert C.prepare_out(out, NAMES)[0].is_dir()
        return
    with pytest.raises(C.Refused, match=f"^--out {out}: {message}$"):
        C.prepare_out(out, NAMES)
    assert sorted(tmp_path.rglob("*")) == before


def test_overwrite_refuses_an_output_name_that_is_a_folder(tmp_path):
    (tmp_path / "loss.png").mkdir()
    with pytest.raises(C.Refused, match="loss.png' is not a file, so --overwrite cannot replace it"):
        C.prepare_out(str(tmp_path), NAMES, overwrite=True)
    assert C.prepare_out(str(tmp_path), NAMES)[0] == tmp_path / "run-1"     # without --overwrite: run-1


@pytest.mark.parametrize("err, message", [
    (PermissionError(errno.EACCES, "Permission denied"), "cannot create or write: Permission denied"),
    (OSError(errno.EROFS, "Read-only file system"), "cannot create or write: Read-only file system"),
    (OSError(errno.ENOSPC, "No space left on device"), "No space left on device")])
def test_a_folder_that_takes_no_file_is_refused_and_removed(tmp_path, monkeypatch, err, message):
    """Root writes anywhere, so the probe's failure is simulated here (tests/adversarial/test_cli.py has
    the real thing where the OS refuses even root)."""
    def refuse(**kw):
        raise err
    monkeypatch.setattr(C.tempfile, "mkstemp", refuse)
    with pytest.raises(C.Refused, match=message):
        C.prepare_out(str(tmp_path / "new" / "out"), NAMES)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root ignores permission bits; the probe's failure is simulated above")
def test_a_read_only_folder_is_refused(tmp_path):
    (tmp_path / "ro").mkdir(mode=0o555)
    try:
        with pytest.raises(C.Refused, match="Permission denied"):
            C.prepare_out(str(tmp_path / "ro"), NAMES)
        with pytest.raises(C.Refused, match="Permission denied"):
            C.prepare_out(str(tmp_path / "ro" / "sub"), NAMES)
    finally:
        (tmp_path / "ro").chmod(0o755)


def test_a_path_too_long_for_the_os_is_refused(tmp_path):
    name_max = os.pathconf(tmp_path, "PC_NAME_MAX")
    for out in (tmp_path / ("x" * (name_max + 1)), tmp_path / "/".join(["y" * 200] * 40)):
        with pytest.raises(C.Refused, match="the path is too long for this system"):
            C.prepare_out(str(out), NAMES)
    assert list(tmp_path.iterdir()) == []                           # the 200-character folders made are gone
