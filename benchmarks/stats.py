"""The arithmetic behind the tables: ratios, log-log slopes and matmul FLOP counts."""

import numpy as np


def ratio(numerator, denominator):
    """Return numerator / denominator, or None when either is missing or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def loglog_slope(sizes, times):
    """Return the slope p of the least-squares line log t = p log N + c.

    A time proportional to N^p has slope p, so a linear-time algorithm
    gives 1. Needs at least two distinct sizes and positive times.
    """
    if len(sizes) != len(times):
        raise ValueError(f"loglog_slope: {len(sizes)} sizes but {len(times)} times")
    if len(set(sizes)) < 2:
        raise ValueError(f"loglog_slope: needs at least two distinct sizes, got {list(sizes)}")
    if any(value <= 0 for value in (*sizes, *times)):
        raise ValueError(f"loglog_slope: sizes and times must be positive, got {sizes}, {times}")
    slope, _ = np.polyfit(np.log(sizes), np.log(times), 1)
    return float(slope)


def mlp_step_flops(sizes, batch):
    """Return the floating-point operations of the matrix products of one MLP training step.

    Layer k multiplies (n, d_{k-1}) by (d_{k-1}, d_k): 2·n·d_{k-1}·d_k
    operations each for z[k] = a[k-1] W[k], for ∂J/∂W[k] = a[k-1]^T δ[k]
    and for ∂J/∂a[k-1] = δ[k] W[k]^T. The input X needs no gradient, so
    the first layer has two products, not three. Elementwise work (bias,
    ReLU, loss, update) is not counted.
    """
    flops = 0
    for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        products = 2 if k == 0 else 3
        flops += products * 2 * batch * fan_in * fan_out
    return flops


def is_close_per_max(actual, expected, rtol, atol):
    """Compare arrays elementwise: |a - e| <= atol·max|e| + rtol·|e|.

    Scaling `atol` by the largest magnitude lets an entry near zero of a
    float32 gradient differ by rounding noise of the gradient's scale.
    """
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    return bool(np.all(np.abs(actual - expected) <= atol * scale + rtol * np.abs(expected)))

