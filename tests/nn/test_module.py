"""Tests for nn.Module and nn.Parameter: traversal, calls, scopes, repr and state dicts."""

import numpy as np
import pytest

import autodiff
import nn


class Neuron(nn.Module):
    """h(x) = ReLU(w x + b), eq. 2.1, written by hand."""

    def __init__(self):
        self.w = nn.Parameter([2.0])
        self.b = nn.Parameter([-1.0])

    def forward(self, x):
        return autodiff.relu(x * self.w + self.b)


class TwoBranches(nn.Module):
    def __init__(self):
        super().__init__()
        self.left = nn.Linear(2, 3, seed=0)
        self.scale = nn.Parameter(np.ones(3))
        self.right = nn.Sequential(nn.Linear(3, 1, seed=1), nn.Tanh())

    def forward(self, x):
        return self.right(self.left(x) * self.scale)


# --- Parameter ---


def test_parameter_requires_grad_and_copies():
    data = np.array([1.0, 2.0])
    parameter = nn.Parameter(data)
    data[0] = 99.0
    assert parameter.requires_grad
    assert parameter.is_leaf
    assert parameter.tolist() == [1.0, 2.0]
    assert isinstance(parameter, autodiff.Tensor)


def test_parameter_ops_give_plain_tensors():
    parameter = nn.Parameter([1.0])
    result = parameter * 2
    assert type(result) is autodiff.Tensor
    assert result.requires_grad


def test_parameter_frozen():
    frozen = nn.Parameter([1.0], requires_grad=False)
    assert not frozen.requires_grad


# --- traversal ---


def test_named_parameters_in_assignment_order():
    names = [name for name, _ in TwoBranches().named_parameters()]
    assert names == ["left.weight", "left.bias", "scale", "right.0.weight", "right.0.bias"]


def test_parameters_match_named_parameters():
    model = TwoBranches()
    assert list(model.parameters()) == [p for _, p in model.named_parameters()]


def test_shared_parameter_listed_once():
    model = TwoBranches()
    model.tied = model.left  # the same Linear under a second name
    names = [name for name, _ in model.named_parameters()]
    assert names.count("left.weight") == 1
    assert not any(name.startswith("tied.") for name in names)


def test_children_and_named_children():
    model = TwoBranches()
    assert [name for name, _ in model.named_children()] == ["left", "right"]
    assert list(model.children()) == [model.left, model.right]


def test_plain_tensor_attribute_is_not_parameter():
    model = Neuron()
    model.extra = autodiff.tensor([1.0], requires_grad=True)
    assert [name for name, _ in model.named_parameters()] == ["w", "b"]


def test_num_parameters():
    assert nn.MLP(3, hidden=[4]).num_parameters() == 3 * 4 + 4 + 4 * 1 + 1


def test_module_without_super_init():
    neuron = Neuron()  # Neuron.__init__ does not call Module.__init__
    assert neuron(autodiff.tensor([3.0])).tolist() == [5.0]


# --- calling ---


def test_call_runs_forward():
    neuron = Neuron()
    out = neuron(autodiff.tensor([0.0, 1.0]))
    assert out.tolist() == [0.0, 1.0]
    out.sum().backward()
    assert neuron.w.grad.tolist() == [1.0]
    assert neuron.b.grad.tolist() == [1.0]


def test_forward_not_defined():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(1.0)


def test_zero_grad_clears_all():
    model = TwoBranches()
    model(np.ones((4, 2))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


# --- name scopes ---


def test_root_scope_is_class_name():
    out = nn.Linear(2, 1, seed=0)(np.ones((1, 2)))
    assert out.scope == "Linear"


def test_child_scopes_use_attribute_names():
    model = nn.MLP(2, hidden=[3], seed=0)
    out = model(np.ones((1, 2)))
    assert out.scope == "MLP/2"  # the last Linear


def test_nested_scopes():
    model = TwoBranches()
    out = model(np.ones((1, 2)))
    assert out.scope == "TwoBranches/right/1"  # Tanh inside the Sequential "right"


def test_hidden_scope_recorded_on_intermediate():
    model = nn.MLP(2, hidden=[3], seed=0)
    hidden = model[0](np.ones((1, 2)))
    assert hidden.scope == "Linear"  # called on its own, the layer is a root
    with autodiff.name_scope("outer"):
        assert model[0](np.ones((1, 2))).scope == "outer/0"


def test_user_scope_wraps_module_scope():
    model = nn.MLP(2, hidden=[3], seed=0)
    with autodiff.name_scope("model"):
        out = model(np.ones((1, 2)))
    assert out.scope == "model/MLP/2"


def test_scope_closed_after_call():
    nn.MLP(2, hidden=[3], seed=0)(np.ones((1, 2)))
    assert autodiff.current_scope() is None


def test_scope_closed_after_error():
    with pytest.raises(ValueError):
        nn.MLP(2, hidden=[3], seed=0)(np.ones((1, 5)))
    assert autodiff.current_scope() is None


def test_first_parent_names_scope():
    shared = nn.Linear(2, 2, seed=0)
    first = nn.Sequential(shared)
    second = nn.Sequential(nn.Identity(), shared)
    assert second(np.ones((1, 2))).scope == "Sequential/0"  # named "0" by its first parent
    assert first(np.ones((1, 2))).scope == "Sequential/0"


# --- repr ---


def test_repr_lists_layers_and_shapes():
    text = repr(nn.MLP(3, hidden=[4, 5], seed=0))
    assert text.splitlines() == [
        "MLP(",
        "  (0): Linear(in_features=3, out_features=4, weight=(3, 4), bias=(4,))",
        "  (1): ReLU()",
        "  (2): Linear(in_features=4, out_features=5, weight=(4, 5), bias=(5,))",
        "  (3): ReLU()",
        "  (4): Linear(in_features=5, out_features=1, weight=(5, 1), bias=(1,))",
        ")",
    ]


def test_repr_nested_and_custom():
    text = repr(TwoBranches())
    assert text.splitlines() == [
        "TwoBranches(",
        "  scale=(3,)",
        "  (left): Linear(in_features=2, out_features=3, weight=(2, 3), bias=(3,))",
        "  (right): Sequential(",
        "    (0): Linear(in_features=3, out_features=1, weight=(3, 1), bias=(1,))",
        "    (1): Tanh()",
        "  )",
        ")",
    ]
    assert repr(Neuron()) == "Neuron(w=(1,), b=(1,))"


def test_repr_float32_and_no_bias():
    layer = nn.Linear(2, 3, bias=False, dtype="float32", seed=0)
    assert repr(layer) == "Linear(in_features=2, out_features=3, weight=(2, 3), bias=None, dtype=float32)"


# --- state_dict ---


def test_state_dict_is_a_copy():
    model = nn.MLP(2, hidden=[3], seed=0)
    state = model.state_dict()
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    state["0.weight"][...] = 7.0
    assert not np.any(model[0].weight.numpy() == 7.0)


def test_load_state_dict_round_trip():
    source = nn.MLP(2, hidden=[3], seed=0)
    target = nn.MLP(2, hidden=[3], seed=1)
    assert target.load_state_dict(source.state_dict()) is target
    for (name, a), (_, b) in zip(source.named_parameters(), target.named_parameters()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)


def test_load_state_dict_accepts_tensors():
    model = nn.Linear(2, 1, seed=0)
    model.load_state_dict({"weight": autodiff.tensor([[1.0], [2.0]]), "bias": np.array([3.0])})
    assert model.weight.tolist() == [[1.0], [2.0]]
    assert model.bias.tolist() == [3.0]


def test_load_state_dict_copies_input():
    model = nn.Linear(1, 1, seed=0)
    weight = np.array([[1.0]])
    model.load_state_dict({"weight": weight, "bias": np.array([0.0])})
    weight[0, 0] = 5.0
    assert model.weight.item() == 1.0


def test_load_state_dict_missing_and_extra():
    model = nn.Linear(2, 1, seed=0)
    with pytest.raises(nn.StateDictError) as info:
        model.load_state_dict({"weight": np.zeros((2, 1)), "scale": np.zeros(1)})
    assert info.value.missing == ["bias"]
    assert info.value.unexpected == ["scale"]
    assert "missing entries ['bias']" in str(info.value)
    assert "unexpected entries ['scale']" in str(info.value)


def test_load_state_dict_wrong_shape():
    model = nn.Linear(2, 1, seed=0)
    with pytest.raises(nn.StateDictError, match=r"'weight' has shape \(1, 2\) but the parameter has shape \(2, 1\)"):
        model.load_state_dict({"weight": np.zeros((1, 2)), "bias": np.zeros(1)})


def test_load_state_dict_wrong_dtype():
    model = nn.Linear(2, 1, seed=0)
    with pytest.raises(nn.StateDictError, match="'bias' has dtype float32 but the parameter has dtype float64"):
        model.load_state_dict({"weight": np.zeros((2, 1)), "bias": np.zeros(1, dtype=np.float32)})


def test_load_state_dict_changes_nothing_on_error():
    model = nn.Linear(2, 1, seed=0)
    before = model.state_dict()
    with pytest.raises(nn.StateDictError):
        model.load_state_dict({"weight": np.zeros((2, 1)), "bias": np.zeros(3)})
    np.testing.assert_array_equal(model.weight.numpy(), before["weight"])


def test_state_dict_error_is_value_error():
    assert issubclass(nn.StateDictError, ValueError)


def test_load_state_dict_from_parameters():
    import nn

    model = nn.MLP(3, hidden=[4], seed=0)
    other = nn.MLP(3, hidden=[4], seed=1)
    model.load_state_dict(dict(other.named_parameters()))
    for (_, mine), (_, theirs) in zip(model.named_parameters(), other.named_parameters()):
        np.testing.assert_array_equal(mine.data, theirs.data)
