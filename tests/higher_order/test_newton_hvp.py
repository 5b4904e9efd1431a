"""Newton's method with the Hessian, and Hessian-vector products against the full Hessian."""

import numpy as np
import pytest

import autodiff as ad

RNG = np.random.default_rng(3)


def _convex_quadratic(n):
    """Return (f, A, b) with f(x) = ½ xᵀA x - bᵀx + 4 and A symmetric positive definite."""
    M = RNG.standard_normal((n, n))
    A = M @ M.T + n * np.eye(n)
    b = RNG.standard_normal(n)

    def f(x):
        return 0.5 * ad.matmul(x, ad.matmul(A, x)) - ad.matmul(b, x) + 4.0

    return f, A, b


def test_newton_step_reaches_quadratic_minimum():
    f, A, b = _convex_quadratic(5)
    x0 = RNG.standard_normal(5)

    x1 = x0 - np.linalg.solve(ad.hessian(f)(x0), ad.grad(f)(x0))

    np.testing.assert_allclose(x1, np.linalg.solve(A, b), rtol=1e-10)
    np.testing.assert_allclose(ad.grad(f)(x1), np.zeros(5), atol=1e-10)


def test_newton_step_by_hvp_conjugate_gradient():
    # Newton without forming H: solve H p = -∇f by conjugate gradient, one
    # hvp per iteration; n iterations are exact for an n × n quadratic.
    f, A, b = _convex_quadratic(4)
    x0 = np.zeros(4)
    gradient = ad.grad(f)(x0)

    p = np.zeros(4)
    residual = -gradient
    direction = residual.copy()
    for _ in range(4):
        (H_direction,) = ad.hvp(f, (x0,), (direction,))
        step = residual @ residual / (direction @ H_direction)
        p += step * direction
        new_residual = residual - step * H_direction
        direction = new_residual + (new_residual @ new_residual) / (residual @ residual) * direction
        residual = new_residual

    np.testing.assert_allclose(x0 + p, np.linalg.solve(A, b), rtol=1e-8)


def test_newton_step_solves_least_squares():
    # J(w, b) = mean ½(X w + b - y)² is quadratic, so one Newton step from
    # anywhere gives the least-squares fit.
    X = RNG.standard_normal((20, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 + 0.01 * RNG.standard_normal(20)

    def loss(theta):
        w, b = theta[:3], theta[3]
        return ad.mean(0.5 * (ad.matmul(X, w) + b - y) ** 2)

    theta0 = RNG.standard_normal(4)
    theta1 = theta0 - np.linalg.solve(ad.hessian(loss)(theta0), ad.grad(loss)(theta0))

    design = np.hstack([X, np.ones((20, 1))])
    expected, *_ = np.linalg.lstsq(design, y, rcond=None)
    np.testing.assert_allclose(theta1, expected, rtol=1e-10)


def test_quadratic_hessian_is_its_matrix():
    f, A, _ = _convex_quadratic(3)

    np.testing.assert_allclose(ad.hessian(f)(RNG.standard_normal(3)), A, rtol=1e-12)


def _mlp_loss(W1, b1, W2):
    X = np.linspace(-1.0, 1.0, 12).reshape(4, 3)
    y = np.array([[0.5], [-0.2], [0.1], [0.9]])
    h = ad.matmul(ad.tanh(ad.matmul(X, W1) + b1), W2)
    return ad.mean(0.5 * (h - y) ** 2)


MLP_POINT = (RNG.standard_normal((3, 2)), RNG.standard_normal(2), RNG.standard_normal((2, 1)))


@pytest.mark.parametrize("trial", range(3))
def test_hvp_agrees_with_full_hessian(trial):
    vectors = tuple(RNG.standard_normal(p.shape) for p in MLP_POINT)
    sizes = [p.size for p in MLP_POINT]

    products = ad.hvp(_mlp_loss, MLP_POINT, vectors)
    H = ad.hessian(_mlp_loss, argnums=(0, 1, 2))(*MLP_POINT)

    full = np.block([[H[i][j].reshape(sizes[i], sizes[j]) for j in range(3)] for i in range(3)])
    expected = full @ np.concatenate([v.ravel() for v in vectors])
    actual = np.concatenate([p.ravel() for p in products])
    np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-13)


def test_hvp_agrees_with_jvp_of_grad():
    vectors = tuple(RNG.standard_normal(p.shape) for p in MLP_POINT)

    reverse_over_reverse = ad.hvp(_mlp_loss, MLP_POINT, vectors)
    _, forward_over_reverse = ad.jvp(ad.grad(_mlp_loss, argnums=(0, 1, 2)), MLP_POINT, vectors)

    for a, b in zip(reverse_over_reverse, forward_over_reverse):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)


def test_hvp_with_basis_vectors_rebuilds_hessian():
    x = np.array([0.3, -0.7, 1.1])

    def f(x):
        return ad.logsumexp(x * x) + ad.sin(x).sum()

    columns = [ad.hvp(f, (x,), (e,))[0] for e in np.eye(3)]

    np.testing.assert_allclose(np.stack(columns, axis=1), ad.hessian(f)(x), rtol=1e-12, atol=1e-15)
