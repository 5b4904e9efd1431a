"""DOT text of known circuits: nodes, edges, labels, styles and options."""

import re

import numpy as np
import pytest

import autodiff as ad
from autodiff.draw.dot import STYLES
from autodiff.draw.examples import HOUSING_THETA, housing_circuit
from draw_helpers import label_lines, line_value, node_by_name, parse_dot

INPUTS = {"size": 2.0, "bedrooms": 3.0, "zip code": 0.5, "wealth": 1.5}


def housing_expected():
    """Values and ∂h/∂θ of equation 2.3 at the default inputs, worked out by hand."""
    t = dict(enumerate(HOUSING_THETA, start=1))
    x1, x2, x3, x4 = INPUTS.values()
    a1 = max(t[1] * x1 + t[2] * x2 + t[3], 0.0)
    a2 = max(t[4] * x3 + t[5], 0.0)
    a3 = max(t[6] * x3 + t[7] * x4 + t[8], 0.0)
    h = t[9] * a1 + t[10] * a2 + t[11] * a3 + t[12]
    grads = {
        "θ1": t[9] * x1, "θ2": t[9] * x2, "θ3": t[9],
        "θ4": t[10] * x3, "θ5": t[10],
        "θ6": t[11] * x3, "θ7": t[11] * x4, "θ8": t[11],
        "θ9": a1, "θ10": a2, "θ11": a3, "θ12": 1.0,
    }
    values = {"family size": a1, "walkable": a2, "school quality": a3, "price": h}
    return values, grads


def draw_text(output, **options):
    return ad.draw_graph(output, **options).source


# ----- the housing circuit ------------------------------------------------------


def test_housing_node_and_edge_counts():
    h, _ = housing_circuit()
    nodes, edges = parse_dot(draw_text(h))

    values = [n for n in nodes if n.startswith("v")]
    ops = [n for n in nodes if n.startswith("op")]
    assert len(values) == 35  # 4 inputs, 12 θ, 19 results
    assert len(ops) == 19  # 8 multiply, 8 add, 3 relu
    assert len(edges) == 2 * 16 + 3 + 19  # inputs of binary ops and relus, plus op -> result
    assert ad.draw_graph(h).op_counts == {"multiply": 8, "add": 8, "relu": 3}


def test_housing_names_and_kinds():
    h, tensors = housing_circuit()
    nodes, _ = parse_dot(draw_text(h))

    for name in tensors:
        node_id, attributes = node_by_name(nodes, name)
        assert f"<b>{name}</b>" in attributes["label"]
        if name.startswith("θ"):
            kind = "parameter"
        elif name in INPUTS:
            kind = "constant"
        elif name == "price":
            kind = "output"
        else:
            kind = "intermediate"
        assert attributes["tooltip"] == f"{kind} {name}"
        for key, value in STYLES[kind].items():
            assert attributes[key] == value


def test_value_kinds_look_different():
    kinds = ["parameter", "constant", "intermediate", "output"]
    looks = [(STYLES[k].get("style"), STYLES[k].get("fillcolor"), STYLES[k].get("color")) for k in kinds]
    assert len(set(looks)) == 4
    assert len({STYLES[k].get("style") for k in kinds}) == 4  # apart without colour, too


def test_housing_values_before_backward():
    h, tensors = housing_circuit()
    nodes, _ = parse_dot(draw_text(h))
    values, _ = housing_expected()

    for name, expected in {**INPUTS, **values}.items():
        lines = label_lines(node_by_name(nodes, name)[1]["label"])
        assert line_value(lines, "value") == pytest.approx(expected, rel=1e-3)
        assert "scalar float64" in lines
        assert not any(line.startswith("grad") for line in lines)
    for i, theta in enumerate(HOUSING_THETA, start=1):
        lines = label_lines(node_by_name(nodes, f"θ{i}")[1]["label"])
        assert line_value(lines, "value") == pytest.approx(theta)
        assert not any(line.startswith("grad") for line in lines)


def test_housing_gradients_after_backward():
    h, tensors = housing_circuit()
    h.backward(retain_graph=True)
    nodes, _ = parse_dot(draw_text(h))
    _, grads = housing_expected()

    for name, expected in grads.items():
        assert tensors[name].grad.item() == pytest.approx(expected)
        lines = label_lines(node_by_name(nodes, name)[1]["label"])
        assert line_value(lines, "grad") == pytest.approx(expected, rel=1e-3)
    # Inputs do not require grad, and the engine keeps no grad for intermediates.
    for name in [*INPUTS, "family size", "walkable", "school quality", "price"]:
        lines = label_lines(node_by_name(nodes, name)[1]["label"])
        assert not any(line.startswith("grad") for line in lines)


def test_same_graph_same_text():
    first, _ = housing_circuit()
    second, _ = housing_circuit()
    text = draw_text(first)

    assert text == draw_text(second)
    assert text == draw_text(first)
    nodes, _ = parse_dot(text)
    value_ids = sorted(int(n[1:]) for n in nodes if n.startswith("v"))
    assert value_ids == list(range(35))
    assert not re.search(r"\d{7,}", text)  # no id()-sized numbers


def test_ids_follow_argument_order():
    a = ad.tensor(1.0, requires_grad=True, name="a")
    b = ad.tensor(2.0, requires_grad=True, name="b")
    nodes, edges = parse_dot(draw_text(a - b))

    assert label_lines(nodes["v0"]["label"])[0] == "a"
    assert label_lines(nodes["v1"]["label"])[0] == "b"
    assert edges == [
        ("v0", "op2", {"headlabel": "0"}),
        ("v1", "op2", {"headlabel": "1"}),
        ("op2", "v2", {}),
    ]


def test_edges_run_forward():
    h, _ = housing_circuit()
    _, edges = parse_dot(draw_text(h))

    for source, target, _ in edges:
        if source.startswith("op"):
            assert target == "v" + source[2:]  # an op points to the tensor it made
        else:
            assert target.startswith("op")
            assert int(source[1:]) < int(target[2:])  # inputs come before the op


def test_repeated_input_keeps_both_edges():
    x = ad.tensor(3.0, requires_grad=True, name="x")
    nodes, edges = parse_dot(draw_text(x * x))

    assert [(s, t) for s, t, _ in edges] == [("v0", "op1"), ("v0", "op1"), ("op1", "v1")]
    assert line_value(label_lines(nodes["v1"]["label"]), "value") == 9


def test_symmetric_ops_have_no_position_labels():
    a = ad.tensor(1.0, requires_grad=True)
    _, edges = parse_dot(draw_text(ad.maximum(a * 2, a + 1)))
    assert all("headlabel" not in attributes for _, _, attributes in edges)


def test_op_label_shows_short_params():
    x = ad.tensor(np.arange(6.0), requires_grad=True)
    nodes, _ = parse_dot(draw_text(x.reshape(2, 3).sum(axis=0)))
    labels = [attributes["label"] for node_id, attributes in nodes.items() if node_id.startswith("op")]

    assert "reshape\nshape=(2, 3)" in labels
    assert any(label.startswith("sum\naxis=(0,)") for label in labels)


def test_getitem_hides_engine_params():
    x = ad.tensor(np.arange(6.0), requires_grad=True)
    nodes, _ = parse_dot(draw_text(x[1:4]))
    assert nodes["op1"]["label"] == "getitem\nindex=slice(1, 4, None)"


def test_scalar_circuit_without_names():
    w = ad.tensor(2.0, requires_grad=True)
    nodes, _ = parse_dot(draw_text(ad.relu(w * 3.0 - 1.0)))
    assert label_lines(nodes["v0"]["label"]) == ["scalar float64", "value 2"]


def test_leaf_output_is_one_node():
    w = ad.tensor([1.0, 2.0], requires_grad=True, name="w")
    nodes, edges = parse_dot(draw_text(w))
    assert list(nodes) == ["v0"]
    assert edges == []
    assert nodes["v0"]["tooltip"] == "output w"


def test_untracked_result_is_one_node():
    w = ad.tensor(2.0, requires_grad=True)
    with ad.no_grad():
        y = w * 3
    nodes, edges = parse_dot(draw_text(y))
    assert list(nodes) == ["v0"]
    assert edges == []


def test_tensor_draw_matches_draw_graph():
    h, _ = housing_circuit()
    assert h.draw(rankdir="TB").source == draw_text(h, rankdir="TB")


# ----- freed graphs ------------------------------------------------------------


def test_freed_graph_raises():
    h, _ = housing_circuit()
    h.backward()
    with pytest.raises(RuntimeError, match=r"retain_graph=True") as error:
        ad.draw_graph(h)
    assert "draw_graph()" in str(error.value)
    assert "freed by backward()" in str(error.value)


def test_partly_freed_graph_raises():
    x = ad.tensor(1.0, requires_grad=True)
    y = x * 2
    z = y + 1
    y.backward()  # frees only the multiply node
    with pytest.raises(RuntimeError, match="'multiply' node"):
        ad.draw_graph(z)


def test_retained_graph_draws_twice():
    h, _ = housing_circuit()
    h.backward(retain_graph=True)
    h.backward(retain_graph=True)
    nodes, _ = parse_dot(draw_text(h))
    lines = label_lines(node_by_name(nodes, "θ12")[1]["label"])
    assert line_value(lines, "grad") == 2  # accumulated over two calls


# ----- options -----------------------------------------------------------------


def test_rankdir_option():
    h, _ = housing_circuit()
    assert 'rankdir="LR"' in draw_text(h)
    assert 'rankdir="TB"' in draw_text(h, rankdir="TB")


def test_show_options_remove_lines():
    h, _ = housing_circuit()
    h.backward(retain_graph=True)

    def theta1_lines(**options):
        nodes, _ = parse_dot(draw_text(h, **options))
        return label_lines(node_by_name(nodes, "θ1")[1]["label"])

    assert theta1_lines() == ["θ1", "scalar float64", "value 0.5", "grad 3"]
    assert theta1_lines(show_values=False) == ["θ1", "scalar float64", "grad 3"]
    assert theta1_lines(show_grads=False) == ["θ1", "scalar float64", "value 0.5"]
    assert theta1_lines(show_shapes=False) == ["θ1", "value 0.5", "grad 3"]


def test_everything_hidden_keeps_a_label():
    y = ad.tensor(2.0, requires_grad=True) * 3
    nodes, _ = parse_dot(draw_text(y, show_values=False, show_grads=False, show_shapes=False))
    assert nodes["v0"]["label"] == "< <br/>>"


def test_number_format_spec_and_function():
    x = ad.tensor(1 / 3, requires_grad=True, name="x")
    y = x * 1.0

    lines = label_lines(parse_dot(draw_text(y))[0]["v0"]["label"])
    assert "value 0.3333" in lines
    lines = label_lines(parse_dot(draw_text(y, number_format=".2f"))[0]["v0"]["label"])
    assert "value 0.33" in lines
    lines = label_lines(parse_dot(draw_text(y, number_format=lambda v: f"≈{v:.1f}"))[0]["v0"]["label"])
    assert "value ≈0.3" in lines


def test_small_matrix_shows_every_value():
    w = ad.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, name="W")
    (w * 2).sum().backward(retain_graph=True)
    nodes, _ = parse_dot(draw_text(w))

    lines = label_lines(nodes["v0"]["label"])
    assert lines == ["W", "(2, 3) float64", "value", "[[0, 1, 2],", " [3, 4, 5]]",
                     "grad", "[[2, 2, 2],", " [2, 2, 2]]"]
    assert '<br align="left"/>' in nodes["v0"]["label"]


def test_large_tensor_shows_summary():
    w = ad.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True, name="W")
    (w * w).sum().backward(retain_graph=True)
    nodes, _ = parse_dot(draw_text(w))

    lines = label_lines(nodes["v0"]["label"])
    assert "value min 0 · mean 5.5 · max 11" in lines
    assert "grad min 0 · mean 11 · max 22" in lines


def test_max_elements_option():
    w = ad.tensor(np.arange(12.0), name="w")
    lines = label_lines(parse_dot(draw_text(w, max_elements=12))[0]["v0"]["label"])
    assert any(line.startswith("value [0, 1, 2,") for line in lines)
    lines = label_lines(parse_dot(draw_text(w, max_elements=0))[0]["v0"]["label"])
    assert "value min 0 · mean 5.5 · max 11" in lines


@pytest.mark.parametrize("data, expected", [
    (np.array([1.0, np.nan] * 6), "value min 1 · mean 1 · max 1 · 6 nan"),
    (np.arange(10), "value min 0 · mean 4.5 · max 9"),
    (np.array([True, False] * 5), "value 5 of 10 True"),
    (np.zeros((0, 3)), "value empty"),
    (np.array([1.5, -np.inf]), "value [1.5, -inf]"),
    (np.array([1, 2], dtype=np.int32), "value [1, 2]"),
    (np.float32(0.1), "value 0.1"),
])
def test_value_text_by_dtype(data, expected):
    lines = label_lines(parse_dot(draw_text(ad.tensor(data)))[0]["v0"]["label"])
    assert expected in lines


def test_names_are_escaped():
    x = ad.tensor(1.0, requires_grad=True, name='<b>"x" & y</b>')
    text = draw_text(x * 2)
    nodes, _ = parse_dot(text)

    assert "&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;" in nodes["v0"]["label"]
    assert label_lines(nodes["v0"]["label"])[0] == '<b>"x" & y</b>'


@pytest.mark.parametrize("options, error, message", [
    ({"rankdir": "XY"}, ValueError, "rankdir must be one of LR, TB, RL, BT"),
    ({"show_values": "yes"}, TypeError, "show_values must be True or False"),
    ({"cluster_scopes": 1}, TypeError, "cluster_scopes must be True or False"),
    ({"number_format": "q"}, ValueError, "cannot format the number 1.5"),
    ({"number_format": 4}, TypeError, "number_format must be a format spec"),
    ({"number_format": lambda v: v}, TypeError, "must return a str"),
    ({"max_elements": -1}, ValueError, "max_elements must be at least 0"),
    ({"max_elements": 2.5}, TypeError, "max_elements must be an int"),
    ({"max_nodes": 0}, ValueError, "max_nodes must be at least 1"),
    ({"max_nodes": True}, TypeError, "max_nodes must be an int"),
    ({"engine": "graphviz"}, ValueError, "engine must be one of"),
    ({"fast_layout": "auto"}, TypeError, "fast_layout must be None, True or False"),
])
def test_invalid_options_raise(options, error, message):
    y = ad.tensor(1.0, requires_grad=True) * 2
    with pytest.raises(error, match=re.escape(message)) as raised:
        ad.draw_graph(y, **options)
    assert "draw_graph()" in str(raised.value)


def test_unknown_option_raises():
    y = ad.tensor(1.0, requires_grad=True) * 2
    with pytest.raises(TypeError, match="colour"):
        y.draw(colour="red")


def test_non_tensor_raises():
    with pytest.raises(TypeError, match=r"draw_graph\(\): expected a Tensor, got ndarray"):
        ad.draw_graph(np.ones(3))


def test_negative_zero_shown_as_zero():
    x = ad.tensor([-1.0, 2.0], requires_grad=True, name="x")
    y = ad.relu(x) * -1.0
    y.sum().backward(retain_graph=True)
    source = ad.draw_graph(y).source
    assert "-0" not in source.replace("-0.", "")
    assert x.grad.data[0] == 0.0


def test_summary_counts_nan_and_inf():
    values = np.arange(13, dtype=float)
    values[0] = np.nan
    values[1] = np.inf
    source = ad.draw_graph(ad.tensor(values, requires_grad=True) * 2.0).source
    assert "min 4 · mean 14 · max 24 · 1 nan, 1 inf" in source


def test_summary_all_nan():
    source = ad.draw_graph(ad.tensor(np.full(20, np.nan), requires_grad=True) * 2.0).source
    assert "no finite values · 20 nan" in source
