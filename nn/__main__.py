"""`python -m nn`: train an MLP on a toy data set and write its plots and graph (see `python -m nn --help`)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m nn"))
