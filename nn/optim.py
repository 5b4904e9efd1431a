"""Optimisers: SGD (with momentum) and Adam, with PyTorch's update formulas.

An optimiser keeps a list of parameters. `step()` reads each `.grad` and
updates `.data` in place, outside the recorded graph. `zero_grad()` clears
the gradients before the next backward().
"""

import math
import numbers

import numpy as np

import autodiff
from autodiff import Tensor


def _check_hyperparameter(value, name, owner, upper=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise TypeError(f"{owner}: {name} must be a finite real number, got {value!r}")
    if value < 0 or (upper is not None and value >= upper):
        limits = f"in [0, {upper})" if upper is not None else ">= 0"
        raise ValueError(f"{owner}: {name} must be {limits}, got {value}")
    return float(value)


class Optimizer:
    """Base class: validates the parameters and implements `zero_grad` and `step`.

    Parameters must be floating-point leaf tensors. Frozen ones
    (requires_grad=False) are accepted as in torch.optim, so
    `model.parameters()` can be passed after freezing a layer. backward()
    leaves their `.grad` at None, so step() skips them.

    Subclasses define `_update(index, param, grad)`, which changes
    `param.data` in place from the ndarray `grad`.
    """

    def __init__(self, params):
        owner = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(f"{owner}: params must be an iterable of Tensors, such as model.parameters(), got a single Tensor")
        params = list(params)
        if not params:
            raise ValueError(f"{owner}: got an empty parameter list; pass model.parameters() of a model with weights")

        seen = set()
        for index, param in enumerate(params):
            if not isinstance(param, Tensor):
                raise TypeError(f"{owner}: parameter {index} is a {type(param).__name__}, not a Tensor")
            if param.dtype.kind != "f":
                raise TypeError(
                    f"{owner}: parameter {index} (shape {param.shape}) has dtype {param.dtype}; "
                    "only floating-point tensors can be optimised, so create it with a float dtype"
                )
            if not param.is_leaf:
                raise ValueError(
                    f"{owner}: parameter {index} (shape {param.shape}) was computed by '{param.op}'; "
                    "only leaf tensors (made by the user, not by an op) can be optimised"
                )
            if id(param) in seen:
                raise ValueError(f"{owner}: parameter {index} (shape {param.shape}) appears more than once")
            seen.add(id(param))
        self.params = params
        self.step_count = 0

    def zero_grad(self):
        """Set `.grad` of every parameter to None, as PyTorch does by default."""
        for param in self.params:
            param.grad = None

    def step(self):
        """Update every parameter that has a gradient, in place.

        Parameters whose `.grad` is None (frozen, or unused by the loss)
        are skipped, as in PyTorch.

        Raises:
            RuntimeError: no parameter has a gradient, which means
                backward() was not called since the last zero_grad(), or
                every parameter is frozen.
        """
        grads = [param.grad for param in self.params]
        if all(grad is None for grad in grads):
            owner = type(self).__name__
            if not any(param.requires_grad for param in self.params):
                raise RuntimeError(
                    f"{owner}.step(): none of the {len(self.params)} parameters requires grad, so "
                    "backward() gives none of them a gradient; unfreeze some with .requires_grad_()"
                )
            raise RuntimeError(
                f"{owner}.step(): no parameter has a gradient; call loss.backward() "
                "before step(), and zero_grad() only after step()"
            )

        self.step_count += 1
        with autodiff.no_grad():
            for index, (param, grad) in enumerate(zip(self.params, grads)):
                if grad is None:
                    continue
                self._update(index, param, grad.numpy())

    def _update(self, index, param, grad):
        raise NotImplementedError(f"{type(self).__name__} does not define _update(index, param, grad)")


class SGD(Optimizer):
    """Stochastic gradient descent, θ := θ - α ∇J (eq. 1.3), with optional momentum.

    The update for each parameter p with gradient g, identical to
    torch.optim.SGD (with dampening τ):

        g := g + λ p                          (weight decay λ, an L2 penalty λ/2 ‖p‖²)
        v := g at the first step, else μ v + (1 - τ) g     (momentum μ > 0 only)
        g := g + μ v if nesterov else v
        p := p - α g

    Which examples make up g is up to the caller: one example for
    Algorithm 1 of the notes, a mini-batch for Algorithm 2 (see
    `nn.StochasticSampler` and `nn.MinibatchSampler`).

    Args:
        params: an iterable of floating-point leaf Tensors, such as
            `model.parameters()`. step() skips every parameter whose .grad is None,
            which includes frozen ones once their .grad has been cleared.
        lr: the learning rate α > 0.
        momentum: μ in [0, 1). 0 (default) is plain SGD.
        weight_decay: λ >= 0.
        dampening: τ in [0, 1], scales the new gradient in the momentum.
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening 0).

    >>> import autodiff as ad, nn
    >>> w = ad.tensor([1.0], requires_grad=True)
    >>> optimizer = nn.SGD([w], lr=0.1)
    >>> (w * w).sum().backward()          # g = 2w = 2
    >>> optimizer.step()
    >>> w.tolist()
    [0.8]
    """

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0, dampening=0.0, nesterov=False):
        self.lr = _check_hyperparameter(lr, "lr", "SGD")
        if self.lr == 0:
            raise ValueError("SGD: lr must be > 0, got 0")
        self.momentum = _check_hyperparameter(momentum, "momentum", "SGD", upper=1.0)
        self.weight_decay = _check_hyperparameter(weight_decay, "weight_decay", "SGD")
        self.dampening = _check_hyperparameter(dampening, "dampening", "SGD", upper=1.0 + 1e-12)
        if nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError("SGD: nesterov=True needs momentum > 0 and dampening = 0")
        self.nesterov = bool(nesterov)
        super().__init__(params)
        self.velocity = [None] * len(self.params)

    def _update(self, index, param, grad):
        if self.weight_decay:
            grad = grad + self.weight_decay * param.data

        if self.momentum:
            velocity = self.velocity[index]
            if velocity is None:
                velocity = self.velocity[index] = grad.copy()
            else:
                velocity *= self.momentum
                velocity += (1.0 - self.dampening) * grad
            grad = grad + self.momentum * velocity if self.nesterov else velocity

        param.data -= self.lr * grad


class Adam(Optimizer):
    """Adam (Kingma and Ba 2015), with the update formulas of torch.optim.Adam.

    For each parameter p with gradient g, at step t = 1, 2, ...:

        g := g + λ p                          (weight decay λ, coupled, as in torch Adam)
        m := β1 m + (1 - β1) g
        v := β2 v + (1 - β2) g²
        p := p - (α / (1 - β1^t)) · m / (sqrt(v) / sqrt(1 - β2^t) + ε)

    m and v start at zero. Note that ε is added after the bias correction
    of v, as PyTorch does.

    Args:
        params: an iterable of floating-point leaf Tensors, such as
            `model.parameters()`. step() skips every parameter whose .grad is None,
            which includes frozen ones once their .grad has been cleared.
        lr: α > 0 (default 1e-3).
        betas: (β1, β2), each in [0, 1) (default (0.9, 0.999)).
        eps: ε >= 0 (default 1e-8).
        weight_decay: λ >= 0 (default 0).

    >>> import autodiff as ad, nn
    >>> w = ad.tensor([1.0], requires_grad=True)
    >>> optimizer = nn.Adam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> optimizer.step()                  # the first step moves each weight by about lr
    >>> round(w.item(), 6)
    0.9
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.lr = _check_hyperparameter(lr, "lr", "Adam")
        if self.lr == 0:
            raise ValueError("Adam: lr must be > 0, got 0")
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (
            _check_hyperparameter(betas[0], "betas[0]", "Adam", upper=1.0),
            _check_hyperparameter(betas[1], "betas[1]", "Adam", upper=1.0),
        )
        self.eps = _check_hyperparameter(eps, "eps", "Adam")
        self.weight_decay = _check_hyperparameter(weight_decay, "weight_decay", "Adam")
        super().__init__(params)
        self.first_moment = [np.zeros_like(param.data) for param in self.params]
        self.second_moment = [np.zeros_like(param.data) for param in self.params]
        self.param_steps = [0] * len(self.params)

    def _update(self, index, param, grad):
        beta1, beta2 = self.betas
        if self.weight_decay:
            grad = grad + self.weight_decay * param.data

        # Each parameter counts its own steps, because a step skips parameters without a gradient.
        self.param_steps[index] += 1
        t = self.param_steps[index]
        m = self.first_moment[index]
        v = self.second_moment[index]
        m += (1.0 - beta1) * (grad - m)  # m = β1 m + (1 - β1) g, computed as torch's lerp
        v *= beta2
        v += (1.0 - beta2) * grad * grad

        step_size = self.lr / (1.0 - beta1**t)
        denominator = np.sqrt(v) / math.sqrt(1.0 - beta2**t) + self.eps
        param.data -= step_size * (m / denominator)
