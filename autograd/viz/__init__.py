"""Drawing autograd graphs: `draw_graph` builds a graphviz.Digraph, `save_graph` writes SVG/PNG/PDF/DOT.

SVG renders anywhere (system `dot`, else `graphviz-pure`, else a WebAssembly Graphviz from PyPI);
PNG needs the system dot or graphviz-pure, PDF the system dot.
"""
from .backends import GraphvizNotFound, available, render
from .digraph import Digraph
from .dot import draw_graph, save_graph
from .walk import backward_order, forward_order

__all__ = ["draw_graph", "save_graph", "Digraph", "GraphvizNotFound", "render", "available",
           "backward_order", "forward_order"]
