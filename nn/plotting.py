"""Plots of training histories, written with matplotlib's file-only Agg backend."""

import os

from nn._optional import import_optional


def plot_history(history, path, title="Loss per epoch", ylabel="loss", val_label="validation"):
    """Write the training and validation loss curves of a `fit` History to an image file.

    `val_label` names the curve of `history.val_loss` in the legend. The
    format follows the suffix of `path` (".png", ".svg", ".pdf"). The
    y axis is logarithmic when every loss is positive. The figure is drawn
    on a private Agg canvas, so this works without a display and leaves
    pyplot's global state alone.

    >>> import os, tempfile, nn
    >>> history = nn.History(train_loss=[1.0, 0.5, 0.3], val_loss=[1.1, 0.6, 0.4])
    >>> path = os.path.join(tempfile.mkdtemp(), "loss.png")
    >>> nn.plot_history(history, path)
    >>> os.path.getsize(path) > 0
    True
    """
    figure_module = import_optional("matplotlib.figure", "nn.plot_history")
    backend = import_optional("matplotlib.backends.backend_agg", "nn.plot_history")

    figure = figure_module.Figure(figsize=(6.4, 4.0), layout="constrained")
    backend.FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    # Markers keep a curve of one or a few epochs visible.
    marker = "o" if len(history.train_loss) <= 30 else None
    axes.plot(range(1, len(history.train_loss) + 1), history.train_loss, marker=marker, label="training")
    if history.val_loss:
        axes.plot(range(1, len(history.val_loss) + 1), history.val_loss, marker=marker, label=val_label)

    losses = list(history.train_loss) + list(history.val_loss)
    if losses and min(losses) > 0:
        axes.set_yscale("log")
    axes.set_xlabel("epoch")
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    axes.legend()
    figure.savefig(os.fspath(path), dpi=100)
