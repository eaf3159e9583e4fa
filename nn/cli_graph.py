"""The main job's computation graph: one training step, named so it teaches (its root is "loss", its L2
term a node "L2 penalty"), printed so the drawn loss can be found in the output, and written as graph.svg
and as the explorer's graph.html."""
from autograd import Value, explore, from_numpy, save_graph

from . import functional as F

GRAPH_EXAMPLES = 4                            # the drawn training step's batch (1 for --engine scalar)


def graph_step(args, model, Xtr, ytr):
    """(loss, its cross-entropy term, its L2 term or None, the inputs) of one training step on the first
    GRAPH_EXAMPLES training examples (1, without L2, for Values), named for the drawing."""
    scalar_engine = args.engine == "scalar"           # a Value graph grows with every example and weight
    xb, yb = Xtr[:1 if scalar_engine else GRAPH_EXAMPLES], ytr[:1 if scalar_engine else GRAPH_EXAMPLES]
    if scalar_engine:
        x = {f"x[{i}]": Value(v) for i, v in enumerate(xb[0].tolist())}
        data_term = F.cross_entropy([model(list(x.values()))], yb)
    else:
        x = {"x": from_numpy(xb)}
        data_term = F.cross_entropy(model(x["x"]), yb)
    data_term.label = "cross-entropy"
    loss, l2 = data_term, None
    if args.reg and not scalar_engine:
        penalty = F.l2_penalty(model.parameters())
        penalty.label = "L2 penalty"                  # sum of squared parameters
        l2 = args.reg * penalty
        l2.label = f"{args.reg:g} x L2 penalty"
        loss = data_term + l2
    loss.label = "loss"
    return loss, data_term, l2, x


def graph_line(loss, data_term, l2, x):
    """The printed line that finds the drawn loss: its value, its cross-entropy and its L2 term."""
    n = 1 if "x" not in x else x["x"].shape[0]
    which = f"first {n} training examples" if n > 1 else "first training example"
    line = f"graph     one training step on the {which}: loss {_number(loss):.6g}"
    if l2 is None:
        return line + " (cross-entropy, no L2 term)"
    return line + f" = cross-entropy {_number(data_term):.6g} + L2 term {_number(l2):.6g}"


def _number(node):
    return float(node.data)


def write_graph(args, model, Xtr, ytr, out, files):
    """Save the graph of one training step as SVG (with its gradients, files["graph"]) and as the explorer's
    HTML page (files["page"]); returns the paths written."""
    loss, data_term, l2, x = graph_step(args, model, Xtr, ytr)
    print(graph_line(loss, data_term, l2, x))
    model.zero_grad()
    loss.backward(retain_graph=True)                  # keep the graph to draw it with its gradients
    options = dict(model=model, inputs=x, collapse_modules=True, max_nodes=None)
    writers = {files["graph"]: lambda p: save_graph(loss, p, overwrite=args.overwrite, **options),
               files["page"]: lambda p: explore(loss, **options).save(p, overwrite=args.overwrite)}
    written = []
    try:
        for name, write in writers.items():
            try:
                write(out / name)
            except RuntimeError as e:                 # no Graphviz at all (system, pure or WebAssembly), ...
                print(f"note: {name} skipped: {e}")
                continue
            written.append(out / name)
    finally:
        model.zero_grad()
    return written
