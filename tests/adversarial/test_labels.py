"""Graph labels are user text: hostile names must render through every backend, shown cleaned, never break DOT.

The labels go where users put them: Value and Tensor labels, `inputs=` keys, parameter and module
names from `model=`, primitive names and Function class names. Each drawing is rendered by every
installed backend; the SVG must parse as XML and show `text.clean` of each name.
"""
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import nn
from autograd import Function, Tensor, Value, draw_graph, primitive
from autograd.viz import available, render
from autograd.viz.style import MAX_NUMBER
from autograd.viz.text import ELLIPSIS, MAX_CHARS, clean, html_label, quoted, record

SVG = "{http://www.w3.org/2000/svg}"
BACKENDS = [pytest.param(b, marks=pytest.mark.skipif(b not in available(), reason=f"backend {b!r} not installed"))
            for b in ("dot", "pure", "wasm")]

# pieces a tester would reach for: controls, separators, surrogates, bidi marks, DOT/HTML/record syntax
HOSTILE = ["\n", "\r\n", "\t", "\x00", "\x1b[31m", "\x7f", "\x85", "\x0b", "\u2028", "\u2029",
           "\ud800", "\udfff", "\ud83d\ude00", "\ufffe", "\uffff", "😀", "👩‍👩‍👧", "\u200f", "\u202e", "\u2066",
           "\u0301", "\xa0", " ", "  ", '"', "'", "\\", "\\n", "\\N", "\\G", "\\l", "{", "}", "|", "<", ">", "&",
           "&amp;", "&#0;", "&#x1b;", ";", "[", "]", "=", "</script>", "<b>", "]]>", "-->", "label=<", "rankdir=LR",
           "%3", "subgraph", "->"]
LABELS = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=24),       # any code point, surrogates included
    st.lists(st.sampled_from(HOSTILE), max_size=10).map("".join),
    st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=3)), max_size=8).map("".join),
    st.sampled_from(["x", "<", "\n", "😀", "\\"]).map(lambda c: c * 10_000),
)
KNOWN_BREAKERS = ["a\nb", "a\x00b", "x\x1b[31m", "\u2028", "\ud800lone", "x" * 10_000, "</script>", '{a|b} <c> "\\',
                  "&#0;", "label=<x>", "rankdir=LR", " edge ", "\\", "\n" * 10_000]


def _shown(svg):
    """Every text of an SVG, whitespace normalised (Graphviz writes doubled spaces as nbsp); it must parse as XML."""
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    return [" ".join("".join(t.itertext()).split()) for t in root.iter(SVG + "text")]


def _assert_shows(texts, raw):
    """The cleaned `raw` is one text of the drawing, or begins one (a record cell: 'name (2,) float64')."""
    want = " ".join(clean(raw).split())
    if want:
        assert any(t == want or t.startswith(want + " ") for t in texts), (want, texts)


def _value_graph(lab):
    """A Value graph naming a Value label, an inputs= key and a primitive with `lab`."""
    mul = primitive(lambda a, b: a * b, vjp=lambda g, out, a, b: (g * b, g * a), name="op:" + lab)
    x, y = Value(1.5, label="v:" + lab), Value(-2.0)
    out = mul(x, y).tanh()
    out.backward()
    return draw_graph(out, inputs={"k:" + lab: y}, show_backward=True), ["v:" + lab, "k:" + lab, "op:" + lab]


class Holder(nn.Module):
    """A module holding one parameter under an attribute name chosen by the test."""

    def __init__(self, name):
        setattr(self, name, Tensor([0.5, -1.0], requires_grad=True))


def _tensor_graphs(lab):
    """A Tensor graph naming a Tensor label, a module, a parameter and a Function class with `lab`."""
    model = nn.Module()
    part = lab.replace(".", ":")            # a "." in an attribute name is refused by discovery (tested there)
    setattr(model, "m:" + part, Holder("w:" + part))
    (_, w), = model.named_parameters()
    fn_name = "F:" + re.sub("[\x00\ud800-\udfff]", "?", lab)          # a class name cannot hold these
    double = type(fn_name, (Function,), {"forward": staticmethod(lambda a: a * 2),
                                         "vjp": staticmethod(lambda g, out, a: (g * 2,))})
    x = Tensor([1.0, 2.0], label="t:" + lab)
    loss = double.apply(x * w).sum()
    loss.backward(retain_graph=True)
    full = draw_graph(loss, model=model)
    names = ["t:" + lab, f"m:{part}.w:{part}", fn_name, f"m:{part} (Holder)"]     # the last: the cluster title
    collapsed = draw_graph(loss, model=model, collapse_modules=True, grad_heat=True)
    return [(full, names), (collapsed, ["t:" + lab, "m:" + part, fn_name])]


# --- clean and the escapers -------------------------------------------------------------------
@pytest.mark.parametrize("raw, shown", [
    ("plain name", "plain name"),
    ("a\nb", "a\\nb"), ("a\r\nb", "a\\r\\nb"), ("a\tb", "a\\tb"),
    ("\x00", "\\x00"), ("\x1b[31m", "\\x1b[31m"), ("\x7f", "\\x7f"), ("\x85", "\\x85"),
    ("\u2028\u2029", "\\u2028\\u2029"), ("\ufffe", "\\ufffe"),
    ("\ud800", "\ufffd"), ("a\udfffb", "a\ufffdb"), ("\ud83d\ude00", "😀"),     # a pair is its character
    ("é😀 שלום\u200f", "é😀 שלום\u200f"),                      # printable, RTL text and marks: kept
    ("\u202eabc\u2066", "\\u202eabc\\u2066"),              # an override or isolate would reverse the rest
    (5, "5"), (None, "None"),
])
def test_clean_shows_controls_and_mends_surrogates(raw, shown):
    assert clean(raw) == shown


def test_clean_cuts_long_text_with_an_ellipsis_never_inside_an_escape():
    assert clean("x" * 10_000) == "x" * (MAX_CHARS - 1) + ELLIPSIS
    assert clean("x" * MAX_CHARS) == "x" * MAX_CHARS
    cut = clean("\n" * 100)
    assert cut == "\\n" * ((MAX_CHARS - 1) // 2) + ELLIPSIS
    assert clean("ab\x00cd", limit=5) == "ab" + ELLIPSIS                   # not 'ab\\x' + '…'


@given(LABELS)
@settings(max_examples=300)
def test_clean_text_is_short_printable_and_stable(raw):
    out = clean(raw)
    assert len(out) <= MAX_CHARS
    assert not re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]",
                         out)
    out.encode("utf-8")
    assert clean(out) == out
    if len(raw) <= MAX_CHARS // 4:                                          # short text is never cut
        assert not out.endswith(ELLIPSIS) or raw.endswith(ELLIPSIS)


@pytest.mark.parametrize("escape, raw, out", [
    (html_label, "<b>&'\"", "&lt;b&gt;&amp;&#x27;&quot;"),
    (html_label, "\\N \\", "\\\\N \\\\"),                   # Graphviz would put the node's name for \N
    (quoted, 'a\\"b', 'a\\\\\\"b'),
    (quoted, "&amp; <x>", "&amp;amp; &lt;x&gt;"),       # Graphviz reads entities in labels; no raw '<' either
    (record, "{a|b}", "\\{a\\|b\\}"),
    (record, "  a b ", "\\ \\ a b\\ "),               # a record drops unescaped spaces at a field's edges
    (record, "   ", "\\ \\ \\ "),
    (record, '<p>"\\', '&lt;p&gt;\\"\\\\'),
])
def test_each_dot_context_has_its_escaper(escape, raw, out):
    assert escape(raw) == out


# --- hostile labels through every backend -----------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
@given(lab=LABELS)
@settings(max_examples=12)
@example(lab=KNOWN_BREAKERS[0])
@example(lab="".join(KNOWN_BREAKERS[1:]))          # all in one: cut at MAX_CHARS, so the tail is a long run
@example(lab="".join(KNOWN_BREAKERS[1:6]))
@example(lab="".join(KNOWN_BREAKERS[6:-2]))
def test_hostile_labels_render_shown_cleaned_on_every_backend(backend, lab):
    drawings = [_value_graph(lab)] + _tensor_graphs(lab)
    for g, names in drawings:
        texts = _shown(render(g, "svg", backend))
        for raw in names:
            _assert_shows(texts, raw)


def test_a_label_that_is_not_a_str_is_shown_as_its_str():
    src = draw_graph(Value(1.0, label=5) * Value(2.0, label=("a", "<b>"))).source
    assert "<b>5</b>" in src and "<b>(&#x27;a&#x27;, &#x27;&lt;b&gt;&#x27;)</b>" in src


def test_an_unknown_highlight_path_lists_the_names_cleaned():
    out = Value(1.0, label="\x1b[2Jwiped") * Value(2.0, label=7)
    with pytest.raises(ValueError, match=r"names in this graph: \\x1b\[2Jwiped, 7$"):
        draw_graph(out, highlight_path="nope")


# --- fmt ------------------------------------------------------------------------------------
def _neuron():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    out = (x * w).tanh()
    out.backward()
    return out


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("fmt", ["<>20", "&<12.3f", '">10', "|^9", "\\<8"])
def test_a_fill_character_that_is_dot_syntax_renders_escaped(backend, fmt):
    texts = _shown(render(draw_graph(_neuron(), fmt=fmt, show_backward=True), "svg", backend))
    assert any(format(2.0, fmt) in t for t in texts), texts          # the data cell
    assert any(t == "×" + format(-3.0, fmt) for t in texts), texts    # an edge label: a quoted string


@pytest.mark.parametrize("fmt, why", [
    (">1000", r"1000 characters, more than the 32"),
    (".100f", r"102 characters"),
    ("\n>10", "controls"),
    ("\x00<8", "controls"),
    ("\u2028>8", "controls"),
    ("\u202e>8", "bidi overrides"),
    ("q", "not a float format spec"),
    (7, "not a float format spec"),
])
def test_a_spec_that_cannot_make_a_label_is_refused_naming_fmt(fmt, why):
    with pytest.raises(ValueError, match=rf"fmt={re.escape(repr(fmt))}.*{why}"):
        draw_graph(_neuron(), fmt=fmt)


def test_a_huge_number_falls_back_to_g_instead_of_being_cut():
    src = draw_graph(Value(1e40, label="big") * 1, fmt=".3f").source
    assert f"data {format(1e40, '.6g')}" in src and format(1e40, ".3f") not in src
    assert len(format(1.5, ".3f")) <= MAX_NUMBER < len(format(1e40, ".3f"))


def _raises(x):
    raise ZeroDivisionError("no")


@pytest.mark.parametrize("fmt, error, why", [
    (_raises, ValueError, "raised ZeroDivisionError: no"),
    (lambda x: 3, TypeError, "returned int 3.*must return a str"),
    (lambda x: None, TypeError, "returned NoneType"),
])
def test_a_fmt_function_that_fails_is_named(fmt, error, why):
    with pytest.raises(error, match=rf"fmt={re.escape(repr(fmt))}.*{why}"):
        draw_graph(_neuron(), fmt=fmt)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_fmt_function_text_is_cleaned_and_cut(backend):
    texts = _shown(render(draw_graph(_neuron(), fmt=lambda x: f"<{x}>\n" + "&" * 100), "svg", backend))
    want = clean("<2.0>\n" + "&" * 100, MAX_NUMBER)
    assert len(want) == MAX_NUMBER and want.endswith(ELLIPSIS)
    assert "data " + want in texts, texts
