"""The benchmark suites, by name, in the order the harness runs them.

Each suite module has TITLE, DESCRIPTION, BASELINES (the column order of
its table), THREAD_SENSITIVE, `run(config) -> list of dicts`,
`render(rows) -> markdown` (the full table) and `summarize(rows) -> markdown`
(the short table of ratios kept in benchmarks/README.md).
"""

from benchmarks.suites import memory, mlp, overhead, scalar, scaling

SUITES = {
    "overhead": overhead,
    "scalar": scalar,
    "scaling": scaling,
    "mlp": mlp,
    "memory": memory,
}
