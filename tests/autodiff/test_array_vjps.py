"""The two rule tables agree: each primitive's array rules against its Tensor rules.

backward() without create_graph runs the array rules. With create_graph it
runs the Tensor rules, which record themselves for higher derivatives. The
other tests check each path against PyTorch and central differences where
it is used. Here the two are compared on the same inputs, op by op, so a
rule changed in one table and not in the other fails at once.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autodiff as ad
from autodiff import primitives
from autodiff.primitives import Primitive
from autodiff.tensor import apply
from array_strategies import shapes

TABLE = {name: value for name, value in vars(primitives).items() if isinstance(value, Primitive)}


def both_paths(function, *arrays, dtype=np.float64):
    """Return the gradients of Σ v·function(inputs) from the array rules and from the Tensor rules."""
    results = []
    for create_graph in (False, True):
        inputs = [ad.tensor(np.asarray(a, dtype=dtype), requires_grad=True) for a in arrays]
        output = function(*inputs)
        v = np.random.default_rng(1).uniform(0.5, 1.5, size=output.shape).astype(output.dtype)
        grads = ad.grad(output, inputs, grad_outputs=v, create_graph=create_graph, allow_unused=True)
        results.append(list(grads))
    return results


def assert_paths_agree(function, *arrays, dtype=np.float64):
    from_arrays, from_tensors = both_paths(function, *arrays, dtype=dtype)
    for i, (a, t) in enumerate(zip(from_arrays, from_tensors)):
        assert (a is None) == (t is None), f"input {i}: one path gave no gradient"
        if a is None:
            continue
        assert a.shape == t.shape, (i, a.shape, t.shape)
        assert a.dtype == t.dtype, (i, a.dtype, t.dtype)
        np.testing.assert_allclose(a.data, t.data, rtol=1e-12, atol=0, err_msg=f"input {i}")


def test_every_primitive_has_array_rules_for_each_input():
    for name, primitive in TABLE.items():
        assert primitive.array_vjps is not None, name
        assert len(primitive.array_vjps) == len(primitive.vjps), name


BINARY = {
    "add": lambda x, y: x + y,
    "subtract": lambda x, y: x - y,
    "multiply": lambda x, y: x * y,
    "divide": lambda x, y: x / y,
    "power": lambda x, y: x ** y,
    "maximum": ad.maximum,
    "minimum": ad.minimum,
}


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_binary_rules_agree_over_broadcast_shapes(name, data):
    shape_x = data.draw(shapes(max_dims=3))
    shape_y = data.draw(st.sampled_from([shape_x, shape_x[1:], (1,) + shape_x[1:], ()]))
    # Positive values keep power's log defined; eighths make ties for maximum/minimum.
    x = data.draw(st.sampled_from([0.25, 0.5, 1.0, 1.5, 2.0])) * np.ones(shape_x)
    x = x + np.arange(x.size).reshape(shape_x) % 3 / 8
    y = np.full(shape_y, data.draw(st.sampled_from([0.5, 1.0, 1.25, 2.0])))
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))

    assert_paths_agree(BINARY[name], x, y, dtype=dtype)
    assert_paths_agree(BINARY[name], y, x, dtype=dtype)


def test_power_rules_agree_at_zeros():
    assert_paths_agree(lambda x, y: x ** y, [0.0, 0.0, 2.0, 3.0], [0.0, 2.0, 0.0, -1.0])
    assert_paths_agree(lambda x: x ** 2, [0.0, -1.5, 3.0])
    assert_paths_agree(lambda x: x ** 0, [0.0, -1.5, 3.0])
    assert_paths_agree(lambda x: x ** 2, 1.5)  # a 0-d base and exponent


UNARY = {
    "negative": ad.negative,
    "exp": ad.exp,
    "log": ad.log,
    "log1p": ad.log1p,
    "sqrt": ad.sqrt,
    "sin": ad.sin,
    "cos": ad.cos,
    "tanh": ad.tanh,
    "sigmoid": ad.sigmoid,
    "relu": ad.relu,
    "abs": ad.abs,
    "sign": ad.sign,
    "clip": lambda x: ad.clip(x, 0.5, 1.5),
    "astype": lambda x: ad.astype(x, np.float32) * 1.0,
    "where": lambda x: ad.where(x.data > 1, x, 2 * x),
}


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_unary_rules_agree(name, shape, dtype):
    # Values include 0 and the clip bounds, where the conventions apply.
    x = (np.arange(int(np.prod(shape))).reshape(shape) % 5) / 2.0 + 0.0
    function = UNARY[name]
    if name in ("log", "sqrt"):
        x = x + 0.25

    assert_paths_agree(function, x, dtype=dtype)


REDUCTIONS_AND_SHAPES = {
    "sum all": lambda x: ad.sum(x),
    "sum axis 1": lambda x: ad.sum(x, axis=1),
    "sum keepdims": lambda x: ad.sum(x, axis=(0, 2), keepdims=True),
    "max with ties": lambda x: ad.max(x, axis=1),
    "min all": lambda x: ad.min(x),
    "reshape": lambda x: ad.reshape(x, (4, 6)) * 2,
    "transpose": lambda x: ad.transpose(x, (2, 0, 1)) * 2,
    "broadcast_to": lambda x: ad.broadcast_to(x[:, :1, :], (5, 2, 3, 4)) * 2,
    "getitem basic": lambda x: x[1, :, ::2],
    "getitem repeated": lambda x: x[[0, 0, 1], [2, 2, 0]],
    "concatenate": lambda x: ad.concatenate([x, 2 * x, x[:, :1]], axis=1),
}


@pytest.mark.parametrize("name", REDUCTIONS_AND_SHAPES)
def test_shape_and_reduction_rules_agree(name):
    # Repeated values give max/min ties.
    x = np.floor(np.random.default_rng(0).uniform(0, 3, size=(2, 3, 4)))

    assert_paths_agree(REDUCTIONS_AND_SHAPES[name], x)


@pytest.mark.parametrize("shapes_ab", [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)), ((3,), (5, 3, 4)),
])
def test_matmul_rules_agree(shapes_ab):
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal(shape) for shape in shapes_ab)

    assert_paths_agree(ad.matmul, a, b)


def test_untake_rule_agrees():
    # untake appears only in higher derivatives: the gradient of getitem.
    def gradient_of_indexing(x):
        (g,) = ad.grad((x[[0, 0, 2]] ** 2).sum(), [x], create_graph=True)
        return g * x

    assert_paths_agree(gradient_of_indexing, [1.0, 2.0, 3.0, 4.0])


def test_zero_dimensional_gradients_are_numpy_scalars():
    x = ad.tensor(2.0, requires_grad=True)
    w = ad.tensor(np.ones(3), requires_grad=True)

    ((x * w).sum() * x).backward()

    assert isinstance(x.grad.data, np.float64), type(x.grad.data)
    assert x.grad.item() == pytest.approx(12.0)
    assert isinstance(w.grad.data, np.ndarray)


def test_primitive_without_array_rules_uses_tensor_rules():
    cube = Primitive("cube", lambda a: a ** 3, (lambda g, out, a: g * 3 * a * a,))
    x = ad.tensor([[0.5, -1.0, 2.0]], requires_grad=True)

    for _ in range(2):  # the second pass reuses the cached wrapper
        x.grad = None
        (apply(cube, (x,)) * ad.tensor([[1.0], [2.0]])).sum().backward()

        np.testing.assert_allclose(x.grad.data, 3 * 3 * x.data ** 2, rtol=1e-15)


# --- the shortcuts of plain backward(): `both` rules and the elementwise promise ---

PAIRED = [name for name, primitive in TABLE.items() if primitive.array_vjp_both is not None]
ELEMENTWISE = [name for name, primitive in TABLE.items() if primitive.elementwise]
FLOATS = [np.float16, np.float32, np.float64]


def _engine_value(array):
    """The value the engine stores: a NumPy scalar for 0-d, else the array."""
    return array[()] if array.ndim == 0 else array


def _operands(data, shape_x, shape_y, dtype_x, dtype_y):
    """Positive values (for power and divide) with ties (for maximum and minimum), and a seed g."""
    x = (1 + np.arange(int(np.prod(shape_x))).reshape(shape_x) % 3 / 4).astype(dtype_x)
    y = np.full(shape_y, data.draw(st.sampled_from([0.5, 1.0, 1.25, 2.0])), dtype=dtype_y)
    return _engine_value(x), _engine_value(y)


def _seed_like(out):
    g = np.random.default_rng(2).uniform(0.5, 1.5, size=np.shape(out)).astype(out.dtype)
    return _engine_value(g)


def test_primitives_declare_the_shortcuts():
    # The four arithmetic operators are most of a small graph; a table edit
    # that dropped their shortcuts would only show as a slower benchmark.
    assert set(PAIRED) == {"add", "subtract", "multiply", "divide"}
    assert set(PAIRED) <= set(ELEMENTWISE)


@pytest.mark.parametrize("name", PAIRED)
@given(data=st.data())
def test_both_rule_matches_each_rule(name, data):
    primitive = TABLE[name]
    shape_x = data.draw(shapes(max_dims=3))
    shape_y = data.draw(st.sampled_from([shape_x, shape_x[1:], (1,) + shape_x[1:], ()]))
    dtype_x, dtype_y = data.draw(st.sampled_from(FLOATS)), data.draw(st.sampled_from(FLOATS))
    x, y = _operands(data, shape_x, shape_y, dtype_x, dtype_y)
    out = primitive.forward(x, y)
    g = _seed_like(out)

    pair = primitive.array_vjp_both(g, out, x, y)

    assert len(pair) == 2
    for i, result in enumerate(pair):
        expected = primitive.array_vjps[i](g, out, x, y)
        assert type(result) is type(expected), (i, type(result), type(expected))
        assert result.dtype == expected.dtype, (i, result.dtype, expected.dtype)
        np.testing.assert_array_equal(result, expected, err_msg=f"input {i}")


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(data=st.data())
def test_elementwise_rules_keep_shape_and_dtype(name, data):
    # The promise that lets plain backward() skip fitting: x and y arrays of
    # one shape and dtype give rule results of that shape and dtype.
    primitive = TABLE[name]
    shape = data.draw(shapes(min_dims=1, max_dims=3, min_side=0))
    dtype = data.draw(st.sampled_from(FLOATS))
    x, y = _operands(data, shape, shape, dtype, dtype)
    out = primitive.forward(x, y)
    g = _seed_like(out)

    results = [rule(g, out, x, y) for rule in primitive.array_vjps]
    if primitive.array_vjp_both is not None:
        results += list(primitive.array_vjp_both(g, out, x, y))

    for result in results:
        assert type(result) is np.ndarray, type(result)
        assert result.shape == shape, (result.shape, shape)
        assert result.dtype == dtype, (result.dtype, dtype)


def test_both_needs_two_inputs_and_array_rules():
    rule = lambda g, out, x, y: g  # noqa: E731
    with pytest.raises(ValueError, match="two inputs with array rules"):
        Primitive("pair_without_arrays", np.add, (rule, rule), both=lambda *a: (a[0], a[0]))
    with pytest.raises(ValueError, match="two inputs with array rules"):
        Primitive("pair_of_one", np.negative, (rule,), (rule,), both=lambda *a: (a[0], a[0]))


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_plain_backward_agrees_with_grad(name, data):
    # backward() runs the written-out loop with its shortcuts; grad() runs the
    # general one, each rule on its own with every result fitted. One op, so
    # no sum is reordered and the two must agree exactly.
    shape_x = data.draw(shapes(max_dims=3))
    shape_y = data.draw(st.sampled_from([shape_x, shape_x[1:], (1,) + shape_x[1:], ()]))
    if data.draw(st.booleans()):
        shape_x, shape_y = shape_y, shape_x
    dtype_x, dtype_y = data.draw(st.sampled_from(FLOATS)), data.draw(st.sampled_from(FLOATS))
    x_grad, y_grad = data.draw(st.sampled_from([(True, True), (True, False), (False, True)]))
    x_value, y_value = _operands(data, shape_x, shape_y, dtype_x, dtype_y)
    x = ad.tensor(x_value, requires_grad=x_grad)
    y = ad.tensor(y_value, requires_grad=y_grad)
    output = BINARY[name](x, y)
    v = _seed_like(np.asarray(output.data))
    inputs = [t for t in (x, y) if t.requires_grad]

    expected = ad.grad(output, inputs, grad_outputs=v, retain_graph=True)
    output.backward(v)

    for t, e in zip(inputs, expected):
        assert t.grad.shape == t.shape, (t.grad.shape, t.shape)
        assert t.grad.dtype == t.dtype, (t.grad.dtype, t.dtype)
        assert type(t.grad.data) is type(e.data)
        np.testing.assert_array_equal(t.grad.data, e.data)
