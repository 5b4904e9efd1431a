"""gradgradcheck itself, second derivatives of every primitive, and second order at kinks.

Each case wraps a primitive in a function whose second derivative is not
trivially zero. The points are away from kinks (relu and abs at 0, clip at
a bound, max at a tie), because central differences there would straddle
two branches. Kinks are tested separately, against PyTorch.
"""

import numpy as np
import pytest
import torch
from torch.autograd import functional as torch_functional

import autodiff as ad
from autodiff import primitives
from autodiff.ops import untake
from autodiff.tensor import Tensor, apply

RNG = np.random.default_rng(11)
A23 = RNG.standard_normal((2, 3))
B23 = RNG.standard_normal((2, 3))
B3 = RNG.standard_normal(3)
POSITIVE23 = RNG.uniform(0.5, 2.0, (2, 3))
POSITIVE3 = RNG.uniform(0.5, 2.0, 3)
# At least 0.2 from 0 and from ±0.5, and no two elements tie.
AWAY = np.array([[-1.2, 0.7, -0.3], [0.9, -1.5, 0.25]])
CONDITION = np.array([[True, False, True], [False, True, False]])
ADVANCED_INDEX = (np.array([0, 0, 1]), np.array([1, 1, 2]))  # repeats element (0, 1)

# name: (function, input arrays, gradgradcheck options)
CASES = {
    "add": (lambda x, y: ad.sin(x + y), [A23, B3], {}),
    "subtract": (lambda x, y: ad.sin(x - y), [A23, B3], {}),
    "multiply": (lambda x, y: x * y * x, [A23, B3], {}),
    "divide": (lambda x, y: x / y, [A23, POSITIVE3], {}),
    "power_constant_exponent": (lambda x: x ** 3.0, [A23], {}),
    "power_both": (lambda x, y: x ** y, [POSITIVE23, B23], {}),
    "negative": (lambda x: -x * x, [A23], {}),
    "maximum": (lambda x, y: ad.maximum(x, y) * x, [A23, B23], {}),
    "minimum": (lambda x, y: ad.minimum(x, y) * y, [A23, B23], {}),
    "where": (lambda x, y: ad.where(CONDITION, x * x, ad.sin(y)), [A23, B23], {}),
    "exp": (ad.exp, [A23], {}),
    "log": (ad.log, [POSITIVE23], {}),
    "log1p": (ad.log1p, [POSITIVE23], {}),
    "sqrt": (ad.sqrt, [POSITIVE23], {}),
    "sin": (ad.sin, [A23], {}),
    "cos": (ad.cos, [A23], {}),
    "tanh": (ad.tanh, [A23], {}),
    "sigmoid": (ad.sigmoid, [A23], {}),
    "relu": (lambda x: ad.relu(x) * ad.sin(x), [AWAY], {}),
    "abs": (lambda x: ad.abs(x) * x, [AWAY], {}),
    "sign": (lambda x: ad.sign(x) * x * x, [AWAY], {}),
    "clip": (lambda x: ad.clip(x, -0.5, 0.5) * x, [AWAY], {}),
    # float32 inside: a wider step and tolerance; the function is quadratic,
    # so central differences have no truncation error.
    "astype": (
        lambda x: ad.astype(ad.astype(x, np.float32) ** 2, np.float64) * x,
        [A23],
        {"eps": 1e-2, "atol": 1e-3, "rtol": 1e-3},
    ),
    "sum_axis": (lambda x: ad.sum(x * x, axis=0, keepdims=True) * x, [A23], {}),
    "sum_all": (lambda x: ad.sum(x) * ad.sin(x), [A23], {}),
    "max_axis": (lambda x: ad.max(x, axis=1) ** 2, [AWAY], {}),
    "max_all": (lambda x: ad.max(x) * x, [AWAY], {}),
    "min_axis": (lambda x: ad.min(x, axis=0) * ad.sum(x, axis=0), [AWAY], {}),
    "reshape": (lambda x: ad.sin(ad.reshape(x, (3, 2))) * ad.reshape(x, (3, 2)), [A23], {}),
    "transpose": (lambda x: ad.matmul(ad.transpose(x), x), [A23], {}),
    "broadcast_to": (lambda x, b: ad.broadcast_to(b, (2, 3)) ** 2 * x, [A23, B3], {}),
    "getitem_basic": (lambda x: x[0, 1:] * x[1, :2], [A23], {}),
    "getitem_advanced": (lambda x: x[ADVANCED_INDEX] ** 2, [A23], {}),
    "getitem_mask": (lambda x: ad.exp(x[CONDITION]), [A23], {}),
    "untake": (lambda g, x: untake(g * g, ADVANCED_INDEX, (2, 3), False) * x, [B3, A23], {}),
    "concatenate": (lambda x, y: ad.concatenate([x, y * x], axis=1) ** 2, [A23, B23], {}),
    "matmul_vector_vector": (lambda a, b: ad.tanh(ad.matmul(a, b)), [B3, POSITIVE3], {}),
    "matmul_matrix_vector": (lambda a, b: ad.tanh(ad.matmul(a, b)), [A23, B3], {}),
    "matmul_vector_matrix": (lambda a, b: ad.tanh(ad.matmul(a, b)), [B3, A23.T], {}),
    "matmul_matrix_matrix": (lambda a, b: ad.tanh(ad.matmul(a, b)), [A23, B23.T], {}),
    "matmul_batched": (
        lambda a, b: ad.tanh(ad.matmul(a, b)),
        [RNG.standard_normal((2, 2, 3)), RNG.standard_normal((3, 2))],
        {},
    ),
    # composites of the primitives above
    "logsumexp": (lambda x: ad.logsumexp(x, axis=1), [A23], {}),
    "softmax": (lambda x: ad.softmax(x, axis=-1), [A23], {}),
    "log_softmax": (lambda x: ad.log_softmax(x, axis=0), [A23], {}),
    "mean": (lambda x: ad.mean(x * x, axis=1) * ad.mean(x), [A23], {}),
    "var": (lambda x: ad.var(x, axis=1, ddof=1), [A23], {}),
    "stack": (lambda x, y: ad.sin(ad.stack([x, y], axis=1)) * ad.stack([y, x], axis=1), [B3, POSITIVE3], {}),
    "split": (lambda x: ad.split(x, [1], axis=1)[1] ** 2 * ad.split(x, [1], axis=1)[0], [A23], {}),
    "dot_nd": (lambda a, b: ad.tanh(ad.dot(a, b)), [A23, RNG.standard_normal((2, 3, 2))], {}),
}


def _inputs(arrays):
    return [ad.tensor(a, requires_grad=True) for a in arrays]


@pytest.mark.parametrize("name", CASES)
def test_gradgradcheck_primitive(name):
    function, arrays, options = CASES[name]

    assert ad.gradgradcheck(function, *_inputs(arrays), **options)


def _ops_in_graph(roots):
    """Names of the primitives recorded in the graphs behind `roots`."""
    names, seen = set(), set()
    stack = [r for r in roots if r is not None and r.requires_grad]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.op is not None:
            names.add(node.op)
        stack.extend(p for p in node._parents if p.requires_grad)
    return names


def test_cases_cover_every_primitive():
    # Both the forward graph and the recorded first-order backward graph
    # count: untake appears only in the VJP of getitem.
    all_primitives = {
        value.name for value in vars(primitives).values() if isinstance(value, primitives.Primitive)
    }
    covered = set()
    for function, arrays, _ in CASES.values():
        inputs = _inputs(arrays)
        out = function(*inputs)
        gradients = ad.grad(out.sum(), inputs, create_graph=True, allow_unused=True)
        covered |= _ops_in_graph([out, *gradients])

    assert all_primitives - covered == set()


# --- gradgradcheck's own behaviour ---


def _broken_tanh(x):
    """tanh whose VJP hides `out` from the engine, so its second derivative is lost."""
    rule = lambda g, out, x: g * Tensor._from_array(1 - out.data ** 2)  # noqa: E731
    return apply(primitives.Primitive("broken_tanh", np.tanh, (rule,)), (x,))


def _cotangent_cut_square(x):
    """x² whose VJP takes g as a constant: first order right, ∂/∂g lost."""
    rule = lambda g, out, x: Tensor._from_array(g.data) * 2 * x  # noqa: E731
    return apply(primitives.Primitive("cotangent_cut_square", np.square, (rule,)), (x,))


def test_broken_second_derivative_passes_gradcheck():
    x = ad.tensor([0.3, -0.8, 1.1], requires_grad=True)

    assert ad.gradcheck(lambda x: _broken_tanh(x).sum(), x)


def test_broken_second_derivative_fails_gradgradcheck():
    x = ad.tensor([0.3, -0.8, 1.1], requires_grad=True)

    with pytest.raises(ad.GradcheckError) as error:
        ad.gradgradcheck(_broken_tanh, x)

    message = str(error.value)
    assert "with respect to input 0 (shape (3,)) differs at element (0,)" in message
    assert "double backprop gives 0.0" in message
    assert "central differences of the gradient give" in message
    assert "3 of 3 elements differ" in message


def test_vjp_that_cuts_cotangent_fails():
    x = ad.tensor([0.3, -0.8], requires_grad=True)

    assert ad.gradcheck(_cotangent_cut_square, x)
    with pytest.raises(ad.GradcheckError, match=r"the output cotangent v \(shape \(2,\)\)"):
        ad.gradgradcheck(_cotangent_cut_square, x)


def test_gradgradcheck_names_second_input():
    def f(x, y):
        return x * _broken_tanh(y)

    x = ad.tensor([0.5, 1.0], requires_grad=True)
    y = ad.tensor([0.2, -0.4], requires_grad=True)

    with pytest.raises(ad.GradcheckError, match=r"input 1 \(shape \(2,\)\)"):
        ad.gradgradcheck(f, x, y)


def test_gradgradcheck_passes_constant_arguments():
    x = ad.tensor([0.3, 0.6], requires_grad=True)

    assert ad.gradgradcheck(lambda x, power: x ** power, x, 3.0)


def test_gradgradcheck_float32_input_checked_in_float64():
    x = ad.tensor(np.array([0.3, 0.6], dtype=np.float32), requires_grad=True)

    assert ad.gradgradcheck(ad.tanh, x)


def test_gradgradcheck_linear_function_has_zero_second_derivative():
    x = ad.tensor([0.3, 0.6], requires_grad=True)

    assert ad.gradgradcheck(lambda x: 3.0 * x, x)


def test_gradgradcheck_without_grad_inputs_raises():
    with pytest.raises(ValueError, match="no input has requires_grad=True"):
        ad.gradgradcheck(ad.tanh, ad.tensor([0.3]))


def test_gradgradcheck_constant_output_raises():
    with pytest.raises(ValueError, match="does not depend on any input"):
        ad.gradgradcheck(lambda x: ad.tensor(1.0), ad.tensor([0.3], requires_grad=True))


def test_gradgradcheck_non_tensor_output_raises():
    with pytest.raises(TypeError, match="f must return a Tensor, got float"):
        ad.gradgradcheck(lambda x: 1.0, ad.tensor([0.3], requires_grad=True))


def test_gradcheck_message_is_unchanged():
    x = ad.tensor([0.3, -0.8], requires_grad=True)
    rule = lambda g, out, x: g * 2.0  # noqa: E731  (wrong: d sin = cos)
    wrong_sin = primitives.Primitive("wrong_sin", np.sin, (rule,))

    with pytest.raises(ad.GradcheckError, match=r"^gradcheck: gradient of input 0 \(shape \(2,\)\) differs at element \(0,\): backprop gives "):
        ad.gradcheck(lambda x: apply(wrong_sin, (x,)), x)


# --- second order at kinks and ties: the conventions, against PyTorch ---


def _hessians(f, f_torch, *values):
    ours = ad.hessian(f, argnums=tuple(range(len(values))))(*values)
    theirs = torch_functional.hessian(f_torch, tuple(torch.tensor(v, dtype=torch.float64) for v in values))
    return ours, theirs


KINKS = {
    "relu_at_zero": (lambda x: ad.relu(x) ** 2 * x, lambda x: torch.relu(x) ** 2 * x, [0.0]),
    "abs_at_zero": (lambda x: ad.abs(x) * ad.exp(x), lambda x: torch.abs(x) * torch.exp(x), [0.0]),
    "clip_at_bound": (
        lambda x: ad.clip(x, 0.0, 1.0) ** 2 * x, lambda x: torch.clamp(x, 0.0, 1.0) ** 2 * x, [1.0],
    ),
    "maximum_tie": (
        lambda x, y: ad.maximum(x, y) ** 2, lambda x, y: torch.maximum(x, y) ** 2, [1.0, 1.0],
    ),
    "minimum_tie": (
        lambda x, y: ad.minimum(x, y) ** 3, lambda x, y: torch.minimum(x, y) ** 3, [2.0, 2.0],
    ),
    "max_tie": (
        lambda x: ad.max(x) ** 2, lambda x: torch.amax(x) ** 2, [[1.0, 1.0, 0.5]],
    ),
    "power_zero_exponent": (lambda x, y: x ** y, lambda x, y: x ** y, [2.0, 0.0]),
}


@pytest.mark.parametrize("name", KINKS)
def test_second_order_at_kink_matches_torch(name):
    f, f_torch, values = KINKS[name]

    ours, theirs = _hessians(f, f_torch, *[np.array(v) for v in values])

    for i, row in enumerate(theirs):
        for j, block in enumerate(row):
            np.testing.assert_allclose(ours[i][j], block.numpy(), rtol=1e-12, err_msg=f"H[{i}][{j}]")


@pytest.mark.parametrize("function", [ad.relu, ad.abs, ad.sign, lambda x: ad.clip(x, -1.0, 1.0)])
@pytest.mark.parametrize("point", [-2.0, -1.0, 0.0, 0.5, 1.0])
def test_piecewise_linear_second_derivative_is_zero(function, point):
    assert ad.grad(ad.grad(function))(point) == 0.0


def test_max_tie_hessian_shares_evenly():
    # max(x)² at a tie of x0 and x1: each gets half, so H = 2·(½)(½) on that block.
    H = ad.hessian(lambda x: ad.max(x) ** 2)(np.array([1.0, 1.0, 0.5]))

    np.testing.assert_array_equal(H, [[0.5, 0.5, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 0.0]])


def test_power_hessian_asymmetric_at_zero_exponent():
    # The y == 0 mask of ∂(x**y)/∂x is a constant, so its y-derivative is 0
    # there; the other order gives the true value 1/x (as in PyTorch).
    H = ad.hessian(lambda x, y: x ** y, argnums=(0, 1))(2.0, 0.0)

    assert H[0][1] == 0.0
    assert H[1][0] == pytest.approx(0.5, rel=1e-15)


def test_power_zero_base_second_order_is_finite():
    # The exponent rule takes log of a substituted 1 at x == 0, so the
    # derivatives through it are the true limits (0 for y > 1); PyTorch
    # gives nan for H[1][0] and H[1][1] here.
    H = ad.hessian(lambda x, y: x ** y, argnums=(0, 1))(0.0, 2.0)

    assert (H[0][0], H[0][1], H[1][0], H[1][1]) == (2.0, 0.0, 0.0, 0.0)


def test_where_untaken_branch_gets_zero_at_every_order():
    condition = np.array([True, False, True])

    H = ad.hessian(lambda x, y: ad.where(condition, x * x, y * y * y).sum(), argnums=(0, 1))(
        np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0])
    )

    np.testing.assert_array_equal(H[0][0], np.diag([2.0, 0.0, 2.0]))
    np.testing.assert_array_equal(H[1][1], np.diag([0.0, 12.0, 0.0]))
    np.testing.assert_array_equal(H[0][1], np.zeros((3, 3)))


def test_where_untaken_branch_nan_from_infinite_derivative():
    # log(x) at x = 0 is not taken, but log's VJP computes 0 / 0 there, as in
    # PyTorch; masking the input of log (x -> where(c, 1, x)) avoids it.
    condition = np.array([True, False])

    def unsafe(x):
        return ad.where(condition, x * x, ad.log(x)).sum()

    def safe(x):
        return ad.where(condition, x * x, ad.log(ad.where(condition, 1.0, x))).sum()

    with np.errstate(divide="ignore", invalid="ignore"):
        unsafe_gradient = ad.grad(unsafe)(np.array([0.0, 1.0]))
        safe_hessian = ad.hessian(safe)(np.array([0.0, 1.0]))

    assert np.isnan(unsafe_gradient[0])
    np.testing.assert_array_equal(safe_hessian, [[2.0, 0.0], [0.0, -1.0]])
