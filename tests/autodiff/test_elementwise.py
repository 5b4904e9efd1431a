"""Elementwise ops: values and gradients against central differences and PyTorch.

Binary ops over every broadcasting pair are in test_broadcasting.py, and
sigmoid, tanh and relu in test_activations.py.
"""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import autodiff as ad
from array_strategies import away_from_zero, positive, shapes, values, with_ties
from torch_oracle import assert_matches_torch, check_op

# name: (autodiff function, torch function, strategy of valid inputs)
UNARY = {
    "exp": (ad.exp, torch.exp, values),
    "log": (ad.log, torch.log, positive),
    "log1p": (ad.log1p, torch.log1p, positive),
    "sqrt": (ad.sqrt, torch.sqrt, positive),
    "sin": (ad.sin, torch.sin, values),
    "cos": (ad.cos, torch.cos, values),
    "abs": (ad.abs, torch.abs, away_from_zero),
    "sign": (ad.sign, torch.sign, away_from_zero),
    "negative": (ad.negative, torch.neg, values),
    "square": (ad.square, torch.square, values),
}


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_unary_matches_oracles(name, data):
    function, torch_function, strategy = UNARY[name]
    x = data.draw(shapes().flatmap(strategy))

    check_op(function, x, torch_function=torch_function)


@pytest.mark.parametrize("name", ["exp", "log", "log1p", "sqrt", "sin", "cos", "abs", "sign"])
def test_unary_method_form(name):
    x = ad.tensor([0.5, 1.5], requires_grad=True)

    method = getattr(x, name)()
    function = getattr(ad, name)(x)

    np.testing.assert_array_equal(method.data, function.data)


# --- conventions at kinks, pinned to PyTorch's ---


@given(with_ties(shapes(min_dims=1)))
def test_abs_at_zero_like_torch(x):
    assert_matches_torch(ad.abs, x, torch_function=torch.abs)


def test_abs_gradient_zero_at_zero():
    x = ad.tensor([-2.0, 0.0, 3.0], requires_grad=True)

    abs(x).sum().backward()

    np.testing.assert_array_equal(x.grad.data, [-1.0, 0.0, 1.0])


def test_sign_gradient_is_zero():
    x = ad.tensor([-2.0, 0.0, 3.0], requires_grad=True)

    ad.sign(x).sum().backward()

    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 0.0])


# --- clip ---


@given(data=st.data())
def test_clip_matches_oracles(data):
    x = data.draw(shapes().flatmap(away_from_zero))
    # Bounds at ±0.125 never equal a value, which keeps central differences off the kinks.
    check_op(lambda t: ad.clip(t, -0.125, 0.125), x,
             torch_function=lambda t: torch.clamp(t, -0.125, 0.125))


def test_clip_bounds_inclusive_like_torch():
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])

    assert_matches_torch(lambda t: ad.clip(t, -1.0, 1.0), x,
                         torch_function=lambda t: torch.clamp(t, -1.0, 1.0))


def test_clip_gradient_at_bounds():
    x = ad.tensor([-2.0, -1.0, 0.0, 1.0, 2.0], requires_grad=True)

    ad.clip(x, -1.0, 1.0).sum().backward()

    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 1.0, 1.0, 0.0])


@pytest.mark.parametrize("bounds", [(0.0, None), (None, 0.5)], ids=["min_only", "max_only"])
def test_clip_one_bound(bounds):
    a_min, a_max = bounds
    x = np.array([-1.0, 0.0, 0.5, 1.0])

    assert_matches_torch(lambda t: ad.clip(t, a_min, a_max), x,
                         torch_function=lambda t: torch.clamp(t, a_min, a_max))


def test_clip_array_bounds():
    x = np.array([[-1.0, 0.0, 0.5], [1.0, 2.0, -3.0]])
    low = np.array([-0.5, 0.0, 0.0])
    high = np.array([0.5, 1.0, 2.0])

    assert_matches_torch(lambda t: ad.clip(t, low, high), x,
                         torch_function=lambda t: torch.clamp(t, torch.from_numpy(low), torch.from_numpy(high)))


def test_clip_method_form():
    x = ad.tensor([-2.0, 0.5, 2.0])

    np.testing.assert_array_equal(x.clip(-1.0, 1.0).data, [-1.0, 0.5, 1.0])


# --- power: both arguments, and the special points ---


@given(data=st.data())
def test_power_matches_oracles(data):
    shape = data.draw(shapes())
    base = data.draw(positive(shape))
    exponent = data.draw(values(shape))

    check_op(ad.power, base, exponent, torch_function=torch.pow)


def test_power_zero_base_like_torch():
    base = np.array([0.0, 0.0, 0.0, 2.0, 0.0])
    exponent = np.array([0.0, 1.0, 2.0, 0.0, 3.0])

    assert_matches_torch(ad.power, base, exponent, torch_function=torch.pow)


def test_power_zero_exponent_gradient():
    x = ad.tensor([0.0, 3.0], requires_grad=True)

    (x ** 0.0).sum().backward()

    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])


@pytest.mark.filterwarnings("error")
def test_power_zero_base_no_warning():
    x = ad.tensor([0.0, 2.0], requires_grad=True)

    (x ** 0.0 + x ** 1.0 + x ** 2.0).sum().backward()

    np.testing.assert_array_equal(x.grad.data, [1.0, 5.0])


def test_power_negative_base_integer_exponent():
    x = np.array([-2.0, -0.5, 1.5])

    check_op(lambda t: t ** 3, x, torch_function=lambda t: t ** 3)


# --- operators with Python numbers and ndarrays on either side ---

SCALAR_OPERATORS = {
    "add": lambda t: t + 1.5,
    "radd": lambda t: 1.5 + t,
    "sub": lambda t: t - 1.5,
    "rsub": lambda t: 1.5 - t,
    "mul": lambda t: t * -2,
    "rmul": lambda t: -2 * t,
    "div": lambda t: t / 4.0,
    "rdiv": lambda t: 4.0 / t,
    "pow": lambda t: t ** 2,
    "rpow": lambda t: 2.0 ** t,
    "neg": lambda t: -t,
    "abs": lambda t: abs(t),
}


@pytest.mark.parametrize("name", SCALAR_OPERATORS)
@given(x=shapes().flatmap(away_from_zero))
def test_operator_with_number(name, x):
    function = SCALAR_OPERATORS[name]

    check_op(function, x)


ARRAY_OPERATORS = {
    "add": (lambda t, a: t + a, lambda a, t: a + t),
    "sub": (lambda t, a: t - a, lambda a, t: a - t),
    "mul": (lambda t, a: t * a, lambda a, t: a * t),
    "div": (lambda t, a: t / a, lambda a, t: a / t),
    "pow": (lambda t, a: t ** a, lambda a, t: a ** t),
}


@pytest.mark.parametrize("side", ["tensor_left", "array_left"])
@pytest.mark.parametrize("name", ARRAY_OPERATORS)
def test_operator_with_ndarray(name, side):
    tensor_left, array_left = ARRAY_OPERATORS[name]
    x = np.array([[0.5, 1.0, 1.5], [2.0, 0.75, 1.25]])
    constant = np.array([1.5, 0.5, 2.0])

    if side == "tensor_left":
        ours = lambda t: tensor_left(t, constant)  # noqa: E731
        theirs = lambda t: tensor_left(t, torch.from_numpy(constant))  # noqa: E731
    else:
        ours = lambda t: array_left(constant, t)  # noqa: E731
        theirs = lambda t: array_left(torch.from_numpy(constant), t)  # noqa: E731

    _, outputs = assert_matches_torch(ours, x, torch_function=theirs)

    assert isinstance(outputs[0], ad.Tensor)


def test_matmul_operator_with_ndarray():
    x = np.array([[0.5, 1.0], [2.0, -1.0]])
    constant = np.array([[1.0, 2.0], [3.0, 4.0]])

    assert_matches_torch(lambda t: constant @ t, x,
                         torch_function=lambda t: torch.from_numpy(constant) @ t)


def test_positive_operator_is_identity():
    x = ad.tensor([1.0, -2.0], requires_grad=True)

    assert +x is x


# --- comparisons: bool results without history ---

COMPARISONS = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}
OTHER_OPERANDS = {
    "number": 0.5,
    "ndarray": np.array([0.0, 0.5, 1.0]),
    "tensor": ad.tensor([0.0, 0.5, 1.0]),
}


@pytest.mark.parametrize("other", OTHER_OPERANDS)
@pytest.mark.parametrize("name", COMPARISONS)
def test_comparison_tensor_left(name, other):
    compare = COMPARISONS[name]
    x = ad.tensor([0.5, 0.5, 0.5], requires_grad=True)
    operand = OTHER_OPERANDS[other]
    operand_data = operand.data if isinstance(operand, ad.Tensor) else operand

    result = compare(x, operand)

    assert isinstance(result, ad.Tensor)
    assert result.dtype == np.bool_
    assert not result.requires_grad
    np.testing.assert_array_equal(result.data, compare(x.data, operand_data))


@pytest.mark.parametrize("other", ["number", "ndarray"])
@pytest.mark.parametrize("name", COMPARISONS)
def test_comparison_tensor_right(name, other):
    compare = COMPARISONS[name]
    x = ad.tensor([0.5, 0.5, 0.5], requires_grad=True)
    operand = OTHER_OPERANDS[other]

    result = compare(operand, x)

    assert isinstance(result, ad.Tensor)
    assert result.dtype == np.bool_
    assert not result.requires_grad
    np.testing.assert_array_equal(result.data, compare(operand, x.data))


@pytest.mark.parametrize("name", ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal"])
def test_comparison_functions(name):
    x = ad.tensor([[0.0, 1.0], [2.0, 3.0]])

    result = getattr(ad, name)(x, 1.0)

    np.testing.assert_array_equal(result.data, getattr(np, name)(x.data, 1.0))


# --- astype ---


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(x=shapes().flatmap(values))
def test_astype_round_trip_like_torch(dtype, x):
    # No central differences here: a float32 round trip is too coarse for h = 1e-6.
    assert_matches_torch(lambda t: (t.astype(np.float32) * 3.0).astype(np.float64), x.astype(dtype),
                         torch_function=lambda t: (t.to(torch.float32) * 3.0).to(torch.float64))


def test_astype_float32_grad_dtype():
    x = ad.tensor([1.0, 2.0], requires_grad=True)

    y = x.astype("float32")
    (y * y).sum().backward()

    assert y.dtype == np.float32
    assert x.grad.dtype == np.float64
    np.testing.assert_allclose(x.grad.data, [2.0, 4.0])


def test_astype_int_has_no_history():
    x = ad.tensor([1.7, -2.2], requires_grad=True)

    y = x.astype(np.int64)

    assert y.dtype == np.int64
    assert not y.requires_grad
    np.testing.assert_array_equal(y.data, [1, -2])


def test_astype_same_dtype_returns_input():
    x = ad.tensor([1.0, 2.0], requires_grad=True)

    assert x.astype(np.float64) is x
