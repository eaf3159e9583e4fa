"""Pure-numpy data for the nn package: toy 2-D sets, the 8x8 digits, preprocessing, minibatches and PyTorch's
Dataset / TensorDataset / DataLoader."""

from .batching import batches, train_test_split
from .datasets import DataLoader, Dataset, TensorDataset
from .digits import load_digits
from .preprocess import PCA, MeanCenter, Standardize, Whiten
from .toy import blobs, circles, moons, spiral, xor

__all__ = [
    "spiral", "moons", "circles", "xor", "blobs",
    "load_digits",
    "MeanCenter", "Standardize", "PCA", "Whiten",
    "batches", "train_test_split",
    "Dataset", "TensorDataset", "DataLoader",
]
