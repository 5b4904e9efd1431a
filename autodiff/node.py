"""The graph node: one recorded op, separate from the Tensor it produced.

A Tensor made by a recorded op points to its Node (`t._node`). The Node
points to its inputs: the Nodes of recorded inputs, and the Tensors
themselves for leaves and constants. A large constant that no rule reads
(c in x + c) is replaced by a `ConstantNotKept` with its shape and dtype.
No Node refers to a Tensor made by a recorded op, so when the program
drops such a Tensor, its array is freed unless a VJP rule reads it, the
tensor is named or it was recorded inside `keep_values()`. Otherwise a
Node keeps its output in `data` only when its own rules or its consumers'
rules read it (see `Primitive.saves`), as PyTorch does. A training step
therefore keeps about as much memory as a hand-written NumPy step, not
every intermediate array.

A value of at most `SMALL_SIZE` elements is always kept, unless it is a
view of a larger array, which keeping it would keep whole. It takes about
as much memory as the Node itself, and keeping it is faster than recording
its shape and dtype. So pictures of scalar circuits and of other small
examples show every value.
"""

import itertools

import numpy as np

SMALL_SIZE = 16

# Each Node takes the next number when it is made. A node's inputs exist
# before it does, so every node's number is larger than its inputs', and
# visiting nodes from the largest number down is a reverse topological order.
next_number = itertools.count().__next__


class Node:
    """A recorded op: primitive `_op`, inputs `_parents`, params `_params` and output `data`.

    `data` is the output value when a rule reads it, it is small, its
    tensor is named or it was recorded inside `keep_values()`, and None
    otherwise. Once backward has freed the node, `data` is None whenever
    `meta` is set. `meta` is the (shape, dtype) of an output larger than
    SMALL_SIZE or a view of such an output, which stays known after the
    value is dropped. For any other output `meta` is None, and `data`
    always contains the value. `scope` and `name` label the node in
    pictures. `_number` orders nodes by creation (see `next_number`).
    `_needs_input_grad` is None when every input required grad when the
    node was made, and otherwise a bool per input: backward runs the rules
    of those inputs only, as PyTorch's `ctx.needs_input_grad`.

    A Node answers the same graph questions as a leaf Tensor (`requires_grad`,
    `grad`, `shape`, `dtype`), so that backprop and pictures can walk
    Nodes and leaves alike.
    """

    __slots__ = ("_op", "_parents", "_params", "data", "meta", "scope", "name", "_number",
                 "_needs_input_grad", "__weakref__")

    grad = None  # gradients are kept for leaves only, as in PyTorch
    _requires_grad = True  # only ops on inputs that require grad are recorded
    is_leaf = False

    @property
    def requires_grad(self):
        return True

    @property
    def shape(self):
        return self.data.shape if self.meta is None else self.meta[0]

    @property
    def dtype(self):
        return self.data.dtype if self.meta is None else self.meta[1]

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def op(self):
        return self._op.name

    def __repr__(self):
        value_state = "value kept" if self.data is not None else "value not kept"
        return f"Node({self._op.name}, shape={self.shape}, dtype={self.dtype}, {value_state})"
