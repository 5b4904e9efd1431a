"""A thin training loop: mini-batch steps, per-epoch losses and a progress bar."""

import dataclasses
import math
import sys
import time
import warnings

import autodiff
from nn._inputs import as_data_array, check_batch_size, check_count, check_same_length
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


def evaluate(model, loss_fn, X, y, batch_size=None):
    """Return the loss of `model` on (X, y) as a float, without recording a graph.

    X and y are ndarrays, Tensors or nested lists, with one example per
    row. With `batch_size`, the rows are evaluated in chunks and the chunk
    losses averaged with weights proportional to their row counts, which
    equals the full-set loss when `loss_fn` averages over examples (the
    default reduction of the nn losses).

    Raises:
        ValueError: X or y is empty or contains NaN or inf, their row
            counts differ, or batch_size is below 1.
        TypeError: X or y is not numeric, or batch_size is not an int.

    >>> import numpy as np, nn
    >>> model = nn.Linear(1, 1, init="zeros")
    >>> nn.evaluate(model, nn.squared_loss, np.ones((4, 1)), np.full((4, 1), 2.0))   # ½·2²
    2.0
    """
    X = as_data_array(X, "X", "evaluate")
    y = as_data_array(y, "y", "evaluate")
    check_same_length(X, y, "X", "y", "evaluate")
    batch_size = check_batch_size(batch_size, "batch_size", "evaluate")
    return _evaluate_checked(model, loss_fn, X, y, batch_size)


def _evaluate_checked(model, loss_fn, X, y, batch_size):
    """Run `evaluate` on arrays that the caller has already checked."""
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
    """Train `model` with mini-batch steps and return a History.

    The steps follow Algorithm 2 of the notes, except that by default each
    epoch shuffles the rows and walks through them (see MinibatchSampler).

    Each step takes the examples of one batch, computes J = loss_fn(model(X_b), y_b),
    runs backward() and lets the optimiser update the weights:

        optimizer.zero_grad(); loss_fn(model(X[b]), y[b]).backward(); optimizer.step()

    After each epoch the loss over the whole training set, and over the
    validation set if given, is evaluated and stored in the History.

    Args:
        model: a callable such as an nn.Module, mapping X rows to predictions.
        loss_fn: (prediction, target) -> 0-d Tensor, e.g. `nn.squared_loss`.
        optimizer: e.g. `nn.Adam(model.parameters())`.
        X: inputs with one example per row, shape (n, d): an ndarray, a
            Tensor or a nested list. It must have n >= 1 finite rows.
        y: targets with the same first dimension, e.g. shape (n, 1).
        epochs: number of epochs (any int >= 0), each
            `sampler.steps_per_epoch` steps.
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
        eval_batch_size: rows per chunk (a positive int) when evaluating
            the epoch losses; None evaluates each set at once.
        callback: an optional function called as callback(epoch, history)
            after each epoch's losses are recorded (epoch counts from 1),
            for example to keep the weights with the lowest validation loss.

    Raises:
        ValueError: the data is empty, contains NaN or inf (the message
            names the array and counts the values), or has mismatched row
            counts, or a count argument is out of range.
        TypeError: the data is not numeric, or a count is not an int.
        FloatingPointError: training diverged: a batch loss, or the loss
            over the training set after an epoch, became nan or inf. The
            error's `loss`, `epoch` and `step` attributes give the value and
            where it happened (`step` is None for the end-of-epoch loss).
            A lower learning rate usually helps.
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
    X, y, epochs, sampler, validation_data, eval_batch_size = _check_fit_arguments(
        X, y, epochs, batch_size, sampler, validation_data, seed, eval_batch_size
    )

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
                    raise _divergence_error(f"the training loss became {value} at epoch {epoch}, step {step}",
                                            value, epoch, step)
                loss.backward()
                optimizer.step()
                history.step_loss.append(value)

            # The last steps of an epoch can blow up the weights without a non-finite batch loss.
            history.train_loss.append(_evaluate_checked(model, loss_fn, X, y, eval_batch_size))
            if not math.isfinite(history.train_loss[-1]):
                raise _divergence_error(
                    f"the loss over the training set became {history.train_loss[-1]} after epoch {epoch}",
                    history.train_loss[-1], epoch, None,
                )
            postfix = {"train": f"{history.train_loss[-1]:.4g}"}
            if validation_data is not None:
                history.val_loss.append(_evaluate_checked(model, loss_fn, *validation_data, eval_batch_size))
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


def _check_fit_arguments(X, y, epochs, batch_size, sampler, validation_data, seed, eval_batch_size):
    """Return (X, y, epochs, sampler, validation pair or None, eval_batch_size) after checking them."""
    X = as_data_array(X, "X", "fit")
    y = as_data_array(y, "y", "fit")
    check_same_length(X, y, "X", "y", "fit")
    epochs = check_count(epochs, "epochs", "fit", minimum=0)
    eval_batch_size = check_batch_size(eval_batch_size, "eval_batch_size", "fit")

    if sampler is None:
        batch_size = check_count(batch_size, "batch_size", "fit", minimum=1)
        sampler = MinibatchSampler(len(X), batch_size, seed=seed)
    elif sampler.n != len(X):
        raise ValueError(f"fit: the sampler draws from {sampler.n} examples but X has {len(X)} rows")

    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)):
            raise TypeError(f"fit: validation_data must be a pair (X_val, y_val), got a {type(validation_data).__name__}")
        if len(validation_data) != 2:
            raise TypeError(
                f"fit: validation_data must be a pair (X_val, y_val), got a {type(validation_data).__name__} "
                f"of length {len(validation_data)}"
            )
        X_val = as_data_array(validation_data[0], "validation_data[0] (X_val)", "fit")
        y_val = as_data_array(validation_data[1], "validation_data[1] (y_val)", "fit")
        check_same_length(X_val, y_val, "X_val", "y_val", "fit")
        validation_data = (X_val, y_val)
    return X, y, epochs, sampler, validation_data, eval_batch_size


def _divergence_error(description, loss, epoch, step):
    """Return the FloatingPointError of a diverged run, with the numbers as attributes for callers."""
    error = FloatingPointError(f"fit: {description}; lower the learning rate or standardise the inputs and targets")
    error.loss = loss
    error.epoch = epoch
    error.step = step
    return error
