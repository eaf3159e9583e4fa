"""The main job, `python -m nn` (console script `graphgrad`): train an MLP on a built-in data set, print a
summary, and write the decision regions, the loss curves and the computation graph of one training step."""
from __future__ import annotations

import argparse
import math
import re
import sys
import time
import warnings
from collections.abc import Sequence
from contextlib import contextmanager

import numpy as np

from . import data, optim, plot, scalar
from .cli_checks import (FALLBACK_MEMORY, MAX_BATCH_SIZE, MAX_DEPTH, MAX_EPOCHS, MAX_SEED, MEMORY_FRACTION,
                         Refused, hidden, integer, number, out_text, prepare_out, remove_folders,
                         run_memory_check)
from .cli_graph import write_graph
from .threads import available as threads_available, blas_threads
from .fit import evaluate, fit, predict
from .layers import MLP
from .activations import REGISTRY as _ACTIVATIONS

DATASETS = {                                  # name -> (X, y) from a seed; 2-D sets have 300 points
    "spiral": lambda seed: data.spiral(100, 3, seed=seed),
    "moons": lambda seed: data.moons(300, noise=0.2, seed=seed),
    "circles": lambda seed: data.circles(300, noise=0.1, seed=seed),
    "xor": lambda seed: data.xor(300, noise=0.1, seed=seed),
    "blobs": lambda seed: data.blobs(300, centers=3, std=1.5, seed=seed),
    "digits": lambda seed: data.load_digits(return_split=False),
}
ACTIVATIONS = tuple(_ACTIVATIONS)             # every hidden activation nn.MLP has, from nn.activations.REGISTRY
OPTIMIZERS = {"sgd": lambda ps, lr: optim.SGD(ps, lr), "momentum": lambda ps, lr: optim.SGD(ps, lr, momentum=0.9),
              "adam": lambda ps, lr: optim.Adam(ps, lr), "rmsprop": lambda ps, lr: optim.RMSprop(ps, lr)}
LEARNING_RATES = {"sgd": 0.3, "momentum": 0.05, "adam": 0.01, "rmsprop": 0.01}
TENSOR = {"hidden": [100], "epochs": 100, "batch_size": 32}
SCALAR = {"hidden": [16], "epochs": 20, "batch_size": 8, "examples": 300, "seconds": 60}   # Values are slow
SCALAR_RATE = 1e5                             # parameter-example products per second, forward and backward
FILES = {"regions": "decision_regions.png", "confusion": "confusion_matrix.png", "loss": "loss.png",
         "graph": "graph.svg", "page": "graph.html", "animation": "training.gif"}
ANIMATION_FRAMES = 12

EPILOG = f"""\
output files (in --out DIR, default ./out):
  decision_regions.png  the class the trained model predicts at each point of the plane, with the data
                        (digits: confusion_matrix.png instead, as its inputs are 64-D)
  loss.png              training and validation loss and accuracy per epoch
  graph.svg             the computation graph of one training step (loss + L2 on the first 4 training
                        examples, printed as "graph loss") with its gradients, each layer collapsed to one
                        node (--engine scalar: 1 example, no L2)
  graph.html            the same step in the browser: forward, then backward one op at a time, every
                        number from the engine (open it from disk: it loads nothing from the network)
  training.gif          with --animate (2-D data sets): the decision regions evolving over training
Files are never overwritten: if DIR already holds one of these names, the run writes into the first
free numbered subfolder DIR/run-1, DIR/run-2, ... instead; --overwrite replaces them in DIR.

--engine scalar trains nn.scalar.MLP, one Python float per weight: far slower, so its defaults are
--hidden 16 --epochs 20 --batch-size 8 on at most 300 training examples, and long runs are warned about.

refused before any data is made or training starts, with one line on stderr and exit code 2: values out of
range (--epochs 1 to {MAX_EPOCHS:,}, --batch-size 1 to {MAX_BATCH_SIZE:,}: a batch larger than the training set is the
whole set; --seed 0 to 2**64-1; at most {MAX_DEPTH} hidden layers; --lr, --reg, --dropout finite); an --out that is
or passes through a file, or cannot be created and written to (tried with a probe file); a network whose
estimated memory (parameters, gradients, optimizer state, one batch's activations, the largest evaluation
pass) exceeds {MEMORY_FRACTION:.0%} of physical memory (of {FALLBACK_MEMORY // 2**30} GiB where the OS does not say).

examples:
  python -m nn
  python -m nn --dataset moons --hidden 8,8 --activation tanh --epochs 50
  python -m nn --dataset digits --hidden 64 --optimizer momentum --dropout 0.2
  python -m nn --engine scalar --dataset xor --no-progress
  python -m nn --dataset moons --animate
"""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr (no usage block), exit code 2."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # read '-1e-3' and '-inf' as (negative) values, not as unknown options, so `--reg -1e-3` says what is wrong
        self._negative_number_matcher = re.compile(r"^-((\d+\.?\d*|\.\d+)(e[-+]?\d+)?|inf|infinity|nan)$",
                                                   re.IGNORECASE)

    def error(self, message):
        line = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)   # a newline in a value
        self.exit(2, f"{self.prog}: error: {line} (see --help)\n")


def build_parser(prog=None):
    """The argument parser of the main job."""
    p = _Parser(prog=prog, description="Train an MLP with graphgrad on a built-in data set (no network needed),\n"
                "print its accuracy, and write plots and the computation graph of one training step.",
                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", choices=list(DATASETS), default="spiral", help="data set (default: spiral)")
    p.add_argument("--hidden", type=hidden, default=None, metavar="N[,N...]",
                   help="hidden layer widths (default: 100; 16 with --engine scalar)")
    p.add_argument("--activation", choices=ACTIVATIONS, default="relu", help="hidden activation (default: relu)")
    p.add_argument("--reg", type=number(0), default=1e-4, metavar="L2",
                   help="L2 strength: adds reg * (sum of squared parameters) to the loss (default: 1e-4)")
    p.add_argument("--dropout", type=number(0, below=1), default=0.0, metavar="P",
                   help="probability of dropping a hidden unit in training, in [0, 1) (default: 0)")
    p.add_argument("--lr", type=number(0, strict=True), default=None,
                   help="learning rate (default: " + ", ".join(f"{k} {v:g}" for k, v in LEARNING_RATES.items()) + ")")
    p.add_argument("--optimizer", choices=list(LEARNING_RATES), default="adam",
                   help="momentum is SGD with momentum 0.9 (default: adam)")
    p.add_argument("--epochs", type=integer(1, MAX_EPOCHS), default=None,
                   help="passes over the training set (default: 100; 20 with --engine scalar)")
    p.add_argument("--batch-size", type=integer(1, MAX_BATCH_SIZE), default=None, metavar="N",
                   help="minibatch size (default: 32; 8 with --engine scalar)")
    p.add_argument("--engine", choices=("tensor", "scalar"), default="tensor",
                   help="tensor: nn.MLP on numpy arrays; scalar: nn.scalar.MLP on Values (slow)")
    p.add_argument("--seed", type=integer(0, MAX_SEED), default=0,
                   help="seed of data, weights and shuffling (default: 0)")
    p.add_argument("--out", type=out_text, default="out", metavar="DIR", help="output folder (default: ./out)")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files in DIR")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--blas-threads", type=integer(1, 256), default=None, metavar="N",
                   help="threads for numpy's BLAS (default: numpy's choice; 1 on a busy machine; needs threadpoolctl)")
    p.add_argument("--animate", action="store_true",
                   help=f"also write {FILES['animation']}: the decision regions after each of up to "
                        f"{ANIMATION_FRAMES} slices of training (2-D data sets)")
    return p


def parse_args(argv=None, prog=None):
    """Parsed and checked arguments, with the engine-dependent defaults filled in (exit 2 on bad input).
    --out is checked by main, as checking it creates the folder."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    if args.engine == "scalar" and not _ACTIVATIONS[args.activation].scalar:
        parser.error(f"--activation {args.activation} needs --engine tensor (scalar layers have no {args.activation})")
    if args.blas_threads is not None and not threads_available():
        parser.error("--blas-threads needs threadpoolctl: pip install 'graphgrad[threads]'")
    if args.animate and args.dataset == "digits":
        parser.error("--animate draws decision regions in the plane; digits has 64 features (use a 2-D data set)")
    defaults = SCALAR if args.engine == "scalar" else TENSOR
    for key in ("hidden", "epochs", "batch_size"):
        if getattr(args, key) is None:
            setattr(args, key, defaults[key])
    args.lr = LEARNING_RATES[args.optimizer] if args.lr is None else args.lr
    try:
        run_memory_check(args, SCALAR["examples"])
    except Refused as e:
        parser.error(str(e))
    return args


def load_data(name, seed):
    """(X_train, X_val, y_train, y_val): a stratified 80/20 split; blobs and digits standardized."""
    X, y = DATASETS[name](seed)
    Xtr, Xva, ytr, yva = data.train_test_split(X, y, test_fraction=0.2, seed=seed, stratify=True)
    if name in ("blobs", "digits"):
        s = data.Standardize().fit(Xtr)
        Xtr, Xva = s.transform(Xtr), s.transform(Xva)
    return Xtr, Xva, ytr, yva


def build_model(args, nin, nout):
    """nn.MLP (tensor engine) or nn.scalar.MLP (Value engine) of the requested shape."""
    cls = scalar.MLP if args.engine == "scalar" else MLP
    return cls(nin, args.hidden + [nout], args.activation, args.dropout, rng=args.seed)


def scalar_budget(args, model, Xtr, ytr):
    """For the Value engine: at most SCALAR['examples'] training rows, and printed notes when a run looks long."""
    if args.engine != "scalar":
        return Xtr, ytr
    if len(Xtr) > SCALAR["examples"]:
        keep = np.random.default_rng(args.seed).permutation(len(Xtr))[:SCALAR["examples"]]
        print(f"note: the scalar engine trains on {len(keep)} of the {len(Xtr)} training examples (it is slow)")
        Xtr, ytr = Xtr[keep], ytr[keep]
    seconds = model.num_parameters() * len(Xtr) * args.epochs / SCALAR_RATE
    if seconds > SCALAR["seconds"]:
        print(f"warning: the scalar engine will need about {seconds / 60:.0f} min for this run; "
              "use fewer --epochs or a smaller --hidden, or --engine tensor")
    return Xtr, ytr


def write_plots(args, model, history, sets, out, title):
    """The decision-region (digits: confusion-matrix) PNG and the loss-curve PNG; [] without matplotlib."""
    (Xtr, ytr), (Xva, yva) = sets
    try:
        curves = plot.history(history)
        if args.dataset == "digits":
            fig, first = _confusion(predict(model, Xva).argmax(axis=1), yva, title), out / FILES["confusion"]
        else:
            fig, first = plot.decision_regions(model, Xtr, ytr, title=title), out / FILES["regions"]
            ax = fig.axes[0]                          # the validation points on top, as triangles
            ax.scatter(*Xva.T, s=28, marker="^", color=[plot.DARK[c % len(plot.DARK)] for c in yva],
                       edgecolor="black", linewidth=0.6, label="validation")
            ax.legend(loc="best", fontsize=8, framealpha=0.8)
            ax.title.set_fontsize(9)
    except ImportError as e:                          # matplotlib is an optional extra
        print(f"note: PNG plots skipped: {e}")
        return []
    return [_save(fig, first, args.overwrite), _save(curves, out / FILES["loss"], args.overwrite)]


def _confusion(pred, y, title):
    """A Figure of the counts of (true class, predicted class) on the validation set (nn.plot has none)."""
    from matplotlib.figure import Figure
    ax = Figure(figsize=(6, 5.5)).subplots()
    k = int(max(pred.max(), y.max())) + 1
    C = np.zeros((k, k), int)
    np.add.at(C, (y, pred), 1)
    ax.imshow(C, cmap="Blues")
    for (i, j), n in np.ndenumerate(C):
        if n:
            ax.text(j, i, n, ha="center", va="center", fontsize=8, color="white" if n > C.max() / 2 else "black")
    ax.set_title(f"{title}\nvalidation confusion matrix", fontsize=9)
    ax.set(xlabel="predicted", ylabel="true", xticks=range(k), yticks=range(k))
    return ax.figure


def _save(fig, path, overwrite):
    from autograd.fileio import write_file           # imported here to keep this change within _save
    # atomic: a file that appeared meanwhile is never replaced, and an error never leaves half a PNG
    write_file(path, lambda fh: fig.savefig(fh, format="png", dpi=120, bbox_inches="tight"), overwrite=overwrite,
               who="graphgrad")
    return path


@contextmanager
def _diverging():
    """numpy's and the Value engine's overflow and nan warnings off: train reports a diverged run once."""
    with np.errstate(over="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def train(args, model, Xtr, ytr, Xva, yva, animation=None):
    """Fit with the chosen optimizer and print the results; returns (history, eval-mode metrics on both sets)."""
    start = time.perf_counter()
    with _diverging():
        history = _fit(args, model, Xtr, ytr, (Xva, yva), animation)
        seconds = time.perf_counter() - start
        metrics = evaluate(model, Xtr, ytr), evaluate(model, Xva, yva)
        penalty = args.reg * sum(float(np.sum(np.square(p.data))) for p in model.parameters()) if args.reg else 0
    print(f"training  {args.optimizer} lr {args.lr:g}, L2 {args.reg:g}, {args.epochs} epochs of batches of "
          f"{args.batch_size}: {seconds:.1f} s")
    tr, va = metrics
    print(f"accuracy  train {tr['accuracy']:.1%} (loss {tr['loss']:.3g}), "
          f"validation {va['accuracy']:.1%} (loss {va['loss']:.3g})")
    if not (math.isfinite(tr["loss"]) and math.isfinite(penalty)):   # the objective fit minimized
        print("warning: the loss (or its L2 term) is not finite: training diverged; try a smaller --lr or --reg")
    return history, metrics


def _fit(args, model, Xtr, ytr, val, animation):
    """nn.fit, or with --animate plot.training_animation: the same training (one optimizer, one shuffling
    Generator) in slices, writing the GIF of the decision regions after each."""
    optimizer = OPTIMIZERS[args.optimizer](model.parameters(), args.lr)
    options = dict(optimizer=optimizer, epochs=args.epochs, batch_size=args.batch_size, val=val, rng=args.seed,
                   reg=args.reg, progress=not args.no_progress)
    if animation is not None:
        try:
            return plot.training_animation(model, Xtr, ytr, animation, frames=ANIMATION_FRAMES,
                                           overwrite=args.overwrite, **options)
        except ImportError as e:                      # matplotlib is an optional extra: train without frames
            print(f"note: {FILES['animation']} skipped: {e}")
    return fit(model, Xtr, ytr, **options)


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    """Run the main job on command-line arguments (default sys.argv[1:]); returns the exit code."""
    args = parse_args(argv, prog)
    names = [FILES["confusion" if args.dataset == "digits" else "regions"], FILES["loss"], FILES["graph"],
             FILES["page"]]
    names += [FILES["animation"]] if args.animate else []
    try:
        out, made = prepare_out(args.out, names, args.overwrite)   # made, and a probe file written in it
    except Refused as e:
        build_parser(prog).error(str(e))
    try:
        with blas_threads(args.blas_threads):
            model, sets, layers, history, (tr, va) = _trained(args, out / FILES["animation"] if args.animate else None)
    except KeyboardInterrupt:
        remove_folders(made)
        sys.stderr.write("\ninterrupted: nothing written\n")
        return 130                                    # 128 + SIGINT, as shells report it
    except BaseException:
        remove_folders(made)                          # a failed run leaves no empty folder behind
        raise
    title = (f"{args.dataset}, MLP {layers} ({args.activation}): "
             f"train {tr['accuracy']:.1%}, validation {va['accuracy']:.1%}")
    with _diverging():
        written = write_plots(args, model, history, sets, out, title)
        Xtr, ytr = sets[0]
        written += write_graph(args, model, Xtr, ytr, out, {k: FILES[k] for k in ("graph", "page")})
    if args.animate and (out / FILES["animation"]).exists():
        written.append(out / FILES["animation"])
    print("wrote     " + "  ".join(str(p) for p in written if p is not None))
    return 0


def _trained(args, animation=None):
    """Make the data and the model and train it, printing a summary of each; writes no file but the
    `animation` GIF (a path, with --animate)."""
    Xtr, Xva, ytr, yva = load_data(args.dataset, args.seed)
    classes = int(max(ytr.max(), yva.max())) + 1
    model = build_model(args, Xtr.shape[1], classes)
    Xtr, ytr = scalar_budget(args, model, Xtr, ytr)
    layers = " -> ".join(map(str, [Xtr.shape[1]] + args.hidden + [classes]))
    print(f"data      {args.dataset}: {len(Xtr)} train / {len(Xva)} validation examples, "
          f"{Xtr.shape[1]} features, {classes} classes")
    print(f"model     MLP {layers} ({args.activation}{f', dropout {args.dropout:g}' if args.dropout else ''}), "
          f"{args.engine} engine, {model.num_parameters()} parameters", flush=True)   # before the bar
    history, metrics = train(args, model, Xtr, ytr, Xva, yva, animation)
    return model, ((Xtr, ytr), (Xva, yva)), layers, history, metrics
