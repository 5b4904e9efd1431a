"""Indexing with NumPy's basic and advanced rules, where repeated indices add their gradients."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autodiff as ad
from array_strategies import shapes, values
from torch_oracle import assert_gradcheck, assert_matches_torch, check_op

X = np.random.default_rng(0).standard_normal((4, 5, 3))
MASK_0 = np.array([True, False, True, True])
MASK_1 = np.array([False, True, True, False, True])

# name: index, or (index, the same selection spelled for torch) where torch
# cannot spell it alike (torch slices take no negative step).
INDEXES = {
    "int": 1,
    "negative_int": -1,
    "int_pair": (1, 2),
    "all_ints": (3, 4, 2),
    "slice": slice(1, 3),
    "slice_step": (slice(None, None, 2), slice(1, None, 3)),
    "negative_step": (slice(None, None, -1), lambda t: torch.flip(t, [0])),
    "negative_step_range": ((slice(3, 0, -2), 1), lambda t: t[torch.tensor([3, 1]), 1]),
    "none_front": None,
    "none_middle": (slice(None), None, 2),
    "ellipsis_last": (Ellipsis, 1),
    "ellipsis_none": (Ellipsis, None),
    "int_ellipsis": (0, Ellipsis),
    "mixed_basic": (None, 1, Ellipsis, slice(None, None, 2)),
    "int_list": [0, 2],
    "int_array_2d": np.array([[0, 1], [2, 3]]),
    "repeated": [0, 0, 3, 0],
    "negative_array": np.array([-1, 0, -1]),
    "two_arrays": ([0, 1, 1], [2, 2, 4]),
    "array_after_slice": (slice(None), [0, 0, 4]),
    "arrays_apart": ([1, 1], slice(None), [2, 0]),
    "array_and_int": (np.array([3, 3]), 0),
    "mask_axis0": MASK_0,
    "mask_axis1": (slice(None), MASK_1),
    "mask_full": X > 0,
    "mask_and_int": (MASK_0, 2),
    "tensor_index": ad.tensor([2, 2, 1]),
    "empty_list": [],
    "bool_list": [True, False, False, True],
}


def _torch_item(item):
    if isinstance(item, ad.Tensor):
        item = item.data
    if isinstance(item, np.ndarray):
        return torch.from_numpy(item)
    if isinstance(item, list):
        return torch.tensor(item, dtype=torch.bool if item and isinstance(item[0], bool) else torch.long)
    return item


def _torch_index(index):
    if isinstance(index, tuple):
        return tuple(_torch_item(item) for item in index)
    return _torch_item(index)


@pytest.mark.parametrize("name", INDEXES)
def test_index_matches_oracles(name):
    case = INDEXES[name]
    if isinstance(case, tuple) and callable(case[-1]):
        index, torch_function = case
    else:
        index = case
        torch_index = _torch_index(index)
        torch_function = lambda t: t[torch_index]  # noqa: E731

    check_op(lambda t: t[index], X, torch_function=torch_function)


@pytest.mark.parametrize("name", INDEXES)
def test_index_value_matches_numpy(name):
    case = INDEXES[name]
    index = case[0] if isinstance(case, tuple) and callable(case[-1]) else case
    numpy_index = index.data if isinstance(index, ad.Tensor) else index

    result = ad.tensor(X)[index]

    np.testing.assert_array_equal(result.data, X[numpy_index])


@given(data=st.data())
def test_basic_index_property(data):
    x = data.draw(shapes(min_dims=1).flatmap(values))
    index = data.draw(hnp.basic_indices(x.shape, allow_newaxis=True, allow_ellipsis=True))

    result = ad.tensor(x)[index]

    np.testing.assert_array_equal(result.data, x[index])
    assert_gradcheck(lambda t: t[index], x)


@given(data=st.data())
def test_integer_array_property(data):
    x = data.draw(shapes(min_dims=1).flatmap(values))
    index = data.draw(hnp.integer_array_indices(x.shape, result_shape=shapes(min_dims=1, max_side=5)))

    check_op(lambda t: t[index], x,
             torch_function=lambda t: t[tuple(torch.from_numpy(i) for i in index)])


@given(data=st.data())
def test_boolean_mask_property(data):
    x = data.draw(shapes(min_dims=1).flatmap(values))
    mask = data.draw(hnp.arrays(np.bool_, x.shape))

    check_op(lambda t: t[mask], x, torch_function=lambda t: t[torch.from_numpy(mask)])


def test_repeated_index_adds_gradients():
    x = ad.tensor([10.0, 20.0, 30.0], requires_grad=True)

    y = x[[0, 2, 0, 0]]
    (y * ad.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()

    np.testing.assert_array_equal(x.grad.data, [8.0, 0.0, 2.0])


def test_repeated_row_pairs_add():
    x = ad.tensor(np.zeros((2, 2)), requires_grad=True)

    x[[1, 1, 0], [0, 0, 1]].sum().backward()

    np.testing.assert_array_equal(x.grad.data, [[0.0, 1.0], [2.0, 0.0]])


def test_bool_tensor_mask():
    x = ad.tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)

    x[x > 0].sum().backward()

    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 0.0, 1.0])


def test_index_of_unused_elements_zero():
    x = ad.tensor(np.ones((3, 2)), requires_grad=True)

    x[1].sum().backward()

    np.testing.assert_array_equal(x.grad.data, [[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]])


def test_iteration_yields_rows():
    x = ad.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)

    total = sum(row[0] for row in x)
    total.backward()

    np.testing.assert_array_equal(x.grad.data, [[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])


def test_index_gradient_like_torch_with_seed():
    x = np.arange(12.0).reshape(3, 4)

    assert_matches_torch(lambda t: t[[2, 0, 2], 1:3], x,
                         torch_function=lambda t: t[torch.tensor([2, 0, 2]), 1:3])
