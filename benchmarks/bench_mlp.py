"""MLP training step (ReLU, softmax cross-entropy, SGD momentum 0.9), float32, random data.

Cases, all from the same initial weights and batch:
- numpy: a hand-written forward+backward+update (the reference; targets are ratios to it),
- graphgrad Tensor: the same network written with autograd Tensors directly,
- graphgrad nn: nn.MLP + nn.functional.cross_entropy + nn.optim.SGD, when those exist,
- torch: torch.nn.Linear/ReLU + F.cross_entropy + torch.optim.SGD, when installed.
Also the peak memory of one step (tracemalloc sees numpy's allocations; torch's it does not).
"""
import gc
import sys
import tracemalloc

import numpy as np

import autograd
from common import blas_threads, compare, optional, set_blas_threads, table, threads_arg, timing_table, verdict

LR, MU = 0.01, 0.9
CONFIGS = [  # (sizes, batch, target ratio to numpy)
    ((784, 512, 512, 10), 64, 1.1),               # the speed issue: keep <= 1.1x
    ((784, 512, 512, 10), 512, 1.1),
    ((64, 128, 128, 10), 64, 1.5),
]


def problem(sizes, batch, seed=0):
    """He-initialised float32 weights [(W, b), ...] and a random batch (X, y)."""
    rng = np.random.default_rng(seed)
    layers = [((rng.standard_normal((m, n)) * np.sqrt(2 / m)).astype(np.float32), np.zeros(n, np.float32))
              for m, n in zip(sizes[:-1], sizes[1:])]
    X = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch)
    return layers, X, y


def numpy_trainer(layers, X, y):
    """Hand-written step: X @ W + b, in-place ReLU, stable softmax, in-place momentum. Returns the loss."""
    params = [p.copy() for Wb in layers for p in Wb]
    Ws, bs = params[0::2], params[1::2]
    vs = [np.zeros_like(p) for p in params]
    n, rows = len(X), np.arange(len(X))

    def step():
        hs = [X]                                       # inputs of each layer
        for W, b in zip(Ws[:-1], bs[:-1]):
            h = hs[-1] @ W                             # (n, out)
            h += b
            np.maximum(h, 0, out=h)
            hs.append(h)
        z = hs[-1] @ Ws[-1]
        z += bs[-1]                                    # (n, classes) logits
        z -= z.max(axis=1, keepdims=True)
        g = np.exp(z)
        s = g.sum(axis=1, keepdims=True)
        loss = np.log(s).mean() - z[rows, y].mean()    # -mean log softmax(z)[y]
        g /= s
        g[rows, y] -= 1
        g /= n                                         # d loss / d z = (softmax - onehot) / n
        grads = [None] * len(params)
        for i in reversed(range(len(Ws))):
            grads[2 * i] = hs[i].T @ g                 # dW (in, out)
            grads[2 * i + 1] = g.sum(axis=0)           # db (out,)
            if i:
                g = g @ Ws[i].T                        # d loss / d hs[i]
                g *= hs[i] > 0                         # relu', in place
        for w, g, v in zip(params, grads, vs):
            v *= MU
            v += g
            w -= LR * v
        return loss
    return step, params


def ours_trainer(layers, X, y):
    """The same network written with autograd Tensors and the engine's public fused primitives
    (linear = x @ W + b, softmax_cross_entropy); momentum update on .data under no_grad.
    (Spelled as h @ W + b and log_softmax()[rows, y].mean(), each step has 6 more nodes: the
    tiny-op benchmark measures that per-op overhead.)"""
    params = [autograd.Tensor(p, requires_grad=True) for Wb in layers for p in Wb]
    Ws, bs = params[0::2], params[1::2]
    vs = [np.zeros_like(p.data) for p in params]
    X = autograd.Tensor(X)

    def step():
        for p in params:
            p.grad = None                              # zero_grad first: last step's grads are freed
        h = X
        for W, b in zip(Ws[:-1], bs[:-1]):
            h = autograd.linear(h, W, b).relu()
        loss = autograd.softmax_cross_entropy(autograd.linear(h, Ws[-1], bs[-1]), y)
        loss.backward()
        with autograd.no_grad():
            for p, v in zip(params, vs):
                v *= MU
                v += p.grad
                p.data -= LR * v
        return loss.item()
    return step, [p.data for p in params]


def nn_trainer(layers, X, y):
    """nn.MLP + nn.functional.cross_entropy + nn.optim.SGD, with the same weights."""
    import nn
    import nn.functional as F
    import nn.optim
    sizes = [W.shape[1] for W, _ in layers]
    model = nn.MLP(layers[0][0].shape[0], sizes, activation="relu", dtype=np.float32)
    with autograd.no_grad():
        for layer, (W, b) in zip(model.layers, layers):
            layer.W.copy_(W)
            layer.b.copy_(b)
    opt = nn.optim.SGD(model.parameters(), lr=LR, momentum=MU)
    X = autograd.Tensor(X)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
        return loss.item()
    return step, [p.data for layer in model.layers for p in (layer.W, layer.b)]


def torch_trainer(torch, layers, X, y):
    """Idiomatic PyTorch: nn.Linear/ReLU, F.cross_entropy, optim.SGD(momentum), zero_grad(set_to_none)."""
    mods = []
    for W, b in layers:
        lin = torch.nn.Linear(*W.shape)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W.T))
            lin.bias.copy_(torch.from_numpy(b))
        mods += [lin, torch.nn.ReLU()]
    model = torch.nn.Sequential(*mods[:-1])
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MU)
    X, y = torch.from_numpy(X), torch.from_numpy(y)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
        return loss.item()
    weights = [p.detach().numpy() for p in model.parameters()]
    return step, [w.T if w.ndim == 2 else w for w in weights]


def trainers(sizes, batch):
    """name -> factory of (step, parameter arrays), for every case available here."""
    torch = optional("torch")
    made = {"numpy (hand-written)": numpy_trainer, "graphgrad Tensor": ours_trainer}
    try:
        import nn.functional
        import nn.optim  # noqa: F401
        nn.MLP, nn.functional.cross_entropy, nn.optim.SGD  # noqa: B018
        made["graphgrad nn"] = nn_trainer
    except (ImportError, AttributeError) as e:
        print(f"graphgrad nn variant: not available ({e})")
    if torch:
        made["torch"] = lambda *a: torch_trainer(torch, *a)
    return {name: (lambda f=f: f(*problem(sizes, batch))) for name, f in made.items()}


def check(makers):
    """Two steps from the same start give the same loss and weights on every engine."""
    ref = None
    for name, make in makers.items():
        step, params = make()
        losses = [float(step()), float(step())]
        if ref is None:
            ref = losses, [p.copy() for p in params]
            continue
        assert np.allclose(losses, ref[0], rtol=1e-4), f"{name}: losses {losses} != {ref[0]}"
        for p, q in zip(params, ref[1]):
            assert p.dtype == np.float32 and np.allclose(p, q, rtol=1e-3, atol=1e-5), f"{name}: weights differ"


def peak_memory(make):
    """(peak bytes traced during one step, bytes held between steps), after a warm-up step."""
    gc.collect()
    tracemalloc.start()
    step, _ = make()
    step()
    gc.collect()
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, held


def main(quick=False, threads=None):
    torch = optional("torch")
    if threads:
        set_blas_threads(threads)
    threads = blas_threads()
    if torch and threads:
        torch.set_num_threads(threads)
    print(f"\n## MLP training step, float32, SGD momentum {MU}; threads: numpy BLAS {threads}, "
          f"torch {torch.get_num_threads() if torch else 'not installed'}")
    results = {}
    for sizes, batch, target in CONFIGS:
        name = f"{'-'.join(map(str, sizes))} batch {batch}"
        makers = trainers(sizes, batch)
        check(makers)
        stats = compare({k: make()[0] for k, make in makers.items()},
                        repeats=3 if quick else 7, budget=0.05 if quick else 0.3)
        print(f"\n### {name}")
        timing_table(stats, "numpy (hand-written)")
        base = stats["numpy (hand-written)"].median
        for k in stats:
            if k.startswith("graphgrad"):
                verdict(f"{name}: {k} / numpy", stats[k].median / base, target)
        if torch:
            print(f"graphgrad Tensor / torch: {stats['graphgrad Tensor'].median / stats['torch'].median:.2f}x")
        else:
            print("torch: not installed")
        results[name] = stats
        mem = {k: peak_memory(make) for k, make in makers.items() if k != "torch"}
        ref = mem["numpy (hand-written)"][0]
        table(["case", "peak during a step", "held between steps", "peak vs numpy"],
              [[k, f"{p / 2**20:.2f} MiB", f"{h / 2**20:.2f} MiB", f"{p / ref:.2f}x"] for k, (p, h) in mem.items()]
              + ([["torch", "n/a (allocates outside tracemalloc)", "", ""]] if torch else []))
        for k, (p, _) in mem.items():
            if k.startswith("graphgrad"):
                verdict(f"{name}: peak memory {k} / numpy", p / ref, 1.3)
    return results


if __name__ == "__main__":
    main("--quick" in sys.argv, threads_arg(sys.argv))
