"""0-d tensors hold NumPy scalars: the same results as n-d tensors, bit for bit.

A 0-d tensor's data is a NumPy scalar, and its arithmetic takes NumPy's
scalar path. These tests pin the places where that path could drift from
the array path, and the conversions at the edges of the library.
"""

import pickle

import numpy as np
import pytest

import autodiff as ad
import nn
from autodiff.primitives import Primitive
from autodiff.tensor import apply


def scalar_and_vector_results(function, value, dtype):
    """Return (0-d result, gradient) and the same from a shape-(1,) tensor, as Python lists."""
    results = []
    for wrap in (lambda v: v, lambda v: [v]):
        x = ad.tensor(wrap(value), dtype=dtype, requires_grad=True)
        y = function(x)
        y.sum().backward()
        results.append((np.ravel(y.data).tolist(), np.ravel(x.grad.data).tolist()))
    return results


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("exponent", [3.0, 0.5, -2.0, -0.5, 2.0])
def test_power_same_bits_for_0d_and_1d(dtype, exponent):
    values = np.random.default_rng(0).uniform(0.1, 3.0, size=50).tolist() + [np.inf]

    for value in values:
        scalar, vector = scalar_and_vector_results(lambda x: x ** exponent, value, dtype)

        np.testing.assert_array_equal(scalar[0], vector[0], err_msg=f"value {value!r}")
        np.testing.assert_array_equal(scalar[1], vector[1], err_msg=f"gradient at {value!r}")


@pytest.mark.filterwarnings("ignore:invalid value encountered in power:RuntimeWarning")
def test_power_at_negative_inf_and_zero():
    for value in (-np.inf, -0.0):
        scalar = ad.tensor(value) ** 0.5
        vector = ad.tensor([value]) ** 0.5

        np.testing.assert_array_equal(np.asarray(scalar.data), vector.data[0])
        assert np.signbit(scalar.data) == np.signbit(vector.data[0])


@pytest.mark.parametrize("value", [-0.0, 0.0, -1.5, 2.0, np.nan, -np.inf, np.inf])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_0d_matches_1d(value, dtype):
    scalar = ad.relu(ad.tensor(value, dtype=dtype))
    vector = ad.relu(ad.tensor([value], dtype=dtype))

    assert scalar.dtype == vector.dtype
    np.testing.assert_array_equal(np.asarray(scalar.data), vector.data[0])
    assert np.signbit(scalar.data) == np.signbit(vector.data[0])


def test_relu_of_bool_has_the_array_dtype():
    assert ad.relu(ad.tensor(True)).dtype == ad.relu(ad.tensor([True])).dtype


def test_array_rule_returning_tensor_is_rejected():
    double = Primitive(
        "double", lambda a: a * 2,
        (lambda g, out, a: g * 2,),
        (lambda g, out, a: ad.tensor(g * 2),),  # wrong: array rules return arrays
    )
    a = ad.tensor([1.0, 2.0], requires_grad=True)

    with pytest.raises(TypeError, match="array VJP rule of 'double' for input 0 returned Tensor"):
        apply(double, (a,)).sum().backward()


def test_create_graph_grad_does_not_share_the_seed():
    x = ad.tensor([1.0, 2.0], requires_grad=True)
    z = ad.tensor([3.0, 4.0], requires_grad=True)
    seed = np.ones(2)

    with pytest.warns(UserWarning, match="reference cycle"):
        (x + z).backward(seed, create_graph=True)
    seed += 100

    assert x.grad is not z.grad
    assert not np.shares_memory(x.grad.data, z.grad.data)
    assert x.grad.tolist() == [1.0, 1.0]
    assert z.grad.tolist() == [1.0, 1.0]


def test_create_graph_output_leaf_copied():
    x = ad.tensor([1.0, 2.0], requires_grad=True)
    seed = ad.tensor([5.0, 6.0])

    with pytest.warns(UserWarning):
        x.backward(seed, create_graph=True)

    assert x.grad is not seed
    assert not np.shares_memory(x.grad.data, seed.data)


def test_create_graph_copies_keep_history():
    x = ad.tensor([1.0, 2.0], requires_grad=True)
    z = ad.tensor([3.0, 4.0], requires_grad=True)

    with pytest.warns(UserWarning):
        ((x * z) + (x * z)).sum().backward(create_graph=True)

    # ∂J/∂x = 2z, so ∂(Σ x.grad)/∂z = 2 for each element.
    (dz,) = ad.grad(x.grad.sum(), [z])
    assert dz.tolist() == [2.0, 2.0]


@pytest.mark.parametrize("result", [
    lambda: ad.tensor(1.0) > 0,
    lambda: ad.tensor(1.0) == ad.tensor(2.0),
    lambda: ad.argmax(ad.tensor([1.0, 3.0, 2.0])),
    lambda: ad.sum(ad.tensor([1.0, 2.0])),
    lambda: ad.tensor([1.0, 2.0]) @ ad.tensor([3.0, 4.0]),
    lambda: ad.tensor([[1.0]]).reshape(()),
], ids=["greater", "equal", "argmax", "sum", "inner product", "reshape"])
def test_0d_results_hold_numpy_scalars(result):
    data = result().data

    assert isinstance(data, np.generic), type(data)


def test_asarray_without_copy_raises_for_0d():
    t = ad.tensor(3.0)

    with pytest.raises(ValueError, match="immutable NumPy scalar"):
        np.asarray(t, copy=False)
    assert np.asarray(t).shape == ()
    assert float(np.array(t)) == 3.0


def test_asarray_without_copy_shares_nd_data():
    t = ad.tensor([1.0, 2.0])

    assert np.asarray(t, copy=False) is t.data
    with pytest.raises(ValueError):
        np.asarray(t, dtype=np.float32, copy=False)


class Scale(nn.Module):
    def __init__(self):
        super().__init__()
        self.factor = nn.Parameter(2.0)

    def forward(self, x):
        return self.factor * x


def test_loaded_0d_parameter_holds_numpy_scalar(tmp_path):
    model = Scale()
    model.save(tmp_path / "scale.npz")
    other = Scale()
    other.factor.data = np.float64(5.0)

    other.load(tmp_path / "scale.npz")

    assert isinstance(other.factor.data, np.float64)
    assert other.factor.item() == 2.0


def test_load_state_dict_0d_parameter_holds_numpy_scalar():
    model = Scale()

    model.load_state_dict({"factor": np.array(7.0)})

    assert isinstance(model.factor.data, np.float64)
    assert model.factor.item() == 7.0


def test_0d_leaf_survives_pickle_as_scalar():
    x = ad.tensor(np.float32(1.5), requires_grad=True)

    copy = pickle.loads(pickle.dumps(x))

    assert isinstance(copy.data, np.float32)
    assert copy.requires_grad
