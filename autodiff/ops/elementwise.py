"""Elementwise ops with NumPy's names, broadcasting and type promotion."""

import numpy as np

from autodiff import primitives as P
from autodiff.grad_mode import no_grad
from autodiff.ops._common import lift_pair
from autodiff.tensor import Tensor, _scalar_or_array, apply, apply_binary, apply_unary, as_tensor


def add(x1, x2):
    return apply_binary(P.add, *lift_pair(x1, x2))


def subtract(x1, x2):
    return apply_binary(P.subtract, *lift_pair(x1, x2))


def multiply(x1, x2):
    return apply_binary(P.multiply, *lift_pair(x1, x2))


def divide(x1, x2):
    """x1 / x2. Division by zero gives ±inf or nan with NumPy's warning, as in NumPy."""
    return apply_binary(P.divide, *lift_pair(x1, x2))


true_divide = divide


def power(x1, x2):
    """x1 ** x2, differentiable in both arguments.

    ∂/∂x1 = x2·x1**(x2-1), taken as 0 where x2 == 0; ∂/∂x2 = x1**x2·log(x1),
    taken as 0 where x1 == 0 and x2 >= 0 (PyTorch's conventions). A negative
    base gives a nan gradient for the exponent, because log(x1) is undefined.
    """
    return apply_binary(P.power, *lift_pair(x1, x2))


def negative(x):
    return apply_unary(P.negative, x if type(x) is Tensor else as_tensor(x))


def maximum(x1, x2):
    """Elementwise max; at a tie each side gets half of the gradient."""
    return apply_binary(P.maximum, *lift_pair(x1, x2))


def minimum(x1, x2):
    """Elementwise min; at a tie each side gets half of the gradient."""
    return apply_binary(P.minimum, *lift_pair(x1, x2))


def where(condition, x, y):
    """Pick x where `condition` is true and y elsewhere, with broadcasting.

    `condition` is a constant (bool array or tensor). The gradient goes to
    the branch that was taken; the other branch gets zero there. An op that
    computed the untaken branch can still turn that zero into nan (0·inf),
    as log does at 0, so mask its input as well, as in PyTorch.
    """
    if isinstance(condition, Tensor):
        condition = condition.data
    condition = np.array(condition, dtype=bool)  # a copy: the VJP reads it later
    return apply(P.where, lift_pair(x, y), {"condition": condition})


def clip(a, a_min=None, a_max=None, *, min=None, max=None):
    """Limit values to [a_min, a_max]; either bound may be None.

    The bounds are constants (numbers, arrays or tensors, not differentiated).
    The gradient passes where a_min <= a <= a_max, bounds included, and is
    zero outside, as in PyTorch's `clamp`.
    """
    if min is not None or max is not None:  # NumPy 2.1's spelling
        if a_min is not None or a_max is not None:
            raise TypeError("clip: pass the bounds as a_min/a_max or as min/max, not both")
        a_min, a_max = min, max
    if a_min is None and a_max is None:
        raise ValueError("clip: give a_min, a_max or both; with neither there is nothing to clip")
    a = as_tensor(a)
    a_min = _constant_bound(a_min)
    a_max = _constant_bound(a_max)
    return apply(P.clip, (a,), {"a_min": a_min, "a_max": a_max})


def _constant_bound(bound):
    """Return a clip bound as a number or a private array copy (the VJP reads it later)."""
    if isinstance(bound, Tensor):
        return bound.data.copy()
    if isinstance(bound, (np.ndarray, list, tuple)):
        return np.array(bound)
    return bound


def astype(x, dtype):
    """Cast to `dtype`. A cast to a non-float dtype gives a constant with no gradient."""
    x = as_tensor(x)
    dtype = np.dtype(dtype)
    if dtype.kind not in "fiub":
        raise TypeError(
            f"astype: cannot cast a {x.dtype} tensor to {dtype}. Tensors hold only float, "
            "integer or bool values, so pass one of those dtypes."
        )
    if dtype == x.dtype:
        return x
    if dtype.kind != "f":
        with no_grad():
            return apply(P.astype, (x,), {"dtype": dtype})
    return apply(P.astype, (x,), {"dtype": dtype})


def exp(x):
    return apply_unary(P.exp, x if type(x) is Tensor else as_tensor(x))


def log(x):
    """Natural log; log(0) = -inf and log of a negative number is nan, as in NumPy."""
    return apply_unary(P.log, x if type(x) is Tensor else as_tensor(x))


def log1p(x):
    """log(1 + x), accurate for small x."""
    return apply_unary(P.log1p, x if type(x) is Tensor else as_tensor(x))


def sqrt(x):
    return apply_unary(P.sqrt, x if type(x) is Tensor else as_tensor(x))


def sin(x):
    return apply_unary(P.sin, x if type(x) is Tensor else as_tensor(x))


def cos(x):
    return apply_unary(P.cos, x if type(x) is Tensor else as_tensor(x))


def tanh(x):
    return apply_unary(P.tanh, x if type(x) is Tensor else as_tensor(x))


def abs(x):
    """|x|, with abs'(0) = 0."""
    return apply_unary(P.abs, x if type(x) is Tensor else as_tensor(x))


absolute = abs


def sign(x):
    """-1, 0 or 1 elementwise; its gradient is zero everywhere."""
    return apply_unary(P.sign, x if type(x) is Tensor else as_tensor(x))


def square(x):
    return multiply(x, x)


def compare(ufunc, x1, x2):
    """Apply a comparison ufunc; the bool result has no history."""
    a, b = lift_pair(x1, x2)
    try:
        return Tensor._from_array(_scalar_or_array(ufunc(a.data, b.data)))
    except ValueError as error:
        raise ValueError(f"{ufunc.__name__}: {error} (shapes {a.shape} and {b.shape})") from None


def equal(x1, x2):
    return compare(np.equal, x1, x2)


def not_equal(x1, x2):
    return compare(np.not_equal, x1, x2)


def less(x1, x2):
    return compare(np.less, x1, x2)


def less_equal(x1, x2):
    return compare(np.less_equal, x1, x2)


def greater(x1, x2):
    return compare(np.greater, x1, x2)


def greater_equal(x1, x2):
    return compare(np.greater_equal, x1, x2)
