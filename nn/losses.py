"""Loss modules with PyTorch's names and constructor arguments: `nn.CrossEntropyLoss()(logits, targets)`.

Each keeps its options and calls the function of the same loss in nn.functional, which holds the math and
the checks. Class weights are kept as numpy arrays, so they are options, not parameters or saved state.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from autograd import Tensor

from . import functional as F
from . import lossbase
from .module import Module

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from autograd.hints import Node, Output


class _Loss(Module):
    """Base of the loss modules: the reduction, checked once here and again by the function."""

    def __init__(self, reduction: str = "mean") -> None:
        lossbase.check_reduction(type(self).__name__, reduction)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


def _array(weight):
    """An option array (class weights) as a float64 numpy copy, or None."""
    return None if weight is None else np.array(weight.data if isinstance(weight, Tensor) else weight, np.float64)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy of (batch, classes) logits against class indices or class probabilities
    (F.cross_entropy), with PyTorch's weight, ignore_index, reduction and label_smoothing."""

    def __init__(self, weight: ArrayLike | None = None, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__(reduction)
        self.weight, self.ignore_index, self.label_smoothing = _array(weight), ignore_index, label_smoothing

    def forward(self, input: Output, target: ArrayLike) -> Node:
        return F.cross_entropy(input, target, self.reduction, weight=self.weight, ignore_index=self.ignore_index,
                               label_smoothing=self.label_smoothing)


class NLLLoss(_Loss):
    """Negative log-likelihood of (batch, classes) log-probabilities against class indices (F.nll_loss)."""

    def __init__(self, weight: ArrayLike | None = None, ignore_index: int = -100, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.weight, self.ignore_index = _array(weight), ignore_index

    def forward(self, input: Output, target: ArrayLike) -> Node:
        return F.nll_loss(input, target, self.reduction, weight=self.weight, ignore_index=self.ignore_index)


class MSELoss(_Loss):
    """Mean squared error (F.mse_loss)."""

    def forward(self, input: Output, target: ArrayLike) -> Node:
        return F.mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """Mean absolute error (F.l1_loss)."""

    def forward(self, input: Output, target: ArrayLike) -> Node:
        return F.l1_loss(input, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Logistic loss on logits against 0/1 targets (F.binary_cross_entropy_with_logits), with PyTorch's
    weight (per element) and pos_weight (per class, along the last axis)."""

    def __init__(self, weight: ArrayLike | None = None, reduction: str = "mean",
                 pos_weight: ArrayLike | None = None) -> None:
        super().__init__(reduction)
        self.weight, self.pos_weight = _array(weight), _array(pos_weight)

    def forward(self, input: Output, target: ArrayLike) -> Node:
        return F.binary_cross_entropy_with_logits(input, target, self.reduction, weight=self.weight,
                                                  pos_weight=self.pos_weight)


class HingeLoss(_Loss):
    """Binary SVM loss max(0, 1 - y s) for labels y in {-1, +1} (F.hinge_loss). PyTorch has no such module;
    its HingeEmbeddingLoss is a different loss."""

    def forward(self, input: Output, target: ArrayLike) -> Node:
        return F.hinge_loss(input, target, self.reduction)


class MultiMarginLoss(_Loss):
    """PyTorch's multiclass margin loss (F.multi_margin_loss): per row, the margin violations of the wrong
    classes, to the power p, weighted by the target's class weight, divided by the number of classes."""

    def __init__(self, p: int = 1, margin: float = 1.0, weight: ArrayLike | None = None,
                 reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.p, self.margin, self.weight = p, margin, _array(weight)

    def forward(self, input: Output, target: ArrayLike) -> Node:
        return F.multi_margin_loss(input, target, self.p, self.margin, self.weight, self.reduction)
