"""PyTorch's "Learning PyTorch with Examples" polynomial fit (tensors and autograd), ported by changing only its
import line and its device/dtype lines: the script below is the tutorial's, otherwise verbatim.

The port is run as written (its prints captured); the test checks what the tutorial shows: the loss falls to a
few units and the cubic approaches sin(x) on [-pi, pi]. With torch installed, the same script runs on torch from
the same initial weights and both must print the same losses.
"""
import math
import re

import numpy as np
import pytest

TUTORIAL = '''
# -*- coding: utf-8 -*-
import autograd as torch
import math

dtype = torch.float32
device = "cpu"
# device = torch.device("cuda:0")  # Uncomment this to run on GPU

# Create Tensors to hold input and outputs.
# By default, requires_grad=False, which indicates that we do not need to
# compute gradients with respect to these Tensors during the backward pass.
x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)

# Create random Tensors for weights. For a third order polynomial, we need
# 4 weights: y = a + b x + c x^2 + d x^3
# Setting requires_grad=True indicates that we want to compute gradients with
# respect to these Tensors during the backward pass.
a = torch.randn((), device=device, dtype=dtype, requires_grad=True)
b = torch.randn((), device=device, dtype=dtype, requires_grad=True)
c = torch.randn((), device=device, dtype=dtype, requires_grad=True)
d = torch.randn((), device=device, dtype=dtype, requires_grad=True)

learning_rate = 1e-6
for t in range(2000):
    # Forward pass: compute predicted y using operations on Tensors.
    y_pred = a + b * x + c * x ** 2 + d * x ** 3

    # Compute and print loss using operations on Tensors.
    # Now loss is a Tensor of shape (1,)
    # loss.item() gets the scalar value held in the loss.
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())

    # Use autograd to compute the backward pass. This call will compute the
    # gradient of loss with respect to all Tensors with requires_grad=True.
    # After this call a.grad, b.grad. c.grad and d.grad will be Tensors holding
    # the gradient of the loss with respect to a, b, c, d respectively.
    loss.backward()

    # Manually update weights using gradient descent. Wrap in torch.no_grad()
    # because weights have requires_grad=True, but we don't need to track this
    # in autograd.
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad

        # Manually zero the gradients after updating weights
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f'Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3')
'''
CHANGED = {"import autograd as torch": "import torch", 'dtype = torch.float32': "dtype = torch.float",
           'device = "cpu"': 'device = torch.device("cpu")'}


def run(source, capsys, seed):
    """Run the script (seeding the library it imports first); its printed losses and the final coefficients."""
    lib = __import__(re.search(r"^import (\w+)", source.strip().split("\n", 2)[1]).group(1))
    lib.manual_seed(seed)
    namespace = {}
    exec(compile(source, "tutorial.py", "exec"), namespace)
    out = capsys.readouterr().out
    losses = [float(line.split()[1]) for line in out.splitlines() if re.match(r"^\d+ ", line)]
    return losses, [namespace[k].item() for k in "abcd"]


def test_only_the_import_device_and_dtype_lines_differ_from_the_tutorial():
    ported = TUTORIAL.strip().splitlines()
    original = [CHANGED.get(line, line) for line in ported]
    assert sum(a != b for a, b in zip(ported, original)) == 3      # exactly the three lines


def test_the_port_fits_the_cubic_as_the_tutorial_shows(capsys):
    losses, (a, b, c, d) = run(TUTORIAL, capsys, seed=0)
    assert len(losses) == 20 and losses[-1] < losses[0] and losses[-1] < 50
    xs = np.linspace(-math.pi, math.pi, 200)
    assert np.max(np.abs(a + b * xs + c * xs ** 2 + d * xs ** 3 - np.sin(xs))) < 0.5


def test_the_port_prints_what_torch_prints_from_the_same_start(capsys):
    torch = pytest.importorskip("torch")
    source = "\n".join(CHANGED.get(line, line) for line in TUTORIAL.splitlines())
    # torch's randn draws differently: start both from the same weights by patching randn to a fixed sequence
    start = iter([0.3, -0.8, 1.1, -0.4] * 2)
    import autograd
    real = (autograd.randn, torch.randn)
    try:
        autograd.randn = lambda *s, **k: autograd.tensor(next(start), dtype=k.get("dtype"), requires_grad=True)
        torch.randn = lambda *s, **k: torch.tensor(next(start), dtype=k.get("dtype"), requires_grad=True)
        ours, _ = run(TUTORIAL, capsys, seed=0)
        theirs, _ = run(source, capsys, seed=0)
    finally:
        autograd.randn, torch.randn = real
    assert len(ours) == len(theirs) == 20
    np.testing.assert_allclose(ours, theirs, rtol=1e-3)              # float32 on both sides
