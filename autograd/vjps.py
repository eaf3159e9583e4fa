"""vjps shared by both node kinds: written with operators only, so one formula serves floats,
ndarrays and (under create_graph=True) Value and Tensor nodes alike.

Each takes (g, out, *inputs) and returns one gradient per input.
"""


def add(g, out, a, b):
    return g, g


def sub(g, out, a, b):
    return g, -g


def mul(g, out, a, b):
    return g * b, g * a


def neg(g, out, a):
    return (-g,)


def exp(g, out, a):
    return (g * out,)                          # d/dx e^x = e^x: the output is all it needs


def log(g, out, a):
    return (g / a,)


def tanh(g, out, a):
    return (g * (1 - out * out),)              # d/dx tanh = 1 - tanh^2


def sigmoid(g, out, a):
    return (g * out * (1 - out),)              # d/dx s = s (1 - s)
