"""Elementwise activation layers: a[k] = g(z[k]), with no parameters."""

import autodiff
from nn.module import Module


class ReLU(Module):
    """a = ReLU(z) = max(z, 0) elementwise, with ReLU'(0) = 0 as in PyTorch.

    >>> import autodiff as ad, nn
    >>> nn.ReLU()(ad.tensor([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """

    def forward(self, z):
        return autodiff.relu(z)


class Sigmoid(Module):
    """a = σ(z) = 1 / (1 + exp(-z)) elementwise, finite for any z.

    >>> import autodiff as ad, nn
    >>> nn.Sigmoid()(ad.tensor([0.0])).tolist()
    [0.5]
    """

    def forward(self, z):
        return autodiff.sigmoid(z)


class Tanh(Module):
    """a = tanh(z) elementwise.

    >>> import autodiff as ad, nn
    >>> nn.Tanh()(ad.tensor([0.0])).tolist()
    [0.0]
    """

    def forward(self, z):
        return autodiff.tanh(z)


class Identity(Module):
    """a = z: returns its input unchanged, adding no op to the graph.

    >>> import autodiff as ad, nn
    >>> z = ad.tensor([1.0])
    >>> nn.Identity()(z) is z
    True
    """

    def forward(self, z):
        return z


ACTIVATIONS = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh, "identity": Identity}
"""Activation layers by the names that `nn.MLP` accepts."""
