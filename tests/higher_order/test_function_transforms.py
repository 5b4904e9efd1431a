"""The function transforms: grad, value_and_grad, jacobian, hessian, vjp, jvp, hvp.

Covers the results and their types, argnums, nesting to higher orders,
closures, grad modes, and every error a caller can trigger.
"""

import numpy as np
import pytest

import autodiff as ad
import autodiff.functional as functional


def cube_sum(x):
    return (x * x * x).sum()


# --- grad: one name, two forms ---


def test_grad_dispatches_function_to_transform():
    gradient = ad.grad(cube_sum)

    result = gradient([1.0, 2.0])

    assert callable(gradient)
    np.testing.assert_array_equal(result, [3.0, 12.0])


def test_grad_dispatches_tensor_to_tensor_api():
    x = ad.tensor([1.0, 2.0], requires_grad=True)

    result = ad.grad(cube_sum(x), x)

    assert isinstance(result, tuple)
    np.testing.assert_array_equal(result[0].data, [3.0, 12.0])


def test_grad_dispatches_tensor_list_to_tensor_api():
    x = ad.tensor(2.0, requires_grad=True)

    (g,) = ad.grad([x * x], [x])

    assert g.item() == 4.0


def test_grad_transform_by_keyword():
    gradient = ad.grad(f=cube_sum, argnums=0)

    np.testing.assert_array_equal(gradient([2.0]), [12.0])


def test_grad_is_same_in_functional_module():
    assert functional.grad is ad.grad


def test_grad_rejects_other_first_argument():
    with pytest.raises(TypeError, match=r"must be a function, for grad\(f, argnums=0\), or a Tensor"):
        ad.grad(3.0)


def test_grad_rejects_missing_first_argument():
    with pytest.raises(TypeError, match="missing the first argument"):
        ad.grad()


def test_grad_transform_name_and_doc():
    gradient = ad.grad(cube_sum, argnums=(0,))

    assert gradient.__name__ == "grad(cube_sum)"
    assert "cube_sum" in gradient.__doc__


# --- grad transform: results ---


def test_grad_returns_new_writable_ndarray():
    result = ad.grad(lambda x: x.sum())(np.ones(3))

    assert type(result) is np.ndarray
    assert result.flags.writeable
    result += 1  # the engine's broadcast view would be read-only
    np.testing.assert_array_equal(result, [2.0, 2.0, 2.0])


def test_grad_of_scalar_is_zero_dimensional_array():
    result = ad.grad(ad.sin)(0.0)

    assert type(result) is np.ndarray
    assert result.shape == ()
    assert result == 1.0


def test_grad_keeps_float32():
    result = ad.grad(cube_sum)(np.array([1.0, 2.0], dtype=np.float32))

    assert result.dtype == np.float32


def test_grad_accepts_tensor_without_grad():
    x = ad.tensor([1.0, 2.0])

    result = ad.grad(cube_sum)(x)

    np.testing.assert_array_equal(result, [3.0, 12.0])
    assert x.grad is None


def test_grad_of_tracked_tensor_keeps_history():
    x = ad.tensor([1.0, 2.0], requires_grad=True)

    result = ad.grad(cube_sum)(x)
    result.sum().backward()

    assert isinstance(result, ad.Tensor)
    np.testing.assert_array_equal(x.grad.data, [6.0, 12.0])  # d/dx Σ 3x² = 6x


def test_grad_accepts_one_element_output():
    # As backward(): any output with one element, like a (1, 1) loss, is a scalar.
    result = ad.grad(lambda w: ad.reshape(cube_sum(w), (1, 1)))([1.0, 2.0])

    np.testing.assert_array_equal(result, [3.0, 12.0])


def test_grad_argnums_tuple_gives_tuple():
    def f(x, y):
        return (x * y * y).sum()

    dx, dy = ad.grad(f, argnums=(0, 1))([1.0, 2.0], [3.0, 4.0])

    np.testing.assert_array_equal(dx, [9.0, 16.0])
    np.testing.assert_array_equal(dy, [6.0, 16.0])


def test_grad_argnums_single_tuple_gives_one_tuple():
    (dx,) = ad.grad(lambda x: x * x, argnums=(0,))(3.0)

    assert dx == 6.0


def test_grad_negative_argnums():
    def f(x, y):
        return x * y * y

    assert ad.grad(f, argnums=-1)(2.0, 3.0) == 12.0


def test_grad_argnums_order_is_kept():
    dy, dx = ad.grad(lambda x, y: x * y * y, argnums=(1, 0))(2.0, 3.0)

    assert (dx, dy) == (9.0, 12.0)


def test_grad_passes_other_arguments_unchanged():
    seen = {}

    def f(x, count, scale=1.0):
        seen["count"], seen["scale"] = count, scale
        return (x * scale).sum() * count

    result = ad.grad(f)([1.0, 1.0], 3, scale=2.0)

    assert seen == {"count": 3, "scale": 2.0}
    np.testing.assert_array_equal(result, [6.0, 6.0])


def test_grad_same_tensor_in_two_arguments():
    # Each differentiated argument gets its own input, as in JAX.
    x = ad.tensor(3.0)

    dx, dy = ad.grad(lambda x, y: x * y * y, argnums=(0, 1))(x, x)

    assert (dx, dy) == (9.0, 18.0)


def test_value_and_grad_nested_value_is_tensor():
    x = ad.tensor([1.0, 2.0], requires_grad=True)

    value, gradient = ad.value_and_grad(cube_sum)(x)
    (value + gradient.sum()).backward()

    assert isinstance(value, ad.Tensor)
    np.testing.assert_array_equal(x.grad.data, [3.0 + 6.0, 12.0 + 12.0])


def test_grad_of_unused_argument_is_zero():
    dx, dy = ad.grad(lambda x, y: x * 2.0, argnums=(0, 1))(1.0, [2.0, 3.0])

    assert dx == 2.0
    np.testing.assert_array_equal(dy, [0.0, 0.0])


def test_grad_of_constant_function_is_zero():
    result = ad.grad(lambda x: 3.0)([1.0, 2.0])

    np.testing.assert_array_equal(result, [0.0, 0.0])


def test_grad_has_aux():
    def f(x):
        loss = (x * x).sum()
        return loss, {"loss": loss, "label": "squares"}

    gradient, aux = ad.grad(f, has_aux=True)([1.0, 2.0])

    np.testing.assert_array_equal(gradient, [2.0, 4.0])
    assert aux["loss"] == 5.0
    assert type(aux["loss"]) is np.ndarray
    assert aux["label"] == "squares"


def test_grad_has_aux_requires_pair():
    with pytest.raises(TypeError, match=r"has_aux=True, f must return a pair \(output, aux\), got Tensor"):
        ad.grad(cube_sum, has_aux=True)([1.0])


def test_value_and_grad_returns_both():
    value, gradient = ad.value_and_grad(cube_sum)([1.0, 2.0])

    assert value == 9.0
    assert type(value) is np.ndarray
    np.testing.assert_array_equal(gradient, [3.0, 12.0])


def test_value_and_grad_has_aux_and_argnums():
    def f(x, y):
        return (x * y).sum(), "aux"

    (value, aux), (dx, dy) = ad.value_and_grad(f, argnums=(0, 1), has_aux=True)([1.0, 2.0], [3.0, 4.0])

    assert value == 11.0
    assert aux == "aux"
    np.testing.assert_array_equal(dx, [3.0, 4.0])
    np.testing.assert_array_equal(dy, [1.0, 2.0])


# --- nesting: higher orders and closures ---


def test_nested_grad_gives_third_derivative_of_tanh():
    t = np.tanh(0.4)
    s = 1 - t * t

    third = ad.grad(ad.grad(ad.grad(ad.tanh)))(0.4)

    assert third == pytest.approx(s * (6 * t * t - 2), rel=1e-12)


def test_nested_grad_in_second_argument():
    # ∂³/∂y³ x**y = x**y log(x)³
    third = ad.grad(ad.grad(ad.grad(lambda x, y: x ** y, 1), 1), 1)(2.0, 1.5)

    assert third == pytest.approx(2.0 ** 1.5 * np.log(2.0) ** 3, rel=1e-12)


def test_nested_grad_of_polynomial_reaches_zero():
    derivatives = [lambda x: x ** 3]
    for _ in range(4):
        derivatives.append(ad.grad(derivatives[-1]))

    values = [float(d(2.0)) for d in derivatives]

    assert values == [8.0, 12.0, 12.0, 6.0, 0.0]


def test_nested_grad_keeps_perturbations_apart():
    # d/dx [x · d/dy (x·y)] = d/dx x² = 2x. Sharing one tensor for x and y
    # would give d/dx [x · 2x] instead ("perturbation confusion").
    def f(x):
        return x * ad.grad(lambda y: x * y)(x)

    assert ad.grad(f)(3.0) == 6.0


def test_inner_grad_of_closure_keeps_outer_derivative():
    # The inner argument is a plain float, so only the closure over x ties
    # the inner gradient (= x) to the outer variable.
    def f(x):
        return ad.grad(lambda y: x * y)(2.0)

    assert ad.grad(f)(3.0) == 1.0


def test_grad_of_closure_over_weights_keeps_history():
    # A gradient penalty: ‖∇ₓ f‖² backpropagated to weights that f reads.
    w = ad.tensor([1.0, 2.0], requires_grad=True)
    x = np.array([0.5, 1.0])

    input_gradient = ad.grad(lambda x: (w * x * x).sum())(x)  # 2 w x
    (input_gradient * input_gradient).sum().backward()

    assert isinstance(input_gradient, ad.Tensor)
    np.testing.assert_allclose(input_gradient.data, 2 * w.data * x)
    np.testing.assert_allclose(w.grad.data, 8 * w.data * x * x)  # d/dw Σ (2wx)²


def test_grad_inside_no_grad_returns_arrays():
    w = ad.tensor([1.0, 2.0], requires_grad=True)

    with ad.no_grad():
        first = ad.grad(lambda x: (x * x).sum())([3.0])
        closure = ad.grad(lambda x: (w * x).sum())([1.0, 1.0])

    np.testing.assert_array_equal(first, [6.0])
    assert type(closure) is np.ndarray
    np.testing.assert_array_equal(closure, [1.0, 2.0])


def test_grad_does_not_free_outer_graph():
    w = ad.tensor(2.0, requires_grad=True)
    h = w * w

    with ad.no_grad():
        ad.grad(lambda x: h * x)(1.0)
    h.backward()

    assert w.grad.item() == 4.0


# --- jacobian and hessian ---


def test_jacobian_of_elementwise_square():
    J = ad.jacobian(lambda x: x * x)(np.array([1.0, 2.0, 3.0]))

    np.testing.assert_array_equal(J, np.diag([2.0, 4.0, 6.0]))


def test_jacobian_shape_is_output_then_input():
    J = ad.jacobian(lambda x: ad.sum(x, axis=1))(np.ones((2, 3)))

    assert J.shape == (2, 2, 3)
    np.testing.assert_array_equal(J[0], [[1, 1, 1], [0, 0, 0]])
    np.testing.assert_array_equal(J[1], [[0, 0, 0], [1, 1, 1]])


def test_jacobian_tuple_outputs_and_argnums():
    def f(x, y):
        return x * y, ad.sum(x)

    (J_xy, J_sum) = ad.jacobian(f, argnums=(0, 1))([1.0, 2.0], [3.0, 4.0])

    np.testing.assert_array_equal(J_xy[0], np.diag([3.0, 4.0]))
    np.testing.assert_array_equal(J_xy[1], np.diag([1.0, 2.0]))
    np.testing.assert_array_equal(J_sum[0], [1.0, 1.0])
    np.testing.assert_array_equal(J_sum[1], [0.0, 0.0])


def test_jacobian_of_constant_output_is_zero():
    J = ad.jacobian(lambda x: np.ones(2))([1.0, 2.0, 3.0])

    np.testing.assert_array_equal(J, np.zeros((2, 3)))


def test_jacobian_of_empty_output():
    J = ad.jacobian(lambda x: x[:0])([1.0, 2.0])

    assert J.shape == (0, 2)


def test_jacobian_of_scalar_function_is_gradient():
    x = np.array([0.5, -1.0])

    np.testing.assert_allclose(ad.jacobian(cube_sum)(x), ad.grad(cube_sum)(x), rtol=1e-15)


def test_jacobian_of_jacobian_is_third_order_tensor():
    T = ad.jacobian(ad.hessian(cube_sum))([1.0, 2.0])

    expected = np.zeros((2, 2, 2))
    expected[0, 0, 0], expected[1, 1, 1] = 6.0, 6.0
    np.testing.assert_array_equal(T, expected)


def test_hessian_of_product_square():
    H = ad.hessian(lambda x: (x[0] * x[1]) ** 2)([1.0, 2.0])

    np.testing.assert_array_equal(H, [[8.0, 8.0], [8.0, 2.0]])


def test_hessian_tuple_argnums_gives_blocks():
    def f(x, y):
        return (x * x * y).sum()

    H = ad.hessian(f, argnums=(0, 1))([1.0, 2.0], 3.0)

    np.testing.assert_array_equal(H[0][0], np.diag([6.0, 6.0]))  # 2y
    np.testing.assert_array_equal(H[0][1], [2.0, 4.0])  # 2x, shape (2,) + ()
    np.testing.assert_array_equal(H[1][0], [2.0, 4.0])
    assert H[1][1] == 0.0


def test_hessian_of_matrix_argument_shape():
    H = ad.hessian(lambda W: (W * W).sum())(np.ones((2, 3)))

    assert H.shape == (2, 3, 2, 3)
    np.testing.assert_array_equal(H.reshape(6, 6), 2 * np.eye(6))


# --- vjp, jvp, hvp ---


def test_vjp_returns_value_and_reusable_function():
    y, vjp_fn = ad.vjp(lambda x: x * x, [1.0, 2.0, 3.0])

    first = vjp_fn([1.0, 0.0, 1.0])
    second = vjp_fn([0.0, 1.0, 0.0])

    np.testing.assert_array_equal(y, [1.0, 4.0, 9.0])
    np.testing.assert_array_equal(first[0], [2.0, 0.0, 6.0])
    np.testing.assert_array_equal(second[0], [0.0, 4.0, 0.0])


def test_vjp_several_primals_and_outputs():
    def f(x, y):
        return x * y, (x * x).sum()

    (product, total), vjp_fn = ad.vjp(f, [1.0, 2.0], [3.0, 4.0])
    dx, dy = vjp_fn(([1.0, 1.0], 2.0))

    np.testing.assert_array_equal(product, [3.0, 8.0])
    assert total == 5.0
    np.testing.assert_array_equal(dx, [3.0 + 4.0, 4.0 + 8.0])  # y + 2·2x
    np.testing.assert_array_equal(dy, [1.0, 2.0])


def test_vjp_cotangent_with_history():
    # A cotangent that requires grad gives a VJP with history in it.
    u = ad.tensor([1.0, 2.0], requires_grad=True)
    _, vjp_fn = ad.vjp(lambda x: x * x, [3.0, 4.0])

    (g,) = vjp_fn(u)
    g.sum().backward()

    np.testing.assert_array_equal(u.grad.data, [6.0, 8.0])


def test_jvp_matches_jacobian_product():
    def f(x):
        return ad.softmax(x * x, axis=-1)

    x = np.array([[0.3, -0.2, 1.0], [0.5, 0.1, -0.4]])
    t = np.array([[1.0, 0.5, -1.0], [0.0, 2.0, 1.0]])

    value, product = ad.jvp(f, (x,), (t,))
    J = ad.jacobian(f)(x)

    np.testing.assert_allclose(value, f(ad.tensor(x)).data, rtol=1e-15)
    np.testing.assert_allclose(product, np.einsum("ijkl,kl->ij", J, t), rtol=1e-12, atol=1e-15)


def test_jvp_several_primals_and_outputs():
    def f(x, y):
        return x * y, ad.sin(x).sum()

    (value_product, value_sum), (t_product, t_sum) = ad.jvp(f, ([1.0, 2.0], [3.0, 4.0]), ([1.0, 0.0], [0.0, 1.0]))

    np.testing.assert_array_equal(value_product, [3.0, 8.0])
    np.testing.assert_array_equal(t_product, [3.0, 2.0])  # y·tx + x·ty
    assert t_sum == pytest.approx(np.cos(1.0))
    assert value_sum == pytest.approx(np.sin(1.0) + np.sin(2.0))


def test_jvp_of_constant_output_is_zero():
    _, product = ad.jvp(lambda x: 2.0, ([1.0],), ([1.0],))

    assert product == 0.0


def test_jvp_of_integer_constant_output_is_zero():
    (value_constant, value_square), (t_constant, t_square) = ad.jvp(
        lambda x: (2, x * x), ([1.0, 3.0],), ([1.0, 1.0],)
    )

    assert (value_constant, t_constant) == (2, 0)
    np.testing.assert_array_equal(t_square, [2.0, 6.0])


def test_jvp_of_identity_and_repeated_output():
    (a, b), (t_a, t_b) = ad.jvp(lambda x: (x, x), ([1.0, 2.0],), ([3.0, 4.0],))

    np.testing.assert_array_equal(a, [1.0, 2.0])
    np.testing.assert_array_equal(t_a, [3.0, 4.0])
    np.testing.assert_array_equal(t_b, [3.0, 4.0])


def test_jvp_tangent_with_history():
    # J t is linear in t, so d/dt Σ (J t) = Jᵀ 1; for sin that is cos(x).
    t = ad.tensor([1.0, 2.0], requires_grad=True)

    _, product = ad.jvp(ad.sin, ([0.0, 1.0],), (t,))
    product.sum().backward()

    assert isinstance(product, ad.Tensor)
    np.testing.assert_allclose(t.grad.data, np.cos([0.0, 1.0]), rtol=1e-15)


def test_jvp_of_grad_is_hessian_product():
    x, v = [1.0, 2.0], [1.0, -1.0]

    _, forward_over_reverse = ad.jvp(ad.grad(cube_sum), (x,), (v,))
    (reverse_over_reverse,) = ad.hvp(cube_sum, (x,), (v,))

    np.testing.assert_array_equal(forward_over_reverse, [6.0, -12.0])
    np.testing.assert_array_equal(reverse_over_reverse, [6.0, -12.0])


def test_hvp_several_primals():
    def f(x, y):
        return (x * x * y).sum()

    x, y = np.array([1.0, 2.0]), 3.0
    v_x, v_y = np.array([1.0, -1.0]), 2.0

    hv_x, hv_y = ad.hvp(f, (x, y), (v_x, v_y))

    H = ad.hessian(f, argnums=(0, 1))(x, y)
    np.testing.assert_allclose(hv_x, H[0][0] @ v_x + H[0][1] * v_y)
    np.testing.assert_allclose(hv_y, H[1][0] @ v_x + H[1][1] * v_y)


def test_hvp_of_linear_function_is_zero():
    (product,) = ad.hvp(lambda x: x.sum() * 2.0, ([1.0, 2.0],), ([1.0, 1.0],))

    np.testing.assert_array_equal(product, [0.0, 0.0])


def test_hvp_nested_keeps_history():
    # d/dx of (H(x) v) for f = Σx³: H v = 6 x v, so its x-derivative is 6 v.
    v = np.array([1.0, 2.0])

    third = ad.jacobian(lambda x: ad.hvp(cube_sum, (x,), (v,))[0])([1.0, 1.0])

    np.testing.assert_array_equal(third, np.diag(6 * v))


# --- unused arguments: zero derivatives in every transform ---


def _uses_only_x(x, unused):
    return (x * x).sum()


def test_unused_argument_value_and_grad():
    _, (dx, du) = ad.value_and_grad(_uses_only_x, argnums=(0, 1))([1.0, 2.0], [5.0, 6.0, 7.0])

    np.testing.assert_array_equal(dx, [2.0, 4.0])
    np.testing.assert_array_equal(du, np.zeros(3))


def test_unused_argument_jacobian():
    (J_x, J_unused) = ad.jacobian(lambda x, unused: x * x, argnums=(0, 1))([1.0, 2.0], [5.0, 6.0, 7.0])

    np.testing.assert_array_equal(J_x, np.diag([2.0, 4.0]))
    np.testing.assert_array_equal(J_unused, np.zeros((2, 3)))


def test_unused_argument_hessian():
    H = ad.hessian(_uses_only_x, argnums=(0, 1))([1.0, 2.0], [5.0, 6.0, 7.0])

    np.testing.assert_array_equal(H[0][0], 2 * np.eye(2))
    np.testing.assert_array_equal(H[0][1], np.zeros((2, 3)))
    np.testing.assert_array_equal(H[1][0], np.zeros((3, 2)))
    np.testing.assert_array_equal(H[1][1], np.zeros((3, 3)))


def test_hessian_of_linear_function_is_zero():
    H = ad.hessian(lambda x: (3.0 * x).sum())([1.0, 2.0])

    np.testing.assert_array_equal(H, np.zeros((2, 2)))


def test_unused_argument_vjp():
    _, vjp_fn = ad.vjp(_uses_only_x, [1.0, 2.0], [5.0, 6.0, 7.0])

    dx, du = vjp_fn(1.0)

    np.testing.assert_array_equal(dx, [2.0, 4.0])
    np.testing.assert_array_equal(du, np.zeros(3))


def test_unused_argument_jvp():
    _, product = ad.jvp(_uses_only_x, ([1.0, 2.0], [5.0, 6.0, 7.0]), ([1.0, 0.0], [1.0, 1.0, 1.0]))

    assert product == 2.0


def test_unused_argument_hvp():
    hv_x, hv_unused = ad.hvp(_uses_only_x, ([1.0, 2.0], [5.0, 6.0, 7.0]), ([1.0, 0.0], [1.0, 1.0, 1.0]))

    np.testing.assert_array_equal(hv_x, [2.0, 0.0])
    np.testing.assert_array_equal(hv_unused, np.zeros(3))


# --- errors ---


@pytest.mark.parametrize("transform", [ad.grad, ad.value_and_grad, ad.hessian])
def test_non_scalar_output_points_to_jacobian(transform):
    with pytest.raises(ValueError, match=r"shape \(2,\).*jacobian"):
        transform(lambda x: x * x)([1.0, 2.0])


def test_grad_non_scalar_output_points_to_vjp():
    with pytest.raises(ValueError, match=r"vjp\(f, \*args\)"):
        ad.grad(lambda x: x * x)([1.0, 2.0])


def test_grad_tuple_output_points_to_has_aux():
    with pytest.raises(TypeError, match="has_aux=True .* jacobian"):
        ad.grad(lambda x: (x.sum(), x.sum()))([1.0])


def test_hvp_non_scalar_output_raises():
    with pytest.raises(ValueError, match=r"hvp: f must return a scalar.*jvp"):
        ad.hvp(lambda x: x * x, ([1.0, 2.0],), ([1.0, 1.0],))


@pytest.mark.parametrize("value", [3, np.array([1, 2]), True])
def test_integer_argument_raises(value):
    with pytest.raises(TypeError, match="argument 0 has dtype .* only floating-point"):
        ad.grad(lambda x: x * 2.0)(value)


def test_integer_primal_raises():
    with pytest.raises(TypeError, match="jvp: argument 0 has dtype int64"):
        ad.jvp(lambda x: x, (1,), (1.0,))


def test_unconvertible_argument_raises():
    with pytest.raises(TypeError, match="argument 0 .* dtype"):
        ad.grad(lambda x: x)("text")


@pytest.mark.parametrize("argnums", ["0", 1.0, None, True, [0, "a"]])
def test_bad_argnums_type_raises(argnums):
    with pytest.raises(TypeError, match="argnums must be an int or a tuple of ints"):
        ad.grad(cube_sum, argnums=argnums)


@pytest.mark.parametrize("transform", [ad.grad, ad.value_and_grad, ad.jacobian, ad.hessian])
def test_empty_argnums_raises(transform):
    with pytest.raises(ValueError, match="argnums is empty"):
        transform(cube_sum, argnums=())


@pytest.mark.parametrize("transform", [ad.grad, ad.value_and_grad, ad.jacobian, ad.hessian])
def test_out_of_range_argnums_raises(transform):
    function = transform(lambda x, y: (x * y).sum(), argnums=2)

    with pytest.raises(ValueError, match=r"argnums=2 refers to positional argument 2, .* 2 positional"):
        function(1.0, 2.0)


def test_keyword_only_call_raises():
    with pytest.raises(ValueError, match="called with no positional arguments"):
        ad.grad(lambda x: x * x)(x=1.0)


def test_repeated_argnums_raises():
    with pytest.raises(ValueError, match="names the same argument more than once"):
        ad.grad(lambda x, y: x * y, argnums=(0, -2))(1.0, 2.0)


def test_argnums_list_is_accepted():
    dx, dy = ad.grad(lambda x, y: x * y, argnums=[0, 1])(2.0, 3.0)

    assert (dx, dy) == (3.0, 2.0)


@pytest.mark.parametrize("transform", [ad.value_and_grad, ad.jacobian, ad.hessian])
def test_non_callable_function_raises(transform):
    with pytest.raises(TypeError, match="f must be a function of Tensors, got ndarray"):
        transform(np.ones(2))


def test_non_callable_to_products_raises():
    with pytest.raises(TypeError, match="vjp: f must be a function"):
        ad.vjp(np.ones(2), 1.0)


def test_non_numeric_output_raises():
    with pytest.raises(TypeError, match="jacobian: f's output must be a Tensor"):
        ad.jacobian(lambda x: None)(1.0)


def test_vjp_cotangent_shape_mismatch_raises():
    _, vjp_fn = ad.vjp(lambda x: x * x, [1.0, 2.0])

    with pytest.raises(ValueError, match=r"vjp: the cotangent has shape \(3,\), .* shape \(2,\)"):
        vjp_fn([1.0, 2.0, 3.0])


def test_vjp_cotangent_count_mismatch_raises():
    _, vjp_fn = ad.vjp(lambda x: (x, x), [1.0, 2.0])

    with pytest.raises(ValueError, match="f returned 2 outputs, so the cotangent must be a tuple of 2"):
        vjp_fn(([1.0, 2.0],))
    with pytest.raises(ValueError, match="f returned 2 outputs, .* got ndarray"):
        vjp_fn(np.ones(2))


def test_vjp_without_primals_raises():
    with pytest.raises(TypeError, match="vjp: no primals given"):
        ad.vjp(cube_sum)


def test_jvp_primals_must_be_tuple():
    with pytest.raises(TypeError, match=r"primals must be a tuple or list .* \(primal,\)"):
        ad.jvp(ad.sin, 1.0, (1.0,))


def test_jvp_length_mismatch_raises():
    with pytest.raises(ValueError, match="got 2 primals but 1 tangents"):
        ad.jvp(lambda x, y: x * y, (1.0, 2.0), (1.0,))


def test_jvp_tangent_shape_mismatch_raises():
    with pytest.raises(ValueError, match=r"jvp: tangent 0 has shape \(3,\), .* shape \(2,\)"):
        ad.jvp(ad.sin, ([1.0, 2.0],), ([1.0, 2.0, 3.0],))
