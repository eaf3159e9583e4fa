"""Graph walks for drawing: forward order, the engine's backward order, and paths. No recursion anywhere."""
from ..graph import FREED_MESSAGE, forward_order, is_freed   # noqa: F401  (the drawings' names for them)

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
