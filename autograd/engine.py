"""The one backward engine: walks any graph of nodes (Value or Tensor) in reverse topological order.

Both node kinds give it the same small interface: `_store_grads(nodes, fast)` accumulates each node's
gradient of this pass (`_g`) into its `.grad`; `_fit_grad(g, parent, node)` returns g fitted to its parent
(shape, dtype) or an error naming the op, and is skipped when `_fits_exactly` says a vjp's gradient always
fits already (floats); `_keep_structure` says whether backward keeps the parents (for drawing) or drops
them.

A node has `data`, `grad`, `requires_grad`, `_parents` (tuple of nodes; a class whose `_parent_slots`
is true keeps them in `_a`, `_b` instead, walked by `engine_slots`), `_vjp` (None for a leaf),
`_op` (name) and `_epoch` (the in-place clock when it was made, or None for nodes that cannot be
modified in place). `_vjp(g, out, *inputs)` returns one gradient per parent (None where a parent
needs none). In the fast pass its arguments are raw data (floats or ndarrays); with
`create_graph=True` they are the nodes themselves, so the gradient computation is itself recorded
and can be differentiated again.

The walk never recurses: a first pass counts, for each node, how many consumers will send it a
gradient; the second pass runs a node's vjp only once all of them have, so every gradient is
complete before it flows further (Kahn's algorithm on the reversed graph). The count and the
gradient of the current pass live on the node (`_pending`, `_g`, stamped with the pass's `_mark`):
slot reads instead of dictionary lookups on the hottest loop. So two backward passes through
shared nodes must not run at the same time (they would race on `.grad` anyway).
"""
import itertools
import threading

import numpy as np

from .grad_mode import _state

# One backward pass at a time in this process: passes over graphs that share a leaf would race on its
# pass-local slots and its .grad (Python threads share one interpreter, so this costs no parallelism).
# In-place changes take it too, so an optimizer step in another thread waits for a running pass.
graph_lock = threading.RLock()               # (re-entrant: an in-place change inside a vjp takes it too)

_passes = itertools.count(1)            # marks that tell a node it was reached by the current pass

# In-place clock: every in-place modification of a tensor takes the next tick and stamps the
# tensor with it. A node made at tick t must not see a parent stamped later than t.
clock = [0]


def tick():
    """Advance the in-place clock and return the new time."""
    with graph_lock:
        clock[0] += 1
        return clock[0]


def _freed(*_):
    """Sentinel vjp of a Tensor node whose graph was released by an earlier backward()."""


def spent(epoch):
    """The `_epoch` of a Value node released by a backward pass: negative, so every count pass (which checks
    each node whose epoch is not the clock's time) refuses it, and its vjp stays for drawings. The same
    function maps it back (record_backward replays a released Value graph)."""
    return -1 - epoch


def _count_consumers(root, mark, now):
    """Reach every node root depends on through requires-grad edges; set each one's count of such
    edges into it (`_pending`) and clear its gradient for this pass.

    Each node made before the in-place clock's time `now` is checked for inputs changed in place
    after it used them, before any vjp runs. This also keeps the walk safe from cycles: only an
    in-place change can close one (a tensor made to depend on an op that read its old value), and
    that op is such a node."""
    root._mark, root._pending, root._g = mark, 0, None
    if root._epoch is not None and root._epoch != now:
        _check_versions(root)
    stack = [root]
    while stack:
        for p in stack.pop()._parents:
            if p.requires_grad:
                if p._mark is mark:
                    p._pending += 1
                else:
                    p._mark, p._pending, p._g = mark, 1, None
                    epoch = p._epoch
                    if epoch is not None and epoch != now:
                        _check_versions(p)
                    stack.append(p)


def _count_toward(root, mark, now, targets):
    """`_count_consumers` for a functional-mode pass: only the nodes on a path from root to one of
    `targets` (ids) are marked and counted, so the walk neither runs nor releases the rest of the graph
    (a function's closure may hold graphs of its own). False if root depends on no target."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:                        # depth first; a node goes to `order` after all its parents (post-order)
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node._parents if p.requires_grad and id(p) not in seen)
    reach = set(targets)
    for node in order:                  # parents first, so a node's reach is known from its parents'
        if any(id(p) in reach for p in node._parents if p.requires_grad):
            reach.add(id(node))
    if id(root) not in reach:
        return False
    for node in order:
        if id(node) in reach:
            node._mark, node._pending, node._g = mark, 0, None
            if node._epoch is not None and node._epoch != now:
                _check_versions(node)
    for node in order:
        if node._mark is mark:
            for p in node._parents:
                if p._mark is mark:
                    p._pending += 1
    return True


def _check_versions(node):
    """Refuse to backward through an op whose input was modified in place after the op used it, or through
    a Value node an earlier pass released (its epoch negated, see `spend`)."""
    if node._epoch < 0:
        raise _second_pass(node)
    for i, p in enumerate(node._parents):
        if p._version > node._epoch:
            what = getattr(p, "shape", None)
            what = "a Value" if what is None else f"shape {what}"
            raise RuntimeError(
                f"backward through '{node._op}': its input {i} ({what}) was modified in place (by "
                f"{p._changed_by or 'an in-place op'}) after '{node._op}' used it, so the value it used is gone. "
                "Modify it only after backward() (optimizer.step() after loss.backward()), or use an "
                "out-of-place op (x = x + 1) instead.")


def _reentered(node):
    return RuntimeError(
        f"backward(): the gradient count of a node (op '{node._op or 'leaf'}') went negative: another "
        "backward() ran through the same nodes meanwhile (from inside a vjp, or in another thread). "
        "Run backward passes over shared nodes one at a time.")


def _second_pass(node):
    return RuntimeError(
        f"backward through '{node._op}' a second time: an earlier backward() released the buffers this "
        "graph saved (or stopped midway with an error). Pass retain_graph=True to the first backward() "
        "if you need to go through the graph again.")


def run_backward(root, seed, retain_graph=False, create_graph=False, inputs=None):
    """Propagate `seed` (d root / d root) back through the graph of `root`.

    Without `inputs`, gradients of leaves (and of nodes with retained grad) are accumulated into
    their `.grad`. With `inputs` (a sequence of nodes), nothing is written: the gradients of
    those nodes are returned as a list (None for a node the root does not depend on).
    """
    if _state.in_backward:
        raise RuntimeError("backward() called while another backward() is running in this thread (from "
                           "inside a vjp?); that would corrupt the outer pass. Compute it outside the vjp.")
    if inputs is None and not create_graph and _state.grad_depth:
        raise RuntimeError(
            "backward() inside a function that autograd.grad is differentiating: the gradients it stores "
            "would be constants to the outer grad, so the outer derivative would silently miss them. Use "
            "autograd.grad(...) for the inner gradient, or backward(create_graph=True).")
    with graph_lock:
        return _backward(root, seed, retain_graph, create_graph, inputs)


def _backward(root, seed, retain_graph, create_graph, inputs):
    """One pass, in its three steps: count consumers, walk (running each vjp once its gradient is
    complete), then commit the gradients, so an error midway leaves every .grad as it was."""
    kind, mark, now = type(root), next(_passes), clock[0]
    targets = None if inputs is None else _positions(inputs)
    slots = targets is None and kind._parent_slots      # Value keeps its parents in slots: _walk_slots
    if slots:
        _count_slots(root, mark, now)
    elif targets is None:
        _count_consumers(root, mark, now)
    elif not _count_toward(root, mark, now, targets):
        return [None] * len(inputs)     # root depends on none of them: nothing to run
    root._g = seed
    state = _state
    saved_mode = state.enabled
    state.in_backward, state.enabled = True, create_graph       # record the backward pass only when asked
    try:
        if slots and not create_graph:
            found = _walk_slots(root, kind, retain_graph, mark)
        else:
            found = _walk(root, kind, not create_graph, retain_graph, targets, mark)
    finally:                            # (after an error, stale _g are reset by the next pass)
        state.enabled, state.in_backward = saved_mode, False
    if clock[0] != now:                 # an in-place change during the pass (inside a vjp): refuse it all
        raise RuntimeError("backward(): a tensor or Value was changed in place while backward() ran (inside a vjp?), "
                           "so some gradients were computed from values that are gone; no .grad was changed. "
                           "Make in-place changes before or after backward().")
    if inputs is None:
        kind._store_grads(found, not create_graph)      # commit: accumulate each node's _g into .grad
        return None
    results = [None] * len(inputs)
    for node in found:
        for i in targets[id(node)]:
            results[i] = node._g
        node._g = None
    return results


def record_backward(root, seed, nodes, on_vjp):
    """A backward pass that writes no .grad and reports each vjp call, in the order the engine makes them.

    `on_vjp(node, g, grads)` receives the upstream gradient and the vjp's raw result (one gradient per
    parent, before the engine fits it to the parent's shape and dtype). The graph is kept; a Value graph
    already released by backward() runs its kept vjps. Returns the final gradient of each of `nodes`
    (None where root does not depend on it). This is how drawings show numbers the engine computed."""
    if _state.in_backward:
        raise RuntimeError("record_backward() inside a running backward pass; call it outside the vjp.")
    with graph_lock:
        wrapped = []
        try:
            for node in nodes:
                vjp = node._vjp
                if vjp is _freed:
                    raise _second_pass(node)
                if node._epoch is not None and node._epoch < 0:    # a released Value: replayed, then released
                    node._epoch = spent(node._epoch)
                    wrapped.append((node, None))
                if vjp is not None:
                    wrapped.append((node, vjp))
                    node._vjp = _reporting(node, vjp, on_vjp)
            return _backward(root, seed, True, False, list(nodes))
        finally:
            for node, vjp in wrapped:
                if vjp is None:
                    node._epoch = spent(node._epoch)
                else:
                    node._vjp = vjp


def _reporting(node, vjp, on_vjp):
    def call(g, *args):
        grads = vjp(g, *args)
        on_vjp(node, g, grads)
        return grads
    return call


def _positions(inputs):
    """{id(node): every position it holds in `inputs`} (a node may be asked for twice)."""
    targets = {}
    for i, x in enumerate(inputs):
        targets.setdefault(id(x), []).append(i)
    return targets


def _walk(root, kind, fast, retain_graph, targets, mark):
    """Run each node's vjp once all its consumers have sent their gradient; return the nodes whose
    gradient (left in their `_g`) is kept: leaves and retained nodes, or with `targets` those asked for.

    This loop is the engine's hot path and stays one function: with a helper per node (call the vjp,
    release the node) and per edge (deliver a gradient), the scalar moons step (benchmarks/bench_moons.py)
    ran 13% more instructions (callgrind: 1101M vs 971M per step), so those steps are the commented
    blocks below, and everything else (functional mode, version checks, commit) is outside it."""
    fit = None if kind._fits_exactly else kind._fit_grad
    keep_structure = kind._keep_structure
    found = []
    ready = [root]
    while ready:
        node = ready.pop()
        g = node._g
        vjp = node._vjp
        if g is not None and ((node._retain or vjp is None) if targets is None else id(node) in targets):
            found.append(node)                  # its gradient stays in _g until the commit
        else:
            node._g = None
        if vjp is None:
            continue
        if vjp is _freed:
            raise _second_pass(node)
        # -- call the vjp: raw data in the fast pass, the nodes themselves under create_graph
        parents = node._parents
        if g is None:
            pgs = (None,) * len(parents)
        elif not fast:
            pgs = vjp(g, node, *parents)
        elif len(parents) == 2:
            a, b = parents
            pgs = vjp(g, node.data, a.data, b.data)
        elif len(parents) == 1:
            pgs = vjp(g, node.data, parents[0].data)
        else:
            pgs = vjp(g, node.data, *[p.data for p in parents])
        # -- deliver each parent's gradient; a parent whose consumers have all delivered is ready
        for p, pg in zip(parents, pgs):
            if p._mark is not mark:             # needs no gradient (or, with targets, leads to none)
                continue
            if pg is not None:
                if fit is not None:
                    d = p.data          # (`is not`: numpy's dtypes are singletons; a false alarm only calls fit)
                    if pg.shape != d.shape or pg.dtype is not d.dtype:
                        pg = fit(pg, p, node)
                prev = p._g
                p._g = pg if prev is None else prev + pg
            n = p._pending - 1
            p._pending = n
            if n > 0:
                continue
            if n < 0:
                raise _reentered(p)
            if p._vjp is not None or targets is not None:
                ready.append(p)
            elif p._g is not None:              # a leaf with all its gradient: nothing more to run
                found.append(p)
        # -- release the node: its saved buffers, and (tensors) the references keeping inputs alive
        if not retain_graph:
            if keep_structure:                  # Value: parents and vjp stay for drawings; marked spent
                node._epoch = spent(node._epoch)
            else:
                node._vjp = _freed
                node._parents = ()
    return found



def fold(ufunc, x, axes, keepdims=False):
    """ufunc.reduce over `axes` of an ndarray. numpy's reduce over a short last axis ((300, 3) softmax rows)
    is slow (12 us for a max, 6 us for a sum): up to 8 entries, the columns are combined one ufunc call at a
    time instead (2 us). A sum may differ from numpy's in the last bit (numpy associates it differently)."""
    ndim = x.ndim
    if ndim < 2 or axes != (ndim - 1,) or not 1 <= (n := x.shape[-1]) <= 8 or x.dtype.kind not in "fc":
        return ufunc.reduce(x, axes, None, None, keepdims)     # (positional: numpy parses them faster)
    out = x[..., 0]
    for j in range(1, n):
        out = ufunc(out, x[..., j])
    if n == 1:
        out = out.copy()
    return out[..., None] if keepdims else out


def unbroadcast(g, shape, node=None, parent=None):
    """Sum a gradient of a broadcast result back to an input's `shape` (works on ndarray and Tensor).
    `node` and `parent`, the op and its input, name them in the error when g's shape cannot come from it."""
    gshape = g.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    if lead < 0:
        raise _unfit(gshape, shape, node, parent)
    axes, i = (), lead
    for n in shape:                     # a dimension broadcasting stretched from 1 is summed back to 1
        if n != gshape[i]:
            if n != 1:
                raise _unfit(gshape, shape, node, parent)
            axes += (i,)
        i += 1
    if lead:
        axes = (*range(lead), *axes)
    if axes:
        g = g.sum(axis=axes, keepdims=True) if type(g) is not np.ndarray else fold(np.add, g, axes, True)
    return g.reshape(shape) if lead else g


def _unfit(gshape, shape, node, parent):
    op = "?" if node is None else node._op
    index = "?" if node is None else next(i for i, q in enumerate(node._parents) if q is parent)
    return RuntimeError(
        f"vjp of '{op}' returned a gradient of shape {gshape} for its input {index} of shape {shape}; "
        "a gradient must have its input's shape (or a shape that broadcasting produced from it).")


# The walk of slot nodes (Value) lives in its own module; it imports the helpers above, so it comes last.
from .engine_slots import _count_slots, _walk_slots  # noqa: E402
