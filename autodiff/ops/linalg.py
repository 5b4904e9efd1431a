"""Matrix products with NumPy's rules for 1-d, 2-d and batched operands."""

from autodiff import primitives as P
from autodiff.ops._common import lift_pair
from autodiff.ops.elementwise import multiply
from autodiff.ops.shape import moveaxis, reshape
from autodiff.tensor import apply, apply_binary


def matmul(x1, x2):
    """x1 @ x2 as `numpy.matmul`.

    Shapes: (n, k) @ (k, m) -> (n, m); a 1-d first operand acts as a row
    (k,) and a 1-d second operand as a column, and the added axis is removed
    from the result; leading batch axes broadcast, (b, n, k) @ (k, m) -> (b, n, m).
    In the notes' row-major layer, Z = X W + b with X of shape (n, d) and W[k]
    of shape (d, m); the VJPs are ∂J/∂X = δ W^T and ∂J/∂W = X^T δ.
    """
    a, b = lift_pair(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"matmul: operands must have at least 1 dimension, got shapes {a.shape} and "
            f"{b.shape}; use * to multiply by a scalar"
        )
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        b_axis = "b.shape[0]" if b.ndim == 1 else "b.shape[-2]"
        raise ValueError(
            f"matmul: shapes {a.shape} and {b.shape} are not aligned: a.shape[-1] = {k_a} "
            f"but {b_axis} = {k_b}; the inner dimensions must match (transpose an operand?)"
        )
    return apply_binary(P.matmul, a, b)


def dot(a, b):
    """Dot product as `numpy.dot`.

    0-d operands multiply, and 1-d and 2-d operands follow `matmul`. For
    N-d operands the result sums over the last axis of a and the
    second-to-last of b. Its shape is a.shape[:-1] + b.shape[:-2] + b.shape[-1:].
    """
    a, b = lift_pair(a, b)
    if a.ndim == 0 or b.ndim == 0:
        return multiply(a, b)
    if b.ndim <= 2:
        return matmul(a, b)

    # N-d: bring b's contracted axis to the front, then one 2-d product.
    k = b.shape[-2]
    b_front = reshape(moveaxis(b, -2, 0), (k, -1))
    out_shape = a.shape[:-1] + b.shape[:-2] + b.shape[-1:]
    return reshape(matmul(a, b_front), out_shape)
