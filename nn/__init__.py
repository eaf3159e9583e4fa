"""Neural networks composed from autograd ops: modules, layers, activations, losses, optimizers, init, scalar
twins, data."""
from . import data
from . import init
from . import scalar
from . import functional as F
from .module import Module
from .containers import ModuleList, ModuleDict
from .layers import Linear, Maxout, Dropout, Sequential, MLP
from .activations import Sigmoid, Tanh, ReLU, LeakyReLU, PReLU, Softmax, Identity
from .activations import (GELU, SiLU, Softplus, ELU, SELU, CELU, Mish, Hardtanh, Hardsigmoid, Hardswish, ReLU6,
                          LogSigmoid, Softsign)
from .activations import sigmoid, tanh, relu, leaky_relu, prelu, softmax, identity
from .summary import summary
from .serialization import save, load
from . import optim, diagnostics, utils
from .checkpoint import save_checkpoint, load_checkpoint
from .functional import l1_penalty, l2_penalty
from .losses import (CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCEWithLogitsLoss, HingeLoss,
                     MultiMarginLoss)
from .fit import fit, evaluate, predict      # nn.fit is the function; the module stays importable as nn.fit
from . import plot                          # matplotlib itself is imported only when a plot is made
from .export import to_torch, from_torch, export_onnx      # torch / onnx are imported only when called
