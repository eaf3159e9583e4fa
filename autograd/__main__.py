"""`python -m autograd`: build a small expression with both node kinds, run backward, print gradients."""
import numpy as np

from autograd import Tensor, Value


def main():
    print("Scalar graph (Value): L = tanh(w1*x1 + w2*x2 + b)")
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2, b = Value(-3.0, "w1"), Value(1.0, "w2"), Value(6.8813735870195432, "b")
    L = (w1 * x1 + w2 * x2 + b).tanh()
    L.backward()
    print(f"  L = {L.data:.6f}")
    for v in (x1, x2, w1, w2, b):
        print(f"  dL/d{v.label:<3}= {v.grad:+.6f}")

    print("\nTensor graph: loss = mean(relu(X @ W + b)), X (4, 3), W (3, 2)")
    rng = np.random.default_rng(0)
    X = Tensor(rng.standard_normal((4, 3)))
    W = Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    bias = Tensor(np.zeros(2), requires_grad=True)
    loss = (X @ W + bias).relu().mean()
    loss.backward()
    print(f"  loss = {loss.item():.6f}")
    print("  dloss/dW =\n    " + np.array2string(W.grad, precision=4, prefix="    "))
    print("  dloss/db = " + np.array2string(bias.grad, precision=4))


if __name__ == "__main__":
    main()
