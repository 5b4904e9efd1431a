"""Collect the recorded graph behind a tensor, iteratively and in a stable order."""

from collections import Counter

from autodiff.tensor import _RELEASED, Tensor


class Graph:
    """The graph nodes and leaves that produced `output`, each after all of its inputs.

    `tensors[k]` is a leaf Tensor or the Node of a recorded op (both have
    `name`, `shape`, `dtype`, `_op` and `_parents`). It is drawn as the
    value node "v{k}" and, unless it is a leaf, the op node "op{k}" that
    made it. The order comes from a depth-first walk that follows each
    node's inputs in argument order, so the same graph always gets the same
    ids. `output`, the last entry, stands for the drawn tensor, whose value
    `output_value` is known even when its node keeps none.
    """

    __slots__ = ("output", "output_value", "tensors", "index")

    def __init__(self, output, tensors, output_value=None):
        self.output = output
        self.output_value = output_value
        self.tensors = tensors
        self.index = {t: k for k, t in enumerate(tensors)}

    def value(self, t):
        """Return the value of entry `t`, or None when the graph did not keep it."""
        return self.output_value if t is self.output else t.data

    @property
    def op_count(self):
        return sum(1 for t in self.tensors if t._op is not None)

    @property
    def node_count(self):
        """Nodes of the full picture: one per tensor and one per op."""
        return len(self.tensors) + self.op_count

    def op_counts(self):
        """Return a Counter: how many ops of each primitive the graph records."""
        return Counter(t._op.name for t in self.tensors if t._op is not None)

    def consumers(self):
        """Return, for each tensor, the tensors whose op takes it as an input (each once)."""
        result = {t: [] for t in self.tensors}
        for t in self.tensors:
            for parent in dict.fromkeys(t._parents):
                result[parent].append(t)
        return result


def value_id(k):
    return f"v{k}"


def op_id(k):
    return f"op{k}"


def collect_graph(output, caller):
    """Return the Graph of `output`, walking its inputs with an explicit stack.

    Raises TypeError when `output` is not a Tensor, and RuntimeError when
    backward() has already freed part of the graph, which then cannot be
    drawn.
    """
    if not isinstance(output, Tensor):
        raise TypeError(
            f"{caller}(): expected a Tensor, got {type(output).__name__}; wrap arrays "
            "with autodiff.tensor(...) and compute with autodiff ops to record a graph"
        )

    root = output.node
    tensors = []
    seen = set()
    stack = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            tensors.append(node)
            continue
        if node in seen:
            continue
        if node._params is _RELEASED:
            raise RuntimeError(_released_message(caller, node))

        seen.add(node)
        stack.append((node, True))
        # Reversed, so that the first input is taken first and gets the lower id.
        for parent in reversed(node._parents):
            if parent not in seen:
                stack.append((parent, False))
    return Graph(root, tensors, output.data)


def _released_message(caller, node):
    return (
        f"{caller}(): the graph that produced this tensor was freed by backward() "
        f"(the '{node._op.name}' node no longer has its inputs), so it cannot be drawn; "
        "call backward(retain_graph=True) to keep the graph for drawing, or draw "
        "before calling backward()"
    )
