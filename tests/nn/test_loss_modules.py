"""Loss modules (nn.CrossEntropyLoss, ...): the same numbers as their nn.F functions and as torch.nn's modules
with the same constructor arguments; options are not parameters."""
import numpy as np
import pytest

import nn
from autograd import Tensor, Value
from nn import F

RNG = np.random.default_rng(5)
X = RNG.standard_normal((5, 3))
Y = np.array([2, 0, 1, 1, -100])
Y01 = RNG.choice([0.0, 1.0], (5, 3))
W = np.array([0.5, 2.0, 1.0])
W_POS = W[::-1].copy()

MODULES = {   # name: (module, the nn.F call it stands for, torch's module (or None), target)
    "CrossEntropyLoss": (lambda m: m.CrossEntropyLoss(weight=W, label_smoothing=0.1, reduction="sum"),
                         lambda x: F.cross_entropy(x, Y, "sum", weight=W, label_smoothing=0.1), Y),
    "NLLLoss": (lambda m: m.NLLLoss(weight=W, ignore_index=1),
                lambda x: F.nll_loss(x, Y[:4].clip(0), weight=W, ignore_index=1), Y[:4].clip(0)),
    "MSELoss": (lambda m: m.MSELoss(reduction="none"), lambda x: F.mse_loss(x, Y01, "none"), Y01),
    "L1Loss": (lambda m: m.L1Loss(), lambda x: F.l1_loss(x, Y01), Y01),
    "BCEWithLogitsLoss": (lambda m: m.BCEWithLogitsLoss(weight=W, pos_weight=W_POS),
                          lambda x: F.binary_cross_entropy_with_logits(x, Y01, weight=W, pos_weight=W_POS), Y01),
    "MultiMarginLoss": (lambda m: m.MultiMarginLoss(p=2, margin=0.7, weight=W),
                        lambda x: F.multi_margin_loss(x, Y[:4].clip(0), 2, 0.7, W), Y[:4].clip(0)),
}


def _input(target):
    return X[:len(target)]


@pytest.mark.parametrize("make, call, target", MODULES.values(), ids=list(MODULES))
def test_module_equals_its_function(make, call, target):
    x = Tensor(_input(target))
    np.testing.assert_array_equal(make(nn)(x, target).data, call(x).data)


@pytest.mark.parametrize("make, call, target", MODULES.values(), ids=list(MODULES))
def test_module_matches_torch(make, call, target):
    torch = pytest.importorskip("torch")

    class TorchNN:                                    # torch.nn with numpy arguments turned into tensors
        def __getattr__(self, name):
            cls = getattr(torch.nn, name)
            return lambda **k: cls(**{n: torch.tensor(v) if isinstance(v, np.ndarray) else v for n, v in k.items()})
    x = _input(target)
    t = Tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    ours, theirs = make(nn)(t, target), make(TorchNN())(xt, torch.tensor(target))
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)
    ours.sum().backward() if ours.ndim else ours.backward()
    theirs.sum().backward()
    np.testing.assert_allclose(t.grad, xt.grad.numpy(), rtol=1e-11, atol=1e-15)


def test_hinge_loss_module_and_values():
    loss = nn.HingeLoss()
    scores = [Value(0.5), Value(-2.0)]
    out = loss(scores, [1, -1])
    assert out.data == pytest.approx(0.25)             # (0.5 + 0) / 2
    assert repr(loss) == "HingeLoss(reduction='mean')"


def test_options_are_not_parameters_or_state():
    class Model(nn.Module):
        def __init__(self):
            self.lin = nn.Linear(3, 3, rng=0)
            self.loss = nn.CrossEntropyLoss(weight=Tensor(W))

        def forward(self, x):
            return self.lin(x)
    m = Model()
    assert [n for n, _ in m.named_parameters()] == ["lin.W", "lin.b"] and list(m.state_dict()) == ["lin.W", "lin.b"]
    assert isinstance(m.loss.weight, np.ndarray)
    assert np.isfinite(m.loss(m(Tensor(X)), Y).item())


@pytest.mark.parametrize("call, match", [
    (lambda: nn.MSELoss(reduction="avg"), r"MSELoss: reduction must be one of \('mean', 'sum', 'none'\)"),
    (lambda: nn.CrossEntropyLoss(reduction=None), "CrossEntropyLoss: reduction must be one of"),
    (lambda: nn.CrossEntropyLoss(label_smoothing=2.0)(Tensor(X), Y), "label_smoothing must be a number in"),
])
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()
