"""The CS231n "Neural Networks Case Study": spiral data (N=100 per class, K=3), a 2-100-3 ReLU net, softmax loss
plus L2 (reg 1e-3), full-batch gradient descent (step size 1.0). One iteration, three ways, one process:

- numpy: the notes' hand-written forward, backward and update (the reference: targets are ratios to it),
- graphgrad Tensor: the same iteration ported to autograd Tensors the way a user writes it (softmax, log,
  indexing and the L2 sum spelled out; backward() instead of the hand-derived gradients),
- graphgrad nn: nn.MLP + nn.F.cross_entropy + nn.l2_penalty + nn.optim.SGD,
- torch: the same with torch.nn, when installed, in a process of its own (see torch_child).
Target: both graphgrad ways <= 1.2x numpy. All run in this process, after `import autograd`, so any
process-wide setting graphgrad applies (allocator, GC, BLAS threads) speeds the reference as well.
`--notes` runs the notes' 10,000 iterations once instead and prints the losses and accuracy beside
theirs (the reference must be their code, not just agree with ours).
"""
import importlib.util
import sys

import numpy as np

import autograd as ag
import nn
from common import compare, fmt_time, optional, table, timing_table, verdict
from procs import child_args, faults_per_call, report, run_child

N, K, D, H = 100, 3, 2, 100
STEP, REG = 1.0, 1e-3
TARGET = 1.2


def problem(seed=0, n=N):
    """The spiral (n points per class: the notes' 300 in all) and the notes' initial weights
    (0.01 * randn, zero biases)."""
    X, y = nn.data.spiral(n, classes=K, seed=seed)
    rng = np.random.default_rng(seed)
    return X, y, (0.01 * rng.standard_normal((D, H)), np.zeros((1, H)), 0.01 * rng.standard_normal((H, K)),
                  np.zeros((1, K)))


def numpy_trainer(X, y, params):
    """The notes' iteration, as they write it."""
    W, b, W2, b2 = (p.copy() for p in params)
    num_examples = X.shape[0]

    def step():
        nonlocal W, b, W2, b2
        hidden_layer = np.maximum(0, np.dot(X, W) + b)
        scores = np.dot(hidden_layer, W2) + b2
        exp_scores = np.exp(scores)
        probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
        correct_logprobs = -np.log(probs[range(num_examples), y])
        data_loss = np.sum(correct_logprobs) / num_examples
        reg_loss = 0.5 * REG * np.sum(W * W) + 0.5 * REG * np.sum(W2 * W2)
        loss = data_loss + reg_loss
        dscores = probs
        dscores[range(num_examples), y] -= 1
        dscores /= num_examples
        dW2 = np.dot(hidden_layer.T, dscores)
        db2 = np.sum(dscores, axis=0, keepdims=True)
        dhidden = np.dot(dscores, W2.T)
        dhidden[hidden_layer <= 0] = 0
        dW = np.dot(X.T, dhidden)
        db = np.sum(dhidden, axis=0, keepdims=True)
        dW2 += REG * W2
        dW += REG * W
        W += -STEP * dW
        b += -STEP * db
        W2 += -STEP * dW2
        b2 += -STEP * db2
        return loss
    step.params = (W, b, W2, b2)                        # updated in place by each step
    return step


def tensor_trainer(X, y, params):
    """The notes' forward pass ported to Tensors; backward() replaces the hand-written gradients."""
    W, b, W2, b2 = (ag.tensor(p, requires_grad=True) for p in params)
    Xt, rows = ag.tensor(X), np.arange(len(X))

    def step():
        hidden_layer = (Xt @ W + b).relu()
        scores = hidden_layer @ W2 + b2
        exp_scores = scores.exp()
        probs = exp_scores / exp_scores.sum(axis=1, keepdims=True)
        data_loss = -probs[rows, y].log().sum() / len(X)
        loss = data_loss + 0.5 * REG * (W * W).sum() + 0.5 * REG * (W2 * W2).sum()
        loss.backward()
        with ag.no_grad():
            for p in (W, b, W2, b2):
                p -= STEP * p.grad
                p.grad = None
        return loss.item()
    return step


def nn_trainer(X, y, params):
    """nn.MLP + cross_entropy + l2_penalty + SGD (the penalty's 0.5 convention: 0.5 * reg * sum w^2)."""
    model = nn.MLP(D, [H, K], activation="relu", rng=0)
    model.load_state_dict({"layers.0.W": params[0], "layers.0.b": params[1][0],
                           "layers.1.W": params[2], "layers.1.b": params[3][0]})
    weights = [model.layers[0].W, model.layers[1].W]
    opt = nn.optim.SGD(model.parameters(), lr=STEP)
    Xt = ag.tensor(X)

    def step():
        loss = nn.F.cross_entropy(model(Xt), y) + 0.5 * REG * nn.l2_penalty(weights)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()
    return step


def torch_trainer(torch, X, y, params):
    """torch.nn.Linear/ReLU + F.cross_entropy + SGD, float64 like the notes."""
    W, b, W2, b2 = (torch.tensor(p, requires_grad=True) for p in params)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    opt = torch.optim.SGD([W, b, W2, b2], lr=STEP)

    def step():
        scores = torch.relu(Xt @ W + b) @ W2 + b2
        loss = torch.nn.functional.cross_entropy(scores, yt) + 0.5 * REG * ((W * W).sum() + (W2 * W2).sum())
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()
    return step


# The notes' printout of this loop on their own random spiral (iteration: loss), and their accuracy.
NOTES_LOSSES = {0: 1.098744, 1000: 0.294946, 9000: 0.245292}
NOTES_ACCURACY = 0.98


def notes_run(iterations=10000):
    """The notes' whole training run with the numpy reference: its losses and accuracy beside theirs.

    Our spiral's noise differs from theirs (another generator), so the numbers are close, not equal;
    a reference that drifted from the notes (a wrong gradient, a missing 0.5) lands far from them."""
    X, y, params = problem()
    step = numpy_trainer(X, y, params)
    losses = {i: step() for i in range(iterations)}
    W, b, W2, b2 = step.params
    acc = np.mean(np.argmax(np.maximum(0, X @ W + b) @ W2 + b2, axis=1) == y)
    table(["iteration", "loss (numpy reference)", "loss (the notes' printout)"],
          [[i, f"{losses[i]:.6f}", f"{ref:.6f}"] for i, ref in NOTES_LOSSES.items()])
    print(f"training accuracy {acc:.2f} (the notes: {NOTES_ACCURACY:.2f})")


def timed_cases(names, quick):
    """Check that the cases `names` agree with the notes for 3 iterations, then time them interleaved.
    Returns (stats, minor page faults per iteration)."""
    X, y, params = problem()
    makers = {"numpy (the notes)": numpy_trainer, "graphgrad Tensor": tensor_trainer, "graphgrad nn": nn_trainer,
              "torch": lambda *a: torch_trainer(optional("torch"), *a)}
    cases = {name: makers[name](X, y, params) for name in names}
    losses = {name: [step() for _ in range(3)] for name, step in cases.items()}
    ref = losses["numpy (the notes)"]
    for name, ls in losses.items():                     # the same iterations: the same losses
        assert np.allclose(ls, ref, rtol=1e-9), f"{name} diverges from the notes: {ls} vs {ref}"
    stats = compare(cases, repeats=3 if quick else 9, budget=0.1 if quick else 0.3)
    return stats, {name: faults_per_call(step, 50) for name, step in cases.items()}


def torch_child(quick):
    """(In a fresh process.) torch against the numpy reference: importing torch frees large blocks, which
    raises glibc's adaptive mmap threshold and so removes numpy's page faults; it must not share a process
    with the graphgrad cases."""
    optional("torch").set_num_threads(1)
    stats, faults = timed_cases(["numpy (the notes)", "torch"], quick)
    report({name: [st.median, st.min, faults[name]] for name, st in stats.items()})


def main(quick=False):
    stats, faults = timed_cases(["numpy (the notes)", "graphgrad Tensor", "graphgrad nn"], quick)
    print(f"\n## CS231n case study: spiral {N}x{K}, 2-{H}-3 ReLU net, softmax + L2, one full-batch iteration")
    timing_table(stats, "numpy (the notes)", lambda name, st: f"{faults[name]:,.0f} page faults/iteration")
    for name in ("graphgrad Tensor", "graphgrad nn"):
        verdict(f"case study, {name} / numpy", stats[name].median / stats["numpy (the notes)"].median, TARGET)
    if importlib.util.find_spec("torch") is None:     # (not imported here: see torch_child)
        print("torch: not installed")
        return stats
    r = run_child("bench_casestudy.py", [quick])
    (t, t_min, pf), ref = r["torch"], r["numpy (the notes)"][0]
    print(f"torch (own process, float64, 1 thread): median {fmt_time(t)}, min {fmt_time(t_min)}, {t / ref:.2f}x "
          f"the numpy reference timed beside it; {pf:,.0f} page faults/iteration (numpy there: "
          f"{r['numpy (the notes)'][2]:,.0f})")
    return stats


if __name__ == "__main__":
    args = child_args(sys.argv)
    if args:
        torch_child(*args)
    elif "--notes" in sys.argv:
        notes_run()
    else:
        main("--quick" in sys.argv)
