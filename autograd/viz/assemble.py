"""Laying a drawing out as DOT: nodes in forward order, module clusters or collapsed modules, the legend."""
import graphviz
import numpy as np

from ..value import Value
from . import diagnose, modules, style, text
from .digraph import Digraph

GRAPH = {"fontname": "Helvetica", "nodesep": "0.25", "ranksep": "0.35", "bgcolor": "white"}
NODE = {"fontname": "Helvetica", "fontsize": "10", "shape": "ellipse", "style": "filled",
        "fillcolor": style.OP_FILL, "margin": "0.05,0.02", "height": "0.3"}
EDGE = {"color": style.EDGE, "arrowsize": "0.6", "fontname": "Helvetica", "fontsize": "9"}


def assemble(d, rankdir, collapse, legend, max_nodes):
    """The Digraph of drawing `d` (a dot._Drawing)."""
    owner = modules.attribute(d.order, dict(d.owner), d.is_constant) if d.model is not None else {}
    collapsed = owner if collapse else {}
    _check_size(d, collapsed, max_nodes)
    index = {id(n): i for i, n in enumerate(d.order)}
    g = Digraph(graph_attr={**GRAPH, "rankdir": rankdir}, node_attr=NODE, edge_attr=EDGE)
    mods = {m: k for k, m in enumerate(dict.fromkeys(collapsed.values()))}
    groups, edges, seen = {}, [], set()

    def rep(node, op=False):
        mod = collapsed.get(id(node))
        return f"m{mods[mod]}" if mod is not None else f"{'o' if op else 'n'}{index[id(node)]}"

    for i, node in enumerate(d.order):
        if id(node) in d.folded or id(node) in collapsed:
            continue
        group = groups.setdefault(owner.get(id(node)), [])
        group.append((f"n{i}", d.value_attrs(node)))
        if node._parents:
            group.append((f"o{i}", d.op_attrs(node)))
    for node in d.order:
        if node._parents:
            _edges(d, node, rep, edges, seen)
    for mod, k in mods.items():
        groups.setdefault(None, []).append((f"m{k}", _module_attrs(d, mod, collapsed)))
    _emit(g, d, groups)
    g.body.extend(f"\t{a} -> {b}{_attrs(attrs)}\n" for a, b, attrs in edges)
    if legend:
        g.body.append(f"\tlegend{_attrs(_legend(d, collapsed))}\n")
    return g


def _check_size(d, collapsed, max_nodes):
    drawn = [n for n in d.order if id(n) not in d.folded and id(n) not in collapsed]
    count = len(drawn) + sum(1 for n in drawn if n._parents) + len(set(collapsed.values()))
    if max_nodes is not None and count > max_nodes:
        hint = ("a scalar graph grows with every example and every weight: draw the loss of one example, "
                "or a smaller network" if isinstance(d.root, Value) else
                "pass model= and collapse_modules=True to draw each nn module as one node")
        raise ValueError(f"draw_graph: this graph has {count} nodes to draw, more than max_nodes={max_nodes}; "
                         f"{hint}, or pass max_nodes=None to draw it all (Graphviz gets slow past a few "
                         "thousand nodes).")


def _edges(d, node, rep, edges, seen):
    """input -> op -> output edges of one op node; inside a collapsed module they vanish."""
    op = rep(node, op=True)
    on = id(node) in d.path
    _add(edges, seen, op, rep(node), {"color": style.PATH, "penwidth": "2.5"} if on else {})
    for j, p in enumerate(node._parents):
        if id(p) not in d.folded:
            _add(edges, seen, rep(p), op, d.edge_attrs(p, node, j))


def _add(edges, seen, a, b, attrs):
    """Keep repeated edges (x * x uses x twice), except into or out of a collapsed module."""
    if a == b:
        return
    if a[0] == "m" or b[0] == "m":
        if (a, b) in seen:
            return
        seen.add((a, b))
        attrs.pop("label", None)
    edges.append((a, b, attrs))


def _emit(g, d, groups):
    for k, (mod, nodes) in enumerate(groups.items()):
        lines = [f"\t{name}{_attrs(attrs)}\n" for name, attrs in nodes]
        if mod is None:
            g.body.extend(lines)
            continue
        sub = graphviz.Digraph(name=f"cluster_{k}")
        sub.body.append(f'\tcolor="#a78bfa" fontcolor="#5b21b6" fontsize=10 label="{text.quoted(_title(d, mod))}" '
                        'style="rounded,dashed"\n')    # graphviz's own quoting keeps backslashes as escapes
        sub.body.extend(lines)
        g.subgraph(sub)


def _attrs(attrs):
    """A DOT attribute list: our node names are plain ids, a style.Html label goes in verbatim, all else quoted.

    Written here rather than with graphviz.Digraph.node(): its quoting dominated the time of big graphs.
    """
    if not attrs:
        return ""
    items = [f"{k}={v}" if isinstance(v, style.Html) else f'{k}="{text.quoted(v)}"' for k, v in attrs.items()]
    return f" [{' '.join(items)}]"


def _title(d, mod):
    """A module's cluster title, clean text: 'layers.0 (Linear)'."""
    return text.clean(f"{mod} ({d.types.get(mod, '?')})" if mod else d.types.get("", "model"))


def _module_attrs(d, mod, collapsed):
    """One node for a whole module: its title and its parameters with their gradients."""
    rows, seen = [], set()
    for node in d.order:
        if collapsed.get(id(node)) != mod or id(node) not in d.params:
            continue
        name = d.names[id(node)].split("[")[0]
        if name in seen:
            continue                      # a scalar layer's grid: one row for the whole grid
        seen.add(name)
        rows.append(_param_row(d, node, name))
    flags = [d.flags[id(n)] for n in d.order if collapsed.get(id(n)) == mod and id(n) in d.flags]
    rows += [(style.flag_note(*f), None) for f in flags]
    name, kind = (text.html_label(text.clean(t)) for t in (mod or "model", d.types.get(mod, "")))
    title = f"<b>{name}</b>  {kind}"
    outline = style.PATH if any(collapsed.get(id(n)) == mod for n in d.order if id(n) in d.path) else None
    return {"label": style.module_label(title, rows, style.FILL["module"], outline), "shape": "plain"}


def _param_row(d, node, name):
    """(HTML text, heat) of one parameter of a collapsed module: its short name, size and gradient RMS."""
    short = text.html_label(text.clean(name[len(name.rpartition(".")[0]) + 1:] if "." in name else name))
    if isinstance(node, Value):
        grid = [n for n in d.order if d.names.get(id(n), "").split("[")[0] == name]
        mags = [m for m in (diagnose.grad_magnitude(n) for n in grid) if m is not None]
        mag = float(np.sqrt(np.mean([m * m for m in mags]))) if mags else None     # frozen: no grad to show
        row = f"{short}: {len(grid)} Value{'s' if len(grid) != 1 else ''}"
    else:
        mag = diagnose.grad_magnitude(node)
        row = f"{short} {tuple(node.data.shape)}"
    if mag is not None and d.show_grad:
        row += f"  grad rms {text.html_label(d.f(mag))}"
    return row, d.heat(mag) if d.heat else None


def _legend(d, collapsed):
    """The legend node: a swatch per category drawn, the heat bar, notes on what the highlights mean."""
    cats = {d.category(n) for n in d.order if id(n) not in d.folded and id(n) not in collapsed}
    text = dict(style.LEGEND_TEXT)
    if d.model is None:
        text["parameter"] = "leaf that requires grad"
    swatches = [(style.FILL[c], text[c]) for c in style.FILL if c in cats or c == "module" and collapsed]
    notes = [f'<font color="{colour}">{note}</font>' for note, colour in _notes(d)]
    return {"label": style.legend_label(swatches, d.heat_range if d.heat else None, notes), "shape": "plain"}


def _notes(d):
    notes = []
    if d.steps:
        notes.append(("op 'backward k': the k-th op the backward walk runs", style.BACKWARD))
    if d.derivatives and any(isinstance(n, Value) or np.size(n.data) == 1 for n in d.order if n._parents):
        notes.append(("edge label ×d: local derivative d(out)/d(in), the chain-rule factor", style.DERIVATIVE))
    if d.path:
        notes.append(("blue: every path from the chosen node to the output", style.PATH))
    if d.units_checked:
        notes.append(("red outline: dead ReLU units (0 on every example)", style.FLAG["dead"]))
        notes.append(("orange outline: saturated tanh/sigmoid units", style.FLAG["saturated"]))
    return notes
