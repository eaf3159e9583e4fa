"""draw_graph's DOT source: labels, colours, counts, backward order, highlights, modules, deep graphs."""
import re
import sys

import numpy as np
import pytest

import nn
from autograd import Tensor, Value
from autograd.viz import backward_order, draw_graph, forward_order, save_graph
from autograd.viz import diagnose, style
import math
import warnings


def micrograd_neuron():
    """micrograd's neuron: o = tanh(x1 w1 + x2 w2 + b), every leaf labelled."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.label = "o"
    return o, dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b)


def nodes_and_edges(g):
    src = g.source
    nodes = re.findall(r"^\t+(\w+) \[", src, re.M)
    edges = re.findall(r"^\t+(\w+) -> (\w+)", src, re.M)
    return [n for n in nodes if n not in ("legend", "graph", "node", "edge")], edges


# --- structure ----------------------------------------------------------------------------------
def test_value_graph_counts_labels_and_forward_edges():
    o, leaves = micrograd_neuron()
    o.backward()
    g = draw_graph(o)
    nodes, edges = nodes_and_edges(g)
    ops = [n for n in nodes if n.startswith("o")]
    assert len(ops) == 5 and len(nodes) == 5 + 2 * 5         # 5 leaves, 5 ops with their results
    assert len(edges) == 5 + 2 * 4 + 1                        # op -> result, 4 binary ops, tanh
    src = g.source
    for name in leaves:
        assert f"<b>{name}</b>" in src
    assert "data -3" in src and "grad 1</td>" in src and "grad 0.5" in src
    assert "<b>tanh</b>" in src
    for a, b in edges:                                        # forward order: inputs come first
        assert int(a[1:]) <= int(b[1:])


def test_categories_colour_inputs_parameters_constants_output():
    model = nn.Linear(3, 2, rng=0)
    X = Tensor(np.ones((4, 3)), label="X")
    loss = (model(X) * Tensor(2.0)).sum()
    src = draw_graph(loss, model=model, fold_constants=False).source
    for cat in ("input", "parameter", "constant", "output"):
        assert f'bgcolor="{style.FILL[cat]}"' in src
        assert style.LEGEND_TEXT[cat] in src
    assert "<b>W</b>  (3, 2) float64" in src and "<b>b</b>  (2,) float64" in src and "<b>X</b>  (4, 3)" in src


def test_constants_fold_into_the_op_label():
    x = Value(3.0, label="x")
    y = (2 - x) * 0.5
    nodes, _ = nodes_and_edges(draw_graph(y))
    assert len(nodes) == 1 + 2 * 2                            # x, two ops and their results: no constants
    src = draw_graph(y).source
    assert "<b>2 - ·</b>" in src and "<b>· * 0.5</b>" in src
    assert len(nodes_and_edges(draw_graph(y, fold_constants=False))[0]) == 7


def test_tensor_labels_show_shape_dtype_and_summary():
    big = Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True, label="A")
    small = Tensor(np.array([1.5, -2.0], np.float32), requires_grad=True, label="v")
    loss = big.sum() + small.sum()
    loss.backward(retain_graph=True)
    src = draw_graph(loss).source
    assert "<b>A</b>  (3, 4) float64" in src and "mean 5.5  min 0  max 11" in src
    assert "<b>v</b>  (2,) float32" in src and "data [1.5, -2]" in src and "grad [1, 1]" in src
    nan = Tensor(np.array([1.0, np.nan, np.inf, 2, 3, 4, 5]), requires_grad=True, label="bad")
    assert "2 nan/inf" in draw_graph((nan * 1).sum()).source


def test_freed_tensor_graph_says_retain_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        draw_graph(loss)
    o, _ = micrograd_neuron()
    o.backward()                                              # Value graphs keep their parents
    assert len(nodes_and_edges(draw_graph(o))[0]) == 15


def test_bad_arguments_get_clear_errors():
    o, _ = micrograd_neuron()
    with pytest.raises(TypeError, match="Value or a Tensor"):
        draw_graph(3.0)
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(o, rankdir="XY")
    with pytest.raises(ValueError, match="format spec"):
        draw_graph(o, fmt="q")
    with pytest.raises(ValueError, match="model="):
        draw_graph(o, collapse_modules=True)
    assert "rankdir=TB" in draw_graph(o, rankdir="TB").source
    assert "data 2.00" in draw_graph(o, fmt=".2f").source
    assert "data &lt;2&gt;" in draw_graph(o, fmt=lambda x: f"<{x:g}>").source      # a function's text is escaped


# --- backward order and local derivatives ------------------------------------------------------
def random_graph(kind, seed):
    """A random DAG with reuse: each new node combines two earlier ones."""
    rng = np.random.default_rng(seed)
    make = (lambda v: Value(v)) if kind == "value" else (lambda v: Tensor([v, v + 1], requires_grad=True))
    nodes = [make(float(v)) for v in rng.uniform(0.5, 1.5, 4)]
    for _ in range(25):
        a, b = (nodes[i] for i in rng.integers(0, len(nodes), 2))
        nodes.append([a + b, a * b, (a * 0.5).tanh() + b][rng.integers(0, 3)])
    out = nodes[-1] + nodes[-2] + nodes[-5]
    return out if kind == "value" else out.sum()


@pytest.mark.parametrize("kind", ["value", "tensor"])
@pytest.mark.parametrize("seed", range(4))
def test_backward_order_is_the_order_the_engine_runs(kind, seed):
    root = random_graph(kind, seed)
    ran = []
    for node in forward_order(root):
        if node._vjp is not None:
            def spy(*args, _vjp=node._vjp, _node=node):
                ran.append(_node)
                return _vjp(*args)
            node._vjp = spy
    predicted = [n for n in backward_order(root) if n._parents]
    root.backward()
    assert [id(n) for n in predicted] == [id(n) for n in ran]


def test_show_backward_numbers_ops_and_labels_edges():
    o, _ = micrograd_neuron()
    o.backward()
    src = draw_graph(o, show_backward=True).source
    steps = sorted(int(k) for k in re.findall(r"backward (\d+)</font>", src))
    assert steps == list(range(1, 6))
    assert re.search(r"<b>tanh</b><br/>.*backward 1<", src)
    assert 'label="×0.5"' in src                             # 1 - tanh^2 at o = 0.7071
    assert 'label="×-3"' in src and 'label="×2"' in src      # x1 * w1: the other operand


POSITIVE = {"**", "log", "sqrt"}
OPS = ["+", "-", "*", "/", "**", "**3", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "abs", "neg", "leaky_relu"]


@pytest.mark.parametrize("x", [-1.3, 0.7, 2.0])
@pytest.mark.parametrize("kind, op", [(k, op) for k in (Value, Tensor) for op in OPS if (k, op) != (Value, "sqrt")])
def test_local_derivative_is_what_backward_multiplies_by(op, x, kind):
    """The edge label of each op equals the gradient the engine sends through that edge."""
    leaf = (lambda v: Value(v)) if kind is Value else (lambda v: Tensor(v, requires_grad=True))
    a, b = leaf(abs(x) + 0.1 if op in POSITIVE else x), leaf(1.7)
    binary = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b, "**": lambda: a ** b}
    out = binary[op]() if op in binary else a ** 3 if op == "**3" else \
        a.leaky_relu(0.1) if op == "leaky_relu" else -a if op == "neg" else getattr(a, op)()
    d, parents = diagnose.local_derivatives(out), out._parents
    out.backward()
    grads = [float(p.grad) for p in parents]
    np.testing.assert_allclose(d, grads, rtol=1e-12, atol=1e-15)


# --- highlights -------------------------------------------------------------------------------
def test_highlight_path_marks_every_path_from_the_node_to_the_output():
    o, leaves = micrograd_neuron()
    src = draw_graph(o, highlight_path="w1").source
    blue = re.findall(rf'^\t(\w+) -> (\w+) \[color="{style.PATH}"', src, re.M)
    assert len(blue) == 8                  # w1 -> * -> r -> + -> r -> + -> n -> tanh -> o
    assert src.count(f'color="{style.PATH}"') == 8 + 4 + 5 + 1   # edges, ops, w1 and 4 results, legend
    assert draw_graph(o, highlight_path=leaves["w1"]).source == src
    with pytest.raises(ValueError, match="no node has that name.*w1"):
        draw_graph(o, highlight_path="nope")
    with pytest.raises(ValueError, match="not in the graph"):
        draw_graph(o, highlight_path=Value(1.0))


def test_grad_heat_colours_by_log_magnitude_with_a_legend():
    a, b = Value(1e-4, label="a"), Value(1.0, label="b")
    out = a * Value(1e4, label="k") + b * Value(1e-2, label="s")
    out.backward()
    src = draw_graph(out, grad_heat=True).source
    cell = lambda name: re.search(rf"<b>{name}</b>.*?<td bgcolor=\"([^\"]+)\"><font color=\"(\w+)\">grad", src)
    assert cell("a").group(1) == style.HEAT[-1]            # |grad| 1e4: the largest
    assert re.search(r"<b>k</b>.*?<td bgcolor=\"(#[0-9a-f]+)\">grad 0.0001<", src).group(1) == style.HEAT[0]
    assert "log scale: 1.0e-04 to 1.0e+04" in src


def test_dead_relu_and_saturated_units_are_flagged():
    x = Tensor([[1.0, -1.0, 3.0], [2.0, -5.0, -1.0]], requires_grad=True)
    src = draw_graph(x.relu().sum(), highlight_units=True).source
    assert "dead ReLU units 1/3 on all 2 examples: 1" in src and f'color="{style.FLAG["dead"]}"' in src
    z = Tensor([[10.0, 0.1], [-12.0, 0.2]], requires_grad=True)
    src = draw_graph(z.tanh().sum() + z.sigmoid().sum(), highlight_units=True).source
    assert "saturated units 1/2 on all 2 examples: 0" in src
    assert src.count("saturated units 1/2") == 2
    assert "dead ReLU" not in draw_graph(x.relu().sum()).source.split("legend")[0]
    v = Value(-2.0, label="v")
    assert "ReLU off" in draw_graph(v.relu() + 1, highlight_units=True).source


def test_max_nodes_refuses_with_a_hint():
    x = Value(1.0)
    y = x
    for _ in range(300):
        y = y * 1.01
    with pytest.raises(ValueError, match=r"601 nodes to draw, more than max_nodes=500.*one example.*max_nodes=None"):
        draw_graph(y)
    assert draw_graph(y, max_nodes=None)
    t = Tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="collapse_modules=True"):
        draw_graph(t * 2, max_nodes=1)


@pytest.mark.parametrize("kind", [Value, Tensor])
def test_a_100k_node_chain_builds_without_recursion(kind):
    x = Value(0.5) if kind is Value else Tensor([0.5, 1.0], requires_grad=True)
    y, ops = x, 50_000 if kind is Value else 20_000
    for i in range(ops):
        y = y * 1.0000001 if i % 2 else y + 0.5
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)                                # any recursion over the chain would fail
    try:
        src = draw_graph(y, max_nodes=None, show_backward=True).source
    finally:
        sys.setrecursionlimit(limit)
    assert src.count(" -> ") == 2 * ops                       # op -> result, input -> op; constants folded
    assert len(re.findall(r"^\t[no]\d+ \[", src, re.M)) == 2 * ops + 1    # Value: 100,001 nodes


# --- nn models --------------------------------------------------------------------------------
def tensor_mlp_loss():
    model = nn.MLP(2, [4, 3], rng=0)
    X = Tensor(np.random.default_rng(0).normal(size=(8, 2)), label="X")
    loss = nn.F.cross_entropy(model(X), np.arange(8) % 3)
    loss.backward(retain_graph=True)
    return model, loss


def test_model_names_parameters_and_draws_a_cluster_per_module():
    model, loss = tensor_mlp_loss()
    src = draw_graph(loss, model=model).source
    for name in ("layers.0.W", "layers.0.b", "layers.1.W", "layers.1.b"):
        assert f"<b>{name}</b>" in src
    assert re.findall(r"subgraph (cluster_\d+) {\n\t\t.* label=\"([^\"]+)\"", src) == [
        ("cluster_1", "layers.0 (Linear)"), ("cluster_2", "layers.1 (Linear)")]
    cluster = src.split("subgraph cluster_1")[1].split("}")[0]
    assert cluster.count("<b>linear</b>") == 1 and "relu" not in cluster     # x @ W + b is one fused op


def test_collapse_modules_draws_each_module_as_one_node():
    model, loss = tensor_mlp_loss()
    full, _ = nodes_and_edges(draw_graph(loss, model=model))
    g = draw_graph(loss, model=model, collapse_modules=True, grad_heat=True)
    nodes, edges = nodes_and_edges(g)
    assert [n for n in nodes if n.startswith("m")] == ["m0", "m1"]
    assert len(nodes) == len(full) - 2 * (2 + 2) + 2          # each Linear: W, b, its op, its result -> 1 node
    assert ("m0", "o7") in edges or any(a == "m0" for a, _ in edges)
    assert len(edges) == len(set(edges))
    assert "W (2, 4)  grad rms" in g.source and "nn module (collapsed)" in g.source


def test_scalar_mlp_graph_names_every_weight():
    model = nn.scalar.MLP(2, [4, 1], activation="tanh", rng=0)
    x = [Value(0.5, label="x0"), Value(-1.0, label="x1")]
    loss = (model(x)[0] - 1.0) ** 2
    loss.backward()
    src = draw_graph(loss, model=model, show_backward=True).source
    assert "<b>layers.0.W[1,3]</b>" in src and "<b>layers.1.b[0]</b>" in src
    assert src.count(f'bgcolor="{style.FILL["parameter"]}"') == 2 * 4 + 4 + 4 + 1 + 1   # and the legend
    assert src.count(f'bgcolor="{style.FILL["input"]}"') == 2 + 1
    nodes, _ = nodes_and_edges(draw_graph(loss, model=model, collapse_modules=True))
    assert {"m0", "m1"} <= set(nodes) and "W: 8 Values" in draw_graph(loss, model=model, collapse_modules=True).source


def test_save_graph_writes_dot_and_refuses_to_overwrite(tmp_path):
    o, _ = micrograd_neuron()
    path = save_graph(o, tmp_path / "g.dot", show_backward=True)
    assert path.read_text().startswith("digraph {") and "backward 1" in path.read_text()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        save_graph(o, path)
    save_graph(draw_graph(o, rankdir="TB"), path, overwrite=True)
    assert "rankdir=TB" in path.read_text()
    with pytest.raises(ValueError, match=r"\.svg, \.png"):
        save_graph(o, tmp_path / "g.jpeg")
    with pytest.raises(TypeError, match="drawing options"):
        save_graph(draw_graph(o), tmp_path / "h.dot", rankdir="TB")


def _same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("make", [
    lambda: (Value(-2.0), Value(2.0), lambda a, b: a ** b),     # log of a negative base
    lambda: (Value(0.0), Value(2.0), lambda a, b: a ** b),      # 0 ** b: flat in b
    lambda: (Value(0.0), None, lambda a, b: a ** 0),
    lambda: (Value(0.0), None, lambda a, b: a ** -1),
    lambda: (Value(0.0), None, lambda a, b: a ** 0.5),
    lambda: (Value(-2.0), None, lambda a, b: a ** 0.5),         # used to crash: a complex power
    lambda: (Value(3.0), None, lambda a, b: a ** (1 / 3)),      # exact exponent, not its printed form
    lambda: (Value(0.0), None, lambda a, b: a.leaky_relu(0.2)),
    lambda: (Value(-1e-320), None, lambda a, b: a.leaky_relu(0.01)),
])
def test_edge_labels_after_backward_equal_the_gradients_backward_sent(make):
    a, b, f = make()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                     # IEEE edge values warn, by design
        out = f(a, b)
        out.backward()
    labels = diagnose.local_derivatives(out)                # after backward: the kept vjp
    grads = [p.grad for p in out._parents]
    assert all(_same(x, y) for x, y in zip(labels, grads)), (labels, grads)
    draw_graph(out, show_backward=True)                     # and drawing never crashes


def test_a_frozen_scalar_layer_shows_no_nan_gradient():
    sm = nn.scalar.MLP(2, [3, 1], rng=0)
    for v in sm.layers[0].W.flat:
        v.requires_grad = False
    out = sm([0.5, -1.0])[0]
    out.backward()
    src = draw_graph(out, model=sm, collapse_modules=True, grad_heat=True).source
    assert "grad rms nan" not in src


def test_highlighting_an_empty_relu_output_does_not_crash():
    src = draw_graph(Tensor(np.zeros((3, 0)), requires_grad=True).relu(), highlight_units=True).source
    assert "relu" in src
