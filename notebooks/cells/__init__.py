"""The six notebooks' cells, one module per notebook, each defining CELLS."""
from . import (nb01_neuron, nb02_backprop_graph, nb03_scalars_to_tensors, nb04_capacity,
               nb05_training_dynamics, nb06_digits)

NOTEBOOKS = {
    "01_neuron": nb01_neuron.CELLS,
    "02_backprop_graph": nb02_backprop_graph.CELLS,
    "03_scalars_to_tensors": nb03_scalars_to_tensors.CELLS,
    "04_capacity": nb04_capacity.CELLS,
    "05_training_dynamics": nb05_training_dynamics.CELLS,
    "06_digits": nb06_digits.CELLS,
}
