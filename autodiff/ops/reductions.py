"""Reductions with NumPy's `axis` (int, negative, tuple or None) and `keepdims`."""

import math
import warnings

import numpy as np

from autodiff import primitives as P
from autodiff.ops._common import normalize_axis
from autodiff.ops.shape import reshape
from autodiff.tensor import apply, as_tensor


def _reduce(primitive, a, axis, keepdims):
    a = as_tensor(a)
    axes = normalize_axis(axis, a.ndim, primitive.name, a.shape)
    return apply(primitive, (a,), {"axis": axes, "keepdims": bool(keepdims)})


def _count(a, axes):
    """Number of elements that a reduction over `axes` (normalized, or None) combines."""
    if axes is None:
        return a.size
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
    axes = normalize_axis(axis, a.ndim, "mean", a.shape)
    return sum(a, axes, keepdims) * (1.0 / _count(a, axes))


def var(a, axis=None, ddof=0, keepdims=False):
    """Mean squared deviation from the mean, divided by (N - ddof) as in NumPy."""
    a = as_tensor(a)
    axes = normalize_axis(axis, a.ndim, "var", a.shape)
    deviation = a - mean(a, axes, keepdims=True)
    squares = sum(deviation * deviation, axes, keepdims)

    degrees = _count(a, axes) - ddof
    if degrees <= 0:
        # NumPy's behaviour: warn, then divide by zero, which gives nan where
        # the squares sum to 0 and inf elsewhere.
        warnings.warn(
            f"var: degrees of freedom N - ddof = {degrees} is not positive (N = {_count(a, axes)} "
            f"elements per slice, ddof = {ddof}), so the result is nan or inf. Pass a ddof below N.",
            RuntimeWarning,
            stacklevel=2,
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            return squares / 0.0
    return squares * (1.0 / degrees)


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
