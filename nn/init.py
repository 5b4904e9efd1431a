"""Weight initialisation schemes for `nn.Linear`, by name.

Each scheme returns W[k] of shape (in_features, out_features) and b[k] of
shape (out_features,). Values are drawn in float64 and then cast, so a
float32 layer starts from the rounded float64 weights of the same seed.
"""

import math

import numpy as np

SCHEMES = ("he", "xavier", "lecun", "torch", "zeros")
"""Names accepted by `initial_weights` and by the `init` argument of `nn.Linear`."""


def initial_weights(scheme, in_features, out_features, rng, dtype):
    """Return (W, b) ndarrays drawn with `rng` according to `scheme`.

    With n_in = in_features and n_out = out_features:

    * "he": W ~ N(0, 2 / n_in), b = 0 (He et al. 2015). It keeps the
      variance of a[k] roughly constant through ReLU layers.
    * "xavier": W ~ U(-a, a) with a = sqrt(6 / (n_in + n_out)), b = 0
      (Glorot and Bengio 2010), for tanh and sigmoid layers.
    * "lecun": W ~ N(0, 1 / n_in), b = 0.
    * "torch": W and b ~ U(-1/sqrt(n_in), 1/sqrt(n_in)), the default of
      torch.nn.Linear.
    * "zeros": W = 0 and b = 0. Every hidden unit then gets the same
      gradient, so only a model without hidden layers can learn from it.
    """
    shape = (in_features, out_features)
    bias = np.zeros(out_features)

    if scheme == "he":
        weight = rng.normal(0.0, math.sqrt(2.0 / in_features), size=shape)
    elif scheme == "xavier":
        bound = math.sqrt(6.0 / (in_features + out_features))
        weight = rng.uniform(-bound, bound, size=shape)
    elif scheme == "lecun":
        weight = rng.normal(0.0, math.sqrt(1.0 / in_features), size=shape)
    elif scheme == "torch":
        bound = 1.0 / math.sqrt(in_features)
        weight = rng.uniform(-bound, bound, size=shape)
        bias = rng.uniform(-bound, bound, size=out_features)
    elif scheme == "zeros":
        weight = np.zeros(shape)
    else:
        raise ValueError(f"unknown init {scheme!r}; choose one of {list(SCHEMES)}")

    return weight.astype(dtype), bias.astype(dtype)
