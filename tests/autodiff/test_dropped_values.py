"""Graph nodes: what they keep, what they drop, and the numbers after a drop.

A Tensor made by a recorded op points to a Node. The Node keeps the output
value only when a VJP rule reads it, when it has at most SMALL_SIZE
elements, when its tensor is named, or inside keep_values(). Every input
here is an intermediate of more than SMALL_SIZE elements made by
`leaf * 1.0 + 0.0`, whose add keeps nothing, so each test runs on values
that the graph really dropped.

PyTorch 2.13 (CPU) is the oracle for the numbers and for what a graph should
save: `torch.autograd.graph.saved_tensors_hooks` lists the tensors that
PyTorch's graph keeps for backward.
"""

import contextlib
import gc
import weakref

import numpy as np
import pytest
import torch

import autodiff as ad
import nn
from autodiff.node import Node
from autodiff.primitives import Primitive
from autodiff.tensor import apply

SHAPE = (5, 6)  # 30 elements, above SMALL_SIZE = 16


@contextlib.contextmanager
def gc_paused():
    """Pause the cycle collector, so that an object freed inside was freed by reference counting."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def values(seed=0, shape=SHAPE):
    return np.random.default_rng(seed).uniform(0.5, 1.5, size=shape)


def dropped_intermediate(leaf):
    """Return `leaf * 1.0 + 0.0`: a new array that no node keeps, since add reads neither input."""
    return leaf * 1.0 + 0.0


# --- numbers after values were dropped, against PyTorch ---

SECOND_ORDER_CASES = {
    "exp": (lambda h: ad.exp(h).sum(), lambda h: torch.exp(h).sum()),
    "tanh_times_sin": (lambda h: (ad.tanh(h) * ad.sin(h)).sum(),
                       lambda h: (torch.tanh(h) * torch.sin(h)).sum()),
    "logsumexp": (lambda h: ad.logsumexp(h, axis=1).sum(), lambda h: torch.logsumexp(h, 1).sum()),
    "softmax_squared": (lambda h: (ad.softmax(h, axis=0) ** 2).sum(),
                        lambda h: (torch.softmax(h, 0) ** 2).sum()),
    "std": (lambda h: ad.std(h, axis=1).sum(), lambda h: torch.std(h, 1, correction=0).sum()),
    "reciprocal": (lambda h: (1.0 / (h * h + 1.0)).sum(), lambda h: (1.0 / (h * h + 1.0)).sum()),
    "gram_sigmoid": (lambda h: ad.sigmoid(h @ h.T).sum(), lambda h: torch.sigmoid(h @ h.T).sum()),
}


@pytest.mark.parametrize("name", SECOND_ORDER_CASES)
def test_second_order_at_dropped_intermediate(name):
    # ∂J/∂h for an intermediate h whose value the graph dropped, then the
    # derivative of <∂J/∂h, u> with respect to h and to the leaf below it.
    function, torch_function = SECOND_ORDER_CASES[name]
    u = values(seed=1) - 1.0

    x = ad.tensor(values(), requires_grad=True)
    h = dropped_intermediate(x)
    assert h.node.data is None
    grad_h, = ad.grad(function(h), [h], create_graph=True)
    second_h, second_x = ad.grad((grad_h * u).sum(), [h, x])

    xt = torch.tensor(values(), requires_grad=True)
    ht = xt * 1.0 + 0.0
    grad_ht, = torch.autograd.grad(torch_function(ht), [ht], create_graph=True)
    second_ht, second_xt = torch.autograd.grad((grad_ht * torch.from_numpy(u)).sum(), [ht, xt])

    np.testing.assert_allclose(grad_h.numpy(), grad_ht.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(second_h.numpy(), second_ht.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(second_x.numpy(), second_xt.numpy(), rtol=1e-10, atol=1e-12)


def test_graph_below_grad_input_still_usable():
    # grad(y, [h]) without retain_graph frees the graph above h only, as in
    # PyTorch, so a new output computed from h still reaches the leaves.
    x = ad.tensor(values(), requires_grad=True)
    w = ad.tensor(values(seed=2, shape=(6, 4)), requires_grad=True)
    h = x @ w
    y = (ad.sin(h) * h).sum()

    xt = torch.tensor(values(), requires_grad=True)
    wt = torch.tensor(values(seed=2, shape=(6, 4)), requires_grad=True)
    ht = xt @ wt
    yt = (torch.sin(ht) * ht).sum()

    grad_h, = ad.grad(y, [h])
    grad_ht, = torch.autograd.grad(yt, [ht], retain_graph=True)
    np.testing.assert_allclose(grad_h.numpy(), grad_ht.numpy(), rtol=1e-12)

    with pytest.raises(RuntimeError, match="already freed"):
        y.backward()

    (h ** 2).sum().backward()
    (ht ** 2).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), wt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-12)


# --- memory: nothing survives a transform or a training step ---


def live_nodes():
    return sum(1 for obj in gc.get_objects() if type(obj) is Node)


def test_transforms_leave_no_nodes():
    data = values(shape=(20, 4))

    def loss(w):
        return (ad.tanh(data @ w) ** 2).sum()

    with gc_paused():
        before = live_nodes()
        ad.hessian(loss)(np.ones(4))
        ad.hvp(loss, (np.ones(4),), (np.ones(4),))
        ad.jacobian(lambda w: ad.softmax(data @ w))(np.ones(4))
        after = live_nodes()

    assert after == before


def test_training_steps_do_not_grow():
    rng = np.random.default_rng(0)
    inputs = rng.standard_normal((32, 13))
    targets = rng.standard_normal((32, 1))
    model = nn.MLP(13, hidden=[64, 64], seed=0)
    optimizer = nn.SGD(model.parameters(), lr=1e-3, momentum=0.9)

    def train(steps):
        for _ in range(steps):
            optimizer.zero_grad()
            nn.squared_loss(model(inputs), targets).backward()
            optimizer.step()

    with gc_paused():
        train(50)
        objects_before = len(gc.get_objects())
        train(500)
        objects_after = len(gc.get_objects())
        nodes_after = live_nodes()

    assert objects_after == objects_before
    assert nodes_after == 0


# --- regressions, and the graph's memory against PyTorch's ---


def test_tensor_only_primitive_drops_unread_input():
    # A primitive declared with Tensor rules only (no array rules) whose rule
    # reads nothing but g, as `saves=()` states.
    double = Primitive("double", lambda a: a * 2.0, (lambda g, out, x: g * 2.0,), saves=())
    x = ad.tensor(values(), requires_grad=True)

    y = apply(double, (dropped_intermediate(x),))
    y.sum().backward()

    np.testing.assert_array_equal(x.grad.numpy(), np.full(SHAPE, 2.0))


def test_rebinding_data_keeps_forward_values():
    # Backward of the ops recorded before the assignment uses the values of
    # their forward pass. PyTorch uses the new value (w.grad = 0) instead.
    x = ad.tensor(values(), requires_grad=True)
    w = ad.tensor(np.ones((6, 3)), requires_grad=True)
    h = x * 2.0
    y = (h @ w).sum()
    h.data = np.zeros(SHAPE)

    y.backward()

    column_sums = (2.0 * values()).sum(axis=0)
    np.testing.assert_allclose(w.grad.numpy(), np.repeat(column_sums[:, None], 3, axis=1))


def test_rebinding_data_then_reading_it_raises():
    # h's node keeps the old value for matmul, so a new op that reads h
    # cannot get the new one in its backward pass.
    x = ad.tensor(values(), requires_grad=True)
    w = ad.tensor(np.ones((6, 3)), requires_grad=True)
    h = x * 2.0
    (h @ w).sum()
    h.data = np.zeros(SHAPE)

    with pytest.raises(RuntimeError, match=r"multiply: the \.data of an input made by 'multiply'"):
        h * w[:, 0]  # w requires grad, and its rule reads h
    assert (h + 1.0).requires_grad  # add reads no value, so it still records
    assert (h * 2.0).requires_grad  # nor does h's rule in h * 2.0


def test_small_view_of_small_array_is_kept():
    parts = [ad.tensor(1.0, requires_grad=True) * 2.0, ad.tensor(2.0, requires_grad=True) * 3.0]
    stacked = ad.stack(parts)

    assert stacked.draw().source.count("value not kept") == 0


def test_small_view_of_large_array_is_dropped():
    h = dropped_intermediate(ad.tensor(values(), requires_grad=True))
    row = h[0]  # 6 elements, a view of all 30

    assert row._node.data is None


def test_non_leaf_requires_grad_assignment_raises():
    x = ad.tensor(values(), requires_grad=True)
    h = x * 2.0

    with pytest.raises(RuntimeError):
        h.requires_grad = False


def torch_saves(function, array):
    """Return True if PyTorch's graph of function(h) saves h (array="input") or its result."""
    x = torch.tensor(values(), requires_grad=True)
    h = x * 1.0 + 0.0
    saved = []
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t) or t, lambda t: t):
        result = function(h)
    target = h if array == "input" else result
    return any(t.data_ptr() == target.data_ptr() and t.shape == target.shape for t in saved)


CONSTANT = values(seed=3)

# (function of h in autodiff, the same in PyTorch, the array that should be freed)
SHAPE_READS = {
    "sum": (lambda h: h.sum(), lambda h: h.sum(), "input"),
    "mean_axis": (lambda h: h.mean(axis=0), lambda h: h.mean(0), "input"),
    "reshape": (lambda h: h.reshape(-1), lambda h: h.reshape(-1), "input"),
    "expand_dims": (lambda h: ad.expand_dims(h, 0), lambda h: h.unsqueeze(0), "input"),
    "getitem_int": (lambda h: h[0], lambda h: h[0], "input"),
    "getitem_array": (lambda h: h[np.array([1, 3])], lambda h: h[torch.tensor([1, 3])], "input"),
    "broadcast_to": (lambda h: ad.broadcast_to(h, (2,) + SHAPE), lambda h: h.expand((2,) + SHAPE),
                     "input"),
    "astype": (lambda h: h.astype(np.float32), lambda h: h.float(), "input"),
}
CONSTANT_OPERANDS = {
    "times_number": (lambda h: h * 2.0, lambda h: h * 2.0, "input"),
    "times_constant": (lambda h: h * CONSTANT, lambda h: h * torch.from_numpy(CONSTANT), "input"),
    "matmul_constant": (lambda h: h @ CONSTANT.T, lambda h: h @ torch.from_numpy(CONSTANT.T),
                        "input"),
    "divide_by_number": (lambda h: h / 2.0, lambda h: h / 2.0, "output"),
    "power_of_number": (lambda h: h ** 2, lambda h: h ** 2, "output"),
    "constant_times": (lambda h: CONSTANT * h, lambda h: torch.from_numpy(CONSTANT) * h, "input"),
    "constant_matmul": (lambda h: CONSTANT.T @ h, lambda h: torch.from_numpy(CONSTANT.T.copy()) @ h,
                        "input"),
}


def assert_value_freed(function, torch_function, array):
    assert not torch_saves(torch_function, array)

    x = ad.tensor(values(), requires_grad=True)
    with gc_paused():
        h = dropped_intermediate(x)
        result = function(h)
        probe = weakref.ref(h.data if array == "input" else result.data)
        loss = (result + 0.0).sum()  # add reads neither input, so it keeps no value
        del h, result
        alive_before_backward = probe() is not None

    # The gradient is right either way; only the memory is at stake.
    loss.backward()
    xt = torch.tensor(values(), requires_grad=True)
    (torch_function(xt * 1.0 + 0.0) + 0.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-6)

    assert not alive_before_backward


@pytest.mark.parametrize("name", SHAPE_READS)
def test_shape_reads_drop_input_value(name):
    assert_value_freed(*SHAPE_READS[name])


@pytest.mark.parametrize("name", CONSTANT_OPERANDS)
def test_constant_operands_drop_value(name):
    # The rule of an operand that does not require grad never runs, so what
    # only it reads is not kept, as in PyTorch.
    assert_value_freed(*CONSTANT_OPERANDS[name])


def test_late_leaf_gets_no_gradient():
    # c's rule would read h, which the node did not keep. PyTorch also gives
    # no gradient to a tensor that required none when the op was recorded.
    x = ad.tensor(values(), requires_grad=True)
    c = ad.tensor(CONSTANT)
    h = dropped_intermediate(x)
    y = (h * c).sum()
    c.requires_grad_(True)

    with pytest.raises(ValueError, match="input 0 .* is not used"):
        ad.grad(y, [c], retain_graph=True)
    y.backward()

    xt = torch.tensor(values(), requires_grad=True)
    ct = torch.tensor(CONSTANT)
    yt = ((xt * 1.0 + 0.0) * ct).sum()
    ct.requires_grad_(True)
    yt.backward()
    assert ct.grad is None
    assert c.grad is None
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-12)


def probe_primitive(on_backward):
    """Return an identity primitive that calls on_backward() when its array rule runs."""
    def array_rule(g, out, x):
        on_backward()
        return g

    return Primitive("probe", lambda a: a.copy(), (lambda g, out, x: g,), (array_rule,),
                     saves=())


def test_constant_input_freed_after_node():
    freed_at_probe = []
    probe = probe_primitive(lambda: freed_at_probe.append(constant_ref() is None))
    x = ad.tensor(np.ones(1000), requires_grad=True)
    constant = np.full(1000, 3.0)
    constant_ref = weakref.ref(constant)

    # The probe node runs after the multiply node, which backward frees first.
    loss = (apply(probe, (ad.sin(x),)) * constant).sum()
    del constant
    gc.collect()
    assert constant_ref() is not None  # multiply's rule for x reads it
    loss.backward()

    assert freed_at_probe == [True]


UNREAD_CONSTANTS = {
    "add": lambda x, c: x + c,
    "subtract": lambda x, c: x - c,
    "constant_minus": lambda x, c: c - x,
    "where": lambda x, c: ad.where(c > 2.0, x, c),
    "concatenate": lambda x, c: ad.concatenate([x, c]),
}


@pytest.mark.parametrize("name", UNREAD_CONSTANTS)
@pytest.mark.parametrize("create_graph", [False, True])
def test_unread_constant_freed(name, create_graph):
    # No rule reads c, so the node keeps only its shape and dtype, and the
    # array is freed when the caller drops it, as in PyTorch.
    combine = UNREAD_CONSTANTS[name]
    x = ad.tensor(np.ones(1000), requires_grad=True)
    constant = np.full(1000, 3.0)
    constant_ref = weakref.ref(constant)

    loss = (combine(x, constant) * np.arange(1.0, combine(x, constant).size + 1)).sum()
    del constant
    gc.collect()
    assert constant_ref() is None
    (g,) = ad.grad(loss, [x], create_graph=create_graph)

    xt = torch.ones(1000, dtype=torch.float64, requires_grad=True)
    ct = torch.full((1000,), 3.0, dtype=torch.float64)
    torch_combine = {
        "where": lambda a, c: torch.where(c > 2.0, a, c),
        "concatenate": lambda a, c: torch.cat([a, c]),
    }.get(name, combine)
    result = torch_combine(xt, ct)
    (result * torch.arange(1.0, result.numel() + 1, dtype=torch.float64)).sum().backward()
    np.testing.assert_array_equal(g.numpy(), xt.grad.numpy())


def test_read_or_small_constants_are_kept():
    x = ad.tensor(np.ones(1000), requires_grad=True)
    read = np.full(1000, 3.0)  # x * c: x's rule reads c
    small = np.full(16, 3.0)  # at most SMALL_SIZE elements
    named = ad.tensor(np.full(1000, 3.0), name="c")
    inside = np.full(1000, 3.0)

    product = x * read
    small_sum = x[:16] + small
    named_sum = x + named
    with ad.keep_values():
        kept_sum = x + inside

    assert product.node._parents[1].data is read
    assert small_sum.node._parents[1].data is small
    assert named_sum.node._parents[1] is named
    assert kept_sum.node._parents[1].data is inside


def test_unread_constant_in_pictures():
    x = ad.tensor(np.ones(20), requires_grad=True, name="x")
    y = (x + np.full(20, 3.0)).sum()

    source = y.draw().source
    steps = ad.backprop_steps(y)

    assert "value not kept" in source
    assert "(20,)" in source
    assert steps[-1].node is x
