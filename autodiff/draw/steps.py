"""A walk-through of backprop: the order backward visits the nodes, and each edge's gradient.

This follows Algorithm 5 of the notes on any graph. Backprop starts from
δ = ∂J/∂J = 1 at the output; a node is visited once its gradient ∂J/∂node
(δ for that node) is complete, that is, after every node that uses it, and
then sends the contribution δ·∂node/∂input back along each input edge. The
gradient of a node used twice is the sum of its two contributions.
"""

import warnings
from dataclasses import dataclass

import numpy as np

from autodiff.backprop import _backprop
from autodiff.draw.dot import Annotations, build_source
from autodiff.draw.graph import collect_graph, value_id
from autodiff.draw.labels import STEP_COLOR, Line, array_lines
from autodiff.draw.options import DEFAULT_MAX_ELEMENTS, DEFAULT_MAX_NODES, make_options
from autodiff.draw.render import Drawing


@dataclass(frozen=True)
class BackpropEdge:
    """The gradient one edge carries back: δ·∂node/∂input for the input at `position`.

    `input` is the input's Node, or the Tensor itself for a leaf.
    """

    position: int
    input: object
    input_id: str
    contribution: np.ndarray


@dataclass(frozen=True)
class BackpropStep:
    """One visit of backprop: the node's complete gradient and what it sends to its inputs.

    `number` counts from 1 in the order backward visits the nodes.
    `node` is `t.node` for the tensor t visited: the Node of the op that
    made t, or t itself for a leaf. `node_id` is the node's id in the
    picture ("v12"), and `grad` is
    ∂J/∂node with the node's shape. `edges` are the contributions to the
    inputs that require grad, in argument order (empty for a leaf).
    """

    number: int
    node: object
    node_id: str
    grad: np.ndarray
    edges: tuple

    def __str__(self):
        name = self.node_id if self.node.name is None else f"{self.node_id} {self.node.name!r}"
        made_by = "leaf" if self.node._op is None else self.node._op.name
        text = f"step {self.number}: {name} ({made_by}) grad {_short(self.grad)}"
        for edge in self.edges:
            text += f"; to input {edge.position} ({edge.input_id}): {_short(edge.contribution)}"
        return text


def backprop_steps(output, grad=None):
    """Return the BackpropSteps of a backward pass from `output`, in the order backward runs them.

    It runs the engine's own backward pass with a trace, keeps the graph
    (as retain_graph=True) and leaves every `.grad` untouched, so it can be
    called before or after backward(). `grad` is the seed ∂J/∂output, as
    for backward(); it may be omitted for an output with one element.

    >>> import autodiff as ad
    >>> x = ad.tensor(3.0, requires_grad=True, name="x")
    >>> y = x * x
    >>> for step in ad.backprop_steps(y):
    ...     print(step)
    step 1: v1 (multiply) grad 1; to input 0 (v0): 3; to input 1 (v0): 3
    step 2: v0 'x' (leaf) grad 6
    """
    graph = collect_graph(output, "backprop_steps")
    if not output.requires_grad:
        raise ValueError(
            "backprop_steps(): the output does not require grad, so backward has nothing to "
            "visit; create the inputs with requires_grad=True, outside no_grad()"
        )
    if grad is None and output.size != 1:
        raise ValueError(
            f"backprop_steps(): the output has shape {output.shape}, so the seed ∂J/∂output "
            f"is ambiguous; pass grad= an array of shape {output.shape}, or reduce the "
            "output to a scalar first"
        )

    trace = []
    # An empty `wanted` list makes the engine capture nothing and write no .grad.
    _backprop([output], [grad], retain_graph=True, create_graph=False, wanted=[], trace=trace)

    steps = []
    for event in trace:
        if event[0] == "visit":
            _, node, g = event
            steps.append(BackpropStep(len(steps) + 1, node, value_id(graph.index[node]),
                                      np.array(g.data), ()))
        else:
            _, node, position, parent, contribution = event
            step = steps[-1]
            assert step.node is node, "the engine traces a node's edges right after its visit"
            edge = BackpropEdge(position, parent, value_id(graph.index[parent]),
                                np.array(contribution.data))
            steps[-1] = BackpropStep(step.number, node, step.node_id, step.grad,
                                     step.edges + (edge,))
    return steps


def draw_backprop(output, grad=None, *, step=None, rankdir="LR", show_values=True,
                  show_grads=False, show_shapes=True, number_format=".4g",
                  max_elements=DEFAULT_MAX_ELEMENTS, cluster_scopes=False,
                  max_nodes=DEFAULT_MAX_NODES, engine="dot", fast_layout=None):
    """Draw the graph of `output` with backprop's visiting order and the gradient on each edge.

    Every node that backward visits gets "step k" and its gradient ∂J/∂node
    ("grad") in red, intermediates included (the engine keeps no `.grad` for them).
    Each input edge is labelled with the contribution it carries back,
    δ·∂node/∂input. With `step=k` only the first k visits are shown and
    the k-th node is outlined, so a loop over k pictures the pass one step
    at a time. Like `backprop_steps`, it leaves every `.grad` untouched
    and keeps the graph.

    `grad` is the seed ∂J/∂output. The other options are draw_graph's;
    show_grads (the leaves' accumulated `.grad`) is off by default because
    the steps already show each gradient of this pass.

    >>> import autodiff as ad
    >>> x = ad.tensor(3.0, requires_grad=True, name="x")
    >>> picture = ad.draw_backprop(x * x)
    >>> "step 2" in picture.source  # x * x is visited first, then x
    True
    """
    options = make_options(
        "draw_backprop", rankdir=rankdir, show_values=show_values, show_grads=show_grads,
        show_shapes=show_shapes, number_format=number_format, max_elements=max_elements,
        cluster_scopes=cluster_scopes, max_nodes=max_nodes, engine=engine,
        fast_layout=fast_layout,
    )
    steps = backprop_steps(output, grad)
    if step is not None:
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
            raise TypeError(f"draw_backprop(): step must be an int or None, got {step!r}")
        if not 1 <= step <= len(steps):
            raise ValueError(
                f"draw_backprop(): step must be between 1 and {len(steps)} (the number of "
                f"nodes backward visits), got {step}"
            )

    graph = collect_graph(output, "draw_backprop")
    annotations = _annotate(steps, step, options)
    source = build_source(graph, options, "draw_backprop", annotations)
    if source.warning is not None:
        warnings.warn(source.warning, UserWarning, stacklevel=2)
    return Drawing(source.text, source.mode, graph.op_counts(), source.engine, source.positioned)


def _annotate(steps, last, options):
    annotations = Annotations()
    shown = steps if last is None else steps[:last]
    for item in shown:
        text = array_lines(item.grad, options.format_number, options.max_elements)
        lines = [Line(f"step {item.number}", bold=True, color=STEP_COLOR)]
        if len(text) == 1:
            lines.append(Line(f"grad {text[0]}", color=STEP_COLOR))
        else:
            lines.append(Line("grad", color=STEP_COLOR))
            lines.extend(Line(row, color=STEP_COLOR, align="left") for row in text)
        annotations.value_lines[item.node] = lines
        annotations.value_attrs[item.node] = {"color": STEP_COLOR}

        for edge in item.edges:
            text = array_lines(edge.contribution, options.format_number, options.max_elements)
            annotations.edge_attrs[(item.node, edge.position)] = {
                "label": " ".join(text), "fontcolor": STEP_COLOR, "color": STEP_COLOR,
            }

    if last is not None:
        annotations.value_attrs[shown[-1].node] = {"color": STEP_COLOR, "penwidth": "3"}
    annotations.title = (
        "Backprop walk-through: \"step k\" is the order in which backward visits the nodes,\n"
        "and \"grad\" is the node's complete gradient ∂J/∂node at that visit.\n"
        "A red edge label is the gradient that the edge carries back to its input."
    )
    return annotations


def _short(array):
    """Format an array for one line of text: every value when small, else a summary."""
    return " ".join(array_lines(array, lambda x: format(x, ".4g"), DEFAULT_MAX_ELEMENTS))
