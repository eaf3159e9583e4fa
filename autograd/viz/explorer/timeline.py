"""The page's data: every node, the forward steps and the backward steps, with every number the engine made.

One timeline, numbered from 0: step 0 shows the leaves; forward step k (1..F) shows the output of the k-th
op in forward (topological) order; backward step F+k runs the k-th vjp call of the recorded pass: the
node's upstream gradient, and for each input the contribution and the running sum of its gradient.
"""
import re
from collections import Counter

import numpy as np

from ...value import Value
from .. import diagnose, style, text
from .capture import Arrays
from .formulas import formula
from .layout import svg_ids

_SPEC = re.compile(r"\.(\d{1,2})([eEfgG])")


def number_format(fmt):
    """{"p": precision, "t": type} for the page's formatter, from a spec like '.4g'."""
    m = _SPEC.fullmatch(fmt) if isinstance(fmt, str) else None
    if m is None:
        raise ValueError(f"explore: fmt={fmt!r}; the page formats numbers in the browser and takes a spec "
                         "'.<digits><type>' with type g, e or f (e.g. '.4g', '.3e', '.2f')")
    return {"p": int(m.group(1)), "t": m.group(2)}


def build(d, seed, steps, collapsed, fmt):
    """The JSON-ready dict of drawing `d` (layout.Layout) and its recorded pass (capture.record)."""
    arrays, index = Arrays(), {id(n): i for i, n in enumerate(d.order)}
    ids, mods = svg_ids(d, collapsed)
    root = index[id(d.root)]
    backward, terms, grads = _backward(steps, index, arrays, d.root)
    grads[root] = seed
    nodes = [_node(d, n, ids[i], arrays, grads.get(i), terms[i], index) for i, n in enumerate(d.order)]
    _keys(nodes)
    members = {}
    for i, n in enumerate(d.order):
        if id(n) in collapsed:
            members.setdefault(ids[i][0], []).append(i)
    return {
        "kind": "value" if isinstance(d.root, Value) else "tensor", "fmt": number_format(fmt), "maxValues": 6,
        "root": root, "seed": arrays.add(seed), "nodes": nodes, "arrays": arrays.encoded,
        "forward": [i for i, n in enumerate(d.order) if n._parents], "backward": backward,
        "modules": {k: {"title": text.clean(f"{m} ({d.types.get(m, '?')})" if m else d.types.get("", "model")),
                        "members": members.get(k, [])} for k, m in mods.items()},
        "legend": [[style.FILL[c], style.LEGEND_TEXT[c]] for c in style.FILL
                   if c in {d.category(n) for n in d.order} or c == "module" and collapsed],
        "flags": {k: style.FLAG[k] for k in style.FLAG},
    }


def _backward(steps, index, arrays, root):
    """The backward steps, the number of gradient terms each node receives, and each node's final gradient."""
    terms = Counter(index[id(p)] for _, sends in steps for _, p, _, fitted, _ in sends if fitted is not None)
    seen, grads, out = Counter(), {}, []
    for node, sends in steps:
        entries = []
        for k, p, raw, fitted, total in sends:
            j = index[id(p)]
            entry = {"to": j, "arg": k}
            if fitted is not None:
                seen[j] += 1
                grads[j] = total
                entry.update(fit=arrays.add(fitted), acc=arrays.add(total), term=seen[j], terms=terms[j])
                if raw is not fitted:
                    entry.update(raw=arrays.add(raw), note=fit_note(raw, p))
            entries.append(entry)
        out.append({"node": index[id(node)], "formula": formula(text.clean(node._op)),
                    "local": arrays.add(_local(node)), "sends": entries})
    return out, terms, grads


def _local(node):
    """d out / d input for each input of a one-number op (the node's own vjp asked with 1), else None."""
    d = diagnose.local_derivatives(node)
    return None if d is None else np.array(d, dtype=np.float64)


def fit_note(raw, parent):
    """What the engine did to a vjp result to fit its input: 'sum back to shape (3,) over axis 0', a cast."""
    raw, shape, notes = np.asarray(raw), parent.data.shape, []
    if raw.shape != shape:
        lead = raw.ndim - len(shape)
        axes = list(range(lead)) + [lead + i for i, n in enumerate(shape) if n == 1 and raw.shape[lead + i] != 1]
        over = f" over axis {axes[0]}" if len(axes) == 1 else f" over axes {tuple(axes)}" if axes else ""
        notes.append(f"sum back to shape {_shape(shape)}{over} (the vjp gave shape {_shape(raw.shape)}: "
                     "broadcasting is undone)")
    if raw.dtype != parent.data.dtype:
        notes.append(f"cast {raw.dtype} -> {parent.data.dtype}")
    return "; ".join(notes)


def _shape(shape):
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _node(d, node, svg, arrays, grad, terms, index):
    flag = d.flags.get(id(node))
    data = node.data
    return {
        "name": text.clean(d.name(node)), "op": text.clean(node._op) if node._parents else "",
        "shape": list(np.shape(data)), "dtype": "float (Value)" if isinstance(node, Value) else str(data.dtype),
        "cat": d.category(node), "rg": bool(node.requires_grad), "svg": svg[0], "opSvg": svg[1],
        "data": arrays.add(data), "grad": arrays.add(grad), "terms": terms,
        "parents": [index[id(p)] for p in node._parents],
        "flag": None if flag is None else {"kind": flag[0], "bad": [int(b) for b in flag[1]], "units": int(flag[2]),
                                           "batch": int(flag[3])},
    }



def _keys(nodes):
    """The key of each node in window.graphgrad.shown(): its name, '#<index>' when unnamed, and
    '<name>#<index>' for names that several nodes share."""
    count = Counter(n["name"] for n in nodes if n["name"])
    for i, n in enumerate(nodes):
        name = n["name"]
        n["key"] = f"#{i}" if not name else name if count[name] == 1 else f"{name}#{i}"
