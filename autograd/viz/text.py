"""Untrusted text in drawings: `clean` makes it showable, then one escaper per DOT context quotes it.

Labels, parameter names, `inputs=` keys, op names of user primitives and `fmt` output all come from
users. `clean` is the one step they all go through, and it knows nothing of DOT, so an HTML page or a
JSON blob can reuse it: control characters are shown, never dropped (a newline as the two characters
`\\n`, others as `\\xNN`/`\\uNNNN`), lone surrogates become U+FFFD, and text past `MAX_CHARS` is cut
with "…". What it shows is for a reader, not reversible: a literal backslash is not doubled.

The escapers take clean text and make it literal in one DOT context: `html_label` (HTML-like labels),
`quoted` (a "..." label), `record` (a field of a record label, what the WebAssembly Graphviz gets).
"""
import re
from html import escape, unescape

MAX_CHARS = 80                       # a name or an op name shows at most this many characters
ELLIPSIS = "…"

# C0 and C1 controls, DEL, the unicode line and paragraph separators, and U+FFFE/U+FFFF (not allowed
# in XML, so not in an SVG): each breaks a line of DOT, a Graphviz parser or the SVG it writes.
# The bidi embeddings, overrides and isolates (U+202A-E, U+2066-9) reverse the text after them, so a
# label could read as another name ("Trojan Source"); right-to-left scripts and the marks U+200E/F stay.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_QUOTED = re.compile(r'[\\"&<>]')
_QUOTE = {"\\": "\\\\", '"': '\\"', "&": "&amp;", "<": "&lt;", ">": "&gt;"}
_RECORD = re.compile(r"([{}|])")


def clean(text, limit=MAX_CHARS):
    """`text` (any object, as str) as a label may show it: controls visible, lone surrogates U+FFFD, cut at `limit`.
    """
    text = text if isinstance(text, str) else str(text)
    if _SURROGATE.search(text):
        # a pair becomes its character, a lone half U+FFFD
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if len(text) <= limit and not _CONTROL.search(text):
        return text                                   # the common case: nothing to do
    shown = [_visible(c) for c in text[:limit + 1]]   # escapes only lengthen: enough to fill `limit`
    if sum(map(len, shown)) <= limit:
        return "".join(shown)
    out, n = [], 0
    for s in shown:                                   # cut between characters, never inside a \xNN
        if n + len(s) > limit - len(ELLIPSIS):
            break
        out.append(s)
        n += len(s)
    return "".join(out) + ELLIPSIS


def _visible(c):
    if not _CONTROL.match(c):
        return c
    return _NAMED.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def html_label(text):
    """Clean text as literal text of a Graphviz HTML-like label: & < > " ' as entities, backslashes doubled.

    Graphviz substitutes \\N, \\G, \\E (node, graph, edge names) in HTML-like labels too, and reads \\\\ as one
    backslash. For a web page use html.escape: this is for Graphviz only."""
    return escape(text, quote=True).replace("\\", "\\\\")


def html_label_text(label_text):
    """The clean text that `html_label` escaped (what the WebAssembly path turns into records)."""
    return unescape(label_text).replace("\\\\", "\\")


def quoted(text):
    """Clean text as literal text inside a quoted DOT label ("..."): backslash and quote escaped.

    & < > become entities too: Graphviz translates entities in labels, so `&amp;` must be written to
    show one, and without a raw `<` no quoted label can look like an HTML-like one (`label=<`)."""
    if not _QUOTED.search(text):
        return text
    return _QUOTED.sub(lambda m: _QUOTE[m.group()], text)


def record(text):
    """Clean text as one field of a quoted record label: `quoted`, then { } | escaped, edge spaces kept."""
    text = _RECORD.sub(r"\\\1", quoted(text))
    body = text.strip(" ")
    if body == text:
        return text
    lead = len(text) - len(text.lstrip(" "))
    trail = len(text) - len(text.rstrip(" ")) if body else 0
    return "\\ " * lead + body + "\\ " * trail      # a record drops unescaped spaces at a field's edges
