"""Write your own op, check it in one line.

Runs in a few seconds: `python examples/custom_op.py` (needs hypothesis: `pip install -e .[dev]`).
Cells are marked with `# %%`, so it opens as a notebook in Jupyter (jupytext) or VS Code.
"""
# %% [markdown]
# ## 1. A new primitive: softplus(x) = log(1 + e^x)
# `forward` runs on raw data (a numpy array, or a float when called on a `Value`).
# The vjp gets the upstream gradient `g`, the output and the inputs, and returns one gradient per input.
# It is written with operators and `autograd.function` helpers, so it works on raw arrays in an
# ordinary backward and on nodes under `backward(create_graph=True)` (second derivatives).

# %%
import numpy as np

from autograd import Tensor, Value, gradgradcheck, primitive
from autograd.function import sigmoid
from autograd.testing import check_op


@primitive
def softplus(x):
    return np.logaddexp(0.0, x)              # log(1 + e^x) without overflow


@softplus.defvjp
def softplus_vjp(g, out, x):
    return (g * sigmoid(x),)                 # d/dx softplus = sigmoid


x = Tensor([-2.0, 0.0, 3.0], requires_grad=True)
softplus(x).sum().backward()
print("Tensor grad:", x.grad)
v = Value(0.5)
softplus(v).backward()
print("Value grad: ", v.grad)

# %% [markdown]
# ## 2. Check it in one line
# `check_op` draws inputs with hypothesis (0-d, size-1 and broadcasting shapes, on both engines here)
# and checks the gradient against central differences plus the properties every gradient has:
# shape and dtype, linearity in the seed, the adjoint identity, determinism, no mutation, no shared memory.

# %%
check_op(softplus, kind="both", max_examples=50)
print("check_op(softplus): passed")
gradgradcheck(softplus, Tensor(np.linspace(-2, 2, 5), requires_grad=True))
print("gradgradcheck(softplus): passed")

# %% [markdown]
# ## 3. A bug it catches: the gradient off by 0.1%

# %%
buggy = primitive(lambda x: np.logaddexp(0.0, x), vjp=lambda g, out, x: (g * sigmoid(x) * 1.001,), name="buggy")
try:
    check_op(buggy, max_examples=50)
except AssertionError as e:
    print("caught:", str(e).splitlines()[0])

# %% [markdown]
# ## 4. Ops with parameters and several inputs
# Keyword arguments are parameters (not differentiated); `params` draws them. Domains keep inputs where the op
# is smooth: here the divisor stays away from 0.

# %%
scaled_ratio = primitive(lambda a, b, k: k * a / b,
                         vjp=lambda g, out, a, b, k: (g * k / b, -g * out / b))
check_op(scaled_ratio, arity=2, domain=("real", "nonzero"), params={"k": 2.5}, max_examples=50)
print("check_op(scaled_ratio): passed (broadcasting handled by the engine)")
