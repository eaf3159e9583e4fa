"""Reading a recorded graph from outside the engine: what made a node, from which nodes, with which arguments.

The engine keeps its bookkeeping in private node attributes that may change; tools built on the graph (the
drawings, `nn.export`, your own) read it through these functions instead. Nothing here changes a graph.
"""
from . import engine

FREED_MESSAGE = (
    "draw_graph: this Tensor graph was released by backward() (a Tensor node drops its parents after "
    "backward, to free memory), so there is nothing left to draw. Draw it before backward(), or call "
    "loss.backward(retain_graph=True) to draw it with its gradients. (Value graphs keep their parents.)")


def op_name(node):
    """The name of the op that computed `node` ("" for a leaf): "mul", "matmul", "relu" (Value graphs: "*", "+")."""
    return node._op or ""


def parents(node):
    """The nodes `node` was computed from, in the op's argument order (empty for a leaf or a freed node)."""
    return tuple(node._parents)


def op_params(node):
    """{name: value} of what the op that made `node` closed over: its arguments that are not inputs (a slope, an
    axis). They are read by name from the op's vjp, so a tool using them must check what it read (nn.export runs
    the op again and compares)."""
    fn = node._vjp
    code, cells = getattr(fn, "__code__", None), getattr(fn, "__closure__", None)
    if code is None or not cells:
        return {}
    return {k: c.cell_contents for k, c in zip(code.co_freevars, cells)}


def is_freed(node):
    """True for a Tensor node whose graph backward() has released (its parents are gone)."""
    return node._vjp is engine._freed and not node._parents


def forward_order(root):
    """Every node `root` depends on, parents before children (iterative post-order DFS, no recursion)."""
    if is_freed(root):
        raise RuntimeError(FREED_MESSAGE)
    order, seen = [], {id(root)}
    stack = [(root, 0)]
    while stack:
        node, i = stack[-1]
        inputs = node._parents
        if i < len(inputs):
            stack[-1] = (node, i + 1)
            p = inputs[i]
            if id(p) not in seen:
                if is_freed(p):
                    raise RuntimeError(FREED_MESSAGE)
                seen.add(id(p))
                stack.append((p, 0))
        else:
            stack.pop()
            order.append(node)
    return order
