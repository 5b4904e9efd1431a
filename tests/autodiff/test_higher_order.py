"""Second derivatives: VJP rules recorded with create_graph=True, against PyTorch's double backward.

For f(a, b) with cotangent v and directions w_a, w_b, both libraries compute
the first-order gradients (g_a, g_b) with a graph, then backpropagate
Σ g_a·w_a + Σ g_b·w_b, which gives Hessian-vector products in a.grad, b.grad.
"""

import numpy as np
import pytest
import torch

import autodiff as ad

# name: (autodiff f(a, b), torch f(a, b)), for a in [0.3, 1.5] and b in [2.3, 3.5].
SECOND_ORDER = {
    "exp": (lambda a, b: ad.exp(a) * b, lambda a, b: torch.exp(a) * b),
    "log": (lambda a, b: ad.log(a) * b, lambda a, b: torch.log(a) * b),
    "sqrt": (lambda a, b: ad.sqrt(a) * b, lambda a, b: torch.sqrt(a) * b),
    "sin": (lambda a, b: ad.sin(a) * b, lambda a, b: torch.sin(a) * b),
    "cos": (lambda a, b: ad.cos(a) * b, lambda a, b: torch.cos(a) * b),
    "tanh": (lambda a, b: ad.tanh(a) * b, lambda a, b: torch.tanh(a) * b),
    "sigmoid": (lambda a, b: ad.sigmoid(a) * b, lambda a, b: torch.sigmoid(a) * b),
    "relu": (lambda a, b: ad.relu(a - 1) * b * a, lambda a, b: torch.relu(a - 1) * b * a),
    "abs": (lambda a, b: abs(a - 1) * b * a, lambda a, b: torch.abs(a - 1) * b * a),
    "divide": (lambda a, b: a / b, lambda a, b: a / b),
    "power": (lambda a, b: a ** b, lambda a, b: a ** b),
    "multiply": (lambda a, b: a * b * a, lambda a, b: a * b * a),
    "maximum": (lambda a, b: ad.maximum(a * a, b) * a, lambda a, b: torch.maximum(a * a, b) * a),
    "where": (lambda a, b: ad.where(a.data > 1, a * a, b * a), lambda a, b: torch.where(a > 1, a * a, b * a)),
    "clip": (lambda a, b: ad.clip(a, 0.5, 1.0) * a * b, lambda a, b: torch.clamp(a, 0.5, 1.0) * a * b),
    "matmul": (lambda a, b: (a @ b.T) ** 2, lambda a, b: (a @ b.T) ** 2),
    "sum": (lambda a, b: a.sum(axis=0) ** 2 * b[0], lambda a, b: a.sum(0) ** 2 * b[0]),
    "max": (lambda a, b: ad.max(a * b, axis=1) ** 2, lambda a, b: torch.amax(a * b, 1) ** 2),
    "getitem": (lambda a, b: a[[0, 0, 1]] ** 3 * b[0], lambda a, b: a[[0, 0, 1]] ** 3 * b[0]),
    "concatenate": (lambda a, b: ad.concatenate([a * a, b * a], axis=1), lambda a, b: torch.cat([a * a, b * a], 1)),
    "transpose": (lambda a, b: (a.T * b.T) ** 2, lambda a, b: (a.T * b.T) ** 2),
    "broadcast_to": (lambda a, b: ad.broadcast_to(a[0] * b[0], (4, 3)) ** 2,
                     lambda a, b: torch.broadcast_to(a[0] * b[0], (4, 3)) ** 2),
    "logsumexp": (lambda a, b: ad.logsumexp(a * b, axis=1), lambda a, b: torch.logsumexp(a * b, 1)),
    "softmax": (lambda a, b: ad.softmax(a * b, axis=1), lambda a, b: torch.softmax(a * b, 1)),
    "var": (lambda a, b: ad.var(a * b, axis=1), lambda a, b: torch.var(a * b, 1, correction=0)),
    "astype": (lambda a, b: (a.astype(np.float32) ** 3).astype(np.float64) * b,
               lambda a, b: (a.float() ** 3).double() * b),
}


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_second_derivative_like_torch(name):
    function, torch_function = SECOND_ORDER[name]
    rng = np.random.default_rng(7)
    a_data = rng.uniform(0.3, 1.5, (2, 3))
    b_data = rng.uniform(2.3, 3.5, (2, 3))
    a = ad.tensor(a_data, requires_grad=True)
    b = ad.tensor(b_data, requires_grad=True)
    ta = torch.tensor(a_data, requires_grad=True)
    tb = torch.tensor(b_data, requires_grad=True)

    out = function(a, b)
    v = rng.standard_normal(out.shape)
    w_a, w_b = rng.standard_normal((2, 2, 3))
    g_a, g_b = ad.grad(out, [a, b], grad_outputs=[v], create_graph=True)
    ((g_a * w_a).sum() + (g_b * w_b).sum()).backward()

    t_g_a, t_g_b = torch.autograd.grad(torch_function(ta, tb), [ta, tb], torch.tensor(v), create_graph=True)
    ((t_g_a * torch.tensor(w_a)).sum() + (t_g_b * torch.tensor(w_b)).sum()).backward()

    np.testing.assert_allclose(g_a.data, t_g_a.detach().numpy(), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(b.grad.data, tb.grad.numpy(), rtol=1e-6, atol=1e-9)


def test_third_derivative_of_cube():
    x = ad.tensor(2.0, requires_grad=True)

    (d1,) = ad.grad(x ** 3, [x], create_graph=True)
    (d2,) = ad.grad(d1, [x], create_graph=True)
    (d3,) = ad.grad(d2, [x])

    assert d1.item() == 12.0
    assert d2.item() == 12.0
    assert d3.item() == 6.0
