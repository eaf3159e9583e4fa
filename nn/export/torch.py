"""nn <-> PyTorch for MLP-shaped models: `to_torch(model)` and `from_torch(module)`.

graphgrad's Linear keeps W as (in, out), so a batch is x @ W + b; torch.nn.Linear keeps weight as (out, in) and
computes x @ weight.T + bias: weight = W.T, both ways. Activation modules are matched by class name through
nn.activations.REGISTRY (graphgrad names its classes as torch.nn does), with the constructor arguments both spell
alike (`_ARGS`). Maxout has no torch.nn twin: `Maxout` below is one. PReLU with one slope per unit is `PReLU`
below: torch.nn.PReLU puts the units on dim 1, graphgrad on the last axis (the same for (batch, features)).
"""
from __future__ import annotations

import itertools
from typing import Any

import numpy as np

try:
    import torch
except ImportError as e:                                # torch is an optional dependency
    raise ImportError("nn.to_torch and nn.from_torch need PyTorch: pip install 'graphgrad[torch]' "
                      "(it pins torch==2.13.0)") from e

from autograd import Tensor

from .. import activations
from ..layers import MLP as _MLP
from ..layers import Dropout as _Dropout
from ..layers import Linear as _Linear
from ..layers import Maxout as _Maxout
from ..layers import Sequential as _Sequential
from ..module import Module

_ARGS = {"LeakyReLU": ("negative_slope",), "GELU": ("approximate",), "Softplus": ("beta", "threshold"),
         "ELU": ("alpha",), "CELU": ("alpha",), "Hardtanh": ("min_val", "max_val")}
_OURS = {a.module.__name__: a.module for a in activations.REGISTRY.values() if a.module is not activations.PReLU}
_NAMES = {a.module: name for name, a in activations.REGISTRY.items() if name != "maxout"}   # Identity: "identity"


class Maxout(torch.nn.Module):
    """graphgrad's nn.Maxout in PyTorch: max over `pieces` affine maps per unit, one Linear (in, out * pieces)."""

    def __init__(self, in_features, out_features, pieces=2, bias=True, dtype=None):
        super().__init__()
        self.out_features, self.pieces = out_features, pieces
        self.linear = torch.nn.Linear(in_features, out_features * pieces, bias, dtype=dtype)

    def forward(self, x):
        z = self.linear(x)                              # column o * pieces + k: unit o, piece k
        return z.unflatten(-1, (self.out_features, self.pieces)).amax(-1)    # amax: ties share the gradient


class PReLU(torch.nn.PReLU):
    """torch.nn.PReLU whose slopes run along the last axis, as graphgrad's (torch.nn.PReLU's run along dim 1)."""

    def forward(self, x):
        if self.num_parameters == 1 or x.dim() == 2:
            return super().forward(x)
        if x.dim() == 1:
            return super().forward(x.unsqueeze(0)).squeeze(0)
        return super().forward(x.movedim(-1, 1)).movedim(1, -1)


# --- graphgrad -> torch -------------------------------------------------------------------------------
def to_torch(model: Module) -> Any:
    """An equivalent torch.nn.Module: same weights (Linear's transposed), dtype, train/eval mode and frozen flags."""
    if not isinstance(model, Module):
        raise TypeError(f"to_torch: expects an nn.Module, got a {type(model).__name__}")
    if model.is_scalar:
        if not hasattr(model, "to_tensor"):
            raise TypeError(f"to_torch: {type(model).__name__} is a scalar module; only nn.scalar.MLP converts "
                            "(through its .to_tensor()); wrap the layers in an nn.scalar.MLP or use nn.MLP")
        model = model.to_tensor()
    return _to(model, "")


def _to(m, where):
    """The torch twin of module m (its dotted name `where`, for errors), with m's training flag."""
    kind = type(m)
    if kind is _MLP:
        out = torch.nn.Sequential(*(_to(part, name) for name, part in _mlp_parts(m)))
    elif kind is _Sequential:
        out = torch.nn.Sequential(*(_to(part, f"{where}{i}.") for i, part in enumerate(m)))
    elif kind is _Linear:
        out = _linear(m.W, m.b)
    elif kind is _Maxout:
        out = Maxout(m.in_features, m.out_features, m.pieces, m.b is not None, _torch_dtype(m.W))
        _fill(out.linear, m.W, m.b)
    elif kind is _Dropout:
        out = torch.nn.Dropout(m.p)
    elif kind is activations.PReLU:
        n = m.alpha.shape[0]
        out = (torch.nn.PReLU if n == 1 else PReLU)(n, dtype=_torch_dtype(m.alpha))
        _copy(out.weight, m.alpha.data, m.alpha.requires_grad)
    elif kind is activations.Softmax:
        out = torch.nn.Softmax(dim=m.axis)
    elif _OURS.get(kind.__name__) is kind:
        out = getattr(torch.nn, kind.__name__)(**{k: getattr(m, k) for k in _ARGS.get(kind.__name__, ())})
    else:
        raise TypeError(f"to_torch: cannot convert {where.rstrip('.') or 'the model'} ({kind.__name__}): only "
                        f"nn.MLP, nn.Sequential, nn.Linear, nn.Maxout, nn.Dropout, nn.PReLU, nn.Softmax and the "
                        f"activation modules {sorted(_OURS)} have a known PyTorch twin; a custom module's forward "
                        "could do anything, so convert it by hand")
    out.training = m.training
    return out


def _mlp_parts(m):
    """(name, module) in the order nn.MLP applies them: layer, activation, dropout, ..., last layer."""
    for i, (layer, act) in enumerate(zip(m.layers, m.acts)):
        yield f"layers.{i}.", layer
        yield f"acts.{i}.", act
        if m.dropout is not None:
            yield "dropout.", m.dropout
    yield f"layers.{len(m.layers) - 1}.", m.layers[-1]


def _torch_dtype(t):
    return torch.from_numpy(np.empty(0, t.dtype)).dtype


def _linear(W, b):
    lin = torch.nn.Linear(W.shape[0], W.shape[1], bias=b is not None, dtype=_torch_dtype(W))
    _fill(lin, W, b)
    return lin


def _fill(lin, W, b):
    """Copy graphgrad's W (in, out) and b into a torch.nn.Linear: weight = W.T, (out, in)."""
    _copy(lin.weight, W.data.T, W.requires_grad)
    if b is not None:
        _copy(lin.bias, b.data, b.requires_grad)


def _copy(param, arr, requires_grad):
    with torch.no_grad():
        param.copy_(torch.from_numpy(np.ascontiguousarray(arr)))
    param.requires_grad_(requires_grad)


# --- torch -> graphgrad -------------------------------------------------------------------------------
def from_torch(module: Any) -> Module:
    """An nn.MLP when `module`'s layers read Linear, activation, [Dropout], ..., Linear (one activation kind),
    else an nn.Sequential of the converted layers; anything but Linear / activations / Dropout is refused."""
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"from_torch: expects a torch.nn.Module, got a {type(module).__name__}")
    if _known(module) or not list(module.children()):
        return _from(module, "")
    leaves, plain = _leaves(module)
    ours = [_from(m, where) for where, m in leaves]
    model = _as_mlp(ours) or _Sequential(*ours)
    model.training = module.training
    if not plain:                                       # a custom container: is its forward really "in order"?
        _check_in_order(module, model, ours)
    return model


def _leaves(module):
    """([(dotted name, leaf module)] in order, whether every container on the way is a torch.nn.Sequential)."""
    leaves, plain, stack = [], True, [("", module)]
    while stack:
        where, m = stack.pop()
        children = list(m.named_children())
        if _known(m) or not children:
            leaves.append((where, m))
            continue
        own = [n for n, _ in m.named_parameters(recurse=False)] + [n for n, _ in m.named_buffers(recurse=False)]
        if own:
            raise TypeError(f"from_torch: {where or 'the module'} ({type(m).__name__}) holds tensors of its own "
                            f"({', '.join(own)}) that its forward uses in a way only its code knows; only "
                            "Sequential-shaped models of Linear / activations / Dropout convert")
        plain = plain and type(m) in (torch.nn.Sequential, torch.nn.ModuleList)
        stack.extend((f"{where}{name}.", c) for name, c in reversed(children))
    return leaves, plain


def _known(m):
    kind = type(m)
    return kind in (torch.nn.Linear, Maxout, torch.nn.PReLU, PReLU, torch.nn.Dropout, torch.nn.Softmax) or (
        kind.__name__ in _OURS and getattr(torch.nn, kind.__name__, None) is kind)


def _from(m, where):
    """graphgrad's twin of the torch leaf module m, with m's training flag."""
    kind = type(m)
    if kind is torch.nn.Linear:
        out = _Linear(m.in_features, m.out_features, m.bias is not None, init="zeros", dtype=_np_dtype(m.weight, where))
        _load(out, W=m.weight.T, b=m.bias)
    elif kind is Maxout:
        lin = m.linear
        out = _Maxout(lin.in_features, m.out_features, m.pieces, lin.bias is not None, init="zeros",
                      dtype=_np_dtype(lin.weight, where))
        _load(out, W=lin.weight.T, b=lin.bias)
    elif kind in (torch.nn.PReLU, PReLU):
        out = activations.PReLU(m.num_parameters, dtype=_np_dtype(m.weight, where))
        _load(out, alpha=m.weight)
    elif kind is torch.nn.Dropout:
        out = _Dropout(m.p)
    elif kind is torch.nn.Softmax:
        if m.dim is None:
            raise ValueError(f"from_torch: {where.rstrip('.') or 'the module'} is torch.nn.Softmax(dim=None), whose "
                             "axis depends on the input's rank; give it a dim (dim=-1 for (batch, classes))")
        out = activations.Softmax(axis=m.dim)
    elif _known(m):
        out = _OURS[kind.__name__](**{k: getattr(m, k) for k in _ARGS.get(kind.__name__, ())})
    else:
        raise TypeError(f"from_torch: unsupported module {where.rstrip('.') or 'the model'} ({kind.__module__}."
                        f"{kind.__qualname__}); supported: torch.nn.Linear, torch.nn.Dropout, torch.nn.PReLU, "
                        f"torch.nn.Softmax, the activations {sorted(_OURS)} and nn.export.torch.Maxout, in "
                        "torch.nn.Sequential (or a module whose children run in order); convert the rest by hand")
    out.training = m.training
    return out


def _np_dtype(weight, where):
    if weight.dtype not in (torch.float32, torch.float64):
        raise TypeError(f"from_torch: {where.rstrip('.')} has {weight.dtype} weights; graphgrad keeps float32 or "
                        "float64: convert first (module.double() or module.float())")
    return np.float64 if weight.dtype == torch.float64 else np.float32


def _load(module, **tensors):
    """Copy torch tensors into module's parameters by name (load_state_dict checks shapes and dtypes), keeping
    their requires_grad: W = weight.T, graphgrad's (in, out)."""
    tensors = {k: t for k, t in tensors.items() if t is not None}
    module.load_state_dict({k: t.detach().cpu().numpy() for k, t in tensors.items()})
    for name, p in module.named_state():
        p.requires_grad_(tensors[name].requires_grad)


def _as_mlp(mods):
    """An nn.MLP holding these converted modules' weights when they read layer, activation, [Dropout], ...,
    Linear with one activation of default arguments (but leaky_relu's slope); else None."""
    stride = 3 if len(mods) > 2 and type(mods[2]) is _Dropout else 2
    layers, acts, drops = mods[::stride], mods[1::stride], mods[2::stride] if stride == 3 else []
    if not mods or len(mods) % stride != 1 or type(layers[-1]) is not _Linear:
        return None
    kinds = {type(m) for m in layers[:-1]}
    maxout = kinds == {_Maxout}
    if not (maxout or kinds <= {_Linear}) or any(type(d) is not _Dropout or d.p != drops[0].p for d in drops):
        return None
    slope = getattr(acts[0], "negative_slope", 0.01) if acts else 0.01
    name = "maxout" if maxout else _NAMES.get(type(acts[0])) if acts else "identity"
    dtype, bias = layers[0].W.dtype, layers[0].b is not None
    if name is None or any(m.W.dtype != dtype or (m.b is not None) != bias for m in layers):
        return None
    pieces = layers[0].pieces if maxout else 2
    if any(repr(a) != repr(activations.module(name, slope, dtype)) for a in acts) or (
            maxout and any(m.pieces != pieces for m in layers[:-1])):
        return None
    if any(a.out_features != b.in_features for a, b in itertools.pairwise(layers)):
        return None
    mlp = _MLP(layers[0].in_features, [m.out_features for m in layers], name, drops[0].p if drops else 0.0, bias,
               init="zeros", dtype=dtype, negative_slope=slope, pieces=pieces)
    for dst, src in zip(mlp.layers + mlp.acts + ([mlp.dropout] if drops else []), layers + acts + drops[:1]):
        dst.load_state_dict(src.state_dict())
        for (_, p), (_, q) in zip(dst.named_state(), src.named_state()):
            p.requires_grad_(q.requires_grad)
        dst.training = src.training
    return mlp


def _check_in_order(module, model, ours):
    """Refuse a custom container whose forward is not its children applied in order (a residual, a branch ...)."""
    first = next((m for m in ours if isinstance(m, (_Linear, _Maxout))), None)
    width = first.in_features if first is not None else 3
    dtype = first.W.dtype if first is not None else np.float64
    x = np.random.default_rng(0).standard_normal((5, width)).astype(dtype)
    flags = [(m, m.training) for m in module.modules()]
    try:
        module.eval()
        with torch.no_grad():
            want = module(torch.from_numpy(x)).cpu().numpy()
        with model.training_mode(False):
            got = model(Tensor(x)).data
    except Exception as e:                              # any failure means "not in order"
        raise ValueError(f"from_torch: {type(module).__name__} is not a plain chain of its children: running it "
                         f"and its chain on a (5, {width}) batch failed ({e}); only Sequential-shaped models "
                         "convert") from e
    finally:
        for m, flag in flags:
            m.training = flag
    tol = 1e-10 if dtype == np.float64 else 1e-4
    if want.shape != got.shape or not np.allclose(got, want, rtol=tol, atol=tol):
        raise ValueError(f"from_torch: {type(module).__name__}'s forward is not its children applied in order "
                         "(on a random batch the two disagree); only Sequential-shaped models of Linear / "
                         "activations / Dropout convert: write the graphgrad model by hand")
