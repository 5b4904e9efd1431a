"""The fully connected layer Z = X W + b, in the row-major form of the notes (eq. 4.4)."""

import numbers

import numpy as np

import autodiff
from autodiff import Tensor
from nn._random import as_generator
from nn.init import SCHEMES, initial_weights
from nn.module import Module, Parameter

DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def check_dtype(dtype, owner):
    """Return `dtype` as a NumPy dtype if it is float64 or float32, else raise ValueError."""
    # np.dtype(None) is float64, so None must be rejected before the conversion.
    try:
        resolved = None if dtype is None else np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved is None or resolved not in DTYPES:
        raise ValueError(f"{owner}: dtype must be float64 or float32, got {dtype!r}")
    return resolved


def check_size(value, what, owner):
    """Return `value` as an int if it is a positive integer, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {what} must be a positive int, got {value!r}")
    if value < 1:
        raise ValueError(f"{owner}: {what} must be a positive int, got {value}")
    return int(value)


class Linear(Module):
    """A fully connected layer: Z = X W + b, row-major as in eq. 4.4 of the notes.

    One row of X is one example x(i). For layer k the notes write the
    column form z[k] = W[k] a[k-1] + b[k]; stacking the examples in rows
    transposes it to Z[k] = A[k-1] W[k] + b[k], with W[k] of shape
    (in_features, out_features) and b[k] of shape (out_features,), added to
    every row by broadcasting.

    Args:
        in_features: d, the size of each input row.
        out_features: m, the size of each output row.
        bias: include b. Without it, Z = X W.
        init: initialisation scheme, one of "he" (default: N(0, 2/d), for
            ReLU layers), "xavier" (for tanh and sigmoid), "lecun",
            "torch" (torch.nn.Linear's default) or "zeros". See
            `nn.init.initial_weights` for the formulas.
        seed: an int or a numpy.random.Generator for reproducible weights.
            A Generator is used and advanced, so layers that share one get
            different weights. None (default) draws fresh entropy.
        dtype: float64 (default) or float32, for W, b and so for Z.

    Shapes: X (..., in_features) -> Z (..., out_features). A 1-d X is a
    single example. Inputs may be Tensors, ndarrays or nested lists.

    Attributes:
        weight: Parameter W of shape (in_features, out_features). This is
            the transpose of torch.nn.Linear's weight, which is (out, in).
        bias: Parameter b of shape (out_features,), or None.

    >>> import numpy as np, nn
    >>> layer = nn.Linear(3, 2, seed=0)
    >>> layer(np.ones((4, 3))).shape
    (4, 2)

    The one-neuron model of eq. 2.1, h(x) = max(w x + b, 0), is one line:

    >>> neuron = nn.Sequential(nn.Linear(1, 1, seed=0), nn.ReLU())
    """

    def __init__(self, in_features, out_features, bias=True, init="he", seed=None, dtype=np.float64):
        self.in_features = check_size(in_features, "in_features", "Linear")
        self.out_features = check_size(out_features, "out_features", "Linear")
        if init not in SCHEMES:
            raise ValueError(f"Linear: unknown init {init!r}; choose one of {list(SCHEMES)}")
        self.init = init
        dtype = check_dtype(dtype, "Linear")

        weight, bias_values = initial_weights(
            init, self.in_features, self.out_features, as_generator(seed, "Linear"), dtype
        )
        self.weight = Parameter(weight, name="weight")
        self.bias = Parameter(bias_values, name="bias") if bias else None

    def forward(self, x):
        """Return x W + b for x of shape (..., in_features)."""
        weight = self.weight
        if not isinstance(x, (Tensor, np.ndarray)):
            x = np.asarray(x, dtype=weight.dtype)
        shape = x.shape
        if not shape or shape[-1] != self.in_features:
            raise ValueError(
                f"Linear(in_features={self.in_features}, out_features={self.out_features}): "
                f"input has shape {shape}, but its last dimension must be {self.in_features}; "
                f"pass an array of shape (n, {self.in_features}) with one example per row"
            )
        if x.dtype.kind in "biu":
            # Integer features (counts, one-hot columns) would promote a float32
            # layer's output to float64 under NumPy's rules; cast them instead.
            x = autodiff.astype(x, weight.dtype)
        elif x.dtype != weight.dtype and x.dtype.kind == "f":
            raise TypeError(
                f"Linear: input dtype {x.dtype} does not match the layer's dtype {weight.dtype}; "
                f"convert the input with x.astype('{weight.dtype}') or build the layer with "
                f"dtype='{x.dtype}'"
            )

        z = autodiff.matmul(x, weight)
        if self.bias is not None:
            z = z + self.bias
        return z

    def extra_repr(self):
        text = f"in_features={self.in_features}, out_features={self.out_features}, weight={self.weight.shape}"
        text += f", bias={self.bias.shape}" if self.bias is not None else ", bias=None"
        if self.weight.dtype != np.float64:
            text += f", dtype={self.weight.dtype}"
        return text
