"""Drawing autograd graphs: `draw_graph` builds a graphviz.Digraph, `save_graph` writes SVG/PNG/PDF/DOT/HTML,
`explore` builds a page that steps through the forward and backward pass in the browser.

SVG renders anywhere (system `dot`, else `graphviz-pure`, else a WebAssembly Graphviz from PyPI);
PNG needs the system dot or graphviz-pure, PDF the system dot. Every name a drawing shows is user
text: `text.clean` makes it showable (controls visible, cut at 80 characters), then it is escaped for DOT.
"""
from .backends import GraphvizNotFound, available, render
from .digraph import Digraph
from .dot import draw_graph, save_graph
from .explorer import Explorer, explore
from .walk import backward_order, forward_order

__all__ = ["draw_graph", "save_graph", "explore", "Explorer", "Digraph", "GraphvizNotFound", "render", "available",
           "backward_order", "forward_order"]
