"""The engine's walk for nodes that keep their parents in two slots (Value: `_a`, `_b`; `_parent_slots = True`).

A scalar graph has one node per + and *, so its per-node costs are the step's costs: these versions of
the count and the plain walk read the slots instead of building each node's `_parents` tuple. `_b` is
the second parent, None for one parent, or a tuple of the rest for three or more (custom Functions).
A node of two parents (nearly all of them) visits `a` and then `b` with the same lines written out
twice, not through a tuple, zip and a helper: 19% fewer instructions for the moons step (callgrind,
1019M -> 826M per step with the GC on) and 12-15% less time. The other nodes take the loop.
"""
from .engine import _check_versions, _reentered


def _count_slots(root, mark, now):
    """`_count_consumers` on a graph of slot nodes (a node of two parents visits them without a tuple)."""
    kind = type(root)
    root._mark, root._pending, root._g = mark, 0, None
    if root._epoch is not None and root._epoch != now:
        _check_versions(root)
    stack = [root]
    while stack:
        node = stack.pop()
        a, b = node._a, node._b
        if type(b) is kind:                     # two parents: a, then the same for b
            if a.requires_grad:
                if a._mark is mark:
                    a._pending += 1
                else:
                    a._mark, a._pending, a._g = mark, 1, None
                    epoch = a._epoch
                    if epoch is not None and epoch != now:
                        _check_versions(a)
                    stack.append(a)
            if b.requires_grad:
                if b._mark is mark:
                    b._pending += 1
                else:
                    b._mark, b._pending, b._g = mark, 1, None
                    epoch = b._epoch
                    if epoch is not None and epoch != now:
                        _check_versions(b)
                    stack.append(b)
            continue
        for p in (a,) if b is None and a is not None else node._parents:
            if p.requires_grad:                 # (one parent, or three or more: rare enough for a call)
                _visit(p, mark, now, stack)


def _visit(p, mark, now, stack):
    """One requires-grad edge into p: count it; at p's first visit, clear it, check its versions, queue it.
    (The lines the two-parent case above and engine._count_consumers write out for speed.)"""
    if p._mark is mark:
        p._pending += 1
    else:
        p._mark, p._pending, p._g = mark, 1, None
        epoch = p._epoch
        if epoch is not None and epoch != now:
            _check_versions(p)
        stack.append(p)


def _walk_slots(root, kind, retain_graph, mark):
    """`_walk` of a plain pass (float gradients, which always fit; no targets) on a graph of slot nodes."""
    found = []
    ready = [root]
    retain = kind._retain                       # (a class attribute: slot nodes have no __dict__ to set it in)
    while ready:
        node = ready.pop()
        g = node._g
        vjp = node._vjp
        if g is not None and (retain or vjp is None):
            found.append(node)                  # its gradient stays in _g until the commit
        else:
            node._g = None
        if vjp is None:
            continue
        a, b = node._a, node._b
        if type(b) is kind and g is not None:   # two parents: a's delivery, then the same for b
            ga, gb = vjp(g, node.data, a.data, b.data)
            if a._mark is mark:                 # (else it needs no gradient)
                if ga is not None:
                    prev = a._g
                    a._g = ga if prev is None else prev + ga
                n = a._pending - 1
                a._pending = n
                if n <= 0:
                    if n < 0:
                        raise _reentered(a)
                    if a._vjp is not None:     # all its consumers delivered: ready
                        ready.append(a)
                    elif a._g is not None:      # a leaf with all its gradient: nothing more to run
                        found.append(a)
            if b._mark is mark:
                if gb is not None:
                    prev = b._g
                    b._g = gb if prev is None else prev + gb
                n = b._pending - 1
                b._pending = n
                if n <= 0:
                    if n < 0:
                        raise _reentered(b)
                    if b._vjp is not None:
                        ready.append(b)
                    elif b._g is not None:
                        found.append(b)
        else:
            if b is None and a is not None:
                parents = (a,)
                pgs = (None,) if g is None else vjp(g, node.data, a.data)
            else:
                parents = node._parents
                pgs = (None,) * len(parents) if g is None else vjp(g, node.data, *[p.data for p in parents])
            for p, pg in zip(parents, pgs):         # deliver; a parent whose consumers all delivered is ready
                if p._mark is not mark:             # needs no gradient
                    continue
                if pg is not None:
                    prev = p._g
                    p._g = pg if prev is None else prev + pg
                n = p._pending - 1
                p._pending = n
                if n <= 0:
                    _ready(p, n, ready, found)
        if not retain_graph:                    # release: parents and vjp stay for drawings, the count pass
            node._epoch = -1 - node._epoch      # of a later backward refuses it (engine.spent, written out)
    return found


def _ready(p, n, ready, found):
    """p's consumers have all delivered (n == 0): queue it, or keep it if it is a leaf."""
    if n < 0:
        raise _reentered(p)
    if p._vjp is not None:
        ready.append(p)
    elif p._g is not None:              # a leaf with all its gradient: nothing more to run
        found.append(p)
