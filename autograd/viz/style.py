"""Colours, number formats and the HTML-like Graphviz labels of value nodes, op nodes and the legend."""
import numpy as np

from .text import clean, html_label

FILL = {
    "input": "#dbeafe",        # data fed in
    "parameter": "#dcfce7",    # learnable leaves
    "constant": "#f3f4f6",     # numbers that need no gradient
    "output": "#fde68a",       # the root: usually the loss
    "intermediate": "#ffffff",
    "module": "#ede9fe",       # a collapsed nn module
}
LEGEND_TEXT = {
    "input": "input", "parameter": "parameter", "constant": "constant",
    "output": "output (root)", "intermediate": "intermediate result", "module": "nn module (collapsed)",
}
OP_FILL, OP_LINE = "#f5f5f4", "#78716c"
EDGE, PATH = "#6b7280", "#2563eb"
FLAG = {"dead": "#dc2626", "saturated": "#ea580c"}
BACKWARD, DERIVATIVE = "#1d4ed8", "#9a3412"
MAX_NUMBER = 32            # characters one formatted number may take in a label
HEAT = ["#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#54278f", "#3f007d"]  # ColorBrewer Purples


class Html(str):
    """An HTML-like label built here (user text inside escaped): DOT takes it verbatim, any other value is quoted."""


def formatter(fmt):
    """A number -> label text function (clean text, not yet escaped) from a format spec like '.4g' or a function.

    A spec is checked now on 1.5: it must format a float into at most MAX_NUMBER characters a label can
    show ('>1000' and a newline fill are refused). A value whose text is longer still (1e40 with '.3f')
    is written with '.6g' instead, so no digits are cut. A function's text is cleaned and cut at MAX_NUMBER.
    """
    if callable(fmt):
        return lambda x: _call(fmt, x)
    try:
        probe = format(1.5, fmt)
    except (TypeError, ValueError):
        raise ValueError(f"draw_graph: fmt={fmt!r} is not a float format spec; use e.g. '.4g', '.3f', '.2e', "
                         "or pass a function of one number") from None
    if len(probe) > MAX_NUMBER:
        raise ValueError(f"draw_graph: fmt={fmt!r} writes 1.5 as {len(probe)} characters, more than the "
                         f"{MAX_NUMBER} a number may take in a label; use a smaller width or precision (e.g. '.4g')")
    if clean(probe) != probe:
        raise ValueError(f"draw_graph: fmt={fmt!r} writes 1.5 as {probe!r}, with characters a label cannot show "
                         "as they are (controls, bidi overrides, surrogates); use a printable fill character")
    return lambda x: _spec(x, fmt)


def _spec(x, fmt):
    out = format(float(x), fmt)
    return out if len(out) <= MAX_NUMBER else format(float(x), ".6g")


def _call(fmt, x):
    """fmt(x), checked: a str, cleaned and cut at MAX_NUMBER characters."""
    try:
        out = fmt(x)
    except Exception as e:
        raise ValueError(f"draw_graph: fmt={fmt!r} raised {type(e).__name__}: {e} on the number {x}; a fmt "
                         "function must turn every float (nan and inf too) into a str") from e
    if not isinstance(out, str):
        raise TypeError(f"draw_graph: fmt={fmt!r} returned {type(out).__name__} {out!r:.40} for the number {x}; "
                        "a fmt function must return a str")
    return clean(out, MAX_NUMBER)


def summary(data, f, max_values=6):
    """HTML text: the values when there are at most `max_values`, else mean/min/max (and a count of nan/inf)."""
    a = np.asarray(data)
    if a.size == 0:
        return "empty"
    num = str if a.dtype.kind in "biu" else lambda v: html_label(f(v))
    if a.size <= max_values:
        if a.ndim <= 1:                               # the common case, without array2string's overhead
            text = ", ".join(num(v) for v in a.reshape(-1).tolist())
            return text if a.ndim == 0 else f"[{text}]"
        text = np.array2string(a, separator=", ", formatter={"all": num}, max_line_width=10**6)
        return " ".join(text.split())
    finite = a[np.isfinite(a)] if a.dtype.kind == "f" else a
    parts = []
    if finite.size:
        parts.append(f"mean {html_label(f(finite.mean()))}  min {num(finite.min())}  max {num(finite.max())}")
    if finite.size < a.size:
        parts.append(f'<font color="{FLAG["dead"]}">{a.size - finite.size} nan/inf</font>')
    return "  ".join(parts)


def _table(rows, fill, outline=None, thick=False):
    line = f' color="{outline}"' if outline else ""
    border = 3 if thick else 0
    body = "".join(f"<tr>{r}</tr>" for r in rows)
    return Html(f'<<table border="{border}"{line} cellborder="1" cellspacing="0" cellpadding="4" '
                f'bgcolor="{fill}">{body}</table>>')


def _cell(text, bg=None, colspan=None, align=None):
    attrs = (f' bgcolor="{bg[0]}"' if bg else "") + (f' colspan="{colspan}"' if colspan else "")
    attrs += f' align="{align}"' if align else ""
    if bg and bg[1] != "black":
        text = f'<font color="{bg[1]}">{text}</font>'
    return f"<td{attrs}>{text}</td>"


def scalar_label(name, data, grad, f, fill, heat=None, note=None, outline=None):
    """micrograd's record on one row: name | data | grad (grad cell coloured by `heat`)."""
    name = clean(name)
    cells = [_cell(f"<b>{html_label(name)}</b>")] if name else []
    cells.append(_cell(f"data {html_label(f(data))}"))
    if grad is not None:
        cells.append(_cell(f"grad {html_label(f(grad))}", heat))
    if note:
        cells.append(_cell(note))
    return _table(["".join(cells)], fill, outline, thick=outline is not None)


def tensor_label(name, node, f, fill, heat=None, notes=(), outline=None, max_values=6, show_grad=True):
    """Title (name, shape, dtype), a data summary, a grad summary (cell coloured by `heat`), notes."""
    shape = "(" + ", ".join(map(str, node.data.shape)) + ("," if node.data.ndim == 1 else "") + ")"
    name = clean(name)
    title = (f"<b>{html_label(name)}</b>  " if name else "") + html_label(f"{shape} {node.data.dtype}")
    rows = [_cell(title), _cell("data " + summary(node.data, f, max_values), align="left")]
    if show_grad and node.grad is not None:
        rows.append(_cell("grad " + summary(node.grad, f, max_values), heat, align="left"))
    rows.extend(_cell(n, align="left") for n in notes)
    return _table(rows, fill, outline, thick=outline is not None)


def op_label(op, step=None):
    """The op text (clean: the op name cleaned, numbers from the formatter), and its step in the backward walk."""
    label = f"<b>{html_label(op)}</b>"
    if step is not None:
        label += f'<br/><font point-size="9" color="{BACKWARD}">backward {step}</font>'
    return Html(f"<{label}>")


def flag_note(kind, bad, units, batch):
    """'dead ReLU units 3/16: 0, 4, 9' in the flag colour."""
    what = "dead ReLU" if kind == "dead" else "saturated"
    shown = ", ".join(map(str, bad[:8])) + (", ..." if len(bad) > 8 else "")
    scope = f" on all {batch} examples" if batch > 1 else ""
    return f'<font color="{FLAG[kind]}">{what} units {len(bad)}/{units}{scope}: {shown}</font>'


def heat_of(mags):
    """A |grad| -> (fill, text colour) function on a log scale over the positive magnitudes in `mags`."""
    pos = [m for m in mags if m is not None and m > 0 and np.isfinite(m)]
    lo, hi = (np.log10(min(pos)), np.log10(max(pos))) if pos else (0.0, 0.0)

    def colour(m):
        if m is None:
            return None
        if not np.isfinite(m):
            return (FLAG["dead"], "white")
        if m <= 0:
            return ("#ffffff", "black")
        t = 1.0 if hi == lo else (np.log10(m) - lo) / (hi - lo)
        i = min(len(HEAT) - 1, int(t * len(HEAT)))
        return (HEAT[i], "white" if i >= 5 else "black")
    return colour, (10 ** lo if pos else None, 10 ** hi if pos else None)


def module_label(title, rows, fill, outline=None):
    """A collapsed module: its title, then one row per parameter (cell coloured by its heat)."""
    cells = [_cell(title)] + [_cell(text, heat, align="left") for text, heat in rows]
    return _table(cells, fill, outline, thick=outline is not None)


def legend_label(swatches, heat_range=None, notes=()):
    """One small HTML table: a (fill, text) swatch per category drawn, the heat bar, then notes."""
    rows = ["<b>legend</b>"] + list(notes)
    swatch = '<td bgcolor="{}" border="1" fixedsize="true" width="{}" height="11"> </td>'
    cells = [(swatch.format(fill, 16), text) for fill, text in swatches]
    if heat_range is not None:
        lo, hi = heat_range
        ends = f"{lo:.1e} to {hi:.1e}" if lo is not None else "no nonzero gradient"
        bar = "".join(swatch.format(h, 7) for h in HEAT)
        rows.insert(1, f'<table border="0" cellspacing="0" cellpadding="0"><tr>{bar}'
                       f"<td> |grad| (RMS for tensors), log scale: {ends}</td></tr></table>")
    body = [f'<tr><td></td><td align="left">{rows[0]}</td></tr>']
    body += [f'<tr>{sw}<td align="left">{text}</td></tr>' for sw, text in cells]
    body += [f'<tr><td></td><td align="left">{text}</td></tr>' for text in rows[1:]]
    return Html(f'<<font point-size="9"><table border="1" cellborder="0" cellspacing="2" cellpadding="1" '
                f'color="#9ca3af" bgcolor="white">{"".join(body)}</table></font>>')
