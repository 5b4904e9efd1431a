"""Name-scope clusters and the max_nodes guard for large graphs."""

import re
import sys
import warnings

import numpy as np
import pytest

import autodiff as ad
from draw_helpers import label_lines, parse_dot


def two_layer_mlp(batch=5):
    """z[1] = x W[1] + b[1], a[1] = ReLU(z[1]), h = a[1] W[2] + b[2], J = mean((h - y)²).

    Each layer runs in name_scope("MLP") / name_scope(str(k)), as nn.Module
    calls do; the parameters are made outside any scope.
    """
    rng = np.random.default_rng(0)
    W1 = ad.tensor(rng.normal(size=(3, 4)), requires_grad=True, name="W[1]")
    b1 = ad.tensor(np.zeros(4), requires_grad=True, name="b[1]")
    W2 = ad.tensor(rng.normal(size=(4, 1)), requires_grad=True, name="W[2]")
    b2 = ad.tensor(np.zeros(1), requires_grad=True, name="b[2]")
    x = ad.tensor(rng.normal(size=(batch, 3)), name="x")
    y = ad.tensor(rng.normal(size=(batch, 1)), name="y")

    with ad.name_scope("MLP"):
        with ad.name_scope("0"):
            a1 = ad.relu(x @ W1 + b1)
        with ad.name_scope("1"):
            h = a1 @ W2 + b2
    return ((h - y) ** 2).mean()


def cluster_members(source):
    """Return {cluster label: (parent label or None, [node ids directly inside])}."""
    clusters = {}
    stack = []
    for line in source.splitlines():
        opening = re.match(r"\s*subgraph cluster_\d+ \{", line)
        if opening:
            stack.append(None)
            continue
        label = re.match(r'\s*graph \[label="([^"]*)"', line)
        if label and stack and stack[-1] is None:
            stack[-1] = label.group(1)
            clusters[label.group(1)] = (stack[-2] if len(stack) > 1 else None, [])
            continue
        if re.match(r"\s*\}$", line) and stack:
            stack.pop()
            continue
        node = re.match(r"\s*(\w+) \[", line)
        if node and stack:
            clusters[stack[-1]][1].append(node.group(1))
    return clusters


def draw_quietly(output, **options):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        picture = ad.draw_graph(output, **options)
    return picture, [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


# ----- clusters ----------------------------------------------------------------


def test_clusters_nest_like_scopes():
    loss = two_layer_mlp()
    source = ad.draw_graph(loss, cluster_scopes=True).source
    nodes, _ = parse_dot(source)
    clusters = cluster_members(source)

    assert set(clusters) == {"MLP", "0", "1"}
    assert clusters["MLP"] == (None, [])
    assert clusters["0"][0] == "MLP"
    assert clusters["1"][0] == "MLP"
    ops_in = {label: sorted(nodes[n]["label"] for n in members if n.startswith("op"))
              for label, (_, members) in clusters.items()}
    assert ops_in["0"] == ["add", "matmul", "relu"]
    assert ops_in["1"] == ["add", "matmul"]


def test_cluster_tooltip_has_full_path():
    source = ad.draw_graph(two_layer_mlp(), cluster_scopes=True).source
    assert 'tooltip="MLP/0"' in source
    assert 'tooltip="MLP/1"' in source


def test_unscoped_tensors_stay_outside_clusters():
    loss = two_layer_mlp()
    source = ad.draw_graph(loss, cluster_scopes=True).source
    nodes, _ = parse_dot(source)
    inside = {n for _, members in cluster_members(source).values() for n in members}

    for node_id, attributes in nodes.items():
        first = label_lines(attributes["label"])[0]
        if first in ("W[1]", "b[1]", "W[2]", "b[2]", "x", "y", "subtract", "power"):
            assert node_id not in inside, first


def test_clusters_off_by_default():
    assert "subgraph" not in ad.draw_graph(two_layer_mlp()).source


def test_scoped_leaf_joins_its_cluster():
    with ad.name_scope("layer"):
        w = ad.tensor(2.0, requires_grad=True, name="w")
        y = w * 3
    source = ad.draw_graph(y, cluster_scopes=True).source
    assert cluster_members(source)["layer"] == (None, ["v0", "v2", "op2"])


# ----- the max_nodes guard ------------------------------------------------------


def test_graph_within_max_nodes_is_full():
    picture, caught = draw_quietly(two_layer_mlp(), max_nodes=1000)
    assert picture.mode == "full"
    assert caught == []


def test_max_nodes_collapses_scopes():
    loss = two_layer_mlp()
    full = parse_dot(ad.draw_graph(loss).source)[0]
    picture, caught = draw_quietly(loss, max_nodes=14)
    nodes, edges = parse_dot(picture.source)

    assert len(full) == 26
    assert picture.mode == "scopes"
    assert len(nodes) == 14
    assert len(caught) == 1
    assert "more than max_nodes=14" in caught[0]
    assert "each name scope at depth 2 is drawn as one box" in caught[0]
    note = " ".join(line.strip() for line in label_lines(nodes["note"]["label"]))
    assert note == caught[0]

    groups = {label_lines(a["label"])[0]: (n, label_lines(a["label"]))
              for n, a in nodes.items() if n.startswith("g")}
    assert set(groups) == {"MLP/0", "MLP/1"}
    assert groups["MLP/0"][1][1:] == ["3 ops: matmul, add, relu",
                                      "parameters: W[1] (3, 4), b[1] (4,)", "1 constant"]
    assert groups["MLP/1"][1][1:] == ["2 ops: matmul, add", "parameters: W[2] (4, 1), b[2] (1,)"]

    # The edge between the boxes names the tensor it carries, a[1] of shape (5, 4).
    g0, g1 = groups["MLP/0"][0], groups["MLP/1"][0]
    assert (g0, g1, {"label": "(5, 4) float64"}) in edges
    assert picture.op_counts == {"matmul": 2, "add": 2, "relu": 1, "subtract": 1, "power": 1,
                                 "sum": 1, "multiply": 1}


def test_max_nodes_picks_shallower_scopes():
    loss = two_layer_mlp()
    picture, caught = draw_quietly(loss, max_nodes=13)
    nodes, _ = parse_dot(picture.source)

    assert "depth 1" in caught[0]
    groups = [label_lines(a["label"])[0] for n, a in nodes.items() if n.startswith("g")]
    assert groups == ["MLP"]
    assert len(nodes) == 13


def test_max_nodes_summary_without_scopes():
    x = ad.tensor(1.0, requires_grad=True, name="x")
    y = x
    for _ in range(50):
        y = ad.tanh(y * 0.9 + 0.1)
    picture, caught = draw_quietly(y, max_nodes=100)
    nodes, edges = parse_dot(picture.source)

    assert picture.mode == "summary"
    assert list(nodes) == ["note", "v250"]
    assert edges == [("note", "v250", {"style": "dashed", "arrowhead": "none"})]
    assert "value 0." in " ".join(label_lines(nodes["v250"]["label"]))

    note = label_lines(nodes["note"]["label"])
    for count_line in ("multiply × 50", "add × 50", "tanh × 50"):
        assert any(line.strip() == count_line for line in note)
    assert "parameters: 1 tensors, 1 elements" in note
    assert "constants: 100 tensors" in note

    assert len(caught) == 1
    assert "the graph has 401 nodes (251 tensors and 150 ops), more than max_nodes=100" in caught[0]
    assert "only a summary of the op counts is drawn" in caught[0]
    assert "autodiff.name_scope" in caught[0]


def test_summary_when_scopes_do_not_fit():
    picture, caught = draw_quietly(two_layer_mlp(), max_nodes=3)
    nodes, _ = parse_dot(picture.source)
    assert picture.mode == "summary"
    assert "scopes: MLP (5 ops)" in label_lines(nodes["note"]["label"])
    assert "name_scope" not in caught[0]


def test_summary_of_100000_ops_without_recursion():
    x = ad.tensor(1.0, requires_grad=True)
    c = ad.tensor(0.9999)
    for _ in range(50_000):
        x = x * c + 0.0001

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # the walk must not recurse
    try:
        picture, caught = draw_quietly(x)
    finally:
        sys.setrecursionlimit(limit)

    assert picture.mode == "summary"
    assert picture.op_counts == {"multiply": 50_000, "add": 50_000}
    assert "250,002 nodes" in caught[0]
    assert len(picture.source) < 5_000


def test_max_nodes_none_draws_everything():
    x = ad.tensor(1.0, requires_grad=True)
    for _ in range(300):
        x = x * 0.5
    picture, caught = draw_quietly(x, max_nodes=None)
    assert picture.mode == "full"
    assert len(parse_dot(picture.source)[0]) == 901
    assert caught == []


def test_output_always_drawn_in_scopes_mode():
    with ad.name_scope("block"):
        x = ad.tensor(1.0, requires_grad=True)
        for _ in range(10):
            x = x * 2.0
    picture, _ = draw_quietly(x, max_nodes=5)
    nodes, edges = parse_dot(picture.source)

    assert picture.mode == "scopes"
    assert set(nodes) == {"note", "g0", "v20"}
    assert edges == [("g0", "v20", {})]
    assert nodes["v20"]["tooltip"] == "output"
