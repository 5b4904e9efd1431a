"""A layered layout computed in linear time, for graphs too large for Graphviz's `dot`.

`dot` (Graphviz 2.43) slows down much faster than the graph grows. On a
loaded 2-core machine it took 12 s for a graph of about 5,000 nodes
(2,000 ops) and 12.6 minutes for one of about 25,000 nodes (10,000 ops).
These counts include the virtual nodes that `dot` adds along long edges. Here each node gets a rank, its longest
path from the inputs, and a leaf sits just before the first op that uses
it. The nodes of a rank are stacked in the order they were given.
Graphviz then only draws the picture (`neato -n2` keeps the positions),
with straight edges. Node sizes are estimated from the label text, with
room to spare, because the real sizes are known only to Graphviz.
"""

import html
import re

# Estimated size of the 11-point Helvetica text in a label, in points.
_CHAR_WIDTH = 7.0
_LINE_HEIGHT = 15.0
_PADDING = 20.0

# Gaps between ranks and between the nodes of one rank, in points.
_RANK_GAP = 40.0
_NODE_GAP = 12.0

_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<br[^>]*>|\\n|\\l|\\r|\n")


def estimate_size(label, shape="box"):
    """Return (width, height) in points of a node with this DOT label (text or `<...>` HTML)."""
    text = label[1:-1] if label.startswith(("<", '"')) else label
    rows = [html.unescape(_TAG.sub("", row)) for row in _BREAK.split(text)]
    rows = [row for row in rows if row.strip()] or [""]
    width = max(len(row) for row in rows) * _CHAR_WIDTH + _PADDING
    height = len(rows) * _LINE_HEIGHT + _PADDING
    if shape == "ellipse":
        # An ellipse around a w×h text box is about √2 times as wide and high.
        width, height = width * 1.45, height * 1.3
    return width, height


def dot_node_count(nodes, edges):
    """Estimate how many nodes `dot` lays out: the real ones plus one per rank a long edge crosses.

    `dot` splits an edge that spans several ranks into a chain of virtual
    nodes, and those dominate its running time when one tensor (a shared
    weight, say) feeds ops far apart. The ranks are the ones
    `layered_positions` uses, which match `dot`'s for a source feeding
    nearby ops.
    """
    successors = {node: [] for node in nodes}
    indegree = dict.fromkeys(nodes, 0)
    for source, target in edges:
        successors[source].append(target)
        indegree[target] += 1
    ranks = _longest_path_ranks(nodes, successors, indegree)
    virtual = sum(max(ranks[target] - ranks[source] - 1, 0) for source, target in edges)
    return len(ranks) + virtual


def layered_positions(sizes, edges, rankdir):
    """Return {node: (x, y)} in points for a DAG, with edges running along `rankdir`.

    sizes: {node: (width, height)}, in the order in which nodes of a rank
    are stacked; edges: (source, target) pairs. Runs in O(nodes + edges).
    """
    successors = {node: [] for node in sizes}
    indegree = dict.fromkeys(sizes, 0)
    for source, target in edges:
        successors[source].append(target)
        indegree[target] += 1
    ranks = _longest_path_ranks(sizes, successors, indegree)

    # Along the ranks, x for LR/RL and y for TB/BT; the other axis stacks a rank.
    horizontal = rankdir in ("LR", "RL")
    depth_size = {node: size[0] if horizontal else size[1] for node, size in sizes.items()}
    cross_size = {node: size[1] if horizontal else size[0] for node, size in sizes.items()}

    rank_count = max(ranks.values(), default=-1) + 1
    thickness = [0.0] * rank_count
    stacked = [0.0] * rank_count
    for node, rank in ranks.items():
        thickness[rank] = max(thickness[rank], depth_size[node])
        stacked[rank] += cross_size[node] + _NODE_GAP

    centres = []
    position = 0.0
    for size in thickness:
        centres.append(position + size / 2)
        position += size + _RANK_GAP

    # Each rank is centred on the axis, so a chain of ops runs straight.
    next_free = [-(total - _NODE_GAP) / 2 for total in stacked]  # no gap after the last node
    positions = {}
    for node in sizes:
        rank = ranks[node]
        along = centres[rank]
        across = next_free[rank] + cross_size[node] / 2
        next_free[rank] += cross_size[node] + _NODE_GAP
        positions[node] = _orient(along, across, rankdir)
    return positions


def _longest_path_ranks(sizes, successors, indegree):
    """Rank each node one past its furthest predecessor; move sources next to their first use."""
    ranks = dict.fromkeys(sizes, 0)
    remaining = dict(indegree)
    ready = [node for node, count in remaining.items() if count == 0]
    while ready:
        node = ready.pop()
        for target in successors[node]:
            ranks[target] = max(ranks[target], ranks[node] + 1)
            remaining[target] -= 1
            if remaining[target] == 0:
                ready.append(target)
    if any(remaining.values()):
        raise ValueError("layered_positions(): the edges contain a cycle")

    # A source ranked 0 would send long edges across the whole picture.
    for node, count in indegree.items():
        if count == 0 and successors[node]:
            ranks[node] = min(ranks[target] for target in successors[node]) - 1
    return ranks


def _orient(along, across, rankdir):
    if rankdir == "LR":
        return along, -across
    if rankdir == "RL":
        return -along, -across
    if rankdir == "TB":
        return across, -along
    return across, along
