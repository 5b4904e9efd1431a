"""The backprop walk-through: visiting order, edge gradients, and its picture."""

import numpy as np
import pytest
import torch

import autodiff as ad
from autodiff.draw.examples import housing_circuit
from draw_helpers import label_lines, parse_dot


def small_network(rng):
    """J = Σ tanh(x W + b)² · c with W used twice, as tensors and as torch tensors."""
    x = rng.normal(size=(4, 3))
    W = rng.normal(size=(3, 2))
    b = rng.normal(size=(2,))
    ours = {"W": ad.tensor(W, requires_grad=True, name="W"),
            "b": ad.tensor(b, requires_grad=True, name="b")}
    hidden = ad.tanh(ad.tensor(x) @ ours["W"] + ours["b"])
    loss = (hidden * hidden).sum() * ours["W"].sum()

    theirs = {"W": torch.tensor(W, requires_grad=True), "b": torch.tensor(b, requires_grad=True)}
    t_hidden = torch.tanh(torch.tensor(x) @ theirs["W"] + theirs["b"])
    t_loss = (t_hidden * t_hidden).sum() * theirs["W"].sum()
    t_loss.backward()
    return loss, ours, {name: t.grad.numpy() for name, t in theirs.items()}


def test_steps_follow_reverse_topological_order():
    h, _ = housing_circuit()
    steps = ad.backprop_steps(h)

    assert [s.number for s in steps] == list(range(1, 32))  # 19 results and 12 θ
    assert steps[0].node is h.node
    assert steps[0].grad == 1
    visited_at = {s.node: s.number for s in steps}
    for s in steps:
        for edge in s.edges:
            # An input is visited after the node that uses it.
            assert visited_at[edge.input] > s.number


def test_steps_match_backward_and_torch():
    loss, ours, torch_grads = small_network(np.random.default_rng(1))
    steps = ad.backprop_steps(loss)
    loss.backward()

    step_of = {s.node: s for s in steps}
    for name, tensor in ours.items():
        np.testing.assert_allclose(step_of[tensor].grad, tensor.grad.data, rtol=1e-12)
        np.testing.assert_allclose(step_of[tensor].grad, torch_grads[name], rtol=1e-10)


def test_edge_contributions_add_up_to_grad():
    loss, _, _ = small_network(np.random.default_rng(2))
    steps = ad.backprop_steps(loss)

    received = {}
    for s in steps:
        for edge in s.edges:
            received[edge.input] = received.get(edge.input, 0) + edge.contribution
            assert edge.contribution.shape == edge.input.shape
    for s in steps[1:]:
        np.testing.assert_allclose(s.grad, received[s.node], rtol=1e-12)


def test_repeated_input_gets_two_edges():
    x = ad.tensor(3.0, requires_grad=True, name="x")
    steps = ad.backprop_steps(x * x)

    assert [(e.position, e.input_id, float(e.contribution)) for e in steps[0].edges] == [
        (0, "v0", 3.0), (1, "v0", 3.0)]
    assert steps[1].grad == 6
    assert str(steps[0]) == "step 1: v1 (multiply) grad 1; to input 0 (v0): 3; to input 1 (v0): 3"
    assert str(steps[1]) == "step 2: v0 'x' (leaf) grad 6"


def test_constants_are_not_visited():
    h, tensors = housing_circuit()
    visited = {s.node for s in ad.backprop_steps(h)}
    for name in ("size", "bedrooms", "zip code", "wealth"):
        assert tensors[name] not in visited


def test_steps_leave_grads_and_graph_alone():
    h, tensors = housing_circuit()
    ad.backprop_steps(h)
    assert all(t.grad is None for t in tensors.values())

    h.backward(retain_graph=True)  # the graph is still there
    before = {name: t.grad.item() for name, t in tensors.items() if t.grad is not None}
    ad.backprop_steps(h)
    ad.draw_backprop(h)
    after = {name: t.grad.item() for name, t in tensors.items() if t.grad is not None}
    assert after == before
    assert len(after) == 12


def test_seed_for_non_scalar_output():
    w = ad.tensor([1.0, 2.0], requires_grad=True)
    y = w * w
    with pytest.raises(ValueError, match=r"backprop_steps\(\): the output has shape \(2,\)"):
        ad.backprop_steps(y)

    steps = ad.backprop_steps(y, grad=np.array([1.0, 10.0]))
    np.testing.assert_array_equal(steps[-1].grad, [2.0, 40.0])


def test_output_without_grad_raises():
    with pytest.raises(ValueError, match="does not require grad"):
        ad.backprop_steps(ad.tensor(1.0) * 2)


def test_freed_graph_raises_for_steps():
    h, _ = housing_circuit()
    h.backward()
    with pytest.raises(RuntimeError, match=r"backprop_steps\(\).*retain_graph=True"):
        ad.backprop_steps(h)


# ----- the picture ------------------------------------------------------------------


def test_walkthrough_labels_every_visit():
    h, _ = housing_circuit()
    steps = ad.backprop_steps(h)
    nodes, edges = parse_dot(ad.draw_backprop(h).source)

    for s in steps:
        lines = label_lines(nodes[s.node_id]["label"])
        assert f"step {s.number}" in lines
        assert f"grad {float(s.grad):.4g}" in lines
        assert nodes[s.node_id]["color"] == "#c0392b"

    labelled = {(source, target): attributes["label"] for source, target, attributes in edges
                if "label" in attributes}
    assert len(labelled) == sum(len(s.edges) for s in steps)
    # θ9 · family size: θ9 receives a1 = 2.4, family size receives θ9 = 1.5.
    product = next(s for s in steps if s.edges and s.edges[0].input.name == "θ9")
    op = "op" + product.node_id[1:]
    assert labelled[(product.edges[0].input_id, op)] == "2.4"
    assert labelled[(product.edges[1].input_id, op)] == "1.5"


def test_walkthrough_intermediate_grads_are_shown():
    h, tensors = housing_circuit()
    nodes, _ = parse_dot(ad.draw_backprop(h).source)
    family = next(a for a in nodes.values() if label_lines(a["label"])[0] == "family size")
    assert "grad 1.5" in label_lines(family["label"])  # ∂h/∂a1 = θ9


def test_walkthrough_single_step():
    h, _ = housing_circuit()
    source = ad.draw_backprop(h, step=4).source
    nodes, edges = parse_dot(source)

    shown = [n for n, a in nodes.items() if any(l.startswith("step ") for l in label_lines(a["label"]))]
    assert len(shown) == 4
    highlighted = [n for n, a in nodes.items() if a.get("penwidth") == "3"]
    assert len(highlighted) == 1
    assert "step 4" in label_lines(nodes[highlighted[0]]["label"])
    assert sum("label" in a for _, _, a in edges) == 2 + 2 + 2 + 2  # four binary ops so far


def test_walkthrough_title_and_matrix_grads():
    W = ad.tensor(np.arange(4.0).reshape(2, 2), requires_grad=True, name="W")
    picture = ad.draw_backprop((W @ W).sum())
    nodes, _ = parse_dot(picture.source)

    assert "Backprop walk-through" in picture.source
    # ∂/∂W Σ(W W) = 1 Wᵀ + Wᵀ 1 = [[1, 5], [1, 5]] + [[2, 2], [4, 4]]
    lines = label_lines(nodes["v0"]["label"])
    assert lines[-3:] == ["grad", "[[3, 7],", " [5, 9]]"]


@pytest.mark.parametrize("step, error", [(0, ValueError), (32, ValueError), (1.5, TypeError),
                                         (True, TypeError)])
def test_walkthrough_invalid_step(step, error):
    h, _ = housing_circuit()
    with pytest.raises(error, match="draw_backprop"):
        ad.draw_backprop(h, step=step)
