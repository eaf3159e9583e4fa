"""Graph walks for drawing: forward order, the engine's backward order, and paths. No recursion anywhere."""
from .. import engine

FREED_MESSAGE = (
    "draw_graph: this Tensor graph was released by backward() (a Tensor node drops its parents after "
    "backward, to free memory), so there is nothing left to draw. Draw it before backward(), or call "
    "loss.backward(retain_graph=True) to draw it with its gradients. (Value graphs keep their parents.)")


def is_freed(node):
    """True for a Tensor node whose graph backward() has released (its parents are gone)."""
    return node._vjp is engine._freed and not node._parents


def forward_order(root):
    """Every node `root` depends on, parents before children (iterative post-order DFS)."""
    if is_freed(root):
        raise RuntimeError(FREED_MESSAGE)
    order, seen = [], {id(root)}
    stack = [(root, 0)]
    while stack:
        node, i = stack[-1]
        parents = node._parents
        if i < len(parents):
            stack[-1] = (node, i + 1)
            p = parents[i]
            if id(p) not in seen:
                if is_freed(p):
                    raise RuntimeError(FREED_MESSAGE)
                seen.add(id(p))
                stack.append((p, 0))
        else:
            stack.pop()
            order.append(node)
    return order


def backward_order(root):
    """The nodes in the order `engine.run_backward` visits them: the same consumer counts, the same LIFO stack."""
    if not root.requires_grad:
        return []
    pending = {id(root): 0}
    stack = [root]
    while stack:                                  # engine._count_consumers
        for p in stack.pop()._parents:
            if p.requires_grad:
                n = pending.get(id(p))
                if n is None:
                    pending[id(p)] = 1
                    stack.append(p)
                else:
                    pending[id(p)] = n + 1
    order, ready = [], [root]
    while ready:                                  # the visiting loop of engine.run_backward
        node = ready.pop()
        order.append(node)
        if node._vjp is None:
            continue
        for p in node._parents:
            if p.requires_grad:
                n = pending[id(p)] - 1
                pending[id(p)] = n
                if not n:
                    ready.append(p)
    return order


def path_nodes(order, target):
    """ids of the nodes on a path from `target` to the root; `order` is forward_order(root), all ancestors of it."""
    on = {id(target)}
    for node in order:                            # forward order: a node's parents are decided before it
        if any(id(p) in on for p in node._parents):
            on.add(id(node))
    return on
