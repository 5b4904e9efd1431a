"""Suite e: memory of one forward + backward, and whether the graph is freed afterwards.

Measured with `tracemalloc`, which counts every allocation made through
Python's allocators, NumPy's array buffers included. The figures are bytes
above the level before the forward pass, taken at five points:

* after forward: the graph and the values that backward needs;
* peak during forward + backward;
* after backward, with the loss still referenced;
* after dropping the loss, without a collection;
* after `gc.collect()`, which also empties CPython's free lists.

The cycle collector is disabled during the measurement, so "freed on drop"
shows what reference counting alone frees.

Probe: a weak reference to one intermediate node, taken after forward.
"graph freed after backward" means that node died while the loss was
still referenced; "freed on drop" means it died when the loss was dropped
without a collection.

NOTE: PyTorch allocates tensor storage in C++ with its own allocator,
which tracemalloc cannot see, so torch is not measured here.
"""

import gc
import tracemalloc
import weakref

import numpy as np

from benchmarks.compare import OURS, Unavailable
from benchmarks.report import format_bytes, format_ratio, markdown_table
from benchmarks.suites import mlp, scalar

TITLE = "Memory"
DESCRIPTION = (
    "tracemalloc bytes of one forward + backward (cycle collector off while measuring); "
    "torch is not measured because tracemalloc cannot see its C++ allocations."
)
BASELINES = ("numpy", "autograd", "micrograd")
THREAD_SENSITIVE = False

MLP_WORKLOADS = (
    ("MLP 13-64-64-1, batch 64", (13, 64, 64, 1), "regression"),
    ("MLP 784-128-10, batch 64", (784, 128, 10), "classification"),
)


def _mlp_model(model_class, sizes, task, seed, **options):
    return lambda: model_class(mlp.make_problem(sizes, task, np.float64, seed), task, **options)


def _ours_probe(loss):
    # The loss's first input: a non-leaf node that backward() should release.
    return weakref.ref(loss._parents[0])


def _numpy_probe(handle):
    return weakref.ref(handle[1]["a"][1])  # the first hidden activation a[1]


class ScalarMLP:
    """The scalar MLP of suite b, split into the forward and backward phases of the MLP models."""

    def __init__(self, library, seed):
        layers, self.xs, self.ys = scalar.mlp_data(seed)
        self.layers = scalar.map_layers(layers, library.make)
        self.params = scalar.flatten_layers(self.layers)
        self.library = library

    def forward(self):
        for p in self.params:
            p.grad = self.library.cleared_grad
        return scalar.mlp_loss(self.layers, self.xs, self.ys, self.library.relu)

    def backward(self, loss):
        loss.backward()
        return [p.grad for p in self.params]


def _micrograd_probe(loss):
    return weakref.ref(next(iter(loss._prev)))


def _traced():
    return tracemalloc.get_traced_memory()[0]


def measure(make_model, probe):
    """Return the memory figures of one forward + backward of the model (see the module docstring)."""
    model = make_model()
    model.backward(model.forward())  # warm-up: lazy imports and caches are not counted

    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    tracemalloc.start()
    try:
        base = _traced()
        tracemalloc.reset_peak()
        handle = model.forward()
        after_forward = _traced() - base
        node = probe(handle) if probe else None

        grads = model.backward(handle)  # kept: after_backward includes the gradients
        peak = tracemalloc.get_traced_memory()[1] - base
        after_backward = _traced() - base
        freed_after_backward = None if node is None else node() is None

        del handle
        after_drop = _traced() - base
        freed_on_drop = None if node is None else node() is None
        gc.collect()
        after_collect = _traced() - base
    finally:
        tracemalloc.stop()
        if was_enabled:
            gc.enable()

    return {
        "after_forward": after_forward,
        "peak": peak,
        "after_backward": after_backward,
        "after_drop": after_drop,
        "after_collect": after_collect,
        "graph_freed_after_backward": freed_after_backward,
        "graph_freed_on_drop": freed_on_drop,
    }


def _cases(seed):
    cases = []
    for label, sizes, task in MLP_WORKLOADS:
        cases.append((label, {
            OURS: (_mlp_model(mlp.OursMLP, sizes, task, seed), _ours_probe),
            "autodiff, retain_graph=True": (
                _mlp_model(mlp.OursMLP, sizes, task, seed, retain_graph=True), _ours_probe),
            "numpy": (_mlp_model(mlp.NumpyMLP, sizes, task, seed), _numpy_probe),
            "autograd": (_mlp_model(mlp.AutogradMLP, sizes, task, seed), None),
        }))
    cases.append(("scalar MLP 3-4-4-1, 4 examples", {
        OURS: (lambda: ScalarMLP(scalar.autodiff_scalars(), seed), _ours_probe),
        "micrograd": (lambda: ScalarMLP(scalar.micrograd_scalars(), seed), _micrograd_probe),
    }))
    return cases


def run(config):
    rows = []
    for label, implementations in _cases(config.seed):
        results, skipped = {}, {}
        for name, (make_model, probe) in implementations.items():
            try:
                results[name] = measure(make_model, probe)
            except Unavailable as error:
                skipped[name] = str(error)
        ours_peak = results[OURS]["peak"]
        for name, entry in results.items():
            if name != OURS:
                entry["ratio_peak"] = ours_peak / entry["peak"]
        rows.append({"case": label, "results": results, "skipped": skipped})
    return rows


def _yes_no(flag):
    if flag is None:
        return "n/a"
    return "yes" if flag else "no"


def render(rows):
    header = [
        "case", "implementation", "after forward", "peak", "ours/this (peak)", "after backward",
        "graph freed after backward", "after drop", "freed on drop (no gc)", "after gc.collect()",
    ]
    body = []
    for row in rows:
        for name, entry in row["results"].items():
            body.append([
                row["case"], name, format_bytes(entry["after_forward"]), format_bytes(entry["peak"]),
                format_ratio(entry.get("ratio_peak")), format_bytes(entry["after_backward"]),
                _yes_no(entry["graph_freed_after_backward"]), format_bytes(entry["after_drop"]),
                _yes_no(entry["graph_freed_on_drop"]), format_bytes(entry["after_collect"]),
            ])
        for name, reason in row["skipped"].items():
            body.append([row["case"], name, "skipped", *[""] * 7])
    return markdown_table(header, body)


def summarize(rows):
    header = ["case", "implementation", "peak", "ours/this (peak)", "graph freed after backward",
              "freed on drop (no gc)"]
    body = []
    for row in rows:
        for name, entry in row["results"].items():
            body.append([
                row["case"], name, format_bytes(entry["peak"]), format_ratio(entry.get("ratio_peak")),
                _yes_no(entry["graph_freed_after_backward"]), _yes_no(entry["graph_freed_on_drop"]),
            ])
        for name in row["skipped"]:
            body.append([row["case"], name, "skipped", "", "", ""])
    return markdown_table(header, body)
