"""nn.plot smoke tests: each plot returns a Figure that writes a real PNG (Agg), and nothing is shown."""
import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import nn  # noqa: E402
from nn import data, plot  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


def saved(fig, path, min_bytes=10_000):
    """Write fig as PNG and check the file is a real, non-trivial PNG."""
    assert isinstance(fig, Figure)
    fig.savefig(path, dpi=60)
    raw = path.read_bytes()
    assert raw[:8] == PNG and len(raw) > min_bytes, len(raw)
    return raw


@pytest.fixture(scope="module")
def spiral_fit():
    X, y = data.toy.spiral(40, 3, seed=0)
    model = nn.MLP(2, [16, 3], rng=0)
    h = nn.fit(model, X, y, optimizer=nn.optim.Adam(model.parameters(), lr=0.02), epochs=8, batch_size=32,
               progress=False, val=(X, y))
    return model, X, y, h


def test_decision_regions_of_a_tensor_model(spiral_fit, tmp_path):
    model, X, y, _ = spiral_fit
    fig = plot.decision_regions(model, X, y, resolution=80)
    saved(fig, tmp_path / "regions.png")
    ax = fig.axes[0]
    assert len(ax.collections) >= 3 and "decision regions" in ax.get_title()


def test_decision_regions_of_a_scalar_model_and_a_one_output_model(tmp_path):
    X, y = data.toy.moons(30, seed=0)
    scalar = nn.scalar.MLP(2, [4, 2], rng=0)
    saved(plot.decision_regions(scalar, X, y, resolution=12), tmp_path / "scalar.png", 5_000)
    one = nn.MLP(2, [4, 1], rng=0)                    # one score: class 1 where it is above threshold
    saved(plot.decision_regions(one, X, y, resolution=30), tmp_path / "one.png", 5_000)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        plot.decision_regions(one, np.zeros((5, 3)), np.zeros(5))


def test_activation_derivatives_come_from_backward(tmp_path):
    curves = plot.activation_curves(x=np.array([-2.0, -0.5, 0.5, 3.0]))
    x, y, dy = curves["ReLU"]
    np.testing.assert_array_equal(dy, [0, 0, 1, 1])
    np.testing.assert_allclose(curves["tanh"][2], 1 - np.tanh(x) ** 2)
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(curves["sigmoid"][2], s * (1 - s))
    np.testing.assert_allclose(curves["Leaky ReLU (0.1)"][2], [0.1, 0.1, 1, 1])
    np.testing.assert_allclose(curves["PReLU (alpha=0.25)"][2], [0.25, 0.25, 1, 1])
    np.testing.assert_allclose(curves["Maxout (3 pieces)"][2], [-0.5, 0.25, 0.25, 1.0])
    fig = plot.activations()
    assert [a.get_title() for a in fig.axes][:3] == ["sigmoid", "tanh", "ReLU"] and len(fig.axes) == 6
    saved(fig, tmp_path / "acts.png")


def test_history_from_fit_and_from_a_dict(spiral_fit, tmp_path):
    _, _, _, h = spiral_fit
    fig = plot.history(h)
    assert len(fig.axes) == 2 and fig.axes[1].get_ylabel() == "accuracy"
    assert [line.get_label() for line in fig.axes[0].lines] == ["loss", "val_loss"]
    saved(fig, tmp_path / "hist.png")
    assert len(plot.history({"loss": [3.0, 2.0, 1.5]}).axes) == 1
    with pytest.raises(ValueError, match="nn.fit returns"):
        plot.history({})
    with pytest.raises(ValueError, match="'loss' is not"):
        plot.history({"loss": 1.0})


def test_dead_units_marks_units_that_never_fire(tmp_path):
    X, _ = data.toy.moons(50, seed=0)
    model = nn.MLP(2, [8, 2], rng=0)
    with nn.module.no_grad():
        model.layers[0].b.data[3] = -100.0            # unit 3 can never fire on this data
    fig = plot.dead_units(model, X)
    title = fig.axes[0].get_title()
    assert "units dead on all 50 examples" in title and title.split(":")[1].split()[0] != "0"
    assert fig.axes[0].patches[3].get_height() == 0
    saved(fig, tmp_path / "dead.png", 5_000)


def test_no_pyplot_figure_is_left_open():
    import matplotlib.pyplot as plt
    before = plt.get_fignums()
    plot.activations()
    assert plt.get_fignums() == before


def test_figures_display_as_png_in_a_fresh_ipython_shell():
    """Without `%matplotlib inline`, a bare Figure would display as text in Jupyter."""
    InteractiveShell = pytest.importorskip("IPython.core.interactiveshell").InteractiveShell
    shell = InteractiveShell.instance()
    try:
        fig = nn.plot.activations()
        data, _ = shell.display_formatter.format(fig)
        assert data["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        InteractiveShell.clear_instance()


def test_training_animation_writes_a_gif_of_the_regions_as_the_model_learns(tmp_path):
    from PIL import Image, ImageChops
    X, y = data.toy.spiral(30, 3, seed=0)
    model = nn.MLP(2, [16, 3], rng=0)
    path = tmp_path / "training.gif"
    h = plot.training_animation(model, X, y, path, optimizer=nn.optim.Adam(model.parameters(), lr=0.05), epochs=6,
                                frames=3, batch_size=30, resolution=30)
    assert len(h["loss"]) == 6 and h["loss"][-1] < h["loss"][0]       # the whole run's history, as nn.fit's
    gif = Image.open(path)
    assert gif.format == "GIF" and gif.n_frames == 4                    # the start, then after epochs 2, 4, 6
    first = gif.convert("RGB")
    gif.seek(3)
    assert ImageChops.difference(first, gif.convert("RGB")).getbbox() is not None   # the regions moved
    with pytest.raises(FileExistsError, match="overwrite=True"):
        plot.training_animation(model, X, y, path, optimizer=nn.optim.SGD(model.parameters(), 0.1), epochs=1)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        plot.training_animation(model, np.zeros((4, 3)), y[:4], tmp_path / "x.gif",
                                optimizer=nn.optim.SGD(model.parameters(), 0.1), epochs=1)
    assert not (tmp_path / "x.gif").exists()
