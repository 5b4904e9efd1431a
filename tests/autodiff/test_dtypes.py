"""dtype rules: float32 stays float32, gradients take their input's dtype, ints and bools are constants."""

import numpy as np
import pytest

import autodiff as ad

X32 = np.array([[0.5, 1.5, 0.25], [1.25, 0.75, 2.0]], dtype=np.float32)

# Every op, with Python-number operands where the op takes them. X32 is positive.
FLOAT32_OPS = {
    "add": lambda t: t + 1.5,
    "radd": lambda t: 1 + t,
    "subtract": lambda t: t - 2,
    "rsubtract": lambda t: 2.5 - t,
    "multiply": lambda t: t * 3,
    "rmultiply": lambda t: 0.5 * t,
    "divide": lambda t: t / 3,
    "rdivide": lambda t: 1.0 / t,
    "power": lambda t: t ** 2,
    "power_float": lambda t: t ** 0.5,
    "rpower": lambda t: 2.0 ** t,
    "power_tensors": lambda t: t ** t,
    "negative": lambda t: -t,
    "abs": lambda t: abs(t - 1.0),
    "sign": lambda t: ad.sign(t - 1.0),
    "exp": ad.exp,
    "log": ad.log,
    "sqrt": ad.sqrt,
    "sin": ad.sin,
    "cos": ad.cos,
    "tanh": ad.tanh,
    "sigmoid": ad.sigmoid,
    "relu": lambda t: ad.relu(t - 1.0),
    "square": ad.square,
    "maximum": lambda t: ad.maximum(t, 1.0),
    "rmaximum": lambda t: ad.maximum(1, t),
    "minimum": lambda t: ad.minimum(t, 1),
    "where": lambda t: ad.where(t.data > 1, t, 0.0),
    "where_number_first": lambda t: ad.where(t.data > 1, 0, t),
    "clip": lambda t: ad.clip(t, 0.5, 1),
    "matmul": lambda t: t @ t.T,
    "matmul_vector": lambda t: t @ t[0],
    "dot": lambda t: ad.dot(t[0], t[1]),
    "sum": lambda t: ad.sum(t, axis=0),
    "mean": lambda t: ad.mean(t, axis=-1),
    "max": lambda t: ad.max(t, axis=1, keepdims=True),
    "min": lambda t: ad.min(t),
    "var": lambda t: ad.var(t, axis=0, ddof=1),
    "reshape": lambda t: t.reshape(3, 2),
    "transpose": lambda t: t.T,
    "squeeze": lambda t: ad.squeeze(t[None]),
    "expand_dims": lambda t: ad.expand_dims(t, 1),
    "broadcast_to": lambda t: ad.broadcast_to(t, (4, 2, 3)),
    "concatenate": lambda t: ad.concatenate([t, t], axis=1),
    "stack": lambda t: ad.stack([t, t]),
    "stack_with_number": lambda t: ad.stack([t[0, 0], 1.0]),
    "split": lambda t: ad.split(t, 3, axis=1)[1],
    "getitem": lambda t: t[[0, 0, 1], 1:],
    "bool_mask": lambda t: t[t > 1.0],
    "logsumexp": lambda t: ad.logsumexp(t, axis=1),
    "softmax": lambda t: ad.softmax(t, axis=-1),
    "log_softmax": lambda t: ad.log_softmax(t, axis=0),
    "astype_round_trip": lambda t: t.astype(np.float64).astype(np.float32),
}


@pytest.mark.parametrize("name", FLOAT32_OPS)
def test_float32_output(name):
    x = ad.tensor(X32, requires_grad=True)

    y = FLOAT32_OPS[name](x)

    assert y.dtype == np.float32


@pytest.mark.parametrize("name", FLOAT32_OPS)
def test_float32_grad(name):
    x = ad.tensor(X32, requires_grad=True)

    y = FLOAT32_OPS[name](x)
    y.backward(grad=np.ones(y.shape, dtype=np.float32))

    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("seed", [2.0, np.float64(2.0), np.array(2.0), ad.tensor(2.0)],
                         ids=["python_float", "numpy_scalar", "zero_d_array", "zero_d_tensor"])
def test_float32_zero_d_seed(seed):
    x = ad.tensor(X32, requires_grad=True)

    (x * x).sum().backward(grad=seed)

    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.data, 4.0 * X32)


def test_float64_seed_on_float32_output():
    x = ad.tensor(X32, requires_grad=True)

    (x * 2.0).backward(grad=np.ones(X32.shape, dtype=np.float64))

    assert x.grad.dtype == np.float32


def test_float32_gradcheck_upcasts():
    x = ad.tensor(X32, requires_grad=True)

    assert ad.gradcheck(lambda t: ad.tanh(t) * t, x)


def test_float32_leaf_mixed_with_float64():
    x32 = ad.tensor(X32, requires_grad=True)
    w64 = ad.tensor(np.ones(3), requires_grad=True)

    y = (x32 * w64).sum()
    y.backward()

    assert y.dtype == np.float64
    assert x32.grad.dtype == np.float32
    assert w64.grad.dtype == np.float64


def test_numpy_scalar_promotes_like_numpy():
    # NumPy 2: a NumPy scalar is a strongly typed operand, unlike a Python float.
    x = ad.tensor(X32)

    assert (x * np.float64(2.0)).dtype == (X32 * np.float64(2.0)).dtype


# --- integer and bool tensors are constants ---


def test_int_constant_operand():
    x = ad.tensor([1.0, 2.0], requires_grad=True)
    counts = ad.tensor([3, 4])

    y = x * counts
    y.sum().backward()

    assert counts.dtype == np.int64
    assert y.dtype == np.float64
    np.testing.assert_array_equal(x.grad.data, [3.0, 4.0])


def test_bool_mask_operand_keeps_float32():
    x = ad.tensor(X32[0], requires_grad=True)
    mask = np.array([True, False, True])

    y = x * mask
    y.sum().backward()

    assert y.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, [1.0, 0.0, 1.0])


def test_int_constant_promotes_like_numpy():
    x = ad.tensor(X32[0], requires_grad=True)
    counts = np.array([1, 2, 3])

    y = x * counts
    y.sum().backward()

    assert y.dtype == np.result_type(X32, counts)
    assert x.grad.dtype == np.float32


def test_int_tensor_ops_stay_int():
    a = ad.tensor([1, 2, 3])

    assert (a + 1).dtype == np.int64
    assert ad.sum(a).dtype == np.int64
    assert not (a * 2).requires_grad


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.int32, np.bool_])
@pytest.mark.parametrize("number", [1, 2.5, True, 300, -1])
@pytest.mark.parametrize("reflected", [False, True])
def test_python_number_is_weak_like_numpy(dtype, number, reflected):
    # NumPy 2 and PyTorch keep an int8 tensor int8 next to a Python int, and
    # NumPy raises OverflowError for an int that the dtype cannot hold.
    array = np.array([1, 0, 1]).astype(dtype)
    t = ad.tensor(array)

    def expected():
        return number + array if reflected else array + number

    try:
        want = expected()
    except OverflowError:
        with pytest.raises(OverflowError, match=f"^add: Python integer {number} is out of bounds"):
            number + t if reflected else t + number
        return
    got = number + t if reflected else t + number

    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got.data, want)


def test_int_tensor_with_float_number():
    assert (ad.tensor([1, 2]) * 0.5).dtype == np.float64


def test_int_index_tensor():
    x = ad.tensor(X32, requires_grad=True)

    x[ad.tensor([1, 1])].sum().backward()

    np.testing.assert_array_equal(x.grad.data, [[0.0, 0.0, 0.0], [2.0, 2.0, 2.0]])


@pytest.mark.parametrize("create_graph", [False, True])
def test_float16_power_exponent_grad(create_graph):
    # The exponent's gradient takes log of the base in the result's dtype,
    # float32, as PyTorch does, not in float16 (about 3e-4 off before).
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    base = rng.uniform(0.5, 2.0, 50).astype(np.float16)
    exponent = rng.uniform(-2.0, 2.0, 50).astype(np.float32)
    x = ad.tensor(base, requires_grad=True)
    y = ad.tensor(exponent, requires_grad=True)
    xt = torch.tensor(base, requires_grad=True)
    yt = torch.tensor(exponent, requires_grad=True)

    gx, gy = ad.grad((x ** y).sum(), [x, y], create_graph=create_graph)
    (xt ** yt).sum().backward()

    assert gy.dtype == np.float32
    np.testing.assert_allclose(gy.numpy(), yt.grad.numpy(), rtol=2e-6)
    np.testing.assert_allclose(gx.numpy(), xt.grad.numpy(), rtol=2e-3)  # float16 result
