"""`python -m nn` in a real process, given arguments chosen to break it. A bad argument must be refused
before any data is made: exit code 2, exactly one line on stderr naming the option, nothing on stdout (the
data/model/training lines never appear) and nothing written or left behind in the folder it ran in.
Arguments the CLI accepts by design get a run that shows the documented behaviour.
(The timeouts below only guard against a hang; no test depends on how long anything takes.)"""
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
       "MPLBACKEND": "Agg"}
QUICK = ["--epochs", "1", "--hidden", "8", "--no-progress"]


def nn(cwd, *args):
    """`python -m nn *args` run in cwd with this checkout first on the path."""
    return subprocess.run([sys.executable, "-m", "nn", *args], cwd=cwd, env=ENV, capture_output=True, text=True,
                          timeout=120)


def tree(folder):
    """Every path under folder (hidden ones too), relative, sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def cwd(tmp_path):
    """A folder holding a file, a folder with a file, and a dangling symbolic link."""
    (tmp_path / "afile").write_text("not a folder")
    (tmp_path / "adir").mkdir()
    (tmp_path / "adir" / "inner").write_text("a file inside")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    return tmp_path


def assert_refused(cwd, before, proc, *texts):
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""                                        # no data, model or training line
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("python -m nn: error: "), proc.stderr
    for text in texts:
        assert text in lines[0], (text, lines[0])
    assert tree(cwd) == before                                      # nothing written, nothing left behind


NAME_MAX = os.pathconf("/", "PC_NAME_MAX") if hasattr(os, "pathconf") else 255
REFUSED = [
    # --out
    (["--out", "afile/sub"], ["--out afile/sub: 'afile' is a file, not a folder"]),
    (["--out", "adir/inner/x"], ["'adir/inner' is a file, not a folder"]),
    (["--out", "afile"], ["--out afile: 'afile' is a file, not a folder"]),
    (["--out", "dangling"], ["--out dangling: 'dangling' is a symbolic link to nothing"]),
    (["--out", ""], ["--out", "empty path"]),
    (["--out", "x" * (NAME_MAX + 1)], ["--out", "too long for this system", f"({NAME_MAX + 1} characters)"]),
    (["--out", "/".join(["y" * 200] * 40)], ["--out", "too long for this system"]),
    (["--out", "new/" + "x" * (NAME_MAX + 1)], ["too long"]),        # 'new' is made, then removed again
    # sizes and depth
    (["--hidden", "1000000,1000000"], ["--hidden 1000000,1000000", "TiB of memory", "more than the limit of"]),
    (["--engine", "scalar", "--hidden", "100000,100000"], ["--hidden", "TiB of memory"]),
    (["--hidden", ",".join(["4"] * 101)], ["--hidden", "101 hidden layers; at most 100"]),
    (["--hidden", "9" * 5000], ["--hidden", "more than 18 digits", "(5000 characters)"]),
    (["--hidden", "0"], ["--hidden", "at least 1 unit"]),
    (["--hidden", "-8"], ["--hidden", "comma-separated positive integers"]),
    (["--hidden", "1e3"], ["--hidden", "comma-separated positive integers"]),
    (["--hidden", "8,"], ["--hidden", "comma-separated positive integers"]),
    (["--hidden", "\u0968"], ["--hidden", "comma-separated positive integers"]),     # Devanagari 2
    # counts
    (["--epochs", str(10**30)], ["--epochs", "from 1 to 1,000,000"]),
    (["--epochs", "0"], ["--epochs", "from 1 to 1,000,000, got 0"]),
    (["--epochs", "1e3"], ["--epochs", "'1e3' is not an integer"]),
    (["--epochs", "3", "--epochs", "0"], ["--epochs", "got 0"]),                    # every value is checked
    (["--batch-size", str(10**30)], ["--batch-size", "from 1 to 1,000,000"]),
    (["--seed", "-1"], ["--seed", "from 0 to 18,446,744,073,709,551,615"]),
    (["--seed", str(2**64)], ["--seed", "from 0 to 18,446,744,073,709,551,615"]),
    (["--seed", "9" * 5000], ["--seed", "(5000 characters)"]),
    # rates
    (["--lr", "nan"], ["--lr", "finite number > 0, got nan"]),
    (["--lr", "1e-400"], ["--lr", "got 1e-400"]),                                   # underflows to 0
    (["--reg", "-inf"], ["--reg", "finite number >= 0, got -inf"]),              # a value, not an option
    (["--reg", "-1e-9"], ["--reg", "got -1e-9"]),
    (["--dropout", "nan"], ["--dropout", ">= 0 and < 1"]),
    (["--dropout", "0.99999999999999999"], ["--dropout"]),                         # rounds to 1.0
    # choices, combinations, syntax
    (["--engine", "scalar", "--activation", "maxout"], ["--activation maxout needs --engine tensor"]),
    (["--dataset", "spiral\nmoons"], ["--dataset", "invalid choice"]),
    (["--hidden", "8\n8"], ["--hidden", "'8\\n8'"]),                                # the newline, escaped
    (["--colour", "red\nblue"], ["unrecognized arguments: --colour red\\nblue"]),
    (["--o", "x"], ["ambiguous option: --o"]),                                      # --out, --overwrite, --optimizer
    (["--overwrite=yes"], ["--overwrite", "ignored explicit argument 'yes'"]),
    (["--epochs"], ["--epochs", "expected one argument"]),
]


@pytest.mark.parametrize("argv, texts", REFUSED, ids=[" ".join(a)[:50] for a, _ in REFUSED])
def test_bad_arguments_are_refused_before_anything_runs(cwd, argv, texts):
    before = tree(cwd)
    assert_refused(cwd, before, nn(cwd, *argv), *texts)


@pytest.mark.skipif(not sys.platform.startswith("linux") or not os.path.isdir("/sys/kernel"),
                    reason="needs Linux sysfs, where even root can create nothing")
@pytest.mark.parametrize("out, text", [("/sys/graphgrad-test", "cannot create or write '/sys/graphgrad-test'"),
                                       ("/sys/kernel", "cannot create or write '/sys/kernel/.graphgrad-probe-")])
def test_a_folder_the_os_will_not_create_or_write_is_refused(cwd, out, text):
    before = tree(cwd)
    assert_refused(cwd, before, nn(cwd, "--out", out), f"--out {out}: ", text)
    assert not os.path.exists("/sys/graphgrad-test")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root ignores permission bits; the sysfs test above refuses root instead")
def test_a_read_only_folder_is_refused(cwd):
    (cwd / "ro").mkdir(mode=0o555)
    try:
        before = tree(cwd)
        assert_refused(cwd, before, nn(cwd, "--out", "ro"), "--out ro: ", "Permission denied")
        assert_refused(cwd, before, nn(cwd, "--out", "ro/sub"), "--out ro/sub: ", "Permission denied")
    finally:
        (cwd / "ro").chmod(0o755)


def test_the_run_folder_chosen_is_the_one_checked(cwd):
    """out holds an output file, so the run would go to out/run-1, a dangling link: refused, naming it."""
    (cwd / "out").mkdir()
    (cwd / "out" / "loss.png").write_bytes(b"mine")
    (cwd / "out" / "run-1").symlink_to(cwd / "nowhere")
    before = tree(cwd)
    assert_refused(cwd, before, nn(cwd, *QUICK), "--out out: 'out/run-1' is a symbolic link to nothing")


def test_overwrite_refuses_an_output_name_that_is_a_folder(cwd):
    (cwd / "out" / "loss.png").mkdir(parents=True)
    before = tree(cwd)
    assert_refused(cwd, before, nn(cwd, "--overwrite", *QUICK), "'out/loss.png' is not a file")


def test_the_numbered_fallback_still_skips_taken_names(cwd):
    """out holds an output file and run-1 is a file: the run writes into out/run-2, keeping both."""
    (cwd / "out").mkdir()
    (cwd / "out" / "graph.svg").write_text("mine")
    (cwd / "out" / "run-1").write_text("also mine")
    proc = nn(cwd, *QUICK)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (cwd / "out" / "run-2").iterdir()) == ["decision_regions.png", "graph.html",
                                                                          "graph.svg", "loss.png"]
    assert (cwd / "out" / "graph.svg").read_text() == "mine" and (cwd / "out" / "run-1").read_text() == "also mine"


def test_the_largest_accepted_seed_and_batch_size_run(cwd):
    """--batch-size above the training set's size trains on the whole set: one step per epoch."""
    proc = nn(cwd, "--seed", str(2**64 - 1), "--batch-size", "1000000", "--out", "r", *QUICK)
    assert proc.returncode == 0, proc.stderr
    assert "batches of 1000000" in proc.stdout and (cwd / "r" / "loss.png").is_file()


@pytest.mark.parametrize("argv", [["--reg", "1e300", "--optimizer", "sgd"],
                                  ["--engine", "scalar", "--dataset", "xor", "--lr", "1e308"]])
def test_a_diverging_run_is_reported_once_and_still_writes(cwd, argv):
    proc = nn(cwd, "--out", "r", *argv, *QUICK)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("warning: the loss (or its L2 term) is not finite: training diverged") == 1
    assert "Warning" not in proc.stderr                             # no numpy or Value warnings on top
    assert (cwd / "r" / "graph.svg").is_file()


def test_ctrl_c_during_training_writes_nothing_and_removes_the_new_folder(cwd):
    before = tree(cwd)
    proc = subprocess.Popen([sys.executable, "-m", "nn", "--epochs", "1000000", "--out", "new/out",
                             "--no-progress"], cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True,    # a background shell ignores SIGINT, and children inherit that: undo it
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        lines = [proc.stdout.readline(), proc.stdout.readline()]   # "data ...", then "model ...": training next
        assert lines[1].startswith("model"), lines
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert err.strip() == "interrupted: nothing written" and "accuracy" not in out
    assert tree(cwd) == before                                      # new/ and new/out were made, then removed


def test_help_still_works(cwd):
    proc = nn(cwd, "--help")
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout.startswith("usage: python -m nn") and "refused before any data is made" in proc.stdout
