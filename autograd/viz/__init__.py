"""Drawing autograd graphs: `draw_graph` builds a graphviz.Digraph, `save_graph` writes SVG/PNG/PDF/DOT.

SVG renders anywhere (system `dot`, else a WebAssembly Graphviz from PyPI); PNG/PDF need the system dot.
"""
from .dot import draw_graph, save_graph
from .render import Digraph, GraphvizNotFound, render
from .walk import backward_order, forward_order

__all__ = ["draw_graph", "save_graph", "Digraph", "GraphvizNotFound", "render", "backward_order", "forward_order"]
