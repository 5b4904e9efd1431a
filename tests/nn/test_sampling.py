"""Tests for the samplers of Algorithms 1 and 2: coverage, repeats and reproducibility."""

import itertools

import numpy as np
import pytest

import nn


# --- Algorithm 1: StochasticSampler ---


def test_stochastic_steps_are_single_indices():
    steps = nn.StochasticSampler(10, seed=0).epoch()
    assert len(steps) == 10
    for step in steps:
        assert step.shape == (1,)
        assert step.dtype == np.int64
        assert 0 <= step[0] < 10


def test_stochastic_reproducible():
    first = np.concatenate(nn.StochasticSampler(50, seed=3).epoch())
    second = np.concatenate(nn.StochasticSampler(50, seed=3).epoch())
    other = np.concatenate(nn.StochasticSampler(50, seed=4).epoch())
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, other)


def test_stochastic_covers_all_uniformly():
    n = 20
    sampler = nn.StochasticSampler(n, seed=0)
    draws = np.concatenate([np.concatenate(sampler.epoch()) for _ in range(500)])  # 10,000 draws
    counts = np.bincount(draws, minlength=n)
    assert counts.min() > 0
    # Each count is Binomial(10000, 1/20): mean 500, standard deviation about 22.
    assert np.all(np.abs(counts - 500) < 5 * 22)


def test_stochastic_draws_with_replacement():
    # With replacement, an epoch of n draws misses about 1/e of the examples.
    n = 1000
    drawn = np.unique(np.concatenate(nn.StochasticSampler(n, seed=0).epoch()))
    assert 0.55 * n < len(drawn) < 0.72 * n


def test_stochastic_iteration_continues_across_epochs():
    sampler = nn.StochasticSampler(3, seed=0)
    steps = list(itertools.islice(sampler, 10))
    assert len(steps) == 10
    assert sampler.steps_per_epoch == 3


# --- Algorithm 2: MinibatchSampler, permutation scheme ---


def test_permutation_epoch_covers_each_example_once():
    sampler = nn.MinibatchSampler(23, batch_size=5, seed=0)
    for _ in range(3):
        batches = sampler.epoch()
        assert [len(b) for b in batches] == [5, 5, 5, 5, 3]
        np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(23))


def test_permutation_epochs_differ():
    sampler = nn.MinibatchSampler(30, batch_size=10, seed=0)
    first, second = sampler.epoch(), sampler.epoch()
    assert not np.array_equal(np.concatenate(first), np.concatenate(second))


def test_permutation_drop_last():
    sampler = nn.MinibatchSampler(23, batch_size=5, seed=0, drop_last=True)
    batches = sampler.epoch()
    assert sampler.steps_per_epoch == 4
    assert [len(b) for b in batches] == [5, 5, 5, 5]
    assert len(np.unique(np.concatenate(batches))) == 20


def test_permutation_batch_larger_than_n():
    batches = nn.MinibatchSampler(4, batch_size=10, seed=0).epoch()
    assert len(batches) == 1
    np.testing.assert_array_equal(np.sort(batches[0]), np.arange(4))


# --- Algorithm 2: independent scheme ---


def test_independent_no_repeats_inside_batch():
    sampler = nn.MinibatchSampler(12, batch_size=8, seed=0, scheme="independent")
    for batch in itertools.islice(sampler, 200):
        assert len(batch) == 8
        assert len(np.unique(batch)) == 8
        assert batch.min() >= 0
        assert batch.max() < 12


def test_independent_covers_all_uniformly():
    n, batch_size = 10, 3
    sampler = nn.MinibatchSampler(n, batch_size=batch_size, seed=1, scheme="independent")
    draws = np.concatenate(list(itertools.islice(sampler, 2000)))
    counts = np.bincount(draws, minlength=n)
    # 6000 draws spread over 10 examples: about 600 each.
    assert np.all(np.abs(counts - 600) < 5 * np.sqrt(600))


def test_independent_batches_overlap_across_steps():
    # Unlike the permutation scheme, an example can be in consecutive batches.
    sampler = nn.MinibatchSampler(10, batch_size=5, seed=0, scheme="independent")
    batches = list(itertools.islice(sampler, 50))
    overlaps = [len(np.intersect1d(a, b)) for a, b in zip(batches, batches[1:])]
    assert max(overlaps) > 0


def test_independent_epoch_length():
    sampler = nn.MinibatchSampler(23, batch_size=5, seed=0, scheme="independent")
    assert len(sampler.epoch()) == sampler.steps_per_epoch == 5


@pytest.mark.parametrize("scheme", ["permutation", "independent"])
def test_minibatch_reproducible(scheme):
    def run(seed):
        sampler = nn.MinibatchSampler(40, batch_size=6, seed=seed, scheme=scheme)
        return np.concatenate(list(itertools.islice(sampler, 20)))

    np.testing.assert_array_equal(run(5), run(5))
    assert not np.array_equal(run(5), run(6))


def test_generator_seed_is_shared():
    rng = np.random.default_rng(0)
    a = nn.MinibatchSampler(10, 10, seed=rng).epoch()[0]
    b = nn.MinibatchSampler(10, 10, seed=rng).epoch()[0]
    assert not np.array_equal(a, b)


def test_minibatch_argument_errors():
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        nn.MinibatchSampler(10, 0)
    with pytest.raises(ValueError, match="n must be a positive int"):
        nn.MinibatchSampler(0, 1)
    with pytest.raises(ValueError, match="scheme must be one of"):
        nn.MinibatchSampler(10, 2, scheme="shuffle")
    with pytest.raises(ValueError, match="cannot draw 11 distinct examples"):
        nn.MinibatchSampler(10, 11, scheme="independent")
    with pytest.raises(ValueError, match="an epoch would have no batch"):
        nn.MinibatchSampler(10, 11, drop_last=True)
    with pytest.raises(TypeError, match="seed must be"):
        nn.MinibatchSampler(10, 2, seed="0")
