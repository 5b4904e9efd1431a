"""Tensor attributes, methods and the Python protocol (len, iter, repr, bool, float)."""

import numpy as np
import pytest

import autodiff as ad


def test_data_is_a_copy():
    source = np.array([1.0, 2.0])

    x = ad.tensor(source)
    source[0] = 99.0

    assert isinstance(x.data, np.ndarray)
    assert x.data[0] == 1.0


def test_tensor_from_tensor_copies():
    x = ad.tensor([1.0, 2.0], requires_grad=True)

    y = ad.Tensor(x)

    assert y.data is not x.data
    assert not y.requires_grad
    np.testing.assert_array_equal(y.data, x.data)


def test_shape_ndim_size():
    x = ad.tensor(np.zeros((2, 3, 4)))

    assert x.shape == (2, 3, 4)
    assert x.ndim == 3
    assert x.size == 24


def test_scalar_is_zero_d():
    x = ad.tensor(2.5)

    assert x.shape == ()
    assert x.ndim == 0
    assert x.size == 1


@pytest.mark.parametrize("data, dtype", [(1.0, np.float64), (1, np.int64), (True, np.bool_),
                                         (np.float32(1.0), np.float32)])
def test_dtype_follows_numpy(data, dtype):
    assert ad.tensor(data).dtype == dtype


def test_dtype_argument():
    assert ad.tensor([1, 2], dtype="float32").dtype == np.float32


def test_requires_grad_default_false():
    assert not ad.tensor([1.0]).requires_grad


def test_leaf_and_non_leaf():
    x = ad.tensor([1.0], requires_grad=True)
    y = x * 2.0

    assert x.is_leaf
    assert not y.is_leaf
    assert x.op is None
    assert y.op == "multiply"


def test_constant_result_is_leaf():
    y = ad.tensor([1.0]) * 2.0

    assert y.is_leaf
    assert not y.requires_grad


def test_name_attribute():
    x = ad.tensor(1.0, name="w")

    assert x.name == "w"
    assert ad.tensor(1.0).name is None


def test_scope_attribute():
    with ad.name_scope("layer1"):
        with ad.name_scope("relu"):
            inner = ad.tensor(1.0) * 2.0
        outer = ad.tensor(1.0)

    assert inner.scope == "layer1/relu"
    assert outer.scope == "layer1"
    assert ad.tensor(1.0).scope is None


def test_item_returns_python_number():
    value = ad.tensor([[2.5]]).item()

    assert value == 2.5
    assert type(value) is float


def test_float_and_int_conversion():
    assert float(ad.tensor(2.5)) == 2.5
    assert int(ad.tensor(3.0)) == 3


def test_numpy_shares_memory():
    x = ad.tensor([1.0, 2.0])

    assert x.numpy() is x.data


def test_tolist():
    assert ad.tensor([[1.0, 2.0]]).tolist() == [[1.0, 2.0]]


def test_detach_shares_data_without_history():
    x = ad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0

    d = y.detach()

    assert d.data is y.data
    assert not d.requires_grad
    assert d.is_leaf
    assert d.grad is None


def test_requires_grad_in_place():
    x = ad.tensor([1.0, 2.0])

    result = x.requires_grad_()
    (x * x).sum().backward()

    assert result is x
    assert x.requires_grad
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])


def test_requires_grad_off():
    x = ad.tensor([1.0, 2.0], requires_grad=True)

    x.requires_grad_(False)

    assert not (x * 2.0).requires_grad


def test_zero_grad_sets_none():
    x = ad.tensor([1.0, 2.0], requires_grad=True)
    (x * 2.0).sum().backward()

    x.zero_grad()

    assert x.grad is None


def test_len_is_first_axis():
    assert len(ad.tensor(np.zeros((3, 2)))) == 3


def test_iteration_over_rows():
    rows = list(ad.tensor([[1.0, 2.0], [3.0, 4.0]]))

    assert len(rows) == 2
    np.testing.assert_array_equal(rows[1].data, [3.0, 4.0])


def test_bool_of_single_element():
    assert bool(ad.tensor([1.0]))
    assert not bool(ad.tensor(0.0))


def test_hashable_by_identity():
    x = ad.tensor([1.0])
    y = ad.tensor([1.0])

    assert len({x, y}) == 2


# --- repr ---


def test_repr_shows_values_shape_dtype():
    text = repr(ad.tensor([1.5, -2.0], dtype="float32"))

    assert "1.5" in text
    assert "-2." in text
    assert "shape=(2,)" in text
    assert "dtype=float32" in text


def test_repr_shows_op():
    x = ad.tensor([1.0], requires_grad=True)

    assert "op=multiply" in repr(x * 2.0)


def test_repr_shows_name_and_requires_grad():
    text = repr(ad.tensor(1.0, requires_grad=True, name="w"))

    assert "name='w'" in text
    assert "requires_grad=True" in text


def test_repr_of_scalar():
    assert repr(ad.tensor(2.0)) == "Tensor(2., shape=(), dtype=float64)"


def test_repr_summarises_large_tensors():
    text = repr(ad.tensor(np.zeros(1000)))

    assert "..." in text
    assert len(text) < 500


# --- constructors ---


@pytest.mark.parametrize("name", ["zeros", "ones"])
def test_zeros_ones(name):
    x = getattr(ad, name)((2, 3), requires_grad=True)

    assert x.shape == (2, 3)
    assert x.dtype == np.float64
    assert x.requires_grad
    np.testing.assert_array_equal(x.data, getattr(np, name)((2, 3)))


def test_like_constructors():
    x = ad.tensor(np.zeros((2, 2), dtype=np.float32))

    assert ad.zeros_like(x).dtype == np.float32
    assert ad.ones_like(x).shape == (2, 2)


def test_other_constructors():
    np.testing.assert_array_equal(ad.full((2,), 7.0).data, [7.0, 7.0])
    np.testing.assert_array_equal(ad.arange(3).data, [0, 1, 2])
    np.testing.assert_array_equal(ad.linspace(0.0, 1.0, 3).data, [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(ad.eye(2).data, np.eye(2))
