"""Reverse-mode backprop: one pass over the graph in reverse topological order.

This is Algorithm 5 of the notes for any graph: starting from δ = ∂J/∂J = 1
at the output, each node, visited after every node that uses it, receives
the sum of its consumers' contributions and passes δ·∂node/∂input to each
input through its primitive's VJP rule. A graph of N nodes costs O(N) for
the sort of grad(), backward(create_graph=True) and pictures, and
O(N (1 + log W)) for plain backward(), whose heap holds W nodes at most
(see `_run_arrays_plain`). W is 1 for a chain and for the benchmarks' MLPs,
where the measured time grows linearly in N (benchmarks/README.md).
"""

import functools
import gc
import heapq
import threading
import warnings

import numpy as np

from autodiff import ops
from autodiff.grad_mode import _set_enabled
from autodiff.node import Node
from autodiff.primitives import _sum_to_array
from autodiff.tensor import _RELEASED, Tensor


# Held while a pass adds to leaves' .grad, so that two threads running
# backward() into the same leaf lose no gradient, as with PyTorch 2.13.
_leaf_lock = threading.Lock()


def backward(output, grad=None, retain_graph=None, create_graph=False):
    """Accumulate ∂output/∂leaf into `leaf.grad` for every leaf that requires grad.

    Args:
        output: the Tensor to differentiate, usually the scalar loss J.
        grad: ∂J/∂output, the seed, with output's shape. It may be omitted
            only when output has one element (then it is 1).
        retain_graph: keep the graph so that backward can run through it
            again. By default the graph is freed (each node drops its inputs)
            and a second backward raises an error. Defaults to create_graph.
        create_graph: record the backward pass itself, so the gradients are
            tensors with history that can be differentiated again. This
            keeps the graph.

    Leaf gradients add up across calls, as in PyTorch, until cleared with
    `zero_grad()`.

    With create_graph=True, each leaf's `.grad` records a graph that refers
    back to the leaf, a reference cycle that only the cycle collector frees
    (PyTorch has the same cycle and warns about it too). Prefer
    `autodiff.grad(..., create_graph=True)`, which stores nothing in `.grad`.
    """
    if create_graph:
        warnings.warn(
            "backward(create_graph=True) makes each leaf's .grad refer to a graph that "
            "refers back to the leaf, a reference cycle that frees memory only when the "
            "cycle collector runs; use autodiff.grad(outputs, inputs, create_graph=True) "
            "to avoid it, or set leaf.grad = None when done",
            UserWarning,
            stacklevel=3,  # the caller of Tensor.backward
        )
    _backprop([output], [grad], retain_graph, create_graph, wanted=None)



def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Return ∂(Σ outputs·grad_outputs)/∂input for each input, as `torch.autograd.grad`.

    Unlike `backward`, this leaves every `.grad` untouched. `outputs` and
    `inputs` are a Tensor or a sequence of Tensors; the result is a tuple
    with one gradient per input. An input that does not reach the outputs
    raises ValueError, or gives None when allow_unused=True.
    """
    outputs = _as_list(outputs, "outputs")
    inputs = _as_list(inputs, "inputs")
    if not outputs or not inputs:
        raise ValueError("grad(): outputs and inputs must each contain at least one Tensor")
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    else:
        grad_outputs = _as_list(grad_outputs, "grad_outputs", allow_arrays=True)
        if len(grad_outputs) != len(outputs):
            raise ValueError(
                f"grad(): got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs; "
                "give one per output (None for a scalar output)"
            )
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise ValueError(
                f"grad(): input {i} (shape {t.shape}) does not require grad; create it with "
                "requires_grad=True or call .requires_grad_() before computing the outputs"
            )

    keys = [t.node for t in inputs]
    captured = _backprop(outputs, grad_outputs, retain_graph, create_graph, wanted=keys)
    result = []
    for i, (t, key) in enumerate(zip(inputs, keys)):
        g = captured.get(key)
        if g is None and not allow_unused:
            raise ValueError(
                f"grad(): input {i} (shape {t.shape}) is not used to compute the outputs; "
                "pass allow_unused=True to get None for it"
            )
        result.append(g)
    return tuple(result)


def _as_list(value, what, allow_arrays=False):
    if isinstance(value, Tensor) or (allow_arrays and not isinstance(value, (list, tuple))):
        return [value]
    items = list(value)
    if not allow_arrays:
        for i, item in enumerate(items):
            if not isinstance(item, Tensor):
                raise TypeError(f"grad(): {what}[{i}] is {type(item).__name__}, not a Tensor")
    return items


def _backprop(outputs, seeds, retain_graph, create_graph, wanted, trace=None):
    caller = "backward()" if wanted is None else "grad()"
    for output in outputs:
        if not output.requires_grad:
            raise RuntimeError(
                f"{caller}: the output does not require grad and has no history; "
                "create the inputs with requires_grad=True, and do not compute it inside no_grad()"
            )
    if retain_graph is None or create_graph:
        retain_graph = bool(create_graph) or bool(retain_graph)

    grads = {}
    for output, seed in zip(outputs, seeds):
        seed = _seed(output, seed)
        key = output.node
        grads[key] = seed if key not in grads else grads[key] + seed

    # The graph has no reference cycles, so the cycle collector can only
    # waste time here: on a 10^6-node graph its full passes during the sort
    # and the pass cost more than the backprop itself. The pause costs well
    # under a microsecond.
    pause_gc = gc.isenabled()
    if pause_gc:
        gc.disable()
    previous_mode = _set_enabled(create_graph)
    try:
        if not create_graph and wanted is None and trace is None:
            return _run_arrays_plain(grads, retain_graph)  # needs no sort

        order = _topological_order(list(grads))
        stops = frozenset()
        if wanted:  # grad(); an empty list walks the whole graph (pictures use that)
            order, stops = _on_paths_to(order, wanted)
        return _run(order, grads, retain_graph, create_graph, wanted, trace, stops)
    finally:
        _set_enabled(previous_mode)
        if pause_gc:
            gc.enable()


def _seed(output, grad):
    if grad is None:
        if output.size != 1:
            raise ValueError(
                f"backward(): the output has shape {output.shape}, so the gradient seed "
                f"∂J/∂output is ambiguous; pass grad= an array of shape {output.shape} "
                "(e.g. autodiff.ones_like(output)), or reduce the output to a scalar "
                "first, e.g. output.sum().backward()"
            )
        if not output.shape:
            return Tensor._from_array(output.dtype.type(1))
        return Tensor._from_array(np.ones(output.shape, dtype=output.dtype))

    if isinstance(grad, Tensor):
        seed = grad
    else:
        try:
            seed = Tensor._from_array(np.asarray(grad))
        except ValueError as error:
            raise TypeError(f"backward(): grad must be an array of numbers ({error})") from None
    if seed.dtype.kind not in "fiub":
        raise TypeError(
            f"backward(): grad must be numeric, got dtype {seed.dtype}; pass an array of "
            f"shape {output.shape}"
        )
    if seed.shape != output.shape:
        raise ValueError(
            f"backward(): grad has shape {seed.shape} but the output has shape "
            f"{output.shape}; they must match"
        )
    if seed.dtype != output.dtype:
        seed = ops.astype(seed, output.dtype)
    return seed


def _topological_order(outputs):
    """Return the nodes and leaves reached through inputs that required grad, each before its inputs.

    `outputs` are graph nodes (`Tensor.node`). The walk is an iterative DFS.
    """
    order = []
    visited = set()
    stack = [(output, False) for output in outputs]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if node in visited:
            continue
        if node._params is _RELEASED:
            raise _freed_error(node)
        visited.add(node)
        stack.append((node, True))
        for parent in _needed_parents(node):
            if parent not in visited:
                stack.append((parent, False))
    order.reverse()
    return order


def _needed_parents(node):
    """Return the inputs of `node` that required grad when it was made (none for a leaf)."""
    if type(node) is not Node:
        return ()
    needs = node._needs_input_grad
    if needs is None:
        return node._parents
    return [parent for parent, needed in zip(node._parents, needs) if needed]


def _freed_error(node):
    return RuntimeError(
        f"backward(): the graph through '{node._op.name}' was already freed by an "
        "earlier backward(); pass retain_graph=True to the first backward() "
        "to run backward through the same graph again"
    )


def _on_paths_to(order, wanted):
    """Return the nodes from which a wanted input is reachable, and the wanted nodes to stop at.

    As in torch.autograd.grad, the graph below the inputs is neither run nor
    freed, so a later backward() can still use it. A wanted node is a stop
    unless another wanted node lies below it.
    """
    wanted = set(wanted)
    leading = set()
    stops = set()
    for node in reversed(order):  # each node comes after all of its inputs
        below = any(parent in leading for parent in node._parents)
        if below or node in wanted:
            leading.add(node)
        if node in wanted and not below:
            stops.add(node)
    return [node for node in order if node in leading], stops


def _run(order, grads, retain_graph, create_graph, wanted, trace=None, stops=frozenset()):
    """Visit the nodes in order; accumulate leaf grads, or capture the `wanted` ones.

    `trace`, when a list, receives ("visit", node, g) when a node's gradient
    is complete and ("edge", node, i, parent, contribution) for each VJP
    result, in the order backprop computes them (pictures use it).

    Without create_graph the pass runs on the arrays themselves, with each
    primitive's array rules, and makes a Tensor only for the results.
    """
    if create_graph:
        return _run_tensors(order, grads, retain_graph, wanted, trace, stops)
    return _run_arrays(order, grads, retain_graph, wanted, trace, stops)


def _run_arrays(order, grads, retain_graph, wanted, trace, stops):
    captured = {} if wanted is not None else None
    wanted = set(wanted) if wanted is not None else None
    grads = {node: seed.data for node, seed in grads.items()}
    handed = set(map(id, grads.values()))  # the seeds belong to the caller
    wrap = Tensor._from_array

    for node in order:
        g = grads.pop(node, None)
        if g is None:
            continue  # every rule on the way here returned None
        if trace is not None:
            trace.append(("visit", node, wrap(g)))
        if wanted is not None and node in wanted:
            captured[node] = _accumulate_array(None, g, handed)
            if node in stops:
                continue
        if type(node) is not Node:
            if wanted is None:
                if node._requires_grad:  # as in _run_arrays_plain
                    with _leaf_lock:
                        node.grad = _accumulate_array(node.grad, g, handed)
            continue

        for i, parent, contribution in _contributions(node, g):
            if trace is not None:
                trace.append(("edge", node, i, parent, wrap(contribution)))
            previous = grads.get(parent)
            grads[parent] = contribution if previous is None else previous + contribution

        if not retain_graph:
            _release(node)
    return captured


def _release(node):
    """Drop a visited node's inputs and kept values, which nothing reads any more.

    Its consumers, which read its value, come before it in the order. A
    small value (meta None) stays: it is the node's only record of its shape.
    """
    node._parents = ()
    node._params = _RELEASED
    if node.meta is not None:
        node.data = None


def _run_arrays_plain(grads, retain_graph):
    """`_run_arrays` for plain backward(): no trace, nothing captured, leaves last.

    It needs no sort: a heap of the nodes that have a gradient gives the
    one made last (the largest `Node._number`), as PyTorch orders its ready
    queue by sequence number. Every node that uses that one was made after
    it and has run already, so its gradient is complete. A node enters the
    heap with its first contribution, so nodes that no gradient reaches
    are never visited. A graph of N nodes costs O(N log W), where W is the
    number of nodes waiting at once (1 for a chain of ops). This is the path
    of every training step, so the loop also leaves out the tests for
    pictures and grad().
    """
    grads = {node: seed.data for node, seed in grads.items()}
    handed = set(map(id, grads.values()))  # the seeds belong to the caller
    waiting = [(-node._number, node) for node in grads if type(node) is Node]
    heapq.heapify(waiting)
    push = heapq.heappush
    next_node = heapq.heappop
    pop = grads.pop
    get = grads.get
    ndarray = np.ndarray  # a local reads faster than a module attribute

    while waiting:
        node = next_node(waiting)[1]
        g = pop(node)
        primitive = node._op
        parents = node._parents
        params = node._params
        if params is _RELEASED:
            raise _freed_error(node)
        arity = primitive.array_arity

        if arity == 0:  # no array rules, or a variadic primitive
            for _, parent, c in _contributions(node, g):
                previous = get(parent)
                if previous is None:
                    grads[parent] = c
                    if type(parent) is Node:
                        push(waiting, (-parent._number, parent))
                else:
                    grads[parent] = previous + c

        # _contributions() written out for primitives of one or two inputs,
        # most of any graph, because on small arrays this loop costs more
        # than NumPy's work (benchmarks/README.md, per-op overhead). The
        # rules get their arguments directly (an empty **params costs more
        # than the branch), and the fit test is the same: the types match
        # and, for arrays, the shapes and dtypes.
        elif arity == 1:
            x = parents[0]
            xd = x.data
            if xd is None and 0 in primitive.shapes:
                xd = _stand_in(x)
            # The one input required grad, or there would be no node. The
            # result is named cx as in the binary case, so that no local keeps
            # an earlier node's gradient alive.
            cx = (primitive.array_vjps[0](g, node.data, xd, **params) if params
                  else primitive.array_vjps[0](g, node.data, xd))
            if cx is not None:
                if xd is None:  # a value not kept: its node has the shape and dtype
                    if type(cx) is not ndarray or (cx.shape, cx.dtype) != x.meta:
                        cx = _fit_array(cx, x, primitive, 0)
                elif type(cx) is not type(xd) or (
                    type(xd) is ndarray
                    and (cx.shape != xd.shape or cx.dtype is not xd.dtype)
                ):
                    cx = _fit_array(cx, x, primitive, 0)
                previous = get(x)
                if previous is None:
                    grads[x] = cx
                    if type(x) is Node:
                        push(waiting, (-x._number, x))
                else:
                    grads[x] = previous + cx

        else:
            x, y = parents
            xd = x.data
            if xd is None and 0 in primitive.shapes:
                xd = _stand_in(x)
            yd = y.data
            if yd is None and 1 in primitive.shapes:
                yd = _stand_in(y)
            out = node.data
            needs = node._needs_input_grad  # None when both inputs required grad
            both = primitive.array_vjp_both
            if needs is None and both is not None:
                cx, cy = both(g, out, xd, yd, **params) if params else both(g, out, xd, yd)
            else:
                rules = primitive.array_vjps
                cx = cy = None
                if needs is None or needs[0]:
                    cx = (rules[0](g, out, xd, yd, **params) if params
                          else rules[0](g, out, xd, yd))
                if needs is None or needs[1]:
                    cy = (rules[1](g, out, xd, yd, **params) if params
                          else rules[1](g, out, xd, yd))

            # Elementwise rules on x and y of one shape and dtype give results
            # that fit both, and this one test costs half of the two fit tests.
            if not (primitive.elementwise and type(xd) is ndarray
                    and type(yd) is ndarray and xd.dtype is yd.dtype
                    and xd.shape == yd.shape):
                if cx is not None:
                    if xd is None:  # a value not kept: its node has the shape and dtype
                        if type(cx) is not ndarray or (cx.shape, cx.dtype) != x.meta:
                            cx = _fit_array(cx, x, primitive, 0)
                    elif type(cx) is not type(xd) or (
                        type(xd) is ndarray
                        and (cx.shape != xd.shape or cx.dtype is not xd.dtype)
                    ):
                        cx = _fit_array(cx, x, primitive, 0)
                if cy is not None:
                    if yd is None:
                        if type(cy) is not ndarray or (cy.shape, cy.dtype) != y.meta:
                            cy = _fit_array(cy, y, primitive, 1)
                    elif type(cy) is not type(yd) or (
                        type(yd) is ndarray
                        and (cy.shape != yd.shape or cy.dtype is not yd.dtype)
                    ):
                        cy = _fit_array(cy, y, primitive, 1)

            if cx is not None:
                previous = get(x)
                if previous is None:
                    grads[x] = cx
                    if type(x) is Node:
                        push(waiting, (-x._number, x))
                else:
                    grads[x] = previous + cx
            if cy is not None:
                previous = get(y)
                if previous is None:
                    grads[y] = cy
                    if type(y) is Node:
                        push(waiting, (-y._number, y))
                else:
                    grads[y] = previous + cy

        if not retain_graph:  # _release(node), written out
            node._parents = ()
            node._params = _RELEASED
            if node.meta is not None:
                node.data = None

        # A local that keeps an array past its node would raise the peak memory.
        g = out = xd = yd = c = cx = cy = previous = x = y = parent = None

    # What is left are the leaves, which never enter the heap.
    with _leaf_lock:
        for leaf, g in grads.items():
            if leaf._requires_grad:  # False for a leaf switched off after it was used
                _check_leaf_gradient(leaf, g)
                leaf.grad = _accumulate_array(leaf.grad, g, handed)
    return None


def _check_leaf_gradient(leaf, g):
    """Raise if g does not have the leaf's shape and dtype.

    `_run_arrays_plain` trusts the `elementwise` promise and skips fitting. This
    check catches a broken promise only when the bad result reaches a leaf
    directly. NOTE: when it reaches another node first, that node's fit can
    sum it to the right shape and give a wrong .grad without an error, as a
    wrong VJP rule would.
    """
    data = leaf.data
    if type(g) is type(data) and (
        type(data) is not np.ndarray or (g.shape == data.shape and g.dtype is data.dtype)
    ):
        return
    if isinstance(g, np.ndarray) and not g.shape and isinstance(data, np.generic):
        if g.dtype is data.dtype:
            return  # a 0-d array for a 0-d leaf, made a NumPy scalar when stored
    raise RuntimeError(
        f"backward(): the gradient of a leaf of shape {np.shape(data)} and dtype "
        f"{np.asarray(data).dtype} came out with shape {np.shape(g)} and dtype "
        f"{np.asarray(g).dtype}. A primitive declared elementwise=True whose rules "
        "do not keep their inputs' shape and dtype causes this, and so does replacing "
        "the leaf's .data with another shape between forward and backward"
    )


def _contributions(node, g):
    """Yield (i, parent, ∂J/∂parent) for each input of `node` that required grad.

    `g` is ∂J/∂node. Each contribution comes from the primitive's array rule
    and is fitted to its input's shape and dtype. A primitive declared
    without array rules runs its Tensor rules on Tensors of the same arrays,
    made once per node.
    """
    primitive = node._op
    parents = node._parents
    params = node._params or _NO_PARAMS
    values = _input_values(primitive, parents)
    rules = primitive.array_vjps
    if rules is None:
        rules = primitive.vjps
        wrap = Tensor._from_array
        args = (wrap(g), wrap(node.data), [wrap(value) for value in values])
    else:
        args = (g, node.data, values)
    needs = node._needs_input_grad

    for i, parent in enumerate(parents):
        if needs is not None and not needs[i]:
            continue
        # A variadic rule takes every input in one sequence, so that a node
        # of n inputs costs O(n) in all, not O(n) for each input.
        if primitive.variadic:
            contribution = rules[0](i, *args, **params)
        else:
            contribution = rules[i](args[0], args[1], *args[2], **params)
        if contribution is None:
            continue
        if primitive.array_vjps is None:
            if not isinstance(contribution, Tensor):
                raise TypeError(
                    f"the VJP rule of '{primitive.name}' for input {i} returned "
                    f"{type(contribution).__name__}; rules must return a Tensor or None"
                )
            contribution = contribution.data  # fitted below like an array rule's result
        # Nothing to fit when the types match and, for arrays, the shapes and
        # dtypes too. A NumPy scalar's type fixes its dtype and shape (), and
        # NumPy's built-in dtypes are singletons, so `is` is the fast test.
        data = values[i]
        if data is None or type(contribution) is not type(data) or (
            type(data) is np.ndarray
            and (contribution.shape != data.shape or contribution.dtype is not data.dtype)
        ):
            contribution = _fit_array(contribution, parent, primitive, i)
        yield i, parent, contribution


def _run_tensors(order, grads, retain_graph, wanted, trace, stops):
    captured = {} if wanted is not None else None
    wanted = set(wanted) if wanted is not None else None
    handed = {id(seed.data) for seed in grads.values()}  # the seeds belong to the caller
    for node in order:
        g = grads.pop(node, None)
        if g is None:
            continue
        if trace is not None:
            trace.append(("visit", node, g))

        if wanted is not None and node in wanted:
            captured[node] = g
            if node in stops:
                continue
        if type(node) is not Node:
            if wanted is None:
                if node._requires_grad:  # as in _run_arrays_plain
                    with _leaf_lock:
                        node.grad = _accumulate_tensor(node.grad, g, handed)
            continue

        primitive = node._op
        parents = node._parents
        params = node._params or _NO_PARAMS
        # The Tensor rules take tensors: the inputs' and output's kept values,
        # each tied to its node so that what the rules compute is recorded.
        tensors = [_tensor_of(parent, value)
                   for parent, value in zip(parents, _input_values(primitive, parents))]
        out = _tensor_of(node, node.data)
        needs = node._needs_input_grad
        for i, parent in enumerate(parents):
            if needs is not None and not needs[i]:
                continue
            if primitive.variadic:
                contribution = primitive.vjps[0](i, g, out, tensors, **params)
            else:
                contribution = primitive.vjps[i](g, out, *tensors, **params)
            if contribution is None:
                continue
            contribution = _fit(contribution, parent, primitive, i)
            if trace is not None:
                trace.append(("edge", node, i, parent, contribution))
            previous = grads.get(parent)
            grads[parent] = contribution if previous is None else previous + contribution

        if not retain_graph:
            _release(node)
    return captured


def _tensor_of(key, value):
    """Return a Tensor for graph node `key`: the leaf itself, or `value` tied to the Node."""
    if type(key) is not Node:
        return key
    t = Tensor._from_array(value)
    t._requires_grad = True
    t._node = key
    return t


def _input_values(primitive, parents):
    """Return the inputs' kept values, with a stand-in for a dropped one whose shape is read."""
    values = [parent.data for parent in parents]
    for i in primitive.shapes:
        if values[i] is None:
            values[i] = _stand_in(parents[i])
    return values


def _stand_in(node):
    """Return an array of nan (zeros for other dtypes) with the shape and dtype of `node`.

    It takes no memory, because every element is the same one. The rules
    of `Primitive.shapes` inputs get it for a value the graph dropped. They
    read its shape and dtype only, and nan shows a rule that reads more.
    """
    return _stand_in_of(*node.meta)


@functools.lru_cache(maxsize=256)  # np.broadcast_to costs microseconds; the result is read-only
def _stand_in_of(shape, dtype):
    fill = np.array(np.nan if dtype.kind == "f" else 0, dtype=dtype)
    return np.broadcast_to(fill, shape)


_NO_PARAMS = {}


def _accumulate_tensor(current, g, handed):
    """`_accumulate_array` for create_graph: the same copies, made by a recorded op.

    The copy `g * 1` keeps g's history, so the new .grad can still be
    differentiated; a gradient that requires no grad is copied directly.
    """
    if current is not None:
        return current + g
    array = g.data
    if type(array) is np.ndarray and (
        array.base is not None or not array.flags.writeable or id(array) in handed
    ):
        g = g * 1 if g.requires_grad else Tensor._from_array(array.copy())
    handed.add(id(g.data))
    return g


def _accumulate_array(current, g, handed):
    """Return the leaf's new .grad Tensor: the array g added to the current one.

    A first gradient is copied when its array might be seen elsewhere: a
    read-only or view array (such as the caller's seed reshaped), or one
    already given to another leaf (add sends the same g to both inputs).
    `handed` contains the ids of the arrays given out so far. NumPy scalars,
    which 0-d tensors hold, are immutable and need no copy.
    """
    if current is not None:
        g = current.data + g
    elif type(g) is np.ndarray:
        if g.base is not None or not g.flags.writeable or id(g) in handed:
            g = g.copy()
        handed.add(id(g))
    if type(g) is np.ndarray and not g.shape:
        g = g[()]
    return Tensor._from_array(g)


def _fit_array(contribution, parent, primitive, i):
    """`_fit` for the array rules: sum back to the input's shape, cast to its dtype."""
    if not isinstance(contribution, (np.ndarray, np.generic)):
        raise TypeError(
            f"the array VJP rule of '{primitive.name}' for input {i} returned "
            f"{type(contribution).__name__}; array rules must return an ndarray, a NumPy "
            "scalar or None"
        )
    shape = parent.shape
    dtype = parent.dtype
    try:
        if contribution.shape != shape:
            contribution = _sum_to_array(contribution, shape)
        if contribution.dtype != dtype:
            contribution = contribution.astype(dtype)
    except ValueError:
        raise RuntimeError(
            f"the VJP rule of '{primitive.name}' for input {i} returned shape "
            f"{contribution.shape}, which does not reduce to the input's shape {shape}"
        ) from None
    if not shape and type(contribution) is np.ndarray:
        contribution = contribution[()]  # a NumPy scalar, like the 0-d input's value
    return contribution


def _fit(contribution, parent, primitive, i):
    """Sum a VJP result back to its input's shape and cast it to the input's dtype.

    This is the one place where broadcasting is undone, for every primitive.
    """
    if not isinstance(contribution, Tensor):
        raise TypeError(
            f"the VJP rule of '{primitive.name}' for input {i} returned "
            f"{type(contribution).__name__}; rules must return a Tensor or None"
        )
    if contribution.data.shape != parent.shape:
        try:
            contribution = ops.sum_to(contribution, parent.shape)
        except ValueError:
            raise RuntimeError(
                f"the VJP rule of '{primitive.name}' for input {i} returned shape "
                f"{contribution.shape}, which does not reduce to the input's shape {parent.shape}"
            ) from None
    if contribution.data.dtype != parent.dtype:
        contribution = ops.astype(contribution, parent.dtype)
    return contribution
