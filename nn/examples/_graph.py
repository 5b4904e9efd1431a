"""Writing the picture of a trained network's forward pass for the examples."""

from pathlib import Path

import autodiff


def write_graph(output, directory, stem="mlp_graph"):
    """Draw the graph that produced `output` into `directory`; return (path, error).

    Ops are grouped into one box per module (`cluster_scopes`). The file is
    SVG when the graphviz package and Graphviz's `dot` program are installed,
    and DOT text otherwise, which needs neither. `error` is None for SVG,
    and for DOT it is the ImportError (no graphviz package) or
    autodiff.draw.GraphvizNotFoundError (no `dot` program) that prevented SVG.
    """
    directory = Path(directory)
    drawing = autodiff.draw_graph(output, cluster_scopes=True)
    try:
        return Path(drawing.render(directory / f"{stem}.svg")), None
    except (ImportError, autodiff.draw.GraphvizNotFoundError) as error:
        return Path(drawing.render(directory / f"{stem}.dot")), error
