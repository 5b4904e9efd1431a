"""One training step of a ReLU MLP on a batch, in each system: forward, backward, SGD update.

Row-major layers as in the notes' equation 4.4: z[k] = a[k-1] W[k] + b[k]
with a[0] = X of shape (n, d_0), W[k] of shape (d_{k-1}, d_k) and b[k] of
shape (d_k,) broadcast over the batch; a[k] = ReLU(z[k]) for hidden layers
and the output h = z[r] is linear. The loss is the squared loss
J = (1/n) Σ_i ½ ‖h(x(i)) - y(i)‖², written in every engine as
`((h - Y) ** 2).sum() * (0.5 / n)`, and the update is plain SGD in place,
W[k] -= α ∂J/∂W[k] with α = LEARNING_RATE.

The hand-written NumPy step is the floor for any engine on NumPy. It is
Algorithm 5 of the notes, vectorised over the batch in the row-major layout:
δ[r] = (h - Y)/n, ∂J/∂W[k] = a[k-1]^T δ[k], ∂J/∂b[k] = Σ_i δ[k](i) and
δ[k-1] = (δ[k] W[k]^T) ⊙ ReLU'(z[k-1]). It wastes no copies and updates in
place, but computes every quantity that an engine computes.

Each system is a class with forward() -> handle, backward(handle) -> grads
and update(grads), so that a step can be timed whole or by phase, and
zero_grad(), which drops the gradients that the system keeps between steps
(so that a memory measurement starts from the same state in every system).
"""

import numpy as np

from benchmarks.compare import Implementation, phased
from benchmarks.systems import NUMPY_FLOOR, OURS, OURS_NN, TORCH, require

LEARNING_RATE = 1e-3


def make_problem(sizes, batch, dtype, seed):
    """Return (params, X, Y) as arrays of `dtype`; params is [(W[1], b[1]), ...].

    Weights use He initialisation (normal with variance 2/fan-in); X and the
    regression targets Y, of shape (batch, d_r), are standard normal.
    """
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        W = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
        b = rng.normal(0.0, 0.1, size=fan_out)
        params.append((W.astype(dtype), b.astype(dtype)))
    X = rng.normal(size=(batch, sizes[0])).astype(dtype)
    Y = rng.normal(size=(batch, sizes[-1])).astype(dtype)
    return params, X, Y


def _outputs(loss, grads):
    outputs = {"loss": loss}
    for k, (dW, db) in enumerate(grads, start=1):
        outputs[f"dW{k}"] = dW
        outputs[f"db{k}"] = db
    return outputs


class NumpyMLP:
    """The floor: Algorithm 5 by hand (see the module docstring)."""

    def __init__(self, problem):
        params, self.X, self.Y = problem
        self.params = [(W.copy(), b.copy()) for W, b in params]

    def zero_grad(self):
        pass  # the gradients live only inside a step

    def forward(self):
        """Return (J, a[0..r-1], δ[r]); the activations are what backward needs."""
        activations = []
        a = self.X
        last = len(self.params) - 1
        for k, (W, b) in enumerate(self.params):
            activations.append(a)
            z = a @ W
            z += b  # the product is a fresh array, so the bias goes in place
            a = z if k == last else np.maximum(z, 0)

        # Reuse the residual h - Y as δ[r] = (h - Y)/n once J is taken from it.
        n = self.X.shape[0]
        delta = a
        delta -= self.Y
        loss = (delta * delta).sum() * (0.5 / n)
        delta *= 1.0 / n
        return loss, activations, delta

    def backward(self, handle):
        """Return [(∂J/∂W[k], ∂J/∂b[k]), ...], from δ[r] back to the first layer."""
        _, activations, delta = handle
        grads = [None] * len(self.params)
        for k in range(len(self.params) - 1, -1, -1):
            # Pop a[k] so that each activation is freed once used, as an
            # engine frees its graph during backward.
            a_prev = activations.pop()
            grads[k] = (a_prev.T @ delta, delta.sum(axis=0))
            if k > 0:
                W, _ = self.params[k]
                delta = delta @ W.T
                delta *= a_prev > 0  # ReLU'(z[k-1]), read from a[k-1] = max(z[k-1], 0)
        return grads

    def update(self, grads):
        for (W, b), (dW, db) in zip(self.params, grads):
            W -= LEARNING_RATE * dW
            b -= LEARNING_RATE * db

    @staticmethod
    def outputs(handle, grads):
        return _outputs(handle[0], grads)


class AutodiffMLP:
    """autodiff's Tensors; the update writes into each parameter's ndarray."""

    def __init__(self, problem):
        import autodiff as ad

        self.ad = ad
        params, X, Y = problem
        self.params = [(ad.tensor(W, requires_grad=True), ad.tensor(b, requires_grad=True))
                       for W, b in params]
        self.flat = [p for pair in self.params for p in pair]
        self.X, self.Y = ad.tensor(X), ad.tensor(Y)

    def zero_grad(self):
        for p in self.flat:
            p.grad = None

    def forward(self):
        self.zero_grad()
        a = self.X
        last = len(self.params) - 1
        for k, (W, b) in enumerate(self.params):
            z = a @ W + b
            a = z if k == last else self.ad.relu(z)
        return ((a - self.Y) ** 2).sum() * (0.5 / self.X.shape[0])

    def backward(self, loss):
        loss.backward()
        return [(W.grad, b.grad) for W, b in self.params]

    def update(self, grads):
        for (W, b), (dW, db) in zip(self.params, grads):
            W.data -= LEARNING_RATE * dW.data
            b.data -= LEARNING_RATE * db.data

    @staticmethod
    def outputs(loss, grads):
        return _outputs(loss.item(), [(dW.data, db.data) for dW, db in grads])


class AutodiffNNMLP:
    """The step as a user of the nn package writes it: nn.MLP, nn.squared_loss and nn.SGD."""

    def __init__(self, problem):
        import nn

        params, X, Y = problem
        sizes = [params[0][0].shape[0]] + [W.shape[1] for W, _ in params]
        self.model = nn.MLP(sizes[0], hidden=sizes[1:-1], out_features=sizes[-1],
                            dtype=X.dtype)
        # nn.MLP lists each layer's weight, then its bias, in order.
        self.params = list(self.model.parameters())
        for parameter, value in zip(self.params, [array for pair in params for array in pair]):
            parameter.data[...] = value
        self.optimizer = nn.SGD(self.params, lr=LEARNING_RATE)
        self.loss_function = nn.squared_loss
        self.X, self.Y = X, Y

    def zero_grad(self):
        self.optimizer.zero_grad()

    def forward(self):
        self.optimizer.zero_grad()
        return self.loss_function(self.model(self.X), self.Y)

    def backward(self, loss):
        loss.backward()
        return list(zip(self.params[::2], self.params[1::2]))

    def update(self, grads):
        self.optimizer.step()

    @staticmethod
    def outputs(loss, params):
        return _outputs(loss.item(), [(W.grad.data, b.grad.data) for W, b in params])


class TorchMLP:
    """PyTorch eager on plain leaf tensors; the update runs under no_grad."""

    def __init__(self, problem):
        self.torch = torch = require("torch")
        params, X, Y = problem
        self.params = [(torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True))
                       for W, b in params]
        self.flat = [p for pair in self.params for p in pair]
        self.X, self.Y = torch.tensor(X), torch.tensor(Y)

    def zero_grad(self):
        for p in self.flat:
            p.grad = None

    def forward(self):
        self.zero_grad()
        a = self.X
        last = len(self.params) - 1
        for k, (W, b) in enumerate(self.params):
            z = a @ W + b
            a = z if k == last else self.torch.relu(z)
        return ((a - self.Y) ** 2).sum() * (0.5 / self.X.shape[0])

    def backward(self, loss):
        loss.backward()
        return [(W.grad, b.grad) for W, b in self.params]

    def update(self, grads):
        with self.torch.no_grad():
            for (W, b), (dW, db) in zip(self.params, grads):
                W -= LEARNING_RATE * dW
                b -= LEARNING_RATE * db

    @staticmethod
    def outputs(loss, grads):
        return _outputs(loss.item(), [(dW.numpy(), db.numpy()) for dW, db in grads])


class AutogradMLP:
    """HIPS autograd: value_and_grad of the loss as a function of the parameters."""

    def __init__(self, problem):
        autograd = require("autograd")
        self.anp = require("autograd.numpy")
        params, self.X, self.Y = problem
        self.params = [(W.copy(), b.copy()) for W, b in params]
        self.value_and_grad = autograd.value_and_grad(self.loss)

    def zero_grad(self):
        pass  # value_and_grad returns the gradients; nothing keeps them

    def loss(self, params):
        anp = self.anp
        a = self.X
        last = len(params) - 1
        for k, (W, b) in enumerate(params):
            z = anp.dot(a, W) + b
            a = z if k == last else anp.maximum(z, 0.0)
        return ((a - self.Y) ** 2).sum() * (0.5 / self.X.shape[0])

    def forward_and_backward(self):
        return self.value_and_grad(self.params)

    def update(self, grads):
        for (W, b), (dW, db) in zip(self.params, grads):
            W -= LEARNING_RATE * dW
            b -= LEARNING_RATE * db

    @staticmethod
    def outputs(loss, grads):
        return _outputs(loss, grads)


class MyGradMLP:
    """MyGrad with its default settings (memory guarding on); grads are ndarrays."""

    def __init__(self, problem):
        self.mg = mg = require("mygrad")
        self.relu = require("mygrad.nnet.activations").relu
        params, X, Y = problem
        self.params = [(mg.tensor(W), mg.tensor(b)) for W, b in params]
        self.X, self.Y = X, Y

    def zero_grad(self):
        for W, b in self.params:
            W.null_grad()
            b.null_grad()

    def forward(self):
        a = self.X
        last = len(self.params) - 1
        for k, (W, b) in enumerate(self.params):
            z = self.mg.matmul(a, W) + b
            a = z if k == last else self.relu(z)
        return ((a - self.Y) ** 2).sum() * (0.5 / self.X.shape[0])

    def backward(self, loss):
        # MyGrad replaces .grad on every backward, so there is nothing to clear.
        loss.backward()
        return [(W.grad, b.grad) for W, b in self.params]

    def update(self, grads):
        for (W, b), (dW, db) in zip(self.params, grads):
            W.data -= LEARNING_RATE * dW
            b.data -= LEARNING_RATE * db

    @staticmethod
    def outputs(loss, grads):
        return _outputs(loss.item(), grads)


def training_step(model):
    """Return the Implementation of one forward + backward + update of `model`."""
    if isinstance(model, AutogradMLP):
        # autograd runs both passes in one call, so it has no separate phases.
        def step():
            loss, grads = model.forward_and_backward()
            model.update(grads)
            return loss, grads

        return Implementation(step, lambda result: model.outputs(*result))

    forward, backward, update = model.forward, model.backward, model.update

    def backward_and_update(handle):
        grads = backward(handle)
        update(grads)
        return handle, grads

    return phased(forward, backward_and_update, lambda result: model.outputs(*result))


def gradient_phases(model):
    """Return the Implementation of forward and backward only (no update), for phase timing."""
    backward = model.backward
    return phased(model.forward, lambda handle: (handle, backward(handle)),
                  lambda result: model.outputs(*result))


# autodiff first: the others are checked against it.
MODELS = {
    OURS: AutodiffMLP,
    OURS_NN: AutodiffNNMLP,
    NUMPY_FLOOR: NumpyMLP,
    TORCH: TorchMLP,
    "autograd": AutogradMLP,
    "mygrad": MyGradMLP,
}
