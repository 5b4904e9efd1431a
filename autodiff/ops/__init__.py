"""The public ops, with NumPy's names and signatures.

`import autodiff as np`-style code works: each function takes Tensors,
ndarrays or Python numbers and returns a Tensor.
"""

from autodiff.ops.elementwise import (
    abs, absolute, add, astype, clip, compare, cos, divide, equal, exp, greater,
    greater_equal, less, less_equal, log, log1p, maximum, minimum, multiply, negative,
    not_equal, power, sign, sin, sqrt, square, subtract, tanh, true_divide, where,
)
from autodiff.ops.shape import (
    broadcast_to, concatenate, expand_dims, getitem, moveaxis, ravel, reshape, split,
    squeeze, stack, swapaxes, transpose, untake,
)
from autodiff.ops.reductions import (
    amax, amin, argmax, argmin, max, mean, min, std, sum, sum_to, var,
)
from autodiff.ops.activations import log_softmax, logsumexp, relu, sigmoid, softmax
from autodiff.ops.linalg import dot, matmul

newaxis = None  # as numpy.newaxis: x[:, newaxis] adds an axis
from autodiff.ops.creation import (
    arange, eye, full, linspace, ones, ones_like, zeros, zeros_like,
)

__all__ = [
    "abs", "absolute", "add", "amax", "amin", "arange", "argmax", "argmin", "astype", "broadcast_to", "clip",
    "concatenate", "cos", "divide", "dot", "equal", "exp", "expand_dims", "eye", "full",
    "greater", "greater_equal", "less", "less_equal", "linspace", "log", "log1p", "log_softmax",
    "logsumexp", "matmul", "max", "maximum", "mean", "min", "minimum", "moveaxis",
    "multiply", "negative", "not_equal", "ones", "ones_like", "power", "ravel", "relu",
    "reshape", "sigmoid", "sign", "sin", "softmax", "split", "sqrt", "square", "squeeze",
    "stack", "std", "subtract", "sum", "sum_to", "swapaxes", "tanh", "transpose", "true_divide",
    "newaxis", "var", "where", "zeros", "zeros_like",
]
