"""Reductions with NumPy's `axis` (int, negative, tuple or None) and `keepdims`."""

import math

from autodiff import primitives as P
from autodiff.ops._common import normalize_axis
from autodiff.ops.shape import reshape
from autodiff.tensor import apply, as_tensor


def _reduce(primitive, a, axis, keepdims):
    a = as_tensor(a)
    axes = normalize_axis(axis, a.ndim, primitive.name, a.shape)
    return apply(primitive, (a,), {"axis": axes, "keepdims": bool(keepdims)})


def _count(a, axis):
    """Number of elements that a reduction over `axis` combines."""
    if axis is None:
        return a.size
    axes = normalize_axis(axis, a.ndim, "mean", a.shape)
    return math.prod(a.shape[i] for i in axes)


def sum(a, axis=None, keepdims=False):
    return _reduce(P.sum, a, axis, keepdims)


def max(a, axis=None, keepdims=False):
    """Largest element over `axis`; tied maxima share the gradient evenly."""
    return _reduce(P.max, a, axis, keepdims)


def min(a, axis=None, keepdims=False):
    """Smallest element over `axis`; tied minima share the gradient evenly."""
    return _reduce(P.min, a, axis, keepdims)


amax = max
amin = min


def mean(a, axis=None, keepdims=False):
    a = as_tensor(a)
    return sum(a, axis, keepdims) * (1.0 / _count(a, axis))


def var(a, axis=None, ddof=0, keepdims=False):
    """Mean squared deviation from the mean, divided by (N - ddof) as in NumPy."""
    a = as_tensor(a)
    deviation = a - mean(a, axis, keepdims=True)
    return sum(deviation * deviation, axis, keepdims) * (1.0 / (_count(a, axis) - ddof))


def sum_to(x, shape):
    """Sum x over its broadcast axes so that it has `shape`.

    This undoes broadcasting: if x has the shape of `broadcast_to(y, shape(x))`
    for some y of `shape`, the result is the gradient with respect to y.
    """
    shape = tuple(shape)
    if x.shape == shape:
        return x
    lead = x.ndim - len(shape)
    if lead < 0 or any(n != 1 and n != m for n, m in zip(shape, x.shape[lead:])):
        raise ValueError(f"sum_to: shape {x.shape} does not broadcast from {shape}")

    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and x.shape[lead + i] != 1
    )
    summed = apply(P.sum, (x,), {"axis": axes, "keepdims": True})
    if lead:
        summed = reshape(summed, shape)
    return summed
