"""Scalar layers on `Value`, micrograd-style: one Python float per weight, for teaching and cross-checking.

They mirror the tensor layers: `Layer.W` is an (nin, nout) numpy object array of Values and `Layer.b`
an (nout,) one, so `MLP.named_parameters()` yields the same names ('layers.0.W', ...) with the same
shapes as `nn.MLP`, and `load_state_dict` moves weights between the two engines. They take one sample
(a sequence of numbers or Values) and return a list of Values, even for a single output.
"""
import numpy as np

from autograd import Value, default_rng

from . import activations
from . import init as initializers
from .layers import Dropout as _TensorDropout, MLP as _TensorMLP, layer_shapes
from .module import Module, shape_and_dtype


def _grid(arr, label):
    """An object array of fresh leaf Values holding `arr`'s numbers, labelled like 'W[0,1]'."""
    out = np.empty(arr.shape, dtype=object)
    for idx in np.ndindex(arr.shape):
        out[idx] = Value(float(arr[idx]), label=f"{label}[{','.join(map(str, idx))}]")
    return out


def _activation(activation, negative_slope):
    """(name, function) for an elementwise activation a Value supports."""
    name = activations.check_name(activation)
    if not activations.REGISTRY[name].scalar:
        raise ValueError(f"scalar layers support the activations {activations.SCALAR_NAMES}, got {name!r} "
                         f"(Value has no {name}; the tensor nn.MLP has every activation)")
    if name == "leaky_relu":
        return name, lambda v: v.leaky_relu(negative_slope)
    return name, activations.REGISTRY[name].function


def _one_sample(x, nin, module):
    """x as a list of nin numbers or Values, or a ValueError saying what was passed."""
    if isinstance(x, np.ndarray) and x.ndim != 1:
        raise ValueError(f"{module!r}: scalar layers take one sample of {nin} numbers, got an array of shape "
                         f"{x.shape}; loop over the rows of a batch")
    x = list(x)
    if len(x) != nin:
        raise ValueError(f"{module!r}: input has {len(x)} numbers, expected {nin}")
    return x


def _unit(W, b, x, act):
    """act(x[0] W[0] + ... + x[n-1] W[n-1] + b), summed in the order of the tensor x @ W."""
    out = W[0] * x[0]
    for w, xi in zip(W[1:], x[1:]):
        out = out + w * xi
    if b is not None:
        out = out + b
    return act(out)


class Neuron(Module):
    """One unit: act(x[0] W[0] + ... + x[n-1] W[n-1] + b) on Values."""

    def __init__(self, nin, activation="relu", bias=True, init=None, rng=None, negative_slope=0.01):
        name, fn = _activation(activation, negative_slope)
        draw = initializers.get(initializers.for_activation(name) if init is None else init)
        self.W = _grid(draw((nin,), rng=default_rng(rng)), "W")        # (nin,)
        self.b = Value(0.0, label="b") if bias else None
        self.activation, self._act = name, fn

    @classmethod
    def _sharing(cls, W, b, name, fn):
        """A neuron over existing Values (a column of a Layer's grid), so both see the same weights."""
        n = cls.__new__(cls)
        n.W, n.b, n.activation, n._act = W, b, name, fn
        return n

    def forward(self, x):
        return _unit(self.W, self.b, _one_sample(x, len(self.W), self), self._act)

    def extra_repr(self):
        return f"nin={len(self.W)}, activation={self.activation!r}"


class Layer(Module):
    """nout neurons reading the same input; returns a list of nout Values."""

    def __init__(self, nin, nout, activation="relu", bias=True, init=None, rng=None, negative_slope=0.01):
        name, fn = _activation(activation, negative_slope)
        draw = initializers.get(initializers.for_activation(name) if init is None else init)
        self.nin, self.nout, self.activation = nin, nout, name
        self.W = _grid(draw((nin, nout), rng=default_rng(rng)), "W")   # (nin, nout) like Linear
        self.b = _grid(np.zeros(nout), "b") if bias else None
        self._act = fn

    @property
    def neurons(self):
        """The units, each seeing one column of W (the same Value objects); made on each access, so they are
        views of this layer's parameters, never extra state for discovery to find."""
        return [Neuron._sharing(self.W[:, j], self._bias(j), self.activation, self._act) for j in range(self.nout)]

    def _bias(self, j):
        return None if self.b is None else self.b[j]

    def forward(self, x):
        x = _one_sample(x, self.nin, self)
        return [_unit(self.W[:, j], self._bias(j), x, self._act) for j in range(self.nout)]

    def extra_repr(self):
        return f"nin={self.nin}, nout={self.nout}, activation={self.activation!r}"


class Dropout(_TensorDropout):
    """Inverted dropout on a list of Values (identity in eval())."""

    def forward(self, x):
        if not self.training or self.p == 0.0:
            return x
        return [xi * m for xi, m in zip(x, self.mask(len(x)).tolist())]


class MLP(Module):
    """Scalar twin of `nn.MLP`: same arguments, same parameter names, the same weights from the same rng."""

    def __init__(self, nin, sizes, activation="relu", dropout=0.0, bias=True, init=None, rng=None,
                 negative_slope=0.01):
        shapes = layer_shapes(nin, sizes)
        name, _ = _activation(activation, negative_slope)
        self.nin, self.sizes, self.activation, self.bias = nin, [n for _, n, _ in shapes], name, bias
        self.negative_slope = negative_slope
        rng = default_rng(rng)
        init = initializers.for_activation(name) if init is None else init
        self.layers = [Layer(n_in, n_out, name if hidden else "identity", bias, init, rng, negative_slope)
                       for n_in, n_out, hidden in shapes]
        self.dropout = Dropout(dropout, rng) if dropout else None

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = layer(x)
            if self.dropout is not None:
                x = self.dropout(x)
        return self.layers[-1](x)

    @classmethod
    def from_tensor(cls, mlp):
        """A scalar MLP with the architecture and (float64) weights of the tensor `nn.MLP` mlp."""
        p = mlp.dropout.p if mlp.dropout is not None else 0.0
        out = cls(mlp.nin, mlp.sizes, mlp.activation, p, mlp.bias, init="zeros",
                  negative_slope=mlp.negative_slope)
        return copy_weights(mlp, out)

    def to_tensor(self, dtype=np.float64):
        """A tensor `nn.MLP` with this network's architecture and weights (cast to dtype)."""
        p = self.dropout.p if self.dropout is not None else 0.0
        out = _TensorMLP(self.nin, self.sizes, self.activation, p, self.bias, init="zeros", dtype=dtype,
                         negative_slope=self.negative_slope)
        return copy_weights(self, out)


def copy_weights(src, dst):
    """Copy src's parameters into dst by name (tensor <-> scalar), cast to dst's dtypes; returns dst."""
    dtypes = {name: shape_and_dtype(p)[1] for name, p in dst.named_parameters()}
    dst.load_state_dict({k: v.astype(dtypes.get(k, v.dtype)) for k, v in src.state_dict().items()})
    return dst
