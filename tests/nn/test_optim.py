"""Tests for SGD and Adam: step-by-step agreement with torch.optim, and argument checks."""

import numpy as np
import pytest
import torch

import autodiff
import nn

N_STEPS = 6


def make_problem(dtype=np.float64):
    """A small regression problem and an MLP, plus the same MLP in PyTorch."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 3)).astype(dtype)
    y = rng.normal(size=(16, 1)).astype(dtype)
    model = nn.MLP(3, hidden=[5], seed=0, dtype=dtype)

    torch_dtype = torch.float64 if dtype == np.float64 else torch.float32
    reference = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 1)).to(torch_dtype)
    with torch.no_grad():
        for ours, theirs in ((model[0], reference[0]), (model[2], reference[2])):
            theirs.weight.copy_(torch.from_numpy(ours.weight.numpy().T.copy()))
            theirs.bias.copy_(torch.from_numpy(ours.bias.numpy()))
    return X, y, model, reference


def train_both(optimizer_factory, torch_optimizer_factory, dtype=np.float64, steps=N_STEPS):
    X, y, model, reference = make_problem(dtype)
    optimizer = optimizer_factory(list(model.parameters()))
    torch_optimizer = torch_optimizer_factory(reference.parameters())
    X_torch, y_torch = torch.from_numpy(X), torch.from_numpy(y)

    for step in range(steps):
        rows = slice(4 * (step % 4), 4 * (step % 4) + 4)  # a different mini-batch each step
        optimizer.zero_grad()
        nn.mse_loss(model(X[rows]), y[rows]).backward()
        optimizer.step()

        torch_optimizer.zero_grad()
        torch.nn.functional.mse_loss(reference(X_torch[rows]), y_torch[rows]).backward()
        torch_optimizer.step()
    return model, reference


def assert_same_weights(model, reference, rtol):
    pairs = ((model[0], reference[0]), (model[2], reference[2]))
    for index, (ours, theirs) in enumerate(pairs):
        np.testing.assert_allclose(ours.weight.numpy(), theirs.weight.detach().numpy().T, rtol=rtol, atol=rtol,
                                   err_msg=f"layer {index} weight")
        np.testing.assert_allclose(ours.bias.numpy(), theirs.bias.detach().numpy(), rtol=rtol, atol=rtol,
                                   err_msg=f"layer {index} bias")


SGD_SETTINGS = [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, weight_decay=0.01),
    dict(lr=0.05, momentum=0.5, dampening=0.3),
    dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1),
    dict(lr=0.1, weight_decay=0.5),
]


@pytest.mark.parametrize("settings", SGD_SETTINGS, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()))
def test_sgd_matches_torch(settings):
    model, reference = train_both(lambda p: nn.SGD(p, **settings), lambda p: torch.optim.SGD(p, **settings))
    assert_same_weights(model, reference, rtol=1e-12)


ADAM_SETTINGS = [
    dict(lr=0.01),
    dict(lr=0.1, betas=(0.5, 0.9)),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.01, eps=1e-3),
]


@pytest.mark.parametrize("settings", ADAM_SETTINGS, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()))
def test_adam_matches_torch(settings):
    model, reference = train_both(
        lambda p: nn.Adam(p, **settings),
        lambda p: torch.optim.Adam(p, foreach=False, **settings),
    )
    assert_same_weights(model, reference, rtol=1e-12)


def test_adam_float32_matches_torch():
    model, reference = train_both(
        lambda p: nn.Adam(p, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01, foreach=False), dtype=np.float32,
    )
    assert model[0].weight.dtype == np.float32
    assert_same_weights(model, reference, rtol=1e-5)


def test_sgd_float32_keeps_dtype():
    model, reference = train_both(
        lambda p: nn.SGD(p, lr=0.1, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
        dtype=np.float32,
    )
    assert all(p.dtype == np.float32 for p in model.parameters())
    assert_same_weights(model, reference, rtol=1e-5)


def test_sgd_update_formula():
    w = autodiff.tensor([1.0, -2.0], requires_grad=True)
    optimizer = nn.SGD([w], lr=0.1)
    (w * w).sum().backward()  # g = 2w
    optimizer.step()
    np.testing.assert_allclose(w.numpy(), [1.0 - 0.2, -2.0 + 0.4])


def test_step_updates_in_place():
    w = autodiff.tensor([1.0], requires_grad=True)
    array = w.numpy()
    optimizer = nn.Adam([w], lr=0.1)
    (w * 3).sum().backward()
    optimizer.step()
    assert w.numpy() is array
    assert w.is_leaf and w.requires_grad


def test_adam_skips_parameters_without_grad_like_torch():
    ours = [autodiff.tensor([1.0], requires_grad=True), autodiff.tensor([1.0], requires_grad=True)]
    theirs = [torch.tensor([1.0], dtype=torch.float64, requires_grad=True) for _ in range(2)]
    optimizer = nn.Adam(ours, lr=0.1)
    torch_optimizer = torch.optim.Adam(theirs, lr=0.1, foreach=False)
    for step in range(4):
        used = [0] if step < 2 else [0, 1]  # the second parameter joins the loss later
        optimizer.zero_grad()
        torch_optimizer.zero_grad()
        sum(ours[i] * ours[i] for i in used).sum().backward()
        sum(theirs[i] * theirs[i] for i in used).sum().backward()
        optimizer.step()
        torch_optimizer.step()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-12)


def test_zero_grad_clears():
    w = autodiff.tensor([1.0], requires_grad=True)
    optimizer = nn.SGD([w], lr=0.1)
    (w * 2).sum().backward()
    optimizer.zero_grad()
    assert w.grad is None


def test_step_without_gradients():
    model = nn.Linear(2, 1, seed=0)
    for optimizer in (nn.SGD(model.parameters(), lr=0.1), nn.Adam(model.parameters())):
        with pytest.raises(RuntimeError, match=r"no parameter has a gradient; call loss.backward\(\) before step"):
            optimizer.step()
        assert optimizer.step_count == 0


FROZEN_LAYER_CASES = [
    (lambda p: nn.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.1),
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.1)),
    (lambda p: nn.Adam(p, lr=0.01, weight_decay=0.1),
     lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1, foreach=False)),
]


@pytest.mark.parametrize("factories", FROZEN_LAYER_CASES, ids=["sgd", "adam"])
def test_frozen_layer_matches_torch(factories):
    optimizer_factory, torch_optimizer_factory = factories
    X, y, model, reference = make_problem()
    model[0].weight.requires_grad_(False)
    model[0].bias.requires_grad_(False)
    reference[0].requires_grad_(False)
    frozen_weight = model[0].weight.numpy().copy()

    # The fine-tuning pattern: every parameter goes to the optimiser, frozen or not.
    optimizer = optimizer_factory(model.parameters())
    torch_optimizer = torch_optimizer_factory(reference.parameters())
    X_torch, y_torch = torch.from_numpy(X), torch.from_numpy(y)
    for step in range(N_STEPS):
        rows = slice(4 * (step % 4), 4 * (step % 4) + 4)
        optimizer.zero_grad()
        nn.mse_loss(model(X[rows]), y[rows]).backward()
        optimizer.step()
        torch_optimizer.zero_grad()
        torch.nn.functional.mse_loss(reference(X_torch[rows]), y_torch[rows]).backward()
        torch_optimizer.step()

    assert model[0].weight.grad is None
    np.testing.assert_array_equal(model[0].weight.numpy(), frozen_weight)
    assert_same_weights(model, reference, rtol=1e-12)


@pytest.mark.parametrize("cls", [nn.SGD, nn.Adam])
def test_step_with_every_parameter_frozen(cls):
    frozen = [nn.Parameter([1.0], requires_grad=False), nn.Parameter([2.0], requires_grad=False)]
    optimizer = cls(frozen, lr=0.1)
    with pytest.raises(RuntimeError, match="none of the 2 parameters requires grad"):
        optimizer.step()
    assert optimizer.step_count == 0


@pytest.mark.parametrize("cls", [nn.SGD, nn.Adam])
def test_rejects_integer_parameter(cls):
    counts = autodiff.tensor([1, 2])
    with pytest.raises(TypeError, match=r"parameter 1 \(shape \(2,\)\) has dtype int64; only floating-point"):
        cls([nn.Parameter([1.0]), counts], lr=0.1)


@pytest.mark.parametrize("cls", [nn.SGD, nn.Adam])
def test_rejects_non_leaf(cls):
    w = autodiff.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="computed by 'multiply'"):
        cls([w * 2], lr=0.1)


@pytest.mark.parametrize("cls", [nn.SGD, nn.Adam])
def test_rejects_bad_parameter_lists(cls):
    w = nn.Parameter([1.0])
    with pytest.raises(ValueError, match="empty parameter list"):
        cls([], lr=0.1)
    with pytest.raises(TypeError, match="got a single Tensor"):
        cls(w, lr=0.1)
    with pytest.raises(TypeError, match="parameter 0 is a ndarray"):
        cls([np.zeros(1)], lr=0.1)
    with pytest.raises(ValueError, match="appears more than once"):
        cls([w, w], lr=0.1)


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        (dict(lr=0), ValueError, "lr must be > 0"),
        (dict(lr=-0.1), ValueError, "lr must be >= 0"),
        (dict(lr="0.1"), TypeError, "lr must be a finite real number"),
        (dict(lr=float("nan")), TypeError, "lr must be a finite real number"),
        (dict(lr=0.1, momentum=1.0), ValueError, r"momentum must be in \[0, 1.0\)"),
        (dict(lr=0.1, weight_decay=-1), ValueError, "weight_decay must be >= 0"),
        (dict(lr=0.1, nesterov=True), ValueError, "nesterov=True needs momentum > 0"),
    ],
)
def test_sgd_argument_errors(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        nn.SGD([nn.Parameter([1.0])], **kwargs)


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        (dict(lr=0), ValueError, "lr must be > 0"),
        (dict(betas=(0.9, 1.0)), ValueError, r"betas\[1\] must be in \[0, 1.0\)"),
        (dict(betas=0.9), TypeError, "betas must be a pair"),
        (dict(eps=-1e-8), ValueError, "eps must be >= 0"),
        (dict(weight_decay=True), TypeError, "weight_decay must be a finite real number"),
    ],
)
def test_adam_argument_errors(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        nn.Adam([nn.Parameter([1.0])], **kwargs)
