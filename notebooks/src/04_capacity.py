"""Source of notebooks/04_capacity.ipynb: percent-format cells (`# %%` code, `# %% [markdown]` text).

Built, executed and saved with outputs by notebooks/build_notebooks.py; runnable as a plain script too.
"""

# %% [markdown]
# # 4 · Capacity: how big a network, and what it can represent
#
# The second half of the CS231n notes (https://cs231n.github.io/neural-networks-1/) is about architecture: how to count
# a network's size, what more neurons buy (and cost), why regularization is the better knob
# against overfitting, and what "universal approximator" does and does not mean. Everything here
# is trained with graphgrad's `Tensor` engine in a few seconds, and each claim is checked by an
# `assert`.

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
# ## 1. Counting parameters: 26 and 41
#
# The notes size two example networks (they do not count the input layer when naming a
# network's depth):
#
# * a **2-layer** net, 3 inputs → 4 hidden → 2 outputs: $4 + 2 = 6$ neurons,
#   $3\cdot4 + 4\cdot2 = 20$ weights and $4 + 2 = 6$ biases, **26** parameters;
# * a **3-layer** net, 3 → 4 → 4 → 1: $4 + 4 + 1 = 9$ neurons,
#   $12 + 16 + 4 = 32$ weights and $9$ biases, **41** parameters.
#
# `nn.summary` counts them by tracing one forward pass:

# %%
two_layer = nn.MLP(3, [4, 2])
three_layer = nn.MLP(3, [4, 4, 1])
print(nn.summary(two_layer), "\n")
print(nn.summary(three_layer))

def by_formula(sizes):
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    biases = neurons = sum(sizes[1:])
    return neurons, weights, biases

assert by_formula([3, 4, 2]) == (6, 20, 6) and two_layer.num_parameters() == 26
assert by_formula([3, 4, 4, 1]) == (9, 32, 9) and three_layer.num_parameters() == 41
assert sum(p.size for p in two_layer.parameters()) == 26

# %% [markdown]
# ## 2. More hidden neurons, more complicated decision regions
#
# The notes show three one-hidden-layer networks trained on the same 2-D, two-class data
# (made with Karpathy's ConvNetJS demo). We rebuild that experiment: two clouds of points, plus
# a few red points sitting inside the green cloud (and a few green inside the red), then train
# networks with **3, 6 and 20** tanh hidden units to the same budget and colour the plane by
# their prediction.

# %%
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

# %% [markdown]
# Two numbers describe how complicated a decision region is, measured on a 120x120 grid over
# the plane: how many **separate pieces** it falls into (connected cells of one colour) and how
# long the **boundary** is (grid edges whose two cells are predicted differently).

# %%
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

# %%
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

# %% [markdown]
# This is the notes' picture: with 3 hidden neurons the network can only paint broad strokes,
# so it treats the red points inside the green cloud as noise; with 20 it carves out little
# islands for every one of them. Fitting the training set perfectly is not the goal, though,
# and the islands are unlikely to hold up on new data.
#
# ## 3. Regularization strength, not network size, is the knob
#
# The notes argue that overfitting should be controlled with regularization rather than by
# shrinking the network. Same 20-unit network, three L2 strengths $\lambda$ (the penalty
# $\tfrac{\lambda}{2}\lVert W\rVert^2$ on the weights):

# %%
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

# %% [markdown]
# The notes' subtler point is about *optimization*: small networks are harder to train well.
# Their loss surfaces have fewer minima, but many of those are bad, so the final loss depends a
# lot on the random initialization; a big network finds many different minima that are all
# about equally good. We train 3- and 20-unit ReLU networks from 8 random initializations on a
# two-arm spiral with the same budget and compare the spread of the final losses.

# %%
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
for k, losses in enumerate(finals.values()):
    ax.scatter(losses, np.full(8, k), s=30)
ax.set(yticks=[0, 1], yticklabels=["3 hidden", "20 hidden"], xlabel="final training loss (8 seeds)",
       ylim=(-0.7, 1.7), xscale="log")
assert finals[3].std() > 10 * finals[20].std()        # small nets: the seed decides
assert finals[3].mean() > 5 * finals[20].mean()       # and on average they end worse
assert finals[20].max() < np.median(finals[3])        # the worst big run beats the typical small one

# %% [markdown]
# ## 4. Universal approximation, and why it is not the reason networks work
#
# A network with **one** hidden layer and a reasonable non-linearity (the sigmoid, say) can
# approximate any continuous function on a bounded interval as closely as we like (Cybenko,
# 1989). One constructive way to see it in 1-D: a very steep sigmoid is a step, the difference
# of two steps is a **bump**, and enough bumps of the right heights trace any curve. The
# network below is not trained: its weights are **written down** from that recipe, two hidden
# units per bump, and loaded into an ordinary `nn.MLP(1, [2M, 1], activation="sigmoid")`.

# %%
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

# %% [markdown]
# So one hidden layer suffices in principle. The notes then call this result mathematically
# cute but "relatively weak and useless" in practice, and give a counterexample: the **sum of
# indicator bumps** $g(x) = \sum_i c_i\, \mathbb{1}(a_i < x < b_i)$ is also a universal
# approximator, yet nobody would learn with it. Two reasons, both computable:
#
# 1. **It cannot be trained by gradient descent.** $g$ is flat in $a$ and $b$ wherever it is
#    differentiable, so the loss gives no hint of where the bump edges should move. The engine
#    agrees: the comparisons `x > a` carry no gradient, and finite differences confirm that
#    nudging an edge does not change the loss at all.
# 2. **It is not compact.** A smooth network spends its parameters on smooth shapes that
#    match real data; bumps need a parameter per wiggle of resolution. A 10-unit tanh network
#    (31 parameters) trained by gradient descent beats 10 optimally placed bumps (30
#    parameters) by far, and even 80 bumps.

# %%
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

# %%
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

# %% [markdown]
# **Summary.** Network size is counted in parameters (26 and 41 for the notes' examples).
# More hidden units let a network carve the plane into more and finer regions, enough to fit
# every outlier; a stronger L2 penalty undoes that while keeping the big network, whose
# training is also far less at the mercy of its initialization. One hidden layer can
# approximate anything, but so can a useless sum of bumps: what makes networks work is that
# they express smooth functions compactly and can be trained by gradient descent.
#
# Next: [05 · training dynamics](05_training_dynamics.ipynb). Source: CS231n, *Neural Networks
# Part 1*, https://cs231n.github.io/neural-networks-1/ (the decision-region experiments follow the notes' ConvNetJS
# figures).
