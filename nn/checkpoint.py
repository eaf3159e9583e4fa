"""Checkpoints: all a training run needs to go on bit for bit, in one .npz that loading never unpickles.

    nn.save_checkpoint("run.npz", model=model, optimizer=opt, scheduler=sched, loader=loader, epoch=epoch)
    # later, maybe in a new process: build the same objects, then
    extra = nn.load_checkpoint("run.npz", model, opt, sched, loader)      # {"epoch": epoch}

The file is an nn.save file: the model's arrays under their names (nn.load(path, model, strict=False) reads the
weights alone), and one UTF-8 JSON text, the entry `__checkpoint__` (a uint8 array), holding the rest: the
optimizer's and scheduler's state_dicts, the loader's, the random generators' states (the global generator's and
that of every module keeping its own as `.rng`, such as an nn.Dropout built with rng=) and the extras. Their numpy
arrays are entries of their own (`__checkpoint__.optimizer.0`, ...). In the JSON a dict is {"dict": [[key, value],
...]} (a key keeps its type, str or int), a tuple {"tuple": [...]}, an array {"array": entry}, a numpy scalar
{"scalar": entry}: no other JSON object occurs, so no user data can pass for one of these.

Loading reads the text (at most MAX_TEXT bytes, nested at most MAX_DEPTH deep) and every entry's header before any
array: the model's entries must have its names, shapes and dtypes, an optimizer buffer its parameter's shape and
dtype (at most MAX_BUFFERS per parameter), and every other array together at most max_bytes. Then the optimizer,
scheduler and loader load (those loaded are put back if a later one refuses), then the weights and the generators:
a checkpoint that does not fit changes nothing.
"""
import json
import os

import numpy as np

import autograd
from autograd.fileio import write_file

from . import serialization
from .checkpoint_codec import PREFIX, Decoder, Encoder, resolve
from .data.datasets import DataLoader, checked_generator_state
from .module import Module, StateDictKeyError, shape_and_dtype
from .optim import LRScheduler, Optimizer

FORMAT, VERSION = "graphgrad checkpoint", 1
MAX_TEXT = 4 * 1024 ** 2                    # bytes of JSON text: parsed, it takes up to ~40x that in Python objects
_SECTIONS = {"optimizer": Optimizer, "scheduler": LRScheduler, "loader": DataLoader}
_ALWAYS = ("format", "version", "model", "rng", "generators", "extra")


def save_checkpoint(path, *, model, optimizer=None, scheduler=None, loader=None, overwrite=False, **extra):
    """Write the model, optimizer, scheduler and loader states, the random generators' and `extra` (numbers, strings,
    arrays, lists/dicts of them) to `path` as .npz, atomically; an existing file is kept unless overwrite=True."""
    targets = _checked_targets("save_checkpoint", model, optimizer=optimizer, scheduler=scheduler, loader=loader)
    arrays = model.state_dict()
    taken = [n for n in arrays if n == PREFIX or n.startswith(PREFIX + ".") or n in (serialization.MARKER, "file",
                                                                                      "allow_pickle")]
    if taken:
        raise ValueError(f"save_checkpoint: the model has a parameter named {taken[0]!r}, a name the checkpoint "
                         f"format reserves; rename that attribute")
    out = Encoder()
    manifest = {"format": FORMAT, "version": VERSION, "model": type(model).__name__,
                "rng": out.encode(autograd.get_rng_state(), "rng"),
                "generators": out.encode({n: g.bit_generator.state for n, g in _generators(model).items()},
                                         "generators")}
    for section, obj in targets.items():
        manifest[section] = {"class": type(obj).__name__, "state": out.encode(obj.state_dict(), section)}
    manifest["extra"] = out.encode(extra, "extra")
    arrays.update(out.arrays)
    arrays[PREFIX] = np.frombuffer(_dumps(manifest), np.uint8)
    arrays[serialization.MARKER] = np.array(serialization.VERSION)
    write_file(path, lambda fh: np.savez(fh, **arrays), overwrite=overwrite, who="save_checkpoint")


def load_checkpoint(path, model, optimizer=None, scheduler=None, loader=None, *, strict=True,
                    max_bytes=serialization.MAX_BYTES):
    """Restore a save_checkpoint file into these objects and the global generator; returns the extras as a dict.

    Everything is checked before anything changes. strict=False loads only the model keys both have and leaves
    alone what the file holds for objects not passed; an object passed whose state the file lacks is an error."""
    path = os.fspath(path)
    targets = _checked_targets("load_checkpoint", model, optimizer=optimizer, scheduler=scheduler, loader=loader)
    with serialization.Archive(path) as f:
        manifest = _manifest(f)
        weights = _model_arrays(f, model, strict)
        data = Decoder(f)
        decoded = {key: data.decode(manifest[key], (key,)) for key in _ALWAYS[3:]}
        states = {s: data.decode(manifest[s]["state"], (s,)) for s in _SECTIONS if s in manifest}
        data.check_all_used()
        if type(decoded["extra"]) is not dict or not all(type(k) is str for k in decoded["extra"]):
            raise ValueError(f"load_checkpoint {path!r}: its extras are {str(decoded['extra'])[:80]}, not a dict of "
                             f"named entries")
        states = {s: states[s] for s in _wanted(path, manifest, targets, strict)}
        arrays = data.read({*_ALWAYS[3:], *states}, optimizer, states.get("optimizer"), max_bytes)
    decoded, states = resolve(decoded, arrays), resolve(states, arrays)
    where = f"load_checkpoint {path!r}"
    rng = checked_generator_state(autograd.default_rng(), decoded["rng"], f"{where}: the global generator")
    gens = _checked_generators(where, model, decoded["generators"], strict)
    _load_in_turn(where, [(targets[s], states[s]) for s in _SECTIONS if s in targets])
    model.load_state_dict(weights, strict=strict)             # checked against the model before it was read
    for g, state in gens:
        g.bit_generator.state = state
    autograd.set_rng_state(rng)
    return decoded["extra"]


def _checked_targets(where, model, **objects):
    """{section: object} of the objects given, each of the type its argument needs."""
    if not isinstance(model, Module):
        raise TypeError(f"{where}: model must be an nn.Module, got {type(model).__name__}")
    for section, obj in objects.items():
        if obj is not None and not isinstance(obj, _SECTIONS[section]):
            raise TypeError(f"{where}: {section} must be an {_SECTIONS[section].__module__}."
                            f"{_SECTIONS[section].__name__}, got {type(obj).__name__}")
    return {s: obj for s, obj in objects.items() if obj is not None}


def _generators(model):
    """{module name: Generator} of the modules keeping a generator of their own as `rng` (nn.Dropout(rng=...))."""
    return {name: m.rng for name, m in model.named_modules() if isinstance(getattr(m, "rng", None),
                                                                            np.random.Generator)}


def _dumps(manifest):
    """The manifest as ASCII JSON text (floats exact: repr round-trips, nan and inf as NaN and Infinity)."""
    try:
        text = json.dumps(manifest, separators=(",", ":")).encode("ascii")
    except ValueError as e:                                    # an int of more than 4300 digits
        raise ValueError(f"save_checkpoint: cannot write the checkpoint's JSON text: {e}") from e
    if len(text) > MAX_TEXT:
        raise ValueError(f"save_checkpoint: the checkpoint's JSON text would take {len(text)} bytes, more than the "
                         f"{MAX_TEXT} load_checkpoint reads; keep long lists of numbers as numpy arrays "
                         f"(np.array(losses)), which are stored as arrays")
    return text


def _manifest(f):
    """The checkpoint's JSON, its size and shape checked before it is read, its top level checked after."""
    where = f"load_checkpoint {f.path!r}"
    if PREFIX not in f.names():
        raise ValueError(f"{where}: the file is a graphgrad .npz but not a checkpoint (no {PREFIX!r} entry; it was "
                         f"written by nn.save or model.save?); load it with nn.load(path, model)")
    shape, dtype = f.header(PREFIX)
    if len(shape) != 1 or dtype != np.uint8 or shape[0] > MAX_TEXT:
        raise ValueError(f"{where}: its {PREFIX!r} entry declares shape {shape} of {dtype}; a checkpoint's JSON "
                         f"text is a 1-d uint8 array of at most {MAX_TEXT} bytes")
    try:
        manifest = json.loads(f.read(PREFIX).tobytes().decode("utf-8"), object_pairs_hook=_unique)
    except (ValueError, RecursionError) as e:           # bad UTF-8 or JSON, a duplicate key, too deep for the parser
        raise ValueError(f"{where}: its JSON text is malformed: {type(e).__name__}: {str(e)[:200]}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError(f"{where}: its JSON text is not a graphgrad checkpoint's (no \"format\": {FORMAT!r})")
    version = manifest.get("version")
    if type(version) is not int or not 1 <= version <= VERSION:
        raise ValueError(f"{where}: checkpoint format version {version!r}; this graphgrad reads 1..{VERSION}")
    missing = [k for k in _ALWAYS if k not in manifest]
    unknown = [k for k in manifest if k not in _ALWAYS and k not in _SECTIONS]
    bad = [s for s in _SECTIONS if s in manifest and not (isinstance(manifest[s], dict) and set(manifest[s]) ==
                                                          {"class", "state"} and type(manifest[s]["class"]) is str)]
    if missing or unknown or bad:
        raise ValueError(f"{where}: its JSON text lacks {missing}, or has unknown keys {unknown}, or malformed "
                         f"sections {bad}")
    return manifest


def _unique(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError(f"a JSON object repeats a key among {keys[:8]}")
    return dict(pairs)


def _model_arrays(f, model, strict):
    """{name: array} of the model's entries, after checking names, shapes and dtypes against the model."""
    expected = {name: shape_and_dtype(p) for name, p in model.named_state()}
    names = [n for n in f.names() if n != PREFIX and not n.startswith(PREFIX + ".")]
    missing = [k for k in expected if k not in names]
    unexpected = [k for k in names if k not in expected]
    if strict and (missing or unexpected):
        parts = ([f"missing keys {missing}"] if missing else []) + ([f"unexpected keys {unexpected}"]
                                                                    if unexpected else [])
        raise StateDictKeyError(f"load_checkpoint {f.path!r}: the file does not fit the {type(model).__name__}: " +
                                " and ".join(parts) + "; pass strict=False to load only the keys both have.")
    wanted = [k for k in expected if k in names]
    for name in wanted:
        f.expect(name, *expected[name])
    return {name: f.read(name) for name in wanted}


def _wanted(path, manifest, targets, strict):
    """The sections to load: those with an object given; an object without saved state, or of another class, or
    (strict) saved state without an object, is an error."""
    where = f"load_checkpoint {path!r}"
    for section in _SECTIONS:
        saved, obj = manifest.get(section), targets.get(section)
        if obj is not None and saved is None:
            raise ValueError(f"{where}: the checkpoint holds no {section} state (it was saved without {section}=)")
        if obj is not None and saved["class"] != type(obj).__name__:
            raise ValueError(f"{where}: the checkpoint holds a {saved['class']}'s state but {section} is a "
                             f"{type(obj).__name__}; build the same kind of {section} as the saved one")
        if obj is None and saved is not None and strict:
            raise ValueError(f"{where}: the checkpoint holds a {saved['class']}'s state; pass {section}= to restore "
                             f"it, or strict=False to leave it unread")
    return [s for s in _SECTIONS if s in targets]


def _checked_generators(where, model, saved, strict):
    """[(generator, checked state)] for the model's own generators, or an error when they do not fit the file's."""
    ours = _generators(model)
    if type(saved) is not dict or not all(type(k) is str for k in saved):
        raise ValueError(f"{where}: its generators are {str(saved)[:80]}, not a dict of module names")
    if set(saved) != set(ours) and strict:
        raise ValueError(f"{where}: the checkpoint holds the generators of modules {sorted(saved)} but this "
                         f"{type(model).__name__} has its own in {sorted(ours)} (modules built with rng= keep their "
                         f"own); build it the same way, or pass strict=False to restore those both have")
    return [(g, checked_generator_state(g, saved[name], f"{where}: the generator of module {name!r}"))
            for name, g in ours.items() if name in saved]


def _load_in_turn(where, steps):
    """target.load_state_dict(state) in turn; if one refuses, those already loaded get their old state back."""
    done = []
    try:
        for target, state in steps:
            undo = target.state_dict()
            target.load_state_dict(state)
            done.append((target, undo))
    except BaseException as e:
        for target, undo in reversed(done):
            target.load_state_dict(undo)
        if type(e) in (KeyError, ValueError, TypeError, StateDictKeyError):
            raise type(e)(f"{where}: {e}") from e
        raise

