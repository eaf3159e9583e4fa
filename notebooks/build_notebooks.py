"""Build the six teaching notebooks from the cell sources below, run them in a real kernel, save them with outputs.

    python notebooks/build_notebooks.py              # build, execute and save all six
    python notebooks/build_notebooks.py 01 04        # only the notebooks whose names start with 01 or 04
    python notebooks/build_notebooks.py --check      # exit 1 if a saved notebook's sources differ from its cells

Every notebook runs in a real Jupyter kernel started on this interpreter (`sys.executable`), in a
scratch working directory, so what is committed is exactly what a reader's kernel prints. The test
suite (tests/notebooks/test_notebooks.py) executes the saved notebooks with the same `execute`.

The notebooks' text and code live in notebooks/src/<name>.py, one percent-format script per notebook
(`# %%` starts a code cell, `# %% [markdown]` a text cell whose lines are comments; a `# %matplotlib`
line is the escaped magic): real Python that linters check and `python notebooks/src/01_neuron.py`
runs. Every claim in them is computed and asserted. This file is the machinery.
"""
import argparse
import hashlib
import os
import re
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
_MAGIC = re.compile(r"^# (%matplotlib\b.*)$")


def md(text):
    """A markdown cell."""
    return nbformat.v4.new_markdown_cell(text)


def code(text):
    """A code cell."""
    return nbformat.v4.new_code_cell(text)


def cells(script):
    """The cells of a percent-format script: `# %%` code cells and `# %% [markdown]` comment cells."""
    out, kind, lines = [], None, []
    for line in script.splitlines() + ["# %%"]:            # a sentinel closes the last cell
        if line.startswith("# %%"):
            if kind is not None:
                out.append(_cell(kind, lines))
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        elif kind is not None:
            lines.append(line)
    return out


def _cell(kind, lines):
    while lines and not lines[-1].strip():
        lines.pop()
    if kind == "markdown":
        return md("\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in lines))
    return code("\n".join(_MAGIC.sub(r"\1", line) for line in lines))


def sources():
    """{notebook name: its cells}, from notebooks/src/*.py in name order."""
    return {p.stem: cells(p.read_text(encoding="utf-8")) for p in sorted(SOURCES.glob("[0-9]*.py"))}


NOTEBOOKS = sources()


def notebook(cells):
    """A v4 notebook of `cells` that names the python3 kernel."""
    nb = nbformat.v4.new_notebook(cells=list(cells))
    for i, cell in enumerate(nb.cells):       # stable ids, so a rebuild only changes what really changed
        cell.id = f"c{i:02d}-{hashlib.sha1(cell.source.encode()).hexdigest()[:8]}"
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    return nb


@contextmanager
def kernel_manager():
    """A KernelManager whose 'python3' kernel is ipykernel on sys.executable, whatever kernels are installed."""
    from ipykernel.kernelspec import write_kernel_spec
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory(prefix="graphgrad-kernel-") as tmp:
        kernels = Path(tmp, "kernels")
        write_kernel_spec(kernels / "python3")             # argv: [sys.executable, -m, ipykernel_launcher, ...]
        ksm = KernelSpecManager(kernel_dirs=[str(kernels)], ensure_native_kernel=False)
        km = KernelManager(kernel_name="python3", kernel_spec_manager=ksm, transport="ipc",
                           connection_file=str(Path(tmp, "kernel.json")))       # ipc: no open TCP ports
        try:
            yield km
        finally:
            if km.has_kernel:              # nbclient leaves a kernel it did not create running: stop ours
                km.shutdown_kernel(now=False)


def execute(nb, workdir, timeout=120, env=None):
    """Run every cell of `nb` in place in a fresh kernel with cwd `workdir`.

    A failing cell raises CellExecutionError."""
    env = dict(os.environ if env is None else env)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")      # the matrices here are tiny: extra BLAS threads only contend (10x slower
                                      # on a busy 2-core machine)
    with kernel_manager() as km:
        client = NotebookClient(nb, km=km, timeout=timeout, kernel_name="python3", record_timing=False,
                                coalesce_streams=True, resources={"metadata": {"path": str(workdir)}})
        client.execute(env=env)
    return nb


def build(name, cells, run=True):
    """Write notebooks/<name>.ipynb from `cells`, executed with outputs when `run`; returns seconds spent running."""
    nb = notebook(cells)
    seconds = 0.0
    if run:
        with tempfile.TemporaryDirectory(prefix="graphgrad-nb-") as work:
            start = time.perf_counter()
            execute(nb, work)
            seconds = time.perf_counter() - start
    for cell in nb.cells:                     # '<Digraph at 0x7f..>' would change on every build
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/plain")
            if text:
                out["data"]["text/plain"] = re.sub(r" at 0x[0-9a-f]+>", ">", text)
    nbformat.validate(nb)
    nbformat.write(nb, HERE / f"{name}.ipynb")
    return seconds


def stale(name, cells):
    """True if the saved notebook's cell sources differ from `cells` (outputs are not compared)."""
    path = HERE / f"{name}.ipynb"
    if not path.exists():
        return True
    saved = nbformat.read(path, as_version=4).cells
    return [(c.cell_type, c.source) for c in saved] != [(c.cell_type, c.source) for c in cells]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="name prefixes, e.g. 01 05")
    parser.add_argument("--no-execute", action="store_true", help="write the notebooks without outputs")
    parser.add_argument("--check", action="store_true", help="only report notebooks out of date with their cells")
    args = parser.parse_args(argv)
    notebooks = {k: v for k, v in NOTEBOOKS.items() if not args.only or k.startswith(tuple(args.only))}
    if args.check:
        bad = [name for name, cells in notebooks.items() if stale(name, cells)]
        print("\n".join(f"out of date: {name}.ipynb" for name in bad) or "all notebooks match their cells")
        return 1 if bad else 0
    for name, cells in notebooks.items():
        seconds = build(name, cells, run=not args.no_execute)
        size = (HERE / f"{name}.ipynb").stat().st_size
        print(f"{name}.ipynb  {seconds:5.1f} s  {size / 1024:6.0f} KiB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
