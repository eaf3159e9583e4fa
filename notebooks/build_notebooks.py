"""Build the six teaching notebooks from the cell sources below, run them in a real kernel, save them with outputs.

    python notebooks/build_notebooks.py              # build, execute and save all six
    python notebooks/build_notebooks.py 01 04        # only the notebooks whose names start with 01 or 04
    python notebooks/build_notebooks.py --check      # exit 1 if a saved notebook's sources differ from its cells

Every notebook runs in a real Jupyter kernel started on this interpreter (`sys.executable`), in a
scratch working directory, so what is committed is exactly what a reader's kernel prints. The test
suite (tests/notebooks/test_notebooks.py) executes the saved notebooks with the same `execute`.

The machinery comes first; most of the file is the notebooks' text and code, one list of cells per
notebook (NB01 ... NB06, collected in NOTEBOOKS at the end). Every claim in them is computed and asserted.
"""
import argparse
import hashlib
import os
import re
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from textwrap import dedent

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
NOTES_URL = "https://cs231n.github.io/neural-networks-1/"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def md(text):
    """A markdown cell."""
    return nbformat.v4.new_markdown_cell(dedent(text).strip("\n"))


def code(text):
    """A code cell."""
    return nbformat.v4.new_code_cell(dedent(text).strip("\n"))


def notebook(cells):
    """A v4 notebook of `cells` that names the python3 kernel."""
    nb = nbformat.v4.new_notebook(cells=list(cells))
    for i, cell in enumerate(nb.cells):       # stable ids, so a rebuild only changes what really changed
        cell.id = f"c{i:02d}-{hashlib.sha1(cell.source.encode()).hexdigest()[:8]}"
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    return nb


@contextmanager
def kernel_manager():
    """A KernelManager whose 'python3' kernel is ipykernel on sys.executable, whatever kernels are installed."""
    from ipykernel.kernelspec import write_kernel_spec
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory(prefix="graphgrad-kernel-") as tmp:
        kernels = Path(tmp, "kernels")
        write_kernel_spec(kernels / "python3")             # argv: [sys.executable, -m, ipykernel_launcher, ...]
        ksm = KernelSpecManager(kernel_dirs=[str(kernels)], ensure_native_kernel=False)
        km = KernelManager(kernel_name="python3", kernel_spec_manager=ksm, transport="ipc",
                           connection_file=str(Path(tmp, "kernel.json")))       # ipc: no open TCP ports
        try:
            yield km
        finally:
            if km.has_kernel:              # nbclient leaves a kernel it did not create running: stop ours
                km.shutdown_kernel(now=False)


def execute(nb, workdir, timeout=120, env=None):
    """Run every cell of `nb` in place in a fresh kernel with cwd `workdir`; a failing cell raises CellExecutionError."""
    env = dict(os.environ if env is None else env)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")      # the matrices here are tiny: extra BLAS threads only contend (10x slower
                                      # on a busy 2-core machine)
    with kernel_manager() as km:
        client = NotebookClient(nb, km=km, timeout=timeout, kernel_name="python3", record_timing=False,
                                coalesce_streams=True, resources={"metadata": {"path": str(workdir)}})
        client.execute(env=env)
    return nb


def build(name, cells, run=True):
    """Write notebooks/<name>.ipynb from `cells`, executed with outputs when `run`; returns seconds spent running."""
    nb = notebook(cells)
    seconds = 0.0
    if run:
        with tempfile.TemporaryDirectory(prefix="graphgrad-nb-") as work:
            start = time.perf_counter()
            execute(nb, work)
            seconds = time.perf_counter() - start
    for cell in nb.cells:                     # '<Digraph at 0x7f..>' would change on every build
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/plain")
            if text:
                out["data"]["text/plain"] = re.sub(r" at 0x[0-9a-f]+>", ">", text)
    nbformat.validate(nb)
    nbformat.write(nb, HERE / f"{name}.ipynb")
    return seconds


def stale(name, cells):
    """True if the saved notebook's cell sources differ from `cells` (outputs are not compared)."""
    path = HERE / f"{name}.ipynb"
    if not path.exists():
        return True
    saved = nbformat.read(path, as_version=4).cells
    return [(c.cell_type, c.source) for c in saved] != [(c.cell_type, c.source) for c in cells]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="name prefixes, e.g. 01 05")
    parser.add_argument("--no-execute", action="store_true", help="write the notebooks without outputs")
    parser.add_argument("--check", action="store_true", help="only report notebooks out of date with their cells")
    args = parser.parse_args(argv)
    notebooks = {k: v for k, v in NOTEBOOKS.items() if not args.only or k.startswith(tuple(args.only))}
    if args.check:
        bad = [name for name, cells in notebooks.items() if stale(name, cells)]
        print("\n".join(f"out of date: {name}.ipynb" for name in bad) or "all notebooks match their cells")
        return 1 if bad else 0
    for name, cells in notebooks.items():
        seconds = build(name, cells, run=not args.no_execute)
        size = (HERE / f"{name}.ipynb").stat().st_size
        print(f"{name}.ipynb  {seconds:5.1f} s  {size / 1024:6.0f} KiB", flush=True)
    return 0


# =====================================================================================================
# The cells. Facts and figures come from the CS231n notes (NOTES_URL) and retellings of them; the words are ours.
# =====================================================================================================
def setup(*imports):
    """The first code cell of every notebook: imports (plus `imports`), plot style."""
    lines = ["%matplotlib inline", "import numpy as np", "import matplotlib.pyplot as plt", "",
             "import autograd as ag", "from autograd import Value, Tensor", "import nn", "import nn.functional as F",
             *imports, "",
             'plt.rcParams.update({"figure.dpi": 80, "figure.figsize": (7, 3), "axes.grid": True, "grid.alpha": 0.3,',
             '                     "axes.spines.top": False, "axes.spines.right": False})']
    return nbformat.v4.new_code_cell("\n".join(lines))


# --- 01 -----------------------------------------------------------------------------------------------
NB01 = [
    md(f"""
        # 1 · One neuron, built from `Value`s

        This notebook retells the first half of the CS231n notes *Neural Networks Part 1*
        ({NOTES_URL}) with graphgrad's scalar engine. The notes are the source of the facts; the
        sentences and the code here are ours. Every statement below that can be computed **is**
        computed, and an `assert` in the same cell checks it, so a wrong claim (or a wrong gradient
        in the engine) stops the notebook with an error instead of slipping by.

        Contents: the model neuron · activation functions and their slopes · how a sigmoid starves its
        weights of gradient · tanh as a stretched sigmoid · one neuron as a logistic-regression or SVM
        classifier · L2 regularization as slow forgetting.
        """),
    setup("import nn.optim as optim"),
    md("""
        ## 1. The model neuron

        A biological neuron gathers signals on its dendrites, integrates them in the cell body and,
        when the total is high enough, sends spikes down its axon. The textbook caricature keeps three
        ingredients and throws the rest away:

        * every incoming signal $x_i$ is scaled by a **synaptic strength** $w_i$ (positive: excitatory,
          negative: inhibitory), and these strengths are what learning changes;
        * the cell body **adds** the scaled signals and a bias $b$;
        * an **activation function** $f$ turns that sum into a firing *rate* (only the rate is kept,
          the timing of individual spikes is ignored).

        So a neuron computes $f(\\sum_i w_i x_i + b)$, historically with the sigmoid
        $\\sigma(z) = 1/(1+e^{-z})$, which maps any sum to a rate between 0 (silent) and 1 (firing
        flat out). The notes warn that this is a *very* coarse model of real neurons: dendrites
        compute nonlinearly, a synapse is a dynamical system rather than one number, and spike timing
        can matter.

        Below, each number is a `Value`: it remembers how it was computed, so `backward()` can tell
        us how the firing rate responds to every weight.
        """),
    code("""
        x = [Value(1.0, "x0"), Value(-2.0, "x1"), Value(3.0, "x2")]      # incoming signals
        w = [Value(0.5, "w0"), Value(-0.25, "w1"), Value(0.1, "w2")]     # synaptic strengths
        b = Value(-0.2, "b")

        z = sum(wi * xi for wi, xi in zip(w, x)) + b      # what the cell body adds up
        rate = z.sigmoid()                                # the firing rate
        rate.backward()                                   # d rate / d every input of the graph

        print(f"w.x + b = {z.data:.4f}    firing rate = {rate.data:.4f}")
        for v in w + [b]:
            print(f"d rate / d {v.label:2} = {v.grad:+.5f}")

        # by hand: sigma'(z) = sigma(z) (1 - sigma(z)), and z depends on w_i through x_i, on b with slope 1
        s = 1 / (1 + np.exp(-1.1))
        assert np.isclose(z.data, 0.5 * 1 - 0.25 * -2 + 0.1 * 3 - 0.2) and np.isclose(rate.data, s)
        for wi, xi in zip(w, x):
            assert np.isclose(wi.grad, s * (1 - s) * xi.data)
        assert np.isclose(b.grad, s * (1 - s))
        """),
    md("""
        `nn.scalar.Neuron` is the same computation packaged as a module, with its weights in `W` and
        its bias in `b`. Loaded with our numbers it fires at exactly the same rate (it adds the terms in
        the same order, so the floats agree to the last bit).
        """),
    code("""
        neuron = nn.scalar.Neuron(3, activation="sigmoid")
        neuron.load_state_dict({"W": np.array([0.5, -0.25, 0.1]), "b": np.array(-0.2)})
        print(neuron, "->", neuron([1.0, -2.0, 3.0]))
        assert neuron([1.0, -2.0, 3.0]).data == rate.data
        """),
    md("""
        ## 2. Activation functions and their slopes

        The activation is applied to one number at a time. The common choices, each plotted with the
        slope that backpropagation will multiply by (computed by the engine with `ag.grad`, not typed
        in):

        * **sigmoid** $\\sigma(z) = 1/(1+e^{-z})$: squashes into $(0, 1)$;
        * **tanh**: squashes into $(-1, 1)$ and is centred on zero;
        * **ReLU** $\\max(0, z)$: zero for negative input, identity for positive;
        * **leaky ReLU**: like ReLU, but with a small slope $\\alpha$ (0.01 is typical; 0.1 below so
          that it is visible) instead of a flat zero for negative input;
        * **maxout** $\\max(w_1 z + b_1,\\; w_2 z + b_2)$: the larger of two linear functions; ReLU
          and leaky ReLU are the special cases $(w_1, b_1) = (0, 0)$ and $(\\alpha, 0)$ with
          $(w_2, b_2) = (1, 0)$. Here it is written with nothing but `+`, `*` and `abs`:
          $\\max(a, c) = (a + c + |a - c|)/2$.
        """),
    code("""
        def maxout(z, w1, b1, w2, b2):
            a, c = w1 * z + b1, w2 * z + b2
            return (a + c + (a - c).abs()) * 0.5           # max(a, c), from engine primitives

        activations = {
            "sigmoid": lambda z: z.sigmoid(),
            "tanh": lambda z: z.tanh(),
            "ReLU": lambda z: z.relu(),
            "leaky ReLU (0.1)": lambda z: z.leaky_relu(0.1),
            "maxout (-0.3z, 0.7z + 1)": lambda z: maxout(z, -0.3, 0.0, 0.7, 1.0),
        }
        zs = np.linspace(-5, 5, 401)
        curves = {}
        for name, f in activations.items():
            values = np.array([f(Value(z)).data for z in zs])
            slopes = np.array([ag.grad(f)(z) for z in zs])          # engine's derivative at each point
            curves[name] = values, slopes

        fig, axes = plt.subplots(2, len(curves), figsize=(13, 4.2), sharex=True)
        for k, (name, (values, slopes)) in enumerate(curves.items()):
            axes[0, k].plot(zs, values, color="C0"); axes[0, k].set_title(name, fontsize=10)
            axes[1, k].plot(zs, slopes, color="C3")
        axes[0, 0].set_ylabel("f(z)"); axes[1, 0].set_ylabel("f'(z)  (from backward)")
        fig.tight_layout()

        sig, dsig = curves["sigmoid"]
        tanh, dtanh = curves["tanh"]
        assert np.allclose(dsig, sig * (1 - sig)) and np.isclose(dsig.max(), 0.25)       # peak 1/4 at z = 0
        assert np.allclose(dtanh, 1 - tanh ** 2) and np.isclose(dtanh.max(), 1.0)        # peak 1 at z = 0
        neg, pos = zs < 0, zs > 0
        relu_slope, leaky_slope = curves["ReLU"][1], curves["leaky ReLU (0.1)"][1]
        assert (relu_slope[neg] == 0).all() and (relu_slope[pos] == 1).all()
        assert np.allclose(leaky_slope[neg], 0.1) and (leaky_slope[pos] == 1).all()
        """),
    code("""
        # ReLU and leaky ReLU are maxout units with particular weights: same values everywhere, same slopes
        # everywhere except at the kink z = 0, where each formula picks its own subgradient
        for z in zs[zs != 0]:
            assert maxout(Value(z), 0, 0, 1, 0).data == Value(z).relu().data
            assert np.isclose(maxout(Value(z), 0.01, 0, 1, 0).data, Value(z).leaky_relu(0.01).data)
            assert np.isclose(ag.grad(lambda v: maxout(v, 0.01, 0, 1, 0))(z), ag.grad(lambda v: v.leaky_relu(0.01))(z))
        print("maxout with (w1, b1, w2, b2) = (0, 0, 1, 0) is ReLU; with (0.01, 0, 1, 0) it is leaky ReLU")
        """),
    md("""
        The price of maxout shows in the parameter count: it needs two weight vectors and two biases
        per unit where a ReLU needs one of each, so a layer of maxout units has twice the parameters.
        """),
    code("""
        relu_mlp, maxout_mlp = nn.MLP(10, [20, 1], activation="relu"), nn.MLP(10, [20, 1], activation="maxout")
        print("10 -> 20 -> 1 with ReLU:", relu_mlp.num_parameters(), "  with maxout:", maxout_mlp.num_parameters())
        hidden = lambda m: m.layers[0].num_parameters()
        assert hidden(maxout_mlp) == 2 * hidden(relu_mlp) == 2 * (10 * 20 + 20)
        """),
    md("""
        ## 3. Sigmoids saturate, and a saturated unit passes almost no gradient

        During backpropagation a unit multiplies the gradient arriving from above by its own local
        slope. For the sigmoid that slope is $\\sigma(z)(1-\\sigma(z))$: at most $1/4$ (at $z=0$) and
        vanishingly small once $|z|$ is large, where the output is pinned near 0 or 1. The table shows
        how quickly it collapses.
        """),
    code("""
        dsigmoid = ag.grad(lambda v: v.sigmoid())
        print(f"{'z':>6} {'sigmoid(z)':>12} {'slope':>12}")
        for z in [-10, -5, -2, 0, 2, 5, 10]:
            print(f"{z:6} {Value(z).sigmoid().data:12.6f} {dsigmoid(float(z)):12.3e}")

        assert dsigmoid(0.0) == 0.25
        assert dsigmoid(5.0) < 0.007 and dsigmoid(10.0) < 5e-5 and dsigmoid(-10.0) < 5e-5
        """),
    md("""
        That matters for learning because the gradient reaching a weight is (upstream gradient) ×
        (local slope) × (input). If the weights are large, $z = w \\cdot x$ is large for most inputs,
        the unit saturates, and its weights barely move: the notes' warning that a sigmoid network
        initialized with big weights "will barely learn".

        Below, one sigmoid neuron with 10 inputs sees 200 random inputs. We scale its initial weights
        by 0.1, 1, 10 and 100 and measure, for every input, the size of the gradient of its output
        with respect to its weights.
        """),
    code("""
        rng = np.random.default_rng(0)
        inputs = rng.standard_normal((200, 10))
        direction = rng.standard_normal(10) / np.sqrt(10)

        def weight_gradient_norms(scale):
            norms = []
            for row in inputs.tolist():
                w = [Value(scale * d) for d in direction]
                sum(wi * xi for wi, xi in zip(w, row)).sigmoid().backward()
                norms.append(np.linalg.norm([wi.grad for wi in w]))
            return np.array(norms)

        median = {}
        for scale in [0.1, 1, 10, 100]:
            g = weight_gradient_norms(scale)
            median[scale] = np.median(g)
            print(f"weights x {scale:>5}: median |d out / d w| = {median[scale]:.2e},  "
                  f"inputs with a gradient below 1e-3: {np.mean(g < 1e-3):4.0%}")

        assert median[0.1] > 0.5 and median[1] > 0.5          # near the middle of the S: healthy gradients
        assert median[100] < 1e-30                              # saturated: the gradient has all but vanished
        assert median[0.1] > median[1] > median[10] > median[100]
        """),
    md("""
        The sigmoid has a second, milder flaw: its outputs are always positive. If every input
        $x_i$ of a neuron is positive (for example because they are sigmoid outputs of the previous
        layer), then $\\partial L/\\partial w_i = (\\partial L/\\partial z)\\, x_i$ has the same sign for
        every $i$: for one example, all the weights are pushed up together or down together, which
        makes gradient descent zig-zag. Adding up the gradients of a batch whose examples disagree
        softens this, as the second check shows.
        """),
    code("""
        rng = np.random.default_rng(1)
        positive_inputs = 1 / (1 + np.exp(-2 * rng.standard_normal((4, 5))))   # 4 examples of 5 sigmoid outputs
        targets = [0.9, 0.1, 0.8, 0.2]
        w = [Value(v) for v in rng.standard_normal(5)]

        for row, t in zip(positive_inputs.tolist(), targets):        # one example at a time
            for wi in w:
                wi.grad = 0.0
            out = sum(wi * xi for wi, xi in zip(w, row)).sigmoid()
            ((out - t) ** 2).backward()
            signs = np.sign([wi.grad for wi in w])
            print("one example, signs of dL/dw:", signs)
            assert len(set(signs)) == 1                        # all up or all down together

        for wi in w:
            wi.grad = 0.0
        batch_loss = sum((sum(wi * xi for wi, xi in zip(w, row)).sigmoid() - t) ** 2
                         for row, t in zip(positive_inputs.tolist(), targets))
        batch_loss.backward()
        signs = np.sign([wi.grad for wi in w])
        print("summed over the batch:      ", signs)
        assert len(set(signs)) == 2                            # the batch sum can point in mixed directions
        """),
    md("""
        ## 4. tanh is a sigmoid, stretched and shifted

        tanh saturates too, but its output is centred on zero, which is why the notes prefer it to
        the sigmoid. It is not really a new function: $\\tanh(z) = 2\\sigma(2z) - 1$. Both sides, and
        their derivatives, computed by the engine on a grid:
        """),
    code("""
        zs = np.linspace(-6, 6, 241)
        lhs = np.array([Value(z).tanh().data for z in zs])
        rhs = np.array([(2 * (2 * Value(z)).sigmoid() - 1).data for z in zs])
        dlhs = np.array([ag.grad(lambda v: v.tanh())(z) for z in zs])
        drhs = np.array([ag.grad(lambda v: 2 * (2 * v).sigmoid() - 1)(z) for z in zs])
        print(f"max |tanh(z) - (2 sigmoid(2z) - 1)| = {np.abs(lhs - rhs).max():.1e}")
        print(f"max difference of the derivatives   = {np.abs(dlhs - drhs).max():.1e}")
        assert np.abs(lhs - rhs).max() < 1e-15 and np.abs(dlhs - drhs).max() < 1e-15

        # centred on zero: over symmetric inputs tanh averages 0, the sigmoid 1/2
        sig = np.array([Value(z).sigmoid().data for z in zs])
        print(f"mean over symmetric inputs: tanh {lhs.mean():+.3f}, sigmoid {sig.mean():+.3f}")
        assert abs(lhs.mean()) < 1e-12 and np.isclose(sig.mean(), 0.5)
        """),
    md("""
        ## 5. One neuron is a linear classifier

        A neuron's sum $w \\cdot x + b$ is positive on one side of a line (a hyperplane in more
        dimensions) and negative on the other, so it can "like" one region of input space and
        "dislike" the other. Attach a loss to its output and it becomes a classifier:

        * **binary softmax (logistic regression)**: read $\\sigma(w \\cdot x + b)$ as the probability of
          class 1 and $1 - \\sigma(\\cdot)$ as that of class 0, and minimize the cross-entropy. It predicts
          class 1 when the probability exceeds 0.5, which is the same as $w \\cdot x + b > 0$;
        * **binary SVM**: use the score $s = w \\cdot x + b$ directly with the hinge loss
          $\\max(0, 1 - y s)$ for labels $y = \\pm 1$.

        Both train the same three numbers on the same 2-D data, here with plain gradient descent.
        """),
    code("""
        X, y = nn.data.blobs(100, centers=np.array([[-1.5, -1.0], [1.5, 1.0]]), std=1.0, seed=1)
        rows = X.tolist()

        def train(loss_fn, targets, steps=100, lr=0.5, l2=0.0):
            neuron = nn.scalar.Neuron(2, activation="identity", rng=0)     # the score w.x + b
            opt = optim.SGD(neuron.parameters(), lr=lr)
            for _ in range(steps):
                scores = [neuron(r) for r in rows]
                loss = loss_fn(scores, targets)
                if l2:
                    loss = loss + 0.5 * l2 * F.l2_penalty(list(neuron.W))   # biases are not penalized
                opt.zero_grad()
                loss.backward()
                opt.step()
            return neuron, loss.data

        softmax_neuron, softmax_loss = train(F.binary_cross_entropy_with_logits, y)
        svm_neuron, svm_loss = train(F.hinge_loss, 2 * y - 1)

        def scores_of(neuron, points):
            return np.array([neuron(r).data for r in points.tolist()])

        for name, neuron in [("softmax", softmax_neuron), ("SVM", svm_neuron)]:
            s = scores_of(neuron, X)
            acc = np.mean((s > 0) == (y == 1))
            print(f"{name:8} w = {np.round(neuron.state_dict()['W'], 3)}, b = {neuron.b.data:+.3f}, "
                  f"training accuracy {acc:.0%}")
            assert acc >= 0.9

        # the softmax neuron's two probabilities sum to one, and "p > 0.5" is "score > 0"
        s = scores_of(softmax_neuron, X)
        p1 = np.array([Value(v).sigmoid().data for v in s])
        assert np.allclose(p1 + (1 - p1), 1) and ((p1 > 0.5) == (s > 0)).all()
        """),
    code("""
        fig, ax = plt.subplots(figsize=(5.5, 4.5))
        ax.scatter(*X[y == 0].T, s=14, c="C3", label="class 0")
        ax.scatter(*X[y == 1].T, s=14, c="C2", label="class 1")
        xs = np.linspace(-5, 5, 2)
        for name, neuron, style in [("softmax", softmax_neuron, "-"), ("SVM", svm_neuron, "--")]:
            (w0, w1), b0 = neuron.state_dict()["W"], neuron.b.data
            ax.plot(xs, -(w0 * xs + b0) / w1, "k" + style, label=f"{name}: w.x + b = 0")
        ax.set(xlim=(-5, 5), ylim=(-4.5, 4.5), title="one neuron, two losses, two lines")
        ax.legend(fontsize=8, loc="upper left");
        """),
    md("""
        The two losses treat confident examples differently. The hinge loss is exactly zero once an
        example is on the right side with margin $y s \\ge 1$, so such an example sends **no**
        gradient at all; the cross-entropy never quite reaches zero, so every example keeps pulling a
        little. We check this per example with the engine.
        """),
    code("""
        def per_example_weight_grads(neuron, loss_fn, targets):
            grads = []
            for r, t in zip(rows, np.asarray(targets).tolist()):
                neuron.zero_grad()
                loss_fn([neuron(r)], [t]).backward()
                grads.append([v.grad for v in neuron.parameters()])
            return np.array(grads)

        g_svm = per_example_weight_grads(svm_neuron, F.hinge_loss, 2 * y - 1)
        g_soft = per_example_weight_grads(softmax_neuron, F.binary_cross_entropy_with_logits, y)
        margin = (2 * y - 1) * scores_of(svm_neuron, X)
        silent = (g_svm == 0).all(axis=1)
        print(f"SVM: {silent.sum()} of {len(y)} examples send exactly zero gradient "
              f"(all of them have margin y*s > 1)")
        print(f"softmax: examples with exactly zero gradient: {(g_soft == 0).all(axis=1).sum()}")
        assert (silent == (margin > 1)).all() and silent.sum() > len(y) // 2
        assert not (g_soft == 0).all(axis=1).any()
        """),
    md("""
        ## 6. L2 regularization as "gradual forgetting"

        Adding $\\tfrac{\\lambda}{2}\\lVert w\\rVert^2$ to either loss adds $\\lambda w$ to the gradient,
        so every update also shrinks each weight by the factor $(1 - \\text{lr}\\cdot\\lambda)$. In the
        biological reading of the notes, synapses slowly forget unless the data keeps reinforcing them.
        With the data loss switched off, the weights should decay geometrically towards zero:
        """),
    code("""
        lam, lr, steps = 0.1, 0.5, 60
        w_start = softmax_neuron.state_dict()["W"]
        forgetful = nn.scalar.Neuron(2, activation="identity")
        forgetful.load_state_dict(softmax_neuron.state_dict())
        opt = optim.SGD(forgetful.parameters(), lr=lr)
        norms = [np.linalg.norm(w_start)]
        for _ in range(steps):
            penalty = 0.5 * lam * F.l2_penalty(list(forgetful.W))        # no data term at all
            opt.zero_grad()
            penalty.backward()
            opt.step()
            norms.append(np.linalg.norm(forgetful.state_dict()["W"]))

        expected = (1 - lr * lam) ** steps * w_start
        print(f"after {steps} steps: w = {forgetful.state_dict()['W']}, (1 - lr*lam)^t w0 = {expected}")
        assert np.allclose(forgetful.state_dict()["W"], expected, rtol=1e-12)

        fig, ax = plt.subplots(figsize=(5, 2.8))
        ax.semilogy(norms, label="|w| under the L2 penalty alone")
        ax.semilogy(norms[0] * (1 - lr * lam) ** np.arange(steps + 1), "k:", label="(1 - lr λ)^t |w0|")
        ax.set(xlabel="update", title="forgetting, one update at a time"); ax.legend(fontsize=8);
        """),
    md("""
        With the data term present, the penalty settles into a balance: the weights stop where the
        data's pull equals the decay. A stronger $\\lambda$ leaves smaller weights. The same penalty is
        what `optim.SGD(..., weight_decay=λ)` applies inside the update, and both routes give the same
        neuron.
        """),
    code("""
        sizes = {}
        for lam in [0.0, 0.1, 1.0]:
            neuron, _ = train(F.binary_cross_entropy_with_logits, y, l2=lam, steps=50)
            sizes[lam] = np.linalg.norm(neuron.state_dict()["W"])
            print(f"lambda = {lam:<5} |w| after training = {sizes[lam]:.3f}")
        assert sizes[0.0] > sizes[0.1] > sizes[1.0]

        # weight_decay in the optimizer == adding 0.5 * lambda * |w|^2 to the loss (here for W and b alike)
        a = nn.scalar.Neuron(2, activation="identity", rng=0)
        b = nn.scalar.Neuron(2, activation="identity", rng=0)
        opt_a, opt_b = optim.SGD(a.parameters(), lr=0.5), optim.SGD(b.parameters(), lr=0.5, weight_decay=0.1)
        for _ in range(20):
            loss_a = F.binary_cross_entropy_with_logits([a(r) for r in rows], y) + 0.05 * F.l2_penalty(a.parameters())
            loss_b = F.binary_cross_entropy_with_logits([b(r) for r in rows], y)
            for opt, loss in [(opt_a, loss_a), (opt_b, loss_b)]:
                opt.zero_grad(); loss.backward(); opt.step()
        assert np.allclose(a.state_dict()["W"], b.state_dict()["W"]) and np.isclose(a.b.data, b.b.data)
        print("explicit penalty and weight_decay agree:", a.state_dict()["W"])
        """),
    md(f"""
        **Summary.** A neuron is a weighted sum, a bias and a squashing function; the engine's
        gradients match the hand-derived $\\sigma' = \\sigma(1-\\sigma)$ and $\\tanh' = 1-\\tanh^2$; a
        saturated sigmoid passes (almost) nothing back; tanh is a rescaled sigmoid; a single neuron
        with a cross-entropy or hinge loss is logistic regression or a linear SVM; and L2
        regularization multiplies the weights by a constant just below one at every step.

        Next: [02 · backpropagation on a graph](02_backprop_graph.ipynb). Source:
        CS231n, *Neural Networks Part 1*, {NOTES_URL}
        """),
]

# --- 02 -----------------------------------------------------------------------------------------------
NB02 = [
    md(f"""
        # 2 · Backpropagation on an expression graph

        The CS231n notes ({NOTES_URL}) say that a network's weights are learned by gradient descent
        and that the gradients "are derived with chain rule (and computed with backpropagation)". This
        notebook makes both halves visible with graphgrad:

        1. a small expression drawn as a graph **before** and **after** `backward()`;
        2. the chain rule **read off the edges** of the drawing: each edge carries a local derivative,
           and a leaf's gradient is the product of the factors along its path (the sum over paths
           when there are several);
        3. every gradient checked against a **numerical** derivative;
        4. the textbook one-hidden-layer derivation (the "delta" recursion of the retellings), done by
           hand in numpy, and shown equal to what the engine computes.
        """),
    setup(),
    md("""
        ## 1. A graph before backward

        One sigmoid neuron with two inputs, written one operation per line so that every
        intermediate result has a name. Nothing has been differentiated yet, so the drawing shows
        only the forward values.
        """),
    code("""
        x0, x1 = Value(1.5, "x0"), Value(-0.5, "x1")          # inputs
        w0, w1, b = Value(0.8, "w0"), Value(2.0, "w1"), Value(-0.4, "b")   # parameters

        p0 = w0 * x0;   p0.label = "p0"
        p1 = w1 * x1;   p1.label = "p1"
        s = p0 + p1;    s.label = "s"
        z = s + b;      z.label = "z"
        out = z.sigmoid(); out.label = "out"

        leaves = [x0, x1, w0, w1, b]
        assert all(v.grad == 0.0 for v in leaves)             # no gradient yet
        ag.draw_graph(out, show_grad=False)
        """),
    md("""
        ## 2. The same graph after backward

        `out.backward()` walks the graph from `out` back to the leaves, in reverse topological order
        (the blue "backward k" numbers give the order in which the operations are visited). Each edge
        is labelled with the **local derivative** of the operation's output with respect to that input,
        for example $\\partial(w_0 x_0)/\\partial w_0 = x_0$ and
        $\\partial\\sigma(z)/\\partial z = \\sigma(z)(1-\\sigma(z))$. Every node now carries `grad`, the
        derivative of `out` with respect to it.
        """),
    code("""
        out.backward()
        ag.draw_graph(out, show_backward=True)
        """),
    md("""
        **Reading the chain rule off the edges.** The gradient arriving at a node is the gradient of
        the node above it times the factor on the edge between them. Going down from `out` (whose
        gradient is 1):

        * `z.grad` $= 1 \\times \\sigma(z)(1-\\sigma(z))$
        * `s.grad` $=$ `b.grad` $=$ `z.grad` $\\times 1$ (addition hands the gradient through unchanged)
        * `p0.grad` $=$ `p1.grad` $=$ `s.grad` $\\times 1$
        * `w0.grad` $=$ `p0.grad` $\\times x_0$ and `x0.grad` $=$ `p0.grad` $\\times w_0$ (multiplication
          swaps its inputs), likewise for `w1`, `x1`.

        Below, each local factor is computed on its own with `ag.grad` on the single operation (never
        by looking at the engine's stored gradients), multiplied along the path, and compared with
        what `backward()` left in each node.
        """),
    code("""
        d_sigmoid = ag.grad(lambda v: v.sigmoid())(z.data)           # local factor of the sigmoid edge
        d_add = ag.grad(lambda a, c: a + c, argnums=(0, 1))(1.0, 2.0)  # (1, 1): addition passes g through
        d_mul = ag.grad(lambda a, c: a * c, argnums=(0, 1))             # (c, a): multiplication swaps

        chain = {
            "z":  1.0 * d_sigmoid,
            "s":  1.0 * d_sigmoid * d_add[0],
            "b":  1.0 * d_sigmoid * d_add[1],
            "p0": 1.0 * d_sigmoid * d_add[0] * d_add[0],
            "p1": 1.0 * d_sigmoid * d_add[0] * d_add[1],
        }
        chain["w0"] = chain["p0"] * d_mul(w0.data, x0.data)[0]
        chain["x0"] = chain["p0"] * d_mul(w0.data, x0.data)[1]
        chain["w1"] = chain["p1"] * d_mul(w1.data, x1.data)[0]
        chain["x1"] = chain["p1"] * d_mul(w1.data, x1.data)[1]

        nodes = {v.label: v for v in [z, s, b, p0, p1, w0, x0, w1, x1]}
        for name, product in chain.items():
            print(f"{name:>2}: product of edge factors {product:+.6f}   backward() {nodes[name].grad:+.6f}")
            assert np.isclose(product, nodes[name].grad, rtol=1e-15, atol=0)
        assert d_add == (1.0, 1.0) and d_mul(3.0, 5.0) == (5.0, 3.0)
        """),
    md("""
        **When paths meet, gradients add.** If a value feeds two operations, a change in it reaches
        the output along both paths, so its gradient is the sum of the two chain products. In
        $f = x y + x$ the leaf $x$ has one path through the product (factor $y$) and one straight into
        the sum (factor 1): $\\partial f/\\partial x = y + 1$.
        """),
    code("""
        x, y = Value(3.0, "x"), Value(-4.0, "y")
        f = x * y + x;  f.label = "f"
        f.backward()
        print(f"df/dx = {x.grad}  (y + 1 = {y.data + 1})    df/dy = {y.grad}  (x = {x.data})")
        assert x.grad == y.data + 1 and y.grad == x.data
        ag.draw_graph(f, show_backward=True, legend=False)
        """),
    md("""
        ## 3. Checking gradients against numerical derivatives

        A derivative is a limit of difference quotients, so we can estimate it without any calculus:
        nudge one input by $\\pm h$ and look at the change of the output,
        $\\dfrac{f(v + h) - f(v - h)}{2h}$. This centred difference is off by $O(h^2)$, but $h$ cannot be
        made tiny either, because then the two outputs agree in almost all their digits and rounding
        error, about $10^{-16}/h$, takes over. We rebuild the neuron as a function of its five leaves.
        """),
    code("""
        def neuron(x0, x1, w0, w1, b):
            return (w0 * x0 + w1 * x1 + b).sigmoid()

        point = {"x0": 1.5, "x1": -0.5, "w0": 0.8, "w1": 2.0, "b": -0.4}
        engine_grads = {v.label: v.grad for v in leaves}

        def at(values):
            return neuron(**{k: Value(v) for k, v in values.items()}).data

        def numerical(name, h):
            up, down = dict(point), dict(point)
            up[name] += h
            down[name] -= h
            return (at(up) - at(down)) / (2 * h)

        for name in point:
            num = numerical(name, 1e-6)
            print(f"d out/d {name:2}: backward {engine_grads[name]:+.10f}   numerical {num:+.10f}")
            assert abs(num - engine_grads[name]) < 1e-9

        # the library's checker does the same for every input at once (and raises if any disagrees)
        assert ag.gradcheck(neuron, *[Value(v) for v in point.values()])
        """),
    code("""
        hs = np.logspace(-14, -1, 40)
        errors = np.array([abs(numerical("w0", h) - engine_grads["w0"]) for h in hs])
        fig, ax = plt.subplots(figsize=(5.5, 3))
        ax.loglog(hs, np.maximum(errors, 1e-18), "o-", ms=3)
        ax.set(xlabel="step h", ylabel="|numerical - backward|", title="centred difference error for d out / d w0")

        best = hs[errors.argmin()]
        print(f"best step h = {best:.0e}, error {errors.min():.1e}")
        assert errors.min() < 1e-10                              # the two agree to ~10 digits at a good h
        assert errors[hs > 5e-2].min() > 1e-5                   # a large h is biased (error ~ h^2)
        assert errors[hs < 1e-13].min() > 100 * errors.min()    # a tiny h drowns in rounding
        """),
    md("""
        ## 4. The one-hidden-layer derivation, by hand

        The retellings of the notes derive backpropagation for a layered network once and for all.
        With examples in rows (our layers store $W$ as (inputs, outputs), so a layer computes
        $Z = A W + b$):

        $$Z_1 = X W_1 + b_1,\\quad A_1 = f(Z_1),\\quad \\hat Y = A_1 W_2 + b_2,\\quad
          L = \\frac{1}{2n}\\sum (\\hat Y - Y)^2 .$$

        Define the "delta" of a layer as the gradient of the loss with respect to its pre-activation.
        Then

        * output: $\\delta_2 = \\partial L / \\partial \\hat Y = (\\hat Y - Y)/n$;
        * weights of a layer: $\\partial L/\\partial W_2 = A_1^\\top \\delta_2$, $\\partial L/\\partial b_2 =$
          column sums of $\\delta_2$;
        * the recursion: $\\delta_1 = (\\delta_2 W_2^\\top) \\odot f'(Z_1)$, and again
          $\\partial L/\\partial W_1 = X^\\top \\delta_1$, $\\partial L/\\partial b_1 =$ column sums of
          $\\delta_1$.

        The code follows these lines literally, in numpy only, for three activations, and compares
        the result with the engine running `nn.MLP` on the same weights.
        """),
    code("""
        rng = np.random.default_rng(0)
        n, d, m = 8, 3, 4
        X = rng.standard_normal((n, d))
        Y = rng.standard_normal((n, 1))
        W1, b1 = rng.standard_normal((d, m)), rng.standard_normal(m)
        W2, b2 = rng.standard_normal((m, 1)), rng.standard_normal(1)

        f_and_slope = {             # f(Z), and f'(Z) written with the output A where that is cheapest
            "tanh":    (np.tanh,                          lambda Z, A: 1 - A ** 2),
            "sigmoid": (lambda Z: 1 / (1 + np.exp(-Z)),   lambda Z, A: A * (1 - A)),
            "relu":    (lambda Z: np.maximum(Z, 0),       lambda Z, A: (Z > 0).astype(float)),
        }

        def by_hand(act):
            f, f_prime = f_and_slope[act]
            Z1 = X @ W1 + b1;  A1 = f(Z1);  Yhat = A1 @ W2 + b2          # forward, keeping what backward needs
            delta2 = (Yhat - Y) / n                                      # (n, 1)
            dW2, db2 = A1.T @ delta2, delta2.sum(axis=0)
            delta1 = (delta2 @ W2.T) * f_prime(Z1, A1)                   # (n, m): the recursion
            dW1, db1 = X.T @ delta1, delta1.sum(axis=0)
            return {"layers.0.W": dW1, "layers.0.b": db1, "layers.1.W": dW2, "layers.1.b": db2}

        for act in f_and_slope:
            net = nn.MLP(d, [m, 1], activation=act)
            net.load_state_dict({"layers.0.W": W1, "layers.0.b": b1, "layers.1.W": W2, "layers.1.b": b2})
            loss = F.mse_loss(net(X), Y, half=True)                     # mean of (Yhat - Y)^2 / 2
            loss.backward()
            hand = by_hand(act)
            worst = max(np.abs(p.grad - hand[name]).max() for name, p in net.named_parameters())
            print(f"{act:8} loss {loss.item():.4f}   largest |engine - by hand| over all gradients: {worst:.1e}")
            for name, p in net.named_parameters():
                assert np.allclose(p.grad, hand[name], rtol=1e-12, atol=1e-15), (act, name)
        """),
    md("""
        The recursion does not care how many layers there are: each step back multiplies by the
        next layer's weights (transposed) and by the local slopes. Here is the general loop for any
        depth, with a softmax cross-entropy loss on top (whose output delta is
        $(\\text{softmax}(Z) - \\text{onehot}(y))/n$), checked against the engine on a 3-5-4-2 network.
        """),
    code("""
        def backprop(Ws, bs, X, labels, f, f_prime):
            As, Zs = [X], []
            for i, (W, bias) in enumerate(zip(Ws, bs)):                 # forward, remembering Z and A
                Zs.append(As[-1] @ W + bias)
                As.append(Zs[-1] if i == len(Ws) - 1 else f(Zs[-1]))
            P = np.exp(Zs[-1] - Zs[-1].max(axis=1, keepdims=True))
            P /= P.sum(axis=1, keepdims=True)                           # softmax probabilities
            delta = (P - np.eye(P.shape[1])[labels]) / len(X)          # output delta
            grads = []
            for i in reversed(range(len(Ws))):                          # backward: one line of the recursion per layer
                grads.append((As[i].T @ delta, delta.sum(axis=0)))
                if i:
                    delta = (delta @ Ws[i].T) * f_prime(Zs[i - 1], As[i])
            return grads[::-1]

        sizes = [3, 5, 4, 2]
        rng = np.random.default_rng(1)
        net = nn.MLP(3, sizes[1:], activation="tanh", rng=1)
        Xb, labels = rng.standard_normal((10, 3)), rng.integers(0, 2, size=10)
        F.cross_entropy(net(Xb), labels).backward()

        Ws = [layer.W.data for layer in net.layers]
        bs = [layer.b.data for layer in net.layers]
        for layer, (dW, db) in zip(net.layers, backprop(Ws, bs, Xb, labels, *f_and_slope["tanh"])):
            assert np.allclose(layer.W.grad, dW, rtol=1e-12, atol=1e-15) and np.allclose(layer.b.grad, db)
        print("delta recursion == engine for every layer of a", "-".join(map(str, sizes)), "network")
        """),
    md("""
        The engine never saw these formulas. It only knows the local derivative of each primitive
        (`matmul`, `+`, `tanh`, `log_softmax`, ...) and multiplies them along the recorded graph, which
        is why the same code differentiates any architecture. Here is that graph for the 3-4-1
        network above, drawn with its parameter names and grouped by layer:
        """),
    code("""
        net = nn.MLP(d, [m, 1], activation="tanh")
        net.load_state_dict({"layers.0.W": W1, "layers.0.b": b1, "layers.1.W": W2, "layers.1.b": b2})
        Xt = ag.tensor(X)
        loss = F.mse_loss(net(Xt), Y, half=True)
        loss.backward(retain_graph=True)              # keep the graph so it can be drawn with its gradients
        assert np.allclose(net.layers[0].W.grad, by_hand("tanh")["layers.0.W"])
        ag.draw_graph(loss, model=net, inputs={"X": Xt}, rankdir="TB")
        """),
    md(f"""
        **Summary.** Backpropagation is the chain rule applied node by node: local derivative times
        upstream gradient, summed where paths meet. The engine's gradients agree with numerical
        derivatives to about ten digits, and with the hand-derived delta recursion to rounding error.

        Next: [03 · from scalars to tensors](03_scalars_to_tensors.ipynb). Source: CS231n,
        *Neural Networks Part 1*, {NOTES_URL}
        """),
]

# --- 03 -----------------------------------------------------------------------------------------------
NB03 = [
    md(f"""
        # 3 · From scalars to tensors

        The CS231n notes ({NOTES_URL}) point out that arranging neurons in layers is what makes a
        network cheap to evaluate: a whole layer is one matrix multiplication, a bias and an
        elementwise activation. graphgrad has both views on one engine: `Value` (one float per node,
        every multiply a node) and `Tensor` (one numpy array per node). This notebook shows

        1. the **same MLP** built from `Value`s and from `Tensor`s giving the same outputs and the
           same gradients, with very different graphs;
        2. the notes' **3-layer forward pass** ($W_1$ 4x3, $W_2$ 4x4, $W_3$ 1x4) as matrix
           operations, for one input column and for a batch of columns;
        3. **broadcasting**: the bias is added to every example, so its gradient is the sum over
           examples, drawn and checked.
        """),
    setup("from autograd.viz import forward_order", "import time"),
    md("""
        ## 1. One network, two engines

        `nn.MLP` is the tensor network; `nn.scalar.MLP` is its twin made of `Value`s, with the same
        parameter names and shapes, so weights can be copied from one to the other. Both are the
        3-4-4-1 network of the notes' second figure: 41 learnable numbers.
        """),
    code("""
        tensor_net = nn.MLP(3, [4, 4, 1], activation="tanh", rng=0)
        scalar_net = nn.scalar.MLP.from_tensor(tensor_net)           # same architecture, same weights
        print(nn.summary(tensor_net), "\\n")
        print(nn.summary(scalar_net))
        assert tensor_net.num_parameters() == scalar_net.num_parameters() == 41
        assert [n for n, _ in tensor_net.named_parameters()] == [n for n, _ in scalar_net.named_parameters()]
        """),
    md("""
        The tensor network takes the whole batch (one example per row) in one call; the scalar
        network takes one example at a time and returns a list of `Value`s. Same loss, same backward,
        and we compare everything.
        """),
    code("""
        rng = np.random.default_rng(0)
        X, Y = rng.standard_normal((5, 3)), rng.standard_normal((5, 1))

        out_t = tensor_net(X)                                   # Tensor (5, 1)
        out_s = [scalar_net(row) for row in X.tolist()]         # 5 lists of 1 Value
        loss_t, loss_s = F.mse_loss(out_t, Y), F.mse_loss(out_s, Y)
        nodes_t, nodes_s = len(forward_order(loss_t)), len(forward_order(loss_s))
        loss_t.backward()
        loss_s.backward()

        def value_grads(grid):                                  # a grid of Values -> array of their .grad
            return np.array([v.grad for v in grid.flat]).reshape(grid.shape)

        outputs_s = np.array([[v.data for v in row] for row in out_s])
        print(f"loss: tensor {loss_t.item():.15f}   scalar {loss_s.data:.15f}")
        print(f"largest output difference {np.abs(out_t.data - outputs_s).max():.1e}")
        assert np.allclose(out_t.data, outputs_s, rtol=1e-13, atol=1e-15)
        assert np.isclose(loss_t.item(), loss_s.data, rtol=1e-13)
        for (name, p_t), (_, p_s) in zip(tensor_net.named_parameters(), scalar_net.named_parameters()):
            diff = np.abs(p_t.grad - value_grads(p_s)).max()
            print(f"d loss / d {name:10} shape {str(p_t.shape):7} largest difference {diff:.1e}")
            assert p_t.grad.shape == p_s.shape and np.allclose(p_t.grad, value_grads(p_s), rtol=1e-12, atol=1e-15)
        print(f"graph nodes: tensor {nodes_t}, scalar {nodes_s}")
        """),
    md("""
        Same numbers, very different graphs. The scalar graph has a node for every single
        multiply-add of every example, so it grows with the batch; the tensor graph has a node per
        layer operation whatever the batch size. That is the whole speed difference.
        """),
    code("""
        def graph_sizes(batch):
            Xb, Yb = rng.standard_normal((batch, 3)), rng.standard_normal((batch, 1))
            t = len(forward_order(F.mse_loss(tensor_net(Xb), Yb)))
            s = len(forward_order(F.mse_loss([scalar_net(r) for r in Xb.tolist()], Yb)))
            return t, s

        sizes = {batch: graph_sizes(batch) for batch in [1, 10, 100]}
        for batch, (t, s) in sizes.items():
            print(f"batch {batch:3}: tensor graph {t:3} nodes, scalar graph {s:6} nodes")
        assert sizes[1][0] == sizes[10][0] == sizes[100][0]           # independent of the batch
        assert sizes[100][1] > 50 * sizes[1][1]                         # grows with it

        def seconds(step, repeat=3):
            best = float("inf")
            for _ in range(repeat):
                start = time.perf_counter(); step(); best = min(best, time.perf_counter() - start)
            return best

        Xb, Yb = rng.standard_normal((200, 3)), rng.standard_normal((200, 1))
        t_tensor = seconds(lambda: F.mse_loss(tensor_net(Xb), Yb).backward())
        t_scalar = seconds(lambda: F.mse_loss([scalar_net(r) for r in Xb.tolist()], Yb).backward(), repeat=1)
        print(f"forward + backward on 200 examples: tensor {1e3 * t_tensor:.2f} ms, scalar {1e3 * t_scalar:.0f} ms "
              f"({t_scalar / t_tensor:.0f}x)")
        assert t_scalar > 5 * t_tensor
        """),
    md("""
        Drawn for a 2-2-1 network on one example: every weight of the scalar network is its own
        node (first picture), while the tensor network (second) has one node per weight matrix.
        """),
    code("""
        small_t = nn.MLP(2, [2, 1], activation="tanh", rng=3)
        small_s = nn.scalar.MLP.from_tensor(small_t)
        x_one = [0.5, -1.0]
        ag.draw_graph(small_s(x_one)[0], model=small_s, legend=False, show_grad=False)
        """),
    code("""
        ag.draw_graph(small_t(ag.tensor([x_one])), model=small_t, legend=False, show_grad=False)
        """),
    md("""
        ## 2. The notes' 3-layer forward pass, as matrix operations

        The notes store each layer's weights with **one row per neuron**, so the first hidden layer of
        the 3-4-4-1 network is $W_1$ of shape 4x3 and an input is a column $x$ of shape 3x1:

        $$h_1 = f(W_1 x + b_1),\\qquad h_2 = f(W_2 h_1 + b_2),\\qquad \\text{out} = W_3 h_2 + b_3,$$

        with the sigmoid as $f$ and no activation on the output. Here it is literally, first in
        numpy for a single column, then with graphgrad tensors for a batch of 6 columns at once.
        """),
    code("""
        f = lambda x: 1.0 / (1.0 + np.exp(-x))                 # the sigmoid
        rng = np.random.default_rng(1)
        W1, b1 = rng.standard_normal((4, 3)), rng.standard_normal((4, 1))
        W2, b2 = rng.standard_normal((4, 4)), rng.standard_normal((4, 1))
        W3, b3 = rng.standard_normal((1, 4)), rng.standard_normal((1, 1))

        x = rng.standard_normal((3, 1))                        # one example: a column of three numbers
        h1 = f(W1 @ x + b1)                                    # (4, 1)
        h2 = f(W2 @ h1 + b2)                                   # (4, 1)
        out = W3 @ h2 + b3                                     # (1, 1)
        print("shapes:", x.shape, h1.shape, h2.shape, out.shape, "  out =", out.ravel())
        assert (h1.shape, h2.shape, out.shape) == ((4, 1), (4, 1), (1, 1))
        n_params = sum(a.size for a in [W1, b1, W2, b2, W3, b3])
        assert n_params == 41
        """),
    code("""
        params = {k: ag.tensor(v, requires_grad=True) for k, v in
                  dict(W1=W1, b1=b1, W2=W2, b2=b2, W3=W3, b3=b3).items()}
        Xcols = rng.standard_normal((3, 6))                    # a batch: one example per column

        def forward(p, X):
            H1 = (p["W1"] @ X + p["b1"]).sigmoid()            # (4, 6): b1 (4, 1) is added to every column
            H2 = (p["W2"] @ H1 + p["b2"]).sigmoid()           # (4, 6)
            return p["W3"] @ H2 + p["b3"]                      # (1, 6)

        OUT = forward(params, ag.tensor(Xcols))
        print("batched output shape:", OUT.shape)
        one_at_a_time = np.hstack([W3 @ f(W2 @ f(W1 @ Xcols[:, [k]] + b1) + b2) + b3 for k in range(6)])
        assert OUT.shape == (1, 6) and np.allclose(OUT.data, one_at_a_time, rtol=1e-14)
        """),
    md("""
        `nn.MLP` stores the transposed layout, $W$ of shape (inputs, outputs) with examples in
        rows, so that a layer is `x @ W + b`. Loading the transposed matrices gives the same network;
        its outputs are the transposed outputs, and so are its gradients.
        """),
    code("""
        mlp = nn.MLP(3, [4, 4, 1], activation="sigmoid")
        mlp.load_state_dict({"layers.0.W": W1.T, "layers.0.b": b1.ravel(), "layers.1.W": W2.T,
                             "layers.1.b": b2.ravel(), "layers.2.W": W3.T, "layers.2.b": b3.ravel()})
        out_rows = mlp(Xcols.T)                                # (6, 1): examples in rows
        assert np.allclose(out_rows.data, OUT.data.T, rtol=1e-14)

        OUT.sum().backward()
        out_rows.sum().backward()
        assert np.allclose(mlp.layers[0].W.grad, params["W1"].grad.T)
        assert np.allclose(mlp.layers[2].b.grad, params["b3"].grad.ravel())
        print("column layout (notes) and row layout (nn.MLP): same outputs, transposed gradients")
        """),
    md("""
        Why the activation matters: drop it, and the three matrices collapse into one,
        $W_3(W_2(W_1 x + b_1) + b_2) + b_3 = W x + c$, so the deep network is just a linear model. The
        notes put it as "the non-linearity is where we get the wiggle".
        """),
    code("""
        no_f = lambda X: W3 @ (W2 @ (W1 @ X + b1) + b2) + b3
        W = W3 @ W2 @ W1                                        # (1, 3): one matrix
        c = W3 @ (W2 @ b1 + b2) + b3                            # (1, 1): one bias
        assert np.allclose(no_f(Xcols), W @ Xcols + c)
        print("without f, the 3-layer network equals the single linear map W =", W.round(3), "plus c =", c.ravel().round(3))
        """),
    md("""
        ## 3. Broadcasting, and the gradient that comes back summed

        In `W1 @ X + b1` the product has shape (4, 6) while `b1` has shape (4, 1). numpy (and
        graphgrad) **broadcast** `b1`: it is used, unchanged, in all six columns. The chain rule then
        says that `b1` collects the gradient from every place it was used, so
        $\\partial L/\\partial b_1$ is the upstream gradient **summed over the columns**, and it comes back
        with `b1`'s own shape (4, 1). The engine does this summing once, for every operation, after
        each vector-Jacobian product.
        """),
    code("""
        W = ag.tensor(W1, requires_grad=True, label="W1")
        b = ag.tensor(b1, requires_grad=True, label="b1")
        Xt = ag.tensor(Xcols[:, :3], label="X")                # 3 columns keep the picture small
        Z = W @ Xt + b;  Z.label = "Z"
        G = np.arange(12.0).reshape(4, 3) / 10                 # a made-up upstream gradient dL/dZ, (4, 3)
        Z.backward(G, retain_graph=True)

        print("dL/dZ =\\n", G, "\\n\\ndL/db1 =\\n", b.grad)
        assert b.grad.shape == b.data.shape == (4, 1)
        assert np.allclose(b.grad, G.sum(axis=1, keepdims=True))        # summed over the examples
        assert np.allclose(W.grad, G @ Xcols[:, :3].T)                   # and dL/dW1 = dL/dZ X^T
        ag.draw_graph(Z, legend=False)
        """),
    code("""
        from matplotlib.patches import ConnectionPatch

        fig, axes = plt.subplots(1, 4, figsize=(10, 3), gridspec_kw={"width_ratios": [1, 3, 3, 1]})
        panels = [(b1, "b1  (4, 1)"), (np.broadcast_to(b1, (4, 3)), "forward: b1 broadcast\\nto (4, 3)"),
                  (G, "backward: upstream\\ndL/dZ  (4, 3)"), (b.grad, "dL/db1 (4, 1):\\nrow sums")]
        for ax, (data, title) in zip(axes, panels):
            ax.imshow(data, cmap="coolwarm", vmin=-3, vmax=3)
            for (i, j), v in np.ndenumerate(data):
                ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=9)
            ax.set_title(title, fontsize=9); ax.set_xticks([]); ax.set_yticks([]); ax.grid(False)
        fig.tight_layout(w_pad=3)
        for a, c in [(axes[0], axes[1]), (axes[2], axes[3])]:     # arrows: copy forward, sum backward
            fig.add_artist(ConnectionPatch((1.1, 0.5), (-0.1, 0.5), "axes fraction", "axes fraction",
                                           axesA=a, axesB=c, arrowstyle="-|>", mutation_scale=15, lw=1.5))
        """),
    md("""
        The same rule in the row layout of `nn.MLP` (bias (4,) added to every row of a (batch, 4)
        matrix, gradient summed over rows), and its consequence: the gradient of a batch is the sum
        of the gradients of its examples.
        """),
    code("""
        layer = nn.Linear(3, 4, rng=0)
        Xrows = rng.standard_normal((8, 3))
        (layer(Xrows) ** 2).sum().backward()
        batch_grads = layer.W.grad.copy(), layer.b.grad.copy()

        sum_W, sum_b = np.zeros_like(layer.W.data), np.zeros_like(layer.b.data)
        for row in Xrows:
            layer.zero_grad()
            (layer(row[None, :]) ** 2).sum().backward()          # one example at a time
            sum_W += layer.W.grad
            sum_b += layer.b.grad
        assert layer.b.grad.shape == (4,)
        assert np.allclose(batch_grads[0], sum_W) and np.allclose(batch_grads[1], sum_b)
        print("batch gradient == sum of the 8 per-example gradients, for W (3, 4) and b (4,)")
        """),
    md(f"""
        **Summary.** A `Value` network and a `Tensor` network with the same weights agree on
        outputs and gradients to rounding error; the tensor graph has one node per layer operation
        instead of one per multiply, which is where the speed comes from. The notes' forward pass is
        three matrix products interleaved with the activation, and batching just adds columns.
        Broadcasting copies a bias forward and sums its gradient backward.

        Next: [04 · capacity](04_capacity.ipynb). Source: CS231n, *Neural Networks Part 1*, {NOTES_URL}
        """),
]

# --- 04 -----------------------------------------------------------------------------------------------
NB04 = [
    md(f"""
        # 4 · Capacity: how big a network, and what it can represent

        The second half of the CS231n notes ({NOTES_URL}) is about architecture: how to count a
        network's size, what more neurons buy (and cost), why regularization is the better knob
        against overfitting, and what "universal approximator" does and does not mean. Everything here
        is trained with graphgrad's `Tensor` engine in a few seconds, and each claim is checked by an
        `assert`.
        """),
    setup("import nn.optim as optim"),
    md("""
        ## 1. Counting parameters: 26 and 41

        The notes size two example networks (they do not count the input layer when naming a
        network's depth):

        * a **2-layer** net, 3 inputs → 4 hidden → 2 outputs: $4 + 2 = 6$ neurons,
          $3\\cdot4 + 4\\cdot2 = 20$ weights and $4 + 2 = 6$ biases, **26** parameters;
        * a **3-layer** net, 3 → 4 → 4 → 1: $4 + 4 + 1 = 9$ neurons,
          $12 + 16 + 4 = 32$ weights and $9$ biases, **41** parameters.

        `nn.summary` counts them by tracing one forward pass:
        """),
    code("""
        two_layer = nn.MLP(3, [4, 2])
        three_layer = nn.MLP(3, [4, 4, 1])
        print(nn.summary(two_layer), "\\n")
        print(nn.summary(three_layer))

        def by_formula(sizes):
            weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
            biases = neurons = sum(sizes[1:])
            return neurons, weights, biases

        assert by_formula([3, 4, 2]) == (6, 20, 6) and two_layer.num_parameters() == 26
        assert by_formula([3, 4, 4, 1]) == (9, 32, 9) and three_layer.num_parameters() == 41
        assert sum(p.size for p in two_layer.parameters()) == 26
        """),
    md("""
        ## 2. More hidden neurons, more complicated decision regions

        The notes show three one-hidden-layer networks trained on the same 2-D, two-class data
        (made with Karpathy's ConvNetJS demo). We rebuild that experiment: two clouds of points, plus
        a few red points sitting inside the green cloud (and a few green inside the red), then train
        networks with **3, 6 and 20** tanh hidden units to the same budget and colour the plane by
        their prediction.
        """),
    code("""
        def make_data(seed=0):
            rng = np.random.default_rng(seed)
            red = rng.normal([-1.0, -0.5], 0.55, (45, 2))
            green = rng.normal([1.0, 0.5], 0.55, (45, 2))
            red_in_green = rng.normal([1.0, 0.5], 0.35, (5, 2))     # the "outliers" of the notes
            green_in_red = rng.normal([-1.0, -0.5], 0.35, (3, 2))
            X = np.vstack([red, red_in_green, green, green_in_red])
            y = np.r_[np.zeros(50, int), np.ones(48, int)]
            return X, y

        X, y = make_data()
        Xt = ag.tensor(X)

        def train(hidden, lam=0.0, steps=2000, lr=0.02, seed=0, data=(Xt, y), activation="tanh"):
            net = nn.MLP(2, [hidden, 2], activation=activation, rng=seed)
            opt = optim.Adam(net.parameters(), lr=lr)
            weights = [layer.W for layer in net.layers]                   # L2 on weights, not biases
            for _ in range(steps):
                loss = F.cross_entropy(net(data[0]), data[1])
                if lam:
                    loss = loss + 0.5 * lam * F.l2_penalty(weights)
                opt.zero_grad()
                loss.backward()
                opt.step()
            return net

        def accuracy(net, X, y):
            with ag.no_grad():
                return float((net(ag.tensor(X)).data.argmax(axis=1) == y).mean())
        """),
    md("""
        Two numbers describe how complicated a decision region is, measured on a 120x120 grid over
        the plane: how many **separate pieces** it falls into (connected cells of one colour) and how
        long the **boundary** is (grid edges whose two cells are predicted differently).
        """),
    code("""
        LIM, N = 3.0, 120
        gx, gy = np.meshgrid(np.linspace(-LIM, LIM, N), np.linspace(-LIM, LIM, N))
        grid = np.c_[gx.ravel(), gy.ravel()]

        def predicted_grid(net):
            with ag.no_grad():
                return net(ag.tensor(grid)).data.argmax(axis=1).reshape(N, N)

        def pieces(labels):                     # connected regions of equal label (4-neighbours), by flood fill
            seen, count = np.zeros(labels.shape, bool), 0
            for start in zip(*np.nonzero(~seen)):
                if seen[start]:
                    continue
                count += 1
                seen[start], stack = True, [start]
                while stack:
                    i, j = stack.pop()
                    for a, b in ((i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)):
                        if 0 <= a < N and 0 <= b < N and not seen[a, b] and labels[a, b] == labels[i, j]:
                            seen[a, b] = True
                            stack.append((a, b))
            return count

        def boundary(labels):
            return int((labels[1:] != labels[:-1]).sum() + (labels[:, 1:] != labels[:, :-1]).sum())

        def show(ax, net, title):
            ax.contourf(gx, gy, predicted_grid(net), levels=[-0.5, 0.5, 1.5], colors=["#f4b6b6", "#b9e4b9"])
            ax.scatter(*X[y == 0].T, c="#c62828", s=12, edgecolors="k", linewidths=0.3)
            ax.scatter(*X[y == 1].T, c="#2e7d32", s=12, edgecolors="k", linewidths=0.3)
            ax.set(title=title, xticks=[], yticks=[], xlim=(-LIM, LIM), ylim=(-LIM, LIM)); ax.grid(False)
        """),
    code("""
        nets = {h: train(h) for h in [3, 6, 20]}
        fig, axes = plt.subplots(1, 3, figsize=(11, 3.8))
        stats = {}
        for ax, (h, net) in zip(axes, nets.items()):
            labels = predicted_grid(net)
            stats[h] = accuracy(net, X, y), pieces(labels), boundary(labels)
            show(ax, net, f"{h} hidden neurons: train acc {stats[h][0]:.0%}")
            print(f"{h:2} hidden: training accuracy {stats[h][0]:.1%}, {stats[h][1]:2} regions, boundary {stats[h][2]}")
        fig.tight_layout()

        (acc3, pieces3, len3), (acc6, _, _), (acc20, pieces20, len20) = stats[3], stats[6], stats[20]
        assert acc20 == 1.0 and acc3 < 1.0                      # 20 units fit every point, outliers included
        assert acc3 <= acc6 <= acc20
        assert pieces20 > pieces3 and len20 > len3              # ...by cutting the plane into more, longer pieces
        """),
    md("""
        This is the notes' picture: with 3 hidden neurons the network can only paint broad strokes,
        so it treats the red points inside the green cloud as noise; with 20 it carves out little
        islands for every one of them. Fitting the training set perfectly is not the goal, though,
        and the islands are unlikely to hold up on new data.

        ## 3. Regularization strength, not network size, is the knob

        The notes argue that overfitting should be controlled with regularization rather than by
        shrinking the network. Same 20-unit network, three L2 strengths $\\lambda$ (the penalty
        $\\tfrac{\\lambda}{2}\\lVert W\\rVert^2$ on the weights):
        """),
    code("""
        lams = [0.001, 0.01, 0.1]
        reg_nets = {lam: train(20, lam=lam) for lam in lams}
        fig, axes = plt.subplots(1, 3, figsize=(11, 3.8))
        reg = {}
        for ax, (lam, net) in zip(axes, reg_nets.items()):
            labels = predicted_grid(net)
            norm = np.sqrt(sum((layer.W.data ** 2).sum() for layer in net.layers))
            reg[lam] = accuracy(net, X, y), pieces(labels), boundary(labels), norm
            show(ax, net, f"20 hidden, λ = {lam}: train acc {reg[lam][0]:.0%}")
            print(f"λ = {lam:<5}: training accuracy {reg[lam][0]:.1%}, {reg[lam][1]} regions, "
                  f"boundary {reg[lam][2]}, |W| = {norm:.2f}")
        fig.tight_layout()

        accs, regions, lengths, norms = zip(*(reg[lam] for lam in lams))
        assert norms[0] > norms[1] > norms[2]                                  # stronger λ, smaller weights
        assert regions[0] >= regions[1] >= regions[2] and regions[2] <= pieces3  # fewer islands
        assert accs[0] >= accs[1] >= accs[2] and accs[2] < 1.0                # outliers are let go
        assert max(lengths) < len20                                             # every λ smooths the unregularized net
        """),
    md("""
        The notes' subtler point is about *optimization*: small networks are harder to train well.
        Their loss surfaces have fewer minima, but many of those are bad, so the final loss depends a
        lot on the random initialization; a big network finds many different minima that are all
        about equally good. We train 3- and 20-unit ReLU networks from 8 random initializations on a
        two-arm spiral with the same budget and compare the spread of the final losses.
        """),
    code("""
        Xs, ys = nn.data.spiral(50, classes=2, noise=0.2, seed=0)
        data = (ag.tensor(Xs), ys)

        def final_loss(net):
            with ag.no_grad():
                return F.cross_entropy(net(data[0]), data[1]).item()

        finals = {h: np.array([final_loss(train(h, steps=1000, seed=s, data=data, activation="relu"))
                               for s in range(8)]) for h in [3, 20]}
        for h, losses in finals.items():
            print(f"{h:2} hidden: final losses {np.round(losses, 3)}  mean {losses.mean():.3f}  std {losses.std():.3f}")

        fig, ax = plt.subplots(figsize=(5, 2.6))
        for k, (h, losses) in enumerate(finals.items()):
            ax.scatter(losses, np.full(8, k), s=30)
        ax.set(yticks=[0, 1], yticklabels=["3 hidden", "20 hidden"], xlabel="final training loss (8 seeds)",
               ylim=(-0.7, 1.7), xscale="log")
        assert finals[3].std() > 10 * finals[20].std()        # small nets: the seed decides
        assert finals[3].mean() > 5 * finals[20].mean()       # and on average they end worse
        assert finals[20].max() < np.median(finals[3])        # the worst big run beats the typical small one
        """),
    md("""
        ## 4. Universal approximation, and why it is not the reason networks work

        A network with **one** hidden layer and a reasonable non-linearity (the sigmoid, say) can
        approximate any continuous function on a bounded interval as closely as we like (Cybenko,
        1989). One constructive way to see it in 1-D: a very steep sigmoid is a step, the difference
        of two steps is a **bump**, and enough bumps of the right heights trace any curve. The
        network below is not trained: its weights are **written down** from that recipe, two hidden
        units per bump, and loaded into an ordinary `nn.MLP(1, [2M, 1], activation="sigmoid")`.
        """),
    code("""
        f = lambda x: np.sin(2 * x) + 0.3 * x              # the function to approximate on [-3, 3]
        xs = np.linspace(-3, 3, 601)

        def bump_network(M, steepness):
            edges = np.linspace(-3.05, 3.05, M + 1)       # M bins that cover [-3, 3]
            a, b = edges[:-1], edges[1:]
            height = f((a + b) / 2)
            net = nn.MLP(1, [2 * M, 1], activation="sigmoid")
            net.load_state_dict({
                "layers.0.W": np.full((1, 2 * M), float(steepness)),       # sigma(k (x - a)) rises at a
                "layers.0.b": np.r_[-steepness * a, -steepness * b],       # sigma(k (x - b)) rises at b
                "layers.1.W": np.r_[height, -height][:, None],             # bump = step at a - step at b
                "layers.1.b": np.zeros(1)})
            return net

        def sup_error(net):
            with ag.no_grad():
                return np.abs(net(xs[:, None]).data.ravel() - f(xs)).max()

        constructed = {M: bump_network(M, steepness=20.0 * M) for M in [5, 20, 80]}
        errors = {M: sup_error(net) for M, net in constructed.items()}
        for M, err in errors.items():
            print(f"{M:3} bumps = {2 * M:3} hidden sigmoid units: max |f - g| = {err:.3f}")
        assert errors[5] > errors[20] > errors[80] and errors[80] < 0.1     # as close as we like, given units
        """),
    md("""
        So one hidden layer suffices in principle. The notes then call this result mathematically
        cute but "relatively weak and useless" in practice, and give a counterexample: the **sum of
        indicator bumps** $g(x) = \\sum_i c_i\\, \\mathbb{1}(a_i < x < b_i)$ is also a universal
        approximator, yet nobody would learn with it. Two reasons, both computable:

        1. **It cannot be trained by gradient descent.** $g$ is flat in $a$ and $b$ wherever it is
           differentiable, so the loss gives no hint of where the bump edges should move. The engine
           agrees: the comparisons `x > a` carry no gradient, and finite differences confirm that
           nudging an edge does not change the loss at all.
        2. **It is not compact.** A smooth network spends its parameters on smooth shapes that
           match real data; bumps need a parameter per wiggle of resolution. A 10-unit tanh network
           (31 parameters) trained by gradient descent beats 10 optimally placed bumps (30
           parameters) by far, and even 80 bumps.
        """),
    code("""
        rng = np.random.default_rng(0)
        x_train = np.sort(rng.uniform(-3, 3, 60))
        y_train = f(x_train)
        M = 10
        edges = np.linspace(-3.05, 3.05, M + 1)
        a = ag.tensor(edges[:-1], requires_grad=True)
        b = ag.tensor(edges[1:], requires_grad=True)
        c = ag.tensor(f((edges[:-1] + edges[1:]) / 2), requires_grad=True)

        def bumps_loss(a, b, c):
            x = ag.tensor(x_train[:, None])                              # (60, 1) against (10,) edges
            inside = ((x > a).data & (x < b).data).astype(float)         # 1(a_i < x < b_i): a comparison, no graph
            g = (c * inside).sum(axis=1)                                 # (60,)
            return F.mse_loss(g, y_train)

        loss = bumps_loss(a, b, c)
        loss.backward()
        print(f"loss {loss.item():.4f}; |dL/dc| = {np.abs(c.grad).sum():.3f}; dL/da: {a.grad}; dL/db: {b.grad}")
        assert a.grad is None and b.grad is None and np.abs(c.grad).sum() > 0

        def numerical_edge_derivative(i, h=1e-4):
            up, down = edges[:-1].copy(), edges[:-1].copy()
            up[i] += h; down[i] -= h
            return (bumps_loss(ag.tensor(up), b, c).item() - bumps_loss(ag.tensor(down), b, c).item()) / (2 * h)

        numeric = [numerical_edge_derivative(i) for i in range(M)]
        print("finite-difference dL/da_i:", numeric)
        assert all(d == 0.0 for d in numeric)           # not an engine limitation: the loss really is flat in a
        """),
    code("""
        net = nn.MLP(1, [10, 1], activation="tanh", rng=0)
        opt = optim.Adam(net.parameters(), lr=0.02)
        for _ in range(2000):
            loss = F.mse_loss(net(x_train[:, None]), y_train[:, None])
            opt.zero_grad(); loss.backward(); opt.step()

        def best_bumps(M):                          # bins of equal width, each at the function's mid value
            edges = np.linspace(-3.05, 3.05, M + 1)
            mids = f((edges[:-1] + edges[1:]) / 2)
            return lambda x: mids[np.clip(np.searchsorted(edges, x) - 1, 0, M - 1)]

        err_net = sup_error(net)
        err_bumps = {m: np.abs(best_bumps(m)(xs) - f(xs)).max() for m in [10, 80]}
        print(f"trained tanh net, {net.num_parameters()} parameters: max error {err_net:.4f}")
        for m, err in err_bumps.items():
            print(f"{m} indicator bumps, {3 * m} parameters:        max error {err:.4f}")
        assert net.num_parameters() == 31
        assert err_net < err_bumps[10] / 20 and err_net < err_bumps[80]

        fig, axes = plt.subplots(1, 3, figsize=(12, 3.2), sharey=True)
        with ag.no_grad():
            for M, style in [(5, ":"), (20, "--"), (80, "-")]:
                axes[0].plot(xs, constructed[M](xs[:, None]).data, style, label=f"{2 * M} sigmoid units")
            axes[1].plot(xs, net(xs[:, None]).data, label="trained, 10 tanh units")
        axes[1].scatter(x_train, y_train, s=8, c="k", label="training points")
        axes[2].step(xs, best_bumps(10)(xs), where="mid", label="10 indicator bumps")
        for ax, title in zip(axes, ["constructed from steep sigmoids", "learned by gradient descent",
                                    "sum of indicator bumps"]):
            ax.plot(xs, f(xs), "k", lw=0.8, alpha=0.6)
            ax.set_title(title, fontsize=10); ax.legend(fontsize=7)
        fig.tight_layout()
        """),
    md(f"""
        **Summary.** Network size is counted in parameters (26 and 41 for the notes' examples).
        More hidden units let a network carve the plane into more and finer regions, enough to fit
        every outlier; a stronger L2 penalty undoes that while keeping the big network, whose
        training is also far less at the mercy of its initialization. One hidden layer can
        approximate anything, but so can a useless sum of bumps: what makes networks work is that
        they express smooth functions compactly and can be trained by gradient descent.

        Next: [05 · training dynamics](05_training_dynamics.ipynb). Source: CS231n, *Neural Networks
        Part 1*, {NOTES_URL} (the decision-region experiments follow the notes' ConvNetJS figures).
        """),
]

# --- 05 -----------------------------------------------------------------------------------------------
NB05 = [
    md(f"""
        # 5 · Training dynamics: activations, dead units, initialization, regularization, preprocessing

        The CS231n notes ({NOTES_URL}) and their retellings make a series of practical claims about
        what helps or hurts training. Each one is an experiment here, run with graphgrad's `Tensor`
        engine on small 2-D data sets, and each conclusion is an `assert`:

        1. ReLU converges faster than tanh, and tanh faster than the sigmoid;
        2. too large a learning rate kills ReLU units for good; a smaller rate or a leaky ReLU avoids it;
        3. the scale of the initial weights decides whether signals vanish, saturate or survive depth;
        4. L2 and dropout fight overfitting;
        5. mean-centering, standardization, PCA and whitening, shown on 2-D data, and why they speed
           up training.
        """),
    setup(),
    md("""
        ## 1. ReLU vs tanh vs sigmoid: same task, same budget

        The notes credit ReLU with much faster convergence of stochastic gradient descent than
        saturating units (six times faster than tanh in an experiment by Krizhevsky et al.), because
        it is linear and does not saturate for positive input. Our version: the three-armed spiral, a
        2-50-50-3 network, SGD with momentum, the same learning rate and 100 epochs for every
        activation (each with its usual initialization), averaged over three seeds.
        """),
    code("""
        X, y = nn.data.spiral(100, classes=3, noise=0.2, seed=0)

        curves = {}
        for activation in ["relu", "tanh", "sigmoid"]:
            runs = []
            for seed in range(3):
                net = nn.MLP(2, [50, 50, 3], activation=activation, rng=seed)
                opt = nn.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
                runs.append(nn.fit(net, X, y, optimizer=opt, epochs=100, batch_size=32, progress=False, rng=seed)["loss"])
            curves[activation] = np.mean(runs, axis=0)

        def epochs_to(curve, level):
            hits = np.flatnonzero(curve <= level)
            return int(hits[0]) + 1 if len(hits) else np.inf

        reach = {a: epochs_to(c, 0.3) for a, c in curves.items()}
        for a, c in curves.items():
            print(f"{a:8} loss after 10 epochs {c[9]:.3f}, after 100 {c[-1]:.3f}; epochs to reach 0.3: {reach[a]}")
        print(f"ReLU reaches 0.3 {reach['tanh'] / reach['relu']:.1f}x sooner than tanh")
        assert reach["relu"] < reach["tanh"] < reach["sigmoid"]
        assert curves["relu"][9] < curves["tanh"][9] < curves["sigmoid"][9]
        nn.plot.history({f"loss, {a}": list(c) for a, c in curves.items()})
        """),
    md("""
        ## 2. Dying ReLUs

        A ReLU unit whose pre-activation is negative for **every** training example outputs zero
        everywhere, so its local gradient is zero everywhere, so its weights never change again: it
        is dead, for good. The notes warn that a too-large learning rate can knock units into that
        state (they mention 40% of a network) and that monitoring the dead fraction is good practice.
        We train a 2-100-100-3 ReLU network on the spiral with plain SGD at a large (2.0) and a
        modest (0.1) learning rate, and count dead units with `nn.diagnostics.dead_relu_fraction`.
        """),
    code("""
        def train(lr, activation="relu", epochs=30, seed=0, net=None):
            net = net or nn.MLP(2, [100, 100, 3], activation=activation, rng=seed)
            hist = nn.fit(net, X, y, optimizer=nn.optim.SGD(net.parameters(), lr=lr), epochs=epochs,
                          batch_size=32, progress=False, rng=seed)
            return net, hist

        big, h_big = train(lr=2.0)
        small, h_small = train(lr=0.1)
        dead_big = nn.diagnostics.dead_relu_fraction(big, X, per_layer=True)
        dead_small = nn.diagnostics.dead_relu_fraction(small, X, per_layer=True)
        print(f"lr 2.0: dead fraction per layer {dead_big},  final loss {h_big['loss'][-1]:.3f}")
        print(f"lr 0.1: dead fraction per layer {dead_small},  final loss {h_small['loss'][-1]:.3f}")
        assert dead_big["layers.0"] >= 0.3 and dead_small["layers.0"] == 0.0
        assert nn.diagnostics.dead_relu_fraction(big, X) > 4 * nn.diagnostics.dead_relu_fraction(small, X)
        assert h_small["loss"][-1] < h_big["loss"][-1]
        nn.plot.dead_units(big, X)
        """),
    md("""
        Dead means dead: the full-batch gradient of every dead first-layer unit's weights is exactly
        zero, so even after 60 more epochs at the gentle learning rate their weights are bit-for-bit
        unchanged and they are still silent on every example.
        """),
    code("""
        def first_layer_off(net):                       # units whose pre-activation is <= 0 on every example
            with ag.no_grad():
                return (net.layers[0](ag.tensor(X)).data <= 0).all(axis=0)

        dead = first_layer_off(big)
        big.zero_grad()
        F.cross_entropy(big(X), y).backward()
        assert (big.layers[0].W.grad[:, dead] == 0).all() and (big.layers[0].b.grad[dead] == 0).all()

        W_dead = big.layers[0].W.data[:, dead].copy()
        train(lr=0.1, epochs=60, net=big)
        print(f"{dead.sum()} dead first-layer units; after 60 more epochs at lr 0.1 still dead: "
              f"{first_layer_off(big)[dead].sum()}")
        assert np.array_equal(big.layers[0].W.data[:, dead], W_dead) and first_layer_off(big)[dead].all()
        """),
    md("""
        **Leaky ReLU** keeps a small slope (0.01) for negative input, so no unit can lose its
        gradient entirely. At the same reckless learning rate, units still get pushed to the
        negative side, but not a single one receives a zero gradient, and those units keep moving
        when training continues. (Whether that buys a better final network varies from run to run;
        the notes also call the benefit inconsistent, so we print it rather than assert it.)
        """),
    code("""
        def zero_gradient_fraction(net):
            # share of hidden units whose incoming weights and bias get exactly zero full-batch gradient
            net.zero_grad()
            F.cross_entropy(net(X), y).backward()
            stuck = [(layer.W.grad == 0).all(axis=0) & (layer.b.grad == 0) for layer in net.layers[:-1]]
            return float(np.mean(np.concatenate(stuck)))

        leaky, h_leaky = train(lr=2.0, activation="leaky_relu")
        print(f"units with exactly zero gradient: ReLU {zero_gradient_fraction(big):.0%}, "
              f"leaky ReLU {zero_gradient_fraction(leaky):.0%}")
        assert zero_gradient_fraction(big) >= 0.3 and zero_gradient_fraction(leaky) == 0.0

        off = first_layer_off(leaky)
        W_off = leaky.layers[0].W.data[:, off].copy()
        _, h_more = train(lr=0.1, epochs=60, net=leaky)
        moved = np.abs(leaky.layers[0].W.data[:, off] - W_off).max(axis=0)
        print(f"{off.sum()} leaky units were negative on every example; all of them kept learning: "
              f"smallest weight change {moved.min():.2e}")
        assert off.sum() > 0 and (moved > 0).all()
        print(f"accuracy after the extra epochs: ReLU {nn.evaluate(big, X, y)['accuracy']:.1%}, "
              f"leaky ReLU {h_more['accuracy'][-1]:.1%}")
        """),
    md("""
        ## 3. The scale of the initial weights

        Each layer multiplies the signal by its weights. If they are too small, activations shrink
        layer after layer towards zero and so do the gradients (nothing learns); if they are too
        large, tanh and sigmoid units saturate (the notes: "the network will barely learn"). Drawing
        weights with variance $1/\\text{fan-in}$ (`init="calibrated"`) keeps a unit's output variance
        close to its input's; for ReLU, which zeroes half the signal, the He initialization doubles
        it to $2/\\text{fan-in}$. We push 500 random inputs through 8 hidden layers of 100 units.
        """),
    code("""
        rng = np.random.default_rng(0)
        Xr, labels = rng.standard_normal((500, 100)), rng.integers(0, 10, 500)

        def signal(init, activation):
            net = nn.MLP(100, [100] * 8 + [10], activation=activation, init=init, rng=0)
            h, stds = ag.tensor(Xr), []
            for layer, act in zip(net.layers, net.acts):        # the 8 hidden layers, by hand
                h = act(layer(h))
                stds.append(h.data.std())
            F.cross_entropy(net.layers[-1](h), labels).backward()
            return net, np.array(stds), np.linalg.norm(net.layers[0].W.grad)

        runs = {(a, i): signal(i, a) for a, i in [("tanh", 0.01), ("tanh", "calibrated"), ("tanh", 1.0),
                                                    ("relu", "calibrated"), ("relu", "kaiming_normal")]}
        fig, ax = plt.subplots(figsize=(6, 3.2))
        for (a, i), (net, stds, g) in runs.items():
            ax.semilogy(range(1, 9), stds, "o-", ms=3, label=f"{a}, init {i}")
            print(f"{a:4} init {str(i):15} activation std by layer {np.round(stds, 4)}  |dL/dW1| {g:.1e}")
        ax.set(xlabel="hidden layer", ylabel="std of activations"); ax.legend(fontsize=7)

        small, calib, large = runs["tanh", 0.01], runs["tanh", "calibrated"], runs["tanh", 1.0]
        saturated = {k: nn.diagnostics.saturation_fraction(v[0], Xr) for k, v in [("calibrated", calib), ("1.0", large)]}
        print("saturated tanh outputs:", saturated)
        assert small[1][-1] < 1e-6 and small[2] < 1e-6 * calib[2]           # tiny weights: signal and gradient vanish
        assert saturated["1.0"] > 0.5 and saturated["calibrated"] < 0.05      # big weights: mostly saturated
        assert large[2] > 100 * calib[2]                                      # ...and the gradient explodes
        assert 0.1 < calib[1].min() and calib[1].max() < 1                    # calibrated: the signal survives depth
        relu_calib, relu_he = runs["relu", "calibrated"][1], runs["relu", "kaiming_normal"][1]
        assert relu_calib[-1] / relu_calib[0] < 0.2 < 0.5 < relu_he[-1] / relu_he[0] < 2   # ReLU needs He's factor 2
        """),
    md("""
        With weights of scale 1.0 most tanh units sit on their flat tails, as the notes warn, and
        the gradient that reaches the first layer does not vanish, it **explodes** (hundreds of times
        the calibrated one): the few unsaturated paths are multiplied by large weights at every layer.
        Either way the network is hard to train.

        The other extreme is initializing every weight to zero. Every hidden unit then computes the
        same thing (zero) and receives the same (zero) gradient, so the symmetry is never broken and
        the hidden weights never move; only the output bias learns the class frequencies.
        """),
    code("""
        zero_net = nn.MLP(2, [10, 10, 3], activation="relu", init="zeros")
        hist = nn.fit(zero_net, X, y, optimizer=nn.optim.SGD(zero_net.parameters(), lr=0.5), epochs=20,
                      progress=False, rng=0)
        print("largest |weight| per layer after 20 epochs:", [np.abs(l.W.data).max() for l in zero_net.layers],
              f" accuracy {hist['accuracy'][-1]:.0%} (chance is 33%)")
        assert all((layer.W.data == 0).all() for layer in zero_net.layers) and hist["accuracy"][-1] < 0.4
        """),
    md("""
        ## 4. L2 and dropout against overfitting

        60 noisy training points from two interleaved moons, a 2-100-100-2 ReLU network (over 10,000
        parameters) and 200 epochs of Adam: plenty of capacity to memorize. We compare no
        regularization, an L2 penalty ($\\lambda\\lVert\\theta\\rVert^2$ with $\\lambda = 0.01$, `nn.fit(reg=...)`)
        and dropout with $p = 0.5$ after each hidden layer, on 500 fresh test points.

        Dropout zeroes each hidden unit with probability $p$ during training and scales the
        survivors by $1/(1-p)$ ("inverted" dropout), so the expected activation is unchanged and the
        network needs no rescaling at test time, when dropout is switched off:
        """),
    code("""
        drop = nn.Dropout(0.5, rng=0)
        ones = ag.ones(100_000)
        kept = drop(ones).data
        print(f"training: {np.mean(kept == 0):.3f} of units dropped, survivors scaled to {kept.max()}, mean {kept.mean():.3f}")
        assert abs(np.mean(kept == 0) - 0.5) < 0.01 and set(np.unique(kept)) == {0.0, 2.0} and abs(kept.mean() - 1) < 0.01
        drop.eval()
        assert drop(ones) is ones                                  # evaluation: the identity
        """),
    code("""
        Xtr, ytr = nn.data.moons(60, noise=0.3, seed=1)
        Xte, yte = nn.data.moons(500, noise=0.3, seed=2)
        setups = {"no regularization": ({}, 0.0), "L2, λ = 0.01": ({}, 0.01), "dropout, p = 0.5": ({"dropout": 0.5}, 0.0)}

        results, nets = {}, {}
        for name, (options, reg) in setups.items():
            net = nn.MLP(2, [100, 100, 2], activation="relu", rng=0, **options)
            hist = nn.fit(net, Xtr, ytr, optimizer=nn.optim.Adam(net.parameters(), lr=0.01), epochs=200,
                          batch_size=60, progress=False, rng=0, reg=reg, val=(Xte, yte))
            train_m, test_m = nn.evaluate(net, Xtr, ytr), nn.evaluate(net, Xte, yte)
            results[name], nets[name] = (train_m, test_m, hist), net
            print(f"{name:18} train acc {train_m['accuracy']:.1%}  test acc {test_m['accuracy']:.1%}   "
                  f"train loss {train_m['loss']:.3f}  test loss {test_m['loss']:.3f}")

        fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
        for ax, (name, net) in zip(axes, nets.items()):
            nn.plot.decision_regions(net, Xtr, ytr, ax=ax, title=name)
        fig.tight_layout()

        plain = results["no regularization"]
        assert plain[0]["accuracy"] == 1.0                                   # memorized
        assert min(plain[2]["val_loss"]) < plain[2]["val_loss"][-1] / 2     # test loss rose after its best epoch
        gap = lambda r: r[0]["accuracy"] - r[1]["accuracy"]
        for name in ["L2, λ = 0.01", "dropout, p = 0.5"]:
            assert results[name][1]["loss"] < plain[1]["loss"] / 2           # far better test loss
            assert gap(results[name]) < gap(plain)                           # smaller train/test gap
        """),
    code("""
        nn.plot.history({"train loss, no regularization": plain[2]["loss"],
                         "val_loss, no regularization": plain[2]["val_loss"],
                         "val_loss, L2": results["L2, λ = 0.01"][2]["val_loss"],
                         "val_loss, dropout": results["dropout, p = 0.5"][2]["val_loss"]})
        """),
    md("""
        The unregularized network drives its training loss towards zero while its test loss, after
        an early minimum, climbs: it becomes confidently wrong on the test points near the
        boundary. Both regularizers keep the boundary smooth and the test loss low.

        ## 5. Data preprocessing, on 2-D data

        The notes' preprocessing recipes, each fitted on the data and then applied:

        * **mean-centering**: subtract each feature's mean, so the cloud sits at the origin;
        * **standardization**: also divide each feature by its standard deviation, so all features
          have unit scale;
        * **PCA**: rotate the centred data onto the eigenvectors of its covariance matrix, which
          decorrelates the features (the covariance becomes diagonal);
        * **whitening**: divide each PCA coordinate by the square root of its eigenvalue, so the
          covariance becomes the identity.

        (For images the notes recommend only mean-centering; PCA and whitening are shown here because
        on 2-D data you can see them.)
        """),
    code("""
        from nn.data import MeanCenter, Standardize, PCA, Whiten

        rng = np.random.default_rng(0)
        X2 = rng.multivariate_normal([4.0, -2.0], [[3.0, 1.6], [1.6, 1.2]], size=400)
        views = {"original": X2,
                 "mean-centred": MeanCenter().fit_transform(X2),
                 "standardized": Standardize().fit_transform(X2),
                 "PCA (decorrelated)": PCA().fit_transform(X2),
                 "whitened": Whiten().fit_transform(X2)}

        fig, axes = plt.subplots(1, 5, figsize=(14, 3))
        for ax, (name, Z) in zip(axes, views.items()):
            ax.scatter(*Z.T, s=3, alpha=0.6)
            ax.axhline(0, color="k", lw=0.5); ax.axvline(0, color="k", lw=0.5)
            ax.set(title=name, xlim=(-6, 9), ylim=(-6, 6), aspect="equal")
        fig.tight_layout()

        for name, Z in views.items():
            print(f"{name:19} mean {np.round(Z.mean(axis=0), 3)}  covariance {np.round(np.cov(Z.T, bias=True), 3).tolist()}")
        cov = lambda Z: np.cov(Z.T, bias=True)
        assert np.allclose(views["mean-centred"].mean(axis=0), 0, atol=1e-12)
        assert np.allclose(views["standardized"].std(axis=0), 1)
        assert abs(cov(views["PCA (decorrelated)"])[0, 1]) < 1e-12                     # decorrelated
        assert np.allclose(np.diag(cov(views["PCA (decorrelated)"])), np.linalg.eigvalsh(cov(X2))[::-1])
        assert np.allclose(cov(views["whitened"]), np.eye(2), atol=1e-4)               # identity covariance
        """),
    md("""
        The statistics must come from the training data and then be applied, unchanged, to any
        other data: the test set is transformed with the *training* mean and scale, so it is close
        to, but not exactly, centred.

        Why bother? A neuron's gradient for weight $w_i$ is proportional to its input $x_i$. With
        a large offset and features on very different scales, no single learning rate suits all
        weights: one big enough for the small feature makes the large one overshoot. A linear softmax
        classifier trained by SGD on raw and on standardized data, with the best of three learning
        rates each:
        """),
    code("""
        Xa, Xb = X2[:300], X2[300:]
        scaler = Standardize().fit(Xa)
        test_mean = scaler.transform(Xb).mean(axis=0)
        print("training data, standardized: mean", scaler.transform(Xa).mean(axis=0).round(12),
              "  test data with the training statistics: mean", test_mean.round(3))
        assert np.allclose(scaler.transform(Xa).mean(axis=0), 0) and not np.allclose(test_mean, 0, atol=1e-3)

        Xraw = np.c_[rng.normal(10, 3, 200), rng.normal(-5, 0.3, 200)]        # offset, and scales 3 vs 0.3
        yraw = ((Xraw[:, 0] - 10) / 3 + (Xraw[:, 1] + 5) / 0.3 > 0).astype(int)
        best = {}
        for name, data in [("raw", Xraw), ("standardized", Standardize().fit_transform(Xraw))]:
            losses = {}
            for lr in [0.001, 0.01, 0.1]:
                net = nn.MLP(2, [2], rng=0)                                   # a linear softmax classifier
                losses[lr] = nn.fit(net, data, yraw, optimizer=nn.optim.SGD(net.parameters(), lr=lr), epochs=30,
                                    batch_size=20, progress=False, rng=0)["loss"][-1]
            best[name] = min(losses.values())
            print(f"{name:12} final loss by learning rate: " + ", ".join(f"{lr}: {v:.3f}" for lr, v in losses.items()))
        assert best["standardized"] < best["raw"] / 2
        """),
    md(f"""
        **Summary.** ReLU trained fastest and the sigmoid slowest; a learning rate of 2.0 killed a
        third or more of the ReLU units permanently while 0.1 killed none, and leaky ReLU never
        leaves a unit without gradient; initial weights must be scaled to the fan-in (and doubled
        for ReLU) for signals to survive depth; L2 and dropout cut the test loss of an overfitting
        network by more than half; preprocessing makes the loss surface friendlier to a single
        learning rate.

        Next: [06 · digits](06_digits.ipynb). Source: CS231n, *Neural Networks Part 1*, {NOTES_URL}
        """),
]

# --- 06 -----------------------------------------------------------------------------------------------
NB06 = [
    md(f"""
        # 6 · A tensor MLP on handwritten digits

        Everything from the previous notebooks on a real (if small) data set: 1,797 handwritten
        digits as 8x8 grey images (the UCI "optical recognition of handwritten digits" test set,
        shipped with graphgrad as `nn.data.load_digits`). We preprocess the pixels the way the CS231n
        notes ({NOTES_URL}) recommend for images, train a fully-connected ReLU network with a progress
        bar, measure test accuracy, look at the confusion matrix and at the digits it gets wrong, and
        finish with the two health checks the notes suggest watching during training: the fraction
        of dead ReLUs and the size of each update relative to the weights.
        """),
    setup(),
    md("""
        ## 1. Data and preprocessing

        `load_digits()` returns a stratified 80/20 split: every digit is represented in the same
        proportion in both halves. Each image is a row of 64 pixel intensities from 0 to 16.
        """),
    code("""
        X_train, X_test, y_train, y_test = nn.data.load_digits(test_fraction=0.2, seed=0)
        print("train", X_train.shape, " test", X_test.shape, " pixel range", X_train.min(), "to", X_train.max())
        print("test examples per digit:", np.bincount(y_test))
        assert X_train.shape[1] == 64 and len(X_train) + len(X_test) == 1797
        assert np.bincount(y_test).min() >= 35                     # stratified: every digit well represented

        fig, axes = plt.subplots(1, 10, figsize=(10, 1.4))
        for digit, ax in enumerate(axes):
            ax.imshow(X_train[y_train == digit][0].reshape(8, 8), cmap="gray_r")
            ax.set(title=str(digit), xticks=[], yticks=[]); ax.grid(False)
        """),
    md("""
        For images the notes recommend just one step: subtract the **mean image** (computed on the
        training set only). We also divide by 16 so the pixels lie in $[0, 1]$ before centring, which
        keeps the input scale comparable to the initialization's assumptions.
        """),
    code("""
        center = nn.data.MeanCenter().fit(X_train / 16)
        A_train, A_test = center.transform(X_train / 16), center.transform(X_test / 16)

        fig, axes = plt.subplots(1, 3, figsize=(7, 2.4))
        for ax, (img, title) in zip(axes, [(X_train[0] / 16, "an image / 16"), (center.mean_, "mean image (train)"),
                                           (A_train[0], "image - mean")]):
            ax.imshow(img.reshape(8, 8), cmap="RdBu_r" if img.min() < 0 else "gray_r", vmin=-1 if img.min() < 0 else 0, vmax=1)
            ax.set(title=title, xticks=[], yticks=[]); ax.grid(False)

        assert np.allclose(A_train.mean(axis=0), 0)                 # centred with its own statistics
        assert not np.allclose(A_test.mean(axis=0), 0)              # the test set gets the training mean, not its own
        """),
    md("""
        ## 2. Training with a progress bar

        A 64-100-10 ReLU network (He initialization by default), SGD with momentum 0.9, learning
        rate 0.05, minibatches of 32, a small L2 penalty, 20 epochs. `nn.fit` shows a tqdm progress
        bar with the running metrics and returns the per-epoch history; the test set is passed as
        `val` only to watch it, never to train on it.
        """),
    code("""
        model = nn.MLP(64, [100, 10], activation="relu", rng=0)
        print(nn.summary(model))
        optimizer = nn.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        history = nn.fit(model, A_train, y_train, optimizer=optimizer, epochs=20, batch_size=32,
                         reg=1e-4, val=(A_test, y_test), rng=0)
        assert model.num_parameters() == 64 * 100 + 100 + 100 * 10 + 10
        assert history["loss"][-1] < history["loss"][0] / 10
        """),
    code("""
        nn.plot.history(history)
        """),
    md("""
        ## 3. Test accuracy and the confusion matrix

        Row $i$, column $j$ of the confusion matrix counts the test digits of class $i$ that the
        network called $j$; the diagonal holds the correct answers.
        """),
    code("""
        scores = nn.predict(model, A_test)                          # (359, 10) class scores, eval mode, no graph
        predicted = scores.argmax(axis=1)
        accuracy = float((predicted == y_test).mean())
        print(f"test accuracy {accuracy:.1%} ({(predicted == y_test).sum()} of {len(y_test)})")

        confusion = np.zeros((10, 10), int)
        np.add.at(confusion, (y_test, predicted), 1)
        assert accuracy >= 0.95
        assert np.isclose(accuracy, nn.evaluate(model, A_test, y_test)["accuracy"])
        assert np.isclose(np.trace(confusion) / confusion.sum(), accuracy)
        assert (confusion.sum(axis=1) == np.bincount(y_test)).all()          # each row: all test digits of a class

        fig, ax = plt.subplots(figsize=(4.6, 4))
        ax.imshow(confusion, cmap="Blues")
        for (i, j), n in np.ndenumerate(confusion):
            if n:
                ax.text(j, i, n, ha="center", va="center", fontsize=8, color="white" if i == j else "black")
        ax.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true", title="confusion matrix (test)")
        ax.grid(False)
        off = confusion - np.diag(np.diag(confusion))
        i, j = np.unravel_index(off.argmax(), off.shape)
        print(f"most frequent mistake: {off[i, j]} x a true {i} called {j}")
        """),
    md("""
        ## 4. The digits it gets wrong

        Every misclassified test image, with the true label, the prediction and the softmax
        probability the network gave its (wrong) answer. Several of them are hard for a human too.
        """),
    code("""
        wrong = np.flatnonzero(predicted != y_test)
        probs = ag.tensor(scores).softmax(axis=1).data
        assert len(wrong) == round((1 - accuracy) * len(y_test))

        cols = 8
        rows = int(np.ceil(len(wrong) / cols))
        fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.25, rows * 1.5))
        for ax in np.ravel(axes):
            ax.axis("off")
        for ax, k in zip(np.ravel(axes), wrong):
            ax.imshow(X_test[k].reshape(8, 8), cmap="gray_r")
            ax.set_title(f"{y_test[k]} → {predicted[k]} ({probs[k, predicted[k]]:.0%})", fontsize=8, color="#b91c1c")
        fig.tight_layout()
        """),
    md("""
        ## 5. Health checks: dead units and update ratios

        The notes' advice is to watch the fraction of **dead** ReLUs (units that output zero for
        every training example). A second number from the later CS231n notes is the ratio of the
        size of a parameter update to the size of the parameter, $\\lVert\\Delta W\\rVert / \\lVert W\\rVert$;
        about $10^{-3}$ is a healthy rule of thumb: much lower and learning crawls, much higher and it
        thrashes. Our trained model first:
        """),
    code("""
        dead = nn.diagnostics.dead_relu_fraction(model, A_train)
        before = model.state_dict()
        Xb, yb = next(nn.data.batches(A_train, y_train, 32, rng=1))
        optimizer.zero_grad()
        F.cross_entropy(model(Xb), yb).backward()
        norms = nn.diagnostics.grad_norms(model)
        optimizer.step()
        ratios = nn.diagnostics.update_ratios(before, model.state_dict())
        print(f"dead ReLUs on the training set: {dead:.0%}")
        for name in ratios:
            print(f"{name:11} |grad| {norms[name]:.2e}   |update| / |weight| {ratios[name]:.1e}")
        assert dead < 0.1
        assert all(r < 0.05 for r in ratios.values())
        nn.plot.dead_units(model, A_train)
        """),
    md("""
        At the end of training the gradients are small, so the ratios are small too. The diagnostics
        earn their keep at the *start*, when they tell a good learning rate from a bad one. Fresh
        networks, plain SGD, five learning rates: the median update ratio of the first layer over the
        first epoch, then five more epochs, then test accuracy and dead units.
        """),
    code("""
        sweep = {}
        for lr in [0.001, 0.01, 0.1, 1.0, 10.0]:
            net = nn.MLP(64, [100, 10], activation="relu", rng=0)
            opt = nn.optim.SGD(net.parameters(), lr=lr)
            first_epoch = []
            for Xb, yb in nn.data.batches(A_train, y_train, 32, rng=0):
                before = net.state_dict()
                opt.zero_grad()
                F.cross_entropy(net(Xb), yb).backward()
                opt.step()
                first_epoch.append(nn.diagnostics.update_ratios(before, net.state_dict())["layers.0.W"])
            nn.fit(net, A_train, y_train, optimizer=opt, epochs=5, batch_size=32, progress=False, rng=0)
            sweep[lr] = (np.median(first_epoch), nn.evaluate(net, A_test, y_test)["accuracy"],
                         nn.diagnostics.dead_relu_fraction(net, A_train))
            print(f"lr {lr:<6} update ratio {sweep[lr][0]:.1e}   test accuracy {sweep[lr][1]:6.1%}   dead ReLUs {sweep[lr][2]:.0%}")

        ratio, acc, dead = (np.array(v) for v in zip(*sweep.values()))
        assert (np.diff(ratio) > 0).all() and ratio[-1] / ratio[0] > 1000     # the ratio tracks the learning rate
        assert acc[0] < 0.5                                                    # ratio ~1e-5: learning crawls
        assert 1e-3 <= ratio[acc.argmax()] <= 1e-1                              # the best run sits near the rule of thumb
        assert dead[-1] > 0.5 and (dead[:-1] == 0).all()                        # ratio ~0.2: most ReLUs die
        """),
    md(f"""
        **Summary.** A 64-100-10 ReLU network trained on mean-centred pixels recognizes held-out
        handwritten digits with over 95% accuracy, and the handful it misses are shown above. The
        update-to-weight ratio and the dead-unit fraction separate a
        learning rate that crawls (ratio ~$10^{{-5}}$), ones that work (~$10^{{-3}}$ to $10^{{-2}}$) and one
        that kills most of the network (~$10^{{-1}}$).

        Source: CS231n, *Neural Networks Part 1*, {NOTES_URL}; data: E. Alpaydin and C. Kaynak,
        UCI Machine Learning Repository (CC BY 4.0).
        """),
]


NOTEBOOKS = {
    "01_neuron": NB01,
    "02_backprop_graph": NB02,
    "03_scalars_to_tensors": NB03,
    "04_capacity": NB04,
    "05_training_dynamics": NB05,
    "06_digits": NB06,
}


if __name__ == "__main__":
    sys.exit(main())
