"""`explore(root)`: step through the forward and backward pass of root's graph in the browser.

The page is one self-contained HTML file (Graphviz's SVG, the numbers as JSON, a small script; nothing
loaded from anywhere). Its numbers come from one backward pass recorded by the engine itself
(`engine.record_backward`), so they are the engine's, and no `.grad` of yours changes. See docs/viz.md.
"""
import gc
import html
from pathlib import Path

from ...fileio import write_file
from ...tensor import Tensor
from ...value import Value
from ..dot import RANKDIRS
from ..walk import is_freed
from . import capture, layout, page, timeline

OPTIONS = ("model", "inputs", "rankdir", "fmt", "collapse_modules", "max_nodes", "backend", "height")


def explore(root, *, model=None, inputs=None, rankdir="LR", fmt=".4g", collapse_modules=False, max_nodes=2000,
            backend="auto", height=640, **other):
    """A page that steps through root's forward and backward pass (inline in Jupyter, `.save(path)`)."""
    _check(root, rankdir, collapse_modules, model, other)
    timeline.number_format(fmt)                        # before any work: a bad fmt is a quick error
    collect = gc.isenabled()
    gc.disable()                                       # many small objects, none cyclic (as draw_graph)
    try:
        d = layout.Layout(root, model, inputs, fmt)
        collapsed = d.collapsed(collapse_modules)
        layout.check_size(d, collapsed, max_nodes)
        seed, steps, d.finals = capture.record(root, d.order)
        data = timeline.build(d, seed, steps, collapsed, fmt)
        svg = layout.draw(d, rankdir, collapse_modules, backend)
    finally:
        if collect:
            gc.enable()
    title = data["nodes"][data["root"]]["name"] or "graph"
    return Explorer(page.build(f"graphgrad explorer: {title}", svg, data), len(d.order),
                    len(data["forward"]) + len(data["backward"]), height)


def _check(root, rankdir, collapse_modules, model, other):
    if other:
        raise TypeError(f"explore: unknown option(s) {', '.join(sorted(other))}; the explorer takes "
                        f"{', '.join(OPTIONS)} (draw_graph's show_grad, show_backward, grad_heat, highlight_units "
                        "and highlight_path are what its steps and clicks show)")
    if not isinstance(root, (Value, Tensor)):
        raise TypeError(f"explore: root must be a Value or a Tensor, got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"explore: rankdir={rankdir!r}; use one of {', '.join(RANKDIRS)}")
    if collapse_modules and model is None:
        raise ValueError("explore: collapse_modules=True needs model= (the nn.Module that built the graph)")
    if not root.requires_grad:
        raise ValueError("explore: root does not require grad (it was computed under no_grad(), or from inputs "
                         "that need no gradient), so there is no backward pass to show")
    if not root._parents and not is_freed(root):
        raise ValueError("explore: root is a leaf (no op computed it), so there is nothing to step through")


class Explorer:
    """A self-contained HTML page stepping through one forward and backward pass; shows inline in Jupyter."""

    def __init__(self, html_text, nodes, steps, height=640):
        self.html, self.nodes, self.steps, self.height = html_text, nodes, steps, int(height)

    def save(self, path, overwrite=False):
        """Write the page to `path` (atomic; an existing file is replaced only with overwrite=True)."""
        data = self.html.encode("utf-8")
        write_file(path, lambda fh: fh.write(data), overwrite=overwrite, who="explore")
        return Path(path)

    def _repr_html_(self):
        """The page in a sandboxed iframe (scripts only: no access to the notebook's page, no same origin)."""
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" sandbox="allow-scripts" '
                f'style="width: 100%; height: {self.height}px; border: 1px solid #d6d3d1; border-radius: 4px" '
                f'title="graphgrad explorer"></iframe>')

    def __repr__(self):
        return f"<autograd explorer: {self.nodes} nodes, {self.steps} steps; .save('graph.html') to keep it>"


__all__ = ["explore", "Explorer"]
