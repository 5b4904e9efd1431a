"""Small named circuits for pictures, notebooks and tests."""

from autodiff.ops import relu
from autodiff.tensor import Tensor

# θ1..θ12 of the housing network. With the default inputs every hidden unit
# is active (its ReLU input is positive), so every θ gets a nonzero gradient.
HOUSING_THETA = (0.5, 0.8, -1.0, 1.2, 0.3, -0.4, 0.9, 0.2, 1.5, 0.7, 2.0, 0.1)


def housing_circuit(size=2.0, bedrooms=3.0, zip_code=0.5, wealth=1.5, theta=HOUSING_THETA):
    """Build the hand-designed housing-price network of equation 2.3, one scalar per node.

    Inputs x1..x4 are size, bedrooms, zip code and wealth; the hidden units
    are

        a1 = ReLU(θ1·x1 + θ2·x2 + θ3)   "family size"
        a2 = ReLU(θ4·x3 + θ5)           "walkable"
        a3 = ReLU(θ6·x3 + θ7·x4 + θ8)   "school quality"

    and the output is h = θ9·a1 + θ10·a2 + θ11·a3 + θ12, named "price".
    The inputs are float64 constants, θ1..θ12 float64 parameters that
    require grad, and every tensor is a 0-d scalar.

    Args:
        size, bedrooms, zip_code, wealth: the input features x1..x4.
        theta: the twelve parameters θ1..θ12.

    Returns:
        (h, tensors): the output tensor, and a dict from name to tensor for
        every named tensor: "size", "bedrooms", "zip code", "wealth",
        "θ1".."θ12", "family size", "walkable", "school quality", "price".

    >>> h, tensors = housing_circuit()
    >>> round(h.item(), 4)
    7.03
    >>> h.backward(retain_graph=True)
    >>> round(tensors["θ9"].grad.item(), 6)  # ∂h/∂θ9 = a1
    2.4
    """
    theta = tuple(theta)
    if len(theta) != 12:
        raise ValueError(f"housing_circuit(): theta must have 12 numbers θ1..θ12, got {len(theta)}")

    x1 = Tensor(size, dtype="float64", name="size")
    x2 = Tensor(bedrooms, dtype="float64", name="bedrooms")
    x3 = Tensor(zip_code, dtype="float64", name="zip code")
    x4 = Tensor(wealth, dtype="float64", name="wealth")
    t = [Tensor(value, requires_grad=True, dtype="float64", name=f"θ{i}")
         for i, value in enumerate(theta, start=1)]

    a1 = relu(t[0] * x1 + t[1] * x2 + t[2])
    a1.name = "family size"
    a2 = relu(t[3] * x3 + t[4])
    a2.name = "walkable"
    a3 = relu(t[5] * x3 + t[6] * x4 + t[7])
    a3.name = "school quality"
    h = t[8] * a1 + t[9] * a2 + t[10] * a3 + t[11]
    h.name = "price"

    tensors = {x.name: x for x in (x1, x2, x3, x4, *t, a1, a2, a3, h)}
    return h, tensors
