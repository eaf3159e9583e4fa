"""Execute every teaching notebook top to bottom in a real Jupyter kernel; a failing cell (every claim
in them is an assert) fails its test. Deselect with `pytest -m "not notebooks"`.

The kernel is ipykernel on this interpreter (a kernelspec written to a temp dir, whatever kernels are
installed), started in a scratch working directory with MPLBACKEND=Agg; the notebooks' `%matplotlib inline`
renders through Agg as well, so nothing needs a display.
"""
import importlib.util
import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
EXPECTED = ["01_neuron", "02_backprop_graph", "03_scalars_to_tensors", "04_capacity",
            "05_training_dynamics", "06_digits"]
HANG_GUARD = 600     # seconds a single cell may run before the test gives up (a hang guard, not a speed claim)

pytestmark = pytest.mark.notebooks


def _builder():
    spec = importlib.util.spec_from_file_location("build_notebooks", NOTEBOOKS / "build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _builder()


def present():
    return [name for name in EXPECTED if (NOTEBOOKS / f"{name}.ipynb").exists()]


@pytest.mark.parametrize("name", present())
def test_notebook_executes(name, tmp_path):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    build.execute(nb, tmp_path, timeout=HANG_GUARD, env={**os.environ, "MPLBACKEND": "Agg"})   # a failing cell raises


@pytest.mark.parametrize("name", present())
def test_notebook_matches_its_cells(name):
    """The committed notebook was built from notebooks/src/<name>.py (rebuild it if this fails)."""
    assert not build.stale(name, build.NOTEBOOKS[name]), \
        f"{name}.ipynb is out of date: run `python notebooks/build_notebooks.py {name[:2]}`"


def test_a_failing_claim_fails_the_run(tmp_path):
    """The harness can go red: a cell whose assert is false stops execution with CellExecutionError."""
    from nbclient.exceptions import CellExecutionError
    nb = build.notebook([build.code("import autograd as ag\nx = ag.grad(lambda v: v * v)(3.0)"),
                         build.code("assert x == 7.0, 'd(x^2)/dx at 3 is 6, not 7'"),
                         build.code("raise SystemExit('never reached')")])
    with pytest.raises(CellExecutionError, match="not 7"):
        build.execute(nb, tmp_path, timeout=HANG_GUARD, env={**os.environ, "MPLBACKEND": "Agg"})
    assert nb.cells[0].execution_count == 1 and nb.cells[2].execution_count is None


def test_all_six_notebooks_exist():
    assert present() == EXPECTED, f"missing notebooks: {sorted(set(EXPECTED) - set(present()))}"



def test_percent_scripts_parse_into_cells():
    cells = build.cells('"""doc"""\n# %% [markdown]\n# # Title\n#\n# text\n\n# %%\n# %matplotlib inline\nx = 1\n\n')
    assert [(c.cell_type, c.source) for c in cells] == [("markdown", "# Title\n\ntext"),
                                                        ("code", "%matplotlib inline\nx = 1")]
