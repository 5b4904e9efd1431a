"""Checks of the data arrays and counts that `fit` and `evaluate` take.

Each check names the calling function (`owner`) and the argument, so an
error from `evaluate` called inside `fit` still reads as the user's call.
"""

import numbers
import operator

import numpy as np

from autodiff import Tensor

# bool, signed and unsigned integers, floats: what a model or an integer-label loss can take.
_NUMERIC_KINDS = "biuf"


def as_data_array(value, name, owner):
    """Return `value` as an ndarray with at least one axis (the examples), checking it.

    Tensors give their data, and lists or other array-likes go through
    numpy.asarray, as torch.as_tensor accepts them. The array must be
    numeric, have at least one row and contain no NaN or infinity.
    """
    if isinstance(value, Tensor):
        array = value.numpy()
    else:
        try:
            array = np.asarray(value)
        except (TypeError, ValueError) as error:
            # Same class as NumPy's error: ValueError for ragged nested lists, TypeError for other objects.
            raise type(error)(
                f"{owner}: {name} must be an ndarray, a Tensor or a nested list of numbers with "
                f"rows of equal length, but numpy.asarray cannot convert the {type(value).__name__} ({error})"
            ) from None

    if array.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(
            f"{owner}: {name} must contain numbers, got dtype {array.dtype} from a {type(value).__name__}; "
            "pass an ndarray or Tensor of floats (or integer class labels)"
        )
    if array.ndim == 0:
        raise ValueError(
            f"{owner}: {name} must have one row per example, got a 0-d value; "
            "a single example is X[None] or x.reshape(1, -1)"
        )
    if len(array) == 0:
        raise ValueError(f"{owner}: {name} has no rows (shape {array.shape}); pass at least one example")

    check_finite(array, name, owner)
    return array


def check_finite(array, name, owner):
    """Raise ValueError if a float array contains NaN or ±inf, with the counts."""
    if array.dtype.kind != "f":
        return
    finite = np.isfinite(array)
    if finite.all():
        return

    nan_count = int(np.isnan(array).sum())
    inf_count = int(array.size - finite.sum()) - nan_count
    found = [f"{count} {kind}" for count, kind in ((nan_count, "NaN"), (inf_count, "infinite")) if count]
    values = "value" if nan_count + inf_count == 1 else "values"
    bad_rows = int((~finite).reshape(len(array), -1).any(axis=1).sum())
    raise ValueError(
        f"{owner}: {name} contains {' and '.join(found)} {values} in {bad_rows} of its {len(array)} rows; "
        "drop those examples from both inputs and targets, or fill in the values, first"
    )


def check_same_length(X, y, x_name, y_name, owner):
    if len(X) != len(y):
        raise ValueError(
            f"{owner}: {x_name} has {len(X)} rows but {y_name} has {len(y)}; they need one target per example"
        )


def check_count(value, name, owner, minimum):
    """Return `value` as an int if it is an integer (not a bool) >= `minimum`.

    Any integer type counts, such as numpy.int64, through operator.index.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {name} must be an int, got {value!r} of type {type(value).__name__}")
    value = operator.index(value)
    if value < minimum:
        bound = {0: "a non-negative int", 1: "a positive int"}.get(minimum, f"an int >= {minimum}")
        raise ValueError(f"{owner}: {name} must be {bound}, got {value}")
    return value


def check_batch_size(value, name, owner):
    """Return None or a positive int: the rows per chunk of an evaluation."""
    if value is None:
        return None
    return check_count(value, name, owner, minimum=1)
