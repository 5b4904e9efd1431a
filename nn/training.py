"""A thin training loop: mini-batch steps, per-epoch losses and a progress bar."""

import dataclasses
import math
import sys
import time
import warnings

import numpy as np

import autodiff
from autodiff import Tensor
from nn._optional import import_optional
from nn.sampling import MinibatchSampler


@dataclasses.dataclass
class History:
    """Losses recorded by `fit`.

    `train_loss[e]` and `val_loss[e]` are the losses over the whole training
    and validation sets after epoch e + 1, evaluated without recording a
    graph. `val_loss` is empty when fit had no validation data. `step_loss`
    contains the mini-batch loss of every step, computed before that step's
    update.
    """

    train_loss: list = dataclasses.field(default_factory=list)
    val_loss: list = dataclasses.field(default_factory=list)
    step_loss: list = dataclasses.field(default_factory=list)
    seconds: float = 0.0
    """Wall-clock time of the whole fit, in seconds."""


def _as_array(value, what):
    if isinstance(value, Tensor):
        return value.numpy()
    if isinstance(value, np.ndarray):
        return value
    raise TypeError(f"fit: {what} must be an ndarray or a Tensor, got {type(value).__name__}")


def evaluate(model, loss_fn, X, y, batch_size=None):
    """Return the loss of `model` on (X, y) as a float, without recording a graph.

    With `batch_size`, the rows are evaluated in chunks and the chunk losses
    averaged with weights proportional to their row counts, which equals
    the full-set loss when `loss_fn` averages over examples (the default
    reduction of the nn losses).

    >>> import numpy as np, nn
    >>> model = nn.Linear(1, 1, init="zeros")
    >>> nn.evaluate(model, nn.squared_loss, np.ones((4, 1)), np.full((4, 1), 2.0))   # ½·2²
    2.0
    """
    X = _as_array(X, "X")
    y = _as_array(y, "y")
    n = len(X)
    if batch_size is None or batch_size >= n:
        batch_size = n

    total = 0.0
    with autodiff.no_grad():
        for start in range(0, n, batch_size):
            rows = slice(start, start + batch_size)
            loss = loss_fn(model(X[rows]), y[rows])
            total += loss.item() * len(X[rows])
    return total / n


def _progress_bar(progress, epochs):
    """Return a tqdm bar over the epochs, or None when no bar should be shown."""
    if progress is False:
        return None
    if progress is None:
        # Automatic: only on a terminal, and only for runs that last over a second.
        if not sys.stderr.isatty():
            return None
        try:
            tqdm = import_optional("tqdm", "the progress bar of nn.fit")
        except ImportError as error:
            warnings.warn(f"{error}. Training continues without a progress bar.", stacklevel=3)
            return None
        return tqdm.tqdm(total=epochs, unit="epoch", delay=1.0, file=sys.stderr)
    tqdm = import_optional("tqdm", "the progress bar of nn.fit")
    return tqdm.tqdm(total=epochs, unit="epoch", file=sys.stderr)


def fit(model, loss_fn, optimizer, X, y, *, epochs=10, batch_size=32, sampler=None,
        validation_data=None, seed=None, progress=None, eval_batch_size=None, callback=None):
    """Train `model` with mini-batch steps (Algorithm 2 of the notes) and return a History.

    Each step takes the examples of one batch, computes J = loss_fn(model(X_b), y_b),
    runs backward() and lets the optimiser update the weights:

        optimizer.zero_grad(); loss_fn(model(X[b]), y[b]).backward(); optimizer.step()

    After each epoch the loss over the whole training set, and over the
    validation set if given, is evaluated and stored in the History.

    Args:
        model: a callable such as an nn.Module, mapping X rows to predictions.
        loss_fn: (prediction, target) -> 0-d Tensor, e.g. `nn.squared_loss`.
        optimizer: e.g. `nn.Adam(model.parameters())`.
        X: inputs, an ndarray (or Tensor) with one example per row, shape (n, d).
        y: targets with the same first dimension, e.g. shape (n, 1).
        epochs: number of epochs, each `sampler.steps_per_epoch` steps.
        batch_size: B of the default sampler,
            `MinibatchSampler(n, batch_size, seed=seed)`.
        sampler: any object with `epoch()` returning a list of index arrays
            and an `n` attribute, such as `nn.StochasticSampler(n)` for
            Algorithm 1. It replaces batch_size and seed.
        validation_data: an optional (X_val, y_val) pair.
        seed: seed of the default sampler.
        progress: True shows a tqdm progress bar; False shows none; None
            (default) shows one only when stderr is a terminal and the run
            lasts longer than one second.
        eval_batch_size: rows per chunk when evaluating the epoch losses;
            None evaluates each set at once.
        callback: an optional function called as callback(epoch, history)
            after each epoch's losses are recorded (epoch counts from 1),
            for example to keep the weights with the lowest validation loss.

    Raises:
        FloatingPointError: the training loss became nan or inf; the message
            names the epoch and step. A lower learning rate usually helps.
        ImportError: progress=True and tqdm is not installed.

    >>> import numpy as np, nn
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(64, 2)); y = X @ np.array([[1.0], [-2.0]])
    >>> model = nn.Linear(2, 1, seed=0)
    >>> history = nn.fit(model, nn.squared_loss, nn.SGD(model.parameters(), lr=0.1), X, y,
    ...                  epochs=20, batch_size=8, seed=0)
    >>> history.train_loss[-1] < 1e-6
    True
    """
    X = _as_array(X, "X")
    y = _as_array(y, "y")
    if len(X) != len(y):
        raise ValueError(f"fit: X has {len(X)} rows but y has {len(y)}; they need one target per example")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"fit: epochs must be a non-negative int, got {epochs!r}")
    if sampler is None:
        sampler = MinibatchSampler(len(X), batch_size, seed=seed)
    elif sampler.n != len(X):
        raise ValueError(f"fit: the sampler draws from {sampler.n} examples but X has {len(X)} rows")
    if validation_data is not None:
        X_val, y_val = (_as_array(part, "validation_data") for part in validation_data)

    history = History()
    start_time = time.perf_counter()
    bar = _progress_bar(progress, epochs)
    try:
        for epoch in range(1, epochs + 1):
            for step, batch in enumerate(sampler.epoch(), start=1):
                optimizer.zero_grad()
                loss = loss_fn(model(X[batch]), y[batch])
                if loss.size != 1:
                    raise ValueError(
                        f"fit: loss_fn returned a tensor of shape {loss.shape}, but it must return "
                        "a scalar; use a loss with reduction='mean'"
                    )
                value = loss.item()
                if not math.isfinite(value):
                    raise FloatingPointError(
                        f"fit: the training loss became {value} at epoch {epoch}, step {step}; "
                        "lower the learning rate or standardise the inputs and targets"
                    )
                loss.backward()
                optimizer.step()
                history.step_loss.append(value)

            history.train_loss.append(evaluate(model, loss_fn, X, y, eval_batch_size))
            postfix = {"train": f"{history.train_loss[-1]:.4g}"}
            if validation_data is not None:
                history.val_loss.append(evaluate(model, loss_fn, X_val, y_val, eval_batch_size))
                postfix["val"] = f"{history.val_loss[-1]:.4g}"
            if bar is not None:
                bar.set_postfix(postfix, refresh=False)
                bar.update(1)
            if callback is not None:
                callback(epoch, history)
    finally:
        if bar is not None:
            bar.close()
        history.seconds = time.perf_counter() - start_time
    return history
