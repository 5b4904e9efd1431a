"""Transforms that turn f into its derivative: grad, value_and_grad, jacobian, hessian."""

import numpy as np

from autodiff import ops
from autodiff.backprop import grad as _tensor_grad
from autodiff.functional import _tracing as tracing
from autodiff.tensor import Tensor


def grad(*args, **kwargs):
    """Differentiate a function, or differentiate tensors already computed.

    `autodiff.grad` has two forms, and the first argument selects one. A
    function (anything callable) selects the transform. A Tensor or a
    sequence of Tensors, which are not callable, selects the tensor API.

    **Transform:** ``grad(f, argnums=0, has_aux=False)`` returns a function
    that takes f's arguments and returns ∇f, the gradient of the scalar f
    with respect to the argument(s) at `argnums`, as JAX's ``jax.grad``.

    Args:
        f: a function of Tensors that returns a scalar (a Tensor with one
            element). It must compute with autodiff ops (``ad.sin``, not
            ``np.sin``).
        argnums: the position (int) of the argument to differentiate, or a
            tuple of positions; a tuple gives a tuple of gradients.
        has_aux: f returns a pair ``(output, aux)``; the gradient function
            then returns ``(gradient, aux)``.

    The differentiated arguments may be Tensors, ndarrays or floats; each
    gradient has its argument's shape. The results are ndarrays, or Tensors
    with history when the call is itself being differentiated (see
    `autodiff.functional`), so ``grad(grad(f))`` is the second derivative.
    A non-scalar output raises ValueError that points to `jacobian` and
    `vjp`. An argument that f does not use gets a zero gradient.

    >>> import autodiff as ad
    >>> df = ad.grad(lambda x: x ** 3)      # 3x²
    >>> float(df(2.0)), float(ad.grad(df)(2.0)), float(ad.grad(ad.grad(df))(2.0))
    (12.0, 12.0, 6.0)

    **Tensor API:** ``grad(outputs, inputs, grad_outputs=None,
    retain_graph=None, create_graph=False, allow_unused=False)`` returns a
    tuple with ∂(Σ outputs·grad_outputs)/∂input for each input, as
    ``torch.autograd.grad``; every ``.grad`` stays untouched.

    Args:
        outputs: a Tensor or a sequence of Tensors, already computed.
        inputs: a Tensor or a sequence of Tensors that require grad.
        grad_outputs: one seed per output, with the output's shape; None
            (the default) stands for 1 and needs a one-element output.
        retain_graph: keep the graph for another backward pass; defaults
            to create_graph.
        create_graph: record the backward pass, so the returned gradients
            have history and can be differentiated again, to any order.
        allow_unused: give None for an input that the outputs do not depend
            on, instead of raising ValueError.

    An input that does not require grad raises ValueError.

    >>> x = ad.tensor(0.5, requires_grad=True)
    >>> (dy,) = ad.grad(ad.tanh(x), x, create_graph=True)     # 1 - tanh²
    >>> (d2y,) = ad.grad(dy, x)                               # -2 tanh (1 - tanh²)
    >>> round(d2y.item(), 6)
    -0.726862
    """
    if args:
        first = args[0]
    elif "f" in kwargs:
        first = kwargs["f"]
    elif "outputs" in kwargs:
        first = kwargs["outputs"]
    else:
        raise TypeError(
            "grad: missing the first argument; call grad(f) to differentiate a function "
            "or grad(outputs, inputs) to differentiate computed tensors"
        )

    if callable(first):
        return _grad_transform(*args, **kwargs)
    if isinstance(first, Tensor) or (
        isinstance(first, (list, tuple)) and all(isinstance(t, Tensor) for t in first)
    ):
        return _tensor_grad(*args, **kwargs)
    raise TypeError(
        f"grad: the first argument must be a function, for grad(f, argnums=0), or a "
        f"Tensor or sequence of Tensors, for grad(outputs, inputs, ...); got "
        f"{type(first).__name__}"
    )


def _grad_transform(f, argnums=0, has_aux=False, name="grad"):
    value_and_gradient = _value_and_grad(f, argnums, has_aux, name)

    def gradient(*args, **kwargs):
        value, gradients = value_and_gradient(*args, **kwargs)
        return (gradients, value[1]) if has_aux else gradients

    return _named(gradient, "grad", f, argnums,
                  "Return the gradient of {f} with respect to argument(s) {argnums}.")


def value_and_grad(f, argnums=0, has_aux=False):
    """Return a function that computes both f and its gradient, from one forward pass.

    The returned function gives ``(value, gradient)``, or
    ``((value, aux), gradient)`` with has_aux=True, as ``jax.value_and_grad``.
    The arguments and rules are those of the `grad` transform; the value is
    an ndarray (a Tensor when the call is nested).

    >>> import autodiff as ad
    >>> loss, dw = ad.value_and_grad(lambda w: (w * w).sum())([1.0, -2.0])
    >>> float(loss), dw.tolist()
    (5.0, [2.0, -4.0])
    """
    name = "value_and_grad"
    return _named(_value_and_grad(f, argnums, has_aux, name),
                  "value_and_grad", f, argnums,
                  "Return the value of {f} and its gradient with respect to argument(s) {argnums}.")


def _value_and_grad(f, argnums, has_aux, name):
    tracing.check_callable(f, name)
    argnums_tuple, single_arg = tracing.check_argnums(argnums, name)

    def value_and_gradient(*args, **kwargs):
        positions = tracing.resolve_argnums(argnums_tuple, len(args), name, argnums)
        run = tracing.trace(f, args, kwargs, positions, name)

        result, aux = run.result, None
        if has_aux:
            if not (isinstance(result, (tuple, list)) and len(result) == 2):
                raise TypeError(
                    f"{name}: with has_aux=True, f must return a pair (output, aux), got "
                    f"{type(result).__name__}"
                    + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
                )
            result, aux = result
        output = tracing.scalar_output(result, name)

        seed = tracing.zeros_for(output)
        seed.data[...] = 1
        gradients = tracing.pullback([output], [seed], run.inputs, create_graph=run.nested)

        gradients = gradients[0] if single_arg else gradients
        value = (output, aux) if has_aux else output
        return tracing.export(value, run.nested), tracing.export(gradients, run.nested)

    return value_and_gradient


def jacobian(f, argnums=0):
    """Return a function that computes the Jacobian of f in reverse mode, as ``jax.jacrev``.

    For an output y of shape (m...) and an argument x of shape (n...), the
    Jacobian J[i, j] = ∂y_i/∂x_j has shape (m...) + (n...). Reverse mode
    takes one backward pass per output element, each with a one-hot
    cotangent, so it suits functions with few outputs and many inputs.

    f may return one Tensor or a tuple of them; argnums may be an int or a
    tuple. The nesting follows outputs first: a tuple output with tuple
    argnums gives ``J[k][j]`` = ∂(output k)/∂(argument argnums[j]), like
    ``torch.autograd.functional.jacobian``. Results are ndarrays, or Tensors
    when the call is nested (see `autodiff.functional`).

    >>> import autodiff as ad
    >>> J = ad.jacobian(lambda x: x * x)([1.0, 2.0])
    >>> J.tolist()
    [[2.0, 0.0], [0.0, 4.0]]
    """
    return _named(_jacobian_transform(f, argnums, name="jacobian"), "jacobian", f, argnums,
                  "Return the Jacobian of {f} with respect to argument(s) {argnums}.")


def _jacobian_transform(f, argnums, name):
    tracing.check_callable(f, name)
    argnums_tuple, single_arg = tracing.check_argnums(argnums, name)

    def jacobian_function(*args, **kwargs):
        positions = tracing.resolve_argnums(argnums_tuple, len(args), name, argnums)
        run = tracing.trace(f, args, kwargs, positions, name)
        outputs, single_output = tracing.as_outputs(run.result, name)

        blocks = tuple(_jacobian_blocks(output, run) for output in outputs)
        if single_arg:
            blocks = tuple(per_input[0] for per_input in blocks)
        result = blocks[0] if single_output else blocks
        return tracing.export(result, run.nested)

    return jacobian_function


def _jacobian_blocks(output, run):
    """Return ∂output/∂input for each input, each of shape output.shape + input.shape."""
    rows = [[] for _ in run.inputs]
    for index in np.ndindex(output.shape):
        one_hot = tracing.zeros_for(output)
        one_hot.data[index] = 1
        row = tracing.pullback([output], [one_hot], run.inputs, create_graph=run.nested)
        for per_input, g in zip(rows, row):
            per_input.append(g)

    blocks = []
    for per_input, t in zip(rows, run.inputs):
        shape = output.shape + t.shape
        if per_input:
            blocks.append(ops.reshape(ops.stack(per_input), shape))
        else:  # an output with no elements has an empty Jacobian
            blocks.append(Tensor._from_array(np.zeros(shape, dtype=t.dtype)))
    return tuple(blocks)


def hessian(f, argnums=0):
    """Return a function that computes the Hessian of the scalar f, as ``jax.hessian``.

    H[i, j] = ∂²f/∂x_i∂x_j, the Jacobian (reverse mode) of the gradient
    (reverse mode), so it costs one backward pass through the gradient's
    graph per element of x. For x of shape (n...), H has shape
    (n...) + (n...). With tuple argnums the result is a tuple of tuples,
    ``H[i][j]`` = ∂²f/∂x_i∂x_j. f must return a scalar, as for `grad`.
    For products H·v without building H use `hvp`.

    >>> import autodiff as ad
    >>> H = ad.hessian(lambda x: (x[0] * x[1]) ** 2)([1.0, 2.0])
    >>> H.tolist()
    [[8.0, 8.0], [8.0, 2.0]]
    """
    gradient = _grad_transform(f, argnums, name="hessian")
    hessian_function = _jacobian_transform(gradient, argnums, name="hessian")
    return _named(hessian_function, "hessian", f, argnums,
                  "Return the Hessian of {f} with respect to argument(s) {argnums}.")


def _named(function, transform, f, argnums, doc):
    """Give a transformed function a readable name, such as "grad(loss)", and its own docstring."""
    f_name = getattr(f, "__name__", type(f).__name__)
    function.__name__ = f"{transform}({f_name})"
    function.__qualname__ = function.__name__
    # Not functools.wraps: f's own docstring would describe the wrong function.
    function.__doc__ = doc.format(f=f_name, argnums=argnums)
    return function
