"""Python and NumPy protocols on tensors: formatting, indexing, copying, pickling, conversion."""

import copy
import pickle

import numpy as np
import pytest

import autodiff as ad


def test_format_spec_on_scalar():
    assert f"{ad.tensor(0.123456):.3f}" == "0.123"


def test_format_without_spec_is_str():
    t = ad.tensor([1.0, 2.0])
    assert f"{t}" == str(t)


def test_integer_tensor_as_index():
    assert [10, 20, 30][ad.tensor(1)] == 20


def test_float_tensor_as_index_rejected():
    with pytest.raises(TypeError, match="integer tensor with one element"):
        [10, 20][ad.tensor(1.0)]


def test_equal_none_is_false():
    t = ad.tensor([1.0, 2.0])
    assert (t == None) is False  # noqa: E711  (the operator itself is under test)
    assert (t != None) is True  # noqa: E711


def test_membership_with_none():
    assert ad.tensor(1.0) in [None, 1]


def test_asarray_of_constant():
    np.testing.assert_array_equal(np.asarray(ad.tensor([1.0, 2.0])), [1.0, 2.0])


def test_asarray_rejects_grad_tensor():
    w = ad.tensor(np.ones((3, 2)), requires_grad=True)
    with pytest.raises(TypeError, match=r"lose its history.*autodiff\.dot.*detach\(\)\.numpy\(\)"):
        np.dot(np.ones((4, 3)), w)


def test_numpy_stack_rejects_grad_tensor():
    w = ad.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="autodiff.stack"):
        np.stack([w, w])


def test_deepcopy_leaf_copies_data_and_grad():
    w = ad.tensor([1.0, 2.0], requires_grad=True, name="w")
    (w * w).sum().backward()
    copied = copy.deepcopy(w)
    copied.data[0] = 5.0
    assert w.data[0] == 1.0
    assert copied.requires_grad
    assert copied.name == "w"
    np.testing.assert_array_equal(copied.grad.data, [2.0, 4.0])
    assert copied.grad is not w.grad


def test_deepcopy_non_leaf_rejected():
    w = ad.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"deepcopy of a tensor made by 'multiply'.*detach"):
        copy.deepcopy(w * 2.0)


def test_pickle_leaf_round_trip():
    w = ad.tensor([1.0, 2.0], requires_grad=True, name="w")
    restored = pickle.loads(pickle.dumps(w))
    np.testing.assert_array_equal(restored.data, w.data)
    assert restored.requires_grad
    assert restored.name == "w"


def test_pickle_non_leaf_rejected():
    w = ad.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"cannot pickle a tensor made by 'multiply'.*detach"):
        pickle.dumps(w * 2.0)


def test_ufunc_error_keeps_reason():
    with pytest.raises(TypeError, match=r"^sign: ufunc 'sign' did not contain a loop"):
        ad.sign(ad.tensor([True, False]))
