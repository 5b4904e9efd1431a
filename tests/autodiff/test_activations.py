"""sigmoid, tanh, relu and the log-sum-exp family: values, gradients and stability."""

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import autodiff as ad
from array_strategies import away_from_zero, shapes, torch_dims, values, with_ties
from torch_oracle import assert_matches_torch, check_op

# name: (autodiff function, torch function, strategy of inputs, which keeps relu off its kink)
ACTIVATIONS = {
    "sigmoid": (ad.sigmoid, torch.sigmoid, values),
    "tanh": (ad.tanh, torch.tanh, values),
    "relu": (ad.relu, torch.relu, away_from_zero),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
@given(data=st.data())
def test_activation_matches_oracles(name, data):
    function, torch_function, strategy = ACTIVATIONS[name]
    x = data.draw(shapes().flatmap(strategy))

    check_op(function, x, torch_function=torch_function)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_method_form(name):
    function = ACTIVATIONS[name][0]
    x = ad.tensor([-1.0, 0.5, 2.0])

    np.testing.assert_array_equal(getattr(x, name)().data, function(x).data)


@given(x=shapes(min_dims=1).flatmap(with_ties))
def test_relu_at_zero_like_torch(x):
    assert_matches_torch(ad.relu, x, torch_function=torch.relu)


def test_relu_gradient_zero_at_zero():
    x = ad.tensor([-1.0, 0.0, 2.0], requires_grad=True)

    ad.relu(x).sum().backward()

    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 1.0])


# --- logsumexp, softmax, log_softmax ---


def _torch_logsumexp(axis, keepdims):
    return lambda t: torch.logsumexp(t, dim=torch_dims(axis, t.ndim), keepdim=keepdims)


def _torch_over_axis(torch_function, axis):
    """Apply torch's softmax-like function along `axis`, or over all elements for axis=None."""
    def apply(t):
        if axis is None:
            return torch_function(t.reshape(-1), dim=0).reshape(t.shape)
        return torch_function(t, dim=axis)
    return apply


@given(data=st.data())
def test_logsumexp_matches_oracles(data):
    x = data.draw(shapes().flatmap(values))
    axis = data.draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1)) if x.ndim else st.none())
    keepdims = data.draw(st.booleans())

    check_op(lambda t: ad.logsumexp(t, axis=axis, keepdims=keepdims), x,
             torch_function=_torch_logsumexp(axis, keepdims))


@pytest.mark.parametrize("keepdims", [True, False])
@pytest.mark.parametrize("axis", [(0, 2), (-1, 0), (1,)])
def test_logsumexp_tuple_axis(axis, keepdims):
    x = np.random.default_rng(3).standard_normal((2, 3, 4))

    check_op(lambda t: ad.logsumexp(t, axis=axis, keepdims=keepdims), x,
             torch_function=_torch_logsumexp(axis, keepdims))


@pytest.mark.parametrize("axis", [(0, 2), (-1, 0)])
def test_log_softmax_tuple_axis(axis):
    x = np.random.default_rng(3).standard_normal((2, 3, 4))

    check_op(lambda t: ad.log_softmax(t, axis=axis), x,
             torch_function=lambda t: t - torch.logsumexp(t, dim=axis, keepdim=True))
    check_op(lambda t: ad.softmax(t, axis=axis), x,
             torch_function=lambda t: torch.exp(t - torch.logsumexp(t, dim=axis, keepdim=True)))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@given(data=st.data())
def test_softmax_family_matches_oracles(name, data):
    x = data.draw(shapes().flatmap(values))
    axis = data.draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1)) if x.ndim else st.none())
    function = getattr(ad, name)
    torch_function = getattr(torch, name)

    check_op(lambda t: function(t, axis=axis), x, torch_function=_torch_over_axis(torch_function, axis))


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp"])
def test_softmax_family_methods(name):
    x = ad.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])

    np.testing.assert_array_equal(getattr(x, name)(axis=-1).data, getattr(ad, name)(x, axis=-1).data)


def test_softmax_rows_sum_to_one():
    x = ad.tensor(np.random.default_rng(4).standard_normal((3, 5)))

    np.testing.assert_allclose(ad.softmax(x, axis=-1).sum(axis=-1).data, np.ones(3))


def test_softmax_default_axis_is_all():
    x = ad.tensor([[1.0, 2.0], [3.0, 4.0]])

    assert ad.softmax(x).sum().item() == pytest.approx(1.0)


# --- stability: no overflow to inf or nan at extreme inputs ---


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_saturation_is_finite(name, dtype):
    function, torch_function, _ = ACTIVATIONS[name]
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=dtype)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        inputs, outputs = assert_matches_torch(function, x, torch_function=torch_function)

    assert np.isfinite(outputs[0].data).all()
    assert np.isfinite(inputs[0].grad.data).all()


LOGITS = {
    "large": np.array([[1000.0, 1001.0, 999.0], [1000.0, 1000.0, 1000.0]]),
    "small": np.array([[-1000.0, -1001.0, -999.0], [-1000.0, -1000.0, -1000.0]]),
    "spread": np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]]),
}
LSE_FAMILY = {
    "logsumexp": (lambda t: ad.logsumexp(t, axis=-1), lambda t: torch.logsumexp(t, dim=-1)),
    "softmax": (lambda t: ad.softmax(t, axis=-1), lambda t: torch.softmax(t, dim=-1)),
    "log_softmax": (lambda t: ad.log_softmax(t, axis=-1), lambda t: torch.log_softmax(t, dim=-1)),
}


@pytest.mark.parametrize("logits", LOGITS)
@pytest.mark.parametrize("name", LSE_FAMILY)
def test_extreme_logits_like_torch(name, logits):
    function, torch_function = LSE_FAMILY[name]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        inputs, outputs = assert_matches_torch(function, LOGITS[logits], torch_function=torch_function)

    assert np.isfinite(outputs[0].data).all()
    assert np.isfinite(inputs[0].grad.data).all()


@pytest.mark.parametrize("logits", LOGITS)
@pytest.mark.parametrize("name", LSE_FAMILY)
def test_extreme_logits_float32_accurate(name, logits):
    # Compared with float64 torch: float32 torch itself is off by up to
    # 3e-5 here, because it rounds logsumexp(x) near 1000 before using it.
    function, torch_function = LSE_FAMILY[name]
    x = LOGITS[logits]
    upstream = np.random.default_rng(5).standard_normal(x.shape[:1] if name == "logsumexp" else x.shape)
    reference_input = torch.tensor(x, requires_grad=True)
    torch_function(reference_input).backward(torch.tensor(upstream))

    ours_input = ad.tensor(x.astype(np.float32), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = function(ours_input)
        ours.backward(grad=upstream.astype(np.float32))

    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours.data, torch_function(torch.tensor(x)).numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ours_input.grad.data, reference_input.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_logsumexp_large_value():
    x = ad.tensor([1000.0, 1000.0])

    assert ad.logsumexp(x).item() == pytest.approx(1000.0 + np.log(2.0))


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning", "ignore:invalid value:RuntimeWarning")
def test_logsumexp_all_neg_inf_row():
    # A row of all -inf sums to exp(-inf) = 0, so its logsumexp is -inf, as
    # in torch and SciPy. The other rows must stay finite, gradients included.
    x = np.array([[-np.inf, -np.inf], [0.0, 1.0]])

    inputs, outputs = assert_matches_torch(lambda t: ad.logsumexp(t, axis=-1), x,
                                           torch_function=lambda t: torch.logsumexp(t, dim=-1))

    assert outputs[0].data[0] == -np.inf
    assert np.isfinite(outputs[0].data[1])
    assert np.isfinite(inputs[0].grad.data[1]).all()


def test_log_softmax_masked_logit():
    # A -inf logit (a masked class) gets probability 0 and gradient 0.
    x = np.array([[0.0, -np.inf, 1.0]])

    inputs, outputs = assert_matches_torch(lambda t: ad.softmax(t, axis=-1), x,
                                           torch_function=lambda t: torch.softmax(t, dim=-1))

    assert outputs[0].data[0, 1] == 0.0
    assert inputs[0].grad.data[0, 1] == 0.0
