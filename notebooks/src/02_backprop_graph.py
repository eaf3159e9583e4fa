"""Source of notebooks/02_backprop_graph.ipynb: percent-format cells (`# %%` code, `# %% [markdown]` text).

Built, executed and saved with outputs by notebooks/build_notebooks.py; runnable as a plain script too.
"""

# %% [markdown]
# # 2 · Backpropagation on an expression graph
#
# The CS231n notes (https://cs231n.github.io/neural-networks-1/) say that a network's weights are learned by gradient
# descent and that the gradients "are derived with chain rule (and computed with backpropagation)". This
# notebook makes both halves visible with graphgrad:
#
# 1. a small expression drawn as a graph **before** and **after** `backward()`;
# 2. the chain rule **read off the edges** of the drawing: each edge carries a local derivative,
#    and a leaf's gradient is the product of the factors along its path (the sum over paths
#    when there are several);
# 3. every gradient checked against a **numerical** derivative;
# 4. the textbook one-hidden-layer derivation (the "delta" recursion of the retellings), done by
#    hand in numpy, and shown equal to what the engine computes.

# %%
# %matplotlib inline
import numpy as np
import matplotlib.pyplot as plt

import autograd as ag
from autograd import Value, Tensor
import nn
import nn.functional as F

plt.rcParams.update({"figure.dpi": 80, "figure.figsize": (7, 3), "axes.grid": True, "grid.alpha": 0.3,
                     "axes.spines.top": False, "axes.spines.right": False})

# %% [markdown]
# ## 1. A graph before backward
#
# One sigmoid neuron with two inputs, written one operation per line so that every
# intermediate result has a name. Nothing has been differentiated yet, so the drawing shows
# only the forward values.

# %%
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

# %% [markdown]
# ## 2. The same graph after backward
#
# `out.backward()` walks the graph from `out` back to the leaves, in reverse topological order
# (the blue "backward k" numbers give the order in which the operations are visited). Each edge
# is labelled with the **local derivative** of the operation's output with respect to that input,
# for example $\partial(w_0 x_0)/\partial w_0 = x_0$ and
# $\partial\sigma(z)/\partial z = \sigma(z)(1-\sigma(z))$. Every node now carries `grad`, the
# derivative of `out` with respect to it.

# %%
out.backward()
ag.draw_graph(out, show_backward=True)

# %% [markdown]
# **Reading the chain rule off the edges.** The gradient arriving at a node is the gradient of
# the node above it times the factor on the edge between them. Going down from `out` (whose
# gradient is 1):
#
# * `z.grad` $= 1 \times \sigma(z)(1-\sigma(z))$
# * `s.grad` $=$ `b.grad` $=$ `z.grad` $\times 1$ (addition hands the gradient through unchanged)
# * `p0.grad` $=$ `p1.grad` $=$ `s.grad` $\times 1$
# * `w0.grad` $=$ `p0.grad` $\times x_0$ and `x0.grad` $=$ `p0.grad` $\times w_0$ (multiplication
#   swaps its inputs), likewise for `w1`, `x1`.
#
# Below, each local factor is computed on its own with `ag.grad` on the single operation (never
# by looking at the engine's stored gradients), multiplied along the path, and compared with
# what `backward()` left in each node.

# %%
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

# %% [markdown]
# **Watching it run.** `ag.explore(out)` builds a small web page of the same graph that replays the
# engine's own backward pass one step at a time (buttons, slider or arrow keys): first the forward pass,
# each op's output appearing in topological order, then one vjp per step, in the order `backward()` ran
# them, with the upstream gradient, the local derivative and the contribution sent to each input written
# out as arithmetic. Click a node to inspect it. Its numbers are recorded from the engine while it runs a
# pass of its own, so they cannot disagree with `.grad`, and it leaves every `.grad` as it was.
# (`page.save("neuron.html")` writes it to a file that opens in any browser, offline.)

# %%
grads_before = [v.grad for v in leaves]
page = ag.explore(out)
ops = [v for v in ag.viz.forward_order(out) if v._parents]
assert page.steps == 2 * len(ops)                     # one forward step and one vjp per op
assert [v.grad for v in leaves] == grads_before       # exploring ran its own pass and wrote no .grad
page

# %% [markdown]
# **When paths meet, gradients add.** If a value feeds two operations, a change in it reaches
# the output along both paths, so its gradient is the sum of the two chain products. In
# $f = x y + x$ the leaf $x$ has one path through the product (factor $y$) and one straight into
# the sum (factor 1): $\partial f/\partial x = y + 1$.

# %%
x, y = Value(3.0, "x"), Value(-4.0, "y")
f = x * y + x;  f.label = "f"
f.backward()
print(f"df/dx = {x.grad}  (y + 1 = {y.data + 1})    df/dy = {y.grad}  (x = {x.data})")
assert x.grad == y.data + 1 and y.grad == x.data
ag.draw_graph(f, show_backward=True, legend=False)

# %% [markdown]
# The same on a small network: a 2-4-1 MLP of `Value`s (`nn.scalar.MLP`), its weights named after the
# model's parameters. Step to the end of the forward pass, then watch each hidden unit's gradient arrive:
# an input such as `x0` feeds all four hidden units, so its gradient is the sum of four terms, added one
# vjp at a time.

# %%
mlp = nn.scalar.MLP(2, [4, 1], activation="tanh", rng=1)
xs = [Value(0.5, "x0"), Value(-1.5, "x1")]
mlp_loss = (mlp(xs)[0] - 1.0) ** 2
mlp_loss.label = "loss"
mlp_page = ag.explore(mlp_loss, model=mlp, rankdir="TB", height=720)
mlp_loss.backward()                                   # the explorer changed no .grad: backward starts from zero
consumers_of_x0 = [v for v in ag.viz.forward_order(mlp_loss) if any(p is xs[0] for p in v._parents)]
assert len(consumers_of_x0) == 4                      # four products x0 * W[0, j]: four terms in x0.grad
weight_of = lambda v: next(p for p in v._parents if p is not xs[0]).data     # the other factor: W[0, j]
assert np.isclose(xs[0].grad, sum(v.grad * weight_of(v) for v in consumers_of_x0))
mlp_page

# %% [markdown]
# ## 3. Checking gradients against numerical derivatives
#
# A derivative is a limit of difference quotients, so we can estimate it without any calculus:
# nudge one input by $\pm h$ and look at the change of the output,
# $\dfrac{f(v + h) - f(v - h)}{2h}$. This centred difference is off by $O(h^2)$, but $h$ cannot be
# made tiny either, because then the two outputs agree in almost all their digits and rounding
# error, about $10^{-16}/h$, takes over. We rebuild the neuron as a function of its five leaves.

# %%
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

# %%
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

# %% [markdown]
# ## 4. The one-hidden-layer derivation, by hand
#
# The retellings of the notes derive backpropagation for a layered network once and for all.
# With examples in rows (our layers store $W$ as (inputs, outputs), so a layer computes
# $Z = A W + b$):
#
# $$Z_1 = X W_1 + b_1,\quad A_1 = f(Z_1),\quad \hat Y = A_1 W_2 + b_2,\quad
#   L = \frac{1}{2n}\sum (\hat Y - Y)^2 .$$
#
# Define the "delta" of a layer as the gradient of the loss with respect to its pre-activation.
# Then
#
# * output: $\delta_2 = \partial L / \partial \hat Y = (\hat Y - Y)/n$;
# * weights of a layer: $\partial L/\partial W_2 = A_1^\top \delta_2$, $\partial L/\partial b_2 =$
#   column sums of $\delta_2$;
# * the recursion: $\delta_1 = (\delta_2 W_2^\top) \odot f'(Z_1)$, and again
#   $\partial L/\partial W_1 = X^\top \delta_1$, $\partial L/\partial b_1 =$ column sums of
#   $\delta_1$.
#
# The code follows these lines literally, in numpy only, for three activations, and compares
# the result with the engine running `nn.MLP` on the same weights.

# %%
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

# %% [markdown]
# The recursion does not care how many layers there are: each step back multiplies by the
# next layer's weights (transposed) and by the local slopes. Here is the general loop for any
# depth, with a softmax cross-entropy loss on top (whose output delta is
# $(\text{softmax}(Z) - \text{onehot}(y))/n$), checked against the engine on a 3-5-4-2 network.

# %%
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

# %% [markdown]
# The engine never saw these formulas. It only knows the local derivative of each primitive
# (`matmul`, `+`, `tanh`, `log_softmax`, ...) and multiplies them along the recorded graph, which
# is why the same code differentiates any architecture. Here is that graph for the 3-4-1
# network above, drawn with its parameter names and grouped by layer:

# %%
net = nn.MLP(d, [m, 1], activation="tanh")
net.load_state_dict({"layers.0.W": W1, "layers.0.b": b1, "layers.1.W": W2, "layers.1.b": b2})
Xt = ag.tensor(X)
loss = F.mse_loss(net(Xt), Y, half=True)
loss.backward(retain_graph=True)              # keep the graph so it can be drawn with its gradients
assert np.allclose(net.layers[0].W.grad, by_hand("tanh")["layers.0.W"])
ag.draw_graph(loss, model=net, inputs={"X": Xt}, rankdir="TB")

# %% [markdown]
# **Summary.** Backpropagation is the chain rule applied node by node: local derivative times
# upstream gradient, summed where paths meet. The engine's gradients agree with numerical
# derivatives to about ten digits, and with the hand-derived delta recursion to rounding error.
#
# Next: [03 · from scalars to tensors](03_scalars_to_tensors.ipynb). Source: CS231n,
# *Neural Networks Part 1*, https://cs231n.github.io/neural-networks-1/
