"""matmul and dot with NumPy's rules for 1-d, 2-d and batched operands."""

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import autodiff as ad
from array_strategies import values
from torch_oracle import check_op

# name: (shape of a, shape of b), with 3 as the contracted length throughout.
MATMUL_SHAPES = {
    "vector_vector": ((3,), (3,)),
    "vector_matrix": ((3,), (3, 4)),
    "matrix_vector": ((2, 3), (3,)),
    "matrix_matrix": ((2, 3), (3, 4)),
    "row_matrix": ((1, 3), (3, 4)),
    "matrix_column": ((2, 3), (3, 1)),
    "column_row": ((2, 1), (1, 4)),
    "batch_matrix": ((5, 2, 3), (3, 4)),
    "matrix_batch": ((2, 3), (5, 3, 4)),
    "batch_batch": ((5, 2, 3), (5, 3, 4)),
    "broadcast_batch": ((1, 2, 3), (5, 3, 4)),
    "batch_vector": ((5, 2, 3), (3,)),
    "vector_batch": ((3,), (5, 3, 4)),
    "four_d": ((2, 1, 2, 3), (1, 5, 3, 4)),
}


@pytest.mark.parametrize("name", MATMUL_SHAPES)
@given(data=st.data())
def test_matmul_matches_oracles(name, data):
    a_shape, b_shape = MATMUL_SHAPES[name]
    a = data.draw(values(a_shape))
    b = data.draw(values(b_shape))

    check_op(ad.matmul, a, b, torch_function=torch.matmul)


def _matmul_operand_shape(kind, side, b, m, k, p):
    """Shape of an operand kind, with k as the contracted length where the kind allows it."""
    if side == "a":
        return {"vector": (k,), "matrix": (m, k), "row": (1, k), "column": (m, 1), "batch": (b, m, k)}[kind]
    return {"vector": (k,), "matrix": (k, p), "row": (1, p), "column": (k, 1), "batch": (b, k, p)}[kind]


def _aligned(a_shape, b_shape):
    inner_b = b_shape[0] if len(b_shape) == 1 else b_shape[-2]
    return a_shape[-1] == inner_b


# The operand kinds of the broadcasting grid, less the scalar, which matmul rejects.
# A row as the right operand, or a column as the left one, aligns only with each other.
MATMUL_KINDS = ("vector", "matrix", "row", "column", "batch")
MATMUL_PAIRS = [
    (a, b) for a, b in itertools.product(MATMUL_KINDS, repeat=2)
    if _aligned(_matmul_operand_shape(a, "a", 2, 3, 4, 5), _matmul_operand_shape(b, "b", 2, 3, 4, 5))
]


@pytest.mark.parametrize("kinds", MATMUL_PAIRS, ids=[f"{a}-{b}" for a, b in MATMUL_PAIRS])
@settings(max_examples=8)
@given(data=st.data())
def test_matmul_kind_pair(kinds, data):
    b, m, k, p = data.draw(st.tuples(*[st.integers(2, 3)] * 4))
    a_data = data.draw(values(_matmul_operand_shape(kinds[0], "a", b, m, k, p)))
    b_data = data.draw(values(_matmul_operand_shape(kinds[1], "b", b, m, k, p)))

    check_op(ad.matmul, a_data, b_data, torch_function=torch.matmul)


def test_matmul_kind_pair_count():
    # 4 x 4 pairs with k on both sides, plus column @ row.
    assert len(MATMUL_PAIRS) == 17


@pytest.mark.parametrize("name", ["matrix_matrix", "batch_vector", "vector_vector"])
def test_matmul_operator(name):
    a_shape, b_shape = MATMUL_SHAPES[name]
    rng = np.random.default_rng(1)

    check_op(lambda s, t: s @ t, rng.standard_normal(a_shape), rng.standard_normal(b_shape))


@given(data=st.data())
def test_matmul_random_sizes(data):
    n, k, m = data.draw(st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)))
    batch = tuple(data.draw(st.lists(st.integers(1, 3), max_size=2)))
    a = data.draw(values(batch + (n, k)))
    b = data.draw(values((k, m)))

    check_op(ad.matmul, a, b, torch_function=torch.matmul)


def test_matmul_known_gradient():
    # J = Σ_ij (A B)_ij, so ∂J/∂A = 1 Bᵀ (each row of A gets B's row sums) and ∂J/∂B = Aᵀ 1.
    a = ad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = ad.tensor([[5.0, 6.0], [7.0, 8.0]], requires_grad=True)

    (a @ b).sum().backward()

    np.testing.assert_array_equal(a.grad.data, [[11.0, 15.0], [11.0, 15.0]])
    np.testing.assert_array_equal(b.grad.data, [[4.0, 4.0], [6.0, 6.0]])


def test_matmul_known_upstream():
    # With upstream δ, ∂J/∂X = δ Wᵀ and ∂J/∂W = Xᵀ δ.
    x = ad.tensor([[1.0, 0.0, 2.0]], requires_grad=True)
    w = ad.tensor([[1.0, -1.0], [0.0, 2.0], [3.0, 1.0]], requires_grad=True)
    delta = np.array([[2.0, -1.0]])

    (x @ w).backward(grad=delta)

    np.testing.assert_array_equal(x.grad.data, [[3.0, -2.0, 5.0]])
    np.testing.assert_array_equal(w.grad.data, [[2.0, -1.0], [0.0, 0.0], [4.0, -2.0]])


def test_inner_product_is_scalar():
    a = ad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = ad.tensor([4.0, 5.0, 6.0], requires_grad=True)

    y = a @ b
    y.backward()

    assert y.shape == ()
    assert y.item() == 32.0
    np.testing.assert_array_equal(a.grad.data, [4.0, 5.0, 6.0])
    np.testing.assert_array_equal(b.grad.data, [1.0, 2.0, 3.0])


# --- dot ---

# name: (shape of a, shape of b)
DOT_SHAPES = {
    "scalar_scalar": ((), ()),
    "scalar_matrix": ((), (2, 3)),
    "matrix_scalar": ((2, 3), ()),
    "vector_vector": ((3,), (3,)),
    "matrix_vector": ((2, 3), (3,)),
    "matrix_matrix": ((2, 3), (3, 4)),
    "batch_vector": ((5, 2, 3), (3,)),
    "matrix_batch": ((2, 3), (5, 3, 4)),
    "batch_batch": ((2, 2, 3), (4, 3, 2)),
    "vector_batch": ((3,), (5, 3, 4)),
}


def _torch_dot(a, b):
    """numpy.dot's rules, spelled with torch ops."""
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if b.ndim == 1:
        return torch.tensordot(a, b, dims=([-1], [0]))
    return torch.tensordot(a, b, dims=([-1], [b.ndim - 2]))


@pytest.mark.parametrize("name", DOT_SHAPES)
def test_dot_matches_oracles(name):
    a_shape, b_shape = DOT_SHAPES[name]
    rng = np.random.default_rng(2)
    a = rng.standard_normal(a_shape)
    b = rng.standard_normal(b_shape)

    result = ad.dot(a, b)
    np.testing.assert_allclose(result.data, np.dot(a, b))
    check_op(ad.dot, a, b, torch_function=_torch_dot)


def test_dot_method():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([0.5, -1.0])

    check_op(lambda s, t: s.dot(t), a, b, torch_function=torch.matmul)
