"""Function transforms in the manner of JAX and HIPS autograd.

Each transform takes a Python function f of Tensors and returns a new
function, or evaluates a derivative product directly:

* ``grad(f, argnums=0)``: ∇f of a scalar f (the same `autodiff.grad` also
  accepts tensors, as ``torch.autograd.grad``; see its docstring);
* ``value_and_grad(f, argnums=0)``: f and ∇f from one forward pass;
* ``jacobian(f, argnums=0)``: the full Jacobian, in reverse mode;
* ``hessian(f, argnums=0)``: the Jacobian of the gradient;
* ``vjp(f, *primals)``, ``jvp(f, primals, tangents)``,
  ``hvp(f, primals, tangents)``: one product with a derivative.

Arguments: the differentiated arguments may be Tensors, ndarrays or
floats, but not integers (as in JAX). f receives them as Tensors, so it
must compute with autodiff ops. Other arguments, and keyword arguments,
reach f unchanged.

Results: NumPy ndarrays (0-d for a scalar), new and writable, as JAX
returns arrays. One exception makes transforms compose. When grad mode is
on and a differentiated argument is a Tensor that requires grad, or f's
output depends on another tensor that requires grad (one that f reads
from its enclosing scope), the results are Tensors with history.
So ``grad(grad(f))``, ``jacobian(grad(f))`` or a gradient penalty
``ad.grad(loss)(x)`` built from model weights can be differentiated again,
to any order. An argument that f does not use gets a zero derivative,
because a constant has derivative zero.

>>> import autodiff as ad
>>> f = lambda x: ad.exp(ad.sin(x))
>>> [round(float(d(0.0)), 6) for d in (ad.grad(f), ad.grad(ad.grad(f)))]
[1.0, 1.0]
"""

from autodiff.functional.products import hvp, jvp, vjp
from autodiff.functional.transforms import grad, hessian, jacobian, value_and_grad

__all__ = ["grad", "hessian", "hvp", "jacobian", "jvp", "value_and_grad", "vjp"]
