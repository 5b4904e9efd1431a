"""The table of primitives: each forward next to its vector-Jacobian products.

Every differentiable op in the library is one of these primitives or a
composite of them. A primitive is declared once, with

* `forward(*arrays, **params)`: a NumPy expression on the inputs' data;
* one VJP rule per input, `rule(g, out, *inputs, **params)`, that returns
  the gradient for that input given `g` = ∂J/∂out. Rules use Tensor ops
  only, so running them while recording gives second derivatives.

The engine (`autodiff.backprop`) calls a rule only for inputs that require
grad, and sums each result back to its input's shape and dtype, so rules
may return the broadcast shape. A variadic primitive (concatenate) has one
rule that takes the input's position first and every input in one
sequence, `rule(i, g, out, inputs, **params)`, so that backward through n
inputs costs O(n).

Conventions, the same as PyTorch's:
    relu'(0) = 0 and abs'(0) = 0 (sign(0) = 0);
    max/min reductions share the gradient evenly among tied elements
    (as torch.amax; torch.max(x, dim) sends it all to one index instead);
    maximum/minimum give each side half of the gradient at a tie;
    clip passes the gradient where a_min <= x <= a_max, bounds included;
    where sends the gradient to the branch it took and zero to the other;
    d(x**y)/dx = 0 where y == 0, and d(x**y)/dy = 0 where x == 0 and y >= 0.

Second order, also the same as PyTorch's: masks and tie shares are
constants computed from the forward values, so the engine's second
derivative of relu, abs, sign, clip, max/min and maximum/minimum is
exactly zero at every point. Between kinks that is the true value. At a
kink (relu and abs at 0, clip at a bound, a tie) the true one does not
exist, and the result follows from the first-order convention with the
mask held constant: the Hessian of maximum(x, y)² at x == y is
[[0.5, 0.5], [0.5, 0.5]].
The branch that `where` did not take gets zero at every order. An op
that computed that branch with an infinite derivative there still turns
the zero into nan (0·inf), as in PyTorch, unless its input is masked too,
as `_pow_vjp_exponent` does with `safe_base`.
The y == 0 mask of power makes ∂/∂y(∂(x**y)/∂x) = 0 at y == 0, while
∂/∂x(∂(x**y)/∂y) = 1/x there, its true value, so that Hessian is not
symmetric at y == 0 (as in PyTorch). At x == 0 and y >= 0 the exponent
rule takes the log of a substituted 1, so the second derivatives through
it are 0, the true limits for y > 1, where PyTorch's are nan.
"""

import operator

import numpy as np

from autodiff import ops as F


class Primitive:
    """A named forward function and its VJP rules (see the module docstring).

    `saves` lists the values that the rules read: "out" for the output and
    input positions 0, 1, ... for the inputs. It is one list for every rule,
    or a dict from each input's position to what that input's rule reads.
    Until backward, the graph keeps the values that the rules of the
    inputs that require grad read, and drops the others, as PyTorch does.
    So x * c with a constant c keeps c but not x. x + c keeps neither: a
    large c stays only as its shape and dtype, and a small or named c is
    kept whole for pictures. A rule must not read a value
    left out of `saves`. In place of a dropped value, an array rule gets
    None and a Tensor rule a Tensor whose data is None. The default, None,
    keeps every value. `shapes` lists the inputs whose shape and dtype the
    rules read but not their values. In place of such an input's dropped
    value they get an array of nan (zeros for a dtype that is not float)
    with its shape and dtype, which takes no memory.

    `both`, for a primitive of two inputs, is one array rule that returns
    the pair of array rules' results, `both(g, out, x, y) -> (gx, gy)`, for
    when both inputs require grad. It must compute exactly what the two
    rules compute; it saves a Python call per node (add, subtract,
    multiply and divide have one).

    `elementwise=True` promises that when the inputs are arrays of one
    shape and dtype, every array rule returns an array of that shape and
    dtype. The engine then skips fitting the rules' results to the inputs
    (see `autodiff.backprop`), which on small arrays costs more than the
    rule. Only declare it for rules made of elementwise NumPy arithmetic on
    g, out and the inputs. tests/autodiff/test_array_vjps.py checks it for
    every built-in primitive that declares it. A custom primitive gets no
    such check, and a false promise gives wrong gradients, as a wrong rule
    does.

    A node records which inputs required grad when it was made
    (`Node._needs_input_grad`), and backward runs only their rules. So a
    leaf that starts requiring grad later gets no gradient through the
    node, as in PyTorch, and no rule reads a value that was not kept.
    """

    __slots__ = ("name", "forward", "vjps", "array_vjps", "array_vjp_both", "elementwise",
                 "variadic", "array_arity", "reads", "saves_output", "saved_inputs",
                 "saved_pair", "shapes")

    def __init__(self, name, forward, vjps, array_vjps=None, variadic=False, saves=None,
                 shapes=(), both=None, elementwise=False):
        if both is not None and (array_vjps is None or variadic or len(vjps) != 2):
            raise ValueError(f"{name}: both= is for primitives of two inputs with array rules")
        self.name = name
        self.forward = forward
        self.vjps = vjps
        self.array_vjps = array_vjps
        self.array_vjp_both = both
        self.elementwise = elementwise
        self.variadic = variadic
        # 1 or 2 for the inputs of a primitive whose array rules backprop
        # calls directly, 0 for the rest (see autodiff.backprop).
        self.array_arity = (len(vjps) if array_vjps is not None and not variadic
                            and len(vjps) <= 2 else 0)
        self.shapes = frozenset(shapes)
        self.reads = _reads_by_rule(name, saves, len(vjps), variadic)

        # What to keep when every input requires grad.
        self.saves_output, self.saved_inputs = self.saved_for(None)
        self.saved_pair = self.saved_triple(None)[:2]

    def saved_for(self, needs):
        """Return (keep the output, positions of the inputs to keep) for a node.

        `needs` has a bool per input, True for the inputs that require
        grad, or is None when all do. The positions are None when every
        input is kept.
        """
        if needs is None or self.variadic:  # a variadic primitive has one rule for all inputs
            reads = self.reads
        else:
            reads = [r for r, needed in zip(self.reads, needs) if needed]
        if any(r is None for r in reads):
            return True, None
        read = frozenset().union(*reads)
        return "out" in read, tuple(sorted(i for i in read if i != "out"))

    def saved_triple(self, needs):
        """Return (keep input 0, keep input 1, keep the output), as `saved_for` (the fast paths)."""
        saves_output, inputs = self.saved_for(needs)
        return (inputs is None or 0 in inputs, inputs is None or 1 in inputs, saves_output)

    def __repr__(self):
        return f"Primitive({self.name!r})"


def _reads_by_rule(name, saves, n_rules, variadic):
    """Return, for each input's rule, the frozenset of values it reads, or None for all of them."""
    if saves is None:
        return (None,) * n_rules
    if not isinstance(saves, dict):
        return (_read_set(name, saves, n_rules, variadic),) * n_rules
    keys = list(saves)
    if variadic or sorted(keys, key=repr) != sorted(range(n_rules), key=repr):
        raise ValueError(
            f"{name}: saves= as a dict needs one entry per input's rule, keys 0 to "
            f"{n_rules - 1}, got keys {keys}; a variadic primitive takes one list"
        )
    return tuple(_read_set(name, saves[i], n_rules, variadic) for i in range(n_rules))


def _read_set(name, values, n_inputs, variadic):
    """Check one `saves` list: each entry is "out" or an input position."""
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        raise ValueError(
            f"{name}: saves= lists values, such as (\"out\", 0), got {values!r}; "
            "write a tuple even for one value, e.g. (\"out\",)"
        )
    read = frozenset(values)
    for entry in read:
        is_position = (isinstance(entry, int) and not isinstance(entry, bool) and entry >= 0
                       and (variadic or entry < n_inputs))
        if entry != "out" and not is_position:
            positions = "a position from 0 up" if variadic else f"0 to {n_inputs - 1}"
            raise ValueError(
                f"{name}: saves= entry {entry!r} is neither \"out\" nor an input position "
                f"({positions})"
            )
    return read


def _keepdims_shape(shape, axis):
    """Shape of a reduction over `axis` with keepdims=True (axis: tuple or None)."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


def _tie_share(x, y, greater):
    """1 where x wins, 0.5 at a tie, 0 where y wins (for maximum and minimum)."""
    dtype = np.result_type(x, y)
    return greater(x, y).astype(dtype) + (x == y).astype(dtype) * 0.5


def _clip_mask(x, a_min, a_max):
    mask = np.ones(x.shape, dtype=bool)
    if a_min is not None:
        mask &= x >= a_min
    if a_max is not None:
        mask &= x <= a_max
    return mask


def _relu(x):
    if type(x) is np.ndarray or not isinstance(x, np.floating):
        return np.maximum(x, 0)
    # A float scalar, where the ufunc costs ten times the comparison. The
    # result is np.maximum's: nan stays nan, and -0.0 gives +0.0.
    return x if x > 0 or x != x else type(x)(0)


def _sigmoid(x):
    # Evaluate exp only at -|x| so that neither branch overflows at ±1000.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _reduce_vjp(g, out, x, axis, keepdims):
    """Spread g over the reduced axes: the VJP of sum."""
    if not keepdims:
        g = F.reshape(g, _keepdims_shape(x.shape, axis))
    return F.broadcast_to(g, x.shape)


def _extremum_vjp(g, out, x, axis, keepdims):
    """Share g evenly among the elements equal to the max (or min)."""
    kshape = _keepdims_shape(x.shape, axis)
    winners = x.data == out.data.reshape(kshape)
    count = winners.sum(axis=axis, keepdims=True).astype(x.dtype)
    return F.reshape(g, kshape) * (winners / count)


def _matmul_vjp_a(g, out, a, b):
    if b.ndim == 1:
        if a.ndim == 1:
            return g * b  # inner product: g is 0-d
        return F.expand_dims(g, -1) * b  # (..., n, 1) * (k,) -> (..., n, k)
    if a.ndim == 1:
        return F.matmul(b, F.expand_dims(g, -1))[..., 0]  # (..., k, m) @ (..., m, 1)
    return F.matmul(g, _swap_last(b))


def _swap_last(t):
    """Transpose the last two axes (the fast path for 2-d skips axis checks)."""
    return F.transpose(t) if t.ndim == 2 else F.swapaxes(t, -1, -2)


def _matmul_vjp_b(g, out, a, b):
    if a.ndim == 1:
        if b.ndim == 1:
            return g * a
        return F.expand_dims(a, -1) * F.expand_dims(g, -2)  # (k, 1) * (..., 1, m)
    if b.ndim == 1:
        return F.matmul(F.swapaxes(a, -1, -2), F.expand_dims(g, -1))[..., 0]
    return F.matmul(_swap_last(a), g)


def _concatenate_vjp(i, g, out, inputs, axis, offsets):
    index = (slice(None),) * axis + (slice(offsets[i], offsets[i + 1]),)
    return F.getitem(g, index)


def _untake(g, index, shape, basic):
    """Scatter g into zeros of `shape` at `index`; repeated indices add up."""
    result = np.zeros(shape, dtype=g.dtype)
    if basic:
        result[index] = g  # ints, slices, None and Ellipsis (see _is_basic) never repeat an element
    else:
        np.add.at(result, index, g)
    return result


def _broadcast(x, shape):
    """Copy x into a new array of `shape` by NumPy's broadcasting rules.

    Unlike np.broadcast_to, the result is writable and owns its memory, and
    on small arrays it is about three times faster.
    """
    result = np.empty(shape, dtype=x.dtype)
    result[...] = x
    return result


def _inverse_axes(axes):
    return None if axes is None else tuple(np.argsort(axes))


def _pow_vjp_base(g, out, x, y):
    zero_exponent = y.data == 0
    # Exponent 1 instead of y - 1 = -1 where y == 0, so that a zero base does
    # not compute 0 ** -1 = inf (with NumPy's warning) for `where` to discard.
    exponent = F.where(zero_exponent, 1.0, y - 1)
    return g * F.where(zero_exponent, 0.0, y * x ** exponent)


def _pow_vjp_exponent(g, out, x, y):
    zero_base = (x.data == 0) & (y.data >= 0)
    safe_base = F.where(zero_base, 1.0, x)  # keeps log finite where the limit is 0
    if safe_base.dtype != out.dtype:
        # A float16 base with a float32 exponent: take the log in float32, as PyTorch does.
        safe_base = F.astype(safe_base, out.dtype)
    return g * F.where(zero_base, 0.0, out * F.log(safe_base))


# ----- the same rules on NumPy arrays --------------------------------------
#
# backward() without create_graph runs these instead: g, out and the inputs
# are the arrays (or NumPy scalars, for 0-d results), and no Tensor is made
# along the way. They compute exactly what the Tensor rules compute, which
# tests/autodiff/test_array_vjps.py checks rule by rule.


def _sum_to_array(g, shape):
    """Sum the array g over its broadcast axes so that it has `shape` (undo broadcasting)."""
    if g.shape[1:] == shape:
        return np.add.reduce(g, axis=0)  # a bias over a batch, the most frequent case
    lead = g.ndim - len(shape)
    if lead < 0 or any(n != 1 and n != m for n, m in zip(shape, g.shape[lead:])):
        raise ValueError(f"sum_to: shape {g.shape} does not broadcast from {shape}")
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1
    )
    return np.add.reduce(g, axis=axes, keepdims=True).reshape(shape)


def _reduce_array_vjp(g, out, x, axis, keepdims):
    if not keepdims and axis is not None:  # a 0-d g broadcasts as it is
        g = g.reshape(_keepdims_shape(x.shape, axis))
    return _broadcast(g, x.shape)


def _extremum_array_vjp(g, out, x, axis, keepdims):
    if not keepdims and axis is not None:  # a 0-d g and out broadcast as they are
        kshape = _keepdims_shape(x.shape, axis)
        g = g.reshape(kshape)
        out = out.reshape(kshape)
    winners = x == out
    count = winners.sum(axis=axis, keepdims=True).astype(x.dtype)
    return g * (winners / count)


def _masked(g, mask):
    """g * mask for a bool mask of g's shape, without a float copy of the mask beside the result.

    g * mask would cast the mask to floats in a buffer as large as g (up
    to 8192 elements), which is then the peak of a small MLP's backward.
    """
    if type(g) is not np.ndarray:
        return g * mask  # a NumPy scalar, where the product is the fast path
    result = mask.astype(g.dtype)
    result *= g
    return result


def _matmul_array_vjp_a(g, out, a, b):
    if b.ndim == 2 and a.ndim >= 2:
        return np.matmul(g, b.T)  # the layer case first: the method calls skip NumPy's wrappers
    if b.ndim == 1:
        if a.ndim == 1:
            return g * b
        return g[..., None] * b
    if a.ndim == 1:
        return np.matmul(b, g[..., None])[..., 0]
    return np.matmul(g, b.swapaxes(-1, -2))


def _matmul_array_vjp_b(g, out, a, b):
    if a.ndim == 2 and b.ndim >= 2:
        return np.matmul(a.T, g)
    if a.ndim == 1:
        if b.ndim == 1:
            return g * a
        return a[:, None] * g[..., None, :]
    if b.ndim == 1:
        return np.matmul(a.swapaxes(-1, -2), g[..., None])[..., 0]
    return np.matmul(a.swapaxes(-1, -2), g)


def _pow_array_vjp_base(g, out, x, y):
    if type(y) is not np.ndarray and y != 0:
        return g * (y * np.power(x, y - 1))  # a constant exponent, as in x ** 2
    zero_exponent = y == 0
    exponent = np.where(zero_exponent, 1, y - 1)
    return g * np.where(zero_exponent, 0, y * x ** exponent)


def _pow_array_vjp_exponent(g, out, x, y):
    zero_base = (x == 0) & (y >= 0)
    safe_base = np.where(zero_base, 1, x)
    if safe_base.dtype != out.dtype:
        safe_base = safe_base.astype(out.dtype)  # as in the Tensor rule
    return g * np.where(zero_base, 0, out * np.log(safe_base))


def _concatenate_array_vjp(i, g, out, inputs, axis, offsets):
    return g[(slice(None),) * axis + (slice(offsets[i], offsets[i + 1]),)]


P = Primitive

# The four arithmetic operators run as Python's operators, which give the
# ufuncs' results on arrays and skip the ufunc machinery on NumPy scalars
# (50 ns instead of 500 for a 0-d multiply). Their results are correctly
# rounded either way. Power stays a ufunc: the C library's pow, which
# scalars would use, can differ from NumPy's loops in the last bit.
# name: forward, (Tensor rule for input 0, for input 1, ...), (the array rules)
add = P("add", operator.add, (
    lambda g, out, x, y: g,
    lambda g, out, x, y: g), (
    lambda g, out, x, y: g,
    lambda g, out, x, y: g),
    saves=(), both=lambda g, out, x, y: (g, g), elementwise=True)
subtract = P("subtract", operator.sub, (
    lambda g, out, x, y: g,
    lambda g, out, x, y: -g), (
    lambda g, out, x, y: g,
    lambda g, out, x, y: -g),
    saves=(), both=lambda g, out, x, y: (g, -g), elementwise=True)
multiply = P("multiply", operator.mul, (
    lambda g, out, x, y: g * y,
    lambda g, out, x, y: g * x), (
    lambda g, out, x, y: g * y,
    lambda g, out, x, y: g * x),
    saves={0: (1,), 1: (0,)}, both=lambda g, out, x, y: (g * y, g * x),
    elementwise=True)
divide = P("divide", operator.truediv, (
    lambda g, out, x, y: g / y,
    lambda g, out, x, y: -g * out / y), (
    lambda g, out, x, y: g / y,
    lambda g, out, x, y: -g * out / y),
    saves={0: (1,), 1: ("out", 1)}, both=lambda g, out, x, y: (g / y, -g * out / y),
    elementwise=True)
power = P("power", np.power, (_pow_vjp_base, _pow_vjp_exponent),
          (_pow_array_vjp_base, _pow_array_vjp_exponent),
    saves={0: (0, 1), 1: ("out", 0, 1)}, elementwise=True)
negative = P("negative", operator.neg, (
    lambda g, out, x: -g,), (
    lambda g, out, x: -g,),
    saves=())
maximum = P("maximum", np.maximum, (
    lambda g, out, x, y: g * _tie_share(x.data, y.data, np.greater),
    lambda g, out, x, y: g * _tie_share(y.data, x.data, np.greater)), (
    lambda g, out, x, y: g * _tie_share(x, y, np.greater),
    lambda g, out, x, y: g * _tie_share(y, x, np.greater)),
    saves=(0, 1), elementwise=True)
minimum = P("minimum", np.minimum, (
    lambda g, out, x, y: g * _tie_share(x.data, y.data, np.less),
    lambda g, out, x, y: g * _tie_share(y.data, x.data, np.less)), (
    lambda g, out, x, y: g * _tie_share(x, y, np.less),
    lambda g, out, x, y: g * _tie_share(y, x, np.less)),
    saves=(0, 1), elementwise=True)
where = P("where", lambda x, y, condition: np.where(condition, x, y), (
    lambda g, out, x, y, condition: F.where(condition, g, 0.0),
    lambda g, out, x, y, condition: F.where(condition, 0.0, g)), (
    lambda g, out, x, y, condition: np.where(condition, g, 0),
    lambda g, out, x, y, condition: np.where(condition, 0, g)),
    saves=())

exp = P("exp", np.exp, (
    lambda g, out, x: g * out,), (
    lambda g, out, x: g * out,),
    saves=("out",))
log = P("log", np.log, (
    lambda g, out, x: g / x,), (
    lambda g, out, x: g / x,),
    saves=(0,))
log1p = P("log1p", np.log1p, (
    lambda g, out, x: g / (1 + x),), (
    lambda g, out, x: g / (1 + x),),
    saves=(0,))
sqrt = P("sqrt", np.sqrt, (
    lambda g, out, x: g / (2 * out),), (
    lambda g, out, x: g / (2 * out),),
    saves=("out",))
sin = P("sin", np.sin, (
    lambda g, out, x: g * F.cos(x),), (
    lambda g, out, x: g * np.cos(x),),
    saves=(0,))
cos = P("cos", np.cos, (
    lambda g, out, x: -g * F.sin(x),), (
    lambda g, out, x: -g * np.sin(x),),
    saves=(0,))
tanh = P("tanh", np.tanh, (
    lambda g, out, x: g * (1 - out * out),), (
    lambda g, out, x: g * (1 - out * out),),
    saves=("out",))
sigmoid = P("sigmoid", _sigmoid, (
    lambda g, out, x: g * out * (1 - out),), (
    lambda g, out, x: g * out * (1 - out),),
    saves=("out",))
relu = P("relu", _relu, (
    lambda g, out, x: g * (out.data > 0),), (
    lambda g, out, x: _masked(g, out > 0),),
    saves=("out",))
abs = P("abs", np.abs, (
    lambda g, out, x: g * np.sign(x.data),), (
    lambda g, out, x: g * np.sign(x),),
    saves=(0,))
sign = P("sign", np.sign, (
    lambda g, out, x: g * 0,), (
    lambda g, out, x: g * 0,),
    saves=())
clip = P("clip", lambda x, a_min, a_max: np.clip(x, a_min, a_max), (
    lambda g, out, x, a_min, a_max: g * _clip_mask(x.data, a_min, a_max),), (
    lambda g, out, x, a_min, a_max: _masked(g, _clip_mask(x, a_min, a_max)),),
    saves=(0,))
astype = P("astype", lambda x, dtype: x.astype(dtype), (
    lambda g, out, x, dtype: F.astype(g, x.dtype),), (
    lambda g, out, x, dtype: g.astype(x.dtype),),
    saves=(), shapes=(0,))

# Ufunc reduce and ndarray methods skip the Python wrappers of np.sum and
# np.reshape, which cost more than the op itself on small arrays.
sum = P("sum", lambda x, axis, keepdims: np.add.reduce(x, axis=axis, keepdims=keepdims), (
    _reduce_vjp,), (
    _reduce_array_vjp,),
    saves=(), shapes=(0,))
max = P("max", lambda x, axis, keepdims: np.maximum.reduce(x, axis=axis, keepdims=keepdims), (
    _extremum_vjp,), (
    _extremum_array_vjp,),
    saves=("out", 0))
min = P("min", lambda x, axis, keepdims: np.minimum.reduce(x, axis=axis, keepdims=keepdims), (
    _extremum_vjp,), (
    _extremum_array_vjp,),
    saves=("out", 0))

reshape = P("reshape", lambda x, shape: x.reshape(shape), (
    lambda g, out, x, shape: F.reshape(g, x.shape),), (
    lambda g, out, x, shape: g.reshape(x.shape),),
    saves=(), shapes=(0,))
transpose = P("transpose", lambda x, axes: x.transpose(axes), (
    lambda g, out, x, axes: F.transpose(g, _inverse_axes(axes)),), (
    lambda g, out, x, axes: np.transpose(g, _inverse_axes(axes)),),
    saves=())
broadcast_to = P("broadcast_to", _broadcast, (
    lambda g, out, x, shape: F.sum_to(g, x.shape),), (
    lambda g, out, x, shape: _sum_to_array(g, x.shape),),
    saves=(), shapes=(0,))
getitem = P("getitem", lambda x, index, basic: x[index], (
    lambda g, out, x, index, basic: F.untake(g, index, x.shape, basic),), (
    lambda g, out, x, index, basic: _untake(g, index, x.shape, basic),),
    saves=(), shapes=(0,))
untake = P("untake", _untake, (
    lambda g, out, x, index, shape, basic: F.getitem(g, index),), (
    lambda g, out, x, index, shape, basic: g[index],),
    saves=())
# `offsets` (the start of each input along `axis`, then the total) is
# computed once, so that backward through n inputs costs O(n), not O(n²).
concatenate = P("concatenate", lambda *xs, axis, offsets: np.concatenate(xs, axis=axis),
                (_concatenate_vjp,), (_concatenate_array_vjp,), variadic=True,
    saves=())

matmul = P("matmul", np.matmul, (_matmul_vjp_a, _matmul_vjp_b),
           (_matmul_array_vjp_a, _matmul_array_vjp_b),
    saves={0: (1,), 1: (0,)}, shapes=(0, 1))  # each rule reads the other input, and both ndims

del P
