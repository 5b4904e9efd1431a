"""Constructors with NumPy's names: zeros, ones, full, arange, eye and friends."""

import numpy as np

from autodiff.tensor import Tensor


def _make(array, requires_grad):
    return Tensor(array, requires_grad=requires_grad)


def zeros(shape, dtype=float, requires_grad=False):
    return _make(np.zeros(shape, dtype=dtype), requires_grad)


def ones(shape, dtype=float, requires_grad=False):
    return _make(np.ones(shape, dtype=dtype), requires_grad)


def full(shape, fill_value, dtype=None, requires_grad=False):
    return _make(np.full(shape, fill_value, dtype=dtype), requires_grad)


def zeros_like(a, dtype=None, requires_grad=False):
    a = a.data if isinstance(a, Tensor) else a
    return _make(np.zeros_like(a, dtype=dtype), requires_grad)


def ones_like(a, dtype=None, requires_grad=False):
    a = a.data if isinstance(a, Tensor) else a
    return _make(np.ones_like(a, dtype=dtype), requires_grad)


def arange(*args, dtype=None, requires_grad=False):
    return _make(np.arange(*args, dtype=dtype), requires_grad)


def linspace(start, stop, num=50, dtype=None, requires_grad=False):
    return _make(np.linspace(start, stop, num, dtype=dtype), requires_grad)


def eye(n, m=None, k=0, dtype=float, requires_grad=False):
    return _make(np.eye(n, m, k=k, dtype=dtype), requires_grad)
