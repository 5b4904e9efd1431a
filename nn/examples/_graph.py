"""Writing the picture of a trained network's forward pass for the examples."""

from pathlib import Path

import autodiff


def write_graph(output, directory, stem="mlp_graph"):
    """Draw the graph that produced `output` into `directory` and return the file's path.

    Ops are grouped into one box per module (`cluster_scopes`). The file is
    SVG when the graphviz package and Graphviz's `dot` program are installed,
    and DOT text otherwise, which needs neither.
    """
    directory = Path(directory)
    drawing = autodiff.draw_graph(output, cluster_scopes=True)
    try:
        return Path(drawing.render(directory / f"{stem}.svg"))
    except (ImportError, autodiff.draw.GraphvizNotFoundError):
        return Path(drawing.render(directory / f"{stem}.dot"))
