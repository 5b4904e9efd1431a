"""Tests for the losses: values and gradients against PyTorch, reductions, shape errors, stability."""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import autodiff
import nn

RNG = np.random.default_rng(7)


def gradient_of(loss_fn, prediction, *args, **kwargs):
    """Return (loss value, ∂loss/∂prediction) computed by autodiff."""
    p = autodiff.tensor(prediction, requires_grad=True)
    loss = loss_fn(p, *args, **kwargs)
    loss.backward(np.ones(loss.shape))
    return loss.numpy(), p.grad.numpy()


def torch_gradient_of(loss_fn, prediction, *args, **kwargs):
    p = torch.from_numpy(prediction.copy()).requires_grad_()
    loss = loss_fn(p, *args, **kwargs)
    loss.backward(torch.ones_like(loss))
    return loss.detach().numpy(), p.grad.numpy()


def assert_matches(ours, theirs, rtol=1e-12, atol=1e-12):
    np.testing.assert_allclose(ours[0], theirs[0], rtol=rtol, atol=atol)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=rtol, atol=atol)


# --- squared loss and MSE ---


@pytest.mark.parametrize("shape", [(6,), (6, 1), (6, 3)])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_squared_loss_matches_half_sum_of_squares(shape, reduction):
    prediction = RNG.normal(size=shape)
    target = RNG.normal(size=shape)

    def reference(p, t, reduction):
        per_example = 0.5 * ((p - t) ** 2).reshape(shape[0], -1).sum(dim=1)
        return {"mean": per_example.mean(), "sum": per_example.sum(), "none": per_example}[reduction]

    ours = gradient_of(nn.squared_loss, prediction, target, reduction=reduction)
    theirs = torch_gradient_of(reference, prediction, torch.from_numpy(target), reduction)
    assert_matches(ours, theirs)


def test_squared_loss_half_torch_mse():
    prediction = RNG.normal(size=(10, 1))
    target = RNG.normal(size=(10, 1))
    loss, grad = gradient_of(nn.squared_loss, prediction, target)
    mse, mse_grad = torch_gradient_of(F.mse_loss, prediction, torch.from_numpy(target))
    np.testing.assert_allclose(loss, mse / 2, rtol=1e-12)
    np.testing.assert_allclose(grad, mse_grad / 2, rtol=1e-12)


def test_squared_loss_k_outputs():
    prediction = RNG.normal(size=(10, 4))
    target = RNG.normal(size=(10, 4))
    loss = nn.squared_loss(autodiff.tensor(prediction), target).item()
    mse = F.mse_loss(torch.from_numpy(prediction), torch.from_numpy(target)).item()
    assert loss == pytest.approx(4 / 2 * mse, rel=1e-12)


def test_squared_loss_gradient_is_residual_over_n():
    # δ = ∂J/∂h(x(i)) = (h(x(i)) - y(i)) / n for the mean over n examples.
    prediction = RNG.normal(size=(5, 1))
    target = RNG.normal(size=(5, 1))
    _, grad = gradient_of(nn.squared_loss, prediction, target)
    np.testing.assert_allclose(grad, (prediction - target) / 5, rtol=1e-12)


def test_squared_loss_equation_1_1_single_example():
    loss = nn.squared_loss(autodiff.tensor(3.0), np.array(1.0))
    assert loss.item() == 2.0  # ½ (3 - 1)²


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(6,), (6, 3), (2, 3, 4)])
def test_mse_loss_matches_torch(shape, reduction):
    prediction = RNG.normal(size=shape)
    target = RNG.normal(size=shape)
    ours = gradient_of(nn.mse_loss, prediction, target, reduction=reduction)
    theirs = torch_gradient_of(F.mse_loss, prediction, torch.from_numpy(target), reduction=reduction)
    assert_matches(ours, theirs)


@pytest.mark.parametrize("loss_fn", [nn.squared_loss, nn.mse_loss, nn.binary_cross_entropy_with_logits])
def test_column_against_flat_target_is_error(loss_fn):
    prediction = autodiff.tensor(np.zeros((4, 1)))
    with pytest.raises(ValueError) as info:
        loss_fn(prediction, np.zeros(4))
    message = str(info.value)
    assert "prediction has shape (4, 1) but target has shape (4,)" in message
    assert "y.reshape(-1, 1)" in message


@pytest.mark.parametrize("loss_fn", [nn.squared_loss, nn.mse_loss])
def test_flat_prediction_against_column_target_is_error(loss_fn):
    with pytest.raises(ValueError, match=r"prediction.reshape\(-1, 1\)"):
        loss_fn(autodiff.tensor(np.zeros(4)), np.zeros((4, 1)))


def test_other_shape_mismatch_is_error():
    with pytest.raises(ValueError, match=r"prediction has shape \(4, 2\) but target has shape \(4, 3\)"):
        nn.squared_loss(autodiff.tensor(np.zeros((4, 2))), np.zeros((4, 3)))


def test_unknown_reduction():
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.mse_loss(autodiff.tensor([1.0]), np.array([1.0]), reduction="average")


def test_loss_accepts_tensor_target_and_list():
    prediction = autodiff.tensor([1.0, 2.0])
    assert nn.mse_loss(prediction, autodiff.tensor([1.0, 0.0])).item() == 2.0
    assert nn.mse_loss(prediction, [1.0, 0.0]).item() == 2.0


def test_loss_rejects_list_prediction():
    with pytest.raises(TypeError, match="prediction must be a Tensor or ndarray"):
        nn.squared_loss([1.0], [1.0])


def test_float32_loss_stays_float32():
    prediction = autodiff.tensor(np.ones((3, 1), dtype=np.float32), requires_grad=True)
    loss = nn.squared_loss(prediction, np.zeros((3, 1), dtype=np.float32))
    assert loss.dtype == np.float32


# --- cross-entropy ---


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_matches_torch(reduction):
    logits = RNG.normal(size=(7, 4)) * 3
    labels = RNG.integers(0, 4, size=7)
    ours = gradient_of(nn.cross_entropy, logits, labels, reduction=reduction)
    theirs = torch_gradient_of(F.cross_entropy, logits, torch.from_numpy(labels), reduction=reduction)
    assert_matches(ours, theirs)


def test_cross_entropy_single_example():
    logits = RNG.normal(size=5)
    ours = gradient_of(nn.cross_entropy, logits, np.int64(2))
    theirs = torch_gradient_of(F.cross_entropy, logits, torch.tensor(2))
    assert_matches(ours, theirs)


def test_cross_entropy_stable_for_large_logits():
    logits = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]])
    labels = np.array([1, 2])
    ours = gradient_of(nn.cross_entropy, logits, labels, reduction="none")
    theirs = torch_gradient_of(F.cross_entropy, logits, torch.from_numpy(labels), reduction="none")
    assert np.all(np.isfinite(ours[0]))
    assert np.all(np.isfinite(ours[1]))
    assert_matches(ours, theirs)


def test_cross_entropy_gradient_is_softmax_minus_one_hot():
    logits = RNG.normal(size=(3, 4))
    labels = np.array([0, 3, 1])
    _, grad = gradient_of(nn.cross_entropy, logits, labels, reduction="sum")
    softmax = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(grad, softmax - np.eye(4)[labels], rtol=1e-12, atol=1e-15)


def test_cross_entropy_label_errors():
    logits = autodiff.tensor(np.zeros((3, 4)))
    with pytest.raises(TypeError, match="integer class indices, got dtype float64"):
        nn.cross_entropy(logits, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(TypeError, match=r"labels.argmax\(axis=1\)"):
        nn.cross_entropy(logits, np.eye(4)[:3])
    with pytest.raises(ValueError, match=r"labels must have shape \(3,\)"):
        nn.cross_entropy(logits, np.array([[0], [1], [2]]))
    with pytest.raises(ValueError, match=r"labels must lie in 0..3 for 4 classes, got \[4, -1\]"):
        nn.cross_entropy(logits, np.array([4, 0, -1]))
    with pytest.raises(ValueError, match=r"logits must have shape \(n, C\)"):
        nn.cross_entropy(autodiff.tensor(np.zeros((2, 3, 4))), np.array([0, 1]))


# --- binary cross-entropy with logits ---


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(8,), (8, 1)])
def test_bce_with_logits_matches_torch(shape, reduction):
    logits = RNG.normal(size=shape) * 4
    targets = RNG.integers(0, 2, size=shape).astype(np.float64)
    ours = gradient_of(nn.binary_cross_entropy_with_logits, logits, targets, reduction=reduction)
    theirs = torch_gradient_of(F.binary_cross_entropy_with_logits, logits, torch.from_numpy(targets),
                               reduction=reduction)
    assert_matches(ours, theirs)


def test_bce_with_logits_soft_targets_match_torch():
    logits = RNG.normal(size=6)
    targets = RNG.uniform(size=6)
    ours = gradient_of(nn.binary_cross_entropy_with_logits, logits, targets)
    theirs = torch_gradient_of(F.binary_cross_entropy_with_logits, logits, torch.from_numpy(targets))
    assert_matches(ours, theirs)


def test_bce_with_logits_gradient_exact_at_zero():
    logits = np.zeros(2)
    targets = np.array([0.0, 1.0])
    _, grad = gradient_of(nn.binary_cross_entropy_with_logits, logits, targets, reduction="sum")
    np.testing.assert_array_equal(grad, [0.5, -0.5])  # σ(0) - y


def test_bce_with_logits_stable_for_large_logits():
    logits = np.array([1000.0, -1000.0, 1000.0, -1000.0])
    targets = np.array([1.0, 0.0, 0.0, 1.0])
    ours = gradient_of(nn.binary_cross_entropy_with_logits, logits, targets, reduction="none")
    theirs = torch_gradient_of(F.binary_cross_entropy_with_logits, logits, torch.from_numpy(targets),
                               reduction="none")
    np.testing.assert_allclose(ours[0], [0.0, 0.0, 1000.0, 1000.0])
    assert_matches(ours, theirs)


# --- zero examples ---

ZERO_ROW_CASES = [
    (nn.mse_loss, F.mse_loss, (0,), np.zeros(0)),
    (nn.mse_loss, F.mse_loss, (0, 3), np.zeros((0, 3))),
    (nn.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits, (0, 1), np.zeros((0, 1))),
    (nn.cross_entropy, F.cross_entropy, (0, 4), np.zeros(0, dtype=np.int64)),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("ours_fn, torch_fn, shape, target", ZERO_ROW_CASES,
                         ids=["mse-flat", "mse-2d", "bce", "cross-entropy"])
def test_zero_rows_match_torch(ours_fn, torch_fn, shape, target, reduction):
    # torch 2.13 returns nan for the mean over no elements, 0 for the sum, and an empty gradient.
    prediction = np.zeros(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # torch warns about nothing here, so neither should we
        ours = gradient_of(ours_fn, prediction, target, reduction=reduction)
    theirs = torch_gradient_of(torch_fn, prediction, torch.from_numpy(target), reduction=reduction)
    assert ours[0].shape == theirs[0].shape
    assert ours[1].shape == shape
    assert_matches(ours, theirs)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_squared_loss_zero_rows(reduction):
    expected = {"mean": np.nan, "sum": 0.0, "none": np.zeros(0)}[reduction]
    value, gradient = gradient_of(nn.squared_loss, np.zeros((0, 1)), np.zeros((0, 1)), reduction=reduction)
    np.testing.assert_array_equal(value, expected)
    assert gradient.shape == (0, 1)


def test_zero_rows_mean_keeps_float32():
    logits = autodiff.tensor(np.zeros((0, 3), dtype=np.float32))
    loss = nn.cross_entropy(logits, np.zeros(0, dtype=np.int64))
    assert loss.dtype == np.float32
    assert np.isnan(loss.item())
