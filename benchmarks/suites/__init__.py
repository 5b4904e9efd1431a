"""The benchmark suites, by name, in the order the harness runs them.

Each suite module has TITLE, DESCRIPTION, `run(config) -> dict` (JSON-ready)
and `render(data, summary=False) -> [report.Table]`. With `summary`, the
tables leave out the columns that only the full report keeps.
"""

from benchmarks.suites import backward_forward, memory, mlp_step, op_overhead, scalar_circuits

SUITES = {
    "scalar_circuits": scalar_circuits,
    "mlp_step": mlp_step,
    "op_overhead": op_overhead,
    "backward_forward": backward_forward,
    "memory": memory,
}
