"""The pictures the notes show: decision regions, activation curves, training curves, dead units.

matplotlib is an optional extra (`pip install 'graphgrad[plot]'`), imported when a plot is made.
Each function returns a matplotlib Figure (built without pyplot, so nothing global changes and
nothing pops up): show it in Jupyter by leaving it last in a cell, or `fig.savefig("x.png")`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

import autograd
from autograd import Tensor

from . import activations as act
from .fit import predict

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from numpy.typing import ArrayLike, NDArray

    from autograd.hints import PathLike, Seed

    from .module import Module
    from .optim import Optimizer

LIGHT = ["#bfdbfe", "#fecaca", "#bbf7d0", "#fde68a", "#ddd6fe", "#fbcfe8", "#a5f3fc", "#e5e7eb"]
DARK = ["#1d4ed8", "#b91c1c", "#15803d", "#a16207", "#6d28d9", "#be185d", "#0e7490", "#374151"]


def _figure(**kw):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("nn.plot needs matplotlib: pip install 'graphgrad[plot]' (or pip install matplotlib)") \
            from None
    _display_in_jupyter(Figure)
    return Figure(**kw)


def _display_in_jupyter(Figure):
    """Let a Figure show itself as PNG in IPython/Jupyter even before pyplot set up its inline backend."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    png = shell.display_formatter.formatters["image/png"]
    if Figure not in png.type_printers:                  # pyplot's inline backend may have registered one
        png.for_type(Figure, _png_bytes)


def _png_bytes(fig):
    import io
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return buf.getvalue()


def decision_regions(model: Module, X: ArrayLike, y: ArrayLike, resolution: int | None = None, threshold: float = 0.0,
                     ax: Axes | None = None, title: str | None = None) -> Figure:
    """The model's predicted class over the plane of 2-D data X, with the points of X coloured by y."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision_regions: X must have shape (n, 2) (2-D points), got {X.shape}")
    if y.shape != (len(X),):
        raise ValueError(f"decision_regions: y must have shape ({len(X)},), one class per point, got {y.shape}")
    n = resolution or (40 if model.is_scalar else 200)     # a scalar model runs once per grid point
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.1 * np.maximum(hi - lo, 1e-9)
    xs, ys = (np.linspace(lo[i] - pad[i], hi[i] + pad[i], n) for i in range(2))
    gx, gy = np.meshgrid(xs, ys)
    scores = np.asarray(predict(model, np.c_[gx.ravel(), gy.ravel()]), dtype=np.float64)
    scores = scores.reshape(len(scores), -1)
    regions = scores.argmax(axis=1) if scores.shape[1] > 1 else (scores[:, 0] > threshold).astype(int)
    classes = np.unique(np.concatenate([np.unique(y).astype(int), np.unique(regions)]))
    fig, ax = _axes(ax, figsize=(5.5, 4.5))
    from matplotlib.colors import ListedColormap
    k = int(classes.max()) + 1
    ax.contourf(gx, gy, regions.reshape(gx.shape), levels=np.arange(k + 1) - 0.5,
                cmap=ListedColormap([LIGHT[i % len(LIGHT)] for i in range(k)]))
    for c in np.unique(y):
        pts = X[y == c]
        ax.scatter(pts[:, 0], pts[:, 1], s=18, color=DARK[int(c) % len(DARK)], edgecolor="white",
                   linewidth=0.5, label=f"class {c}")
    ax.set(xlim=(xs[0], xs[-1]), ylim=(ys[0], ys[-1]), xlabel="$x_1$", ylabel="$x_2$",
           title=title or f"{type(model).__name__}: decision regions")
    ax.legend(loc="best", fontsize=8, framealpha=0.8)
    return fig


def _axes(ax, **kw):
    if ax is not None:
        return ax.figure, ax
    fig = _figure(**kw)
    return fig, fig.subplots()


def activation_curves(x: ArrayLike | None = None, negative_slope: float = 0.1, alpha: float = 0.25
                      ) -> dict[str, tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]]:
    """{name: (x, f(x), f'(x))} for the activations of the notes; each derivative comes from backward()."""
    x = np.linspace(-4, 4, 401) if x is None else np.asarray(x, dtype=np.float64)
    a = Tensor([alpha], requires_grad=True)
    pieces = [(-0.5, -0.5), (1.0, -1.0), (0.25, 0.5)]          # maxout of three lines w x + b
    fns = {
        "sigmoid": act.sigmoid, "tanh": act.tanh, "ReLU": act.relu,
        f"Leaky ReLU ({negative_slope:g})": lambda t: act.leaky_relu(t, negative_slope),
        f"PReLU (alpha={alpha:g})": lambda t: act.prelu(t, a),
        "Maxout (3 pieces)": lambda t: _maxout(t, pieces),
    }
    out = {}
    for name, f in fns.items():
        t = Tensor(x, requires_grad=True)
        y = f(t)
        y.sum().backward()                                     # d sum f(x_i) / d x_i = f'(x_i)
        out[name] = (x, y.data.copy(), t.grad.copy())
    return out


def _maxout(t, pieces):
    y = t * pieces[0][0] + pieces[0][1]
    for w, b in pieces[1:]:
        y = autograd.maximum(y, t * w + b)
    return y


def activations(negative_slope: float = 0.1, alpha: float = 0.25) -> Figure:
    """Sigmoid, tanh, ReLU, Leaky ReLU, PReLU and Maxout with their derivatives (computed by backward())."""
    curves = activation_curves(negative_slope=negative_slope, alpha=alpha)
    fig = _figure(figsize=(11, 6), layout="constrained")
    axes = fig.subplots(2, 3, sharex=True).ravel()
    for ax, (name, (x, y, dy)) in zip(axes, curves.items()):
        ax.axhline(0, color="#9ca3af", linewidth=0.6)
        ax.axvline(0, color="#9ca3af", linewidth=0.6)
        ax.plot(x, y, color=DARK[0], linewidth=2, label="f(x)")
        ax.plot(x, dy, color=DARK[1], linewidth=1.5, linestyle="--", label="f'(x) from backward()")
        ax.set_title(name, fontsize=11)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8, loc="upper left")
    fig.suptitle("Activation functions and their derivatives")
    return fig


def history(history: Mapping[str, Sequence[float]]) -> Figure:
    """Loss curves (and accuracy curves, when present) per epoch from nn.fit's history, or any dict of lists."""
    if not isinstance(history, dict) or not history:
        raise ValueError("history: pass the dict nn.fit returns, e.g. {'loss': [...], 'val_loss': [...]}")
    bad = [k for k, v in history.items() if np.ndim(v) != 1]
    if bad:
        raise ValueError(f"history: each entry must be a list of numbers, one per epoch; {bad[0]!r} is not")
    losses = {k: v for k, v in history.items() if "loss" in k}
    others = {k: v for k, v in history.items() if "loss" not in k}
    groups = [g for g in (losses, others) if g]
    fig = _figure(figsize=(5.5 * len(groups), 4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(groups)))
    for ax, group in zip(axes, groups):
        for i, (k, v) in enumerate(group.items()):
            style = "--" if k.startswith("val") else "-"
            ax.plot(np.arange(1, len(v) + 1), v, style, marker="o", markersize=3, label=k, color=DARK[i % len(DARK)])
        label = "loss" if group is losses else "accuracy" if all("acc" in k for k in group) else "value"
        ax.set(xlabel="epoch", ylabel=label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if losses and all(min(v, default=1) > 0 for v in losses.values()):
        axes[0].set_yscale("log")
    return fig


def dead_units(model: Module, X: ArrayLike, threshold: float = 0.99) -> Figure:
    """Per activation layer, the fraction of X's rows on which each unit is alive (dead or saturated in red)."""
    from .diagnostics import activations_of
    layers = activations_of(model, X, ("relu", "sigmoid", "tanh"), "dead_units")
    fig = _figure(figsize=(10, 2.4 * len(layers)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(layers), 1))
    for ax, (name, kind, a) in zip(axes, layers):
        if kind == "relu":
            alive = (a > 0).mean(axis=0)                        # fraction of examples that fire the unit
            what = "dead"
        else:
            y = 2 * a - 1 if kind == "sigmoid" else a
            alive = (np.abs(y) <= threshold).mean(axis=0)       # fraction off the flat tails
            what = "saturated"
        bad = alive == 0
        ax.bar(np.arange(len(alive)), alive, color=[DARK[1] if b else DARK[0] for b in bad], width=0.8)
        ax.bar(np.flatnonzero(bad), np.full(bad.sum(), 0.03), color=DARK[1], width=0.8)
        ax.set(ylim=(0, 1.05), xlim=(-0.6, len(alive) - 0.4), xlabel="unit", ylabel="share active")
        ax.set_title(f"{name} ({kind}): {bad.sum()} of {len(alive)} units {what} on all {len(a)} examples",
                     fontsize=10, color=DARK[1] if bad.any() else "black")
    return fig


def training_animation(model: Module, X: ArrayLike, y: ArrayLike, path: PathLike, *, optimizer: Optimizer,
                       epochs: int = 30, frames: int = 10, resolution: int | None = None, fps: float = 3,
                       overwrite: bool = False, progress: bool = False, rng: Seed = None,
                       **fit_options: Any) -> dict[str, list[float]]:
    """Train `model` on 2-D data with nn.fit and write an animated GIF of its decision regions at the start and
    after each of `frames` equal slices of `epochs`; returns the history of the whole run (as nn.fit's)."""
    from autograd.fileio import check_target, write_file
    from .fit import fit
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"training_animation: X must have shape (n, 2) (2-D points: the animation draws decision "
                         f"regions in the plane), got {X.shape}")
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or frames < 1:
        raise ValueError(f"training_animation: frames must be an int >= 1, got {frames!r}")
    check_target(path, overwrite, "training_animation")     # before training: a taken name is a quick error
    rng = np.random.default_rng(rng)                         # one Generator: each slice shuffles on from the last
    cuts = np.unique(np.linspace(0, epochs, min(frames, max(epochs, 1)) + 1).round().astype(int))
    resolution = resolution or (30 if model.is_scalar else 80)
    images = [_frame(model, X, y, 0, None, resolution)]
    history: dict[str, list[float]] = {}
    for a, b in _progress(list(zip(cuts[:-1], cuts[1:])), progress):
        part = fit(model, X, y, optimizer=optimizer, epochs=int(b - a), progress=False, rng=rng, **fit_options)
        for k, v in part.items():
            history.setdefault(k, []).extend(v)
        images.append(_frame(model, X, y, int(b), history["loss"][-1], resolution))
    write_file(path, lambda fh: _gif(images, fh, fps), overwrite=overwrite, who="training_animation")
    return history


def _progress(items, on):
    if not on:
        return items
    from tqdm.auto import tqdm
    return tqdm(items, desc="animate", unit="frame")


def _frame(model, X, y, epoch, loss, resolution):
    """One frame: the decision regions after `epoch` epochs, as a PIL image."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image
    fig = _figure(figsize=(4, 3.3), dpi=80, layout="constrained")
    ax = fig.subplots()
    title = f"epoch {epoch}" + ("" if loss is None else f": loss {loss:.3g}")
    decision_regions(model, X, y, resolution=resolution, ax=ax, title=title)
    ax.set(xlabel="", ylabel="")
    ax.legend().remove()
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("RGB")


def _gif(images, fh, fps):
    """The frames as a looping GIF; the last frame is held a little longer."""
    frames = [im.convert("P", palette=1, colors=64) for im in images]     # palette=1: Image.Palette.ADAPTIVE
    durations = [int(1000 / fps)] * (len(frames) - 1) + [2000]
    frames[0].save(fh, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0)
