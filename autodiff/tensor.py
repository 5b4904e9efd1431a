"""The Tensor: a NumPy array plus, when a recorded op made it, that op's graph node.

A tensor made by an op on inputs that require grad points to a `Node`
(`autodiff.node`): the primitive, the inputs' nodes (or the input tensors
themselves, for leaves and constants; a large constant that no rule reads
is replaced by a `ConstantNotKept`) and the op's non-differentiable params,
such as `axis`. Nodes refer only to their inputs, never to their
outputs, so the graph holds no reference cycles. A node keeps only the
values that VJP rules read, apart from small and named ones (see
`autodiff.node`), so dropping an intermediate tensor frees its array. The
one cycle is a leaf's `.grad` after `backward(create_graph=True)`, whose
graph refers back to the leaf.
"""

import copy

import numpy as np

from autodiff.grad_mode import _state as _recording
from autodiff.node import SMALL_SIZE, Node, next_number

_RELEASED = object()  # `_params` of a node whose graph backward() has freed
_FLOAT_KINDS = "f"
_ALLOWED_KINDS = "fiub"


def _to_array(data, dtype):
    """Copy `data` into a new ndarray, rejecting dtypes the engine cannot use."""
    if isinstance(data, (list, tuple)) and _contains_tensor(data, requiring_grad=True):
        raise TypeError(
            "Tensor: the list contains tensors that require grad, and copying their "
            "values would drop their history; use autodiff.stack or autodiff.concatenate"
        )
    try:
        array = np.array(data, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"Tensor: cannot convert {type(data).__name__} to an array ({error}); "
            "pass numbers, nested lists of numbers or a numeric ndarray"
        ) from None

    if array.dtype.kind not in _ALLOWED_KINDS:
        hint = ""
        if array.dtype == object and _contains_tensor(data):
            hint = "; to combine tensors use autodiff.stack or autodiff.concatenate"
        raise TypeError(
            f"Tensor: unsupported dtype {array.dtype}; use a float, integer or bool "
            f"dtype{hint}"
        )
    return array


def _contains_tensor(data, requiring_grad=False):
    if not isinstance(data, (list, tuple)):
        return False
    for item in data:
        if isinstance(item, Tensor) and (item.requires_grad or not requiring_grad):
            return True
        if isinstance(item, (list, tuple)) and _contains_tensor(item, requiring_grad):
            return True
    return False


def _check_float(array, what):
    if array.dtype.kind not in _FLOAT_KINDS:
        raise TypeError(
            f"{what}: only floating-point tensors can require grad, got dtype "
            f"{array.dtype}; create it with a float dtype, e.g. dtype='float64' "
            "or data like 1.0 instead of 1"
        )


class Tensor:
    """An n-dimensional array that records how it was computed.

    Args:
        data: a Python number, a nested list of numbers, an ndarray or a
            Tensor. The data is copied.
        requires_grad: record ops on this tensor so that `backward()` fills
            its `.grad`. Only float dtypes may require grad.
        dtype: NumPy dtype to convert to. By default NumPy's choice is kept:
            float64 for Python floats, int64 for Python ints, and an
            ndarray's own dtype (float32 stays float32).
        name: a label shown in `repr` and in pictures of the graph.

    A 0-d tensor is a scalar, and its `data` is a NumPy scalar such as
    np.float64, which is what NumPy's own 0-d operations return: it has the
    attributes of an array (shape (), dtype, item()) and its + and * are
    about five times faster than a 0-d ndarray's (NumPy 2.4), which matters
    for circuits of scalars. It is immutable, so change it by assigning a new NumPy
    scalar, `t.data -= step` or `t.data = np.float64(0.5)`, never by writing
    into it. Such an assignment takes NumPy's type promotion: a float64 step
    turns a float32 scalar into float64, so cast the step to `t.dtype` (the
    nn optimisers keep the dtype). Ops follow NumPy's
    broadcasting and type promotion rules: a Python number never widens a
    float32 tensor.

    Assigning a new array to `data` of a tensor made by an op does not
    change the ops already recorded, whose backward uses the values of the
    forward pass. (PyTorch's backward reads the new data where an op saved
    the tensor as an input.) An op recorded after the assignment that needs
    the new value raises RuntimeError if the tensor's node keeps the old
    one for an earlier op. A leaf is read at backward time, so an optimiser
    step between forward and backward changes the gradient.

    >>> import autodiff as ad
    >>> w = ad.Tensor([1.0, -2.0], requires_grad=True, name="w")
    >>> (w * w).sum().backward()
    >>> w.grad
    Tensor([ 2., -4.], shape=(2,), dtype=float64)
    """

    # A recorded output keeps its name and scope on its node, so its own
    # `_name` and `_scope` slots stay unset (see the properties below).
    # `_requires_grad` is read at every recorded op and every edge of
    # backward, so those read the slot; the property checks assignments.
    __slots__ = ("data", "grad", "_requires_grad", "_name", "_scope", "_node", "__weakref__")

    # Makes `ndarray + Tensor` call Tensor.__radd__ instead of NumPy looping
    # over the tensor as an object array.
    __array_ufunc__ = None

    def __init__(self, data, requires_grad=False, dtype=None, name=None):
        if isinstance(data, Tensor):
            data = data.data
        array = _to_array(data, dtype)
        if requires_grad:
            _check_float(array, "Tensor")

        self.data = array[()] if array.ndim == 0 else array  # see the class docstring
        self.grad = None
        self._requires_grad = bool(requires_grad)
        self._name = name
        self._scope = _recording.mode.scope
        self._node = None

    # ----- properties -------------------------------------------------------

    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def is_leaf(self):
        """True for tensors made by the user rather than by a recorded op."""
        return self._node is None

    @property
    def op(self):
        """Name of the primitive that made this tensor, or None for a leaf."""
        return None if self._node is None else self._node._op.name

    @property
    def requires_grad(self):
        """True when ops on this tensor are recorded, so that backward() reaches it."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self.requires_grad_(value)  # the same checks as the method

    @property
    def node(self):
        """This tensor's node in the graph: the Node of the op that made it, or itself for a leaf.

        `backprop_steps` and pictures of the graph refer to nodes this way,
        so `step.node is t.node` finds the step of tensor t.
        """
        return self if self._node is None else self._node

    @property
    def name(self):
        """A label shown in `repr` and in pictures of the graph."""
        return self._name if self._node is None else self._node.name

    @name.setter
    def name(self, value):
        if self._node is None:
            self._name = value
        else:
            # A named node is one to look at, so pictures show its value.
            self._node.name = value
            if self._node.data is None:
                self._node.data = self.data

    @property
    def scope(self):
        """The name scope (`autodiff.name_scope`) open when this tensor was made, or None."""
        return self._scope if self._node is None else self._node.scope

    # The graph's view of a tensor, the same attributes as a Node's: backprop
    # and pictures walk leaves and nodes alike.
    @property
    def _op(self):
        return None if self._node is None else self._node._op

    @property
    def _parents(self):
        return () if self._node is None else self._node._parents

    @property
    def _params(self):
        return None if self._node is None else self._node._params

    @property
    def T(self):
        return _ops.transpose(self)

    # ----- conversion -------------------------------------------------------

    def item(self):
        """Return the single element as a Python number."""
        if self.data.size != 1:
            raise ValueError(
                f"item(): only a tensor with one element converts to a Python number, "
                f"got shape {self.shape}; index it or reduce it first, e.g. t.sum().item()"
            )
        return self.data.item()

    def numpy(self):
        """Return the values as an ndarray that shares memory with the tensor.

        A 0-d tensor's value is an immutable NumPy scalar, so for it the
        result is a new 0-d array and writing into it changes nothing.
        """
        return np.asarray(self.data)

    def tolist(self):
        return self.data.tolist()

    def detach(self):
        """Return a tensor that shares this data but has no history and no grad."""
        return Tensor._from_array(self.data)

    def requires_grad_(self, requires_grad=True):
        """Set `requires_grad` in place on a leaf and return self.

        Only ops recorded afterwards send gradients to the leaf: an op that
        used it before records that it required no grad, as in PyTorch.
        """
        if not self.is_leaf and not requires_grad:
            raise RuntimeError(
                f"requires_grad cannot be set to False on a tensor made by '{self.op}', "
                "because only leaves can stop requiring grad; use .detach() to get a "
                "tensor without history"
            )
        if requires_grad:
            _check_float(self.data, "requires_grad_()")
        self._requires_grad = bool(requires_grad)
        return self

    def zero_grad(self):
        """Clear the accumulated gradient (sets `.grad` to None, as PyTorch does)."""
        self.grad = None

    def astype(self, dtype):
        return _ops.astype(self, dtype)

    def backward(self, grad=None, retain_graph=None, create_graph=False):
        """Accumulate d(self)/d(leaf) into `.grad` of every leaf that requires grad.

        See `autodiff.backprop.backward` for the arguments and the rules.
        """
        _backprop.backward(self, grad, retain_graph=retain_graph, create_graph=create_graph)

    def draw(self, **options):
        """Return a picture of the graph that produced this tensor (see `autodiff.draw_graph`)."""
        from autodiff.draw import draw_graph

        return draw_graph(self, **options)

    # ----- Python protocol --------------------------------------------------

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="Tensor(", threshold=50)
        parts = [f"shape={self.shape}", f"dtype={self.dtype}"]
        if self.name is not None:
            parts.append(f"name={self.name!r}")
        if self._node is not None:
            parts.append(f"op={self._node._op.name}")
        elif self.requires_grad:
            parts.append("requires_grad=True")
        return f"Tensor({body}, {', '.join(parts)})"

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor; use .item() to get its value")
        return len(self.data)

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor; use .item() to get its value")
        return (self[i] for i in range(len(self.data)))

    def __bool__(self):
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a tensor with shape {self.shape} is ambiguous; "
                "use (t).all() or (t).any() on .numpy()"
            )
        return bool(self.data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    __hash__ = object.__hash__

    def __format__(self, spec):
        if spec and self.data.size == 1:
            return format(self.data.item(), spec)  # f"{loss:.4f}" as with a number
        return format(str(self), spec)

    def __index__(self):
        if self.data.size != 1 or self.data.dtype.kind not in "iu":
            raise TypeError(
                f"only an integer tensor with one element can be used as an index, got "
                f"shape {self.shape} and dtype {self.dtype}"
            )
        return int(self.data.item())

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError(
                f"deepcopy of a tensor made by '{self.op}': only leaves (tensors created "
                "by the user) can be copied; use .detach() first to copy the values"
            )
        copied = _new_leaf(type(self), self.data.copy(), self.requires_grad, self.name)
        memo[id(self)] = copied
        if self.grad is not None:
            copied.grad = copy.deepcopy(self.grad, memo)
        return copied

    def __reduce_ex__(self, protocol):
        if not self.is_leaf:
            raise RuntimeError(
                f"cannot pickle a tensor made by '{self.op}', because its graph contains "
                "functions; pickle t.detach() to keep the values"
            )
        return (_new_leaf, (type(self), self.data, self.requires_grad, self.name))

    def __array__(self, dtype=None, copy=None):
        # Lets np.asarray(t) and plotting libraries read the values of
        # constants. A tensor that requires grad raises instead, because
        # np.dot(x, w) or np.stack([w]) would silently drop its history.
        if self.requires_grad:
            raise TypeError(
                "cannot convert a tensor that requires grad to a NumPy array, because the "
                "result would lose its history; use the autodiff function of the same name "
                "(autodiff.dot, autodiff.stack, ...) to keep it, or t.detach().numpy() "
                "to read the values"
            )
        if copy:
            return np.array(self.data, dtype=dtype, copy=True)
        if copy is False and type(self.data) is not np.ndarray:
            raise ValueError(
                "cannot give a 0-d tensor's value as an array without a copy, because it is "
                "held as an immutable NumPy scalar; call np.asarray(t) or np.array(t) instead"
            )
        return np.asarray(self.data, dtype=dtype, copy=copy)  # copy=False raises if it must copy

    def __setitem__(self, index, value):
        raise TypeError(
            "Tensor does not support item assignment, because an in-place change would "
            "corrupt the recorded graph; build the new values with autodiff.where or "
            "autodiff.concatenate, or assign into t.data outside of any graph"
        )

    # ----- arithmetic -------------------------------------------------------
    # +, -, * and / and their reflected forms are set after the class, from
    # binary_recorder(), so that `a * b` costs a single Python call.

    def __pow__(self, other):
        return _ops.power(self, other)

    def __rpow__(self, other):
        return _ops.power(other, self)

    def __matmul__(self, other):
        return _ops.matmul(self, other)

    def __rmatmul__(self, other):
        return _ops.matmul(other, self)

    def __neg__(self):
        return _ops.negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops.abs(self)

    def __getitem__(self, index):
        return _ops.getitem(self, index)

    # Comparisons give bool tensors with no history, as in NumPy and PyTorch.
    # With None, == and != fall back to identity (False and True), as in PyTorch.
    def __eq__(self, other):
        if other is None:
            return NotImplemented
        return _ops.compare(np.equal, self, other)

    def __ne__(self, other):
        if other is None:
            return NotImplemented
        return _ops.compare(np.not_equal, self, other)

    def __lt__(self, other):
        return _ops.compare(np.less, self, other)

    def __le__(self, other):
        return _ops.compare(np.less_equal, self, other)

    def __gt__(self, other):
        return _ops.compare(np.greater, self, other)

    def __ge__(self, other):
        return _ops.compare(np.greater_equal, self, other)

    # ----- internal constructors --------------------------------------------

    @classmethod
    def _from_array(cls, array):
        """Wrap an ndarray or NumPy scalar without copying or checking (internal fast path)."""
        out = object.__new__(cls)
        out.data = array
        out.grad = None
        out._requires_grad = False
        out._name = None
        out._scope = None
        out._node = None
        return out


def apply(primitive, inputs, params=None):
    """Run `primitive` forward on the inputs' data and record the node if needed.

    `inputs` is a tuple of Tensors; `params` a dict of non-differentiable
    keyword arguments passed to both the forward and the VJPs.
    """
    try:
        if len(inputs) == 1:
            if params:
                data = primitive.forward(inputs[0].data, **params)
            else:
                data = primitive.forward(inputs[0].data)
        elif params:
            data = primitive.forward(*[t.data for t in inputs], **params)
        else:
            data = primitive.forward(*[t.data for t in inputs])
    except (ValueError, IndexError, TypeError) as error:
        raise _forward_error(primitive, inputs, error) from error
    return _wrap(primitive, inputs, params, data)


class ConstantNotKept(Tensor):
    """A constant input of a node whose value no rule reads: its shape and dtype, without the value.

    Its `data` is None, and pictures show "value not kept" for it.
    """

    __slots__ = ("_meta",)

    @property
    def shape(self):
        return self._meta[0]

    @property
    def dtype(self):
        return self._meta[1]

    @property
    def ndim(self):
        return len(self._meta[0])

    @property
    def size(self):
        return int(np.prod(self._meta[0], dtype=np.int64))

    def __repr__(self):
        return f"ConstantNotKept(shape={self.shape}, dtype={self.dtype})"


def unary_recorder(primitive):
    """Return record(x), which runs `primitive` (no params) on a Tensor and records its node.

    The steps of apply(), _wrap() and _record() written out in one function,
    with the primitive's attributes looked up once, here: ops on small
    tensors are the engine's most frequent path, and every call or lookup
    saved there shows in the per-op overhead. Tensor's methods such as
    `t.tanh()` are these functions themselves.
    """
    forward = primitive.forward
    ndarray = np.ndarray  # a closure variable reads faster than a module attribute
    saves_output = primitive.saves_output
    keep_x = primitive.saved_pair[0]

    def record(x):
        try:
            data = forward(x.data)
        except (ValueError, IndexError, TypeError) as error:
            raise _forward_error(primitive, (x,), error) from error
        if type(data) is ndarray:
            if not data.shape:
                data = data[()]
        elif type(data) is not np.float64 and not isinstance(data, np.generic):
            data = _scalar_or_array(data)

        out = _new(Tensor)
        out.data = data
        out.grad = None
        mode = _recording.mode
        if not (x._requires_grad and mode.enabled):
            out._requires_grad = False
            out._name = None
            out._scope = mode.scope
            out._node = None
            return out

        node = Node()  # calling the class is faster than object.__new__ when there is no __init__
        node._op = primitive
        node._params = None
        node.scope = mode.scope
        node.name = None
        node._number = next_number()
        node._needs_input_grad = None  # x requires grad, or there would be no node
        if type(data) is ndarray and (data.size > SMALL_SIZE or (data.base is not None and _views_large(data))):
            node.meta = (data.shape, data.dtype)
            node.data = data if saves_output or mode.keep_values else None
        else:
            node.meta = None
            node.data = data
        xn = x._node
        if xn is None:
            node._parents = (x,)
        else:
            node._parents = (xn,)
            if keep_x:  # as in binary_recorder
                kept_value = xn.data
                if kept_value is None:
                    xn.data = x.data
                elif kept_value is not x.data:
                    raise _replaced_data_error(x, primitive)

        out._requires_grad = True
        out._node = node
        return out

    return record


def binary_recorder(primitive):
    """Return record(x, y), which runs `primitive` (no params) on two Tensors and records its node.

    As `unary_recorder`. `y` may also be a number or an array, which
    becomes a constant. A Python number takes x's float dtype, and an array
    keeps its own (see `as_tensor`). Tensor's +, -, * and / are these
    functions.
    """
    forward = primitive.forward
    ndarray = np.ndarray  # a closure variable reads faster than a module attribute
    # (keep x, keep y, keep the output) when both inputs require grad, and
    # when only x or only y does.
    keeps_both = primitive.saved_triple(None)
    keeps_x_only = primitive.saved_triple((True, False))
    keeps_y_only = primitive.saved_triple((False, True))
    shapes_read = primitive.shapes

    def record(x, y):
        if type(y) is not Tensor:
            try:  # _constant_operand, written out to spare a call on every op with a number
                y = as_tensor(y, x)
            except OverflowError as error:
                raise OverflowError(f"{primitive.name}: {error}") from None
        try:
            data = forward(x.data, y.data)
        except (ValueError, IndexError, TypeError) as error:
            raise _forward_error(primitive, (x, y), error) from error
        # Ufuncs and operators already return a NumPy scalar, not a 0-d array, for 0-d results.
        if type(data) is not ndarray and type(data) is not np.float64 and not isinstance(
                data, np.generic):
            data = _scalar_or_array(data)

        out = _new(Tensor)
        out.data = data
        out.grad = None
        mode = _recording.mode
        x_needs = x._requires_grad
        y_needs = y._requires_grad
        if not ((x_needs or y_needs) and mode.enabled):
            out._requires_grad = False
            out._name = None
            out._scope = mode.scope
            out._node = None
            return out

        node = Node()
        node._op = primitive
        node._params = None
        node.scope = mode.scope
        node.name = None
        node._number = next_number()
        if x_needs and y_needs:
            node._needs_input_grad = None
            keep_x, keep_y, keep_out = keeps_both
        else:
            node._needs_input_grad = (x_needs, y_needs)
            keep_x, keep_y, keep_out = keeps_x_only if x_needs else keeps_y_only
        if type(data) is ndarray and (data.size > SMALL_SIZE or (data.base is not None and _views_large(data))):
            node.meta = (data.shape, data.dtype)
            node.data = data if keep_out or mode.keep_values else None
        else:
            node.meta = None
            node.data = data
        xn = x._node
        yn = y._node
        if x_needs and y_needs:
            node._parents = (x if xn is None else xn, y if yn is None else yn)
        elif x_needs:
            # y is a constant: the node keeps its value only if a rule reads
            # it (see _constant_input), and likewise x in the next branch.
            node._parents = (x if xn is None else xn,
                             y if keep_y or 1 in shapes_read else _constant_input(y, mode))
        else:
            node._parents = (x if keep_x or 0 in shapes_read else _constant_input(x, mode),
                             y if yn is None else yn)
        # An input's node keeps the value that this op's rules read. A node
        # that kept another one before x.data was replaced cannot serve both.
        if keep_x and xn is not None:
            kept_value = xn.data
            if kept_value is None:
                xn.data = x.data
            elif kept_value is not x.data:
                raise _replaced_data_error(x, primitive)
        if keep_y and yn is not None:
            kept_value = yn.data
            if kept_value is None:
                yn.data = y.data
            elif kept_value is not y.data:
                raise _replaced_data_error(y, primitive)

        out._requires_grad = True
        out._node = node
        return out

    return record


_recorders = {}  # primitive -> its recorder, made on first use


def apply_unary(primitive, x):
    """`apply(primitive, (x,))` for a primitive without params, through its recorder."""
    record = _recorders.get(primitive)
    if record is None:
        record = _recorders[primitive] = unary_recorder(primitive)
    return record(x)


def apply_binary(primitive, x, y):
    """`apply(primitive, (x, y))` for a primitive without params, through its recorder."""
    record = _recorders.get(primitive)
    if record is None:
        record = _recorders[primitive] = binary_recorder(primitive)
    return record(x, y)


def _wrap(primitive, inputs, params, data):
    """Wrap the forward result `data` in a Tensor, recording the op when an input requires grad."""
    if type(data) is np.ndarray:
        if not data.shape:
            data = data[()]
    elif type(data) is not np.float64 and not isinstance(data, np.generic):
        data = _scalar_or_array(data)

    out = _new(Tensor)
    out.data = data
    out.grad = None
    mode = _recording.mode
    if mode.enabled and _any_requires_grad(inputs):
        out._requires_grad = True
        out._node = _record(primitive, inputs, params, data, mode)
    else:
        out._requires_grad = False
        out._name = None
        out._scope = mode.scope
        out._node = None
    return out


def _record(primitive, inputs, params, data, mode):
    """Return the Node of `primitive` applied to `inputs`, keeping what its rules read.

    The node keeps its output `data` if its own rules read it, if it is
    small (see `autodiff.node`) or inside `keep_values()`, and the inputs'
    nodes keep the values that its rules read. `mode` is the thread's
    recording settings.
    """
    node = Node()  # calling the class is faster than object.__new__ when there is no __init__
    node._op = primitive
    node._params = params
    node.scope = mode.scope
    node.name = None
    node._number = next_number()
    if len(inputs) == 1:  # most ops, written out because a generator costs more than they do
        node._needs_input_grad = None
        saves_output = primitive.saves_output
    else:
        needs = tuple(t._requires_grad for t in inputs)
        if all(needs):
            node._needs_input_grad = None
            saves_output, saved = primitive.saves_output, primitive.saved_inputs
        else:
            node._needs_input_grad = needs
            saves_output, saved = primitive.saved_for(needs)
    if type(data) is np.ndarray and (data.size > SMALL_SIZE or (data.base is not None and _views_large(data))):
        node.meta = (data.shape, data.dtype)
        node.data = data if saves_output or mode.keep_values else None
    else:
        node.meta = None
        node.data = data

    if len(inputs) == 1:
        x = inputs[0]
        xn = x._node
        node._parents = (x if xn is None else xn,)
        if xn is not None and primitive.saved_pair[0]:
            _keep_input(xn, x, primitive)
        return node

    parents = []
    for i, (t, needed) in enumerate(zip(inputs, needs)):
        if t._node is not None:
            parents.append(t._node)
        elif needed or saved is None or i in saved or i in primitive.shapes:
            parents.append(t)
        else:  # a constant that no rule of a needed input reads
            parents.append(_constant_input(t, mode))
    node._parents = tuple(parents)

    for i in range(len(inputs)) if saved is None else saved:
        t = inputs[i]
        if t._node is not None:
            _keep_input(t._node, t, primitive)
    return node


def _constant_input(t, mode):
    """Return what a node keeps of a constant input `t` that none of its needed rules reads.

    A small, named or `keep_values()` constant is kept whole, for pictures.
    A larger one is replaced by a `ConstantNotKept` with its shape and
    dtype, so the graph does not keep an array that the caller dropped
    (PyTorch saves nothing for x + c either).
    """
    data = t.data
    if (type(data) is not np.ndarray or data.size <= SMALL_SIZE or mode.keep_values
            or t._name is not None):
        return t
    stand_in = _new(ConstantNotKept)
    stand_in.data = None
    stand_in.grad = None
    stand_in._requires_grad = False
    stand_in._name = None
    stand_in._scope = t._scope
    stand_in._node = None
    stand_in._meta = (data.shape, data.dtype)
    return stand_in


def _views_large(array):
    """True if the small `array` is a view of an array larger than SMALL_SIZE, which keeping it would keep."""
    return getattr(array.base, "size", SMALL_SIZE + 1) > SMALL_SIZE


def _keep_input(node, tensor, primitive):
    """Make `node` keep the value of `tensor`, its output, which a rule of `primitive` reads."""
    kept_value = node.data
    if kept_value is None:
        node.data = tensor.data
    elif kept_value is not tensor.data:
        raise _replaced_data_error(tensor, primitive)


def _replaced_data_error(tensor, primitive):
    return RuntimeError(
        f"{primitive.name}: the .data of an input made by '{tensor.op}' was replaced after "
        "that input was recorded, and its graph node keeps the old value for earlier ops; "
        "call .detach() on the input to start a new graph from the new value"
    )


def _forward_error(primitive, inputs, error):
    """Return the forward's NumPy error with the op's name and the input shapes and dtypes."""
    shapes = ", ".join(str(t.shape) for t in inputs)
    dtypes = ", ".join(str(t.dtype) for t in inputs)
    # The base class, because NumPy's subclasses take other constructor arguments.
    kind = next(k for k in (IndexError, TypeError, ValueError) if isinstance(error, k))
    return kind(f"{primitive.name}: {error} (input shapes {shapes}; dtypes {dtypes})")


_new = object.__new__


def _scalar_or_array(value):
    """`value` as an ndarray, or as a NumPy scalar when it has no dimensions."""
    array = np.asarray(value)
    return array[()] if array.ndim == 0 else array


def _new_leaf(cls, data, requires_grad, name):
    """Rebuild a leaf of class `cls` (Tensor or a subclass) for pickle and deepcopy."""
    leaf = cls._from_array(data)
    leaf._requires_grad = requires_grad
    leaf.name = name
    return leaf


def _any_requires_grad(inputs):
    for t in inputs:  # a plain loop beats any() with a generator for 1 or 2 inputs
        if t._requires_grad:
            return True
    return False


def as_tensor(value, like=None):
    """Return `value` as a Tensor, without copying when it already is one.

    A Python number next to a tensor `like` is a weak operand, as in NumPy 2
    and PyTorch: it takes `like`'s dtype where that dtype can hold it, so a
    float32 tensor stays float32 and an int8 tensor plus 1 stays int8. An
    integer out of the bounds of an integer `like` raises OverflowError, as
    in NumPy 2. Anything else keeps NumPy's dtype.
    """
    if isinstance(value, Tensor):
        return value
    if like is not None and type(value) in (float, int, bool):
        dtype = like.data.dtype
        if dtype.kind == "f":
            return Tensor._from_array(dtype.type(value))
        return Tensor._from_array(_weak_scalar(value, dtype))
    if isinstance(value, (np.ndarray, np.generic)):
        array = value
    else:
        array = _to_array(value, None)
    if array.dtype.kind not in _ALLOWED_KINDS:
        raise TypeError(f"unsupported operand dtype {array.dtype}; use a float, integer or bool dtype")
    return Tensor._from_array(array[()] if array.ndim == 0 else array)


def _constant_operand(value, like, primitive):
    """Return `as_tensor(value, like)`, naming `primitive` in an OverflowError."""
    try:
        return as_tensor(value, like)
    except OverflowError as error:
        raise OverflowError(f"{primitive.name}: {error}") from None


def _weak_scalar(value, dtype):
    """Return the Python number `value` as the NumPy scalar that NumPy 2 makes of it next to `dtype`."""
    result_dtype = np.result_type(dtype, value)  # NumPy 2 treats Python numbers as weak here
    try:
        return np.array(value, dtype=result_dtype)[()]
    except OverflowError:
        raise OverflowError(
            f"Python integer {value} is out of bounds for {result_dtype}, the dtype of the "
            f"other operand; convert that tensor to a wider dtype first, e.g. t.astype('int64')"
        ) from None


def tensor(data, requires_grad=False, dtype=None, name=None):
    """Create a Tensor (same arguments as `Tensor`)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, name=name)


from autodiff import ops as _ops  # noqa: E402  (ops import Tensor from this module)
from autodiff import primitives as _P  # noqa: E402
from autodiff import backprop as _backprop  # noqa: E402


def _operator(primitive, name):
    """Return the recorder of `primitive`, named as the Tensor method `name`."""
    record = binary_recorder(primitive)
    record.__name__ = name
    record.__qualname__ = f"Tensor.{name}"
    return record


def _reflected(record, primitive, name):
    """Return the reflected operator of `record`: other <op> self, for a number or array other."""
    def method(self, other):
        return record(_constant_operand(other, self, primitive), self)

    method.__name__ = name
    method.__qualname__ = f"Tensor.{name}"
    return method


Tensor.__add__ = _operator(_P.add, "__add__")
Tensor.__radd__ = _reflected(Tensor.__add__, _P.add, "__radd__")
Tensor.__sub__ = _operator(_P.subtract, "__sub__")
Tensor.__rsub__ = _reflected(Tensor.__sub__, _P.subtract, "__rsub__")
Tensor.__mul__ = _operator(_P.multiply, "__mul__")
Tensor.__rmul__ = _reflected(Tensor.__mul__, _P.multiply, "__rmul__")
Tensor.__truediv__ = _operator(_P.divide, "__truediv__")
Tensor.__rtruediv__ = _reflected(Tensor.__truediv__, _P.divide, "__rtruediv__")
