"""Tests for nn.fit, nn.evaluate and nn.plot_history."""

import sys

import numpy as np
import pytest

import autodiff
import nn

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def regression_problem(n=128, seed=0):
    """y = sin(x1) + x2² plus a little noise: a problem that needs a hidden layer."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, size=(n, 2))
    y = (np.sin(X[:, :1]) + X[:, 1:] ** 2) + 0.01 * rng.normal(size=(n, 1))
    return X, y


def test_fit_drives_loss_down():
    X, y = regression_problem()
    model = nn.MLP(2, hidden=[16, 16], seed=0)
    initial = nn.evaluate(model, nn.squared_loss, X, y)
    history = nn.fit(model, nn.squared_loss, nn.Adam(model.parameters(), lr=0.02), X, y,
                     epochs=60, batch_size=16, seed=0, progress=False)
    assert history.train_loss[-1] < 0.05 * initial
    assert history.train_loss[-1] < 0.05


def test_fit_with_sgd_and_algorithm_1():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3))
    y = X @ np.array([[1.0], [-2.0], [0.5]]) + 0.3
    model = nn.Linear(3, 1, seed=0)
    sampler = nn.StochasticSampler(len(X), seed=0)
    history = nn.fit(model, nn.squared_loss, nn.SGD(model.parameters(), lr=0.05), X, y,
                     epochs=30, sampler=sampler, progress=False)
    assert len(history.step_loss) == 30 * 40
    assert history.train_loss[-1] < 1e-6
    np.testing.assert_allclose(model.weight.numpy().ravel(), [1.0, -2.0, 0.5], atol=1e-3)


def test_history_lengths_and_validation():
    X, y = regression_problem(100)
    model = nn.MLP(2, hidden=[8], seed=0)
    history = nn.fit(model, nn.squared_loss, nn.Adam(model.parameters(), lr=0.01), X[:80], y[:80],
                     epochs=4, batch_size=32, validation_data=(X[80:], y[80:]), seed=0, progress=False)
    assert len(history.train_loss) == 4
    assert len(history.val_loss) == 4
    assert len(history.step_loss) == 4 * 3  # ceil(80 / 32) steps per epoch
    assert history.seconds > 0
    assert history.val_loss[-1] == pytest.approx(nn.evaluate(model, nn.squared_loss, X[80:], y[80:]))


def test_fit_callback_after_each_epoch():
    X, y = regression_problem(32)
    model = nn.Linear(2, 1, seed=0)
    calls = []

    def record(epoch, history):
        calls.append((epoch, len(history.train_loss), history.train_loss[-1]))

    history = nn.fit(model, nn.squared_loss, nn.SGD(model.parameters(), lr=0.05), X, y,
                     epochs=3, callback=record, progress=False)
    assert [epoch for epoch, _, _ in calls] == [1, 2, 3]
    assert [count for _, count, _ in calls] == [1, 2, 3]
    assert [loss for _, _, loss in calls] == history.train_loss


def test_fit_reproducible_from_seed():
    X, y = regression_problem(64)

    def run():
        model = nn.MLP(2, hidden=[8], seed=0)
        nn.fit(model, nn.squared_loss, nn.Adam(model.parameters(), lr=0.01), X, y,
               epochs=3, batch_size=8, seed=7, progress=False)
        return model[0].weight.numpy()

    np.testing.assert_array_equal(run(), run())


def test_fit_zero_epochs():
    X, y = regression_problem(16)
    model = nn.Linear(2, 1, seed=0)
    history = nn.fit(model, nn.squared_loss, nn.SGD(model.parameters(), lr=0.1), X, y, epochs=0, progress=False)
    assert history.train_loss == []
    assert history.step_loss == []


def test_fit_accepts_tensors():
    X, y = regression_problem(16)
    model = nn.Linear(2, 1, seed=0)
    history = nn.fit(model, nn.squared_loss, nn.SGD(model.parameters(), lr=0.1),
                     autodiff.tensor(X), autodiff.tensor(y), epochs=1, progress=False)
    assert len(history.train_loss) == 1


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_fit_divergence_raises():
    X, y = regression_problem(32)
    model = nn.MLP(2, hidden=[8], seed=0)
    with pytest.raises(FloatingPointError, match="the training loss became (inf|nan) at epoch") as info:
        nn.fit(model, nn.squared_loss, nn.SGD(model.parameters(), lr=1e6), X, y * 1e3,
               epochs=5, batch_size=8, progress=False)
    assert "lower the learning rate" in str(info.value)
    assert info.value.epoch >= 1
    assert info.value.step >= 1
    assert not np.isfinite(info.value.loss)


def test_fit_argument_errors():
    X, y = regression_problem(16)
    model = nn.Linear(2, 1, seed=0)
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="X has 16 rows but y has 15"):
        nn.fit(model, nn.squared_loss, optimizer, X, y[:15], progress=False)
    with pytest.raises(ValueError, match="the sampler draws from 10 examples but X has 16 rows"):
        nn.fit(model, nn.squared_loss, optimizer, X, y, sampler=nn.StochasticSampler(10), progress=False)
    with pytest.raises(TypeError, match=r"fit: epochs must be an int, got 2.5 of type float"):
        nn.fit(model, nn.squared_loss, optimizer, X, y, epochs=2.5, progress=False)
    with pytest.raises(TypeError, match=r"fit: epochs must be an int, got True"):
        nn.fit(model, nn.squared_loss, optimizer, X, y, epochs=True, progress=False)
    with pytest.raises(ValueError, match=r"fit: epochs must be a non-negative int, got -1"):
        nn.fit(model, nn.squared_loss, optimizer, X, y, epochs=-1, progress=False)
    with pytest.raises(TypeError, match=r"fit: X must contain numbers, got dtype <U1"):
        nn.fit(model, nn.squared_loss, optimizer, [["a", "b"]], y[:1], progress=False)
    with pytest.raises(TypeError, match=r"validation_data must be a pair \(X_val, y_val\), got a tuple of length 3"):
        nn.fit(model, nn.squared_loss, optimizer, X, y, validation_data=(X, y, y), progress=False)
    with pytest.raises(ValueError, match="fit: X_val has 16 rows but y_val has 15"):
        nn.fit(model, nn.squared_loss, optimizer, X, y, validation_data=(X, y[:15]), progress=False)
    with pytest.raises(ValueError, match=r"prediction has shape \(16, 1\) but target has shape \(16,\)"):
        nn.fit(model, nn.squared_loss, optimizer, X, y[:, 0], progress=False)


def test_fit_accepts_numpy_integer_epochs():
    X, y = regression_problem(16)
    model = nn.Linear(2, 1, seed=0)
    history = nn.fit(model, nn.squared_loss, nn.SGD(model.parameters(), lr=0.1), X, y,
                     epochs=np.int64(2), batch_size=np.int32(8), eval_batch_size=np.uint8(5), progress=False)
    assert len(history.train_loss) == 2
    assert len(history.step_loss) == 4


def test_fit_and_evaluate_accept_lists():
    X, y = regression_problem(16)
    model = nn.Linear(2, 1, seed=0)
    expected = nn.evaluate(model, nn.squared_loss, X, y)
    assert nn.evaluate(model, nn.squared_loss, X.tolist(), y.tolist()) == expected
    history = nn.fit(model, nn.squared_loss, nn.SGD(model.parameters(), lr=0.1), X.tolist(), y.tolist(),
                     epochs=1, validation_data=(X.tolist(), y.tolist()), progress=False)
    assert history.val_loss == history.train_loss


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        (dict(batch_size=0), "fit: batch_size must be a positive int, got 0"),
        (dict(eval_batch_size=0), "fit: eval_batch_size must be a positive int, got 0"),
        (dict(validation_data=(np.ones((0, 2)), np.ones((0, 1)))),
         r"fit: validation_data\[0\] \(X_val\) has no rows \(shape \(0, 2\)\)"),
    ],
)
def test_fit_empty_and_zero_sizes(kwargs, pattern):
    X, y = regression_problem(16)
    model = nn.Linear(2, 1, seed=0)
    with pytest.raises(ValueError, match=pattern):
        nn.fit(model, nn.squared_loss, nn.SGD(model.parameters(), lr=0.1), X, y, epochs=1, progress=False, **kwargs)


def test_fit_without_rows():
    model = nn.Linear(2, 1, seed=0)
    with pytest.raises(ValueError, match=r"fit: X has no rows \(shape \(0, 2\)\); pass at least one example"):
        nn.fit(model, nn.squared_loss, nn.SGD(model.parameters(), lr=0.1), np.ones((0, 2)), np.ones((0, 1)))


def test_evaluate_argument_errors():
    model = nn.Linear(2, 1, seed=0)
    with pytest.raises(ValueError, match=r"evaluate: X has no rows \(shape \(0, 2\)\)"):
        nn.evaluate(model, nn.squared_loss, np.ones((0, 2)), np.ones((0, 1)))
    with pytest.raises(ValueError, match="evaluate: batch_size must be a positive int, got 0"):
        nn.evaluate(model, nn.squared_loss, np.ones((4, 2)), np.ones((4, 1)), batch_size=0)
    with pytest.raises(TypeError, match="evaluate: batch_size must be an int, got 2.0"):
        nn.evaluate(model, nn.squared_loss, np.ones((4, 2)), np.ones((4, 1)), batch_size=2.0)
    with pytest.raises(ValueError, match="evaluate: X has 4 rows but y has 3"):
        nn.evaluate(model, nn.squared_loss, np.ones((4, 2)), np.ones((3, 1)))
    with pytest.raises(TypeError, match="evaluate: y must contain numbers, got dtype object"):
        nn.evaluate(model, nn.squared_loss, np.ones((1, 2)), np.array([None]))
    with pytest.raises(ValueError, match="evaluate: X must be .* with rows of equal length"):
        nn.evaluate(model, nn.squared_loss, [[1.0, 2.0], [1.0]], np.ones((2, 1)))
    with pytest.raises(ValueError, match="evaluate: X must have one row per example, got a 0-d value"):
        nn.evaluate(model, nn.squared_loss, 1.0, np.ones((1, 1)))


@pytest.mark.parametrize(
    "make_data, pattern",
    [
        (lambda X, y: dict(X=np.full_like(X, np.nan), y=y), r"fit: X contains 20 NaN values in 10 of its 10 rows"),
        (lambda X, y: dict(X=X, y=np.where(np.arange(10)[:, None] < 3, np.inf, y)),
         r"fit: y contains 3 infinite values in 3 of its 10 rows"),
        (lambda X, y: dict(X=np.where(X > 0, np.nan, -np.inf), y=y),
         r"fit: X contains \d+ NaN and \d+ infinite values in 10 of its 10 rows"),
        (lambda X, y: dict(X=X, y=y, validation_data=(X, np.full_like(y, np.nan))),
         r"fit: validation_data\[1\] \(y_val\) contains 10 NaN values"),
    ],
    ids=["nan-X", "inf-y", "both-X", "nan-y_val"],
)
def test_fit_rejects_non_finite_data(make_data, pattern):
    X, y = regression_problem(10)
    model = nn.Linear(2, 1, seed=0)
    with pytest.raises(ValueError, match=pattern):
        nn.fit(model, nn.squared_loss, nn.SGD(model.parameters(), lr=0.1), epochs=1, progress=False,
               **make_data(X, y))


def test_evaluate_rejects_non_finite_data():
    X, y = regression_problem(10)
    X[4, 1] = np.nan
    with pytest.raises(ValueError, match="evaluate: X contains 1 NaN value in 1 of its 10 rows"):
        nn.evaluate(nn.Linear(2, 1, seed=0), nn.squared_loss, X, y)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_fit_divergence_after_last_step():
    # One step per epoch with a huge rate: the step's own loss is finite, the weights after it are not.
    X = np.ones((4, 1))
    model = nn.Linear(1, 1, init="zeros")
    with pytest.raises(FloatingPointError, match="the loss over the training set became (inf|nan) after epoch 1") as info:
        nn.fit(model, nn.squared_loss, nn.SGD(model.parameters(), lr=1e306), X, 1e3 * X,
               epochs=1, batch_size=4, progress=False)
    assert info.value.epoch == 1
    assert info.value.step is None
    assert not np.isfinite(info.value.loss)


def test_fit_rejects_non_scalar_loss():
    X, y = regression_problem(16)
    model = nn.Linear(2, 1, seed=0)
    optimizer = nn.SGD(model.parameters(), lr=0.1)

    def per_example_loss(prediction, target):
        return nn.squared_loss(prediction, target, reduction="none")

    with pytest.raises(ValueError, match=r"loss_fn returned a tensor of shape \(16,\)"):
        nn.fit(model, per_example_loss, optimizer, X, y, progress=False)


def test_evaluate_in_chunks_matches_full():
    X, y = regression_problem(50)
    model = nn.MLP(2, hidden=[4], seed=0)
    full = nn.evaluate(model, nn.squared_loss, X, y)
    assert nn.evaluate(model, nn.squared_loss, X, y, batch_size=7) == pytest.approx(full, rel=1e-12)


def test_evaluate_records_no_graph():
    X, y = regression_problem(8)
    model = nn.Linear(2, 1, seed=0)
    nn.evaluate(model, nn.squared_loss, X, y)
    assert model.weight.grad is None


# --- progress bar ---


def test_progress_bar_shown_when_requested(capsys):
    X, y = regression_problem(16)
    model = nn.Linear(2, 1, seed=0)
    nn.fit(model, nn.squared_loss, nn.SGD(model.parameters(), lr=0.1), X, y, epochs=3, progress=True)
    err = capsys.readouterr().err
    assert "3/3" in err
    assert "epoch" in err


def test_progress_bar_off_without_terminal(capsys):
    X, y = regression_problem(16)
    model = nn.Linear(2, 1, seed=0)
    nn.fit(model, nn.squared_loss, nn.SGD(model.parameters(), lr=0.1), X, y, epochs=3)
    assert capsys.readouterr().err == ""  # pytest's captured stderr is not a terminal


def test_progress_bar_disabled(capsys):
    X, y = regression_problem(16)
    model = nn.Linear(2, 1, seed=0)
    nn.fit(model, nn.squared_loss, nn.SGD(model.parameters(), lr=0.1), X, y, epochs=3, progress=False)
    assert capsys.readouterr().err == ""


def test_progress_bar_without_tqdm(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # makes `import tqdm` fail
    X, y = regression_problem(16)
    model = nn.Linear(2, 1, seed=0)
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ImportError, match=r"needs tqdm.*pip install 'autodiff-nn\[nn\]'"):
        nn.fit(model, nn.squared_loss, optimizer, X, y, epochs=1, progress=True)
    nn.fit(model, nn.squared_loss, optimizer, X, y, epochs=1, progress=False)


def test_automatic_progress_without_tqdm_warns(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    X, y = regression_problem(16)
    model = nn.Linear(2, 1, seed=0)
    with pytest.warns(UserWarning, match="without a progress bar"):
        history = nn.fit(model, nn.squared_loss, nn.SGD(model.parameters(), lr=0.1), X, y, epochs=1)
    assert len(history.train_loss) == 1


# --- plotting ---


def test_plot_history_writes_png(tmp_path):
    history = nn.History(train_loss=[1.0, 0.5, 0.25], val_loss=[1.2, 0.7, 0.5])
    path = tmp_path / "loss.png"
    nn.plot_history(history, path)
    assert path.read_bytes()[:8] == PNG_MAGIC


def test_plot_history_curve_labels(tmp_path):
    history = nn.History(train_loss=[1.0, 0.5], val_loss=[1.1, 0.6])
    path = tmp_path / "loss.svg"
    nn.plot_history(history, path, val_label="test (monitored only)")
    text = path.read_text(encoding="utf-8")
    assert "training" in text
    assert "test (monitored only)" in text


def test_plot_history_svg_and_nonpositive(tmp_path):
    history = nn.History(train_loss=[0.0, -1.0])
    path = tmp_path / "loss.svg"
    nn.plot_history(history, path)
    assert b"<svg" in path.read_bytes()[:500]


def test_plot_history_without_matplotlib(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match="nn.plot_history needs matplotlib"):
        nn.plot_history(nn.History(train_loss=[1.0]), tmp_path / "loss.png")
