"""The explorer's picture: root's graph laid out by Graphviz, each value node with a data row and a grad row
that the page rewrites as it steps (the last two texts of the node's SVG group)."""
import re
import xml.etree.ElementTree as ET

import numpy as np

from ...value import Value
from .. import modules, style, text, walk
from ..assemble import assemble
from ..backends import render
from ..dot import Drawing

FREED = ("explore: this Tensor graph was released by backward() (Tensor nodes drop their parents to free "
         "memory), so there is no graph left to step through. Call explore(loss) before loss.backward(), or "
         "backward with loss.backward(retain_graph=True) first. (Value graphs keep their structure.)")
PAD = "&#160;" * 2           # room for partial sums a little longer than the final gradient
# what Graphviz writes in an SVG; anything else (a script, an event handler, a link out) is refused
_TAGS = {"svg", "g", "title", "polygon", "polyline", "ellipse", "path", "text", "defs", "linearGradient",
         "radialGradient", "stop"}
_COMMENT = re.compile(r"<!--.*?-->", re.S)


class Layout(Drawing):
    """A draw_graph drawing (names, categories, folded constants, unit flags) with the explorer's labels."""

    def __init__(self, root, model, inputs, fmt):
        if walk.is_freed(root):
            raise RuntimeError(FREED)
        try:
            super().__init__(root, model, inputs, fmt, False, False, False, True, None, True, 6)
        except RuntimeError as e:
            if str(e) == walk.FREED_MESSAGE:
                raise RuntimeError(FREED) from None
            raise
        self.finals = {}                     # id(node) -> final gradient of the recorded pass

    def title(self, node):
        """Clean text: the name, and for a tensor its shape and dtype."""
        name = text.clean(self.name(node))
        if isinstance(node, Value):
            return name
        return f"{name}  {shape_text(node.data.shape)} {node.data.dtype}".strip()

    def value_attrs(self, node):
        flag = self.flags.get(id(node))
        title = self.title(node)
        rows = [f"<b>{text.html_label(title)}</b>"] if title else []
        rows.append(text.html_label("data " + plain(node.data, self.f)) + PAD)
        grad = ("grad " + plain(self.finals[id(node)], self.f)) if id(node) in self.finals else \
            "grad —" if node.requires_grad else "no grad"
        rows.append(text.html_label(grad) + PAD)
        border = f' border="3" color="{style.FLAG[flag[0]]}"' if flag else ' border="0"'
        body = "".join(f'<tr><td align="left">{r}</td></tr>' for r in rows)
        label = (f'<<table{border} cellborder="1" cellspacing="0" cellpadding="3" '
                 f'bgcolor="{style.FILL[self.category(node)]}">{body}</table>>')
        return {"label": style.Html(label), "shape": "plain"}

    def op_attrs(self, node):
        return {"label": style.op_label(self.op_text(node)), "color": style.OP_LINE}

    def collapsed(self, collapse):
        """{id(node): module name} of the nodes drawn inside a collapsed module ({} without collapse)."""
        if not collapse:
            return {}
        return modules.attribute(self.order, dict(self.owner), self.is_constant)


def shape_text(shape):
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def plain(x, f, max_values=6):
    """Clean text of a number or an array: its values when at most `max_values`, else mean, min and max
    (the page's format.js writes the same)."""
    a = np.asarray(x)
    num = str if a.dtype.kind in "biu" else f
    if a.ndim == 0:
        return num(a.item())
    if a.size <= max_values:
        return _nested(a.tolist(), num)
    ok = a[np.isfinite(a)] if a.dtype.kind == "f" else a.reshape(-1)
    parts = [f"mean {f(ok.mean())}  min {num(ok.min())}  max {num(ok.max())}"] if ok.size else []
    if ok.size < a.size:
        parts.append(f"{a.size - ok.size} nan/inf")
    return "  ".join(parts)


def _nested(values, num):
    if isinstance(values, list):
        return "[" + ", ".join(_nested(v, num) for v in values) + "]"
    return num(values)


def svg_ids(d, collapsed):
    """(value-node id, op-node id) in the SVG for each node of d.order (None: not drawn), and the modules
    {"m0": module name}: assemble's naming, n<i> and o<i>, or m<k> inside a collapsed module."""
    mods = {m: f"m{k}" for k, m in enumerate(dict.fromkeys(collapsed.values()))}
    ids = []
    for i, node in enumerate(d.order):
        mod = collapsed.get(id(node))
        if mod is not None:
            ids.append((mods[mod], mods[mod] if node._parents else None))
        elif id(node) in d.folded:
            ids.append((None, None))
        else:
            ids.append((f"n{i}", f"o{i}" if node._parents else None))
    return ids, {v: k for k, v in mods.items()}


def check_size(d, collapsed, max_nodes):
    """Refuse a page of more than max_nodes drawn nodes (values, ops and collapsed modules), with a hint."""
    drawn = [n for n in d.order if id(n) not in d.folded and id(n) not in collapsed]
    count = len(drawn) + sum(1 for n in drawn if n._parents) + len(set(collapsed.values()))
    if max_nodes is not None and count > max_nodes:
        hint = ("a scalar graph grows with every example and every weight: explore the loss of one example, or "
                "a smaller network" if isinstance(d.root, Value) else
                "pass model= and collapse_modules=True to draw each nn module as one node")
        raise ValueError(f"explore: this graph has {count} nodes to draw, more than max_nodes={max_nodes}; {hint}, "
                         "or pass a larger max_nodes (the page steps smoothly to a few thousand nodes; Graphviz "
                         "takes longer to lay out)")


def draw(d, rankdir, collapse, backend):
    """The SVG text (from its <svg> tag) of the drawing, checked to hold only what Graphviz draws."""
    graph = assemble(d, rankdir, collapse, False, None)
    svg = render(graph.source, "svg", backend).decode("utf-8")
    svg = _COMMENT.sub("", svg[svg.index("<svg"):])
    _check_svg(svg)
    return svg


def _check_svg(svg):
    for el in ET.fromstring(svg).iter():
        tag = el.tag.rsplit("}", 1)[-1]
        bad = [k for k, v in el.attrib.items() if k.lower().startswith("on") or
               (k.endswith("href") and not v.startswith("#"))]
        if tag not in _TAGS or bad:
            raise RuntimeError(f"explore: the Graphviz SVG holds <{tag}> {bad or ''}, which the page does not "
                               "inline; this is a bug, please report it with your Graphviz version")
