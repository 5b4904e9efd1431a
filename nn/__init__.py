"""nn: layers, losses, optimisers and a training loop on the autodiff engine.

Docstrings follow the notation of the CS229 lecture notes on deep learning
(Ma, Avati, Katanforoosh and Ng), "the notes" below, and cite their
equation and algorithm numbers. Layer k computes
z[k] = a[k-1] W[k] + b[k] and a[k] = g(z[k]) in row-major form (one example
per row), and backprop carries δ[k] = ∂J/∂z[k] backwards.

>>> import numpy as np, nn
>>> model = nn.MLP(2, hidden=[8], seed=0)                 # eq. 2.12 with one hidden layer
>>> optimizer = nn.Adam(model.parameters(), lr=0.01)
>>> X = np.random.default_rng(0).normal(size=(32, 2)); y = X[:, :1] * X[:, 1:]
>>> history = nn.fit(model, nn.squared_loss, optimizer, X, y, epochs=5, batch_size=8, seed=0)
>>> len(history.train_loss)
5
"""

from nn.module import Module, Parameter
from nn.linear import Linear
from nn.activations import Identity, ReLU, Sigmoid, Tanh
from nn.containers import MLP, Sequential
from nn.losses import binary_cross_entropy_with_logits, cross_entropy, mse_loss, squared_loss
from nn.optim import SGD, Adam, Optimizer
from nn.sampling import MinibatchSampler, StochasticSampler
from nn.serialization import ModelFileError, StateDictError
from nn.training import History, evaluate, fit
from nn.plotting import plot_history
from nn import datasets

__all__ = [
    "Adam", "History", "Identity", "Linear", "MLP", "MinibatchSampler", "ModelFileError", "Module",
    "Optimizer", "Parameter", "ReLU", "SGD", "Sequential", "Sigmoid", "StateDictError",
    "StochasticSampler", "Tanh", "binary_cross_entropy_with_logits", "cross_entropy", "datasets",
    "evaluate", "fit", "mse_loss", "plot_history", "squared_loss",
]
