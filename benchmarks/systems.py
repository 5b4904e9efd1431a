"""The systems that the suites compare, and how a missing one is reported.

Each workload is written once per system. A system's implementation
imports its library through `require`, which raises `Unavailable` when the
library is missing, so that the harness reports that system as skipped
instead of failing or faking a number.
"""

import importlib

OURS = "autodiff"
OURS_NN = "autodiff.nn"
NUMPY_FLOOR = "numpy"
PYTHON_FLOOR = "python"
TORCH = "torch"

# Display names in tables, in the order that rows appear.
LABELS = {
    NUMPY_FLOOR: "NumPy by hand (floor)",
    PYTHON_FLOOR: "pure Python by hand (floor)",
    OURS: "autodiff",
    OURS_NN: "autodiff + nn (MLP, squared_loss, SGD)",
    TORCH: "PyTorch eager",
    "micrograd": "micrograd",
    "autograd": "HIPS autograd",
    "mygrad": "MyGrad",
}

# The pip package of each baseline library, for the install hint.
PACKAGES = {TORCH: "torch==2.13.0", "micrograd": "micrograd", "autograd": "autograd",
            "mygrad": "mygrad"}

# Modules imported before timing starts (see run.run_suites).
BASELINE_MODULES = (
    "autodiff", "nn", "torch", "micrograd.engine", "autograd", "autograd.numpy", "mygrad",
    "mygrad.nnet.activations",
)


class Unavailable(Exception):
    """Raised by an implementation whose library is not installed."""


def require(module_name):
    """Import `module_name`, or raise Unavailable naming the package to install."""
    try:
        return importlib.import_module(module_name)
    except ImportError as error:
        package = PACKAGES.get(module_name.split(".")[0], module_name.split(".")[0])
        raise Unavailable(
            f"{module_name} is not installed ({error}); install it with "
            f"pip install '{package}', or all baselines with pip install -e '.[bench]'"
        ) from None


def label(name):
    return LABELS.get(name, name)


def ordered(names):
    """Return `names` in the row order of LABELS, unknown names last."""
    order = list(LABELS)
    return sorted(names, key=lambda name: order.index(name) if name in order else len(order))
