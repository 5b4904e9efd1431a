"""Pictures of computation graphs, as DOT text rendered by Graphviz.

`draw_graph(output)` (or `output.draw()`) returns a Drawing that shows
inline as SVG in Jupyter, with its DOT text in `.source`. `draw_backprop`
adds the order in which backward visits the nodes and the gradient each
edge carries. `backprop_steps` returns that walk-through as data.
Building the DOT text needs nothing beyond NumPy. Rendering needs the
`graphviz` Python package (the `draw` extra) and the Graphviz programs.

>>> import autodiff as ad
>>> from autodiff.draw.examples import housing_circuit
>>> h, tensors = housing_circuit()
>>> picture = ad.draw_graph(h)
>>> "θ1" in picture.source
True
"""

from autodiff.draw.picture import draw_graph
from autodiff.draw.render import Drawing, GraphvizNotFoundError
from autodiff.draw.steps import BackpropEdge, BackpropStep, backprop_steps, draw_backprop

__all__ = [
    "BackpropEdge", "BackpropStep", "Drawing", "GraphvizNotFoundError", "backprop_steps",
    "draw_backprop", "draw_graph",
]
