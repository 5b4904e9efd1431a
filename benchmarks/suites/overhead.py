"""Suite a: the fixed cost of one recorded op, on a 2x2 tensor and on scalars.

The arithmetic is trivial, so the time is almost all per-op overhead:
argument handling, node creation, the topological sort and the VJP calls.
Hand-written NumPy (or plain Python floats for the scalar case) does the
same arithmetic with no engine and is the floor.
"""

import numpy as np

from benchmarks.compare import OURS, Case, require, run_cases
from benchmarks.report import comparison_table

TITLE = "Per-op overhead"
DESCRIPTION = (
    "A few elementwise ops on a 2x2 float64 tensor or on scalars, forward plus backward "
    "(gradients cleared before each step) and forward only."
)
BASELINES = ("torch", "autograd", "micrograd", "numpy", "python")
THREAD_SENSITIVE = False

X = np.array([[0.5, -1.0], [2.0, 1.5]])
Y = np.array([[1.5, 2.0], [-0.5, 3.0]])
A, B, C = 0.5, -1.5, 2.0


# ----- (x * y + x).sum() on 2x2, forward and backward --------------------------

def _ours_2x2(backward=True, recording=True):
    import autodiff as ad

    x = ad.tensor(X, requires_grad=recording)
    y = ad.tensor(Y, requires_grad=recording)

    def step():
        x.grad = None
        y.grad = None
        z = (x * y + x).sum()
        if backward:
            z.backward()
        return z

    def step_no_grad():
        with ad.no_grad():
            return (x * y + x).sum()

    def extract(z):
        outputs = {"z": z.data}
        if backward:
            outputs.update(dx=x.grad.data, dy=y.grad.data)
        return outputs

    return (step if recording else step_no_grad), extract


def _torch_2x2(backward=True, recording=True):
    torch = require("torch")
    x = torch.tensor(X, requires_grad=recording)
    y = torch.tensor(Y, requires_grad=recording)

    def step():
        x.grad = None
        y.grad = None
        z = (x * y + x).sum()
        if backward:
            z.backward()
        return z

    def step_no_grad():
        with torch.no_grad():
            return (x * y + x).sum()

    def extract(z):
        outputs = {"z": z.detach().numpy()}
        if backward:
            outputs.update(dx=x.grad.numpy(), dy=y.grad.numpy())
        return outputs

    return (step if recording else step_no_grad), extract


def _autograd_2x2():
    autograd = require("autograd")
    anp = require("autograd.numpy")
    value_and_grad = autograd.value_and_grad(lambda x, y: anp.sum(x * y + x), argnum=(0, 1))
    x, y = X.copy(), Y.copy()

    def step():
        return value_and_grad(x, y)

    def extract(result):
        z, (dx, dy) = result
        return {"z": z, "dx": dx, "dy": dy}

    return step, extract


def _numpy_2x2(backward=True):
    x, y = X.copy(), Y.copy()

    def step():
        z = (x * y + x).sum()
        if not backward:
            return z, None, None
        # z = Σ (x ⊙ y + x), so ∂z/∂x = y + 1 and ∂z/∂y = x (seed g = 1 everywhere).
        g = np.ones_like(x)
        return z, g * y + g, g * x

    def extract(result):
        z, dx, dy = result
        return {"z": z} if dx is None else {"z": z, "dx": dx, "dy": dy}

    return step, extract


# ----- x * y on 2x2: a single op -----------------------------------------------

def _ours_multiply():
    import autodiff as ad

    x = ad.tensor(X, requires_grad=True)
    y = ad.tensor(Y, requires_grad=True)
    return (lambda: x * y), (lambda z: {"z": z.data})


def _torch_multiply():
    torch = require("torch")
    x = torch.tensor(X, requires_grad=True)
    y = torch.tensor(Y, requires_grad=True)
    return (lambda: x * y), (lambda z: {"z": z.detach().numpy()})


def _numpy_multiply():
    x, y = X.copy(), Y.copy()
    return (lambda: x * y), (lambda z: {"z": z})


# ----- a + b * c on scalars ----------------------------------------------------

def _ours_scalar(backward=True):
    import autodiff as ad

    a, b, c = (ad.tensor(value, requires_grad=True) for value in (A, B, C))

    def step():
        a.grad = b.grad = c.grad = None
        d = a + b * c
        if backward:
            d.backward()
        return d

    def extract(d):
        outputs = {"d": d.data}
        if backward:
            outputs.update(da=a.grad.data, db=b.grad.data, dc=c.grad.data)
        return outputs

    return step, extract


def _torch_scalar(backward=True):
    torch = require("torch")
    a, b, c = (torch.tensor(value, dtype=torch.float64, requires_grad=True) for value in (A, B, C))

    def step():
        a.grad = b.grad = c.grad = None
        d = a + b * c
        if backward:
            d.backward()
        return d

    def extract(d):
        outputs = {"d": d.item()}
        if backward:
            outputs.update(da=a.grad.item(), db=b.grad.item(), dc=c.grad.item())
        return outputs

    return step, extract


def _micrograd_scalar(backward=True):
    Value = require("micrograd.engine").Value
    a, b, c = Value(A), Value(B), Value(C)

    def step():
        a.grad = b.grad = c.grad = 0
        d = a + b * c
        if backward:
            d.backward()
        return d

    def extract(d):
        outputs = {"d": d.data}
        if backward:
            outputs.update(da=a.grad, db=b.grad, dc=c.grad)
        return outputs

    return step, extract


def _autograd_scalar():
    autograd = require("autograd")
    value_and_grad = autograd.value_and_grad(lambda a, b, c: a + b * c, argnum=(0, 1, 2))

    def step():
        return value_and_grad(A, B, C)

    def extract(result):
        d, (da, db, dc) = result
        return {"d": d, "da": da, "db": db, "dc": dc}

    return step, extract


def _python_scalar(backward=True):
    def step():
        d = A + B * C
        if not backward:
            return d, None
        return d, (1.0, C, B)  # ∂d/∂a = 1, ∂d/∂b = c, ∂d/∂c = b

    def extract(result):
        d, grads = result
        if grads is None:
            return {"d": d}
        return {"d": d, "da": grads[0], "db": grads[1], "dc": grads[2]}

    return step, extract


def cases():
    return [
        Case("2x2 (x*y + x).sum(), forward + backward", {
            OURS: _ours_2x2,
            "torch": _torch_2x2,
            "autograd": _autograd_2x2,
            "numpy": _numpy_2x2,
        }, {"shape": [2, 2], "ops": 3}),
        Case("2x2 (x*y + x).sum(), forward, recording", {
            OURS: lambda: _ours_2x2(backward=False),
            "torch": lambda: _torch_2x2(backward=False),
            "numpy": lambda: _numpy_2x2(backward=False),
        }, {"shape": [2, 2], "ops": 3}),
        Case("2x2 (x*y + x).sum(), forward, no_grad", {
            OURS: lambda: _ours_2x2(backward=False, recording=False),
            "torch": lambda: _torch_2x2(backward=False, recording=False),
            "numpy": lambda: _numpy_2x2(backward=False),
        }, {"shape": [2, 2], "ops": 3}),
        Case("2x2 x*y, one op, recording", {
            OURS: _ours_multiply,
            "torch": _torch_multiply,
            "numpy": _numpy_multiply,
        }, {"shape": [2, 2], "ops": 1}),
        Case("scalar a + b*c, forward + backward", {
            OURS: _ours_scalar,
            "torch": _torch_scalar,
            "autograd": _autograd_scalar,
            "micrograd": _micrograd_scalar,
            "python": _python_scalar,
        }, {"shape": [], "ops": 2}),
        Case("scalar a + b*c, forward, recording", {
            OURS: lambda: _ours_scalar(backward=False),
            "torch": lambda: _torch_scalar(backward=False),
            "micrograd": lambda: _micrograd_scalar(backward=False),
            "python": lambda: _python_scalar(backward=False),
        }, {"shape": [], "ops": 2}),
    ]


def run(config):
    return run_cases(cases(), config)


def render(rows):
    return comparison_table(rows, BASELINES)


def summarize(rows):
    return comparison_table(rows, BASELINES, ratios_only=True)
