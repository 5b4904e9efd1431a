"""Loss functions J(θ): squared loss, MSE, cross-entropy and logistic loss.

Every loss takes the prediction first and the target second. The target
is usually a constant (ndarray or Tensor); a target Tensor that requires
grad gets a gradient too, as in PyTorch. Regression losses require the
two shapes to be equal: a prediction of shape (n, 1) against a target of
shape (n,) would otherwise broadcast to (n, n) and compare every
prediction with every target.

`reduction` is "mean" (default), "sum" or "none" (one value per example,
or per element for the elementwise losses), as in PyTorch. As there, the
mean over zero examples is nan and the sum is 0.
"""

import numpy as np

import autodiff
from autodiff import Tensor

REDUCTIONS = ("mean", "sum", "none")


def _check_same_shape(prediction, target, name):
    """Return the target as a Tensor or ndarray after checking that its shape equals the prediction's."""
    if not isinstance(target, (Tensor, np.ndarray)):
        target = np.asarray(target, dtype=prediction.dtype)
    if prediction.shape == target.shape:
        return target

    p, t = prediction.shape, target.shape
    if len(p) == 2 and p[1] == 1 and t == p[:1]:
        fix = "reshape the target with y.reshape(-1, 1), or the prediction with prediction[:, 0]"
    elif len(t) == 2 and t[1] == 1 and p == t[:1]:
        fix = "reshape the prediction with prediction.reshape(-1, 1), or the target with y[:, 0]"
    else:
        fix = "pass a target with one value per prediction"
    raise ValueError(
        f"{name}: prediction has shape {p} but target has shape {t}. The shapes must be equal, "
        f"because broadcasting would pair every prediction with every target; {fix}"
    )


def _reduce(per_example, reduction, name):
    if reduction == "mean":
        if per_example.size == 0:
            # A mean over no elements is nan, as torch.nn losses return (checked with torch 2.13),
            # and its gradient is empty. autodiff.mean gives the same nan but warns about an
            # empty slice, as NumPy does and torch does not.
            return autodiff.sum(per_example) * np.nan
        return autodiff.mean(per_example)
    if reduction == "sum":
        return autodiff.sum(per_example)
    if reduction == "none":
        return per_example
    raise ValueError(f"{name}: reduction must be one of {list(REDUCTIONS)}, got {reduction!r}")


def _as_prediction(prediction, name):
    if isinstance(prediction, Tensor):
        return prediction
    if isinstance(prediction, np.ndarray):
        return autodiff.tensor(prediction)
    raise TypeError(f"{name}: prediction must be a Tensor or ndarray, got {type(prediction).__name__}")


def squared_loss(prediction, target, reduction="mean"):
    """J = (1/n) Σ_i ½ ‖h(x(i)) - y(i)‖², the least-squares cost of eqs. 1.1-1.2.

    Args:
        prediction: h(x), shape (n,) or (n, k), one row per example.
        target: y, the same shape.
        reduction: "mean" (the average over the n examples), "sum" (over
            the examples) or "none" (the n per-example losses J(i)).

    Returns:
        A 0-d Tensor, or shape (n,) for reduction="none". A 0-d prediction
        is a single example.

    Relation to PyTorch: torch.nn.MSELoss averages (h - y)² over all n·k
    elements, so for one output (k = 1) this loss is half of MSELoss, and
    for k outputs it is k/2 times MSELoss. The ½ makes the gradient
    δ = ∂J(i)/∂h = h(x(i)) - y(i), as in Algorithm 5 of the notes.

    >>> import numpy as np, autodiff as ad, nn
    >>> h = ad.tensor([[1.0], [3.0]], requires_grad=True)
    >>> y = np.array([[0.0], [0.0]])
    >>> nn.squared_loss(h, y).item()        # (½·1 + ½·9) / 2
    2.5
    """
    prediction = _as_prediction(prediction, "squared_loss")
    target = _check_same_shape(prediction, target, "squared_loss")
    error = prediction - target
    squared = error * error
    if squared.ndim > 1:
        squared = autodiff.sum(squared, axis=tuple(range(1, squared.ndim)))
    return _reduce(squared * 0.5, reduction, "squared_loss")


def mse_loss(prediction, target, reduction="mean"):
    """Mean squared error over all elements, (1/N) Σ (h - y)², as torch.nn.MSELoss.

    Args:
        prediction: h(x), any shape.
        target: y, the same shape.
        reduction: "mean" (over all N elements), "sum" or "none" (the
            elementwise squared errors, prediction's shape).

    For one output column this is twice `squared_loss`.

    >>> import numpy as np, autodiff as ad, nn
    >>> nn.mse_loss(ad.tensor([1.0, 3.0]), np.array([0.0, 0.0])).item()
    5.0
    """
    prediction = _as_prediction(prediction, "mse_loss")
    target = _check_same_shape(prediction, target, "mse_loss")
    error = prediction - target
    return _reduce(error * error, reduction, "mse_loss")


def _check_labels(labels, n, n_classes, name):
    """Return integer class labels as an ndarray of shape (n,), checking their range."""
    if isinstance(labels, Tensor):
        labels = labels.numpy()
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        hint = ""
        if labels.dtype.kind == "f" and labels.ndim == 2:
            hint = "; for one-hot targets pass labels.argmax(axis=1)"
        raise TypeError(f"{name}: labels must be integer class indices, got dtype {labels.dtype}{hint}")
    if labels.shape != (n,):
        raise ValueError(
            f"{name}: labels must have shape ({n},), one class index per row of the logits, "
            f"got shape {labels.shape}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        bad = labels[(labels < 0) | (labels >= n_classes)]
        raise ValueError(
            f"{name}: labels must lie in 0..{n_classes - 1} for {n_classes} classes, got {bad[:5].tolist()}"
        )
    return labels


def cross_entropy(logits, labels, reduction="mean"):
    """Softmax cross-entropy from logits: J(i) = -log softmax(z(i))[y(i)], as torch.nn.CrossEntropyLoss.

    Args:
        logits: z, shape (n, C): unnormalised class scores, one row per
            example. Shape (C,) is a single example.
        labels: y, integer class indices of shape (n,) in 0..C-1 (a 0-d
            label for a single example).
        reduction: "mean" (over examples), "sum" or "none" (shape (n,)).

    It is computed as logsumexp(z(i)) - z(i)[y(i)], which subtracts the
    row max before exponentiating, so logits of ±1000 give finite losses.
    The gradient with respect to z(i) is softmax(z(i)) - onehot(y(i)).

    >>> import numpy as np, autodiff as ad, nn
    >>> z = ad.tensor([[0.0, 0.0], [5.0, -5.0]])
    >>> round(nn.cross_entropy(z, np.array([0, 0]), reduction="sum").item(), 4)
    0.6932
    """
    logits = _as_prediction(logits, "cross_entropy")
    if logits.ndim == 1:
        per_example = cross_entropy(autodiff.reshape(logits, (1, -1)), np.reshape(labels, (1,)), "none")
        return _reduce(autodiff.reshape(per_example, ()), reduction, "cross_entropy")
    if logits.ndim != 2:
        raise ValueError(
            f"cross_entropy: logits must have shape (n, C) or (C,), got {logits.shape}; "
            "flatten extra axes into the batch axis first"
        )

    n, n_classes = logits.shape
    labels = _check_labels(labels, n, n_classes, "cross_entropy")
    # A one-hot mask picks z(i)[y(i)] with one multiply and sum, instead of a scatter in backward.
    one_hot = np.zeros((n, n_classes), dtype=logits.dtype)
    one_hot[np.arange(n), labels] = 1
    picked = autodiff.sum(logits * one_hot, axis=1)
    per_example = autodiff.logsumexp(logits, axis=1) - picked
    return _reduce(per_example, reduction, "cross_entropy")


def binary_cross_entropy_with_logits(logits, targets, reduction="mean"):
    """Logistic loss from logits, as torch.nn.BCEWithLogitsLoss.

    J = -[y log σ(z) + (1 - y) log(1 - σ(z))] elementwise, computed as
    softplus(z) - y z with softplus(z) = log(1 + e^z) = logsumexp([0, z]),
    which is finite for any z. The gradient is σ(z) - y exactly, including
    at z = 0.

    Args:
        logits: z, any shape, such as (n,) or (n, 1).
        targets: y in [0, 1] (usually 0 or 1), the same shape.
        reduction: "mean" (over all elements), "sum" or "none".

    >>> import numpy as np, autodiff as ad, nn
    >>> round(nn.binary_cross_entropy_with_logits(ad.tensor([0.0]), np.array([1.0])).item(), 4)
    0.6931
    """
    logits = _as_prediction(logits, "binary_cross_entropy_with_logits")
    targets = _check_same_shape(logits, targets, "binary_cross_entropy_with_logits")
    zeros = np.zeros(logits.shape, dtype=logits.dtype)
    softplus = autodiff.logsumexp(autodiff.stack([zeros, logits]), axis=0)
    return _reduce(softplus - targets * logits, reduction, "binary_cross_entropy_with_logits")
