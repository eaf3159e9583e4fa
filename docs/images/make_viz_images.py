"""Regenerate the pictures of docs/viz.md: python docs/images/make_viz_images.py (needs the system dot for PNG)."""
from pathlib import Path

import nn
from autograd import Tensor, Value, draw_graph, no_grad, save_graph
from nn import data, plot

HERE = Path(__file__).parent


def scalar_mlp():
    """The graph of a 2-4-1 scalar MLP's squared error on one example, after backward."""
    model = nn.scalar.MLP(2, [4, 1], activation="tanh", rng=1)
    x = [Value(0.5, label="x0"), Value(-1.5, label="x1")]
    loss = (model(x)[0] - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    g = draw_graph(loss, model=model, show_backward=True, fmt=".3g", rankdir="TB")
    save(g, "scalar_mlp")


def tensor_mlp():
    """One training step of a tensor MLP on a spiral batch: gradient heat, unit flags, and the collapsed view."""
    X, y = data.toy.spiral(8, 3, seed=0)
    model = nn.MLP(2, [16, 16, 3], rng=3)
    with no_grad():
        model.layers[0].b.data[5] = -10.0            # kill hidden unit 5, to show what a dead ReLU looks like
    x = Tensor(X, label="X")
    loss = nn.F.cross_entropy(model(x), y)
    loss.label = "loss"
    loss.backward(retain_graph=True)
    opts = dict(model=model, grad_heat=True, highlight_units=True, fmt=".3g", rankdir="TB")
    save(draw_graph(loss, **opts), "tensor_mlp_step")
    save(draw_graph(loss, collapse_modules=True, **opts), "tensor_mlp_collapsed")


def save(g, name):
    """name.svg, and a small name.png (72 dpi) for places that cannot show SVG."""
    save_graph(g, HERE / f"{name}.svg", overwrite=True)
    g.attr(dpi="72")
    save_graph(g, HERE / f"{name}.png", overwrite=True)


def plots():
    X, y = data.toy.spiral(100, 3, seed=0)
    model = nn.MLP(2, [32, 3], rng=0)
    nn.fit(model, X, y, optimizer=nn.optim.Adam(model.parameters(), lr=0.02), epochs=60, batch_size=64,
           progress=False, val=(X, y))
    plot.decision_regions(model, X, y).savefig(HERE / "decision_regions.png", dpi=80)
    plot.activations().savefig(HERE / "activations.png", dpi=70)


if __name__ == "__main__":
    scalar_mlp()
    tensor_mlp()
    plots()
