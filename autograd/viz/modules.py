"""Names from an nn model: parameter names, and which module each op node belongs to."""
import numpy as np


def parameter_names(model):
    """({id(parameter): name}, {id(parameter): owning module name}); a Value grid is named per element."""
    if not (hasattr(model, "named_parameters") and hasattr(model, "named_modules")):
        raise TypeError(f"draw_graph: model= needs an nn.Module (named_parameters, named_modules), "
                        f"got {type(model).__name__}")
    modules = [n for n, _ in model.named_modules()]
    names, owner = {}, {}
    for name, p in model.named_parameters():
        mod = max((m for m in modules if m == "" or name.startswith(m + ".")), key=len)
        if isinstance(p, np.ndarray):               # a scalar layer's grid of Values
            for idx in np.ndindex(p.shape):
                names[id(p[idx])] = f"{name}[{','.join(map(str, idx))}]"
                owner[id(p[idx])] = mod
        else:
            names[id(p)] = name
            owner[id(p)] = mod
    return names, owner


def module_types(model):
    """{module name: class name}."""
    return {n: type(m).__name__ for n, m in model.named_modules()}


def attribute(order, owner, is_constant):
    """Extend `owner` (parameter id -> module) to op nodes, in forward order; returns it.

    A module's graph is not recorded, so it is inferred from the parameters: an op belongs to a
    module when it consumes one of its parameters (x @ W, + b), when it is computed from that
    module's parameters only (W.T, W ** 2), or when it merges two or more nodes of that module
    (micrograd's neuron sum). A one-input op on a module's output (relu after Linear) stays outside,
    so activation modules show between the layers.
    """
    params = set(owner)
    pure = set()                                      # nodes computed from one module's parameters only
    for node in order:
        inputs = [p for p in node._parents if not is_constant(p)]
        if not inputs:
            continue
        mods = {owner.get(id(p)) for p in inputs}
        one = len(mods) == 1 and None not in mods
        if one and all(id(p) in params or id(p) in pure for p in inputs):
            pure.add(id(node))
        direct = [owner[id(p)] for p in inputs if id(p) in params]
        if direct:
            owner[id(node)] = direct[0]
        elif one and (len(inputs) >= 2 or id(node) in pure):
            owner[id(node)] = mods.pop()
    return owner
