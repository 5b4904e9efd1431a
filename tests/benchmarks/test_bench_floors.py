"""The hand-written floors compute what the engines compute: values, gradients and updates.

A floor that computed less would make every ratio look worse than it is.
A floor that computed something else would make the ratios meaningless.
So each floor is checked against autodiff here, and the NumPy floor also
against PyTorch, an independent oracle.
"""

import numpy as np
import pytest

from benchmarks.compare import compare_outputs
from benchmarks.workloads import chain, elementwise, scalar_mlp, tensor_mlp

MLP_SHAPES = [
    ((13, 64, 64, 1), 32, np.float64),
    ((784, 256, 256, 10), 16, np.float64),
    ((5, 7), 3, np.float64),  # one layer: no hidden ReLU
    ((6, 4, 4, 4, 3), 5, np.float64),
    ((784, 256, 256, 10), 16, np.float32),
]


def _outputs(implementation):
    outputs = implementation.extract(implementation.step())
    return {key: np.asarray(value, dtype=np.float64) for key, value in outputs.items()}


def _model_outputs(model_class, sizes, batch, dtype):
    model = model_class(tensor_mlp.make_problem(sizes, batch, dtype, seed=1))
    step = tensor_mlp.training_step(model)
    return model, _outputs(step)


@pytest.mark.parametrize("sizes, batch, dtype", MLP_SHAPES)
@pytest.mark.parametrize("oracle", [tensor_mlp.AutodiffMLP, tensor_mlp.TorchMLP])
def test_numpy_floor_gradients_match(oracle, sizes, batch, dtype):
    _, floor = _model_outputs(tensor_mlp.NumpyMLP, sizes, batch, dtype)
    _, expected = _model_outputs(oracle, sizes, batch, dtype)
    rtol, atol = (1e-4, 1e-5) if dtype == np.float32 else (1e-10, 1e-12)
    assert compare_outputs(expected, floor, rtol, atol) is None
    assert set(floor) == {"loss"} | {f"{kind}{k}" for k in range(1, len(sizes))
                                     for kind in ("dW", "db")}


@pytest.mark.parametrize("sizes, batch, dtype", MLP_SHAPES[:2])
def test_numpy_floor_updates_like_autodiff(sizes, batch, dtype):
    floor, _ = _model_outputs(tensor_mlp.NumpyMLP, sizes, batch, dtype)
    ours, _ = _model_outputs(tensor_mlp.AutodiffMLP, sizes, batch, dtype)
    for (W, b), (W_ours, b_ours) in zip(floor.params, ours.params):
        np.testing.assert_allclose(W, W_ours.data, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(b, b_ours.data, rtol=1e-12, atol=1e-15)


def test_numpy_floor_loss_is_half_mean_squared_error():
    params, X, Y = tensor_mlp.make_problem((3, 4, 2), 6, np.float64, seed=2)
    h = np.maximum(X @ params[0][0] + params[0][1], 0) @ params[1][0] + params[1][1]
    expected = np.mean(0.5 * np.sum((h - Y) ** 2, axis=1))
    floor = tensor_mlp.NumpyMLP((params, X, Y))
    assert floor.forward()[0] == pytest.approx(expected, rel=1e-14)


def test_numpy_floor_step_is_repeatable():
    """The floor modifies arrays in place; a second step from the same state must agree."""
    problem = tensor_mlp.make_problem((13, 64, 64, 1), 32, np.float64, seed=3)
    first = tensor_mlp.NumpyMLP(problem)
    second = tensor_mlp.NumpyMLP(problem)
    outputs = [_outputs(tensor_mlp.training_step(model)) for model in (first, second)]
    assert compare_outputs(outputs[0], outputs[1], 0.0, 0.0) is None
    np.testing.assert_array_equal(problem[1], tensor_mlp.make_problem(
        (13, 64, 64, 1), 32, np.float64, seed=3)[1])  # X untouched


@pytest.mark.parametrize("name", ["python", "torch", "micrograd"])
def test_scalar_mlp_matches_autodiff(name):
    if name == "micrograd":
        pytest.importorskip("micrograd")
    factory = scalar_mlp.IMPLEMENTATIONS[name]
    expected = _outputs(scalar_mlp.IMPLEMENTATIONS["autodiff"](7, 4))
    assert compare_outputs(expected, _outputs(factory(7, 4)), 1e-12, 1e-14) is None


def test_scalar_mlp_counts_nodes_like_torch():
    torch = pytest.importorskip("torch")
    layers, xs, ys = scalar_mlp.make_data(3, seed=0)
    leaves = [[[torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in row]
               for row in W] for W, _ in layers]
    biases = [[torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in b]
              for _, b in layers]
    loss = scalar_mlp.squared_loss(list(zip(leaves, biases)), xs, ys, torch.tanh)

    seen, stack = set(), [loss.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen or type(node).__name__ == "AccumulateGrad":
            continue
        seen.add(node)
        stack += [next_node for next_node, _ in node.next_functions]
    assert len(seen) == scalar_mlp.count_nodes(3) == 3 * 643 + 1


def test_scalar_mlp_has_expected_parameters():
    layers, _, _ = scalar_mlp.make_data(2, seed=0)
    assert len(scalar_mlp.flatten(layers)) == 16 * 2 + 16 + 16 * 16 + 16 + 16 + 1


@pytest.mark.parametrize("name", ["python", "torch", "micrograd"])
def test_chain_matches_autodiff(name):
    if name == "micrograd":
        pytest.importorskip("micrograd")
    expected = _outputs(chain.IMPLEMENTATIONS["autodiff"](50))
    assert compare_outputs(expected, _outputs(chain.IMPLEMENTATIONS[name](50)), 1e-12, 1e-14) is None


def test_chain_floor_matches_finite_differences():
    def y_n(w, b, n=30):
        y = chain.Y0
        for _ in range(n):
            y = np.tanh(y * w + b)
        return y

    outputs = _outputs(chain.python_chain(30))
    eps = 1e-6
    dw = (y_n(chain.W + eps, chain.B) - y_n(chain.W - eps, chain.B)) / (2 * eps)
    db = (y_n(chain.W, chain.B + eps) - y_n(chain.W, chain.B - eps)) / (2 * eps)
    assert outputs["dw"] == pytest.approx(dw, rel=1e-7)
    assert outputs["db"] == pytest.approx(db, rel=1e-7)


@pytest.mark.parametrize("ops", [1, 2, 100])
@pytest.mark.parametrize("name", ["numpy", "torch", "autograd", "mygrad"])
def test_elementwise_matches_autodiff(name, ops):
    if name in ("autograd", "mygrad"):
        pytest.importorskip(name)
    expected = _outputs(elementwise.IMPLEMENTATIONS["autodiff"](ops))
    actual = _outputs(elementwise.IMPLEMENTATIONS[name](ops))
    assert compare_outputs(expected, actual, 1e-12, 1e-14) is None


def test_elementwise_floor_has_closed_form_gradients():
    outputs = _outputs(elementwise.numpy_ops(3))
    x, y = elementwise.X, elementwise.Y
    np.testing.assert_allclose(outputs["h"], x * y**3)
    np.testing.assert_allclose(outputs["dx"], y**3)
    np.testing.assert_allclose(outputs["dy"], 3 * x * y**2)


@pytest.mark.parametrize("name", ["autograd", "mygrad", "autodiff.nn"])
def test_tensor_baselines_match_autodiff(name):
    if name in ("autograd", "mygrad"):
        pytest.importorskip(name)
    sizes, batch, dtype = (13, 64, 64, 1), 32, np.float64
    _, expected = _model_outputs(tensor_mlp.AutodiffMLP, sizes, batch, dtype)
    _, actual = _model_outputs(tensor_mlp.MODELS[name], sizes, batch, dtype)
    assert compare_outputs(expected, actual, 1e-10, 1e-12) is None
