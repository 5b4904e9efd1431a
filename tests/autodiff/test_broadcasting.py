"""Binary ops over every broadcasting pair of operand kinds, against central differences and PyTorch.

The kinds are scalar (), vector (n,), matrix (m, n), row (1, n), column
(m, 1) and batch (b, m, n). All 36 ordered pairs broadcast under NumPy's
rules. The gradient of each operand must come back summed to its own shape.
"""

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autodiff as ad
from array_strategies import (
    SHAPE_KINDS, away_from_zero, even_eighths, odd_eighths, positive, shape_of, values,
)
from torch_oracle import assert_matches_torch, check_op

PAIRS = list(itertools.product(SHAPE_KINDS, repeat=2))
PAIR_IDS = [f"{a}-{b}" for a, b in PAIRS]

# name: (autodiff function, torch function, strategy of x1, strategy of x2)
BINARY = {
    "add": (ad.add, torch.add, values, values),
    "subtract": (ad.subtract, torch.sub, values, values),
    "multiply": (ad.multiply, torch.mul, values, values),
    "divide": (ad.divide, torch.div, values, away_from_zero),
    "power": (ad.power, torch.pow, positive, values),
    "maximum": (ad.maximum, torch.maximum, odd_eighths, even_eighths),
    "minimum": (ad.minimum, torch.minimum, odd_eighths, even_eighths),
}

sizes = st.tuples(st.integers(2, 3), st.integers(2, 3), st.integers(2, 3))

# Each of the 7 x 36 grid cells is its own test, so a few examples per cell suffice.
grid_settings = settings(max_examples=8)


@pytest.mark.parametrize("kinds", PAIRS, ids=PAIR_IDS)
@pytest.mark.parametrize("name", BINARY)
@grid_settings
@given(data=st.data())
def test_binary_pair_matches_oracles(name, kinds, data):
    function, torch_function, first, second = BINARY[name]
    b, m, n = data.draw(sizes)
    x1 = data.draw(first(shape_of(kinds[0], b, m, n)))
    x2 = data.draw(second(shape_of(kinds[1], b, m, n)))

    check_op(function, x1, x2, torch_function=torch_function)


@pytest.mark.parametrize("kinds", PAIRS, ids=PAIR_IDS)
@grid_settings
@given(data=st.data())
def test_where_pair_matches_oracles(kinds, data):
    b, m, n = data.draw(sizes)
    x1 = data.draw(values(shape_of(kinds[0], b, m, n)))
    x2 = data.draw(values(shape_of(kinds[1], b, m, n)))
    out_shape = np.broadcast_shapes(x1.shape, x2.shape)
    condition = data.draw(hnp.arrays(np.bool_, out_shape))

    check_op(lambda a, c: ad.where(condition, a, c), x1, x2,
             torch_function=lambda a, c: torch.where(torch.from_numpy(condition), a, c))


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_binary_random_broadcast_shapes(name, data):
    function, torch_function, first, second = BINARY[name]
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=3))
    x1 = data.draw(first(shapes.input_shapes[0]))
    x2 = data.draw(second(shapes.input_shapes[1]))

    check_op(function, x1, x2, torch_function=torch_function)


@given(data=st.data())
def test_where_condition_broadcasts(data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
    condition_shape, x1_shape, x2_shape = shapes.input_shapes
    condition = data.draw(hnp.arrays(np.bool_, condition_shape))
    x1 = data.draw(values(x1_shape))
    x2 = data.draw(values(x2_shape))

    check_op(lambda a, c: ad.where(condition, a, c), x1, x2,
             torch_function=lambda a, c: torch.where(torch.from_numpy(condition), a, c))


# --- conventions pinned to PyTorch's ---


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_tie_splits_gradient_like_torch(name):
    function, torch_function, _, _ = BINARY[name]
    x1 = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 5.0]])
    x2 = np.array([[1.0, 0.0, 4.0], [0.0, -1.0, 6.0]])

    assert_matches_torch(function, x1, x2, torch_function=torch_function)


@pytest.mark.parametrize("function", [ad.maximum, ad.minimum], ids=["maximum", "minimum"])
def test_tie_gives_half_each(function):
    x1 = ad.tensor(2.0, requires_grad=True)
    x2 = ad.tensor(2.0, requires_grad=True)

    function(x1, x2).backward()

    assert x1.grad.item() == 0.5
    assert x2.grad.item() == 0.5


def test_maximum_broadcast_tie_sums_halves():
    x = ad.tensor([1.0, 1.0, 3.0], requires_grad=True)
    floor = ad.tensor(1.0, requires_grad=True)

    ad.maximum(x, floor).sum().backward()

    np.testing.assert_array_equal(x.grad.data, [0.5, 0.5, 1.0])
    assert floor.grad.item() == 1.0


def test_where_untaken_branch_zero():
    condition = np.array([True, False, True])
    x1 = ad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x2 = ad.tensor([4.0, 5.0, 6.0], requires_grad=True)

    ad.where(condition, x1, x2).sum().backward()

    np.testing.assert_array_equal(x1.grad.data, [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(x2.grad.data, [0.0, 1.0, 0.0])


def test_where_guards_invalid_input():
    x = ad.tensor([-1.0, 4.0], requires_grad=True)
    safe = ad.where(x.data > 0, x, 1.0)

    ad.sqrt(safe).sum().backward()

    np.testing.assert_allclose(x.grad.data, [0.0, 0.25])


def test_where_tensor_condition():
    x = ad.tensor([-1.0, 2.0], requires_grad=True)

    ad.where(x > 0, x, 0.0).sum().backward()

    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0])


def test_where_constant_branches():
    condition = np.array([True, False])

    result = ad.where(condition, 1.0, np.array([5.0, 6.0]))

    assert not result.requires_grad
    np.testing.assert_array_equal(result.data, [1.0, 6.0])
