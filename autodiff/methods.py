"""Tensor methods that mirror ndarray's (and a few of PyTorch's), bound to the ops."""

from autodiff import ops
from autodiff import primitives as P
from autodiff.tensor import Tensor, unary_recorder


def _shape_args(shape):
    """Accept both t.reshape(2, 3) and t.reshape((2, 3)), as ndarray does."""
    return shape[0] if len(shape) == 1 else shape


def reshape(self, *shape):
    return ops.reshape(self, _shape_args(shape))


def transpose(self, *axes):
    """t.transpose(), t.transpose(1, 0) or t.transpose((1, 0)), as ndarray."""
    if not axes or axes == (None,):
        return ops.transpose(self)
    return ops.transpose(self, _shape_args(axes))


def sum(self, axis=None, dtype=None, out=None, keepdims=False):
    return ops.sum(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims)


def mean(self, axis=None, dtype=None, out=None, keepdims=False):
    return ops.mean(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims)


def max(self, axis=None, out=None, keepdims=False):
    return ops.max(self, axis=axis, out=out, keepdims=keepdims)


def min(self, axis=None, out=None, keepdims=False):
    return ops.min(self, axis=axis, out=out, keepdims=keepdims)


def var(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    return ops.var(self, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims)


def std(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    return ops.std(self, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims)


def argmax(self, axis=None, out=None, keepdims=False):
    return ops.argmax(self, axis=axis, out=out, keepdims=keepdims)


def argmin(self, axis=None, out=None, keepdims=False):
    return ops.argmin(self, axis=axis, out=out, keepdims=keepdims)


def squeeze(self, axis=None):
    return ops.squeeze(self, axis=axis)


def clip(self, a_min=None, a_max=None):
    return ops.clip(self, a_min, a_max)


def flatten(self):
    return ops.reshape(self, (-1,))


# The elementwise methods are the primitives' recorders themselves: self is
# already a Tensor, and each call saved shows in the time of scalar circuits.
_METHODS = {
    "reshape": reshape,
    "transpose": transpose,
    "sum": sum,
    "mean": mean,
    "max": max,
    "min": min,
    "var": var,
    "std": std,
    "argmax": argmax,
    "argmin": argmin,
    "log1p": unary_recorder(P.log1p),
    "squeeze": squeeze,
    "clip": clip,
    "flatten": flatten,
    "ravel": flatten,
    "dot": lambda self, b: ops.dot(self, b),
    "swapaxes": lambda self, axis1, axis2: ops.swapaxes(self, axis1, axis2),
    "expand_dims": lambda self, axis: ops.expand_dims(self, axis),
    "broadcast_to": lambda self, shape: ops.broadcast_to(self, shape),
    "exp": unary_recorder(P.exp),
    "log": unary_recorder(P.log),
    "sqrt": unary_recorder(P.sqrt),
    "sin": unary_recorder(P.sin),
    "cos": unary_recorder(P.cos),
    "tanh": unary_recorder(P.tanh),
    "sigmoid": unary_recorder(P.sigmoid),
    "relu": unary_recorder(P.relu),
    "abs": unary_recorder(P.abs),
    "sign": unary_recorder(P.sign),
    "logsumexp": lambda self, axis=None, keepdims=False: ops.logsumexp(self, axis, keepdims),
    "softmax": lambda self, axis=None: ops.softmax(self, axis),
    "log_softmax": lambda self, axis=None: ops.log_softmax(self, axis),
}

for _name, _function in _METHODS.items():
    _function.__name__ = _name
    _function.__qualname__ = f"Tensor.{_name}"
    setattr(Tensor, _name, _function)
