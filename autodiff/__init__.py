"""autodiff: a reverse-mode automatic differentiation engine on NumPy.

A `Tensor` wraps an ndarray (a NumPy scalar such as np.float64 for a 0-d
tensor) and records the primitive op that made it; `backward()` walks that graph once in reverse topological
order. The ops have NumPy's names, so NumPy code runs on tensors when
`np.` is swapped for `autodiff.`.

>>> import autodiff as ad
>>> w = ad.tensor(2.0, requires_grad=True)
>>> b = ad.tensor(-1.0, requires_grad=True)
>>> h = ad.relu(w * 3.0 + b)      # h(x) = max(wx + b, 0) at x = 3
>>> h.backward()
>>> w.grad.item(), b.grad.item()
(3.0, 1.0)
"""

from autodiff.grad_mode import (
    current_scope, enable_grad, is_grad_enabled, keep_values, name_scope, no_grad,
    set_grad_enabled,
)
from autodiff.tensor import Tensor, tensor
from autodiff.ops import *  # noqa: F401,F403  (the NumPy-named functions)
from autodiff.backprop import backward
from autodiff.functional import grad, hessian, hvp, jacobian, jvp, value_and_grad, vjp
from autodiff.gradcheck import GradcheckError, gradcheck, gradgradcheck
from autodiff import methods as _methods  # noqa: F401  (attaches Tensor methods)
from autodiff.draw import backprop_steps, draw_backprop, draw_graph

__version__ = "0.1.0"
