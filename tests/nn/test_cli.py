"""The main job `python -m nn`: the default run, every option family, bad arguments, and no silent overwrites."""
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from nn import cli, cli_graph

ROOT = Path(__file__).resolve().parents[2]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
QUICK = ["--epochs", "2", "--no-progress"]


def run(cwd, *args, timeout=120):
    """`python -m nn *args` in cwd, importing this checkout; the CompletedProcess with text output."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-m", "nn", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def assert_png(path):
    blob = path.read_bytes()
    assert blob[:8] == PNG_MAGIC, f"{path} is not a PNG"
    assert len(blob) > 5000, f"{path} is only {len(blob)} bytes"


def assert_svg(path):
    root = ET.parse(path).getroot()
    assert root.tag.rsplit("}", 1)[-1] == "svg"
    assert len(list(root.iter())) > 20, f"{path} draws almost nothing"


def accuracies(stdout):
    m = re.search(r"accuracy\s+train ([\d.]+)% .*validation ([\d.]+)%", stdout)
    assert m, f"no accuracy line in:\n{stdout}"
    return float(m.group(1)) / 100, float(m.group(2)) / 100


# --- the default run ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("default")
    return cwd, run(cwd)


def test_default_run_trains_the_spiral_well(default_run):
    _, proc = default_run
    assert proc.returncode == 0, proc.stderr
    train, val = accuracies(proc.stdout)
    assert train >= 0.95 and val >= 0.85
    assert "spiral" in proc.stdout and "603 parameters" in proc.stdout    # 2*100 + 100 + 100*3 + 3
    assert "epoch" in proc.stderr                                          # the progress bar


def test_default_run_writes_real_png_and_svg(default_run):
    cwd, proc = default_run
    out = cwd / "out"
    assert sorted(p.name for p in out.iterdir()) == ["decision_regions.png", "graph.html", "graph.svg", "loss.png"]
    assert_png(out / "decision_regions.png")
    assert_png(out / "loss.png")
    assert_svg(out / "graph.svg")
    assert "out/graph.svg" in proc.stdout.replace(os.sep, "/")


# --- never overwrite ----------------------------------------------------------------------------
def test_existing_files_are_kept_and_the_run_goes_to_a_numbered_subfolder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "loss.png").write_bytes(b"mine")
    proc = run(tmp_path, *QUICK)
    assert proc.returncode == 0, proc.stderr
    assert (out / "run-1" / "graph.svg").is_file() and "run-1" in proc.stdout
    assert cli.main(["--out", str(out), *QUICK]) == 0                  # the next run, in-process
    assert_png(out / "run-2" / "loss.png")
    assert (out / "loss.png").read_bytes() == b"mine"
    assert not (out / "graph.svg").exists()


def test_overwrite_replaces_in_place(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "loss.png").write_bytes(b"mine")
    assert cli.main(["--overwrite", "--out", str(out), *QUICK]) == 0
    assert_png(out / "loss.png")
    assert not (out / "run-1").exists()


# --- options ------------------------------------------------------------------------------------
def test_every_option_family_in_one_short_run(tmp_path):
    proc = run(tmp_path, "--dataset", "moons", "--hidden", "8,6", "--activation", "tanh", "--reg", "0.001",
               "--dropout", "0.1", "--lr", "0.05", "--optimizer", "momentum", "--epochs", "3", "--batch-size", "16",
               "--engine", "tensor", "--seed", "3", "--out", "results", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    for text in ("moons", "2 -> 8 -> 6 -> 2", "tanh", "dropout 0.1", "momentum lr 0.05", "L2 0.001", "3 epochs",
                 "batches of 16", "tensor engine", "92 parameters"):                  # 24 + 54 + 14
        assert text in proc.stdout
    assert "epoch" not in proc.stderr                                             # --no-progress: no bar
    assert_png(tmp_path / "results" / "decision_regions.png")
    accuracies(proc.stdout)


def test_the_seed_makes_runs_repeatable(tmp_path, capsys):
    def once(seed, out):
        assert cli.main(["--dataset", "xor", "--seed", seed, "--out", str(tmp_path / out), *QUICK]) == 0
        return capsys.readouterr().out.split("accuracy")[1].splitlines()[0]
    assert once("7", "a") == once("7", "b")


def test_digits_writes_a_confusion_matrix_instead_of_regions(tmp_path):
    proc = run(tmp_path, "--dataset", "digits", "--hidden", "32", "--epochs", "3", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert "64 features, 10 classes" in proc.stdout
    assert accuracies(proc.stdout)[1] > 0.8
    assert_png(tmp_path / "out" / "confusion_matrix.png")
    assert not (tmp_path / "out" / "decision_regions.png").exists()


def test_scalar_engine_trains_values_with_small_defaults(tmp_path):
    proc = run(tmp_path, "--engine", "scalar", "--dataset", "xor", "--hidden", "4", "--epochs", "2", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert "scalar engine" in proc.stdout and "2 -> 4 -> 2" in proc.stdout
    assert_svg(tmp_path / "out" / "graph.svg")
    args = cli.parse_args(["--engine", "scalar"])
    assert (args.hidden, args.epochs) == (cli.SCALAR["hidden"], cli.SCALAR["epochs"])


def test_scalar_budget_subsamples_and_warns(capsys):
    args = cli.parse_args(["--engine", "scalar", "--dataset", "digits", "--epochs", "500"])
    Xtr, _, ytr, _ = cli.load_data("digits", 0)
    X, y = cli.scalar_budget(args, cli.build_model(args, 64, 10), Xtr, ytr)
    assert len(X) == len(y) == cli.SCALAR["examples"]
    out = capsys.readouterr().out
    assert "300 of the" in out and "warning" in out


@pytest.mark.parametrize("dataset, activation, optimizer", [
    ("spiral", "relu", "sgd"), ("circles", "tanh", "momentum"), ("blobs", "sigmoid", "rmsprop"),
    ("xor", "leaky_relu", "adam"), ("moons", "prelu", "sgd"), ("spiral", "maxout", "rmsprop")])
def test_main_in_process_for_activations_optimizers_and_datasets(tmp_path, capsys, dataset, activation, optimizer):
    code = cli.main(["--dataset", dataset, "--activation", activation, "--optimizer", optimizer, "--hidden", "8",
                     "--epochs", "1", "--no-progress", "--out", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert activation in out and optimizer in out
    accuracies(out)
    assert_svg(tmp_path / "graph.svg")


def test_options_reach_the_model_and_the_optimizer():
    import nn
    args = cli.parse_args(["--activation", "maxout", "--dropout", "0.25", "--hidden", "5,4", "--optimizer", "momentum"])
    model = cli.build_model(args, 2, 3)
    assert isinstance(model.layers[0], nn.Maxout) and model.sizes == [5, 4, 3] and model.dropout.p == 0.25
    assert isinstance(cli.build_model(cli.parse_args(["--activation", "prelu"]), 2, 3).acts[0], nn.PReLU)
    opt = cli.OPTIMIZERS[args.optimizer](model.parameters(), args.lr)
    assert isinstance(opt, nn.optim.SGD) and opt.momentum == 0.9 and opt.lr == cli.LEARNING_RATES["momentum"]
    assert isinstance(cli.build_model(cli.parse_args(["--engine", "scalar"]), 2, 3), nn.scalar.MLP)


# --- the drawn training step -----------------------------------------------------------------------
GRAPH_LINE = re.compile(r"graph +one training step on the first 4 training examples: loss ([\d.e+-]+) = "
                        r"cross-entropy ([\d.e+-]+) \+ L2 term ([\d.e+-]+)")


def page_data(path):
    text = path.read_text(encoding="utf-8")
    return json.loads(re.search(r'id="gg-data">(.*?)</script>', text, re.S).group(1))


def test_the_printed_loss_is_the_drawn_root_with_a_named_l2_term(tmp_path, capsys):
    assert cli.main(["--out", str(tmp_path), "--hidden", "8", "--reg", "0.01", *QUICK]) == 0
    m = GRAPH_LINE.search(capsys.readouterr().out)
    assert m, "no graph line"
    loss, ce, l2 = map(float, m.groups())
    assert loss == pytest.approx(ce + l2, rel=1e-5)
    data = page_data(tmp_path / "graph.html")
    nodes = {n["key"]: n for n in data["nodes"]}
    root = data["nodes"][data["root"]]
    assert root["key"] == "loss" and data["arrays"][root["data"]]["v"][0] == pytest.approx(loss, rel=1e-5)
    assert data["arrays"][nodes["cross-entropy"]["data"]]["v"][0] == pytest.approx(ce, rel=1e-5)
    assert data["arrays"][nodes["0.01 x L2 penalty"]["data"]]["v"][0] == pytest.approx(l2, rel=1e-5)
    svg = (tmp_path / "graph.svg").read_text(encoding="utf-8")
    assert ">loss" in svg and ">L2 penalty" in svg


def test_graph_step_is_cross_entropy_plus_reg_times_the_sum_of_squares():
    from autograd import Tensor
    args = cli.parse_args(["--reg", "0.5", "--hidden", "5"])
    Xtr, _, ytr, _ = cli.load_data("moons", 1)
    model = cli.build_model(args, 2, 2)
    loss, data_term, l2, x = cli_graph.graph_step(args, model, Xtr, ytr)
    logits = model(Tensor(Xtr[:4])).data
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    ce = -np.mean(np.log(p[np.arange(4), ytr[:4]] / p.sum(axis=1)))
    squares = sum(float(np.sum(q.data ** 2)) for q in model.parameters())
    assert float(data_term.data) == pytest.approx(ce, rel=1e-12)
    assert float(l2.data) == pytest.approx(0.5 * squares, rel=1e-12)
    assert float(loss.data) == pytest.approx(ce + 0.5 * squares, rel=1e-12)
    assert loss.label == "loss" and "L2 penalty" in [q.label for q in l2._parents]


def test_animate_writes_the_gif_and_trains_the_same_model(tmp_path, capsys):
    from PIL import Image
    argv = ["--dataset", "moons", "--hidden", "8", "--epochs", "3", "--no-progress"]
    assert cli.main([*argv, "--out", str(tmp_path / "plain")]) == 0
    plain = capsys.readouterr().out
    assert cli.main([*argv, "--out", str(tmp_path / "anim"), "--animate"]) == 0
    animated = capsys.readouterr().out
    assert accuracies(plain) == accuracies(animated)          # the same training, in slices
    gif = Image.open(tmp_path / "anim" / "training.gif")
    assert gif.format == "GIF" and gif.n_frames == 4           # the start and after each of 3 epochs
    assert "training.gif" in animated and not (tmp_path / "plain" / "training.gif").exists()


def test_graph_falls_back_to_webassembly_graphviz_without_a_system_dot(tmp_path, monkeypatch, capsys):
    from autograd.viz import backends
    monkeypatch.setattr(backends, "dot_executable", lambda: None)
    monkeypatch.setattr(backends, "pure_executable", lambda: None)
    assert backends.available() == ["wasm"]
    assert cli.main(["--out", str(tmp_path), "--hidden", "8", *QUICK]) == 0
    assert "skipped" not in capsys.readouterr().out
    assert_svg(tmp_path / "graph.svg")


def test_no_graphviz_at_all_skips_the_svg_with_a_note(tmp_path, monkeypatch, capsys):
    from autograd.viz import backends
    monkeypatch.setattr(backends, "available", lambda: [])
    assert cli.main(["--out", str(tmp_path), "--hidden", "8", *QUICK]) == 0
    out = capsys.readouterr().out
    assert "note: graph.svg skipped" in out and "note: graph.html skipped" in out
    assert not (tmp_path / "graph.svg").exists() and not (tmp_path / "graph.html").exists()
    assert_png(tmp_path / "loss.png")


def test_without_matplotlib_the_pngs_are_skipped_with_a_note(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)                   # import now fails
    assert cli.main(["--out", str(tmp_path), "--hidden", "8", *QUICK]) == 0
    assert "note: PNG plots skipped" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.html", "graph.svg"]


def test_help_documents_the_options_the_overwrite_rule_and_the_refusals(tmp_path):
    proc = run(tmp_path, "--help")
    assert proc.returncode == 0
    for text in ("--dataset", "digits", "maxout", "--engine", "run-1", "--overwrite", "never overwritten",
                 "exit code 2", f"--epochs 1 to {cli.MAX_EPOCHS:,}", f"at most {cli.MAX_DEPTH} hidden",
                 "probe file", "50% of physical memory"):
        assert text in " ".join(proc.stdout.split()), text       # the epilog wraps lines


# --- interrupted or failed runs -----------------------------------------------------------------
def _raise(error):
    def train(*args, **kwargs):
        raise error
    return train


@pytest.mark.parametrize("existing", [False, True], ids=["new folder", "existing folder"])
def test_an_interrupted_run_writes_nothing_and_removes_the_folders_it_made(tmp_path, monkeypatch, capsys,
                                                                           existing):
    out = tmp_path / "a" / "b"
    if existing:
        out.mkdir(parents=True)
    monkeypatch.setattr(cli, "train", _raise(KeyboardInterrupt))
    assert cli.main(["--out", str(out), *QUICK]) == 130
    assert "interrupted: nothing written" in capsys.readouterr().err
    assert list(tmp_path.rglob("*")) == ([tmp_path / "a", out] if existing else [])


def test_a_failed_run_removes_the_folders_it_made_and_raises(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "train", _raise(RuntimeError("boom")))
    with pytest.raises(RuntimeError, match="boom"):
        cli.main(["--out", str(tmp_path / "a" / "b"), *QUICK])
    assert list(tmp_path.iterdir()) == []


# --- bad arguments ------------------------------------------------------------------------------
BAD = [
    (["--dataset", "mnist"], "invalid choice: 'mnist'"),
    (["--activation", "swish"], "invalid choice: 'swish'"),
    (["--optimizer", "lbfgs"], "invalid choice: 'lbfgs'"),
    (["--engine", "gpu"], "invalid choice: 'gpu'"),
    (["--lr", "-0.1"], "--lr: must be a finite number > 0"),
    (["--lr", "0"], "--lr: must be a finite number > 0"),
    (["--lr", "1e-400"], "--lr: must be a finite number > 0"),              # rounds to 0.0
    (["--lr", "nan"], "--lr: must be a finite number > 0"),
    (["--lr", "inf"], "--lr: must be a finite number > 0"),
    (["--lr", "fast"], "--lr: 'fast' is not a number"),
    (["--reg", "-1e-3"], "--reg: must be a finite number >= 0"),
    (["--reg", "1e999"], "--reg: must be a finite number >= 0"),            # overflows to inf
    (["--reg", "-inf"], "--reg: must be a finite number >= 0, got -inf"),   # a value, not an unknown option
    (["--dropout", "1"], "--dropout: must be a finite number >= 0 and < 1"),
    (["--dropout", "-0.2"], "--dropout: must be a finite number >= 0 and < 1"),
    (["--dropout", "nan"], "--dropout: must be a finite number >= 0 and < 1"),
    (["--hidden", "0"], "at least 1 unit"),
    (["--hidden", "100,0"], "at least 1 unit"),
    (["--hidden", "100,,10"], "comma-separated positive integers"),
    (["--hidden", "ten"], "comma-separated positive integers"),
    (["--hidden", "-5"], "comma-separated positive integers"),
    (["--hidden", "1e3"], "comma-separated positive integers"),
    (["--hidden", ""], "comma-separated positive integers"),
    (["--hidden", ",".join(["2"] * 101)], "101 hidden layers; at most 100"),
    (["--hidden", "9" * 19], "a width of more than 18 digits"),
    (["--hidden", "1000000,1000000"], "TiB of memory"),                     # 10**12 weights: 7.3 TiB each copy
    (["--engine", "scalar", "--hidden", "100000,100000"], "TiB of memory"),
    (["--epochs", "0"], "--epochs: must be an integer from 1 to 1,000,000, got 0"),
    (["--epochs", str(10**30)], "--epochs: must be an integer from 1 to 1,000,000"),
    (["--epochs", "2.5"], "--epochs: '2.5' is not an integer"),
    (["--epochs", "\u0661\u0662"], "is not an integer"),                    # Arabic-Indic digits: ASCII only
    (["--batch-size", "0"], "--batch-size: must be an integer from 1"),
    (["--batch-size", str(10**30)], "--batch-size: must be an integer from 1 to 1,000,000"),
    (["--seed", "-1"], "--seed: must be an integer from 0 to"),
    (["--seed", str(2**64)], "--seed: must be an integer from 0 to 18,446,744,073,709,551,615"),
    (["--seed", "9" * 5000], "(5000 characters)"),                          # past int()'s 4300-digit limit
    (["--engine", "scalar", "--activation", "maxout"], "needs --engine tensor"),
    (["--dataset", "digits", "--animate"], "--animate draws decision regions in the plane"),
    (["--out", "afile"], "--out afile: 'afile' is a file, not a folder"),
    (["--out", "afile/sub"], "--out afile/sub: 'afile' is a file, not a folder"),
    (["--out", ""], "--out: an empty path"),
    (["--out", "a\0b"], "contains a NUL byte"),                               # only in-process: argv has no NULs
    (["--out", "x" * 5000], "the path is too long for this system"),
    (["--epochs"], "expected one argument"),
    (["--colour"], "unrecognized arguments: --colour"),
]


# one case of each kind through a real process (exit status, stderr, no traceback); all of them in-process
KINDS = ["--dataset mnist", "--lr -0.1", "--reg -1e-3", "--dropout 1", "--hidden 0", "--hidden 100,,10",
         "--engine scalar --activation maxout", "--out afile", "--out afile/sub", "--hidden 1000000,1000000"]


KIND_CASES = [case for case in BAD if " ".join(case[0]) in KINDS]


@pytest.mark.parametrize("argv, message", KIND_CASES, ids=[" ".join(a) for a, _ in KIND_CASES])
def test_bad_arguments_give_one_line_and_exit_2(tmp_path, argv, message):
    (tmp_path / "afile").write_text("not a folder")
    proc = run(tmp_path, *argv, timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr
    assert lines[0].startswith("python -m nn: error:")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv, message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_arguments_in_process_exit_2_with_one_line(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("not a folder")
    with pytest.raises(SystemExit) as e:
        cli.main(argv, prog="graphgrad")
    assert e.value.code == 2
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("graphgrad: error:") and message in err
    assert out == ""                                                  # no data or model line: nothing ran
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]    # no folder made, not even ./out


def test_an_activation_the_scalar_engine_lacks_is_refused_before_training(capsys):
    with pytest.raises(SystemExit) as e:
        cli.parse_args(["--engine", "scalar", "--activation", "gelu"])
    assert e.value.code == 2 and "needs --engine tensor" in capsys.readouterr().err


def test_blas_threads_limits_numpy_or_names_the_extra(capsys):
    from nn import threads
    with pytest.raises(SystemExit) as e:
        cli.parse_args(["--blas-threads", "0"])                # out of range: refused like every option
    assert e.value.code == 2
    capsys.readouterr()
    if not threads.available():
        with pytest.raises(SystemExit) as e:
            cli.parse_args(["--blas-threads", "1"])
        assert e.value.code == 2 and "graphgrad[threads]" in capsys.readouterr().err
        return
    from threadpoolctl import threadpool_info
    assert cli.parse_args(["--blas-threads", "1"]).blas_threads == 1
    with threads.blas_threads(1):
        assert all(i["num_threads"] == 1 for i in threadpool_info() if i["user_api"] == "blas")
