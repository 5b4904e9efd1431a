"""A 2-16-16-1 MLP evaluated point by point as a graph of scalars, in each system.

Every weight is its own scalar leaf. Hidden neuron j of layer k computes
z_j = b_j + Σ_i W_ji a_i, summed left to right from the bias, and
a_j = tanh(z_j); the output neuron is linear. The loss over the n points is
the squared loss J = (1/n) Σ_i ½ (h(x(i)) - y(i))². One generic function,
`squared_loss`, runs unchanged on autodiff's 0-d tensors, micrograd's
Values and PyTorch's 0-d tensors. The pure-Python floor computes the same
sums with floats and a hand-written backward pass (Algorithm 5 of the
CS229 deep-learning notes, one example at a time).
"""

import math
import random

import numpy as np

from benchmarks.compare import phased
from benchmarks.systems import OURS, PYTHON_FLOOR, TORCH, require
from benchmarks.workloads.chain import micrograd_tanh

SIZES = (2, 16, 16, 1)


def make_data(points, seed):
    """Return (layers, xs, ys) as floats; layers is [(W, b), ...] with W[j][i] and b[j].

    Weights are uniform in ±1/sqrt(fan-in); the points are uniform in
    [-1, 1]² and the target is y = x_1 x_2.
    """
    rng = random.Random(seed)
    layers = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1.0 / math.sqrt(fan_in)
        W = [[rng.uniform(-bound, bound) for _ in range(fan_in)] for _ in range(fan_out)]
        b = [rng.uniform(-bound, bound) for _ in range(fan_out)]
        layers.append((W, b))
    xs = [[rng.uniform(-1.0, 1.0) for _ in range(SIZES[0])] for _ in range(points)]
    ys = [x[0] * x[1] for x in xs]
    return layers, xs, ys


def count_nodes(points):
    """Return the number of ops that `squared_loss` records for `points` points.

    Per point, a neuron with fan-in m records m multiplies and m adds, plus a
    tanh when hidden; the loss records a subtract, a multiply and an add.
    The final scaling by 1/(2n) is one more.
    """
    per_point = 3
    for k, (fan_in, fan_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        hidden = k < len(SIZES) - 2
        per_point += fan_out * (2 * fan_in + hidden)
    return points * per_point + 1


def squared_loss(layers, xs, ys, tanh):
    """Return J = (1/n) Σ_i ½ (h(x(i)) - y(i))² for any scalar type with +, -, * and `tanh`."""
    last = len(layers) - 1
    total = 0.0
    for x, y in zip(xs, ys):
        a = x
        for k, (W, b) in enumerate(layers):
            z = []
            for row, bias in zip(W, b):
                s = bias
                for w, a_i in zip(row, a):
                    s = s + w * a_i
                z.append(s)
            a = z if k == last else [tanh(s) for s in z]
        r = a[0] - y
        total = total + r * r
    return total * (0.5 / len(xs))


def flatten(layers):
    """Return the parameters in one list: W[1] row by row, b[1], W[2], b[2], ..."""
    return [p for W, b in layers for p in (*[w for row in W for w in row], *b)]


def _map_layers(layers, make):
    return [([[make(w) for w in row] for row in W], [make(v) for v in b]) for W, b in layers]


def _outputs(loss, grads):
    return {"loss": loss, "grad": np.array(grads, dtype=np.float64)}


# ----- the floor: floats and a hand-written backward pass ----------------------

def python_mlp(points, seed):
    layers, xs, ys = make_data(points, seed)
    n = len(xs)
    last = len(layers) - 1

    def forward():
        """Return J and, per point, the activations a[0..r] that backward needs."""
        total = 0.0
        cache = []
        for x, y in zip(xs, ys):
            activations = [x]
            a = x
            for k, (W, b) in enumerate(layers):
                z = []
                for row, bias in zip(W, b):
                    s = bias
                    for w, a_i in zip(row, a):
                        s += w * a_i
                    z.append(s)
                a = z if k == last else [math.tanh(s) for s in z]
                activations.append(a)
            r = a[0] - y
            total += r * r
            cache.append((activations, r))
        return total * (0.5 / n), cache

    def backward(handle):
        """Return J and ∂J/∂θ in `flatten` order: δ = ∂J/∂z, from the output back."""
        loss, cache = handle
        grads = [([[0.0] * len(row) for row in W], [0.0] * len(b)) for W, b in layers]
        for activations, r in cache:
            delta = [r / n]  # δ[r] for the linear output neuron
            for k in range(last, -1, -1):
                W, _ = layers[k]
                dW, db = grads[k]
                a_prev = activations[k]
                for j, d in enumerate(delta):
                    db[j] += d
                    dW_row = dW[j]
                    for i, a_i in enumerate(a_prev):
                        dW_row[i] += d * a_i
                if k > 0:
                    # δ[k-1]_i = (Σ_j δ_j W_ji) · tanh'(z_i), and tanh' = 1 - a².
                    delta = [
                        sum(d * W[j][i] for j, d in enumerate(delta)) * (1.0 - a_i * a_i)
                        for i, a_i in enumerate(a_prev)
                    ]
        return loss, flatten(grads)

    return phased(forward, backward, lambda result: _outputs(*result))


# ----- engines: one leaf per weight, the generic loss ---------------------------

def _engine_mlp(points, seed, make_leaf, tanh, clear_grads, read):
    """Return the Implementation of an engine given how to make leaves and read results.

    `read(loss, params)` returns (J as a float, [∂J/∂p as floats]).
    """
    layers, xs, ys = make_data(points, seed)
    layers = _map_layers(layers, make_leaf)
    params = flatten(layers)

    def forward():
        clear_grads(params)
        return squared_loss(layers, xs, ys, tanh)

    def backward(loss):
        loss.backward()
        return loss

    return phased(forward, backward, lambda loss: _outputs(*read(loss, params)))


def _set_grads_none(params):
    for p in params:
        p.grad = None


def autodiff_mlp(points, seed):
    import autodiff as ad

    return _engine_mlp(
        points, seed, make_leaf=lambda v: ad.tensor(v, requires_grad=True), tanh=ad.tanh,
        clear_grads=_set_grads_none,
        read=lambda loss, params: (loss.item(), [p.grad.item() for p in params]),
    )


def micrograd_mlp(points, seed):
    Value = require("micrograd.engine").Value

    def clear_grads(params):
        for p in params:
            p.grad = 0

    return _engine_mlp(
        points, seed, make_leaf=Value, tanh=micrograd_tanh, clear_grads=clear_grads,
        read=lambda loss, params: (loss.data, [p.grad for p in params]),
    )


def torch_mlp(points, seed):
    torch = require("torch")
    return _engine_mlp(
        points, seed,
        make_leaf=lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True),
        tanh=torch.tanh, clear_grads=_set_grads_none,
        read=lambda loss, params: (loss.item(), [p.grad.item() for p in params]),
    )


# autodiff first: the others are checked against it.
IMPLEMENTATIONS = {
    OURS: autodiff_mlp,
    PYTHON_FLOOR: python_mlp,
    "micrograd": micrograd_mlp,
    TORCH: torch_mlp,
}
