"""Loss modules with PyTorch's names and constructor arguments: `nn.CrossEntropyLoss()(logits, targets)`.

Each keeps its options and calls the function of the same loss in nn.functional, which holds the math and
the checks. Class weights are kept as numpy arrays, so they are options, not parameters or saved state.
"""
import numpy as np

from autograd import Tensor

from . import functional as F
from . import lossbase
from .module import Module


class _Loss(Module):
    """Base of the loss modules: the reduction, checked once here and again by the function."""

    def __init__(self, reduction="mean"):
        lossbase.check_reduction(type(self).__name__, reduction)
        self.reduction = reduction

    def extra_repr(self):
        return f"reduction={self.reduction!r}"


def _array(weight):
    """An option array (class weights) as a float64 numpy copy, or None."""
    return None if weight is None else np.array(weight.data if isinstance(weight, Tensor) else weight, np.float64)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy of (batch, classes) logits against class indices or class probabilities
    (F.cross_entropy), with PyTorch's weight, ignore_index, reduction and label_smoothing."""

    def __init__(self, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(reduction)
        self.weight, self.ignore_index, self.label_smoothing = _array(weight), ignore_index, label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, self.reduction, weight=self.weight, ignore_index=self.ignore_index,
                               label_smoothing=self.label_smoothing)


class NLLLoss(_Loss):
    """Negative log-likelihood of (batch, classes) log-probabilities against class indices (F.nll_loss)."""

    def __init__(self, weight=None, ignore_index=-100, reduction="mean"):
        super().__init__(reduction)
        self.weight, self.ignore_index = _array(weight), ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, self.reduction, weight=self.weight, ignore_index=self.ignore_index)


class MSELoss(_Loss):
    """Mean squared error (F.mse_loss)."""

    def forward(self, input, target):
        return F.mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """Mean absolute error (F.l1_loss)."""

    def forward(self, input, target):
        return F.l1_loss(input, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Logistic loss on logits against 0/1 targets (F.binary_cross_entropy_with_logits), with PyTorch's
    weight (per element) and pos_weight (per class, along the last axis)."""

    def __init__(self, weight=None, reduction="mean", pos_weight=None):
        super().__init__(reduction)
        self.weight, self.pos_weight = _array(weight), _array(pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.reduction, weight=self.weight,
                                                  pos_weight=self.pos_weight)


class HingeLoss(_Loss):
    """Binary SVM loss max(0, 1 - y s) for labels y in {-1, +1} (F.hinge_loss). PyTorch has no such module;
    its HingeEmbeddingLoss is a different loss."""

    def forward(self, input, target):
        return F.hinge_loss(input, target, self.reduction)


class MultiMarginLoss(_Loss):
    """PyTorch's multiclass margin loss (F.multi_margin_loss): per row, the margin violations of the wrong
    classes, to the power p, weighted by the target's class weight, divided by the number of classes."""

    def __init__(self, p=1, margin=1.0, weight=None, reduction="mean"):
        super().__init__(reduction)
        self.p, self.margin, self.weight = p, margin, _array(weight)

    def forward(self, input, target):
        return F.multi_margin_loss(input, target, self.p, self.margin, self.weight, self.reduction)
