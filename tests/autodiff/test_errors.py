"""Every user error: its type, and a message that names the op, the values and the fix."""

import re

import numpy as np
import pytest

import autodiff as ad
from autodiff.primitives import Primitive
from autodiff.tensor import apply


@pytest.fixture
def x():
    return ad.tensor(np.ones((2, 3)), requires_grad=True)


# --- backward ---


def test_backward_non_scalar_without_grad(x):
    with pytest.raises(ValueError, match=r"output has shape \(2, 3\).*pass grad= an array of shape \(2, 3\)"):
        (x * 2.0).backward()


def test_backward_non_scalar_suggests_sum(x):
    with pytest.raises(ValueError, match=re.escape("output.sum().backward()")):
        (x * 2.0).backward()


def test_second_backward_freed_graph(x):
    y = (x * 2.0).sum()
    y.backward()

    with pytest.raises(RuntimeError, match=r"already freed.*pass retain_graph=True"):
        y.backward()


def test_backward_through_shared_freed_subgraph(x):
    h = ad.exp(x)
    (h * 2.0).sum().backward()

    with pytest.raises(RuntimeError, match=r"graph through 'exp' was already freed.*retain_graph=True"):
        (h * 3.0).sum().backward()


def test_grad_shape_mismatch(x):
    with pytest.raises(ValueError, match=r"grad has shape \(3,\) but the output has shape \(2, 3\)"):
        (x * 2.0).backward(grad=np.ones(3))


def test_backward_without_history():
    with pytest.raises(RuntimeError, match="does not require grad.*requires_grad=True"):
        (ad.tensor([1.0]) * 2.0).sum().backward()


def test_backward_inside_no_grad_result(x):
    with ad.no_grad():
        y = (x * 2.0).sum()

    with pytest.raises(RuntimeError, match=r"no_grad\(\)"):
        y.backward()


# --- requires_grad on non-float data ---


@pytest.mark.parametrize("data", [[1, 2], [True, False], np.arange(3, dtype=np.uint8)],
                         ids=["int", "bool", "uint8"])
def test_int_requires_grad(data):
    with pytest.raises(TypeError, match=r"only floating-point tensors can require grad.*float dtype"):
        ad.tensor(data, requires_grad=True)


def test_int_requires_grad_in_place():
    with pytest.raises(TypeError, match=r"requires_grad_\(\): only floating-point.*got dtype int64"):
        ad.tensor([1, 2]).requires_grad_()


def test_int_zeros_requires_grad():
    with pytest.raises(TypeError, match="float dtype"):
        ad.zeros((2,), dtype=int, requires_grad=True)


def test_requires_grad_off_non_leaf(x):
    message = r"tensor made by 'multiply'.*only leaves.*\.detach\(\)"
    with pytest.raises(RuntimeError, match=message):
        (x * 2.0).requires_grad_(False)
    with pytest.raises(RuntimeError, match=message):
        (x * 2.0).requires_grad = False


@pytest.mark.parametrize("data", ["text", [object()], {"a": 1}], ids=["str", "object", "dict"])
def test_unsupported_data(data):
    with pytest.raises(TypeError, match=r"Tensor: (unsupported dtype|cannot convert)"):
        ad.tensor(data)


def test_unsupported_operand(x):
    with pytest.raises(TypeError, match="unsupported operand dtype <U1"):
        x * np.array(["a"])


def test_astype_to_string(x):
    with pytest.raises(TypeError, match=r"astype: cannot cast a float64 tensor to <U3"):
        x.astype("U3")


# --- broadcasting ---

BINARY_OPS = {
    "add": ad.add,
    "subtract": ad.subtract,
    "multiply": ad.multiply,
    "divide": ad.divide,
    "power": ad.power,
    "maximum": ad.maximum,
    "minimum": ad.minimum,
}


@pytest.mark.parametrize("name", BINARY_OPS)
def test_broadcast_mismatch_names_op(name, x):
    with pytest.raises(ValueError, match=rf"^{name}: .*input shapes \(2, 3\), \(4,\)"):
        BINARY_OPS[name](x, np.ones(4))


def test_broadcast_mismatch_operator(x):
    with pytest.raises(ValueError, match=r"^add: operands could not be broadcast.*\(2, 3\), \(3, 2\)"):
        x + ad.tensor(np.ones((3, 2)))


def test_where_mismatch(x):
    with pytest.raises(ValueError, match=r"^where: .*\(4,\)"):
        ad.where(np.ones(4, dtype=bool), x, 0.0)


def test_comparison_mismatch(x):
    with pytest.raises(ValueError, match=r"^less: .*shapes \(2, 3\) and \(4,\)"):
        x < np.ones(4)


def test_broadcast_to_mismatch(x):
    with pytest.raises(ValueError, match=r"^broadcast_to: .*\(2, ?3\).*\(3, ?3\)"):
        ad.broadcast_to(x, (3, 3))


# --- matmul ---


def test_matmul_misaligned(x):
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(2, 2\) are not aligned: "
                                         r"a.shape\[-1\] = 3 but b.shape\[-2\] = 2"):
        x @ np.ones((2, 2))


def test_matmul_misaligned_vector(x):
    with pytest.raises(ValueError, match=r"shapes \(2, 3\) and \(4,\) are not aligned.*b.shape\[0\] = 4"):
        ad.matmul(x, np.ones(4))


def test_matmul_batch_mismatch():
    a = ad.tensor(np.ones((2, 2, 3)), requires_grad=True)

    with pytest.raises(ValueError, match=r"^matmul: .*input shapes \(2, 2, 3\), \(3, 3, 4\)"):
        a @ np.ones((3, 3, 4))


@pytest.mark.parametrize("order", ["scalar_left", "scalar_right"])
def test_matmul_zero_d(order, x):
    scalar = ad.tensor(2.0)
    a, b = (scalar, x) if order == "scalar_left" else (x, scalar)

    with pytest.raises(ValueError, match=r"matmul: operands must have at least 1 dimension.*use \*"):
        a @ b


def test_dot_misaligned(x):
    with pytest.raises(ValueError, match="matmul: shapes"):
        ad.dot(x, np.ones(4))


# --- axes ---

AXIS_OPS = {
    "sum": lambda t, axis: ad.sum(t, axis=axis),
    "mean": lambda t, axis: ad.mean(t, axis=axis),
    "max": lambda t, axis: ad.max(t, axis=axis),
    "min": lambda t, axis: ad.min(t, axis=axis),
    "var": lambda t, axis: ad.var(t, axis=axis),
    "logsumexp": lambda t, axis: ad.logsumexp(t, axis=axis),
    "log_softmax": lambda t, axis: ad.log_softmax(t, axis=axis),
    "squeeze": lambda t, axis: ad.squeeze(t, axis=axis),
    "concatenate": lambda t, axis: ad.concatenate([t, t], axis=axis),
    "split": lambda t, axis: ad.split(t, 1, axis=axis),
    "swapaxes": lambda t, axis: ad.swapaxes(t, 0, axis),
    "moveaxis": lambda t, axis: ad.moveaxis(t, axis, 0),
}


@pytest.mark.parametrize("axis", [2, -3])
@pytest.mark.parametrize("name", AXIS_OPS)
def test_axis_out_of_bounds(name, axis, x):
    message = rf"{name}: axis {axis} is out of bounds for a tensor of shape \(2, 3\).*valid axes are -2..1"

    with pytest.raises(ValueError, match=message):
        AXIS_OPS[name](x, axis)


@pytest.mark.parametrize("name", ["sum", "mean", "max", "var"])
def test_repeated_axis(name, x):
    with pytest.raises(ValueError, match=rf"{name}: repeated axis in \(0, -2\)"):
        AXIS_OPS[name](x, (0, -2))


@pytest.mark.parametrize("axis", [1.5, "0", True])
def test_axis_not_int(axis, x):
    with pytest.raises(TypeError, match="sum: axis must be an int or a tuple of ints"):
        ad.sum(x, axis=axis)


def test_stack_axis_out_of_bounds(x):
    with pytest.raises(ValueError, match=r"stack: axis 3 is out of bounds .*valid axes are -3..2"):
        ad.stack([x, x], axis=3)


def test_expand_dims_axis_out_of_bounds(x):
    with pytest.raises(ValueError, match=r"expand_dims: axis 5 is out of bounds"):
        ad.expand_dims(x, 5)


def test_squeeze_non_one_axis(x):
    with pytest.raises(ValueError, match=r"squeeze: axis 0 has length 2, not 1, in shape \(2, 3\)"):
        x.squeeze(0)


# --- transpose and reshape ---


def test_transpose_wrong_axis_count(x):
    with pytest.raises(ValueError, match=r"transpose: axes \(0, 1, 2\) do not match a tensor of shape "
                                         r"\(2, 3\); give a permutation of 2 axes"):
        x.transpose(0, 1, 2)


def test_transpose_repeated_axis(x):
    with pytest.raises(ValueError, match=r"transpose: repeated axis in \(0, -2\)"):
        x.transpose(0, -2)


def test_transpose_axis_out_of_bounds(x):
    with pytest.raises(ValueError, match=r"transpose: axis 5 is out of bounds"):
        x.transpose(0, 5)


def test_reshape_wrong_size(x):
    with pytest.raises(ValueError, match=r"reshape: cannot reshape array of size 6 into shape \(4,\)"):
        x.reshape(4)


# --- indexing ---


def test_index_out_of_bounds(x):
    with pytest.raises(IndexError, match=r"getitem: index 5 is out of bounds for axis 0 with size 2"):
        x[5]


def test_index_out_of_bounds_second_axis(x):
    with pytest.raises(IndexError, match=r"index -4 is out of bounds for axis 1 with size 3"):
        x[0, -4]


def test_index_array_out_of_bounds(x):
    with pytest.raises(IndexError, match=r"getitem: index 7 is out of bounds"):
        x[[0, 7]]


@pytest.mark.parametrize("index", [np.array([0.0, 1.0]), [0.5], ad.tensor([1.0])],
                         ids=["ndarray", "list", "tensor"])
def test_float_index_array(index, x):
    with pytest.raises(IndexError, match="getitem: index arrays must be integer or bool, got dtype float64"):
        x[index]


def test_bool_mask_wrong_shape(x):
    with pytest.raises(IndexError, match=r"getitem: boolean index did not match"):
        x[np.array([True, False, True])]


def test_too_many_indices(x):
    with pytest.raises(IndexError, match=r"getitem: too many indices"):
        x[0, 0, 0]


# --- joins and split ---


def test_concatenate_mismatched_shapes(x):
    with pytest.raises(ValueError, match=r"^concatenate: .*input shapes \(2, 3\), \(3, 2\)"):
        ad.concatenate([x, ad.tensor(np.ones((3, 2)))], axis=1)


def test_concatenate_empty():
    with pytest.raises(ValueError, match="concatenate: need at least one tensor"):
        ad.concatenate([])


def test_concatenate_zero_d():
    with pytest.raises(ValueError, match="concatenate: zero-dimensional tensors cannot be concatenated; use stack"):
        ad.concatenate([ad.tensor(1.0), ad.tensor(2.0)])


def test_concatenate_single_tensor(x):
    with pytest.raises(TypeError, match="concatenate: expected a sequence of tensors, got a single Tensor"):
        ad.concatenate(x)


def test_stack_mismatched_shapes(x):
    with pytest.raises(ValueError, match=r"stack: all tensors must have the same shape, got \[\(2, 3\), \(3, 2\)\]"):
        ad.stack([x, ad.tensor(np.ones((3, 2)))])


def test_stack_empty():
    with pytest.raises(ValueError, match="stack: need at least one tensor"):
        ad.stack([])


def test_split_unequal(x):
    with pytest.raises(ValueError, match=r"split: axis 1 of length 3 does not divide into 2 equal sections; "
                                         "pass split indices instead"):
        ad.split(x, 2, axis=1)


def test_split_zero_sections(x):
    with pytest.raises(ValueError, match="does not divide into 0 equal sections"):
        ad.split(x, 0)


def test_split_zero_d():
    with pytest.raises(ValueError, match="split: a 0-d tensor cannot be split"):
        ad.split(ad.tensor(1.0), 1)


# --- conversions and the Python protocol ---


def test_item_non_scalar(x):
    with pytest.raises(ValueError, match=r"item\(\): only a tensor with one element .*shape \(2, 3\).*\.sum\(\)\.item\(\)"):
        x.item()


def test_len_of_zero_d():
    with pytest.raises(TypeError, match=r"len\(\) of a 0-d tensor; use \.item\(\)"):
        len(ad.tensor(1.0))


def test_iter_of_zero_d():
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(ad.tensor(1.0))


def test_bool_of_many_elements(x):
    with pytest.raises(ValueError, match=r"truth value of a tensor with shape \(2, 3\) is ambiguous"):
        bool(x)


def test_clip_without_bounds(x):
    with pytest.raises(ValueError, match="clip: give a_min, a_max or both"):
        ad.clip(x)


def test_name_scope_bad_name():
    with pytest.raises(ValueError, match="name_scope: name must be a non-empty string without '/'"):
        ad.name_scope("a/b")


# --- autodiff.grad ---


def test_grad_input_without_requires_grad(x):
    constant = ad.tensor([1.0])

    with pytest.raises(ValueError, match=r"input 1 \(shape \(1,\)\) does not require grad"):
        ad.grad((x * 2.0).sum(), [x, constant])


def test_grad_unused_input(x):
    unused = ad.tensor(1.0, requires_grad=True)

    with pytest.raises(ValueError, match=r"input 1 \(shape \(\)\) is not used.*allow_unused=True"):
        ad.grad((x * 2.0).sum(), [x, unused])


def test_grad_outputs_count(x):
    with pytest.raises(ValueError, match="got 2 grad_outputs for 1 outputs"):
        ad.grad(x * 2.0, [x], grad_outputs=[np.ones((2, 3)), np.ones((2, 3))])


def test_grad_non_tensor_input(x):
    with pytest.raises(TypeError, match=r"inputs\[0\] is ndarray, not a Tensor"):
        ad.grad((x * 2.0).sum(), [np.ones(3)])


# --- broken VJP rules of custom primitives ---


def test_vjp_wrong_shape(x):
    wrong = Primitive("wrong_shape", lambda a: a * 2, (lambda g, out, a: ad.ones((5,)),))

    with pytest.raises(RuntimeError, match=r"VJP rule of 'wrong_shape' for input 0 returned shape \(5,\), "
                                           r"which does not reduce to the input's shape \(2, 3\)"):
        apply(wrong, (x,)).sum().backward()


def test_vjp_not_tensor(x):
    wrong = Primitive("returns_array", lambda a: a * 2, (lambda g, out, a: g.data * 2,))

    with pytest.raises(TypeError, match=r"VJP rule of 'returns_array' for input 0 returned ndarray; "
                                        "rules must return a Tensor or None"):
        apply(wrong, (x,)).sum().backward()


# --- gradcheck ---

# x² with a VJP that omits the factor 2, so it is wrong wherever x != 0.
BAD_SQUARE = Primitive("bad_square", np.square, (lambda g, out, a: g * a,))


def test_gradcheck_passes_correct_function():
    x = ad.tensor([0.5, -1.0], requires_grad=True)

    assert ad.gradcheck(lambda t: ad.sin(t) * t, x) is True


def test_gradcheck_failure_names_input_element_values():
    w = ad.tensor([1.0, 2.0], requires_grad=True)
    x = ad.tensor([0.0, 3.0], requires_grad=True)
    v = np.random.default_rng(0).standard_normal(2)  # gradcheck's projection with seed=0

    with pytest.raises(ad.GradcheckError) as error:
        ad.gradcheck(lambda a, b: a * 2.0 + apply(BAD_SQUARE, (b,)), w, x)

    message = str(error.value)
    assert "gradient of input 1 (shape (2,))" in message
    assert "differs at element (1,)" in message
    given_values = re.search(r"backprop gives (?:np\.float64\()?([-\d.e]+)", message).group(1)
    numeric_values = re.search(r"central differences give (?:np\.float64\()?([-\d.e]+)", message).group(1)
    assert float(given_values) == pytest.approx(3.0 * v[1])
    assert float(numeric_values) == pytest.approx(6.0 * v[1], rel=1e-6)


def test_gradcheck_counts_bad_elements():
    x = ad.tensor([0.0, 3.0, -1.0], requires_grad=True)

    with pytest.raises(ad.GradcheckError, match="2 of 3 elements differ"):
        ad.gradcheck(lambda t: apply(BAD_SQUARE, (t,)), x)


def test_gradcheck_is_assertion_error():
    assert issubclass(ad.GradcheckError, AssertionError)


def test_gradcheck_nothing_to_check():
    with pytest.raises(ValueError, match="gradcheck: no input has requires_grad=True"):
        ad.gradcheck(lambda t: t * 2.0, ad.tensor([1.0]))


def test_gradcheck_non_tensor_output():
    with pytest.raises(TypeError, match="gradcheck: f must return a Tensor, got float"):
        ad.gradcheck(lambda t: 1.0, ad.tensor([1.0], requires_grad=True))


def test_list_of_grad_tensors_rejected():
    a = ad.tensor(1.0, requires_grad=True)
    with pytest.raises(TypeError, match="use autodiff.stack"):
        ad.tensor([a, a])


def test_softmax_axis_error_names_softmax():
    with pytest.raises(ValueError, match=r"^softmax: axis 3 is out of bounds"):
        ad.softmax(ad.tensor([1.0, 2.0]), axis=3)


def test_transpose_int_axes_rejected():
    with pytest.raises(TypeError, match=r"transpose: axes must be a sequence.*swapaxes"):
        ad.transpose(ad.ones((2, 3)), 1)


def test_split_float_sections_rejected():
    with pytest.raises(TypeError, match=r"split: indices_or_sections must be an int"):
        ad.split(ad.ones(4), 2.5)


def test_reshape_float_shape_rejected():
    with pytest.raises(TypeError, match=r"reshape: the shape must contain ints"):
        ad.ones((2, 3)).reshape(2.0, 3)


def test_backward_string_grad_rejected(x):
    with pytest.raises(TypeError, match=r"backward\(\): grad must be numeric"):
        (x * 2.0).backward(grad=np.full((2, 3), "a"))


def test_sum_out_rejected():
    with pytest.raises(TypeError, match=r"sum: out= is not supported"):
        ad.sum(ad.ones(3), out=np.zeros(()))


def test_clip_both_spellings_rejected():
    with pytest.raises(TypeError, match="not both"):
        ad.clip(ad.ones(3), a_min=0.0, min=0.0)
