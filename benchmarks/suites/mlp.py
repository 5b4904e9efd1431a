"""Suite d: one training step of a small MLP on a batch: forward, backward, SGD update.

Row-major layers as in the notes' equation 4.4: z[k] = a[k-1] W[k] + b[k]
with a[0] = X of shape (n, d), W[k] of shape (d_{k-1}, d_k) and b[k] of
shape (d_k,), broadcast over the batch; a[k] = ReLU(z[k]) for hidden layers
and the last layer is linear. Two losses:

* regression (13 -> 64 -> 64 -> 1): J = (1/n) Σ_i ½ (z[r](i) - y(i))^2,
  so δ[r] = (z[r] - y) / n;
* classification (784 -> 128 -> 10): J = -(1/n) Σ_i log softmax(z[r](i))_{y(i)},
  so δ[r] = (softmax(z[r]) - Y) / n with one-hot Y.

Every library computes the same loss with its own ops (`** 2`, `log_softmax`
times a one-hot matrix) and applies the same in-place update
W[k] -= lr ∂J/∂W[k]. The hand-written NumPy version is Algorithm 5 of the
notes in the row-major layout: δ[k] = (δ[k+1] W[k+1]^T) ⊙ ReLU'(z[k]),
∂J/∂W[k] = a[k-1]^T δ[k] and ∂J/∂b[k] = Σ_i δ[k](i).
"""

import numpy as np

from benchmarks.compare import OURS, Case, require, run_cases
from benchmarks.report import comparison_table

TITLE = "MLP training step"
DESCRIPTION = (
    "Forward + backward + SGD update of a ReLU MLP on one batch of 64, float64 unless "
    "the case says float32 (gradients cleared before each step)."
)
BASELINES = ("torch", "numpy", "autograd")
THREAD_SENSITIVE = True

BATCH = 64
LEARNING_RATE = 1e-3


def make_problem(sizes, task, dtype, seed):
    """Return (params, X, targets) as NumPy arrays; params is [(W[1], b[1]), ...].

    Weights use He initialisation; targets are y of shape (n, 1) for
    "regression" and a one-hot Y of shape (n, classes) for "classification".
    """
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        W = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
        b = rng.normal(0.0, 0.1, size=fan_out)
        params.append((W.astype(dtype), b.astype(dtype)))
    X = rng.normal(size=(BATCH, sizes[0])).astype(dtype)
    if task == "regression":
        targets = rng.normal(size=(BATCH, sizes[-1])).astype(dtype)
    else:
        labels = rng.integers(0, sizes[-1], size=BATCH)
        targets = np.eye(sizes[-1], dtype=dtype)[labels]
    return params, X, targets


def _copy_params(params):
    return [(W.copy(), b.copy()) for W, b in params]


def _gradient_outputs(loss, grads):
    outputs = {"loss": loss}
    for k, (dW, db) in enumerate(grads, start=1):
        outputs[f"dW{k}"] = dW
        outputs[f"db{k}"] = db
    return outputs


# Each implementation is a class with the same three phases, so that the
# memory suite can measure between them. forward() records the graph and
# returns a handle: the loss, or what backward needs. backward(handle)
# returns [(∂J/∂W[k], ∂J/∂b[k]), ...], and update(grads) takes the SGD step.

class OursMLP:
    """autodiff: Tensors for W[k] and b[k]; the update writes into their ndarrays."""

    def __init__(self, problem, task, retain_graph=False):
        import autodiff as ad

        self.ad = ad
        params, X, targets = problem
        self.params = [
            (ad.tensor(W, requires_grad=True), ad.tensor(b, requires_grad=True)) for W, b in params
        ]
        self.flat = [p for pair in self.params for p in pair]
        self.X, self.targets = ad.tensor(X), ad.tensor(targets)
        self.task = task
        self.retain_graph = retain_graph

    def forward(self):
        for p in self.flat:
            p.grad = None
        a = self.X
        for k, (W, b) in enumerate(self.params):
            z = a @ W + b
            a = self.ad.relu(z) if k < len(self.params) - 1 else z
        if self.task == "regression":
            return 0.5 * ((z - self.targets) ** 2).mean()
        return -(self.ad.log_softmax(z, axis=-1) * self.targets).sum() / BATCH

    def backward(self, loss):
        loss.backward(retain_graph=self.retain_graph)
        return [(W.grad, b.grad) for W, b in self.params]

    def update(self, grads):
        for (W, b), (dW, db) in zip(self.params, grads):
            W.data -= LEARNING_RATE * dW.data
            b.data -= LEARNING_RATE * db.data

    @staticmethod
    def outputs(loss, grads):
        return _gradient_outputs(loss.data, [(dW.data, db.data) for dW, db in grads])


class TorchMLP:
    """PyTorch: leaf tensors with requires_grad; the update runs under no_grad."""

    def __init__(self, problem, task):
        self.torch = torch = require("torch")
        params, X, targets = problem
        self.params = [
            (torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True))
            for W, b in params
        ]
        self.flat = [p for pair in self.params for p in pair]
        self.X, self.targets = torch.tensor(X), torch.tensor(targets)
        self.task = task

    def forward(self):
        for p in self.flat:
            p.grad = None
        a = self.X
        for k, (W, b) in enumerate(self.params):
            z = a @ W + b
            a = self.torch.relu(z) if k < len(self.params) - 1 else z
        if self.task == "regression":
            return 0.5 * ((z - self.targets) ** 2).mean()
        return -(self.torch.log_softmax(z, dim=-1) * self.targets).sum() / BATCH

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
        return _gradient_outputs(loss.item(), [(dW.numpy(), db.numpy()) for dW, db in grads])


class NumpyMLP:
    """NumPy by hand: Algorithm 5 in the row-major layout (see the module docstring)."""

    def __init__(self, problem, task):
        params, self.X, self.targets = problem
        self.params = _copy_params(params)
        self.task = task

    def forward(self):
        """Run the forward pass and return (J, cache); the cache keeps a[k], z[k] and δ[r]."""
        activations = [self.X]
        pre_activations = []
        a = self.X
        for k, (W, b) in enumerate(self.params):
            z = a @ W + b
            pre_activations.append(z)
            a = np.maximum(z, 0) if k < len(self.params) - 1 else z
            activations.append(a)

        # δ[r] = ∂J/∂z[r] is computed here, where z[r] and the targets meet.
        if self.task == "regression":
            residual = z - self.targets
            loss = 0.5 * np.mean(residual**2)
            delta = residual / BATCH
        else:
            shifted = z - z.max(axis=1, keepdims=True)
            log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            loss = -(log_probabilities * self.targets).sum() / BATCH
            delta = (np.exp(log_probabilities) - self.targets) / BATCH
        return loss, {"a": activations, "z": pre_activations, "delta": delta}

    def backward(self, handle):
        """Return the gradients, computed from δ[r] back to the first layer.

        The cache is emptied, as autodiff's backward() frees its graph.
        """
        _, cache = handle
        activations, pre_activations, delta = cache.pop("a"), cache.pop("z"), cache.pop("delta")
        grads = [None] * len(self.params)
        for k in reversed(range(len(self.params))):
            W, _ = self.params[k]
            grads[k] = (activations[k].T @ delta, delta.sum(axis=0))
            if k > 0:
                delta = (delta @ W.T) * (pre_activations[k - 1] > 0)
        return grads

    def update(self, grads):
        for (W, b), (dW, db) in zip(self.params, grads):
            W -= LEARNING_RATE * dW
            b -= LEARNING_RATE * db

    @staticmethod
    def outputs(handle, grads):
        return _gradient_outputs(handle[0], grads)


class AutogradMLP:
    """HIPS autograd: forward traces the loss with make_vjp, backward calls the VJP."""

    def __init__(self, problem, task):
        autograd = require("autograd")
        self.anp = require("autograd.numpy")
        self.logsumexp = require("autograd.scipy.special").logsumexp
        params, self.X, self.targets = problem
        self.params = _copy_params(params)
        self.task = task
        self.make_vjp = autograd.make_vjp(self.loss)

    def loss(self, params):
        anp = self.anp
        a = self.X
        for k, (W, b) in enumerate(params):
            z = anp.dot(a, W) + b
            a = anp.maximum(z, 0.0) if k < len(params) - 1 else z
        if self.task == "regression":
            return 0.5 * anp.mean((z - self.targets) ** 2)
        log_probabilities = z - self.logsumexp(z, axis=1, keepdims=True)
        return -anp.sum(log_probabilities * self.targets) / BATCH

    def forward(self):
        vjp, loss = self.make_vjp(self.params)
        return loss, vjp

    def backward(self, handle):
        loss, vjp = handle
        return vjp(np.ones_like(loss))

    def update(self, grads):
        for (W, b), (dW, db) in zip(self.params, grads):
            W -= LEARNING_RATE * dW
            b -= LEARNING_RATE * db

    @staticmethod
    def outputs(handle, grads):
        return _gradient_outputs(handle[0], grads)


def training_step(model):
    """Return (step, extract) for one forward + backward + SGD update of `model`."""
    forward, backward, update = model.forward, model.backward, model.update

    def step():
        handle = forward()
        grads = backward(handle)
        update(grads)
        return handle, grads

    def extract(result):
        return model.outputs(*result)

    return step, extract


MODELS = {OURS: OursMLP, "torch": TorchMLP, "numpy": NumpyMLP, "autograd": AutogradMLP}

# (label, layer sizes, task, dtype)
WORKLOADS = (
    ("13-64-64-1 regression", (13, 64, 64, 1), "regression", np.float64),
    ("784-128-10 classification", (784, 128, 10), "classification", np.float64),
    ("784-128-10 classification, float32", (784, 128, 10), "classification", np.float32),
)


def _factory(model_class, sizes, task, dtype, seed):
    # Each implementation gets its own copy of the same initial problem.
    return lambda: training_step(model_class(make_problem(sizes, task, dtype, seed), task))


def cases(seed):
    result = []
    for label, sizes, task, dtype in WORKLOADS:
        # float32 sums taken in different orders differ by about 1e-6
        # relative (an estimate from these workloads), well inside 1e-4.
        tolerance = {"rtol": 1e-4, "atol": 1e-6} if dtype == np.float32 else {}
        implementations = {
            name: _factory(model_class, sizes, task, dtype, seed)
            for name, model_class in MODELS.items()
        }
        params = {"sizes": list(sizes), "batch": BATCH, "task": task,
                  "dtype": np.dtype(dtype).name, "seed": seed}
        result.append(Case(label, implementations, params, **tolerance))
    return result


def run(config):
    return run_cases(cases(config.seed), config)


def render(rows):
    return comparison_table(rows, BASELINES)


def summarize(rows):
    return comparison_table(rows, BASELINES, ratios_only=True)
