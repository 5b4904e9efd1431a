"""Reductions with NumPy's `axis` (int, negative, tuple or None) and `keepdims`."""

import math
import warnings

import numpy as np

from autodiff import primitives as P
from autodiff.ops._common import normalize_axis
from autodiff.ops.shape import reshape
from autodiff.tensor import Tensor, _scalar_or_array, apply, as_tensor


def _reduce(primitive, a, axis, dtype, out, keepdims):
    a = _prepare(a, primitive.name, dtype, out)
    axes = normalize_axis(axis, a.ndim, primitive.name, a.shape)
    return apply(primitive, (a,), {"axis": axes, "keepdims": bool(keepdims)})


def _prepare(a, op, dtype, out):
    """Check NumPy's `out` (unsupported) and apply `dtype` by a cast before reducing."""
    if out is not None:
        raise TypeError(
            f"{op}: out= is not supported, because tensors are not changed in place; "
            "use the returned tensor"
        )
    a = as_tensor(a)
    if dtype is not None:
        from autodiff.ops.elementwise import astype

        a = astype(a, dtype)
    return a


def _count(a, axes):
    """Number of elements that a reduction over `axes` (normalized, or None) combines."""
    if axes is None:
        return a.size
    return math.prod(a.shape[i] for i in axes)


def _reciprocal(count, op):
    """1 / count, or nan with NumPy's warning when a slice is empty."""
    if count:
        return 1.0 / count
    warnings.warn(f"{op}: mean of empty slice", RuntimeWarning, stacklevel=3)
    return float("nan")


def sum(a, axis=None, dtype=None, out=None, keepdims=False):
    return _reduce(P.sum, a, axis, dtype, out, keepdims)


def max(a, axis=None, out=None, keepdims=False):
    """Largest element over `axis`; tied maxima share the gradient evenly."""
    return _reduce(P.max, a, axis, None, out, keepdims)


def min(a, axis=None, out=None, keepdims=False):
    """Smallest element over `axis`; tied minima share the gradient evenly."""
    return _reduce(P.min, a, axis, None, out, keepdims)


amax = max
amin = min


def mean(a, axis=None, dtype=None, out=None, keepdims=False):
    """Arithmetic mean over `axis`; an empty slice gives nan with a warning, as in NumPy."""
    a = _prepare(a, "mean", dtype, out)
    axes = normalize_axis(axis, a.ndim, "mean", a.shape)
    return sum(a, axes, keepdims=keepdims) * _reciprocal(_count(a, axes), "mean")


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """Mean squared deviation from the mean, divided by (N - ddof) as in NumPy."""
    a = _prepare(a, "var", dtype, out)
    axes = normalize_axis(axis, a.ndim, "var", a.shape)
    if _count(a, axes) == 0:
        return mean(a, axes, keepdims=keepdims)  # nan with NumPy's warning

    deviation = a - mean(a, axes, keepdims=True)
    squares = sum(deviation * deviation, axes, keepdims=keepdims)
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


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """Square root of `var`.

    Where the result is 0 (a slice of equal values) the gradient is taken as
    0, as in PyTorch, instead of the 0·inf = nan that sqrt'(0) would give.
    """
    from autodiff.ops.elementwise import sqrt, where

    variance = var(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims)
    positive = variance.data > 0
    return where(positive, sqrt(where(positive, variance, 1.0)), 0.0)


def argmax(a, axis=None, out=None, keepdims=False):
    """Index of the largest element, as an int64 constant (no gradient)."""
    return _argreduce(np.argmax, a, axis, out, keepdims)


def argmin(a, axis=None, out=None, keepdims=False):
    """Index of the smallest element, as an int64 constant (no gradient)."""
    return _argreduce(np.argmin, a, axis, out, keepdims)


def _argreduce(function, a, axis, out, keepdims):
    a = _prepare(a, function.__name__, None, out)
    if axis is not None:
        axis = normalize_axis(axis, a.ndim, function.__name__, a.shape)
        if len(axis) != 1:
            raise TypeError(f"{function.__name__}: axis must be a single int, got {axis!r}")
        axis = axis[0]
    try:
        return Tensor._from_array(_scalar_or_array(function(a.data, axis=axis, keepdims=keepdims)))
    except ValueError as error:
        raise ValueError(f"{function.__name__}: {error} (shape {a.shape})") from None


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
