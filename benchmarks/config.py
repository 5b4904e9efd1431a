"""Settings of one run of the harness: how long to time and which sizes to run, by mode.

Three modes share one code path and differ only in these numbers:

* full: the sizes that the engine's targets name (chains up to N = 10^6,
  10,000 steps of memory growth). It took 10.6 minutes on a shared 2-core
  AMD EPYC guest with a load average near 1.5.
* quick: the same workloads with smaller N, fewer runs and a smaller grid.
  It took under 2 minutes on the same machine.
* tiny: a few seconds, for the smoke tests of the harness. Its numbers mean
  nothing.
"""

from dataclasses import dataclass

MODES = ("full", "quick", "tiny")


@dataclass
class Config:
    """How long to measure and what sizes to run.

    Step workloads (the tensor MLP step, the per-op graphs and the MLP grid)
    run `repeat` timed runs of at least `min_time` seconds each. Scalar
    workloads are slow per step and get explicit run counts instead:
    `scalar_runs` for the scalar MLP circuit and, for a chain of N steps,
    `chain_step_budget // N` runs clamped to `chain_runs` (min, max).
    """

    mode: str = "full"
    repeat: int = 41
    min_time: float = 0.01
    threads: int = 1
    seed: int = 0

    scalar_points: int = 100
    scalar_runs: int = 15
    chain_sizes: tuple = (10**2, 10**3, 10**4, 10**5, 10**6)
    chain_step_budget: int = 5 * 10**6
    chain_runs: tuple = (5, 21)

    grid_widths: tuple = (16, 64, 256, 512)
    grid_depths: tuple = (1, 2, 4, 8)
    grid_batch: int = 64

    memory_steps: int = 10_000
    memory_samples: int = 10

    @classmethod
    def for_mode(cls, mode):
        """Return the default settings of `mode` ("full", "quick" or "tiny")."""
        if mode == "full":
            return cls()
        if mode == "quick":
            return cls(
                mode="quick", repeat=21, min_time=0.005, scalar_runs=7,
                chain_sizes=(10**2, 10**3, 10**4, 10**5), chain_step_budget=10**6,
                chain_runs=(5, 15), grid_widths=(16, 128, 512), grid_depths=(1, 4),
                memory_steps=2_000,
            )
        if mode == "tiny":
            return cls(
                mode="tiny", repeat=2, min_time=0.0002, scalar_points=3, scalar_runs=1,
                chain_sizes=(10**2, 10**3), chain_step_budget=10**3, chain_runs=(1, 2),
                grid_widths=(16,), grid_depths=(1, 2), grid_batch=8,
                memory_steps=20, memory_samples=4,
            )
        raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")

    def chain_runs_for(self, n):
        """Return how many timed runs a chain of `n` steps gets."""
        low, high = self.chain_runs
        return max(low, min(high, self.chain_step_budget // n))
