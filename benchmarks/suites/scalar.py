"""Suite b: scalar circuits in the style of micrograd, where every node is one number.

Two workloads, each written once and run on every library's scalar type:
the expression from micrograd's README (add, mul, pow, relu, division) and
a 3 -> 4 -> 4 -> 1 ReLU MLP built neuron by neuron (act = b + Σ w_i x_i)
with a squared loss over 4 examples, as micrograd's `nn.MLP` computes it.
Ours uses 0-d tensors and torch 0-d float64 tensors.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.compare import OURS, Case, require, run_cases
from benchmarks.report import comparison_table

TITLE = "Scalar circuits"
DESCRIPTION = (
    "micrograd-style graphs of scalars, forward plus backward (gradients cleared before "
    "each step): autodiff 0-d tensors vs micrograd `Value`, torch 0-d tensors and autograd "
    "on Python floats."
)
BASELINES = ("micrograd", "torch", "autograd")
THREAD_SENSITIVE = False

LAYER_SIZES = (3, 4, 4, 1)
EXAMPLES = 4


def readme_expression(a, b, relu):
    """Compute the expression of micrograd's README. At a = -4 and b = 2, g = 24.7041."""
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + relu(b + a)
    d += 3 * d + relu(b - a)
    e = c - d
    f = e**2
    g = e / 2.0
    g += 10.0 / f
    return g


def mlp_loss(layers, xs, ys, relu):
    """Compute Σ_i (mlp(x_i) - y_i)^2 for an MLP given as layers of (weights, bias) neurons.

    Hidden neurons apply ReLU and the output neuron is linear, as in
    micrograd's MLP. Each activation sums left to right from the bias.
    """
    loss = 0.0
    for x, y in zip(xs, ys):
        activations = x
        for k, layer in enumerate(layers):
            outputs = []
            for weights, bias in layer:
                act = bias
                for w, a in zip(weights, activations):
                    act = act + w * a
                outputs.append(relu(act) if k < len(layers) - 1 else act)
            activations = outputs
        loss = loss + (activations[0] - y) ** 2
    return loss


def mlp_data(seed):
    """Return weights [[(w, b), ...] per layer] as floats, and the inputs and targets."""
    rng = random.Random(seed)
    layers = [
        [([rng.uniform(-1, 1) for _ in range(n_in)], rng.uniform(-1, 1)) for _ in range(n_out)]
        for n_in, n_out in zip(LAYER_SIZES[:-1], LAYER_SIZES[1:])
    ]
    xs = [[rng.uniform(-2, 2) for _ in range(LAYER_SIZES[0])] for _ in range(EXAMPLES)]
    ys = [rng.choice((-1.0, 1.0)) for _ in range(EXAMPLES)]
    return layers, xs, ys


def map_layers(layers, make):
    return [[([make(w) for w in weights], make(bias)) for weights, bias in layer] for layer in layers]


def flatten_layers(layers):
    return [p for layer in layers for weights, bias in layer for p in (*weights, bias)]


def _gradient_outputs(loss_value, params, read):
    outputs = {"loss": loss_value}
    outputs.update({f"grad{i}": read(p) for i, p in enumerate(params)})
    return outputs


# ----- each library's scalar type --------------------------------------------

@dataclass
class ScalarLibrary:
    """One library's scalar type: how to make leaves, apply ReLU and read values and gradients."""

    make: Callable  # float -> a leaf scalar that requires grad
    relu: Callable
    cleared_grad: object  # what .grad is reset to before each step
    read_value: Callable  # scalar -> float
    read_grad: Callable  # .grad -> float


def autodiff_scalars():
    import autodiff as ad

    return ScalarLibrary(
        make=lambda value: ad.tensor(value, requires_grad=True), relu=ad.relu, cleared_grad=None,
        read_value=lambda t: t.data, read_grad=lambda t: t.data,
    )


def torch_scalars():
    torch = require("torch")
    return ScalarLibrary(
        make=lambda value: torch.tensor(value, dtype=torch.float64, requires_grad=True),
        relu=torch.relu, cleared_grad=None,
        read_value=lambda t: t.item(), read_grad=lambda t: t.item(),
    )


def micrograd_scalars():
    Value = require("micrograd.engine").Value
    return ScalarLibrary(
        make=Value, relu=lambda v: v.relu(), cleared_grad=0,
        read_value=lambda v: v.data, read_grad=float,
    )


def _training_step(library, params, forward):
    """Return (step, extract) for one step: clear the grads, run forward() and backward()."""

    def step():
        for p in params:
            p.grad = library.cleared_grad
        out = forward()
        out.backward()
        return out

    def extract(out):
        return _gradient_outputs(
            library.read_value(out), params, lambda p: library.read_grad(p.grad)
        )

    return step, extract


# ----- the two workloads, for any scalar type -----------------------------------

def _expression(make_library):
    library = make_library()
    a, b = library.make(-4.0), library.make(2.0)
    return _training_step(library, [a, b], lambda: readme_expression(a, b, library.relu))


def _mlp(make_library, seed):
    library = make_library()
    layers, xs, ys = mlp_data(seed)
    layers = map_layers(layers, library.make)
    forward = lambda: mlp_loss(layers, xs, ys, library.relu)  # noqa: E731
    return _training_step(library, flatten_layers(layers), forward)


def _micrograd_mlp(seed):
    """micrograd's own nn.MLP, with the same weights as the other implementations."""
    nn = require("micrograd.nn")
    layers, xs, ys = mlp_data(seed)
    model = nn.MLP(LAYER_SIZES[0], list(LAYER_SIZES[1:]))
    for layer, neurons in zip(model.layers, layers):
        for neuron, (weights, bias) in zip(layer.neurons, neurons):
            for value, w in zip(neuron.w, weights):
                value.data = w
            neuron.b.data = bias
    params = model.parameters()

    def step():
        model.zero_grad()
        loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys))
        loss.backward()
        return loss

    def extract(loss):
        return _gradient_outputs(loss.data, params, lambda p: p.grad)

    return step, extract


# ----- HIPS autograd: floats in, gradients out --------------------------------

def _autograd_expression():
    autograd = require("autograd")
    anp = require("autograd.numpy")
    value_and_grad = autograd.value_and_grad(
        lambda a, b: readme_expression(a, b, lambda v: anp.maximum(v, 0.0)), argnum=(0, 1)
    )

    def extract(result):
        value, grads = result
        return _gradient_outputs(value, grads, float)

    return (lambda: value_and_grad(-4.0, 2.0)), extract


def _autograd_mlp(seed):
    autograd = require("autograd")
    anp = require("autograd.numpy")
    layers, xs, ys = mlp_data(seed)
    relu = lambda v: anp.maximum(v, 0.0)  # noqa: E731  (no ties at 0 with these inputs)
    value_and_grad = autograd.value_and_grad(lambda ls: mlp_loss(ls, xs, ys, relu))

    def extract(result):
        value, grads = result
        return _gradient_outputs(value, flatten_layers(grads), float)

    return (lambda: value_and_grad(layers)), extract


def cases(seed):
    return [
        Case("micrograd README expression (~30 nodes), forward + backward", {
            OURS: lambda: _expression(autodiff_scalars),
            "micrograd": lambda: _expression(micrograd_scalars),
            "torch": lambda: _expression(torch_scalars),
            "autograd": _autograd_expression,
        }, {"a": -4.0, "b": 2.0}),
        Case("MLP 3-4-4-1 on 4 examples (~300 nodes), forward + backward", {
            OURS: lambda: _mlp(autodiff_scalars, seed),
            "micrograd": lambda: _micrograd_mlp(seed),
            "torch": lambda: _mlp(torch_scalars, seed),
            "autograd": lambda: _autograd_mlp(seed),
        }, {"layers": list(LAYER_SIZES), "examples": EXAMPLES, "seed": seed}),
    ]


def run(config):
    return run_cases(cases(config.seed), config)


def render(rows):
    return comparison_table(rows, BASELINES)


def summarize(rows):
    return comparison_table(rows, BASELINES, ratios_only=True)
