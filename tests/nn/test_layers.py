"""Tests for Linear, the activation layers, Sequential and MLP, with PyTorch as the oracle."""

import numpy as np
import pytest
import torch

import autodiff
import nn

RNG = np.random.default_rng(1234)


def torch_linear_from(layer):
    """A torch.nn.Linear with the same weights; torch stores W as (out, in), so transpose."""
    reference = torch.nn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None,
                                dtype=torch.float64)
    with torch.no_grad():
        reference.weight.copy_(torch.from_numpy(layer.weight.numpy().T.copy()))
        if layer.bias is not None:
            reference.bias.copy_(torch.from_numpy(layer.bias.numpy()))
    return reference


def compare_with_torch(model, reference, X, upstream):
    """Check outputs, input gradients and parameter gradients of model against reference."""
    x = autodiff.tensor(X, requires_grad=True)
    out = model(x)
    (out * upstream).sum().backward()

    x_torch = torch.from_numpy(X.copy()).requires_grad_()
    out_torch = reference(x_torch)
    (out_torch * torch.from_numpy(upstream)).sum().backward()

    np.testing.assert_allclose(out.numpy(), out_torch.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), x_torch.grad.numpy(), rtol=1e-12, atol=1e-12)
    return out


# --- Linear against torch ---


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("init", ["he", "xavier", "lecun", "torch"])
def test_linear_matches_torch(bias, init):
    layer = nn.Linear(4, 3, bias=bias, init=init, seed=0)
    reference = torch_linear_from(layer)
    X = RNG.normal(size=(5, 4))
    upstream = RNG.normal(size=(5, 3))
    compare_with_torch(layer, reference, X, upstream)

    np.testing.assert_allclose(layer.weight.grad.numpy(), reference.weight.grad.numpy().T, rtol=1e-12)
    if bias:
        np.testing.assert_allclose(layer.bias.grad.numpy(), reference.bias.grad.numpy(), rtol=1e-12)


def test_linear_gradients_follow_notes():
    # ∂J/∂W = Xᵀ δ and ∂J/∂b = Σ_rows δ, with δ = ∂J/∂Z (row-major eq. 4.4).
    layer = nn.Linear(3, 2, seed=0)
    X = RNG.normal(size=(6, 3))
    delta = RNG.normal(size=(6, 2))
    layer(X).backward(delta)
    np.testing.assert_allclose(layer.weight.grad.numpy(), X.T @ delta)
    np.testing.assert_allclose(layer.bias.grad.numpy(), delta.sum(axis=0))


def test_linear_single_example_and_batch_axes():
    layer = nn.Linear(3, 2, seed=0)
    x = RNG.normal(size=3)
    assert layer(x).shape == (2,)
    np.testing.assert_allclose(layer(x).numpy(), x @ layer.weight.numpy() + layer.bias.numpy())
    assert layer(RNG.normal(size=(4, 5, 3))).shape == (4, 5, 2)


def test_linear_accepts_lists():
    layer = nn.Linear(2, 1, seed=0, dtype="float32")
    out = layer([[1.0, 2.0]])
    assert out.dtype == np.float32


def test_linear_rejects_wrong_input_size():
    layer = nn.Linear(4, 3, seed=0)
    with pytest.raises(ValueError, match=r"input has shape \(5, 3\), but its last dimension must be 4"):
        layer(np.zeros((5, 3)))


def test_linear_rejects_scalar_input():
    with pytest.raises(ValueError, match=r"input has shape \(\)"):
        nn.Linear(1, 1, seed=0)(autodiff.tensor(1.0))


def test_linear_rejects_float_dtype_mismatch():
    layer = nn.Linear(2, 1, seed=0, dtype="float32")
    with pytest.raises(TypeError, match="input dtype float64 does not match the layer's dtype float32"):
        layer(np.zeros((1, 2)))


def test_linear_integer_input_promotes():
    out = nn.Linear(2, 1, seed=0)(np.array([[1, 2]]))
    assert out.dtype == np.float64


def test_linear_float32():
    layer = nn.Linear(3, 2, seed=0, dtype=np.float32)
    assert layer.weight.dtype == np.float32
    assert layer.bias.dtype == np.float32
    x = RNG.normal(size=(4, 3)).astype(np.float32)
    out = layer(x)
    assert out.dtype == np.float32
    out.sum().backward()
    assert layer.weight.grad.dtype == np.float32
    # The same seed gives the float64 weights rounded to float32.
    np.testing.assert_array_equal(layer.weight.numpy(), nn.Linear(3, 2, seed=0).weight.numpy().astype(np.float32))


@pytest.mark.parametrize("dtype", ["float16", "int64", "complex128", "nonsense", None])
def test_linear_rejects_other_dtypes(dtype):
    with pytest.raises(ValueError, match="dtype must be float64 or float32"):
        nn.Linear(2, 1, dtype=dtype)


@pytest.mark.parametrize("size", [0, -1])
def test_linear_rejects_nonpositive_sizes(size):
    with pytest.raises(ValueError, match="must be a positive int"):
        nn.Linear(size, 1)


@pytest.mark.parametrize("size", [2.0, True, "3"])
def test_linear_rejects_non_int_sizes(size):
    with pytest.raises(TypeError, match="must be a positive int"):
        nn.Linear(size, 1)


def test_linear_rejects_unknown_init():
    with pytest.raises(ValueError, match="unknown init 'glorot'"):
        nn.Linear(2, 1, init="glorot")


# --- initialisation ---


def test_seed_reproducible():
    a = nn.Linear(5, 4, seed=3)
    b = nn.Linear(5, 4, seed=3)
    c = nn.Linear(5, 4, seed=4)
    np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())
    assert not np.array_equal(a.weight.numpy(), c.weight.numpy())


def test_generator_is_advanced():
    rng = np.random.default_rng(0)
    first = nn.Linear(3, 3, seed=rng)
    second = nn.Linear(3, 3, seed=rng)
    assert not np.array_equal(first.weight.numpy(), second.weight.numpy())


def test_seed_none_differs():
    assert not np.array_equal(nn.Linear(4, 4).weight.numpy(), nn.Linear(4, 4).weight.numpy())


@pytest.mark.parametrize("seed", [-1, 1.5, True, "0"])
def test_bad_seed(seed):
    with pytest.raises((TypeError, ValueError), match="seed must be"):
        nn.Linear(2, 1, seed=seed)


def test_he_init_statistics():
    layer = nn.Linear(400, 300, init="he", seed=0)
    weight = layer.weight.numpy()
    assert abs(weight.mean()) < 0.005
    assert weight.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert not layer.bias.numpy().any()


def test_xavier_init_bounds():
    weight = nn.Linear(200, 100, init="xavier", seed=0).weight.numpy()
    bound = np.sqrt(6 / 300)
    assert weight.max() <= bound
    assert weight.min() >= -bound
    assert weight.std() == pytest.approx(bound / np.sqrt(3), rel=0.03)


def test_lecun_init_statistics():
    weight = nn.Linear(400, 300, init="lecun", seed=0).weight.numpy()
    assert weight.std() == pytest.approx(np.sqrt(1 / 400), rel=0.02)


def test_torch_init_bounds():
    layer = nn.Linear(25, 300, init="torch", seed=0)
    assert np.abs(layer.weight.numpy()).max() <= 0.2
    assert np.abs(layer.bias.numpy()).max() <= 0.2
    assert layer.bias.numpy().std() > 0.05


def test_zeros_init():
    layer = nn.Linear(3, 2, init="zeros")
    assert not layer.weight.numpy().any()
    assert not layer.bias.numpy().any()


# --- activations ---


@pytest.mark.parametrize(
    "layer, reference",
    [(nn.ReLU(), torch.nn.ReLU()), (nn.Sigmoid(), torch.nn.Sigmoid()), (nn.Tanh(), torch.nn.Tanh()),
     (nn.Identity(), torch.nn.Identity())],
    ids=["relu", "sigmoid", "tanh", "identity"],
)
def test_activation_matches_torch(layer, reference):
    X = RNG.normal(size=(4, 3)) * 3
    X[0, 0] = 0.0  # ReLU'(0) = 0 in both
    compare_with_torch(layer, reference, X, RNG.normal(size=(4, 3)))


def test_sigmoid_extreme_inputs_finite():
    out = nn.Sigmoid()(autodiff.tensor([-1000.0, 1000.0]))
    assert out.tolist() == [0.0, 1.0]


def test_identity_adds_no_op():
    z = autodiff.tensor([1.0], requires_grad=True)
    assert nn.Identity()(z) is z


def test_activations_have_no_parameters():
    for layer in (nn.ReLU(), nn.Sigmoid(), nn.Tanh(), nn.Identity()):
        assert list(layer.parameters()) == []


# --- Sequential and MLP ---


def test_one_neuron_one_line():
    # The one-neuron model of eq. 2.1 in the CS229 notes: h(x) = max(wx + b, 0).
    neuron = nn.Sequential(nn.Linear(1, 1, seed=0), nn.ReLU())
    neuron[0].load_state_dict({"weight": np.array([[2.0]]), "bias": np.array([-1.0])})
    x = np.array([[-1.0], [0.5], [3.0]])
    np.testing.assert_array_equal(neuron(x).numpy(), np.maximum(2 * x - 1, 0))


def test_two_layer_network_one_line():
    d, m = 4, 3
    # Eqs. 2.5-2.6 of the CS229 notes: z = W[1]x + b[1], a = ReLU(z), h = W[2]a + b[2].
    model = nn.MLP(d, hidden=[m], seed=0)
    X = RNG.normal(size=(5, d))
    W1, b1 = model[0].weight.numpy(), model[0].bias.numpy()
    W2, b2 = model[2].weight.numpy(), model[2].bias.numpy()
    expected = np.maximum(X @ W1 + b1, 0) @ W2 + b2
    np.testing.assert_allclose(model(X).numpy(), expected, rtol=1e-12)
    assert [type(layer) for layer in model] == [nn.Linear, nn.ReLU, nn.Linear]


@pytest.mark.parametrize("activation, torch_activation", [("relu", torch.nn.ReLU), ("tanh", torch.nn.Tanh),
                                                          ("sigmoid", torch.nn.Sigmoid)])
def test_mlp_matches_torch(activation, torch_activation):
    model = nn.MLP(5, hidden=[7, 6], out_features=2, activation=activation, seed=0)
    linears = [layer for layer in model if isinstance(layer, nn.Linear)]
    reference = torch.nn.Sequential(
        torch_linear_from(linears[0]), torch_activation(),
        torch_linear_from(linears[1]), torch_activation(),
        torch_linear_from(linears[2]),
    )
    X = RNG.normal(size=(8, 5))
    compare_with_torch(model, reference, X, RNG.normal(size=(8, 2)))
    for layer, torch_layer in zip(linears, [reference[0], reference[2], reference[4]]):
        np.testing.assert_allclose(layer.weight.grad.numpy(), torch_layer.weight.grad.numpy().T, rtol=1e-10)
        np.testing.assert_allclose(layer.bias.grad.numpy(), torch_layer.bias.grad.numpy(), rtol=1e-10)


def test_mlp_last_layer_linear():
    model = nn.MLP(2, hidden=[3, 3], seed=0)
    assert isinstance(model[-1], nn.Linear)
    assert [type(layer).__name__ for layer in model] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]


def test_mlp_no_hidden_is_linear_model():
    model = nn.MLP(3, hidden=[], out_features=2, seed=0)
    assert len(model) == 1 and isinstance(model[0], nn.Linear)


def test_mlp_default_init_by_activation():
    assert nn.MLP(2, hidden=[3], seed=0)[0].init == "he"
    assert nn.MLP(2, hidden=[3], activation="tanh", seed=0)[0].init == "xavier"
    assert nn.MLP(2, hidden=[3], init="torch", seed=0)[0].init == "torch"


def test_mlp_seed_reproducible_and_layers_differ():
    a = nn.MLP(3, hidden=[3], out_features=3, seed=0)
    b = nn.MLP(3, hidden=[3], out_features=3, seed=0)
    for (name, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(p.numpy(), q.numpy(), err_msg=name)
    assert not np.array_equal(a[0].weight.numpy(), a[2].weight.numpy())


def test_mlp_float32():
    model = nn.MLP(3, hidden=[4], dtype="float32", seed=0)
    assert all(p.dtype == np.float32 for p in model.parameters())
    assert model(np.zeros((2, 3), dtype=np.float32)).dtype == np.float32


def test_mlp_argument_errors():
    with pytest.raises(TypeError, match=r"write hidden=\[8\]"):
        nn.MLP(3, hidden=8)
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        nn.MLP(3, hidden=[8], activation="gelu")
    with pytest.raises(ValueError, match="each hidden size must be a positive int"):
        nn.MLP(3, hidden=[8, 0])


def test_sequential_indexing():
    layers = [nn.Linear(2, 3, seed=0), nn.ReLU(), nn.Linear(3, 1, seed=1)]
    model = nn.Sequential(*layers)
    assert len(model) == 3
    assert model[0] is layers[0]
    assert model[-1] is layers[2]
    assert list(model) == layers
    assert isinstance(model[:2], nn.Sequential) and list(model[:2]) == layers[:2]
    with pytest.raises(IndexError, match="out of range for 3 layers"):
        model[3]
    with pytest.raises(TypeError, match="ints or slices"):
        model["0"]


def test_sequential_setitem_replaces_layer():
    model = nn.Sequential(nn.Linear(2, 2, seed=0), nn.ReLU())
    model[1] = nn.Tanh()
    assert isinstance(model[1], nn.Tanh)
    assert getattr(model, "1") is model[1]
    assert model(np.array([[10.0, -10.0]])).numpy().max() <= 1.0


def test_sequential_rejects_non_module():
    with pytest.raises(TypeError, match="layer 1 is a function, not an nn.Module"):
        nn.Sequential(nn.ReLU(), autodiff.relu)


def test_empty_sequential_is_identity():
    x = autodiff.tensor([1.0])
    assert nn.Sequential()(x) is x


def test_linear_casts_integer_input():
    import nn

    layer = nn.Linear(2, 3, dtype="float32", seed=0)
    z = layer(np.array([[1, 2], [3, 4]]))
    assert z.dtype == np.float32
    np.testing.assert_allclose(z.data, np.array([[1, 2], [3, 4]], np.float32) @ layer.weight.data
                               + layer.bias.data, rtol=1e-6)
