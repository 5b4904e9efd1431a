"""Argument handling shared by the public ops."""

from autodiff.tensor import Tensor, as_tensor


def lift_pair(x1, x2):
    """Return both operands as Tensors; a Python number takes the other's float dtype."""
    if type(x1) is Tensor:
        return x1, (x2 if type(x2) is Tensor else as_tensor(x2, x1))
    if isinstance(x2, Tensor):
        return as_tensor(x1, x2), x2
    first = as_tensor(x1)
    return first, as_tensor(x2, first)


def normalize_axis(axis, ndim, op, shape):
    """Return `axis` as a sorted tuple of non-negative ints, or None for all axes."""
    if axis is None:
        return None
    axes = axis if isinstance(axis, tuple) else (axis,)
    normalized = []
    for a in axes:
        if isinstance(a, bool) or not hasattr(a, "__index__"):
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}")
        a = a.__index__()
        if not -ndim <= a < ndim:
            raise ValueError(
                f"{op}: axis {a} is out of bounds for a tensor of shape {shape} "
                f"({ndim} dimensions); valid axes are {-ndim}..{ndim - 1}"
            )
        normalized.append(a % ndim)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{op}: repeated axis in {axis!r}")
    return tuple(sorted(normalized))


def normalize_position(axis, ndim, op, shape):
    """Return one axis as a non-negative int (for ops that take a single axis)."""
    if isinstance(axis, tuple):
        raise TypeError(f"{op}: axis must be a single int here, got {axis!r}")
    return normalize_axis(axis, ndim, op, shape)[0]
