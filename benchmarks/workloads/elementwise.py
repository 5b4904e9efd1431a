"""Per-op overhead: k elementwise multiplies on 2×2 tensors, forward and backward, in each system.

The graph is h_0 = x, h_j = h_{j-1} ⊙ y for j = 1..k, with x and y leaves
of shape (2, 2), differentiated with the seed ∂J/∂h_k = 1 (a 2×2 array of
ones, so no reduction op is added):

    ∂J/∂x = y^k,  ∂J/∂y = Σ_j h_{j-1} ⊙ y^{k-j}.

With k = 1 this is one op; with k = 100 it is a graph of 100 ops in which
y feeds every node and collects 100 gradient contributions. The arithmetic
on 4 numbers is trivial, so the time is the engine's fixed cost per op:
argument handling, node creation, the topological sort and the VJP calls.
"""

import numpy as np

from benchmarks.compare import Implementation
from benchmarks.systems import NUMPY_FLOOR, OURS, TORCH, require

X = np.array([[0.5, -1.0], [2.0, 1.5]])
Y = np.array([[1.001, 0.998], [1.003, 0.995]])  # near 1, so y^100 stays near 1
SEED = np.ones((2, 2))


def _outputs(h, dx, dy):
    return {"h": h, "dx": dx, "dy": dy}


def numpy_ops(k):
    """Return the floor: the forward products, kept, then the backward pass by hand."""
    x, y = X.copy(), Y.copy()

    def step():
        hs = [x]
        h = x
        for _ in range(k):
            h = h * y
            hs.append(h)

        g = SEED  # ∂J/∂h_j, from j = k down to 1
        dy = np.zeros_like(y)
        for j in range(k, 0, -1):
            dy += g * hs[j - 1]
            g = g * y
        return h, g, dy

    return Implementation(step, lambda result: _outputs(*result))


def autodiff_ops(k):
    import autodiff as ad

    x = ad.tensor(X, requires_grad=True)
    y = ad.tensor(Y, requires_grad=True)

    def step():
        x.grad = y.grad = None
        h = x
        for _ in range(k):
            h = h * y
        h.backward(SEED)
        return h

    return Implementation(step, lambda h: _outputs(h.data, x.grad.data, y.grad.data))


def torch_ops(k):
    torch = require("torch")
    x = torch.tensor(X, requires_grad=True)
    y = torch.tensor(Y, requires_grad=True)
    seed = torch.tensor(SEED)

    def step():
        x.grad = y.grad = None
        h = x
        for _ in range(k):
            h = h * y
        h.backward(seed)
        return h

    return Implementation(
        step, lambda h: _outputs(h.detach().numpy(), x.grad.numpy(), y.grad.numpy())
    )


def autograd_ops(k):
    autograd = require("autograd")

    def graph(x, y):
        h = x
        for _ in range(k):
            h = h * y
        return h

    make_vjp = autograd.make_vjp(graph, argnum=(0, 1))
    x, y = X.copy(), Y.copy()

    def step():
        vjp, h = make_vjp(x, y)
        dx, dy = vjp(SEED)
        return h, dx, dy

    return Implementation(step, lambda result: _outputs(*result))


def mygrad_ops(k):
    mg = require("mygrad")
    x, y = mg.tensor(X), mg.tensor(Y)

    def step():
        h = x
        for _ in range(k):
            h = h * y
        h.backward(SEED)  # MyGrad replaces .grad on every backward
        return h

    return Implementation(step, lambda h: _outputs(h.data, x.grad, y.grad))


# autodiff first: the others are checked against it.
IMPLEMENTATIONS = {
    OURS: autodiff_ops,
    NUMPY_FLOOR: numpy_ops,
    TORCH: torch_ops,
    "autograd": autograd_ops,
    "mygrad": mygrad_ops,
}
