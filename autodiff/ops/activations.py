"""Activations and the log-sum-exp family, written to stay finite for large inputs."""

import numpy as np

from autodiff import primitives as P
from autodiff.ops._common import normalize_axis
from autodiff.ops.elementwise import exp, log
from autodiff.ops.reductions import sum
from autodiff.ops.shape import reshape
from autodiff.tensor import Tensor, apply, apply_unary, as_tensor


def sigmoid(x):
    """σ(x) = 1 / (1 + e^(-x)), finite at ±1000; σ'(x) = σ(x)(1 - σ(x))."""
    return apply_unary(P.sigmoid, x if type(x) is Tensor else as_tensor(x))


def relu(x):
    """ReLU(x) = max(x, 0) elementwise, with ReLU'(0) = 0.

    It is its own primitive rather than `maximum(x, 0)`, which would give
    half of the gradient at 0.
    """
    return apply_unary(P.relu, x if type(x) is Tensor else as_tensor(x))


def logsumexp(a, axis=None, keepdims=False):
    """log Σ exp(a) over `axis`, as `scipy.special.logsumexp`.

    Subtracts the max m first: log Σ exp(a) = m + log Σ exp(a - m), so no
    exp overflows. m is held constant; the gradient, softmax(a), is exact
    because the terms that involve m cancel.
    """
    a = as_tensor(a)
    axes = normalize_axis(axis, a.ndim, "logsumexp", a.shape)
    shift = _max_shift(a, axes)

    result = log(sum(exp(a - shift), axis=axes, keepdims=True)) + shift
    if keepdims:
        return result
    kept = [n for i, n in enumerate(a.shape) if axes is not None and i not in axes]
    return reshape(result, tuple(kept))


def softmax(x, axis=None):
    """exp(x) / Σ exp(x) over `axis`, as `scipy.special.softmax`.

    As in SciPy the default axis=None normalises over all elements; for a
    batch of logits of shape (n, k) pass axis=-1.
    """
    x = as_tensor(x)
    return exp(_log_softmax(x, normalize_axis(axis, x.ndim, "softmax", x.shape)))


def log_softmax(x, axis=None):
    """x - logsumexp(x) over `axis`, as `scipy.special.log_softmax` (default: all elements)."""
    x = as_tensor(x)
    return _log_softmax(x, normalize_axis(axis, x.ndim, "log_softmax", x.shape))


def _log_softmax(x, axes):

    # (x - m) - log Σ exp(x - m) rather than x - logsumexp(x): near x = 1000
    # in float32, logsumexp(x) is rounded to a multiple of 6e-5, and that
    # rounding error would survive the subtraction.
    shifted = x - _max_shift(x, axes)
    return shifted - log(sum(exp(shifted), axis=axes, keepdims=True))


def _max_shift(a, axes):
    """Return the max over `axes` (keepdims) as a constant, with 0 where it is ±inf."""
    shift = np.max(a.data, axis=axes, keepdims=True)
    shift = np.where(np.isfinite(shift), shift, 0)  # all -inf (or inf) rows: no shift
    return Tensor._from_array(shift.astype(a.dtype, copy=False))
