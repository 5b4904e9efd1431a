"""The transforms against `torch.autograd.functional` on the same float64 inputs.

Models: a two-layer MLP with squared loss, logsumexp, softmax and a
batched matmul. Each is written once with autodiff ops and once with
torch ops, and hessian, jacobian, hvp, vjp and jvp must agree.
"""

import numpy as np
import pytest
import torch
from torch.autograd import functional as torch_functional

import autodiff as ad

TOLERANCE = {"rtol": 1e-10, "atol": 1e-12}


def _torch(*arrays):
    return tuple(torch.from_numpy(np.array(a, dtype=np.float64)) for a in arrays)


def _assert_close(ours, theirs, label=""):
    """Compare nested tuples of ndarrays with nested tuples of torch tensors."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, tuple) and len(ours) == len(theirs), label
        for k, (a, b) in enumerate(zip(ours, theirs)):
            _assert_close(a, b, f"{label}[{k}]")
        return
    assert ours.shape == tuple(theirs.shape), label
    np.testing.assert_allclose(ours, theirs.detach().numpy(), err_msg=label, **TOLERANCE)


# --- a two-layer MLP: a[1] = relu(X W[1] + b[1]), h = a[1] W[2] + b[2], J = mean ½(h - y)² ---

RNG = np.random.default_rng(7)
X = RNG.standard_normal((6, 3))
Y = RNG.standard_normal((6, 1))
PARAMETERS = (
    RNG.standard_normal((3, 4)),  # W[1]
    0.1 * RNG.standard_normal(4),  # b[1]
    RNG.standard_normal((4, 1)),  # W[2]
    0.1 * RNG.standard_normal(1),  # b[2]
)


def mlp_loss(W1, b1, W2, b2):
    a1 = ad.relu(ad.matmul(X, W1) + b1)
    h = ad.matmul(a1, W2) + b2
    return ad.mean(0.5 * (h - Y) ** 2)


def mlp_loss_torch(W1, b1, W2, b2):
    X_torch, Y_torch = _torch(X, Y)
    a1 = torch.relu(X_torch @ W1 + b1)
    h = a1 @ W2 + b2
    return torch.mean(0.5 * (h - Y_torch) ** 2)


def test_mlp_points_are_away_from_relu_kink():
    # The Hessian at a kink would depend on the relu'(0) convention.
    z1 = X @ PARAMETERS[0] + PARAMETERS[1]

    assert np.abs(z1).min() > 1e-3
    assert (z1 > 0).any()
    assert (z1 < 0).any()


def test_mlp_loss_hessian_matches_torch():
    H = ad.hessian(mlp_loss, argnums=(0, 1, 2, 3))(*PARAMETERS)
    H_torch = torch_functional.hessian(mlp_loss_torch, _torch(*PARAMETERS))

    _assert_close(H, H_torch, "H")


def test_mlp_hessian_is_symmetric():
    H = ad.hessian(mlp_loss, argnums=(0, 1, 2, 3))(*PARAMETERS)
    sizes = [p.size for p in PARAMETERS]
    full = np.block([[H[i][j].reshape(sizes[i], sizes[j]) for j in range(4)] for i in range(4)])

    np.testing.assert_allclose(full, full.T, rtol=1e-12, atol=1e-14)


def test_mlp_loss_hvp_matches_torch():
    vectors = tuple(RNG.standard_normal(p.shape) for p in PARAMETERS)

    ours = ad.hvp(mlp_loss, PARAMETERS, vectors)
    _, theirs = torch_functional.hvp(mlp_loss_torch, _torch(*PARAMETERS), _torch(*vectors))

    _assert_close(ours, theirs, "hvp")


def test_mlp_loss_gradient_matches_torch_vjp():
    value, gradients = ad.value_and_grad(mlp_loss, argnums=(0, 1, 2, 3))(*PARAMETERS)
    torch_value, torch_gradients = torch_functional.vjp(mlp_loss_torch, _torch(*PARAMETERS))

    _assert_close(value, torch_value, "value")
    _assert_close(gradients, torch_gradients, "gradients")


def test_mlp_hidden_layer_jacobian_matches_torch():
    def hidden(W1, b1):
        return ad.relu(ad.matmul(X, W1) + b1)

    def hidden_torch(W1, b1):
        return torch.relu(_torch(X)[0] @ W1 + b1)

    J = ad.jacobian(hidden, argnums=(0, 1))(*PARAMETERS[:2])
    J_torch = torch_functional.jacobian(hidden_torch, _torch(*PARAMETERS[:2]))

    _assert_close(J, J_torch, "J")


# --- logsumexp, softmax and a batched matmul ---

LOGITS = RNG.standard_normal((3, 4)) * 3


@pytest.mark.parametrize("axis", [None, -1])
def test_logsumexp_hessian_matches_torch(axis):
    def f(a):
        return ad.logsumexp(a, axis=axis).sum()

    def f_torch(a):
        return torch.logsumexp(a, dim=(0, 1) if axis is None else axis).sum()

    _assert_close(ad.hessian(f)(LOGITS), torch_functional.hessian(f_torch, _torch(LOGITS)[0]))


def test_logsumexp_hessian_closed_form():
    # ∇² logsumexp(a) = diag(p) - p pᵀ with p = softmax(a).
    a = LOGITS[0]
    p = np.exp(a - a.max())
    p /= p.sum()

    np.testing.assert_allclose(ad.hessian(ad.logsumexp)(a), np.diag(p) - np.outer(p, p), rtol=1e-12, atol=1e-15)


def test_logsumexp_hessian_stays_finite_for_large_logits():
    H = ad.hessian(ad.logsumexp)(np.array([1000.0, 1001.0, -1000.0]))

    assert np.isfinite(H).all()


def test_softmax_jacobian_matches_torch():
    J = ad.jacobian(lambda a: ad.softmax(a, axis=-1))(LOGITS)
    J_torch = torch_functional.jacobian(lambda a: torch.softmax(a, dim=-1), _torch(LOGITS)[0])

    _assert_close(J, J_torch)


def test_softmax_vjp_and_jvp_match_torch():
    direction = RNG.standard_normal(LOGITS.shape)

    value, vjp_fn = ad.vjp(lambda a: ad.softmax(a, axis=-1), LOGITS)
    _, tangent = ad.jvp(lambda a: ad.softmax(a, axis=-1), (LOGITS,), (direction,))
    torch_value, torch_vjp = torch_functional.vjp(
        lambda a: torch.softmax(a, dim=-1), _torch(LOGITS)[0], _torch(direction)[0]
    )
    _, torch_jvp = torch_functional.jvp(
        lambda a: torch.softmax(a, dim=-1), _torch(LOGITS)[0], _torch(direction)[0]
    )

    _assert_close(value, torch_value, "value")
    _assert_close(vjp_fn(direction)[0], torch_vjp, "vjp")
    _assert_close(tangent, torch_jvp, "jvp")


def test_batched_matmul_jacobian_matches_torch():
    A = RNG.standard_normal((2, 3, 4))
    B = RNG.standard_normal((2, 4, 2))

    J = ad.jacobian(ad.matmul, argnums=(0, 1))(A, B)
    J_torch = torch_functional.jacobian(torch.matmul, _torch(A, B))

    _assert_close(J, J_torch)


def test_broadcast_batched_matmul_jacobian_matches_torch():
    # The (4, 2) operand is shared by the batch, so its Jacobian sums over it.
    A = RNG.standard_normal((2, 3, 4))
    B = RNG.standard_normal((4, 2))

    J = ad.jacobian(ad.matmul, argnums=(0, 1))(A, B)
    J_torch = torch_functional.jacobian(torch.matmul, _torch(A, B))

    _assert_close(J, J_torch)


def test_batched_matmul_jvp_and_hvp_match_torch():
    A = RNG.standard_normal((2, 3, 4))
    B = RNG.standard_normal((2, 4, 2))
    tangents = (RNG.standard_normal(A.shape), RNG.standard_normal(B.shape))

    def f(A, B):
        return ad.tanh(ad.matmul(A, B))

    def f_torch(A, B):
        return torch.tanh(A @ B)

    _, ours = ad.jvp(f, (A, B), tangents)
    _, theirs = torch_functional.jvp(f_torch, _torch(A, B), _torch(*tangents))
    _assert_close(ours, theirs, "jvp")

    ours_hvp = ad.hvp(lambda A, B: f(A, B).sum(), (A, B), tangents)
    _, theirs_hvp = torch_functional.hvp(lambda A, B: f_torch(A, B).sum(), _torch(A, B), _torch(*tangents))
    _assert_close(ours_hvp, theirs_hvp, "hvp")


def test_float32_hessian_matches_torch():
    a = LOGITS[0].astype(np.float32)

    H = ad.hessian(ad.logsumexp)(a)
    H_torch = torch_functional.hessian(lambda t: torch.logsumexp(t, dim=0), torch.from_numpy(a))

    assert H.dtype == np.float32
    np.testing.assert_allclose(H, H_torch.numpy(), rtol=1e-5, atol=1e-6)
