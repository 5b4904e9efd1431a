"""A chain of N scalar steps y ← tanh(y·w + b), from y_0, in each system.

Each step records three nodes (a multiply, an add and a tanh), so the graph
has 3N nodes and is 3N deep. The leaves w and b are shared by every step,
so each receives N gradient contributions:

    ∂y_N/∂y_k = ∏_{j>k} w (1 - y_j²),
    ∂y_N/∂w = Σ_k ∂y_N/∂z_k · y_{k-1},  ∂y_N/∂b = Σ_k ∂y_N/∂z_k,

where z_k = y_{k-1} w + b. The pure-Python floor computes exactly these
sums with floats. With w = 0.5 and b = 0.1 the values settle near the fixed
point of tanh(0.5 y + 0.1), so nothing overflows at any N.
"""

import math

from benchmarks.compare import phased
from benchmarks.systems import OURS, PYTHON_FLOOR, TORCH, require

Y0, W, B = 0.3, 0.5, 0.1
NODES_PER_STEP = 3


def _outputs(y, dw, db):
    return {"y": y, "dw": dw, "db": db}


def python_chain(n):
    """Return the floor: floats, math.tanh and the hand-derived backward pass."""

    def forward():
        ys = [Y0]
        y = Y0
        for _ in range(n):
            y = math.tanh(y * W + B)
            ys.append(y)
        return ys

    def backward(ys):
        # g = ∂y_N/∂y_k, walking k from N down to 1.
        g, dw, db = 1.0, 0.0, 0.0
        for k in range(n, 0, -1):
            y = ys[k]
            dz = g * (1.0 - y * y)
            dw += dz * ys[k - 1]
            db += dz
            g = dz * W
        return ys[-1], dw, db

    return phased(forward, backward, lambda result: _outputs(*result))


def autodiff_chain(n):
    import autodiff as ad

    w = ad.tensor(W, requires_grad=True)
    b = ad.tensor(B, requires_grad=True)
    y0 = ad.tensor(Y0)

    def forward():
        w.grad = b.grad = None
        y = y0
        for _ in range(n):
            y = ad.tanh(y * w + b)
        return y

    def backward(y):
        y.backward()
        return y

    return phased(forward, backward, lambda y: _outputs(y.item(), w.grad.item(), b.grad.item()))


def micrograd_tanh(v):
    """Return tanh(v) for a micrograd Value, written in micrograd's own style.

    micrograd 0.1.0, the version on PyPI, has no tanh, so the benchmark adds
    this one: one node whose backward closure adds (1 - t²)·∂out into v.grad,
    as micrograd's relu does.
    """
    t = math.tanh(v.data)
    out = type(v)(t, (v,), "tanh")

    def _backward():
        v.grad += (1.0 - t * t) * out.grad

    out._backward = _backward
    return out


def micrograd_chain(n):
    Value = require("micrograd.engine").Value
    w, b, y0 = Value(W), Value(B), Value(Y0)

    def forward():
        w.grad = b.grad = 0
        y = y0
        for _ in range(n):
            y = micrograd_tanh(y * w + b)
        return y

    def backward(y):
        y.backward()  # a recursive topological sort: RecursionError on deep graphs
        return y

    return phased(forward, backward, lambda y: _outputs(y.data, w.grad, b.grad))


def torch_chain(n):
    torch = require("torch")
    w = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(B, dtype=torch.float64, requires_grad=True)
    y0 = torch.tensor(Y0, dtype=torch.float64)

    def forward():
        w.grad = b.grad = None
        y = y0
        for _ in range(n):
            y = torch.tanh(y * w + b)
        return y

    def backward(y):
        y.backward()
        return y

    return phased(forward, backward, lambda y: _outputs(y.item(), w.grad.item(), b.grad.item()))


# autodiff first: the others are checked against it.
IMPLEMENTATIONS = {
    OURS: autodiff_chain,
    PYTHON_FLOOR: python_chain,
    "micrograd": micrograd_chain,
    TORCH: torch_chain,
}
