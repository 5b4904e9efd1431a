"""Hypothesis strategies for the shapes and values that the autodiff tests draw.

Values are float64 and small (|x| <= 2), so that float32 copies of them stay
accurate and central differences with h = 1e-6 stay far from overflow.
Strategies for functions with a kink (abs, maximum, max, clip) keep the
values at least 1/8 away from it, because a central difference taken across
a kink gives the average of the two one-sided slopes, not either gradient.
"""

import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# The operand kinds of the broadcasting grid: scalar (), vector (n,),
# matrix (m, n), row (1, n), column (m, 1) and batch (b, m, n).
SHAPE_KINDS = ("scalar", "vector", "matrix", "row", "column", "batch")


def shape_of(kind, b=2, m=3, n=4):
    """Return the concrete shape of an operand kind for the sizes b, m, n."""
    return {
        "scalar": (),
        "vector": (n,),
        "matrix": (m, n),
        "row": (1, n),
        "column": (m, 1),
        "batch": (b, m, n),
    }[kind]


def shapes(min_dims=0, max_dims=3, min_side=1, max_side=4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def _floats(low, high):
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def values(shape, low=-2.0, high=2.0):
    """Arrays of any values in [low, high]."""
    return hnp.arrays(np.float64, shape, elements=_floats(low, high))


def positive(shape, low=0.25, high=2.0):
    """Arrays in [low, high] (for log, sqrt and the base of power)."""
    return values(shape, low, high)


def away_from_zero(shape, margin=0.25, high=2.0):
    """Arrays with margin <= |x| <= high (for abs, sign and divisors)."""
    elements = st.one_of(_floats(-high, -margin), _floats(margin, high))
    return hnp.arrays(np.float64, shape, elements=elements)


def odd_eighths(shape):
    """Arrays of odd multiples of 1/8 in [-2, 2], which never tie with values from `even_eighths`."""
    return hnp.arrays(np.float64, shape, elements=st.integers(-8, 7).map(lambda k: (2 * k + 1) / 8))


def even_eighths(shape):
    """Arrays of even multiples of 1/8 in [-2, 2]."""
    return hnp.arrays(np.float64, shape, elements=st.integers(-8, 8).map(lambda k: k / 4))


def distinct(shape):
    """Arrays whose values differ pairwise by at least 0.5 (for max and min reductions)."""
    size = math.prod(shape)
    permutations = st.permutations(range(size))
    # np.asarray because arithmetic on a 0-d array returns a NumPy scalar.
    return permutations.map(lambda p: np.asarray((np.array(p, dtype=np.float64).reshape(shape) - size / 2) * 0.5))


def with_ties(shape):
    """Arrays of -1, 0 and 1 only, so that ties and zeros are frequent."""
    return hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 0.0, 1.0]))


@st.composite
def axes(draw, ndim):
    """An `axis` argument valid for `ndim` dimensions: None, an int (maybe negative) or a tuple."""
    if ndim == 0:
        return None
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    chosen = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    negate = draw(st.lists(st.booleans(), min_size=len(chosen), max_size=len(chosen)))
    return tuple(a - ndim if flip else a for a, flip in zip(chosen, negate))


def reduced_count(shape, axis):
    """Number of elements that a reduction over `axis` combines."""
    if axis is None:
        return math.prod(shape)
    axis = axis if isinstance(axis, tuple) else (axis,)
    return math.prod(shape[a] for a in axis)


def torch_dims(axis, ndim):
    """PyTorch's `dim` for a NumPy `axis`: all axes spelled out for None."""
    if axis is None:
        return tuple(range(ndim))
    return axis
