"""`draw_graph`: the Graphviz picture of a Value or Tensor graph, built without recursion."""
import gc
from pathlib import Path

import graphviz
import numpy as np

from ..fileio import check_target, write_file
from ..tensor import Tensor
from ..value import Value
from . import diagnose, modules, style, text, walk
from .assemble import assemble
from .backends import render

RANKDIRS = ("LR", "TB", "RL", "BT")
_INFIX = {"+", "-", "*", "/", "**"}


def draw_graph(root, *, model=None, inputs=None, rankdir="LR", fmt=".4g", show_grad=True,
               show_backward=False, grad_heat=False, highlight_units=False, highlight_path=None,
               fold_constants=True, collapse_modules=False, legend=True, max_values=6, max_nodes=500):
    """Draw the graph that computed `root` (a Value or a Tensor) as a graphviz.Digraph; see docs/viz.md."""
    if not isinstance(root, (Value, Tensor)):
        raise TypeError(f"draw_graph: root must be a Value or a Tensor, got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw_graph: rankdir={rankdir!r}; use one of {', '.join(RANKDIRS)}")
    if collapse_modules and model is None:
        raise ValueError("draw_graph: collapse_modules=True needs model= (the nn.Module that built the graph)")
    d = _Drawing(root, model, inputs, fmt, show_grad, show_backward, grad_heat, highlight_units, highlight_path,
                 fold_constants, max_values)
    collect = gc.isenabled()
    gc.disable()          # a big drawing makes millions of small strings; rescanning them costs ~40%
    try:
        return assemble(d, rankdir, collapse_modules, legend, max_nodes)
    finally:
        if collect:
            gc.enable()


def save_graph(root, path, *, overwrite=False, backend="auto", **options):
    """Draw `root` (or take a drawn Digraph) and write .svg (anywhere), .png/.pdf (system dot) or .dot/.gv;
    .html writes the explorer's page (`explore(root, **options)`), stepping through backward in a browser."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("svg", "png", "pdf", "dot", "gv", "html"):
        raise ValueError(f"save_graph: cannot tell the format from {path.name!r}; end it in .svg, .png, .pdf, .dot "
                         "or .html")
    check_target(path, overwrite, "save_graph")        # before drawing: exists, is a folder, no such folder
    if fmt == "html":
        return _save_page(root, path, overwrite, backend, options)
    if isinstance(root, graphviz.Digraph):
        if options:
            raise TypeError(f"save_graph: drawing options {sorted(options)} apply to a node, not a drawn graph")
        graph = root
    else:
        graph = draw_graph(root, **options)
    data = graph.source.encode("utf-8") if fmt in ("dot", "gv") else render(graph.source, fmt, backend)
    write_file(path, lambda fh: fh.write(data), overwrite=overwrite, who="save_graph")   # atomic: never half a file
    return path


def _save_page(root, path, overwrite, backend, options):
    if isinstance(root, graphviz.Digraph):
        raise TypeError("save_graph: an .html page steps through the pass itself, so it needs the node (a Value or "
                        "Tensor), not a drawn Digraph")
    from .explorer import explore                      # (it builds on this module)
    explore(root, backend=backend, **options).save(path, overwrite=overwrite)
    return path


class _Drawing:
    """One drawing: the nodes of root's graph in forward order, with their names, categories and highlights."""

    def __init__(self, root, model, inputs, fmt, show_grad, show_backward, grad_heat, highlight_units,
                 highlight_path, fold_constants, max_values):
        self.root, self.order, self.model, self.f = root, walk.forward_order(root), model, style.formatter(fmt)
        self.show_grad, self.max_values = show_grad, max_values
        self.names, self.owner, self.types = {}, {}, {}
        if model is not None:
            self.names, self.owner = modules.parameter_names(model)
            self.types = modules.module_types(model)
        self.params = set(self.owner)
        self.inputs = _inputs(inputs, self.names)
        self.folded = {id(n) for n in self.order if fold_constants and self.is_constant(n) and n is not root}
        self.path = set() if highlight_path is None else walk.path_nodes(self.order, self.find(highlight_path))
        self.derivatives = show_backward
        self.steps = {id(n): k for k, n in enumerate((n for n in walk.backward_order(root) if n._parents), 1)} \
            if show_backward else {}
        self.units_checked = highlight_units
        self.flags = {id(n): s for n in self.order if (s := diagnose.unit_status(n)) is not None and len(s[1])} \
            if highlight_units else {}
        self.heat, self.heat_range = style.heat_of([diagnose.grad_magnitude(n) for n in self.order]) \
            if grad_heat else (None, None)

    def name(self, node):
        """The raw name (parameter name, inputs= key or label), untrusted: `text.clean` it before showing it."""
        return str(self.names.get(id(node)) or node.label or "")

    def is_constant(self, node):
        """An unnamed one-number leaf that needs no gradient (a Python number lifted into the graph)."""
        return (not node._parents and not node.requires_grad and id(node) not in self.inputs
                and id(node) not in self.names and not node.label and np.size(node.data) == 1)

    def category(self, node):
        if node is self.root:
            return "output"
        if node._parents:
            return "intermediate"
        if id(node) in self.params:
            return "parameter"
        if id(node) in self.inputs or (node.requires_grad and self.model is not None):
            return "input"
        if node.requires_grad:
            return "parameter"
        return "constant" if self.is_constant(node) else "input"

    def find(self, target):
        """The node `highlight_path` names: a node of the graph, or its name."""
        if isinstance(target, str):
            hits = [n for n in self.order if self.name(n) == target]
            if not hits:
                known = sorted({self.name(n) for n in self.order} - {""})
                raise ValueError(f"highlight_path={target!r}: no node has that name; names in this graph: "
                                 f"{', '.join(map(text.clean, known[:20])) or '(none: label nodes or pass model=)'}")
            return hits[0]
        if not any(n is target for n in self.order):
            raise ValueError("highlight_path: that node is not in the graph of root (root does not depend on it)")
        return target

    # --- labels -------------------------------------------------------------------------------
    def value_attrs(self, node):
        fill = style.FILL[self.category(node)]
        heat = self.heat(diagnose.grad_magnitude(node)) if self.heat else None
        flag = self.flags.get(id(node))
        outline = style.PATH if id(node) in self.path else style.FLAG[flag[0]] if flag else None
        if isinstance(node, Value):
            grad = node.grad if self.show_grad and node.requires_grad else None
            note = _scalar_note(flag)
            label = style.scalar_label(self.name(node), node.data, grad, self.f, fill, heat, note, outline)
        else:
            notes = [style.flag_note(*flag)] if flag else []
            label = style.tensor_label(self.name(node), node, self.f, fill, heat, notes, outline,
                                       self.max_values, self.show_grad)
        return {"label": label, "shape": "plain"}

    def op_attrs(self, node):
        on = id(node) in self.path
        return {"label": style.op_label(self.op_text(node), self.steps.get(id(node))),
                "color": style.PATH if on else style.OP_LINE, "penwidth": "2.5" if on else "1"}

    def op_text(self, node):
        """The op name (clean text: a user primitive names it), with folded constants written in: '· * 2'."""
        op, parents = text.clean(node._op), node._parents
        if not any(id(p) in self.folded for p in parents):
            return op
        args = [self.f(np.asarray(p.data).reshape(-1)[0]) if id(p) in self.folded else "·" for p in parents]
        if op in _INFIX and len(args) == 2:
            return f"{args[0]} {op} {args[1]}"
        return f"{op}({', '.join(args)})"

    def edge_attrs(self, parent, node, i):
        attrs = {}
        if id(parent) in self.path and id(node) in self.path:
            attrs.update(color=style.PATH, penwidth="2.5")
        if self.derivatives and (isinstance(node, Value) or np.size(node.data) == 1):
            d = diagnose.local_derivatives(node)
            if d is not None:
                attrs.update(label=f"×{self.f(d[i])}", fontcolor=style.DERIVATIVE)
        return attrs


Drawing = _Drawing          # public for other drawings built on this one (the explorer's layout)


def _inputs(inputs, names):
    """ids of the nodes passed as inputs=; a dict also names them."""
    if inputs is None:
        return set()
    if isinstance(inputs, dict):
        for k, v in inputs.items():
            names[id(v)] = str(k)
        inputs = list(inputs.values())
    if isinstance(inputs, (Value, Tensor)):
        inputs = [inputs]
    bad = [type(x).__name__ for x in inputs if not isinstance(x, (Value, Tensor))]
    if bad:
        raise TypeError(f"draw_graph: inputs= takes Value/Tensor nodes (a list, or a dict name -> node), got {bad[0]}")
    return {id(x) for x in inputs}


def _scalar_note(flag):
    if flag is None:
        return None
    text = "ReLU off: no gradient passes" if flag[0] == "dead" else "saturated: slope < 5% of peak"
    return f'<font color="{style.FLAG[flag[0]]}">{text}</font>'
