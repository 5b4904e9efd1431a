"""Run one computation in autodiff and in PyTorch on the same inputs and compare them.

PyTorch is the test oracle: for the same NumPy inputs, the autodiff output
must match PyTorch's in shape, dtype and value, and so must the gradient of
every float input. Float arrays become inputs that require grad in both
libraries. Int and bool arrays, and every argument that is not an ndarray,
are passed through as constants.

The output y is contracted with a fixed random tensor v of its shape
(`y.backward(grad=v)` in both libraries), so the whole vector-Jacobian
product is checked, not only the gradient of a sum.
"""

import numpy as np
import torch

import autodiff as ad

# The float32 tolerances allow for NumPy's and PyTorch's kernels rounding
# differently (exp, log, tanh, summation order). The float64 ones are near
# machine precision.
TOLERANCES = {
    np.dtype(np.float32): {"rtol": 1e-5, "atol": 1e-6},
    np.dtype(np.float64): {"rtol": 1e-10, "atol": 1e-12},
}

FLOAT_DTYPES = (np.float32, np.float64)


def is_float_array(value):
    return isinstance(value, np.ndarray) and value.dtype.kind == "f"


def to_autodiff(value):
    if isinstance(value, np.ndarray):
        return ad.tensor(value, requires_grad=is_float_array(value))
    return value


def to_torch(value):
    if isinstance(value, np.ndarray):
        tensor = torch.from_numpy(value.copy())
        return tensor.requires_grad_(is_float_array(value))
    return value


def _as_outputs(result):
    """Return the result as a list of outputs (split returns a list)."""
    return list(result) if isinstance(result, (list, tuple)) else [result]


def _tolerance(*dtypes):
    """Return the looser tolerance of the dtypes involved."""
    floats = [np.dtype(d) for d in dtypes if np.dtype(d).kind == "f"]
    if any(d == np.float32 for d in floats):
        return TOLERANCES[np.dtype(np.float32)]
    return TOLERANCES[np.dtype(np.float64)]


def assert_matches_torch(function, *arrays, torch_function=None, seed=0, check_dtype=True):
    """Assert that autodiff and PyTorch agree on `function` at `arrays`.

    Args:
        function: takes autodiff Tensors (or constants) and returns a Tensor
            or a list of Tensors.
        arrays: the inputs, as ndarrays or constants.
        torch_function: the same computation on torch tensors. It defaults
            to `function` itself, for expressions that both libraries spell
            alike (operators and shared method names).
        seed: seed of the random upstream gradient v.
        check_dtype: compare the output dtypes too. Off only where the two
            libraries' type promotion rules legitimately differ.

    Returns the autodiff inputs and outputs, for extra checks by the caller.
    """
    torch_function = function if torch_function is None else torch_function
    ours_in = [to_autodiff(a) for a in arrays]
    theirs_in = [to_torch(a) for a in arrays]

    ours = _as_outputs(function(*ours_in))
    theirs = _as_outputs(torch_function(*theirs_in))
    assert len(ours) == len(theirs), "number of outputs"

    for i, (y, t) in enumerate(zip(ours, theirs)):
        expected = t.detach().numpy()
        assert y.shape == expected.shape, f"output {i} shape"
        if check_dtype:
            assert y.dtype == expected.dtype, f"output {i} dtype"
        np.testing.assert_allclose(
            y.data, expected, equal_nan=True, err_msg=f"output {i} value",
            **_tolerance(y.dtype, expected.dtype),
        )

    _backward_both(ours, theirs, seed)

    exact = None  # PyTorch's float64 gradients at the same float32 inputs, when needed
    for i, (x, t, a) in enumerate(zip(ours_in, theirs_in, arrays)):
        if not is_float_array(a):
            continue
        expected = np.zeros(a.shape, a.dtype) if t.grad is None else t.grad.numpy()
        got = np.zeros(a.shape, a.dtype) if x.grad is None else x.grad.data
        assert got.shape == a.shape, f"grad {i} shape"
        assert got.dtype == a.dtype, f"grad {i} dtype"
        tolerance = _tolerance(a.dtype)
        if a.dtype == np.float32 and not np.allclose(got, expected, equal_nan=True, **tolerance):
            # A float32 sum of terms that cancel can lose more than rtol of
            # its value in both libraries. Then ours must be within the
            # tolerance of the float64 result, plus twice PyTorch's error or
            # twice what rounding the inputs to float32 alone can change.
            if exact is None:
                exact = _float64_grads(torch_function, arrays, len(ours), seed)
                sensitivity = _float32_sensitivity(torch_function, arrays, len(ours), seed, exact)
            error = np.abs(got.astype(np.float64) - exact[i])
            allowed = (tolerance["atol"] + tolerance["rtol"] * np.abs(exact[i])
                       + 2 * np.maximum(np.abs(expected.astype(np.float64) - exact[i]),
                                        sensitivity[i]))
            assert np.all((error <= allowed) | np.isnan(exact[i])), (
                f"grad of input {i}: float32 error {error.max():.3g} against float64, "
                f"PyTorch's {np.abs(expected - exact[i]).max():.3g}, input rounding's "
                f"{sensitivity[i].max():.3g}"
            )
            continue
        np.testing.assert_allclose(
            got, expected, equal_nan=True, err_msg=f"grad of input {i}", **tolerance,
        )
    return ours_in, ours


def _float32_sensitivity(torch_function, arrays, n_outputs, seed, exact, trials=3):
    """Return how far the float64 gradients move when each float input moves by a few float32 ulps.

    This is the error that float32 rounding can cause in a well-implemented
    computation, large where the gradient sums terms that cancel.
    """
    rng = np.random.default_rng(seed + 1)
    ulps = 4 * np.finfo(np.float32).eps
    moved = [np.zeros(np.shape(g)) if g is not None else None for g in exact]
    for _ in range(trials):
        nudged = [np.asarray(a * (1 + ulps * rng.uniform(-1, 1, a.shape)), np.float64)
                  if is_float_array(a) else a for a in arrays]
        grads = _float64_grads(torch_function, nudged, n_outputs, seed)
        for i, (g, e) in enumerate(zip(grads, exact)):
            if g is not None:
                moved[i] = np.maximum(moved[i], np.abs(g - e))
    return moved


def _float64_grads(torch_function, arrays, n_outputs, seed):
    """PyTorch's gradients in float64 at the given float32 inputs, with the same upstream gradients."""
    wide = [a.astype(np.float64) if is_float_array(a) else a for a in arrays]
    inputs = [to_torch(a) for a in wide]
    outputs = _as_outputs(torch_function(*inputs))[:n_outputs]
    rng = np.random.default_rng(seed)
    pairs = [t for t in outputs if t.requires_grad]
    # The same draws as _backward_both, rounded to float32 as there, then widened.
    seeds = [torch.from_numpy(rng.standard_normal(tuple(t.shape)).astype(np.float32)
                              .astype(np.float64)) for t in pairs]
    if len(pairs) == 1:
        pairs[0].backward(seeds[0])
    elif pairs:
        sum((t * v).sum() for t, v in zip(pairs, seeds)).backward()
    return [None if not is_float_array(a) else
            (np.zeros(a.shape) if t.grad is None else t.grad.numpy())
            for t, a in zip(inputs, wide)]


def _backward_both(ours, theirs, seed):
    """Backpropagate the same random upstream gradients through both graphs."""
    rng = np.random.default_rng(seed)
    pairs = [(y, t) for y, t in zip(ours, theirs) if t.requires_grad]
    if not pairs:
        return
    assert all(y.requires_grad for y, _ in pairs), "autodiff output lost its history"

    seeds = [rng.standard_normal(y.shape).astype(y.dtype) for y, _ in pairs]
    if len(pairs) == 1:
        (y, t), v = pairs[0], seeds[0]
        y.backward(grad=v)
        t.backward(torch.from_numpy(v.copy()))
        return

    ours_loss = sum((y * v).sum() for (y, _), v in zip(pairs, seeds))
    theirs_loss = sum((t * torch.from_numpy(v.copy())).sum() for (_, t), v in zip(pairs, seeds))
    ours_loss.backward()
    theirs_loss.backward()


def assert_gradcheck(function, *arrays, **tolerances):
    """Assert that backprop through `function` matches float64 central differences.

    Float arrays become float64 inputs that require grad, and other
    arguments are passed through unchanged. A list of outputs (from split) is checked
    as one flat tensor.
    """
    inputs = [
        ad.tensor(a.astype(np.float64), requires_grad=True) if is_float_array(a) else a
        for a in arrays
    ]

    def joined(*args):
        outputs = _as_outputs(function(*args))
        if len(outputs) == 1:
            return outputs[0]
        return ad.concatenate([ad.ravel(y) for y in outputs])

    assert ad.gradcheck(joined, *inputs, **tolerances)


def check_op(function, *arrays, torch_function=None, check_dtype=True, **tolerances):
    """Check `function` by central differences (float64) and against PyTorch in float32 and float64."""
    assert_gradcheck(function, *arrays, **tolerances)

    for dtype in FLOAT_DTYPES:
        cast = [a.astype(dtype) if is_float_array(a) else a for a in arrays]
        assert_matches_torch(function, *cast, torch_function=torch_function, check_dtype=check_dtype)
