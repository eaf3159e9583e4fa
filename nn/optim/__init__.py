"""Optimizers and learning-rate schedules with PyTorch's interface: torch.optim's update rules, param groups,
state_dict()/load_state_dict(), and the schedulers of torch.optim.lr_scheduler (also as nn.optim.lr_scheduler).

    opt = nn.optim.SGD([{"params": model.layers[0].parameters(), "lr": 0.1},
                        {"params": model.layers[1].parameters()}], lr=0.01, momentum=0.9)
    sched = nn.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=100)

`opt.lr` (and `opt.momentum`, `opt.betas`, ...) reads the value every group shares and raises if the groups
differ; setting it sets every group's. With one group that is simply the learning rate.
"""
from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam, AdamW
from .rmsprop import RMSprop
from . import lr_scheduler
from .lr_scheduler import (LRScheduler, StepLR, ExponentialLR, CosineAnnealingLR, LambdaLR, OneCycleLR,
                           ReduceLROnPlateau)

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "lr_scheduler", "LRScheduler", "StepLR", "ExponentialLR",
           "CosineAnnealingLR", "LambdaLR", "OneCycleLR", "ReduceLROnPlateau"]
