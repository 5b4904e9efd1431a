"""Samplers that pick the training examples of each step: Algorithms 1 and 2 of the notes.

Both samplers yield index arrays, so `X[indices]` keeps the batch axis
whatever the batch size. Each is reproducible: the same `seed` gives the
same sequence of indices.
"""

import numbers

import numpy as np

from nn._random import as_generator


def _check_count(value, what, owner):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{owner}: {what} must be a positive int, got {value!r}")
    return int(value)


class StochasticSampler:
    """Algorithm 1 (stochastic gradient descent): each step uses one example j.

    Every step draws j uniformly from {0, ..., n-1}, independently of the
    other steps, so examples are drawn with replacement: an example can
    come up in consecutive steps, and some examples are not drawn for a
    long time.

    An "epoch" here is n steps, the same number of gradient evaluations as
    one pass over the data. Each example is drawn once per epoch on
    average, but with n large about 1/e ≈ 37% of the examples are not drawn
    at all in a given epoch.

    Args:
        n: number of training examples.
        seed: an int, a numpy.random.Generator (used and advanced) or None.

    Each step is an int64 array of shape (1,) containing j.

    >>> import nn
    >>> sampler = nn.StochasticSampler(5, seed=0)
    >>> steps = sampler.epoch()
    >>> len(steps), steps[0].shape
    (5, (1,))
    """

    def __init__(self, n, seed=None):
        self.n = _check_count(n, "n", "StochasticSampler")
        self._rng = as_generator(seed, "StochasticSampler")

    @property
    def steps_per_epoch(self):
        return self.n

    def epoch(self):
        """Draw the next n steps and return them as a list of index arrays of shape (1,)."""
        draws = self._rng.integers(0, self.n, size=self.n)
        return list(draws.reshape(self.n, 1))

    def __iter__(self):
        """Yield steps forever, one epoch's draws after another."""
        while True:
            yield from self.epoch()


class MinibatchSampler:
    """Algorithm 2 (mini-batch SGD): each step uses B distinct examples.

    Two schemes draw the B indices of a step:

    * "permutation" (default): each epoch shuffles {0, ..., n-1} and cuts
      it into consecutive batches of B. An epoch is ceil(n / B) steps; every
      example is in exactly one batch per epoch, and the last batch has the
      n mod B left-over examples (dropped with drop_last=True, which makes
      an epoch floor(n / B) steps). This is what
      torch.utils.data.DataLoader(shuffle=True) does.
    * "independent": the literal Algorithm 2. Each step draws B distinct
      examples uniformly, independently of the other steps, so an example
      can be in consecutive batches. An "epoch" is then only a count of
      ceil(n / B) steps (floor with drop_last=True), not a pass over the
      data.

    Args:
        n: number of training examples.
        batch_size: B, at least 1. With "permutation", B > n gives one
            batch of all n examples per epoch; "independent" needs B <= n.
        seed: an int, a numpy.random.Generator (used and advanced) or None.
        scheme: "permutation" or "independent".
        drop_last: with "permutation", skip the smaller last batch.

    Each step is an int64 array of B distinct indices (fewer for a last
    smaller batch).

    >>> import nn
    >>> sampler = nn.MinibatchSampler(10, batch_size=4, seed=0)
    >>> [len(batch) for batch in sampler.epoch()]
    [4, 4, 2]
    """

    SCHEMES = ("permutation", "independent")

    def __init__(self, n, batch_size, seed=None, scheme="permutation", drop_last=False):
        self.n = _check_count(n, "n", "MinibatchSampler")
        self.batch_size = _check_count(batch_size, "batch_size", "MinibatchSampler")
        if scheme not in self.SCHEMES:
            raise ValueError(f"MinibatchSampler: scheme must be one of {list(self.SCHEMES)}, got {scheme!r}")
        if scheme == "independent" and self.batch_size > self.n:
            raise ValueError(
                f"MinibatchSampler: batch_size {self.batch_size} exceeds n = {self.n}, so a step cannot "
                f"draw {self.batch_size} distinct examples; use batch_size <= {self.n}"
            )
        if drop_last and self.batch_size > self.n:
            raise ValueError(
                f"MinibatchSampler: with drop_last=True and batch_size {self.batch_size} > n = {self.n} "
                "an epoch would have no batch"
            )
        self.scheme = scheme
        self.drop_last = bool(drop_last)
        self._rng = as_generator(seed, "MinibatchSampler")

    @property
    def steps_per_epoch(self):
        if self.drop_last:
            return self.n // self.batch_size
        return -(-self.n // self.batch_size)

    def epoch(self):
        """Draw the next epoch's steps and return them as a list of index arrays."""
        if self.scheme == "independent":
            batch_size = self.batch_size
            return [self._rng.choice(self.n, size=batch_size, replace=False) for _ in range(self.steps_per_epoch)]

        order = self._rng.permutation(self.n)
        starts = range(0, self.steps_per_epoch * self.batch_size, self.batch_size)
        return [order[start:start + self.batch_size] for start in starts]

    def __iter__(self):
        """Yield steps forever, one epoch after another."""
        while True:
            yield from self.epoch()
