"""Handwritten digits (8x8 pixels) from scikit-learn, split for classification."""

from __future__ import annotations

import dataclasses

import numpy
import numpy.typing

from nn.datasets._split import check_float_dtype, split_indices

# Each pixel counts the pixels that are on in a 4x4 block of the original 32x32
# bitmap, so it ranges from 0 to 16 (scikit-learn's load_digits().DESCR).
_MAX_PIXEL_VALUE = 16.0


@dataclasses.dataclass(frozen=True)
class DigitsData:
    """Train/test split of the digits, as returned by ``load_digits``.

    ``n_train + n_test`` is 1797. Each row of X is one image flattened in row
    order, so ``X[i].reshape(8, 8)`` restores it.
    """

    X_train: numpy.ndarray
    """Pixel values in [0, 1], shape (n_train, 64)."""
    y_train: numpy.ndarray
    """Digit labels 0 to 9 as int64, shape (n_train,)."""
    X_test: numpy.ndarray
    """Pixel values in [0, 1], shape (n_test, 64)."""
    y_test: numpy.ndarray
    """Digit labels 0 to 9 as int64, shape (n_test,)."""


def load_digits(
    test_fraction: float = 0.2,
    seed: int | numpy.random.Generator = 0,
    dtype: numpy.typing.DTypeLike = numpy.float64,
) -> DigitsData:
    """Load scikit-learn's 1797 digit images as a seeded train/test split.

    scikit-learn ships the data inside its package, so nothing is downloaded.
    It is imported here rather than at module level because it is an optional
    dependency.

    Args:
        test_fraction: Share of images in the test split, strictly between 0
            and 1. The test split has ``round(test_fraction * 1797)`` rows.
        seed: An int, or a numpy.random.Generator that is used and advanced.
            The split rule is the one of ``load_housing``: the first
            ``n_test`` entries of ``numpy.random.default_rng(seed).permutation(1797)``
            are the test rows.
        dtype: Floating dtype of X. Labels are always int64.

    Returns:
        A DigitsData with pixel values divided by 16, so they lie in [0, 1].
        Labels have shape (n,) because they are class indices, not regression
        targets.

    Raises:
        ImportError: scikit-learn cannot be imported.
        ValueError: a ``test_fraction`` outside (0, 1) or one that leaves a
            split empty, or a non-floating ``dtype``.
        TypeError: ``test_fraction`` is not a number, or ``seed`` is neither
            an int nor a Generator.
    """
    float_dtype = check_float_dtype(dtype)
    try:
        from sklearn.datasets import load_digits as load_sklearn_digits
    except ImportError as error:
        raise ImportError(
            f"load_digits needs scikit-learn, which could not be imported ({error}). "
            "Install it with `pip install scikit-learn`, or install this package with its `digits` extra."
        ) from error

    bunch = load_sklearn_digits()
    X = numpy.asarray(bunch.data, dtype=numpy.float64) / _MAX_PIXEL_VALUE
    y = numpy.asarray(bunch.target, dtype=numpy.int64)

    train_rows, test_rows = split_indices(X.shape[0], test_fraction, seed)
    return DigitsData(
        X_train=X[train_rows].astype(float_dtype),
        y_train=y[train_rows],
        X_test=X[test_rows].astype(float_dtype),
        y_test=y[test_rows],
    )
