"""One self-contained HTML page: the template with the CSS, the SVG, the JSON data and the script inlined.

Nothing on the page loads anything: its Content-Security-Policy allows no source at all (default-src
'none'), inline styles, and only the one script whose sha256 it names. So even text that somehow became
markup could neither run nor fetch. User text reaches the page three ways, each escaped for its place:
html.escape in the <title>, Graphviz's XML escaping inside the SVG (checked by layout.draw), and JSON with
< > & written as \\u escapes (ensure_ascii writes U+2028/2029 that way too), read by the script and set
as textContent only.
"""
import base64
import hashlib
import html
import json
import re
from importlib import resources

SCRIPTS = ("format.js", "panels.js", "explorer.js")     # inlined in this order, in one <script>
_SLOT = re.compile(r"\{\{(\w+)\}\}")


def asset(name):
    """The text of a file in autograd/viz/explorer/assets (package data)."""
    return resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


def script():
    """The page's script: the asset files in one function scope, in strict mode."""
    body = "\n".join(asset(name) for name in SCRIPTS)
    return f'\n(function () {{\n"use strict";\n{body}\n}}());\n'


def data_json(data):
    """JSON safe inside <script type="application/json">: no '<', '>' or '&' (so no '</script>'), ASCII only."""
    text = json.dumps(data, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def build(title, svg, data):
    """The page's HTML text."""
    code = script()
    if "</script" in code.lower():
        raise RuntimeError("explore: an asset script contains '</script'; it cannot be inlined")
    digest = base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii")
    csp = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'"
    slots = {"title": html.escape(title, quote=True), "csp": csp, "css": asset("explorer.css"), "svg": svg,
             "data": data_json(data), "script": code}
    # one pass: text put into a slot is never searched for further slots
    return _SLOT.sub(lambda m: slots[m.group(1)], asset("page.html"))
