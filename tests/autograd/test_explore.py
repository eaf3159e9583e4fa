"""explore(): the page's data is the engine's numbers; refusals; .grad untouched; escaping without a browser.

The browser half (stepping the page in Chromium) is tests/browser/test_explorer_page.py.
"""
import html
import json
import math
import re
import shutil
import subprocess
from html.parser import HTMLParser

import numpy as np
import pytest

import nn
from autograd import Tensor, Value, explore, save_graph
from autograd import engine
from autograd.viz import backward_order, draw_graph
from autograd.viz.explorer import capture, page

HOSTILE = ['</script><script>window.pwned=1</script>', '<img src=x onerror="window.pwned=1">',
           'a & b "quoted" \'single\'', "line\nbreak\u2028sep", "😀 ünïcödé"]


def page_data(explorer):
    """The JSON the page embeds, decoded to numpy: {"nodes": [...], "arrays": [...], ...}."""
    m = re.search(r'<script type="application/json" id="gg-data">(.*?)</script>', explorer.html, re.S)
    return json.loads(m.group(1))


def value(enc):
    """An encoded array back to numpy (nan/inf included)."""
    v = [float(x) if isinstance(x, str) else x for x in enc["v"]]
    return np.array(v, dtype=np.float64).reshape(enc["s"])


def grads_of(data):
    """{node index: final gradient} from the page."""
    return {i: value(data["arrays"][n["grad"]]) for i, n in enumerate(data["nodes"]) if n["grad"] is not None}


def scalar_mlp():
    model = nn.scalar.MLP(2, [3, 1], activation="tanh", rng=1)
    x = [Value(0.5, label="x0"), Value(-1.5, label="x1")]
    loss = (model(x)[0] - 1.0) ** 2
    loss.label = "loss"
    return model, x, loss


def tensor_mlp(batch=5):
    X, y = nn.data.toy.spiral(batch, 2, seed=0)
    model = nn.MLP(2, [6, 2], rng=2)
    loss = nn.F.cross_entropy(model(Tensor(X, label="X")), y)
    loss.label = "loss"
    return model, loss


# --- the numbers are the engine's ----------------------------------------------------------------
def test_scalar_page_grads_equal_backward_on_every_node():
    model, x, loss = scalar_mlp()
    data = page_data(explore(loss, model=model))
    loss.backward()
    order = [n for n in backward_order(loss)]
    nodes = {id(n): n for n in order}
    grads = grads_of(data)
    assert len(grads) == len(nodes)                  # every node that requires grad got one
    from autograd.viz.walk import forward_order
    for i, node in enumerate(forward_order(loss)):
        if node.requires_grad:
            assert grads[i] == node.grad, (data["nodes"][i]["key"], grads[i], node.grad)


def test_tensor_page_grads_equal_backward_on_every_parameter():
    model, loss = tensor_mlp()
    data = page_data(explore(loss, model=model))
    loss.backward()
    by_key = {n["key"]: i for i, n in enumerate(data["nodes"])}
    grads = grads_of(data)
    for name, p in model.named_parameters():
        got = grads[by_key[name]]
        assert got.shape == p.grad.shape and np.array_equal(got, p.grad), name
        assert data["nodes"][by_key[name]]["dtype"] == str(p.data.dtype)


def test_backward_steps_run_in_the_engines_order_and_sum_term_by_term():
    x, y = Value(3.0, label="x"), Value(-4.0, label="y")
    f = x * y + x
    f.label = "f"
    data = page_data(explore(f))
    keys = [n["key"] for n in data["nodes"]]
    ops = [n for n in backward_order(f) if n._parents]
    assert [data["nodes"][b["node"]]["op"] for b in data["backward"]] == [n._op for n in ops]
    to_x = [s for b in data["backward"] for s in b["sends"] if keys[s["to"]] == "x"]
    assert [(s["term"], s["terms"]) for s in to_x] == [(1, 2), (2, 2)]
    terms = [value(data["arrays"][s["fit"]]).item() for s in to_x]
    assert terms == [1.0, -4.0]          # the sum runs first: 1 straight into it, then y through the product
    assert value(data["arrays"][to_x[1]["acc"]]) == y.data + 1


def test_broadcasting_is_undone_as_a_step_of_its_own():
    W = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, label="W")
    b = Tensor([0.5, -1.0, 2.0], requires_grad=True, label="b")
    x = Tensor(np.ones((4, 2)), label="x")
    loss = ((x @ W + b) ** 2).sum()
    data = page_data(explore(loss))
    keys = [n["key"] for n in data["nodes"]]
    (send,) = [s for bw in data["backward"] for s in bw["sends"] if keys[s["to"]] == "b"]
    assert send["note"].startswith("sum back to shape (3,) over axis 0")
    raw, fit = value(data["arrays"][send["raw"]]), value(data["arrays"][send["fit"]])
    assert raw.shape == (4, 3) and fit.shape == (3,)
    assert np.array_equal(fit, raw.sum(axis=0))
    formulas = {data["nodes"][bw["node"]]["op"]: bw["formula"] for bw in data["backward"]}
    assert formulas["matmul"] == "matmul: dA = g @ B^T, dB = A^T @ g"


def test_scalar_steps_carry_local_derivatives_from_the_ops_vjp():
    x = Value(0.3, label="x")
    t = x.tanh()
    data = page_data(explore(t))
    (step,) = data["backward"]
    assert value(data["arrays"][step["local"]]).tolist() == [1 - np.tanh(0.3) ** 2]


def test_a_disagreement_with_the_engine_is_refused(monkeypatch):
    """The guard can fail: an upstream gradient off by 1 ulp stops the page from being built."""
    real = engine.record_backward

    def skewed(root, seed, nodes, on_vjp):
        return real(root, seed, nodes, lambda n, g, grads: on_vjp(n, np.nextafter(g, np.inf), grads))
    monkeypatch.setattr(engine, "record_backward", skewed)
    with pytest.raises(RuntimeError, match="disagrees with the engine"):
        explore(scalar_mlp()[2])


# --- graphs that still exist, and the user's .grad --------------------------------------------------
def test_user_grads_are_untouched():
    model, x, loss = scalar_mlp()
    loss.backward()
    before = {id(p): p.grad for p in model.parameters()}
    explore(loss, model=model)
    assert all(p.grad == before[id(p)] for p in model.parameters())
    tmodel, tloss = tensor_mlp()
    tloss.backward(retain_graph=True)
    saved = {id(p): (p.grad, p.grad.copy()) for p in tmodel.parameters()}
    explore(tloss, model=tmodel)
    for p in tmodel.parameters():
        obj, copy = saved[id(p)]
        assert p.grad is obj and np.array_equal(p.grad, copy)


def test_graphs_before_and_after_backward_give_the_same_page_numbers():
    _, _, loss = scalar_mlp()
    before = grads_of(page_data(explore(loss)))
    loss.backward()                                   # a Value graph keeps its structure
    assert grads_of(page_data(explore(loss))) == before
    model, tloss = tensor_mlp()
    first = grads_of(page_data(explore(tloss)))
    tloss.backward(retain_graph=True)
    again = grads_of(page_data(explore(tloss)))
    assert first.keys() == again.keys() and all(np.array_equal(first[k], again[k]) for k in first)


def test_a_freed_tensor_graph_says_what_to_do():
    _, loss = tensor_mlp()
    loss.backward()
    with pytest.raises(RuntimeError, match=r"explore: this Tensor graph was released.*retain_graph=True"):
        explore(loss)


def test_refuses_beyond_max_nodes_with_a_hint():
    model, loss = tensor_mlp()
    with pytest.raises(ValueError, match=r"explore: this graph has \d+ nodes.*max_nodes=5; pass model= and "
                                         "collapse_modules=True"):
        explore(loss, max_nodes=5)
    assert explore(loss, model=model, collapse_modules=True, max_nodes=12).steps > 0
    _, _, sloss = scalar_mlp()
    with pytest.raises(ValueError, match="explore the loss of one example"):
        explore(sloss, max_nodes=10)


@pytest.mark.parametrize("call, error, match", [
    (lambda r: explore(r, grad_heat=True), TypeError, "unknown option.*grad_heat"),
    (lambda r: explore(r, fmt=".3%"), ValueError, "fmt='.3%'"),
    (lambda r: explore(r, fmt=str), ValueError, "takes a spec"),
    (lambda r: explore(r, rankdir="XY"), ValueError, "rankdir"),
    (lambda r: explore(r, collapse_modules=True), ValueError, "needs model="),
    (lambda r: explore(3.0), TypeError, "Value or a Tensor"),
    (lambda r: explore(Tensor([1.0, 2.0], requires_grad=True) * 2), ValueError, r"shape \(2,\).*root.sum\(\)"),
    (lambda r: explore(Tensor([1.0]) * 2), ValueError, "does not require grad"),
    (lambda r: explore(Value(1.0)), ValueError, "leaf"),
])
def test_bad_arguments_get_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(scalar_mlp()[2])


# --- files --------------------------------------------------------------------------------------
def test_save_and_save_graph_write_the_page_and_never_overwrite(tmp_path):
    model, _, loss = scalar_mlp()
    e = explore(loss, model=model)
    path = e.save(tmp_path / "a.html")
    assert path.read_text(encoding="utf-8") == e.html
    with pytest.raises(FileExistsError, match="overwrite=True"):
        e.save(tmp_path / "a.html")
    save_graph(loss, tmp_path / "b.html", model=model)
    assert page_data_text(tmp_path / "b.html") == page_data_text(path)
    with pytest.raises(FileExistsError):
        save_graph(loss, tmp_path / "b.html")
    save_graph(loss, tmp_path / "b.html", overwrite=True, fmt=".3f")
    with pytest.raises(TypeError, match="needs the node"):
        save_graph(draw_graph(loss), tmp_path / "c.html")
    assert not (tmp_path / "c.html").exists()


def page_data_text(path):
    return re.search(r'id="gg-data">(.*?)</script>', path.read_text(encoding="utf-8"), re.S).group(1)


# --- escaping -----------------------------------------------------------------------------------
def hostile_graph():
    a = Value(1.5, label=HOSTILE[0])
    b = Value(-2.0, label=HOSTILE[1])
    c = Value(0.5, label=HOSTILE[2])
    out = (a * b + c * Value(3.0, label=HOSTILE[3])).tanh()
    out.label = HOSTILE[4]
    return out


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.append(dict(attrs))


def test_hostile_labels_stay_text_in_the_page():
    text = explore(hostile_graph()).html
    parser = Tags()
    parser.feed(text)
    assert "img" not in parser.tags
    assert parser.tags.count("script") == 2 and text.count("</script>") == 2   # the data and the page's script
    assert not any(k.startswith("on") for attrs in parser.attrs for k in attrs)
    data = page_data_text_of(text)
    assert "<" not in data and ">" not in data and "&" not in data and "\u2028" not in data
    keys = {n["key"] for n in json.loads(data)["nodes"]}
    assert HOSTILE[0] in keys and HOSTILE[1] in keys and "line\\nbreak\\u2028sep" in keys   # shown, cleaned


def page_data_text_of(text):
    return re.search(r'id="gg-data">(.*?)</script>', text, re.S).group(1)


def test_repr_html_is_one_sandboxed_iframe_whose_srcdoc_is_the_page():
    e = explore(hostile_graph())
    out = e._repr_html_()
    parser = Tags()
    parser.feed(out)
    assert parser.tags == ["iframe"]
    (attrs,) = parser.attrs
    assert attrs["sandbox"] == "allow-scripts" and attrs["srcdoc"] == e.html
    assert out.count('"') == 8                        # the four attributes' quotes: srcdoc holds none raw
    assert html.unescape(out.split('srcdoc="', 1)[1].split('" sandbox', 1)[0]) == e.html


def test_the_page_allows_only_its_own_script_and_loads_nothing():
    text = explore(scalar_mlp()[2]).html
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', text).group(1)
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp.split("script-src")[1]
    assert not re.search(r"https?://(?!www\.w3\.org/)", text)      # only the SVG namespace URIs
    script = re.findall(r"<script>(.*?)</script>", text, re.S)
    assert script == [page.script()]


def test_encoding_of_nonfinite_and_big_arrays():
    assert capture.encode(np.array([1.0, np.nan, -np.inf])) == {"s": [3], "v": [1.0, "nan", "-inf"], "nf": 1}
    big = capture.encode(np.arange(capture.BIG + 1, dtype=np.float32))
    assert big == {"s": [capture.BIG + 1], "n": capture.BIG + 1, "stats": [5000.0, 0.0, 10000.0], "bad": 0}
    assert capture.encode(2.5) == {"s": [], "v": [2.5]}


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the page's format.js")
def test_the_page_writes_numbers_as_python_formats_them(tmp_path):
    """format.js's fmtNum against format(x, spec) (exact decimal ties, like 0.5 with '.0f', round differently)."""
    numbers = [0.0, -0.0, 1.0, 1.5, -2.25, 0.1, 1 / 3, -2 / 3, 123456.789, 1e-5, 0.00012345, 1e21, 1e-300,
               12345678.0, 0.30000000000000004, 9.9999, 99999.5e-10, math.nan, math.inf, -math.inf]
    specs = [".4g", ".3g", ".1g", ".6g", ".2e", ".3f", ".4G", ".3E"]
    cases = [(x, s) for x in numbers for s in specs]
    literal = ",".join(f"[{_js_number(x)}, {{p: {int(s[1:-1])}, t: {json.dumps(s[-1])}}}]" for x, s in cases)
    script = tmp_path / "check.js"
    script.write_text(page.asset("format.js") + f"\nconsole.log(JSON.stringify([{literal}].map("
                      "function (c) { return fmtNum(c[0], c[1]); })));\n", encoding="utf-8")
    out = json.loads(subprocess.run(["node", str(script)], capture_output=True, text=True, check=True).stdout)
    assert out == [format(x, s) for x, s in cases]


def _js_number(x):
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return "-0" if x == 0 and math.copysign(1, x) < 0 else repr(x)
