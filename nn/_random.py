"""Turning a `seed` argument into a NumPy random Generator."""

import numbers

import numpy as np


def as_generator(seed, owner):
    """Return a numpy.random.Generator for `seed`: an int, a Generator (used as is) or None.

    None draws fresh entropy from the operating system, so results differ
    from run to run. `owner` names the caller in the error message.
    """
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    # bool is an Integral subclass, but seed=True is a caller mistake.
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        if seed < 0:
            raise ValueError(f"{owner}: seed must be a non-negative int, got {seed}")
        return np.random.default_rng(int(seed))
    raise TypeError(
        f"{owner}: seed must be an int, a numpy.random.Generator or None, got {type(seed).__name__}"
    )
