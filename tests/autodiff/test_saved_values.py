"""The graph keeps what each rule reads: `Primitive.saves` is complete.

A node drops every value that its primitive's `saves` leaves out, and a
rule that reads one anyway gets None and fails. Values of at most
SMALL_SIZE elements are always kept, which would hide such a rule on the
small inputs of most tests, so here SMALL_SIZE is 0 and every input is an
intermediate: `leaf + 0.0`, whose add keeps nothing. Each op's gradients,
from both rule tables, must equal those computed with every value kept.
"""

import importlib

import numpy as np
import pytest

import autodiff as ad
from autodiff import primitives
from autodiff.primitives import Primitive
from test_array_vjps import BINARY, REDUCTIONS_AND_SHAPES, UNARY

# The module itself: the attribute `autodiff.tensor` is the function.
tensor_module = importlib.import_module("autodiff.tensor")
TABLE = {name: value for name, value in vars(primitives).items() if isinstance(value, Primitive)}


@pytest.fixture(autouse=True)
def keep_nothing_small(monkeypatch):
    monkeypatch.setattr(tensor_module, "SMALL_SIZE", 0)


def gradients(function, arrays, create_graph, keep):
    leaves = [ad.tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]
    if keep:
        with ad.keep_values():
            output = function(*[leaf + 0.0 for leaf in leaves])
    else:
        output = function(*[leaf + 0.0 for leaf in leaves])
    v = np.random.default_rng(1).uniform(0.5, 1.5, size=output.shape)
    grads = ad.grad(output, leaves, grad_outputs=v, create_graph=create_graph, allow_unused=True)
    return [None if g is None else g.numpy() for g in grads]


def assert_same_with_values_dropped(function, *arrays):
    for create_graph in (False, True):
        read_only = gradients(function, arrays, create_graph, keep=False)
        every_value = gradients(function, arrays, create_graph, keep=True)
        for i, (r, e) in enumerate(zip(read_only, every_value)):
            assert (r is None) == (e is None), f"input {i}"
            if r is not None:
                np.testing.assert_array_equal(r, e, err_msg=f"input {i}, create_graph={create_graph}")


def gradients_next_to_constant(function, x, constant, constant_first, create_graph, keep):
    """As `gradients`, for an op between an intermediate of x and a constant array."""
    leaf = ad.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    c = ad.tensor(np.asarray(constant, dtype=np.float64))

    def run():
        h = leaf + 0.0
        return function(c, h) if constant_first else function(h, c)

    if keep:
        with ad.keep_values():
            output = run()
    else:
        output = run()
    v = np.random.default_rng(1).uniform(0.5, 1.5, size=output.shape)
    (g,) = ad.grad(output, [leaf], grad_outputs=v, create_graph=create_graph)
    return g.numpy()


def test_built_in_primitives_declare_saves():
    for name, primitive in TABLE.items():
        assert primitive.saved_inputs is not None, name


def test_intermediate_inputs_keep_no_value_here():
    x = ad.tensor(np.ones((2, 3)), requires_grad=True)
    assert (x + 0.0)._node.data is None


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("shape_y", [(2, 3), (3,), ()])
def test_binary_ops(name, shape_y):
    x = np.array([[0.25, 0.5, 1.0], [1.5, 2.0, 1.0]])
    y = np.full(shape_y, 1.0) if shape_y else 1.0
    assert_same_with_values_dropped(BINARY[name], x, y)
    assert_same_with_values_dropped(BINARY[name], y, x)


@pytest.mark.parametrize("name", [*BINARY, "matmul"])
@pytest.mark.parametrize("constant_first", [False, True])
def test_binary_ops_next_to_constant(name, constant_first):
    # Only the rule of the input that requires grad runs, and the node keeps
    # only what that rule reads: for multiply, not the intermediate itself.
    function = ad.matmul if name == "matmul" else BINARY[name]
    x = np.array([[0.25, 0.5, 1.0], [1.5, 2.0, 1.0]])
    constant = np.full((3, 3) if name == "matmul" else (2, 3), 1.25)
    if name == "matmul" and constant_first:
        constant = np.full((4, 2), 1.25)
    for create_graph in (False, True):
        read_only = gradients_next_to_constant(function, x, constant, constant_first,
                                               create_graph, keep=False)
        every_value = gradients_next_to_constant(function, x, constant, constant_first,
                                                 create_graph, keep=True)
        np.testing.assert_array_equal(read_only, every_value)


@pytest.mark.parametrize("name", UNARY)
def test_unary_ops(name):
    x = (np.arange(12).reshape(3, 4) % 5) / 2.0 + 0.25
    assert_same_with_values_dropped(UNARY[name], x)


@pytest.mark.parametrize("name", REDUCTIONS_AND_SHAPES)
def test_shape_ops_and_reductions(name):
    x = np.floor(np.random.default_rng(0).uniform(0, 3, size=(2, 3, 4)))
    assert_same_with_values_dropped(REDUCTIONS_AND_SHAPES[name], x)


@pytest.mark.parametrize("shapes_ab", [((3,), (3,)), ((2, 3), (3, 4)), ((5, 2, 3), (3,))])
def test_matmul(shapes_ab):
    rng = np.random.default_rng(0)
    assert_same_with_values_dropped(ad.matmul, *(rng.standard_normal(s) for s in shapes_ab))


def test_composites_through_every_kind_of_op():
    def network(x, w):
        z = ad.relu(x @ w + 0.5)
        return ad.log_softmax(z, axis=1).mean() + ad.logsumexp(z) + (z ** 2).var()

    rng = np.random.default_rng(2)
    assert_same_with_values_dropped(network, rng.standard_normal((4, 3)), rng.standard_normal((3, 5)))


def test_saves_by_rule_needs_every_input():
    rule = lambda g, out, x, y: g  # noqa: E731
    with pytest.raises(ValueError, match="one entry per input's rule, keys 0 to 1, got keys \\[0\\]"):
        Primitive("half_saves", np.add, (rule, rule), (rule, rule), saves={0: (1,)})


def test_saved_for_follows_needs():
    divide = primitives.divide  # x / y: x's rule reads y, y's rule reads out and y

    assert divide.saved_for(None) == (True, (1,))
    assert divide.saved_for((True, False)) == (False, (1,))
    assert divide.saved_for((False, True)) == (True, (1,))


def test_rule_reading_unsaved_value_raises():
    # The rule reads x, which `saves` leaves out.
    wrong = Primitive("wrong_saves", lambda a: a * 2, (lambda g, out, x: g * 2 + 0 * x,),
                      (lambda g, out, x: g * 2 + 0 * x,), saves=())
    x = ad.tensor(np.ones(3), requires_grad=True)
    y = tensor_module.apply(wrong, (x + 0.0,))

    with pytest.raises(TypeError):
        y.sum().backward()


@pytest.mark.parametrize("saves", ["out", {0: "out"}, ("output",)],
                         ids=["bare string", "dict of bare string", "typo"])
def test_invalid_saves_rejected(saves):
    rules = (lambda g, out, x: g * out,)

    with pytest.raises((TypeError, ValueError), match="exp_of_out"):
        Primitive("exp_of_out", np.exp, rules, rules, saves=saves)
