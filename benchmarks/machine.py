"""Machine and library facts recorded with every result, and the thread-count setting."""

import contextlib
import datetime
import importlib
import importlib.metadata
import os
import platform
import subprocess
import sys
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parent.parent


def _cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _package_version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _numpy_blas():
    import numpy as np

    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')}"
    except (TypeError, KeyError):  # older NumPy without mode="dicts"
        return "unknown"


def _git_commit():
    """Return the checked-out commit, with "+dirty" when the tree has changes, or None."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=_REPO_ROOT, capture_output=True,
            text=True, check=True, timeout=10,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=_REPO_ROOT,
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if status.strip() else "")


def load_average():
    """Return the 1-minute load average (runnable processes), or None where the OS has none."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else None


def machine_info():
    """Return the CPU, core count, load and library versions as a JSON-ready dict."""
    import numpy as np

    info = {
        "cpu": _cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "load_average_1min": load_average(),
        "platform": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "numpy": np.__version__,
        "numpy_blas": _numpy_blas(),
        "autodiff": _package_version("autodiff-nn"),
        "git_commit": _git_commit(),
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    for name in ("torch", "micrograd", "autograd", "mygrad", "threadpoolctl"):
        info[name] = _package_version(name)
    return info


@contextlib.contextmanager
def thread_limit(count):
    """Give every library `count` threads inside the block; yield a record of the thread pools.

    PyTorch's intra-op pool is set with `torch.set_num_threads`. NumPy's BLAS
    and every other BLAS or OpenMP pool loaded in the process (torch's
    OpenMP included) are limited through threadpoolctl, in the bench extra.
    Without threadpoolctl the pools keep their default size, and the record
    states that. The record lists each pool with the thread count that
    threadpoolctl reads back inside the limit.
    """
    record = {"threads": count}

    torch = sys.modules.get("torch") or _try_import("torch")
    previous_torch = None
    if torch is not None:
        previous_torch = torch.get_num_threads()
        torch.set_num_threads(count)
        record["torch_threads"] = torch.get_num_threads()

    threadpoolctl = _try_import("threadpoolctl")
    limiter = None
    if threadpoolctl is None:
        record["pools"] = "not limited: threadpoolctl is not installed"
        record["numpy_blas_threads"] = None
    else:
        limiter = threadpoolctl.threadpool_limits(limits=count)
        record["pools"] = [
            {key: pool.get(key) for key in ("internal_api", "prefix", "version", "num_threads",
                                            "filepath")}
            for pool in threadpoolctl.threadpool_info()
        ]
        record["numpy_blas_threads"] = _numpy_blas_threads(record["pools"])

    try:
        yield record
    finally:
        if limiter is not None:
            limiter.restore_original_limits()
        if previous_torch is not None:
            torch.set_num_threads(previous_torch)


def _numpy_blas_threads(pools):
    """Return the thread count of the BLAS pool that NumPy loaded, or None if none is found."""
    blas = [pool for pool in pools if pool["internal_api"] in ("openblas", "mkl", "blis")]
    for pool in blas:
        if "numpy" in (pool["filepath"] or ""):
            return pool["num_threads"]
    return blas[0]["num_threads"] if blas else None


def _try_import(name):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None
