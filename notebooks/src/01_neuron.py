"""Source of notebooks/01_neuron.ipynb: percent-format cells (`# %%` code, `# %% [markdown]` text).

Built, executed and saved with outputs by notebooks/build_notebooks.py; runnable as a plain script too.
"""

# %% [markdown]
# # 1 · One neuron, built from `Value`s
#
# This notebook retells the first half of the CS231n notes *Neural Networks Part 1*
# (https://cs231n.github.io/neural-networks-1/) with graphgrad's scalar engine. The notes are the source of the facts;
# the sentences and the code here are ours. Every statement below that can be computed **is**
# computed, and an `assert` in the same cell checks it, so a wrong claim (or a wrong gradient
# in the engine) stops the notebook with an error instead of slipping by.
#
# Contents: the model neuron · activation functions and their slopes · how a sigmoid starves its
# weights of gradient · tanh as a stretched sigmoid · one neuron as a logistic-regression or SVM
# classifier · L2 regularization as slow forgetting.

# %%
# %matplotlib inline
import numpy as np
import matplotlib.pyplot as plt

import autograd as ag
from autograd import Value, Tensor
import nn
import nn.functional as F
import nn.optim as optim

plt.rcParams.update({"figure.dpi": 80, "figure.figsize": (7, 3), "axes.grid": True, "grid.alpha": 0.3,
                     "axes.spines.top": False, "axes.spines.right": False})

# %% [markdown]
# ## 1. The model neuron
#
# A biological neuron gathers signals on its dendrites, integrates them in the cell body and,
# when the total is high enough, sends spikes down its axon. The textbook caricature keeps three
# ingredients and throws the rest away:
#
# * every incoming signal $x_i$ is scaled by a **synaptic strength** $w_i$ (positive: excitatory,
#   negative: inhibitory), and these strengths are what learning changes;
# * the cell body **adds** the scaled signals and a bias $b$;
# * an **activation function** $f$ turns that sum into a firing *rate* (only the rate is kept,
#   the timing of individual spikes is ignored).
#
# So a neuron computes $f(\sum_i w_i x_i + b)$, historically with the sigmoid
# $\sigma(z) = 1/(1+e^{-z})$, which maps any sum to a rate between 0 (silent) and 1 (firing
# flat out). The notes warn that this is a *very* coarse model of real neurons: dendrites
# compute nonlinearly, a synapse is a dynamical system rather than one number, and spike timing
# can matter.
#
# Below, each number is a `Value`: it remembers how it was computed, so `backward()` can tell
# us how the firing rate responds to every weight.

# %%
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

# %% [markdown]
# `nn.scalar.Neuron` is the same computation packaged as a module, with its weights in `W` and
# its bias in `b`. Loaded with our numbers it fires at exactly the same rate (it adds the terms in
# the same order, so the floats agree to the last bit).

# %%
neuron = nn.scalar.Neuron(3, activation="sigmoid")
neuron.load_state_dict({"W": np.array([0.5, -0.25, 0.1]), "b": np.array(-0.2)})
print(neuron, "->", neuron([1.0, -2.0, 3.0]))
assert neuron([1.0, -2.0, 3.0]).data == rate.data

# %% [markdown]
# ## 2. Activation functions and their slopes
#
# The activation is applied to one number at a time. The common choices, each plotted with the
# slope that backpropagation will multiply by (computed by the engine with `ag.grad`, not typed
# in):
#
# * **sigmoid** $\sigma(z) = 1/(1+e^{-z})$: squashes into $(0, 1)$;
# * **tanh**: squashes into $(-1, 1)$ and is centred on zero;
# * **ReLU** $\max(0, z)$: zero for negative input, identity for positive;
# * **leaky ReLU**: like ReLU, but with a small slope $\alpha$ (0.01 is typical; 0.1 below so
#   that it is visible) instead of a flat zero for negative input;
# * **maxout** $\max(w_1 z + b_1,\; w_2 z + b_2)$: the larger of two linear functions; ReLU
#   and leaky ReLU are the special cases $(w_1, b_1) = (0, 0)$ and $(\alpha, 0)$ with
#   $(w_2, b_2) = (1, 0)$. Here it is written with nothing but `+`, `*` and `abs`:
#   $\max(a, c) = (a + c + |a - c|)/2$.

# %%
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

# %%
# ReLU and leaky ReLU are maxout units with particular weights: same values everywhere, same slopes
# everywhere except at the kink z = 0, where each formula picks its own subgradient
for z in zs[zs != 0]:
    assert maxout(Value(z), 0, 0, 1, 0).data == Value(z).relu().data
    assert np.isclose(maxout(Value(z), 0.01, 0, 1, 0).data, Value(z).leaky_relu(0.01).data)
    assert np.isclose(ag.grad(lambda v: maxout(v, 0.01, 0, 1, 0))(z), ag.grad(lambda v: v.leaky_relu(0.01))(z))
print("maxout with (w1, b1, w2, b2) = (0, 0, 1, 0) is ReLU; with (0.01, 0, 1, 0) it is leaky ReLU")

# %% [markdown]
# The price of maxout shows in the parameter count: it needs two weight vectors and two biases
# per unit where a ReLU needs one of each, so a layer of maxout units has twice the parameters.

# %%
relu_mlp, maxout_mlp = nn.MLP(10, [20, 1], activation="relu"), nn.MLP(10, [20, 1], activation="maxout")
print("10 -> 20 -> 1 with ReLU:", relu_mlp.num_parameters(), "  with maxout:", maxout_mlp.num_parameters())
hidden = lambda m: m.layers[0].num_parameters()
assert hidden(maxout_mlp) == 2 * hidden(relu_mlp) == 2 * (10 * 20 + 20)

# %% [markdown]
# ## 3. Sigmoids saturate, and a saturated unit passes almost no gradient
#
# During backpropagation a unit multiplies the gradient arriving from above by its own local
# slope. For the sigmoid that slope is $\sigma(z)(1-\sigma(z))$: at most $1/4$ (at $z=0$) and
# vanishingly small once $|z|$ is large, where the output is pinned near 0 or 1. The table shows
# how quickly it collapses.

# %%
dsigmoid = ag.grad(lambda v: v.sigmoid())
print(f"{'z':>6} {'sigmoid(z)':>12} {'slope':>12}")
for z in [-10, -5, -2, 0, 2, 5, 10]:
    print(f"{z:6} {Value(z).sigmoid().data:12.6f} {dsigmoid(float(z)):12.3e}")

assert dsigmoid(0.0) == 0.25
assert dsigmoid(5.0) < 0.007 and dsigmoid(10.0) < 5e-5 and dsigmoid(-10.0) < 5e-5

# %% [markdown]
# That matters for learning because the gradient reaching a weight is (upstream gradient) ×
# (local slope) × (input). If the weights are large, $z = w \cdot x$ is large for most inputs,
# the unit saturates, and its weights barely move: the notes' warning that a sigmoid network
# initialized with big weights "will barely learn".
#
# Below, one sigmoid neuron with 10 inputs sees 200 random inputs. We scale its initial weights
# by 0.1, 1, 10 and 100 and measure, for every input, the size of the gradient of its output
# with respect to its weights.

# %%
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

# %% [markdown]
# The sigmoid has a second, milder flaw: its outputs are always positive. If every input
# $x_i$ of a neuron is positive (for example because they are sigmoid outputs of the previous
# layer), then $\partial L/\partial w_i = (\partial L/\partial z)\, x_i$ has the same sign for
# every $i$: for one example, all the weights are pushed up together or down together, which
# makes gradient descent zig-zag. Adding up the gradients of a batch whose examples disagree
# softens this, as the second check shows.

# %%
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

# %% [markdown]
# ## 4. tanh is a sigmoid, stretched and shifted
#
# tanh saturates too, but its output is centred on zero, which is why the notes prefer it to
# the sigmoid. It is not really a new function: $\tanh(z) = 2\sigma(2z) - 1$. Both sides, and
# their derivatives, computed by the engine on a grid:

# %%
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

# %% [markdown]
# ## 5. One neuron is a linear classifier
#
# A neuron's sum $w \cdot x + b$ is positive on one side of a line (a hyperplane in more
# dimensions) and negative on the other, so it can "like" one region of input space and
# "dislike" the other. Attach a loss to its output and it becomes a classifier:
#
# * **binary softmax (logistic regression)**: read $\sigma(w \cdot x + b)$ as the probability of
#   class 1 and $1 - \sigma(\cdot)$ as that of class 0, and minimize the cross-entropy. It predicts
#   class 1 when the probability exceeds 0.5, which is the same as $w \cdot x + b > 0$;
# * **binary SVM**: use the score $s = w \cdot x + b$ directly with the hinge loss
#   $\max(0, 1 - y s)$ for labels $y = \pm 1$.
#
# Both train the same three numbers on the same 2-D data, here with plain gradient descent.

# %%
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

# %%
fig, ax = plt.subplots(figsize=(5.5, 4.5))
ax.scatter(*X[y == 0].T, s=14, c="C3", label="class 0")
ax.scatter(*X[y == 1].T, s=14, c="C2", label="class 1")
xs = np.linspace(-5, 5, 2)
for name, neuron, style in [("softmax", softmax_neuron, "-"), ("SVM", svm_neuron, "--")]:
    (w0, w1), b0 = neuron.state_dict()["W"], neuron.b.data
    ax.plot(xs, -(w0 * xs + b0) / w1, "k" + style, label=f"{name}: w.x + b = 0")
ax.set(xlim=(-5, 5), ylim=(-4.5, 4.5), title="one neuron, two losses, two lines")
ax.legend(fontsize=8, loc="upper left");

# %% [markdown]
# The two losses treat confident examples differently. The hinge loss is exactly zero once an
# example is on the right side with margin $y s \ge 1$, so such an example sends **no**
# gradient at all; the cross-entropy never quite reaches zero, so every example keeps pulling a
# little. We check this per example with the engine.

# %%
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

# %% [markdown]
# ## 6. L2 regularization as "gradual forgetting"
#
# Adding $\tfrac{\lambda}{2}\lVert w\rVert^2$ to either loss adds $\lambda w$ to the gradient,
# so every update also shrinks each weight by the factor $(1 - \text{lr}\cdot\lambda)$. In the
# biological reading of the notes, synapses slowly forget unless the data keeps reinforcing them.
# With the data loss switched off, the weights should decay geometrically towards zero:

# %%
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

# %% [markdown]
# With the data term present, the penalty settles into a balance: the weights stop where the
# data's pull equals the decay. A stronger $\lambda$ leaves smaller weights. The same penalty is
# what `optim.SGD(..., weight_decay=λ)` applies inside the update, and both routes give the same
# neuron.

# %%
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

# %% [markdown]
# **Summary.** A neuron is a weighted sum, a bias and a squashing function; the engine's
# gradients match the hand-derived $\sigma' = \sigma(1-\sigma)$ and $\tanh' = 1-\tanh^2$; a
# saturated sigmoid passes (almost) nothing back; tanh is a rescaled sigmoid; a single neuron
# with a cross-entropy or hinge loss is logistic regression or a linear SVM; and L2
# regularization multiplies the weights by a constant just below one at every step.
#
# Next: [02 · backpropagation on a graph](02_backprop_graph.ipynb). Source:
# CS231n, *Neural Networks Part 1*, https://cs231n.github.io/neural-networks-1/
