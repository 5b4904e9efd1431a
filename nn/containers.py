"""Layers in a chain: `Sequential`, and `MLP`, the fully connected network of eq. 2.12."""

import numpy as np

from nn._random import as_generator
from nn.activations import ACTIVATIONS
from nn.linear import Linear, check_size
from nn.module import Module


class Sequential(Module):
    """Apply layers one after another: forward(x) = layers[-1](...layers[0](x)).

    The layers are stored as attributes "0", "1", ..., so parameter names
    are "0.weight", "0.bias", ... and the ops of layer i get the scope
    "Sequential/i" (see `nn.Module` for scope names). Index, slice, iterate
    and take `len()` as with a list.

    The two-layer network of eqs. 2.5-2.6 with d inputs and m hidden units,
    z = W[1] x + b[1], a = ReLU(z), h(x) = W[2] a + b[2], is one line:

    >>> import numpy as np, nn
    >>> d, m = 4, 3
    >>> two_layer = nn.Sequential(nn.Linear(d, m, seed=0), nn.ReLU(), nn.Linear(m, 1, seed=1))
    >>> two_layer(np.ones((5, d))).shape
    (5, 1)
    """

    def __init__(self, *layers):
        for index, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(
                    f"Sequential: layer {index} is a {type(layer).__name__}, not an nn.Module; "
                    "wrap functions in a Module subclass"
                )
            setattr(self, str(index), layer)
        # A list for the forward loop; Module's attribute scan skips lists, so nothing is listed twice.
        self._layers = list(layers)

    def forward(self, x):
        for layer in self._layers:
            x = layer(x)
        return x

    def __len__(self):
        return len(self._layers)

    def __iter__(self):
        return iter(self._layers)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(*self._layers[index])
        return self._layers[self._position(index)]

    def __setitem__(self, index, layer):
        """Replace layer `index` with `layer`, stored under the same attribute name."""
        if not isinstance(layer, Module):
            raise TypeError(f"Sequential: a layer must be an nn.Module, got {type(layer).__name__}")
        position = self._position(index)
        setattr(self, str(position), layer)
        self._layers[position] = layer

    def _position(self, index):
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"Sequential indices must be ints or slices, got {type(index).__name__}")
        length = len(self._layers)
        if not -length <= index < length:
            raise IndexError(f"Sequential index {index} is out of range for {length} layers")
        return int(index) % length


class MLP(Sequential):
    """A fully connected network with a linear last layer, eq. 2.12 of the notes.

    With r = len(hidden) + 1 layers, row-major (one example per row):

        a[0] = x
        a[k] = g(a[k-1] W[k] + b[k])     for k = 1, ..., r - 1
        h(x) = a[r-1] W[r] + b[r]        (no activation on the output)

    where g is the activation. The layers are stored as a Sequential:
    Linear at the even positions 0, 2, ..., 2(r-1) and the activation
    between them, so W[k] is `model[2 * (k - 1)].weight`.

    Args:
        in_features: d, the size of each input row.
        hidden: sizes of the hidden layers, [m1, m2, ...]. An empty list
            gives the linear model h(x) = x W + b.
        out_features: size of the output h(x) (default 1).
        activation: "relu" (default), "tanh", "sigmoid" or "identity".
        init: Linear initialisation scheme (see `nn.Linear`). The default
            None picks "he" for ReLU and "xavier" otherwise.
        seed: an int or a numpy.random.Generator. The layers share one
            Generator, so they get different weights and one seed
            reproduces the whole model.
        dtype: float64 (default) or float32.

    The two-layer network of eqs. 2.5-2.6 with m hidden units:

    >>> import numpy as np, nn
    >>> model = nn.MLP(4, hidden=[3], seed=0)
    >>> model
    MLP(
      (0): Linear(in_features=4, out_features=3, weight=(4, 3), bias=(3,))
      (1): ReLU()
      (2): Linear(in_features=3, out_features=1, weight=(3, 1), bias=(1,))
    )
    >>> model(np.ones((5, 4))).shape
    (5, 1)
    """

    def __init__(self, in_features, hidden=(), out_features=1, activation="relu", init=None,
                 seed=None, dtype=np.float64):
        if isinstance(hidden, (int, np.integer)):
            raise TypeError(f"MLP: hidden must be a list of layer sizes, got the int {hidden}; write hidden=[{hidden}]")
        hidden = [check_size(size, "each hidden size", "MLP") for size in hidden]
        if activation not in ACTIVATIONS:
            raise ValueError(f"MLP: unknown activation {activation!r}; choose one of {list(ACTIVATIONS)}")
        if init is None:
            init = "he" if activation == "relu" else "xavier"
        rng = as_generator(seed, "MLP")

        sizes = [in_features, *hidden, out_features]
        layers = []
        for k in range(len(sizes) - 1):
            if k > 0:
                layers.append(ACTIVATIONS[activation]())
            layers.append(Linear(sizes[k], sizes[k + 1], init=init, seed=rng, dtype=dtype))
        super().__init__(*layers)
        self.activation = activation
