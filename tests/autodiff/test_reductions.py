"""Reductions (sum, mean, max, min, var) over every kind of `axis`, with and without keepdims."""

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

import autodiff as ad
from array_strategies import axes, distinct, reduced_count, shapes, torch_dims, values, with_ties
from torch_oracle import assert_matches_torch, check_op


def _torch_sum(axis, keepdims):
    return lambda t: torch.sum(t, dim=torch_dims(axis, t.ndim), keepdim=keepdims)


def _torch_mean(axis, keepdims):
    return lambda t: torch.mean(t, dim=torch_dims(axis, t.ndim), keepdim=keepdims)


def _torch_amax(axis, keepdims):
    return lambda t: torch.amax(t, dim=torch_dims(axis, t.ndim), keepdim=keepdims)


def _torch_amin(axis, keepdims):
    return lambda t: torch.amin(t, dim=torch_dims(axis, t.ndim), keepdim=keepdims)


# name: (autodiff function, torch function factory, strategy of inputs for gradcheck)
REDUCTIONS = {
    "sum": (ad.sum, _torch_sum, values),
    "mean": (ad.mean, _torch_mean, values),
    "max": (ad.max, _torch_amax, distinct),
    "min": (ad.min, _torch_amin, distinct),
}


@pytest.mark.parametrize("name", REDUCTIONS)
@given(data=st.data())
def test_reduction_matches_oracles(name, data):
    function, torch_factory, strategy = REDUCTIONS[name]
    x = data.draw(shapes().flatmap(strategy))
    axis = data.draw(axes(x.ndim))
    keepdims = data.draw(st.booleans())

    check_op(lambda t: function(t, axis=axis, keepdims=keepdims), x,
             torch_function=torch_factory(axis, keepdims))


@pytest.mark.parametrize("name", REDUCTIONS)
@given(data=st.data())
def test_reduction_method_matches_function(name, data):
    function = REDUCTIONS[name][0]
    x = data.draw(shapes(min_dims=1).flatmap(values))
    axis = data.draw(axes(x.ndim))

    method = getattr(ad.tensor(x), name)(axis=axis, keepdims=True)

    np.testing.assert_array_equal(method.data, function(x, axis=axis, keepdims=True).data)


@given(data=st.data())
def test_var_matches_oracles(data):
    x = data.draw(shapes().flatmap(values))
    axis = data.draw(axes(x.ndim))
    keepdims = data.draw(st.booleans())
    ddof = data.draw(st.integers(0, 1))
    assume(reduced_count(x.shape, axis) > ddof)

    check_op(lambda t: ad.var(t, axis=axis, ddof=ddof, keepdims=keepdims), x,
             torch_function=lambda t: torch.var(t, dim=torch_dims(axis, t.ndim), correction=ddof, keepdim=keepdims))


def test_var_method_with_ddof():
    x = np.array([[1.0, 2.0, 4.0], [0.0, -1.0, 3.0]])

    result = ad.tensor(x).var(axis=1, ddof=1)

    np.testing.assert_allclose(result.data, np.var(x, axis=1, ddof=1))


def test_var_no_degrees_of_freedom():
    x = ad.tensor([[1.0, 2.0]], requires_grad=True)

    with pytest.warns(RuntimeWarning, match="degrees of freedom"):
        result = ad.var(x, axis=0, ddof=1)

    np.testing.assert_array_equal(result.data, [np.nan, np.nan])


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_of_scalar(name):
    function, torch_factory, _ = REDUCTIONS[name]
    x = np.array(1.5)

    assert_matches_torch(lambda t: function(t), x, torch_function=torch_factory(None, False))


def test_sum_keepdims_shape():
    x = ad.tensor(np.ones((2, 3, 4)))

    assert ad.sum(x, axis=(0, -1), keepdims=True).shape == (1, 3, 1)
    assert ad.sum(x, axis=(0, -1)).shape == (3,)
    assert ad.sum(x, axis=None, keepdims=True).shape == (1, 1, 1)
    assert ad.sum(x).shape == ()


def test_mean_gradient_is_uniform():
    x = ad.tensor(np.zeros((2, 5)), requires_grad=True)

    ad.mean(x).backward()

    np.testing.assert_allclose(x.grad.data, np.full((2, 5), 0.1))


def test_amax_amin_aliases():
    assert ad.amax is ad.max
    assert ad.amin is ad.min


# --- ties: the gradient is shared evenly among the tied elements, as torch.amax does ---


@pytest.mark.parametrize("name", ["max", "min"])
@given(data=st.data())
def test_ties_share_like_torch(name, data):
    function, torch_factory, _ = REDUCTIONS[name]
    x = data.draw(shapes(min_dims=1).flatmap(with_ties))
    axis = data.draw(axes(x.ndim))
    keepdims = data.draw(st.booleans())

    for dtype in (np.float32, np.float64):
        assert_matches_torch(lambda t: function(t, axis=axis, keepdims=keepdims), x.astype(dtype),
                             torch_function=torch_factory(axis, keepdims))


def test_max_tie_splits_evenly():
    x = ad.tensor([3.0, 1.0, 3.0, 3.0], requires_grad=True)

    ad.max(x).backward()

    np.testing.assert_allclose(x.grad.data, [1 / 3, 0.0, 1 / 3, 1 / 3])


def test_min_tie_per_row():
    x = ad.tensor([[0.0, 0.0, 1.0], [2.0, -1.0, 5.0]], requires_grad=True)

    ad.min(x, axis=1).sum().backward()

    np.testing.assert_allclose(x.grad.data, [[0.5, 0.5, 0.0], [0.0, 1.0, 0.0]])


def test_std_of_constant_has_zero_grad_like_torch():
    x = ad.tensor([2.0, 2.0, 2.0], requires_grad=True)
    ad.std(x).backward()
    x_torch = torch.tensor([2.0, 2.0, 2.0], dtype=torch.float64, requires_grad=True)
    torch.std(x_torch, correction=0).backward()
    np.testing.assert_array_equal(x.grad.data, x_torch.grad.numpy())


def test_std_gradient_matches_torch():
    data = np.array([[1.0, 4.0, 2.0], [3.0, 0.0, 5.0]])
    x = ad.tensor(data, requires_grad=True)
    ad.std(x, axis=1, ddof=1).sum().backward()
    x_torch = torch.tensor(data, requires_grad=True)
    torch.std(x_torch, dim=1, correction=1).sum().backward()
    np.testing.assert_allclose(x.grad.data, x_torch.grad.numpy(), rtol=1e-12)
