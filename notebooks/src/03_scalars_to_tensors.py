"""Source of notebooks/03_scalars_to_tensors.ipynb: percent-format cells (`# %%` code, `# %% [markdown]` text).

Built, executed and saved with outputs by notebooks/build_notebooks.py; runnable as a plain script too.
"""

# %% [markdown]
# # 3 · From scalars to tensors
#
# The CS231n notes (https://cs231n.github.io/neural-networks-1/) point out that arranging neurons in layers is what
# makes a network cheap to evaluate: a whole layer is one matrix multiplication, a bias and an
# elementwise activation. graphgrad has both views on one engine: `Value` (one float per node,
# every multiply a node) and `Tensor` (one numpy array per node). This notebook shows
#
# 1. the **same MLP** built from `Value`s and from `Tensor`s giving the same outputs and the
#    same gradients, with very different graphs;
# 2. the notes' **3-layer forward pass** ($W_1$ 4x3, $W_2$ 4x4, $W_3$ 1x4) as matrix
#    operations, for one input column and for a batch of columns;
# 3. **broadcasting**: the bias is added to every example, so its gradient is the sum over
#    examples, drawn and checked.

# %%
# %matplotlib inline
import numpy as np
import matplotlib.pyplot as plt

import autograd as ag
from autograd import Value, Tensor
import nn
import nn.functional as F
from autograd.viz import forward_order
import time

plt.rcParams.update({"figure.dpi": 80, "figure.figsize": (7, 3), "axes.grid": True, "grid.alpha": 0.3,
                     "axes.spines.top": False, "axes.spines.right": False})

# %% [markdown]
# ## 1. One network, two engines
#
# `nn.MLP` is the tensor network; `nn.scalar.MLP` is its twin made of `Value`s, with the same
# parameter names and shapes, so weights can be copied from one to the other. Both are the
# 3-4-4-1 network of the notes' second figure: 41 learnable numbers.

# %%
tensor_net = nn.MLP(3, [4, 4, 1], activation="tanh", rng=0)
scalar_net = nn.scalar.MLP.from_tensor(tensor_net)           # same architecture, same weights
print(nn.summary(tensor_net), "\n")
print(nn.summary(scalar_net))
assert tensor_net.num_parameters() == scalar_net.num_parameters() == 41
assert [n for n, _ in tensor_net.named_parameters()] == [n for n, _ in scalar_net.named_parameters()]

# %% [markdown]
# The tensor network takes the whole batch (one example per row) in one call; the scalar
# network takes one example at a time and returns a list of `Value`s. Same loss, same backward,
# and we compare everything.

# %%
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

# %% [markdown]
# Same numbers, very different graphs. The scalar graph has a node for every single
# multiply-add of every example, so it grows with the batch; the tensor graph has a node per
# layer operation whatever the batch size. That is the whole speed difference.

# %%
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

# %% [markdown]
# Drawn for a 2-2-1 network on one example: every weight of the scalar network is its own
# node (first picture), while the tensor network (second) has one node per weight matrix.

# %%
small_t = nn.MLP(2, [2, 1], activation="tanh", rng=3)
small_s = nn.scalar.MLP.from_tensor(small_t)
x_one = [0.5, -1.0]
ag.draw_graph(small_s(x_one)[0], model=small_s, legend=False, show_grad=False)

# %%
ag.draw_graph(small_t(ag.tensor([x_one])), model=small_t, legend=False, show_grad=False)

# %% [markdown]
# ## 2. The notes' 3-layer forward pass, as matrix operations
#
# The notes store each layer's weights with **one row per neuron**, so the first hidden layer of
# the 3-4-4-1 network is $W_1$ of shape 4x3 and an input is a column $x$ of shape 3x1:
#
# $$h_1 = f(W_1 x + b_1),\qquad h_2 = f(W_2 h_1 + b_2),\qquad \text{out} = W_3 h_2 + b_3,$$
#
# with the sigmoid as $f$ and no activation on the output. Here it is literally, first in
# numpy for a single column, then with graphgrad tensors for a batch of 6 columns at once.

# %%
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

# %%
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

# %% [markdown]
# `nn.MLP` stores the transposed layout, $W$ of shape (inputs, outputs) with examples in
# rows, so that a layer is `x @ W + b`. Loading the transposed matrices gives the same network;
# its outputs are the transposed outputs, and so are its gradients.

# %%
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

# %% [markdown]
# Why the activation matters: drop it, and the three matrices collapse into one,
# $W_3(W_2(W_1 x + b_1) + b_2) + b_3 = W x + c$, so the deep network is just a linear model. The
# notes put it as "the non-linearity is where we get the wiggle".

# %%
no_f = lambda X: W3 @ (W2 @ (W1 @ X + b1) + b2) + b3
W = W3 @ W2 @ W1                                        # (1, 3): one matrix
c = W3 @ (W2 @ b1 + b2) + b3                            # (1, 1): one bias
assert np.allclose(no_f(Xcols), W @ Xcols + c)
print("without f, the 3-layer network equals the single linear map W =", W.round(3), "plus c =", c.ravel().round(3))

# %% [markdown]
# ## 3. Broadcasting, and the gradient that comes back summed
#
# In `W1 @ X + b1` the product has shape (4, 6) while `b1` has shape (4, 1). numpy (and
# graphgrad) **broadcast** `b1`: it is used, unchanged, in all six columns. The chain rule then
# says that `b1` collects the gradient from every place it was used, so
# $\partial L/\partial b_1$ is the upstream gradient **summed over the columns**, and it comes back
# with `b1`'s own shape (4, 1). The engine does this summing once, for every operation, after
# each vector-Jacobian product.

# %%
W = ag.tensor(W1, requires_grad=True, label="W1")
b = ag.tensor(b1, requires_grad=True, label="b1")
Xt = ag.tensor(Xcols[:, :3], label="X")                # 3 columns keep the picture small
Z = W @ Xt + b;  Z.label = "Z"
G = np.arange(12.0).reshape(4, 3) / 10                 # a made-up upstream gradient dL/dZ, (4, 3)
Z.backward(G, retain_graph=True)

print("dL/dZ =\n", G, "\n\ndL/db1 =\n", b.grad)
assert b.grad.shape == b.data.shape == (4, 1)
assert np.allclose(b.grad, G.sum(axis=1, keepdims=True))        # summed over the examples
assert np.allclose(W.grad, G @ Xcols[:, :3].T)                   # and dL/dW1 = dL/dZ X^T
ag.draw_graph(Z, legend=False)

# %%
from matplotlib.patches import ConnectionPatch

fig, axes = plt.subplots(1, 4, figsize=(10, 3), gridspec_kw={"width_ratios": [1, 3, 3, 1]})
panels = [(b1, "b1  (4, 1)"), (np.broadcast_to(b1, (4, 3)), "forward: b1 broadcast\nto (4, 3)"),
          (G, "backward: upstream\ndL/dZ  (4, 3)"), (b.grad, "dL/db1 (4, 1):\nrow sums")]
for ax, (data, title) in zip(axes, panels):
    ax.imshow(data, cmap="coolwarm", vmin=-3, vmax=3)
    for (i, j), v in np.ndenumerate(data):
        ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=9)
    ax.set_title(title, fontsize=9); ax.set_xticks([]); ax.set_yticks([]); ax.grid(False)
fig.tight_layout(w_pad=3)
for a, c in [(axes[0], axes[1]), (axes[2], axes[3])]:     # arrows: copy forward, sum backward
    fig.add_artist(ConnectionPatch((1.1, 0.5), (-0.1, 0.5), "axes fraction", "axes fraction",
                                   axesA=a, axesB=c, arrowstyle="-|>", mutation_scale=15, lw=1.5))

# %% [markdown]
# The same rule in the row layout of `nn.MLP` (bias (4,) added to every row of a (batch, 4)
# matrix, gradient summed over rows), and its consequence: the gradient of a batch is the sum
# of the gradients of its examples.

# %%
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

# %% [markdown]
# **Summary.** A `Value` network and a `Tensor` network with the same weights agree on
# outputs and gradients to rounding error; the tensor graph has one node per layer operation
# instead of one per multiply, which is where the speed comes from. The notes' forward pass is
# three matrix products interleaved with the activation, and batching just adds columns.
# Broadcasting copies a bias forward and sums its gradient backward.
#
# Next: [04 · capacity](04_capacity.ipynb). Source: CS231n, *Neural Networks Part 1*, https://cs231n.github.io/neural-networks-1/
