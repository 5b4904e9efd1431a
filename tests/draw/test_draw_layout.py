"""The linear-time layered layout used for graphs too large for `dot`."""

import doctest
import itertools

import pytest

import autodiff.draw
import autodiff.draw.examples
import autodiff.draw.picture
import autodiff.draw.steps
from autodiff.draw.layout import dot_node_count, estimate_size, layered_positions

# A diamond with a shared source: a -> b, a -> c, b -> d, c -> d, plus s -> d.
SIZES = {"a": (60, 30), "b": (80, 45), "c": (40, 30), "d": (50, 30), "s": (30, 20)}
EDGES = [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("s", "d")]


def overlaps(positions, sizes):
    for (m, (mx, my)), (n, (nx, ny)) in itertools.combinations(positions.items(), 2):
        if abs(mx - nx) * 2 < sizes[m][0] + sizes[n][0] and abs(my - ny) * 2 < sizes[m][1] + sizes[n][1]:
            return m, n
    return None


@pytest.mark.parametrize("rankdir, axis, sign", [("LR", 0, 1), ("RL", 0, -1), ("TB", 1, -1),
                                                 ("BT", 1, 1)])
def test_edges_point_along_rankdir(rankdir, axis, sign):
    positions = layered_positions(SIZES, EDGES, rankdir)
    for source, target in EDGES:
        assert sign * (positions[target][axis] - positions[source][axis]) > 0
    assert overlaps(positions, SIZES) is None


def test_source_sits_next_to_its_first_use():
    positions = layered_positions(SIZES, EDGES, "LR")
    # s feeds only d, so it shares a rank with b and c rather than with a.
    assert positions["s"][0] == positions["b"][0] == positions["c"][0]
    assert positions["a"][0] < positions["s"][0]


def test_chain_runs_straight():
    sizes = {n: (40, 20) for n in "pqrs"}
    positions = layered_positions(sizes, [("p", "q"), ("q", "r"), ("r", "s")], "LR")
    assert {y for _, y in positions.values()} == {0.0}


def test_cycle_raises():
    with pytest.raises(ValueError, match="cycle"):
        layered_positions({"a": (1, 1), "b": (1, 1)}, [("a", "b"), ("b", "a")], "LR")


def test_dot_node_count_adds_long_edges():
    chain = [("n0", "n1"), ("n1", "n2"), ("n2", "n3"), ("n3", "n4")]
    nodes = [f"n{i}" for i in range(5)]
    assert dot_node_count(nodes, chain) == 5
    # An edge from n0 to n4 crosses ranks 1, 2 and 3.
    assert dot_node_count(nodes, chain + [("n0", "n4")]) == 8


def test_estimate_size_grows_with_text():
    one = estimate_size("<value 1<br/>>")
    two = estimate_size('<<b>θ1</b><br/>value 0.5<br/><font color="#b22222">grad 3</font><br/>>')
    assert two[1] > one[1]
    assert estimate_size('"add"', "ellipse")[0] > estimate_size('"add"')[0]
    assert estimate_size("reshape\nshape=(2, 3)")[1] > estimate_size("reshape")[1]


@pytest.mark.parametrize("module", [autodiff.draw, autodiff.draw.examples,
                                    autodiff.draw.picture, autodiff.draw.steps])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
