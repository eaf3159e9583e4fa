"""The one backward engine: walks any graph of nodes (Value or Tensor) in reverse topological order.

A node has `data`, `grad`, `requires_grad`, `_parents` (tuple of nodes), `_vjp` (None for a leaf),
`_op` (name) and `_versions` (its parents' in-place versions when it was made, or None).
`_vjp(g, out, *inputs)` returns one gradient per parent (None where a parent needs none). In the
fast mode its arguments are raw data (floats or ndarrays); with `create_graph=True` they are the
nodes themselves, so the gradient computation is itself recorded and can be differentiated again.

The walk never recurses: a first pass counts, for each node, how many consumers will send it a
gradient; the second pass runs a node's vjp only once all of them have, so every gradient is
complete before it flows further (Kahn's algorithm on the reversed graph).
"""
from .grad_mode import set_grad_enabled


def _freed(*_):
    """Sentinel vjp of a node whose graph was released by an earlier backward()."""


def _count_consumers(root):
    """For each node reachable from root through requires-grad edges, the number of such edges into it."""
    pending = {root: 0}
    stack = [root]
    while stack:
        node = stack.pop()
        for p in node._parents:
            if p.requires_grad:
                n = pending.get(p)
                if n is None:
                    pending[p] = 1
                    stack.append(p)
                else:
                    pending[p] = n + 1
    return pending


def _check_versions(node):
    """Refuse to backward through an op whose saved input was modified in place after the forward pass."""
    for i, (p, v) in enumerate(zip(node._parents, node._versions)):
        if p._version != v:
            raise RuntimeError(
                f"backward through '{node._op}': its input {i} (shape {p.shape}) was modified in place "
                f"after '{node._op}' used it (version {v} -> {p._version}), so the saved value is stale. "
                "Modify it only after backward(), or use an out-of-place op (x = x + 1) instead.")


def run_backward(root, seed, retain_graph=False, create_graph=False, inputs=None):
    """Propagate `seed` (d root / d root) back through the graph of `root`.

    Without `inputs`, gradients of leaves (and of nodes with retained grad) are accumulated into
    their `.grad`. With `inputs` (a sequence of nodes), nothing is written: the gradients of
    those nodes are returned as a list (None for a node the root does not depend on).
    """
    cls = type(root)
    fit, store, release = cls._fit_grad, cls._store_grad, cls._release
    targets = None if inputs is None else {id(x): i for i, x in enumerate(inputs)}
    results = None if inputs is None else [None] * len(inputs)
    pending = _count_consumers(root)
    grads = {root: seed}
    ready = [root]
    handed = set()                      # ids of arrays already stored as some node's .grad
    fast = not create_graph
    with set_grad_enabled(create_graph):
        while ready:
            node = ready.pop()
            g = grads.pop(node, None)
            vjp = node._vjp
            if g is not None:
                if targets is not None:
                    i = targets.get(id(node))
                    if i is not None:
                        results[i] = g
                elif vjp is None or node._retain:
                    store(node, g, fast, handed)
            if vjp is None:
                continue
            if vjp is _freed:
                raise RuntimeError(
                    f"backward through '{node._op}' a second time: the first backward() released the "
                    "buffers this graph saved. Pass retain_graph=True to the first backward() if you "
                    "need to go through the graph again.")
            parents = node._parents
            if node._versions is not None:
                _check_versions(node)
            if g is None:
                pgs = (None,) * len(parents)
            elif fast:
                pgs = vjp(g, node.data, *[p.data for p in parents])
            else:
                pgs = vjp(g, node, *parents)
            if not retain_graph:
                release(node)
            for i, (p, pg) in enumerate(zip(parents, pgs)):
                if not p.requires_grad:
                    continue
                if pg is not None:
                    if fit is not None:
                        pg = fit(pg, p, node, i)
                    prev = grads.get(p)
                    grads[p] = pg if prev is None else prev + pg
                n = pending[p] - 1
                if n:
                    pending[p] = n
                else:
                    ready.append(p)
    return results


def unbroadcast(g, shape, op="?", index=0):
    """Sum a gradient of a broadcast result back to an input's `shape` (works on ndarray and Tensor)."""
    gshape = g.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    if lead < 0 or any(n != 1 and n != m for n, m in zip(shape, gshape[lead:])):
        raise RuntimeError(
            f"vjp of '{op}' returned a gradient of shape {gshape} for its input {index} of shape {shape}; "
            "a gradient must have its input's shape (or a shape that broadcasting produced from it).")
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and gshape[lead + i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)
