"""Higher derivatives through the tensor API: backward(create_graph=True) and autodiff.grad.

Second and third derivatives of scalar functions are checked against their
closed forms, and the behaviour of `autodiff.grad(outputs, inputs, ...)`
against `torch.autograd.grad` on the same inputs.
"""

import numpy as np
import pytest
import torch

import autodiff as ad

# backward(create_graph=True) warns about the leaf/.grad reference cycle;
# test_backward_create_graph_warns checks the warning itself.
pytestmark = pytest.mark.filterwarnings("ignore:backward\\(create_graph=True\\):UserWarning")

POINTS = np.array([-1.3, -0.4, 0.2, 0.9, 1.7])


def _tanh_derivatives(x):
    t = np.tanh(x)
    s = 1 - t * t
    return s, -2 * t * s, s * (6 * t * t - 2)


def _sigmoid_derivatives(x):
    s = 1 / (1 + np.exp(-x))
    return s * (1 - s), s * (1 - s) * (1 - 2 * s), s * (1 - s) * (1 - 6 * s + 6 * s * s)


def _exp_sin_derivatives(x):
    f = np.exp(np.sin(x))
    c, s = np.cos(x), np.sin(x)
    return c * f, (c * c - s) * f, (c ** 3 - 3 * s * c - c) * f


# name: (autodiff function, closed forms of the first three derivatives)
SCALAR_FUNCTIONS = {
    "tanh": (ad.tanh, _tanh_derivatives),
    "sigmoid": (ad.sigmoid, _sigmoid_derivatives),
    "exp_sin": (lambda x: ad.exp(ad.sin(x)), _exp_sin_derivatives),
}


def _derivatives_by_grad(function, x, order):
    """Return the first `order` derivatives of an elementwise function, each by autodiff.grad."""
    derivatives = []
    current = function(x).sum()
    for _ in range(order):
        (d,) = ad.grad(current, x, create_graph=True)
        derivatives.append(d.data.copy())
        current = d.sum()
    return derivatives


@pytest.mark.parametrize("name", SCALAR_FUNCTIONS)
def test_grad_third_order_closed_forms(name):
    function, closed_forms = SCALAR_FUNCTIONS[name]
    x = ad.tensor(POINTS, requires_grad=True)

    derivatives = _derivatives_by_grad(function, x, order=3)

    for order, (actual, expected) in enumerate(zip(derivatives, closed_forms(POINTS)), start=1):
        np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-14, err_msg=f"order {order}")


@pytest.mark.parametrize("name", SCALAR_FUNCTIONS)
def test_backward_create_graph_second_order(name):
    function, closed_forms = SCALAR_FUNCTIONS[name]
    x = ad.tensor(POINTS, requires_grad=True)

    function(x).sum().backward(create_graph=True)
    first = x.grad
    x.zero_grad()
    first.sum().backward()

    expected_first, expected_second, _ = closed_forms(POINTS)
    assert first.requires_grad
    np.testing.assert_allclose(first.data, expected_first, rtol=1e-12)
    np.testing.assert_allclose(x.grad.data, expected_second, rtol=1e-12, atol=1e-14)


def test_power_derivatives_in_both_arguments():
    base_values = np.array([0.5, 1.3, 2.0, 3.1])
    exponent_values = np.array([-1.5, 0.7, 2.0, 2.6])
    x = ad.tensor(base_values, requires_grad=True)
    y = ad.tensor(exponent_values, requires_grad=True)
    X, Y, log_x = base_values, exponent_values, np.log(base_values)

    (dx, dy) = ad.grad((x ** y).sum(), (x, y), create_graph=True)
    (dxx, dxy) = ad.grad(dx.sum(), (x, y), create_graph=True)
    (dyx, dyy) = ad.grad(dy.sum(), (x, y), create_graph=True)
    # These third passes share graphs, so all but the last keep them.
    (dxxx,) = ad.grad(dxx.sum(), x, retain_graph=True)
    (dyyy,) = ad.grad(dyy.sum(), y, retain_graph=True)
    (dxxy,) = ad.grad(dxx.sum(), y)

    np.testing.assert_allclose(dx.data, Y * X ** (Y - 1), rtol=1e-12)
    np.testing.assert_allclose(dy.data, X ** Y * log_x, rtol=1e-12)
    np.testing.assert_allclose(dxx.data, Y * (Y - 1) * X ** (Y - 2), rtol=1e-12)
    np.testing.assert_allclose(dyy.data, X ** Y * log_x ** 2, rtol=1e-12)
    np.testing.assert_allclose(dxy.data, X ** (Y - 1) * (1 + Y * log_x), rtol=1e-12)
    np.testing.assert_allclose(dyx.data, dxy.data, rtol=1e-12)
    np.testing.assert_allclose(dxxx.data, Y * (Y - 1) * (Y - 2) * X ** (Y - 3), rtol=1e-12)
    np.testing.assert_allclose(dyyy.data, X ** Y * log_x ** 3, rtol=1e-12)
    np.testing.assert_allclose(
        dxxy.data, X ** (Y - 2) * (2 * Y - 1 + Y * (Y - 1) * log_x), rtol=1e-12
    )


def test_derivatives_up_to_sixth_order():
    # d^n/dx^n of exp(2x) is 2^n exp(2x): six nested backward passes.
    x = ad.tensor(0.3, requires_grad=True)
    current = ad.exp(2 * x)
    for order in range(1, 7):
        (current,) = ad.grad(current, x, create_graph=True)
        assert current.item() == pytest.approx(2 ** order * np.exp(0.6), rel=1e-12), order


# --- the tensor API against torch.autograd.grad ---


def _both(array):
    return (
        ad.tensor(array, requires_grad=True),
        torch.tensor(array, dtype=torch.float64, requires_grad=True),
    )


def test_grad_create_graph_records_history():
    x = ad.tensor([0.5, -1.0], requires_grad=True)

    (with_graph,) = ad.grad((x * ad.sin(x)).sum(), x, create_graph=True)
    (without_graph,) = ad.grad((x * ad.sin(x)).sum(), x)

    assert with_graph.requires_grad
    assert with_graph.op is not None
    assert not without_graph.requires_grad
    assert without_graph.op is None


def test_grad_leaves_dot_grad_untouched():
    x = ad.tensor([0.5, -1.0], requires_grad=True)

    ad.grad((x * x).sum(), x, create_graph=True)

    assert x.grad is None


def test_grad_of_linear_function_has_no_history():
    # The gradient of 3x is the constant 3, so it has no history in either library.
    x, x_torch = _both([1.0, 2.0])

    (g,) = ad.grad((3 * x).sum(), x, create_graph=True)
    (g_torch,) = torch.autograd.grad((3 * x_torch).sum(), x_torch, create_graph=True)

    assert g.requires_grad == g_torch.requires_grad == False  # noqa: E712
    with pytest.raises(RuntimeError, match="does not require grad"):
        ad.grad(g.sum(), x)
    with pytest.raises(RuntimeError, match="does not require grad"):
        torch.autograd.grad(g_torch.sum(), x_torch)


def test_grad_matches_torch_third_order():
    rng = np.random.default_rng(1)
    w_values, v_values = rng.standard_normal((3, 3)), rng.standard_normal(3)
    w, w_torch = _both(w_values)
    v, v_torch = _both(v_values)

    def chain(grad_function, tanh, w, v):
        out = (tanh(w @ v) ** 2).sum()
        (gw, gv) = grad_function(out, (w, v), create_graph=True)
        (hv,) = grad_function((gw * gw).sum() + gv.sum(), v, create_graph=True)
        (third,) = grad_function(hv.sum(), w)
        return gw, gv, hv, third

    ours = chain(ad.grad, ad.tanh, w, v)
    theirs = chain(torch.autograd.grad, torch.tanh, w_torch, v_torch)

    for k, (a, b) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg=str(k))


def test_grad_outputs_with_history_give_jvp():
    # The VJP u ↦ uᵀJ is linear in u, so differentiating it with respect to
    # u gives J t: this needs grad_outputs that require grad.
    x = ad.tensor([0.1, 0.2, 0.3], requires_grad=True)
    u = ad.zeros(3, requires_grad=True)
    tangent = np.array([1.0, -1.0, 2.0])

    (vjp,) = ad.grad(ad.sin(x) * 2, x, grad_outputs=u, create_graph=True)
    (jvp,) = ad.grad((vjp * tangent).sum(), u)

    np.testing.assert_allclose(jvp.data, 2 * np.cos([0.1, 0.2, 0.3]) * tangent, rtol=1e-12)


def test_grad_several_outputs_and_inputs_matches_torch():
    a, a_torch = _both([0.3, 0.8])
    b, b_torch = _both([[1.0, -2.0], [0.5, 0.25]])
    seeds = [np.array([1.0, -1.0]), np.array(2.0)]

    ours = ad.grad([b @ a, (a * a).sum()], [a, b], grad_outputs=seeds, create_graph=True)
    theirs = torch.autograd.grad(
        [b_torch @ a_torch, (a_torch * a_torch).sum()], [a_torch, b_torch],
        grad_outputs=[torch.tensor(s) for s in seeds], create_graph=True,
    )

    for ours_grad, torch_grad in zip(ours, theirs):
        np.testing.assert_allclose(ours_grad.data, torch_grad.detach().numpy(), rtol=1e-12)
    second_ours = ad.grad(ours[0].sum(), b)[0]
    second_theirs = torch.autograd.grad(theirs[0].sum(), b_torch)[0]
    np.testing.assert_allclose(second_ours.data, second_theirs.numpy(), rtol=1e-12)


def test_grad_with_respect_to_intermediate_matches_torch():
    x, x_torch = _both([1.0, 2.0])
    h, h_torch = x * 2, x_torch * 2

    (g,) = ad.grad((ad.exp(h) * h).sum(), h, create_graph=True)
    (g_torch,) = torch.autograd.grad((torch.exp(h_torch) * h_torch).sum(), h_torch, create_graph=True)
    (second,) = ad.grad(g.sum(), x)
    (second_torch,) = torch.autograd.grad(g_torch.sum(), x_torch)

    np.testing.assert_allclose(g.data, g_torch.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(second.data, second_torch.numpy(), rtol=1e-12)


def test_grad_to_intermediate_keeps_graph_below():
    # As torch.autograd.grad, the graph below the requested inputs is not run
    # or freed, so backward() through it still works.
    x, x_torch = _both([1.0, 2.0])
    h, h_torch = ad.exp(x), torch.exp(x_torch)

    ad.grad((h * h).sum(), h)
    torch.autograd.grad((h_torch * h_torch).sum(), h_torch)
    h.sum().backward()
    h_torch.sum().backward()

    np.testing.assert_allclose(x.grad.data, x_torch.grad.numpy(), rtol=1e-15)


def test_grad_to_nested_inputs_matches_torch():
    # h depends on x, and both are requested: the pass runs through h to x.
    x, x_torch = _both([1.0, 2.0])
    h, h_torch = ad.exp(x), torch.exp(x_torch)

    ours = ad.grad((h * h * x).sum(), [h, x])
    theirs = torch.autograd.grad((h_torch * h_torch * x_torch).sum(), [h_torch, x_torch])

    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.data, b.numpy(), rtol=1e-12)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True:UserWarning")
def test_backward_create_graph_accumulates_like_torch():
    # Without zero_grad, the second backward adds d(x.grad)/dx to x.grad.
    x, x_torch = _both(0.3)

    (ad.sin(x) * x).backward(create_graph=True)
    x.grad.backward()
    (torch.sin(x_torch) * x_torch).backward(create_graph=True)
    x_torch.grad.backward()

    assert x.grad.item() == pytest.approx(x_torch.grad.item(), rel=1e-12)


def test_second_pass_frees_graph_without_retain():
    x = ad.tensor(0.5, requires_grad=True)
    (g,) = ad.grad(ad.exp(x) * x, x, create_graph=True)

    ad.grad(g, x)

    with pytest.raises(RuntimeError, match="retain_graph=True"):
        ad.grad(g, x)


def test_second_pass_retain_graph_allows_repeat():
    x = ad.tensor(0.5, requires_grad=True)
    (g,) = ad.grad(ad.exp(x) * x, x, create_graph=True)

    (first,) = ad.grad(g, x, retain_graph=True)
    (again,) = ad.grad(g, x)

    assert first.item() == again.item() == pytest.approx(np.exp(0.5) * 2.5, rel=1e-12)


def test_grad_unused_input_raises():
    a = ad.tensor(1.0, requires_grad=True)
    b = ad.tensor(2.0, requires_grad=True)

    with pytest.raises(ValueError, match="input 1 .* is not used .* allow_unused=True"):
        ad.grad(a * 3, [a, b])


def test_grad_unused_input_allowed_gives_none():
    a = ad.tensor(1.0, requires_grad=True)
    b = ad.tensor(2.0, requires_grad=True)

    (ga, gb) = ad.grad(a * a, [a, b], create_graph=True, allow_unused=True)

    assert gb is None
    assert ga.item() == 2.0
    assert ga.requires_grad


def test_grad_input_without_requires_grad_raises():
    a = ad.tensor(1.0, requires_grad=True)
    constant = ad.tensor(2.0)

    with pytest.raises(ValueError, match="input 0 .* does not require grad"):
        ad.grad(a * constant, [constant])


def test_grad_output_without_history_raises():
    a = ad.tensor(1.0, requires_grad=True)

    with pytest.raises(RuntimeError, match="does not require grad"):
        ad.grad(ad.tensor(3.0), [a])


def test_grad_tensor_form_by_keywords():
    x = ad.tensor(2.0, requires_grad=True)

    (g,) = ad.grad(outputs=x * x, inputs=x)

    assert g.item() == 4.0


def test_backward_create_graph_warns():
    x = ad.tensor(2.0, requires_grad=True)
    with pytest.warns(UserWarning, match=r"reference cycle.*autodiff\.grad"):
        (x * x).backward(create_graph=True)
    assert x.grad.requires_grad
