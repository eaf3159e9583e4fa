"""Helpers every notebook's cells use: markdown and code cells, the shared first cell, the notes' URL.

Facts and figures come from the CS231n notes (NOTES_URL) and retellings of them; the words are ours.
"""
from textwrap import dedent

import nbformat

NOTES_URL = "https://cs231n.github.io/neural-networks-1/"


def md(text):
    """A markdown cell."""
    return nbformat.v4.new_markdown_cell(dedent(text).strip("\n"))


def code(text):
    """A code cell."""
    return nbformat.v4.new_code_cell(dedent(text).strip("\n"))


def setup(*imports):
    """The first code cell of every notebook: imports (plus `imports`), plot style."""
    lines = ["%matplotlib inline", "import numpy as np", "import matplotlib.pyplot as plt", "",
             "import autograd as ag", "from autograd import Value, Tensor", "import nn", "import nn.functional as F",
             *imports, "",
             'plt.rcParams.update({"figure.dpi": 80, "figure.figsize": (7, 3), "axes.grid": True, "grid.alpha": 0.3,',
             '                     "axes.spines.top": False, "axes.spines.right": False})']
    return nbformat.v4.new_code_cell("\n".join(lines))
