"""Shared steps of the function transforms: trace f, pull cotangents back, export results.

A transform runs f once on fresh input tensors (the trace) and walks the
recorded graph backwards as many times as it needs. It returns NumPy
arrays, or Tensors with history when the call is itself being
differentiated (`autodiff.functional` states that rule).
"""

import operator

import numpy as np

from autodiff import ops
from autodiff.backprop import grad as _tensor_grad
from autodiff.grad_mode import enable_grad, is_grad_enabled
from autodiff.tensor import Tensor, as_tensor


class Trace:
    """One run of f on fresh inputs.

    Attributes:
        inputs: one Tensor per differentiated argument, in argnums order.
            Each is a new leaf, or a new node on top of the caller's tensor
            when the call is nested, so that gradients with respect to it
            never mix with other uses of the caller's tensor.
        result: whatever f returned, untouched.
        nested: True when grad mode was on at the call and the result
            depends on a tensor that requires grad outside this call. Then
            backward passes record their ops and results stay Tensors.
    """

    __slots__ = ("inputs", "result", "nested")

    def __init__(self, inputs, result, nested):
        self.inputs = inputs
        self.result = result
        self.nested = nested


def check_callable(f, name):
    if not callable(f):
        raise TypeError(
            f"{name}: f must be a function of Tensors, got {type(f).__name__}; "
            f"pass the function itself, e.g. {name}(lambda x: (x * x).sum())"
        )


def check_argnums(argnums, name):
    """Validate the type of argnums; return (tuple of ints, True if it was one int)."""
    if isinstance(argnums, (bool, np.bool_)):
        raise TypeError(f"{name}: argnums must be an int or a tuple of ints, got {argnums!r}")
    if isinstance(argnums, (tuple, list)):
        if not argnums:
            raise ValueError(
                f"{name}: argnums is empty, so there is nothing to differentiate; "
                "give at least one argument position, e.g. argnums=0"
            )
        return tuple(_as_position(a, argnums, name) for a in argnums), False
    return (_as_position(argnums, argnums, name),), True


def _as_position(value, argnums, name):
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: argnums must be an int or a tuple of ints, got {argnums!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(
            f"{name}: argnums must be an int or a tuple of ints, got {argnums!r}"
        ) from None


def resolve_argnums(argnums, n_args, name, as_written):
    """Map negative positions to non-negative ones and check them against the call.

    `as_written` is argnums as the caller wrote it, for the error messages.
    """
    if n_args == 0:
        raise ValueError(
            f"{name}: argnums={as_written!r}, but f was called with no positional arguments; "
            "pass the arguments to differentiate by position, not by keyword"
        )
    positions = []
    for a in argnums:
        if not -n_args <= a < n_args:
            raise ValueError(
                f"{name}: argnums={as_written!r} refers to positional argument {a}, but f was "
                f"called with {n_args} positional argument(s); valid positions are "
                f"{-n_args}..{n_args - 1}"
            )
        positions.append(a % n_args)
    if len(set(positions)) != len(positions):
        raise ValueError(f"{name}: argnums={as_written!r} names the same argument more than once")
    return tuple(positions)


def trace(f, args, kwargs, positions, name):
    """Run f with fresh tensors at `positions` of args; see `Trace`.

    f runs with grad mode on even inside no_grad(), because the transform
    needs the graph; the caller's mode only decides whether the results
    carry history.
    """
    outer_recording = is_grad_enabled()
    with enable_grad():
        inputs = tuple(
            _fresh_input(args[i], i, name, outer_recording) for i in positions
        )
        call_args = list(args)
        for i, t in zip(positions, inputs):
            call_args[i] = t
        result = f(*call_args, **kwargs)

    passed_tracked = any(isinstance(args[i], Tensor) and args[i].requires_grad for i in positions)
    nested = outer_recording and (passed_tracked or _reaches_outside(result, inputs))
    return Trace(inputs, result, nested)


def _fresh_input(value, position, name, outer_recording):
    """Return a Tensor that requires grad and contains `value`, the point to differentiate f at."""
    if isinstance(value, Tensor):
        array = value.data
    else:
        try:
            array = np.asarray(value)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"{name}: cannot convert argument {position} ({type(value).__name__}) to an "
                f"array ({error}); pass a Tensor, an ndarray or a number"
            ) from None

    if array.dtype.kind != "f":
        raise TypeError(
            f"{name}: argument {position} has dtype {array.dtype}, but only floating-point "
            f"values can be differentiated; pass floats, e.g. 3.0 instead of 3, or "
            f"convert with .astype(float)"
        )

    if outer_recording and isinstance(value, Tensor) and value.requires_grad:
        # A new node above the caller's tensor: its gradient is separate from
        # other uses of that tensor in f (JAX calls the mix-up "perturbation
        # confusion"), and the outer derivative still flows through it.
        # Subtracting +0.0 keeps every value, including the sign of -0.0.
        return ops.subtract(value, 0.0)
    return Tensor(array, requires_grad=True)


def _reaches_outside(result, inputs):
    """True if a tensor in `result` depends on a leaf that requires grad and is not an input."""
    own = {id(t.node) for t in inputs}
    stack = [t.node for t in _tensors_in(result) if t.requires_grad]
    seen = set()
    while stack:
        node = stack.pop()
        if id(node) in own or id(node) in seen:
            continue
        seen.add(id(node))
        if node.is_leaf:
            return True
        stack.extend(parent for parent in node._parents if parent.requires_grad)
    return False


def _tensors_in(value):
    if isinstance(value, Tensor):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _tensors_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _tensors_in(item)


def as_output(value, name, label="f's output"):
    """Return f's output as a Tensor; a number or array is a constant with zero derivative."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (tuple, list, dict)) or value is None:
        raise TypeError(
            f"{name}: {label} must be a Tensor (or a number or array), got "
            f"{type(value).__name__}"
        )
    try:
        return as_tensor(value)
    except TypeError as error:
        raise TypeError(f"{name}: {label} is not numeric: {error}") from None


def as_outputs(result, name):
    """Return (tuple of output Tensors, True if f returned a single value)."""
    if isinstance(result, (tuple, list)):
        if not result:
            raise TypeError(f"{name}: f returned an empty {type(result).__name__}; it must return a Tensor")
        outputs = tuple(
            as_output(item, name, label=f"f's output {k}") for k, item in enumerate(result)
        )
        return outputs, False
    return (as_output(result, name),), True


def scalar_output(result, name):
    """Return f's output as a one-element Tensor, or raise an error that points to jacobian or vjp."""
    if isinstance(result, (tuple, list)):
        aux_hint = (
            "pass has_aux=True if f returns (output, aux) with auxiliary data, or "
            if name in ("grad", "value_and_grad") else ""
        )
        raise TypeError(
            f"{name}: f returned a {type(result).__name__} of {len(result)} values, but "
            f"{name} needs one scalar output; {aux_hint}use jacobian(f) for several outputs"
        )
    output = as_output(result, name)
    if output.size != 1:
        alternatives = _NON_SCALAR_ALTERNATIVES.get(name, _NON_SCALAR_ALTERNATIVES["grad"])
        raise ValueError(
            f"{name}: f must return a scalar, but its output has shape {output.shape}; "
            f"{name} is defined only for scalar functions. {alternatives}, or reduce the "
            "output to a scalar first, e.g. with .sum()"
        )
    return output


_NON_SCALAR_ALTERNATIVES = {
    "grad": "Use jacobian(f) for the full Jacobian, vjp(f, *args) for a vector-Jacobian product",
    "hessian": "Use jacobian(jacobian(f)) for the second derivatives of every output",
    "hvp": "Use jvp(f, primals, tangents) or vjp(f, *primals) for products with the Jacobian",
}


def zeros_for(t):
    return Tensor._from_array(np.zeros(t.shape, dtype=t.dtype))


def pullback(outputs, cotangents, inputs, create_graph):
    """Return Σ_k ⟨cotangent_k, ∂output_k/∂input⟩ for each input, as Tensors.

    An input that no output depends on gets zeros, because a transform of a
    function is defined everywhere (a constant has derivative zero), unlike
    the tensor API, which reports such inputs. The graph is kept, so the
    same trace can be pulled back again.
    """
    live = [(o, c) for o, c in zip(outputs, cotangents) if o.requires_grad]
    if not live:
        return tuple(zeros_for(t) for t in inputs)

    grads = _tensor_grad(
        [o for o, _ in live], list(inputs), grad_outputs=[c for _, c in live],
        retain_graph=True, create_graph=create_graph, allow_unused=True,
    )
    return tuple(zeros_for(t) if g is None else g for g, t in zip(grads, inputs))


def cotangent_like(value, output, name, label):
    """Return `value` as a Tensor with the shape and dtype of `output` (a VJP or JVP direction)."""
    if isinstance(value, Tensor):
        tangent = value
    else:
        try:
            tangent = as_tensor(value)
        except TypeError as error:
            raise TypeError(f"{name}: {label} is not numeric: {error}") from None
    if tangent.shape != output.shape:
        raise ValueError(
            f"{name}: {label} has shape {tangent.shape}, but it must have the shape "
            f"{output.shape} it pairs with"
        )
    if tangent.dtype != output.dtype:
        if tangent.dtype.kind not in "fiub":
            raise TypeError(f"{name}: {label} has unsupported dtype {tangent.dtype}")
        tangent = ops.astype(tangent, output.dtype)
    return tangent


def export(value, nested):
    """Return Tensors as they are when nested, else as fresh writable ndarrays (recursively)."""
    if isinstance(value, Tensor):
        # A copy: gradient arrays may be read-only broadcast views.
        return value if nested else np.array(value.data)
    if isinstance(value, tuple):
        return tuple(export(item, nested) for item in value)
    if isinstance(value, list):
        return [export(item, nested) for item in value]
    if isinstance(value, dict):
        return {key: export(item, nested) for key, item in value.items()}
    return value
