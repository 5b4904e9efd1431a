"""draw_graph: the public entry point for a picture of a computation graph."""

import warnings

from autodiff.draw.dot import build_source
from autodiff.draw.graph import collect_graph
from autodiff.draw.options import DEFAULT_MAX_ELEMENTS, DEFAULT_MAX_NODES, make_options
from autodiff.draw.render import Drawing


def draw_graph(output, *, rankdir="LR", show_values=True, show_grads=True, show_shapes=True,
               number_format=".4g", max_elements=DEFAULT_MAX_ELEMENTS, cluster_scopes=False,
               max_nodes=DEFAULT_MAX_NODES, engine="dot", fast_layout=None):
    """Draw the graph that produced `output`, with edges in the forward direction.

    Each tensor is a value node and each recorded op an op node between its
    inputs and its result. A value node shows the tensor's name (if any),
    shape and dtype, its values, and its `.grad` once backward() has filled
    it. Tensors with at most `max_elements` elements show every number, and
    a larger one shows min, mean and max. The graph keeps only the values
    that backward reads, small ones (not views of larger ones) and those of
    named tensors. Another intermediate shows "value not kept", even while
    the program references its tensor. Record the graph inside
    `autodiff.keep_values()` to see them all. Parameters (leaves that require
    grad) are blue rounded boxes, constants grey dashed boxes, intermediates
    unfilled rounded boxes and the output an orange bold box. Op nodes are
    ellipses with the primitive's name. The inputs of ops whose argument
    order matters (subtract, divide, matmul, ...) carry their position on
    the edge.

    Args:
        output: the Tensor to draw, usually the loss J or a model output.
        rankdir: direction of the forward pass, "LR", "TB", "RL" or "BT".
        show_values, show_grads, show_shapes: which lines value nodes show
            (show_shapes covers both shape and dtype).
        number_format: a format spec for floats such as ".4g" or ".2f", or
            a function float -> str.
        max_elements: the largest tensor, in elements, whose every value is
            shown (9 by default, so a 3×3 matrix still fits).
        cluster_scopes: put the ops of each `autodiff.name_scope` (such as
            each `nn.Module` call) into a labelled box, nested like the
            scopes. A tensor belongs to the scope that was open when it was
            made.
        max_nodes: the largest picture, in value and op nodes, to draw in
            full (200 by default); None draws every node. A larger graph is
            drawn with each name scope collapsed into one box, or as a note
            with the op counts next to the output when that does not fit
            either. Both cases emit a UserWarning and put a note node in
            the picture.
        engine: the Graphviz layout program used to render.
        fast_layout: place the nodes with autodiff's own layered layout,
            which takes linear time, and let Graphviz only draw them
            (`neato -n2`, straight edges, no clusters). None, the default,
            turns it on when `dot` would lay out more than 2,000 nodes,
            counting a bend point for each rank a long edge crosses,
            because `dot` needs minutes for such pictures.

    Returns:
        A `Drawing`: it shows as SVG in Jupyter, `.source` is the DOT text,
        and `.render(path)` writes SVG, PNG, PDF or DOT.

    Raises:
        RuntimeError: when backward() without retain_graph=True has already
            freed part of the graph. Call backward(retain_graph=True) to
            draw the graph after backward, with the gradients of its leaves.

    >>> import autodiff as ad
    >>> w = ad.tensor(2.0, requires_grad=True, name="w")
    >>> h = ad.relu(w * 3.0 - 1.0)
    >>> h.backward(retain_graph=True)
    >>> picture = ad.draw_graph(h)
    >>> picture.source.count("->"), "grad 3" in picture.source
    (8, True)
    """
    options = make_options(
        "draw_graph", rankdir=rankdir, show_values=show_values, show_grads=show_grads,
        show_shapes=show_shapes, number_format=number_format, max_elements=max_elements,
        cluster_scopes=cluster_scopes, max_nodes=max_nodes, engine=engine,
        fast_layout=fast_layout,
    )
    graph = collect_graph(output, "draw_graph")
    source = build_source(graph, options, "draw_graph")
    if source.warning is not None:
        warnings.warn(source.warning, UserWarning, stacklevel=2)
    return Drawing(source.text, source.mode, graph.op_counts(), source.engine, source.positioned)
