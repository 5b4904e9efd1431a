"""Rendering through Graphviz: SVG, PNG and files, Jupyter, large graphs, and a missing `dot`."""

import os
import re
import shutil
import stat
import sys
import time
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autodiff as ad
from autodiff.draw import GraphvizNotFoundError
from autodiff.draw.examples import housing_circuit
from draw_helpers import parse_dot

SVG = "{http://www.w3.org/2000/svg}"

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz's `dot` is not installed (apt-get install graphviz)",
)


def svg_titles(svg, kind):
    """Return the <title> texts of the SVG groups of class `kind` ("node", "edge", "cluster")."""
    root = ET.fromstring(svg)
    return [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g") if g.get("class") == kind]


def svg_centre_x(node):
    """Return the horizontal centre of an SVG node group's outline (ellipse, path or polygon)."""
    for shape in node.iter():
        if shape.tag == f"{SVG}ellipse":
            return float(shape.get("cx"))
        if shape.tag in (f"{SVG}path", f"{SVG}polygon"):
            numbers = re.findall(r"-?\d+(?:\.\d+)?", shape.get("d") or shape.get("points"))
            xs = [float(x) for x in numbers[0::2]]
            return (min(xs) + max(xs)) / 2
    raise AssertionError("node without an outline")


@pytest.fixture
def no_graphviz_programs(monkeypatch, tmp_path):
    """PATH without any Graphviz program, as on a machine where Graphviz is not installed."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))


# ----- real Graphviz -------------------------------------------------------------


@needs_dot
def test_housing_svg_contains_every_node():
    h, _ = housing_circuit()
    h.backward(retain_graph=True)
    picture = ad.draw_graph(h)
    nodes, edges = parse_dot(picture.source)
    svg = picture.svg()

    assert sorted(svg_titles(svg, "node")) == sorted(nodes)
    assert len(svg_titles(svg, "edge")) == len(edges)
    assert "θ12" in svg
    assert "family size" in svg


@needs_dot
def test_cluster_svg():
    with ad.name_scope("MLP"):
        with ad.name_scope("0"):
            w = ad.tensor(np.ones((2, 2)), requires_grad=True)
            z = w @ w
        with ad.name_scope("1"):
            y = ad.relu(z).sum()
    svg = ad.draw_graph(y, cluster_scopes=True).svg()
    assert svg_titles(svg, "cluster") == ["cluster_0", "cluster_1", "cluster_2"]


@needs_dot
def test_guarded_pictures_render():
    x = ad.tensor(1.0, requires_grad=True)
    for _ in range(200):
        x = x * 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = ad.draw_graph(x)
    assert svg_titles(summary.svg(), "node") == ["note", "v400"]


@needs_dot
def test_walkthrough_svg():
    h, _ = housing_circuit()
    svg = ad.draw_backprop(h).svg()
    assert len(svg_titles(svg, "node")) == 54
    assert "step 31" in svg


@needs_dot
def test_render_writes_files(tmp_path):
    h, _ = housing_circuit()
    picture = ad.draw_graph(h)

    png = picture.render(tmp_path / "housing.png")
    assert png == tmp_path / "housing.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = picture.save(tmp_path / "housing.svg")
    ET.fromstring(svg.read_text())
    dot = picture.render(tmp_path / "housing.gv")
    assert dot.read_text() == picture.source
    pdf = picture.render(tmp_path / "picture", format="pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"

    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "housing.gv", "housing.png", "housing.svg", "picture"]
    mode = stat.S_IMODE(os.stat(png).st_mode)
    assert mode & stat.S_IRGRP  # not left private as the temporary file was


@needs_dot
def test_jupyter_representations():
    picture = ad.draw_graph(ad.tensor(2.0, requires_grad=True) * 3)
    svg = picture._repr_svg_()
    assert svg.lstrip().startswith("<?xml")
    assert picture._repr_mimebundle_() == {"image/svg+xml": svg}
    assert "1 op;" in repr(picture)
    assert str(picture) == picture.source


@needs_dot
def test_10000_op_graph_renders():
    x = ad.tensor(1.0, requires_grad=True)
    for i in range(5_000):
        x = x * ad.tensor(0.999) + 0.001

    start = time.perf_counter()
    picture = ad.draw_graph(x, max_nodes=None)
    built = time.perf_counter()
    svg = picture.svg()
    rendered = time.perf_counter()

    assert sum(picture.op_counts.values()) == 10_000
    assert picture.positioned
    assert picture.engine == "neato"
    nodes, _ = parse_dot(picture.source)
    titles = svg_titles(svg, "node")
    assert len(titles) == len(nodes) == 30_001
    assert set(titles) == set(nodes)
    print(f"10,000 ops: DOT text {built - start:.2f} s, SVG {rendered - built:.2f} s")


@needs_dot
def test_fast_layout_keeps_positions_and_direction():
    h, _ = housing_circuit()
    picture = ad.draw_graph(h, fast_layout=True)
    nodes, edges = parse_dot(picture.source)
    root = ET.fromstring(picture.svg())

    drawn = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "node":
            drawn[g.find(f"{SVG}title").text] = svg_centre_x(g)
    given = {n: tuple(float(v) for v in a["pos"].rstrip("!").split(",")) for n, a in nodes.items()}

    # The SVG is shifted (and y is flipped), but the distances between nodes stay as given.
    anchor = "v0"
    for node_id in nodes:
        assert drawn[node_id] - drawn[anchor] == pytest.approx(
            given[node_id][0] - given[anchor][0], abs=1)
    for source, target, _ in edges:
        assert given[source][0] < given[target][0]


def test_auto_layout_uses_dot_for_small_graphs():
    h, _ = housing_circuit()
    picture = ad.draw_graph(h)
    assert picture.engine == "dot"
    assert not picture.positioned
    assert "pos=" not in picture.source
    assert ad.draw_graph(h, fast_layout=True).source.count("pos=") == 54


def test_auto_layout_counts_long_edges():
    # One constant feeds 800 ops along a chain: few nodes, but thousands of
    # bend points for `dot`.
    c = ad.tensor(0.5)
    x = ad.tensor(1.0, requires_grad=True)
    for _ in range(800):
        x = x * c
    assert ad.draw_graph(x, max_nodes=None).positioned
    assert not ad.draw_graph(x, max_nodes=None, fast_layout=False).positioned


def test_render_needs_a_format(tmp_path):
    picture = ad.draw_graph(ad.tensor(1.0))
    with pytest.raises(ValueError, match="pass format="):
        picture.render(tmp_path / "picture")
    with pytest.raises(ValueError, match="unknown format: 'txt'"):
        picture.render(tmp_path / "picture.txt")
    assert list(tmp_path.iterdir()) == []


def test_render_into_missing_directory(tmp_path):
    picture = ad.draw_graph(ad.tensor(1.0))
    with pytest.raises(FileNotFoundError, match="does not exist; create it first"):
        picture.render(tmp_path / "missing" / "picture.dot")


# ----- Graphviz missing -----------------------------------------------------------


def test_missing_dot_says_how_to_install(no_graphviz_programs, tmp_path):
    h, _ = housing_circuit()
    picture = ad.draw_graph(h)

    with pytest.raises(GraphvizNotFoundError) as error:
        picture.svg()
    message = str(error.value)
    assert "Graphviz's `dot` program, which was not found on PATH" in message
    assert "apt-get install graphviz" in message
    assert "brew install graphviz" in message
    assert "conda install -c conda-forge graphviz" in message

    assert picture._repr_svg_() is None
    bundle = picture._repr_mimebundle_()
    assert list(bundle) == ["text/plain"]
    assert bundle["text/plain"].startswith(message)
    assert bundle["text/plain"].endswith(picture.source)

    # The DOT text still works, and a failed render leaves the old file alone.
    assert picture.render(tmp_path / "housing.dot").read_text() == picture.source
    old = tmp_path / "housing.png"
    old.write_bytes(b"old picture")
    with pytest.raises(GraphvizNotFoundError):
        picture.render(old)
    assert old.read_bytes() == b"old picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["housing.dot", "housing.png"]


def test_missing_neato_for_fast_layout(no_graphviz_programs):
    picture = ad.draw_graph(ad.tensor(1.0), fast_layout=True)
    with pytest.raises(GraphvizNotFoundError, match="`neato` program"):
        picture.pipe("png")


def test_missing_graphviz_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)
    picture = ad.draw_graph(ad.tensor(1.0))
    with pytest.raises(ImportError, match=r"pip install 'autodiff-nn\[draw\]'"):
        picture.pipe()
    assert picture._repr_svg_() is None
    assert "apt-get install graphviz" in picture._repr_mimebundle_()["text/plain"]


@needs_dot
def test_ipython_display_shows_svg():
    interactiveshell = pytest.importorskip("IPython.core.interactiveshell")
    shell = interactiveshell.InteractiveShell.instance()
    h, _ = housing_circuit()
    data, _ = shell.display_formatter.format(ad.draw_graph(h))
    assert "image/svg+xml" in data
    ET.fromstring(data["image/svg+xml"])


def test_ipython_display_without_dot(no_graphviz_programs):
    interactiveshell = pytest.importorskip("IPython.core.interactiveshell")
    shell = interactiveshell.InteractiveShell.instance()
    data, _ = shell.display_formatter.format(ad.draw_graph(ad.tensor(1.0) * 2))
    assert list(data) == ["text/plain"]
    assert "apt-get install graphviz" in data["text/plain"]
