"""Compare the engine's gradients with float64 central differences."""

import numpy as np

from autodiff.backprop import grad as _tensor_grad
from autodiff.grad_mode import enable_grad, no_grad
from autodiff.tensor import Tensor


class GradcheckError(AssertionError):
    """Raised by `gradcheck` and `gradgradcheck` when an analytic and a numeric derivative disagree."""


def gradcheck(f, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0):
    """Check the gradients of `f` at `inputs` by central differences in float64.

    Args:
        f: a function of the inputs that returns a Tensor of any shape.
        inputs: Tensors (the ones with requires_grad=True are checked) or
            other arguments, which are passed through unchanged.
        eps: the step h in (f(x + h) - f(x - h)) / 2h.
        atol, rtol: the check is |analytic - numeric| <= atol + rtol·|numeric|.
        seed: for the random projection of a non-scalar output.

    The inputs are cast to float64 for the check, so a float32 function is
    checked at float64 precision. A non-scalar output y is reduced to the
    scalar Σ y·v with a fixed random v, which checks the whole VJP.

    Returns True, or raises GradcheckError naming the input, the element
    and both values.

    >>> import autodiff as ad
    >>> x = ad.tensor([0.5, -1.0], requires_grad=True)
    >>> ad.gradcheck(lambda x: (x * ad.sin(x)).sum(), x)
    True
    """
    if not any(isinstance(t, Tensor) and t.requires_grad for t in inputs):
        raise ValueError("gradcheck: no input has requires_grad=True, so there is nothing to check")

    rng = np.random.default_rng(seed)
    args = [_to_float64(t) for t in inputs]
    with enable_grad():  # gradcheck also works when called inside no_grad()
        out = f(*args)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: f must return a Tensor, got {type(out).__name__}")
    projection = rng.standard_normal(out.shape)

    def scalar(*xs):
        with no_grad():
            return float(np.sum(f(*xs).data * projection))

    with enable_grad():
        (out * projection).sum().backward()

    for position, arg in enumerate(args):
        if not (isinstance(arg, Tensor) and arg.requires_grad):
            continue
        analytic = np.zeros(arg.shape) if arg.grad is None else arg.grad.data
        numeric = _central_differences(scalar, args, position, eps)
        _compare(analytic, numeric, position, atol, rtol)
    return True


def gradgradcheck(f, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0):
    """Check the second derivatives of `f` at `inputs` by central differences of its gradient.

    Takes the arguments of `gradcheck`. With a fixed random cotangent v of
    the output's shape and fixed random vectors w_p, the first-order VJP is
    reduced to the scalar

        S(x, v) = Σ_p ⟨w_p, ∂⟨v, f(x)⟩/∂x_p⟩      (p: inputs that require grad).

    Double backprop (`create_graph=True`, then a second backward pass) gives
    ∂S/∂x_p, which is Σ_q (∂²⟨v, f⟩/∂x_p∂x_q)·w_q, a Hessian-vector product,
    and ∂S/∂v. Each is compared with central differences of S, which need
    only first-order backprop, so a rule that records its result wrongly
    (a constant where a Tensor op was needed, e.g. `out.data`) cannot hide
    behind the same mistake on both sides. The check with respect to v
    catches a rule that cuts the cotangent g out of the recorded graph.

    It checks second order only; run `gradcheck` for the first. Choose
    points away from kinks (relu, abs, clip, max at 0 or at ties), where
    central differences straddle two branches.

    Returns True, or raises GradcheckError naming the input, the element
    and both values.

    >>> import autodiff as ad
    >>> x = ad.tensor([0.5, -1.0], requires_grad=True)
    >>> ad.gradgradcheck(lambda x: ad.tanh(x) * x, x)
    True
    """
    if not any(isinstance(t, Tensor) and t.requires_grad for t in inputs):
        raise ValueError("gradgradcheck: no input has requires_grad=True, so there is nothing to check")

    rng = np.random.default_rng(seed)
    args = [_to_float64(t) for t in inputs]
    checked = [p for p, arg in enumerate(args) if isinstance(arg, Tensor) and arg.requires_grad]
    with enable_grad():
        out = f(*args)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradgradcheck: f must return a Tensor, got {type(out).__name__}")
    if not out.requires_grad:
        raise ValueError(
            "gradgradcheck: f's output does not depend on any input that requires grad, "
            "so it has no derivatives to check"
        )

    cotangent = Tensor(rng.standard_normal(out.shape), requires_grad=True, name="v")
    projections = [rng.standard_normal(args[p].shape) for p in checked]

    def first_order_scalar(*xs_and_cotangent):
        """Return S(x, v), computed with first-order backprop only."""
        *xs, v = xs_and_cotangent
        with enable_grad():
            output = f(*xs)
            if not output.requires_grad:
                return 0.0
            grads = _tensor_grad(
                output, [xs[p] for p in checked], grad_outputs=v.data, allow_unused=True,
            )
        return float(sum(np.sum(g.data * w) for g, w in zip(grads, projections) if g is not None))

    analytic = _double_backprop(out, args, checked, cotangent, projections)

    extended = [*args, cotangent]
    for position, derivative in zip([*checked, len(args)], analytic):
        numeric = _central_differences(first_order_scalar, extended, position, eps)
        mismatch = _first_mismatch(derivative, numeric, atol, rtol)
        if mismatch is None:
            continue
        index, count = mismatch
        subject = (
            f"input {position} (shape {derivative.shape})" if position < len(args)
            else f"the output cotangent v (shape {derivative.shape})"
        )
        raise GradcheckError(
            f"gradgradcheck: the derivative of the first-order gradient with respect to "
            f"{subject} differs at element {index}: double backprop gives "
            f"{float(derivative[index])!r}, central differences of the gradient give "
            f"{float(numeric[index])!r}; {count} of {derivative.size} elements differ "
            f"beyond atol={atol}, rtol={rtol} (the derivative of "
            f"S = Σ_p ⟨w_p, ∂⟨v, f⟩/∂x_p⟩ for fixed random v and w, seed={seed})"
        )
    return True


def _double_backprop(out, args, checked, cotangent, projections):
    """Return ∂S/∂x_p for each checked input and ∂S/∂v, as ndarrays (see gradgradcheck)."""
    targets = [args[p] for p in checked] + [cotangent]
    first = _tensor_grad(
        out, targets[:-1], grad_outputs=cotangent, create_graph=True, allow_unused=True,
    )

    with enable_grad():
        total = None
        for g, w in zip(first, projections):
            if g is None:
                continue
            term = (g * w).sum()
            total = term if total is None else total + term

    if total is None or not total.requires_grad:
        return [np.zeros(t.shape) for t in targets]
    second = _tensor_grad(total, targets, allow_unused=True)
    return [np.zeros(t.shape) if g is None else g.data for g, t in zip(second, targets)]


def _to_float64(value):
    if isinstance(value, Tensor) and value.requires_grad:
        return Tensor(value.data.astype(np.float64), requires_grad=True, name=value.name)
    return value


def _central_differences(scalar, args, position, eps):
    target = args[position]
    original_data = target.data
    # Nudge a copy: 0-d data is an immutable NumPy scalar, and the caller's
    # array stays untouched even if `scalar` raises.
    x = np.array(original_data)
    numeric = np.zeros(x.shape)
    try:
        for index in np.ndindex(x.shape):
            original = x[index]
            x[index] = original + eps
            target.data = x[()] if x.ndim == 0 else x
            upper = scalar(*args)
            x[index] = original - eps
            target.data = x[()] if x.ndim == 0 else x
            lower = scalar(*args)
            x[index] = original
            numeric[index] = (upper - lower) / (2 * eps)
    finally:
        target.data = original_data
    return numeric


def _compare(analytic, numeric, position, atol, rtol):
    mismatch = _first_mismatch(analytic, numeric, atol, rtol)
    if mismatch is not None:
        index, count = mismatch
        raise GradcheckError(
            f"gradcheck: gradient of input {position} (shape {analytic.shape}) differs at "
            f"element {index}: backprop gives {float(analytic[index])!r}, central differences "
            f"give {float(numeric[index])!r}; {count} of {analytic.size} elements differ "
            f"beyond atol={atol}, rtol={rtol}"
        )


def _first_mismatch(analytic, numeric, atol, rtol):
    """Return (index of the first element off by more than atol + rtol·|numeric|, count), or None."""
    bad = ~(np.abs(analytic - numeric) <= atol + rtol * np.abs(numeric))
    if not bad.any():
        return None
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    return index, int(bad.sum())
