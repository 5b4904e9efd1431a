"""The drawing options, checked once so that every later step can trust them."""

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

# Tensors with at most this many elements show every value (a 3×3 matrix
# still fits); larger ones show min, mean and max.
DEFAULT_MAX_ELEMENTS = 9

# Above this many drawn nodes (value nodes plus op nodes), draw_graph
# collapses name scopes into boxes or draws a summary. Graphviz lays out a
# few hundred nodes in well under a second, and a picture with more is hard
# to read anyway.
DEFAULT_MAX_NODES = 200

# When `dot` would lay out more than this many nodes, counting one virtual
# node per rank that a long edge crosses, the default `fast_layout=None`
# places the nodes with autodiff's own linear-time layout instead. Measured
# with Graphviz 2.43 on 2 loaded CPU cores: `dot` took 0.8 s for about
# 1,500 nodes, 12 s for about 5,000 and 12.6 minutes for about 25,000.
FAST_LAYOUT_NODES = 2000

RANK_DIRECTIONS = ("LR", "TB", "RL", "BT")

# Graphviz's layout programs (the `engine` of the graphviz Python package).
ENGINES = ("dot", "neato", "fdp", "sfdp", "twopi", "circo", "osage", "patchwork")


@dataclass(frozen=True)
class DrawOptions:
    """Checked drawing options (see `autodiff.draw_graph` for their meaning)."""

    rankdir: str = "LR"
    show_values: bool = True
    show_grads: bool = True
    show_shapes: bool = True
    format_number: Callable[[float], str] = format
    max_elements: int = DEFAULT_MAX_ELEMENTS
    cluster_scopes: bool = False
    max_nodes: Optional[int] = DEFAULT_MAX_NODES
    engine: str = "dot"
    fast_layout: Optional[bool] = None

    def use_fast_layout(self, count_dot_nodes):
        """Return True when the picture should use the fast layout.

        `count_dot_nodes()` estimates the nodes `dot` would lay out; it is
        called only when fast_layout is None and the engine is "dot".
        """
        if self.fast_layout is None:
            return self.engine == "dot" and count_dot_nodes() > FAST_LAYOUT_NODES
        return self.fast_layout


def make_options(caller, rankdir="LR", show_values=True, show_grads=True, show_shapes=True,
                 number_format=".4g", max_elements=DEFAULT_MAX_ELEMENTS, cluster_scopes=False,
                 max_nodes=DEFAULT_MAX_NODES, engine="dot", fast_layout=None):
    """Check the keyword options of `caller` and return them as a DrawOptions.

    Raises TypeError or ValueError naming `caller`, the option and the
    value, with the values that would work.
    """
    if rankdir not in RANK_DIRECTIONS:
        raise ValueError(
            f"{caller}(): rankdir must be one of {', '.join(RANK_DIRECTIONS)}, got {rankdir!r}"
        )

    for option, value in (("show_values", show_values), ("show_grads", show_grads),
                          ("show_shapes", show_shapes), ("cluster_scopes", cluster_scopes)):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{caller}(): {option} must be True or False, got {value!r}")

    max_elements = _check_count(caller, "max_elements", max_elements, minimum=0)
    if max_nodes is not None:
        max_nodes = _check_count(caller, "max_nodes", max_nodes, minimum=1)

    if engine not in ENGINES:
        raise ValueError(
            f"{caller}(): engine must be one of Graphviz's layout programs "
            f"{', '.join(ENGINES)}, got {engine!r}"
        )
    if fast_layout is not None and not isinstance(fast_layout, (bool, np.bool_)):
        raise TypeError(f"{caller}(): fast_layout must be None, True or False, got {fast_layout!r}")

    return DrawOptions(
        rankdir=rankdir,
        show_values=bool(show_values),
        show_grads=bool(show_grads),
        show_shapes=bool(show_shapes),
        format_number=_number_formatter(caller, number_format),
        max_elements=max_elements,
        cluster_scopes=bool(cluster_scopes),
        max_nodes=max_nodes,
        engine=engine,
        fast_layout=None if fast_layout is None else bool(fast_layout),
    )


def _check_count(caller, option, value, minimum):
    if isinstance(value, (bool, np.bool_)) or not hasattr(value, "__index__"):
        raise TypeError(f"{caller}(): {option} must be an int, got {value!r}")
    value = value.__index__()
    if value < minimum:
        raise ValueError(f"{caller}(): {option} must be at least {minimum}, got {value}")
    return value


def _number_formatter(caller, number_format):
    """Return a function float -> str from a format spec such as ".4g" or from a callable."""
    if callable(number_format):
        formatter = number_format
    elif isinstance(number_format, str):
        def formatter(number):
            return format(number, number_format)
    else:
        raise TypeError(
            f"{caller}(): number_format must be a format spec such as '.4g' or a "
            f"function float -> str, got {number_format!r}"
        )

    # Try it once here, so that a bad spec fails now rather than halfway
    # through a large graph.
    try:
        sample = formatter(1.5)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"{caller}(): number_format {number_format!r} cannot format the number 1.5 "
            f"({error}); use a spec such as '.4g', '.2f' or '.3e'"
        ) from None
    if not isinstance(sample, str):
        raise TypeError(
            f"{caller}(): number_format must return a str, but it returned "
            f"{type(sample).__name__} for 1.5"
        )
    return formatter
