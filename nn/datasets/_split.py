"""Seeded train/test split shared by the dataset loaders."""

from __future__ import annotations

import numbers

import numpy
import numpy.typing


def check_float_dtype(dtype: numpy.typing.DTypeLike) -> numpy.dtype:
    """Convert ``dtype`` to a numpy floating dtype, or raise ValueError."""
    resolved = numpy.dtype(dtype)
    if not numpy.issubdtype(resolved, numpy.floating):
        raise ValueError(f"dtype must be a floating-point type such as numpy.float64, got {resolved}")
    return resolved


def split_indices(
    n_samples: int,
    test_fraction: float,
    seed: int | numpy.random.Generator,
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Shuffle ``range(n_samples)`` and split it into train and test row indices.

    The order is ``numpy.random.default_rng(seed).permutation(n_samples)``. Its
    first ``round(test_fraction * n_samples)`` entries are the test rows and the
    rest are the training rows. A Generator passed as ``seed`` is used as is, so
    its state advances.

    Raises:
        ValueError: ``test_fraction`` is not strictly between 0 and 1, or
            either side of the split would be empty.
        TypeError: ``test_fraction`` is not a real number, or ``seed`` is
            neither an int nor a numpy.random.Generator.
    """
    # bool is an Integral subclass, but True/False as a fraction or seed is a caller mistake.
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, numbers.Real):
        raise TypeError(f"test_fraction must be a real number, got {test_fraction!r}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be strictly between 0 and 1, got {test_fraction!r}")
    if isinstance(seed, bool) or not isinstance(seed, (numbers.Integral, numpy.random.Generator)):
        raise TypeError(f"seed must be an int or a numpy.random.Generator, got {type(seed).__name__}")

    n_test = int(round(test_fraction * n_samples))
    n_train = n_samples - n_test
    if n_test < 1 or n_train < 1:
        raise ValueError(
            f"test_fraction={test_fraction!r} splits {n_samples} rows into {n_train} training "
            f"and {n_test} test rows. Both sides need at least one row, "
            "so choose a test_fraction closer to 0.5."
        )

    order = numpy.random.default_rng(seed).permutation(n_samples)
    return order[n_test:], order[:n_test]
