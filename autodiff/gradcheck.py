"""Compare the engine's gradients with float64 central differences."""

import numpy as np

from autodiff.grad_mode import no_grad
from autodiff.tensor import Tensor


class GradcheckError(AssertionError):
    """Raised by `gradcheck` when an analytic and a numeric gradient disagree."""


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
    out = f(*args)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: f must return a Tensor, got {type(out).__name__}")
    projection = rng.standard_normal(out.shape)

    def scalar(*xs):
        with no_grad():
            return float(np.sum(f(*xs).data * projection))

    (out * projection).sum().backward()

    for position, arg in enumerate(args):
        if not (isinstance(arg, Tensor) and arg.requires_grad):
            continue
        analytic = np.zeros(arg.shape) if arg.grad is None else arg.grad.data
        numeric = _central_differences(scalar, args, position, eps)
        _compare(analytic, numeric, position, atol, rtol)
    return True


def _to_float64(value):
    if isinstance(value, Tensor) and value.requires_grad:
        return Tensor(value.data.astype(np.float64), requires_grad=True, name=value.name)
    return value


def _central_differences(scalar, args, position, eps):
    x = args[position].data
    numeric = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        upper = scalar(*args)
        x[index] = original - eps
        lower = scalar(*args)
        x[index] = original
        numeric[index] = (upper - lower) / (2 * eps)
    return numeric


def _compare(analytic, numeric, position, atol, rtol):
    bad = ~(np.abs(analytic - numeric) <= atol + rtol * np.abs(numeric))
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise GradcheckError(
            f"gradcheck: gradient of input {position} (shape {analytic.shape}) differs at "
            f"element {index}: backprop gives {analytic[index]!r}, central differences "
            f"give {numeric[index]!r}; {int(bad.sum())} of {bad.size} elements differ "
            f"beyond atol={atol}, rtol={rtol}"
        )
