"""What `python -m nn` refuses before it generates data or trains: option values out of range, an output
folder that cannot be created or written, and a network too big for this machine's memory.

The argparse types raise argparse.ArgumentTypeError, the later checks raise `Refused`; nn.cli turns both into
one line on stderr and exit code 2. Each limit below is printed by `python -m nn --help`.
"""
import argparse
import errno
import math
import os
import re
import tempfile
from pathlib import Path

MAX_EPOCHS = 10**6              # a million passes over the data: hours, even on the smallest set
MAX_BATCH_SIZE = 10**6          # any size above the training set's trains on the whole set per step
MAX_SEED = 2**64 - 1            # numpy takes any int >= 0; 64 bits name more runs than anyone makes
MAX_DEPTH = 100                 # hidden layers: a deeper plain MLP does not train, its graph takes minutes
MEMORY_FRACTION = 0.5           # a run may need at most this share of the machine's physical memory
FALLBACK_MEMORY = 8 * 2**30     # physical memory assumed where os.sysconf cannot tell
SHAPES = {"spiral": (300, 2, 3), "moons": (300, 2, 2), "circles": (300, 2, 2), "xor": (300, 2, 2),
          "blobs": (300, 2, 3), "digits": (1797, 64, 10)}   # nn.cli.DATASETS: (examples, features, classes)
GRID_ROWS = 200 * 200           # the points plot.decision_regions predicts for a 2-D tensor model
OPTIMIZER_STATE = {"sgd": 0, "momentum": 1, "adam": 2, "rmsprop": 1}   # parameter-sized arrays each keeps
# Measured with tracemalloc (CPython 3.11, nn.scalar.MLP 2-48-48-2, the first fit steps with Adam and L2): about
# 1,550 bytes per parameter (the Value, its gradient, Adam's state, the L2 term's graph) and 980 per parameter
# and example of a batch (its graph, with the previous batch's Values still alive while it is built).
SCALAR_BYTES_PER_PARAMETER, SCALAR_BYTES_PER_PARAMETER_EXAMPLE = 2000, 1100
_INTEGER = re.compile(r"[+-]?[0-9]+")


class Refused(ValueError):
    """A command-line value the run cannot use; the message is the one line shown to the user."""


def shown(text, limit=80):
    """`text` as one printable line: control characters escaped, the middle of a long text elided."""
    s = text if text.isprintable() else repr(text)[1:-1]
    return s if len(s) <= limit else f"{s[:limit - 30]}...{s[-20:]} ({len(text)} characters)"


def integer(low, high):
    """An argparse type: an integer in [low, high], written in ASCII digits."""
    def parse(text):
        s = text.strip()
        if not _INTEGER.fullmatch(s):
            raise argparse.ArgumentTypeError(f"'{shown(text)}' is not an integer")
        if len(s.lstrip("+-").lstrip("0")) > len(str(high)) or not low <= int(s) <= high:   # no int() of 10**5000
            raise argparse.ArgumentTypeError(f"must be an integer from {low} to {high:,}, got {shown(s)}")
        return int(s)
    return parse


def number(low, *, strict=False, below=None):
    """An argparse type: a finite float >= low (> low if strict), < below if given."""
    def parse(text):
        try:
            x = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{shown(text)}' is not a number") from None
        if not math.isfinite(x) or x < low or (strict and x == low) or (below is not None and x >= below):
            rng = f"{'>' if strict else '>='} {low:g}" + (f" and < {below:g}" if below is not None else "")
            raise argparse.ArgumentTypeError(f"must be a finite number {rng}, got {shown(text)}")
        return x
    return parse


def hidden(text):
    """'100,100' -> [100, 100]: the hidden layer widths, each a positive integer, at most MAX_DEPTH of them."""
    parts = [p.strip() for p in text.split(",")]
    if not all(re.fullmatch(r"[0-9]+", p) for p in parts):
        raise argparse.ArgumentTypeError(f"'{shown(text)}' must be comma-separated positive integers, "
                                         "e.g. 100 or 64,32")
    if len(parts) > MAX_DEPTH:
        raise argparse.ArgumentTypeError(f"{len(parts)} hidden layers; at most {MAX_DEPTH} are allowed "
                                         "(a deeper plain MLP does not train)")
    if any(len(p.lstrip("0")) > 18 for p in parts):              # the memory check would refuse it anyway
        raise argparse.ArgumentTypeError(f"'{shown(text)}': a width of more than 18 digits")
    sizes = [int(p) for p in parts]
    if min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"'{shown(text)}': every hidden layer needs at least 1 unit")
    return sizes


def out_text(text):
    """An argparse type for --out: a non-empty path without NUL bytes (the folder is checked in prepare_out)."""
    if text == "":
        raise argparse.ArgumentTypeError("an empty path; name a folder, e.g. --out out")
    if "\0" in text:
        raise argparse.ArgumentTypeError(f"'{shown(text)}' contains a NUL byte, which no path can hold")
    return text


# --- memory --------------------------------------------------------------------------------------------------
def memory_limit():
    """(bytes a run may use, the physical memory it is a share of): MEMORY_FRACTION of os.sysconf's
    physical memory, or of FALLBACK_MEMORY where the OS does not say."""
    try:
        page, pages = os.sysconf("SC_PAGE_SIZE"), os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):             # no sysconf (Windows) or no such name
        page = pages = -1
    total = page * pages if page > 0 and pages > 0 else FALLBACK_MEMORY   # -1: the OS does not know
    return int(total * MEMORY_FRACTION), total


def parameter_count(dims, activation):
    """The learnable scalars of an MLP dims[0] -> ... -> dims[-1], as nn.MLP and nn.scalar.MLP hold them."""
    pieces = 2 if activation == "maxout" else 1                # nn.MLP's Maxout: 2 affine maps per unit
    hidden = sum((a + 1) * b * pieces for a, b in zip(dims[:-2], dims[1:-1]))
    prelu = len(dims) - 2 if activation == "prelu" else 0      # one learned slope per hidden layer
    return hidden + (dims[-2] + 1) * dims[-1] + prelu


def memory_needed(engine, dims, activation, optimizer, dropout, batch, rows, eval_rows):
    """Bytes a run needs, about: the parameters, their gradients and optimizer state, the graph of one batch
    of min(batch, rows) examples, and the largest no-grad forward pass (eval_rows rows: evaluation, plots)."""
    n = parameter_count(dims, activation)
    batch = min(batch, rows)
    if engine == "scalar":                                     # one Python object per number and per op
        return n * SCALAR_BYTES_PER_PARAMETER + batch * n * SCALAR_BYTES_PER_PARAMETER_EXAMPLE
    pieces = 2 if activation == "maxout" else 1
    state = n * (3 + OPTIMIZER_STATE[optimizer])               # value, gradient, a step's temporary, state
    # per example and hidden unit, values and gradients: each piece's pre-activation, the activation (and
    # the max), the dropout mask and output; measured 2.0-2.6 for relu, 4.5-5.0 with dropout, 3.5-4.6 maxout
    per_unit = 2 * pieces + 2 + (2 if dropout else 0)
    graph = batch * (dims[0] + per_unit * sum(dims[1:-1]) + 3 * dims[-1])
    forward = eval_rows * (dims[0] + 3 * pieces * max(dims[1:]))   # one layer's input, output, a temporary
    return 8 * (state + graph + forward)                       # float64


def memory_check(engine, dims, activation, optimizer, dropout, batch, rows, eval_rows):
    """Refused when memory_needed (same arguments) exceeds memory_limit()."""
    need = memory_needed(engine, dims, activation, optimizer, dropout, batch, rows, eval_rows)
    limit, total = memory_limit()
    if need > limit:
        raise Refused(f"--hidden {shown(','.join(map(str, dims[1:-1])))}: this run needs about {size(need)} of "
                      f"memory (parameters, gradients, {optimizer} state, activations), more than the limit "
                      f"of {size(limit)} ({MEMORY_FRACTION:.0%} of this machine's {size(total)}); "
                      "use smaller --hidden widths or fewer layers")


def run_memory_check(args, scalar_rows):
    """memory_check for parsed nn.cli arguments; the scalar engine trains on at most scalar_rows examples."""
    examples, features, classes = SHAPES[args.dataset]
    rows = examples - examples // 5                            # the 80% training split
    rows = min(rows, scalar_rows) if args.engine == "scalar" else rows
    eval_rows = max(rows, GRID_ROWS if features == 2 else 0)   # evaluation, the decision-region grid
    memory_check(args.engine, [features, *args.hidden, classes], args.activation, args.optimizer, args.dropout,
                 args.batch_size, rows, eval_rows)


def size(n):
    """Bytes as text: 1.5 GiB."""
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024


# --- the output folder ---------------------------------------------------------------------------------------
def output_dir(out, names, overwrite=False):
    """`out`, or its first free numbered subfolder run-N when `out` already holds one of `names`."""
    out = Path(out)
    if overwrite or not any((out / n).exists() for n in names):
        return out
    k = 1
    while (out / f"run-{k}").exists():
        k += 1
    return out / f"run-{k}"


def prepare_out(text, names, overwrite=False):
    """(folder, the folders made for it): the folder output_dir picks for --out `text`, created, with a probe
    file written and removed in it. Refused if that cannot be done; then nothing made is left behind."""
    out, made = Path(text), []
    try:
        _refuse_non_folders(text, [*reversed(out.parents), out])
        folder = output_dir(out, names, overwrite)
        _refuse_non_folders(text, [folder])                    # a run-N that is a file
        if overwrite:                                          # what --overwrite replaces must be files
            _refuse_non_files(text, [folder / n for n in names])
        _make_folders(folder, made)
        _probe(folder)
    except OSError as e:
        remove_folders(made)
        raise Refused(f"--out {shown(text)}: {_reason(e)}") from e
    except Refused:
        remove_folders(made)
        raise
    return folder, made


def _reason(e):
    """What an OSError of prepare_out means, in words."""
    if e.errno == errno.ENAMETOOLONG:
        return f"the path is too long for this system ({e.strerror}); use a shorter one"
    where = f" '{shown(str(e.filename))}'" if e.filename else ""
    return f"cannot create or write{where}: {e.strerror or e}"


def remove_folders(made):
    """Remove the folders prepare_out made, deepest first, as long as they are still empty."""
    for folder in reversed(made):
        try:
            folder.rmdir()
        except OSError:                                        # something was written there: keep it
            return


def _refuse_non_folders(text, paths):
    """Refused naming the first of `paths` that exists and is not a folder (or is a dangling link)."""
    for p in paths:
        if os.path.islink(p) and not os.path.exists(p):
            raise Refused(f"--out {shown(text)}: '{shown(str(p))}' is a symbolic link to nothing")
        if os.path.exists(p) and not os.path.isdir(p):
            kind = "a file, not a folder" if os.path.isfile(p) else "not a folder"
            raise Refused(f"--out {shown(text)}: '{shown(str(p))}' is {kind}")


def _refuse_non_files(text, paths):
    """Refused naming the first of `paths` that exists and is not a regular file (--overwrite replaces files)."""
    for p in paths:
        if os.path.lexists(p) and not os.path.isfile(p):
            raise Refused(f"--out {shown(text)}: '{shown(str(p))}' is not a file, so --overwrite cannot "
                          "replace it; move it away or choose another --out")


def _make_folders(folder, made):
    """Create `folder` and its missing parents, appending each one made to `made` (shallowest first)."""
    for p in [*reversed(folder.parents), folder]:
        if p.is_dir():
            continue
        try:
            p.mkdir()
        except FileExistsError:
            if p.is_dir():                                     # made by someone else meanwhile
                continue
            raise
        made.append(p)


def _probe(folder):
    """Create and remove a file in `folder`: its name is longer than any output file's, so they fit too."""
    fd, name = tempfile.mkstemp(dir=folder, prefix=".graphgrad-probe-")
    os.close(fd)
    os.unlink(name)
