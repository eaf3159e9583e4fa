"""Source of notebooks/06_digits.ipynb: percent-format cells (`# %%` code, `# %% [markdown]` text).

Built, executed and saved with outputs by notebooks/build_notebooks.py; runnable as a plain script too.
"""

# %% [markdown]
# # 6 · A tensor MLP on handwritten digits
#
# Everything from the previous notebooks on a real (if small) data set: 1,797 handwritten
# digits as 8x8 grey images (the UCI "optical recognition of handwritten digits" test set,
# shipped with graphgrad as `nn.data.load_digits`). We preprocess the pixels the way the CS231n
# notes (https://cs231n.github.io/neural-networks-1/) recommend for images, train a fully-connected ReLU network with a
# progress bar, measure test accuracy, look at the confusion matrix and at the digits it gets wrong, and
# finish with the two health checks the notes suggest watching during training: the fraction
# of dead ReLUs and the size of each update relative to the weights.

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
# ## 1. Data and preprocessing
#
# `load_digits()` returns a stratified 80/20 split: every digit is represented in the same
# proportion in both halves. Each image is a row of 64 pixel intensities from 0 to 16.

# %%
X_train, X_test, y_train, y_test = nn.data.load_digits(test_fraction=0.2, seed=0)
print("train", X_train.shape, " test", X_test.shape, " pixel range", X_train.min(), "to", X_train.max())
print("test examples per digit:", np.bincount(y_test))
assert X_train.shape[1] == 64 and len(X_train) + len(X_test) == 1797
assert np.bincount(y_test).min() >= 35                     # stratified: every digit well represented

fig, axes = plt.subplots(1, 10, figsize=(10, 1.4))
for digit, ax in enumerate(axes):
    ax.imshow(X_train[y_train == digit][0].reshape(8, 8), cmap="gray_r")
    ax.set(title=str(digit), xticks=[], yticks=[]); ax.grid(False)

# %% [markdown]
# For images the notes recommend just one step: subtract the **mean image** (computed on the
# training set only). We also divide by 16 so the pixels lie in $[0, 1]$ before centring, which
# keeps the input scale comparable to the initialization's assumptions.

# %%
center = nn.data.MeanCenter().fit(X_train / 16)
A_train, A_test = center.transform(X_train / 16), center.transform(X_test / 16)

fig, axes = plt.subplots(1, 3, figsize=(7, 2.4))
for ax, (img, title) in zip(axes, [(X_train[0] / 16, "an image / 16"), (center.mean_, "mean image (train)"),
                                   (A_train[0], "image - mean")]):
    ax.imshow(img.reshape(8, 8), cmap="RdBu_r" if img.min() < 0 else "gray_r", vmin=-1 if img.min() < 0 else 0, vmax=1)
    ax.set(title=title, xticks=[], yticks=[]); ax.grid(False)

assert np.allclose(A_train.mean(axis=0), 0)                 # centred with its own statistics
assert not np.allclose(A_test.mean(axis=0), 0)              # the test set gets the training mean, not its own

# %% [markdown]
# ## 2. Training with a progress bar
#
# A 64-100-10 ReLU network (He initialization by default), SGD with momentum 0.9, learning
# rate 0.05, minibatches of 32, a small L2 penalty, 20 epochs. `nn.fit` shows a tqdm progress
# bar with the running metrics and returns the per-epoch history; the test set is passed as
# `val` only to watch it, never to train on it.

# %%
model = nn.MLP(64, [100, 10], activation="relu", rng=0)
print(nn.summary(model))
optimizer = nn.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
history = nn.fit(model, A_train, y_train, optimizer=optimizer, epochs=20, batch_size=32,
                 reg=1e-4, val=(A_test, y_test), rng=0)
assert model.num_parameters() == 64 * 100 + 100 + 100 * 10 + 10
assert history["loss"][-1] < history["loss"][0] / 10

# %%
nn.plot.history(history)

# %% [markdown]
# ## 3. Test accuracy and the confusion matrix
#
# Row $i$, column $j$ of the confusion matrix counts the test digits of class $i$ that the
# network called $j$; the diagonal holds the correct answers.

# %%
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

# %% [markdown]
# ## 4. The digits it gets wrong
#
# Every misclassified test image, with the true label, the prediction and the softmax
# probability the network gave its (wrong) answer. Several of them are hard for a human too.

# %%
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

# %% [markdown]
# ## 5. Health checks: dead units and update ratios
#
# The notes' advice is to watch the fraction of **dead** ReLUs (units that output zero for
# every training example). A second number from the later CS231n notes is the ratio of the
# size of a parameter update to the size of the parameter, $\lVert\Delta W\rVert / \lVert W\rVert$;
# about $10^{-3}$ is a healthy rule of thumb: much lower and learning crawls, much higher and it
# thrashes. Our trained model first:

# %%
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

# %% [markdown]
# At the end of training the gradients are small, so the ratios are small too. The diagnostics
# earn their keep at the *start*, when they tell a good learning rate from a bad one. Fresh
# networks, plain SGD, five learning rates: the median update ratio of the first layer over the
# first epoch, then five more epochs, then test accuracy and dead units.

# %%
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
    print(f"lr {lr:<6} update ratio {sweep[lr][0]:.1e}   test accuracy {sweep[lr][1]:6.1%}   "
          f"dead ReLUs {sweep[lr][2]:.0%}")

ratio, acc, dead = (np.array(v) for v in zip(*sweep.values()))
assert (np.diff(ratio) > 0).all() and ratio[-1] / ratio[0] > 1000     # the ratio tracks the learning rate
assert acc[0] < 0.5                                                    # ratio ~1e-5: learning crawls
assert 1e-3 <= ratio[acc.argmax()] <= 1e-1                              # the best run sits near the rule of thumb
assert dead[-1] > 0.5 and (dead[:-1] == 0).all()                        # ratio ~0.2: most ReLUs die

# %% [markdown]
# **Summary.** A 64-100-10 ReLU network trained on mean-centred pixels recognizes held-out
# handwritten digits with over 95% accuracy, and the handful it misses are shown above. The
# update-to-weight ratio and the dead-unit fraction separate a
# learning rate that crawls (ratio ~$10^{-5}$), ones that work (~$10^{-3}$ to $10^{-2}$) and one
# that kills most of the network (~$10^{-1}$).
#
# Source: CS231n, *Neural Networks Part 1*, https://cs231n.github.io/neural-networks-1/; data: E. Alpaydin and
# C. Kaynak, UCI Machine Learning Repository (CC BY 4.0).
