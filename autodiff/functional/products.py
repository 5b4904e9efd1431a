"""Products with a derivative, without forming it: vjp, jvp and hvp.

All three differentiate with respect to every positional argument
(``primals``), as their JAX counterparts do; close over the arguments that
stay fixed, e.g. ``vjp(lambda w: loss(w, X, y), w)``.
"""

from autodiff import ops
from autodiff.functional import _tracing as tracing
from autodiff.grad_mode import enable_grad, is_grad_enabled
from autodiff.tensor import Tensor


def vjp(f, *primals):
    """Return ``(f(*primals), vjp_fn)``: the value and its vector-Jacobian product, as ``jax.vjp``.

    ``vjp_fn(v)`` returns a tuple with vᵀ ∂f/∂x for each primal x, one
    backward pass per call (it can be called many times, on the same
    trace). v must have the shape of f's output; when f returns a tuple
    of Tensors, v is a tuple with one cotangent per output. This is the
    VJP that every backprop step applies, δ[k-1] from δ[k] (Algorithm 5).

    Results are ndarrays, or Tensors when the call is nested (see
    `autodiff.functional`). A cotangent that is a Tensor requiring grad
    also makes the results Tensors with history: the VJP is linear in v,
    which is how `jvp` is built.

    >>> import autodiff as ad
    >>> y, vjp_fn = ad.vjp(lambda x: x * x, [1.0, 2.0, 3.0])
    >>> vjp_fn([1.0, 0.0, 1.0])[0].tolist()
    [2.0, 0.0, 6.0]
    """
    name = "vjp"
    tracing.check_callable(f, name)
    run = _trace_all(f, primals, name)
    outputs, single_output = tracing.as_outputs(run.result, name)

    def vjp_fn(cotangent):
        cotangents = _pair_with_outputs(cotangent, outputs, single_output, name)
        nested = run.nested or (
            is_grad_enabled() and any(c.requires_grad for c in cotangents)
        )
        gradients = tracing.pullback(outputs, cotangents, run.inputs, create_graph=nested)
        return tracing.export(gradients, nested)

    value = outputs[0] if single_output else outputs
    return tracing.export(value, run.nested), vjp_fn


def jvp(f, primals, tangents):
    """Return ``(f(*primals), J·tangents)``: the value and its Jacobian-vector product, as ``jax.jvp``.

    ``primals`` and ``tangents`` are tuples (or lists) of the same length,
    and each tangent has its primal's shape. The product Σ_j ∂f/∂x_j · t_j
    has the shape of f's output (a tuple for a tuple output).

    The engine has reverse mode only, so jvp uses the double-VJP trick.
    The VJP u ↦ uᵀJ is linear in the cotangent u, so with u a dummy tensor
    that requires grad (its value does not matter; zeros are used),
    ∂/∂u ⟨uᵀJ, t⟩ = J t. That costs one forward pass and two backward
    passes, the first one recorded; true forward mode, which this engine
    lacks, would need no backward pass.

    Results are ndarrays, or Tensors when the call is nested (see
    `autodiff.functional`) or a tangent is a Tensor that requires grad.

    >>> import autodiff as ad
    >>> y, y_dot = ad.jvp(lambda x: ad.sin(x), (0.0,), (2.0,))
    >>> float(y), float(y_dot)
    (0.0, 2.0)
    """
    name = "jvp"
    tracing.check_callable(f, name)
    primals, tangents = _check_primals_and_tangents(primals, tangents, name)
    run = _trace_all(f, primals, name)
    tangents = _pair_with_inputs(tangents, run.inputs, name)
    outputs, single_output = tracing.as_outputs(run.result, name)

    nested = run.nested or (is_grad_enabled() and any(t.requires_grad for t in tangents))
    # One dummy cotangent per output that has history; a constant output
    # (possibly of integer dtype) keeps a zero cotangent and a zero product.
    cotangents = [
        Tensor(tracing.zeros_for(o).data, requires_grad=True) if o.requires_grad
        else tracing.zeros_for(o)
        for o in outputs
    ]
    dummies = [u for u in cotangents if u.requires_grad]
    with enable_grad():
        transposed = tracing.pullback(outputs, cotangents, run.inputs, create_graph=True)
        pairing = _inner_product(transposed, tangents)
    live_products = iter(tracing.pullback([pairing], [None], dummies, create_graph=nested))
    products = tuple(next(live_products) if u.requires_grad else u for u in cotangents)

    value = outputs[0] if single_output else outputs
    product = products[0] if single_output else products
    return tracing.export(value, nested), tracing.export(product, nested)


def hvp(f, primals, tangents):
    """Return the Hessian-vector product H·v of the scalar f, one block per primal.

    With x = primals and v = tangents (tuples of the same length, each
    tangent with its primal's shape), block i of the result is
    Σ_j ∂²f/∂x_i∂x_j · v_j, the same as
    ``jvp(grad(f, argnums=(0, ..., n-1)), primals, tangents)[1]``.

    It is computed reverse-over-reverse: H·v = ∇ₓ⟨∇f(x), v⟩, two backward
    passes (the first recorded) and no n × n matrix. The identity is exact
    because H is symmetric for a twice continuously differentiable f.
    Results are ndarrays, or Tensors when the call is nested (see
    `autodiff.functional`) or a tangent is a Tensor that requires grad.

    >>> import autodiff as ad
    >>> f = lambda x: (x * x * x).sum()          # H = diag(6x)
    >>> ad.hvp(f, ([1.0, 2.0],), ([1.0, 1.0],))[0].tolist()
    [6.0, 12.0]
    """
    name = "hvp"
    tracing.check_callable(f, name)
    primals, tangents = _check_primals_and_tangents(primals, tangents, name)
    run = _trace_all(f, primals, name)
    tangents = _pair_with_inputs(tangents, run.inputs, name)
    output = tracing.scalar_output(run.result, name)

    nested = run.nested or (is_grad_enabled() and any(t.requires_grad for t in tangents))
    seed = tracing.zeros_for(output)
    seed.data[...] = 1
    with enable_grad():
        gradients = tracing.pullback([output], [seed], run.inputs, create_graph=True)
        pairing = _inner_product(gradients, tangents)
    products = tracing.pullback([pairing], [None], run.inputs, create_graph=nested)
    return tracing.export(products, nested)


def _trace_all(f, primals, name):
    """Trace f with every positional argument differentiated."""
    if not primals:
        raise TypeError(f"{name}: no primals given; pass the point to differentiate at, e.g. {name}(f, x)")
    return tracing.trace(f, primals, {}, tuple(range(len(primals))), name)


def _check_primals_and_tangents(primals, tangents, name):
    for label, value in (("primals", primals), ("tangents", tangents)):
        if not isinstance(value, (tuple, list)):
            raise TypeError(
                f"{name}: {label} must be a tuple or list with one entry per argument of f, "
                f"got {type(value).__name__}; for one argument write ({label[:-1]},)"
            )
    if len(primals) != len(tangents):
        raise ValueError(
            f"{name}: got {len(primals)} primals but {len(tangents)} tangents; give one "
            "tangent per primal"
        )
    return tuple(primals), tuple(tangents)


def _pair_with_inputs(tangents, inputs, name):
    return [
        tracing.cotangent_like(t, x, name, label=f"tangent {j}")
        for j, (t, x) in enumerate(zip(tangents, inputs))
    ]


def _pair_with_outputs(cotangent, outputs, single_output, name):
    if single_output:
        return [tracing.cotangent_like(cotangent, outputs[0], name, label="the cotangent")]
    if not isinstance(cotangent, (tuple, list)) or len(cotangent) != len(outputs):
        raise ValueError(
            f"{name}: f returned {len(outputs)} outputs, so the cotangent must be a tuple "
            f"of {len(outputs)} arrays, one per output; got {type(cotangent).__name__}"
        )
    return [
        tracing.cotangent_like(c, o, name, label=f"cotangent {k}")
        for k, (c, o) in enumerate(zip(cotangent, outputs))
    ]


def _inner_product(first, second):
    """Σ_j sum(first_j · second_j) as a 0-d Tensor (recorded when grad mode is on)."""
    total = None
    for a, b in zip(first, second):
        term = ops.sum(a * b)
        total = term if total is None else total + term
    return total
