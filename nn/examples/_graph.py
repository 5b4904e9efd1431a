"""Writing the picture of a trained network's forward pass for the examples."""

import inspect
from pathlib import Path

import autodiff
from nn.linear import Linear


def write_graph(output, model, directory, stem="mlp_graph"):
    """Draw the graph that produced `output` and write it to `directory`; return the path.

    With `autodiff.draw_graph`, ops are grouped into one box per module
    (its `cluster_scopes` option) and the picture is written as SVG when
    Graphviz can render it, else as DOT text. Without `draw_graph`, a small
    layer-level DOT file is written instead.
    """
    directory = Path(directory)
    draw_graph = getattr(autodiff, "draw_graph", None)
    if draw_graph is None:
        path = directory / f"{stem}.dot"
        path.write_text(_layer_dot(model), encoding="utf-8")
        return path

    options = {}
    if "cluster_scopes" in inspect.signature(draw_graph).parameters:
        options["cluster_scopes"] = True
    drawing = draw_graph(output, **options)
    try:
        return Path(drawing.render(directory / f"{stem}.svg"))
    except (ImportError, RuntimeError):
        # No graphviz package or no `dot` program: the DOT text needs neither.
        return Path(drawing.render(directory / f"{stem}.dot"))


def _layer_dot(model):
    """Return DOT text with one node per layer of a Sequential model, in order.

    TODO: remove once every install has autodiff.draw_graph; this fallback
    shows layers and weight shapes only, not the recorded ops.
    """
    lines = ["digraph model {", "  rankdir=LR;", '  node [shape=box, style=rounded];', '  x [label="x"];']
    previous = "x"
    for index, layer in enumerate(model):
        label = type(layer).__name__
        if isinstance(layer, Linear):
            label += f"\\nW {layer.weight.shape}"
        lines.append(f'  layer{index} [label="{index}: {label}"];')
        lines.append(f"  {previous} -> layer{index};")
        previous = f"layer{index}"
    lines.append("}")
    return "\n".join(lines) + "\n"
