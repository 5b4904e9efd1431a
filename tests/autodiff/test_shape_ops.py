"""Ops that move elements: reshape, transpose, squeeze, expand_dims, broadcast_to, joins and split."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autodiff as ad
from array_strategies import shapes, values
from torch_oracle import assert_matches_torch, check_op

# --- reshape ---


@given(data=st.data())
def test_reshape_matches_oracles(data):
    x = data.draw(shapes().flatmap(values))
    target = data.draw(st.permutations(list(x.shape) + [1]))
    target = tuple(target)

    check_op(lambda t: ad.reshape(t, target), x, torch_function=lambda t: torch.reshape(t, target))


def test_reshape_minus_one():
    x = np.arange(12.0).reshape(3, 4)

    check_op(lambda t: ad.reshape(t, (2, -1)), x, torch_function=lambda t: t.reshape(2, -1))


@pytest.mark.parametrize("form", ["varargs", "tuple", "list"])
def test_reshape_method_forms(form):
    x = ad.tensor(np.arange(6.0))
    args = {"varargs": (2, 3), "tuple": ((2, 3),), "list": ([2, 3],)}[form]

    assert x.reshape(*args).shape == (2, 3)


def test_flatten_and_ravel():
    x = np.arange(6.0).reshape(2, 3)

    check_op(lambda t: t.flatten(), x, torch_function=lambda t: t.flatten())
    check_op(lambda t: ad.ravel(t), x, torch_function=lambda t: t.ravel())


# --- transpose, .T, swapaxes, moveaxis ---


@given(data=st.data())
def test_transpose_matches_oracles(data):
    x = data.draw(shapes(min_dims=1).flatmap(values))
    order = data.draw(st.permutations(range(x.ndim)))
    negate = data.draw(st.lists(st.booleans(), min_size=x.ndim, max_size=x.ndim))
    axes = tuple(a - x.ndim if flip else a for a, flip in zip(order, negate))

    check_op(lambda t: ad.transpose(t, axes), x, torch_function=lambda t: t.permute(tuple(order)))


@given(x=shapes().flatmap(values))
def test_transpose_default_reverses(x):
    reverse = tuple(reversed(range(x.ndim)))

    check_op(lambda t: ad.transpose(t), x, torch_function=lambda t: t.permute(reverse))


@given(x=shapes().flatmap(values))
def test_T_property_reverses(x):
    reverse = tuple(reversed(range(x.ndim)))

    check_op(lambda t: t.T, x, torch_function=lambda t: t.permute(reverse))


TRANSPOSE_FORMS = {
    "no_args": ((), (4, 3, 2)),
    "none": ((None,), (4, 3, 2)),
    "varargs": ((2, 0, 1), (4, 2, 3)),
    "tuple": (((2, 0, 1),), (4, 2, 3)),
    "negative": ((-1, 0, -2), (4, 2, 3)),
}


@pytest.mark.parametrize("form", TRANSPOSE_FORMS)
def test_transpose_method_forms(form):
    args, expected_shape = TRANSPOSE_FORMS[form]
    x = ad.tensor(np.zeros((2, 3, 4)))

    assert x.transpose(*args).shape == expected_shape


def test_swapaxes_matches_oracles():
    x = np.arange(24.0).reshape(2, 3, 4)

    check_op(lambda t: ad.swapaxes(t, 0, -1), x, torch_function=lambda t: torch.swapaxes(t, 0, -1))
    check_op(lambda t: t.swapaxes(1, 2), x, torch_function=lambda t: t.swapaxes(1, 2))


def test_moveaxis_matches_oracles():
    x = np.arange(24.0).reshape(2, 3, 4)

    check_op(lambda t: ad.moveaxis(t, 0, -1), x, torch_function=lambda t: torch.moveaxis(t, 0, -1))
    check_op(lambda t: ad.moveaxis(t, -1, 1), x, torch_function=lambda t: torch.moveaxis(t, -1, 1))


# --- squeeze and expand_dims ---


@given(data=st.data())
def test_squeeze_all_matches_oracles(data):
    x = data.draw(shapes(min_side=1, max_side=2).flatmap(values))

    check_op(lambda t: ad.squeeze(t), x, torch_function=lambda t: torch.squeeze(t))


@pytest.mark.parametrize("axis", [0, 2, -1, (0, 2), (-3, -1)])
def test_squeeze_axis_matches_oracles(axis):
    x = np.arange(3.0).reshape(1, 3, 1)
    dims = axis if isinstance(axis, tuple) else (axis,)

    check_op(lambda t: t.squeeze(axis), x, torch_function=lambda t: torch.squeeze(t, dims))


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3, (0, 3), (-1, 1)])
def test_expand_dims_matches_numpy(axis):
    x = np.arange(6.0).reshape(2, 3)
    expected_shape = np.expand_dims(x, axis).shape

    result = ad.expand_dims(ad.tensor(x), axis)

    assert result.shape == expected_shape
    check_op(lambda t: ad.expand_dims(t, axis), x,
             torch_function=lambda t: t.reshape(expected_shape))


def test_expand_dims_of_scalar():
    check_op(lambda t: t.expand_dims(0), np.array(2.0), torch_function=lambda t: t.unsqueeze(0))


# --- broadcast_to ---


@given(data=st.data())
def test_broadcast_to_matches_oracles(data):
    shapes_drawn = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=1, max_dims=4, max_side=3))
    x = data.draw(values(shapes_drawn.input_shapes[0]))
    target = shapes_drawn.result_shape
    extra = data.draw(st.lists(st.integers(1, 3), max_size=1))
    target = tuple(extra) + target

    check_op(lambda t: ad.broadcast_to(t, target), x,
             torch_function=lambda t: torch.broadcast_to(t, target))


def test_broadcast_to_int_shape():
    check_op(lambda t: t.broadcast_to(3), np.array(2.0), torch_function=lambda t: t.broadcast_to((3,)))


# --- concatenate, stack, split ---


@given(data=st.data())
def test_concatenate_matches_oracles(data):
    base = data.draw(shapes(min_dims=1))
    axis = data.draw(st.integers(-len(base), len(base) - 1))
    lengths = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    parts = []
    for length in lengths:
        shape = list(base)
        shape[axis] = length
        parts.append(data.draw(values(tuple(shape))))

    check_op(lambda *ts: ad.concatenate(ts, axis=axis), *parts,
             torch_function=lambda *ts: torch.cat(ts, dim=axis))


def test_concatenate_axis_none_flattens():
    a = np.arange(6.0).reshape(2, 3)
    b = np.arange(2.0)

    check_op(lambda s, t: ad.concatenate([s, t], axis=None), a, b,
             torch_function=lambda s, t: torch.cat([s.flatten(), t.flatten()]))


def test_concatenate_with_constant():
    x = np.array([[1.0, 2.0]])
    constant = np.array([[3.0, 4.0]])

    check_op(lambda t: ad.concatenate([t, constant]), x,
             torch_function=lambda t: torch.cat([t, torch.from_numpy(constant)]))


def test_concatenate_same_tensor_twice():
    x = ad.tensor([1.0, 2.0], requires_grad=True)

    y = ad.concatenate([x, x, x])
    (y * ad.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])).sum().backward()

    np.testing.assert_array_equal(x.grad.data, [9.0, 12.0])


@given(data=st.data())
def test_stack_matches_oracles(data):
    shape = data.draw(shapes())
    count = data.draw(st.integers(1, 3))
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    parts = [data.draw(values(shape)) for _ in range(count)]

    check_op(lambda *ts: ad.stack(ts, axis=axis), *parts,
             torch_function=lambda *ts: torch.stack(ts, dim=axis))


@given(data=st.data())
def test_split_sections_matches_oracles(data):
    shape = list(data.draw(shapes(min_dims=1, max_side=3)))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    sections = data.draw(st.integers(1, 3))
    shape[axis] *= sections
    x = data.draw(values(tuple(shape)))

    check_op(lambda t: ad.split(t, sections, axis=axis), x,
             torch_function=lambda t: torch.tensor_split(t, sections, dim=axis))


@pytest.mark.parametrize("indices", [[1], [1, 3], [0, 2, 2], [2, 10]])
def test_split_indices_matches_oracles(indices):
    x = np.arange(10.0).reshape(5, 2)

    check_op(lambda t: ad.split(t, indices), x,
             torch_function=lambda t: torch.tensor_split(t, indices))


def test_split_unused_piece_gets_zero():
    x = ad.tensor(np.arange(4.0), requires_grad=True)

    first, _ = ad.split(x, 2)
    first.sum().backward()

    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0, 0.0, 0.0])


def test_numpy_sum_dispatches_to_method():
    x = ad.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    total = np.sum(x, axis=0)
    np.testing.assert_array_equal(total.data, [3.0, 5.0, 7.0])
    assert total.requires_grad


def test_moveaxis_sequences_like_numpy():
    data = np.arange(24.0).reshape(2, 3, 4)
    result = ad.moveaxis(ad.tensor(data), (0, 1), (2, 0))
    np.testing.assert_array_equal(result.data, np.moveaxis(data, (0, 1), (2, 0)))


def test_expand_dims_list_axes():
    assert ad.expand_dims(ad.ones((2, 3)), [0, 3]).shape == (1, 2, 3, 1)


def test_split_with_tensor_indices():
    pieces = ad.split(ad.tensor(np.arange(5.0)), ad.tensor([2, 3]))
    assert [p.shape for p in pieces] == [(2,), (1,), (2,)]


def test_std_argmax_newaxis():
    data = np.array([[1.0, 4.0, 2.0], [3.0, 0.0, 5.0]])
    x = ad.tensor(data)
    np.testing.assert_allclose(ad.std(x, axis=1, ddof=1).data, np.std(data, axis=1, ddof=1))
    np.testing.assert_array_equal(ad.argmax(x, axis=1).data, [1, 2])
    np.testing.assert_array_equal(x.argmin().data, np.argmin(data))
    assert x[:, ad.newaxis].shape == (2, 1, 3)
